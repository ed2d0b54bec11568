package server

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

// Sign-in and password-reset requests are limited per account and per client
// address, with counts kept in PostgreSQL so that every server process shares
// them. An account is never locked: beyond a few failures, each one makes its
// next attempt wait longer, up to a minute; and a browser that signed in to it
// before is counted apart (device.go), so that guesses made elsewhere cannot
// keep its owner out. A client address has a coarser bound.

const (
	limitWindow = 15 * time.Minute // counts are forgotten this long after their last attempt
	sweepEvery  = time.Minute      // how often a process deletes the forgotten counts
)

// limitPolicy is how one kind of request is limited.
type limitPolicy struct {
	kind    string               // sign_in_attempts.kind
	account postgres.AttemptRule // per account, or per browser trusted with it
	address postgres.AttemptRule // per client address
}

var (
	// signInLimits: three failures at once, then 1 s, 2 s, 4 s … up to a minute
	// between attempts; 20 attempts per address, then 15 minutes.
	signInLimits = limitPolicy{kind: "sign_in",
		account: growingWaits(3, time.Second, time.Minute), address: growingWaits(19, limitWindow, limitWindow)}
	// resetLimits: 5 requests per address asked for and 20 per client address, then 15 minutes.
	resetLimits = limitPolicy{kind: "reset",
		account: growingWaits(4, limitWindow, limitWindow), address: growingWaits(19, limitWindow, limitWindow)}
)

// growingWaits lets free attempts through at once, then makes each next one
// wait first, twice as long each time, up to longest.
func growingWaits(free int, first, longest time.Duration) postgres.AttemptRule {
	waits := make([]time.Duration, free)
	for wait := first; wait < longest; wait *= 2 {
		waits = append(waits, wait)
	}
	return postgres.AttemptRule{Waits: append(waits, longest), Forget: limitWindow}
}

func accountKey(email string) string { return "account:" + strings.ToLower(strings.TrimSpace(email)) }
func deviceKey(id string) string     { return "device:" + id }
func ipKey(ip string) string         { return "ip:" + ip }

// limiter counts attempts against the limits, on the server's clock.
type limiter struct {
	db        *postgres.DB
	now       func() time.Time
	mu        sync.Mutex
	lastSweep time.Time
}

func newLimiter(db *postgres.DB, now func() time.Time) *limiter {
	return &limiter{db: db, now: now}
}

// reserve counts an attempt under account (an accountKey or a deviceKey) from
// ip before it is checked, so that concurrent guesses cannot overtake the
// limits. When the account or the address must wait it counts nothing and
// returns how long.
func (l *limiter) reserve(ctx context.Context, p limitPolicy, account, ip string) (time.Duration, error) {
	now := l.now()
	if err := l.sweep(ctx, now); err != nil {
		return 0, err
	}
	address := ipKey(ip)
	if wait, err := l.db.CountAttempt(ctx, p.kind, address, p.address, now); wait > 0 || err != nil {
		return wait, err
	}
	wait, err := l.db.CountAttempt(ctx, p.kind, account, p.account, now)
	if wait > 0 || err != nil {
		// The attempt is not made: the address gets its count back.
		err = errors.Join(err, l.db.UncountAttempt(ctx, p.kind, address, now))
	}
	return wait, err
}

// succeeded forgets the account's failures and gives back the address's
// attempt, so that colleagues signing in behind one address do not block it.
func (l *limiter) succeeded(ctx context.Context, p limitPolicy, account, ip string) error {
	return errors.Join(l.db.ForgetAttempts(ctx, p.kind, account), l.db.UncountAttempt(ctx, p.kind, ipKey(ip), l.now()))
}

// sweep deletes the forgotten counts, once a minute per process.
func (l *limiter) sweep(ctx context.Context, now time.Time) error {
	l.mu.Lock()
	due := now.Sub(l.lastSweep) >= sweepEvery
	if due {
		l.lastSweep = now
	}
	l.mu.Unlock()
	if !due {
		return nil
	}
	_, err := l.db.SweepAttempts(ctx, now)
	return err
}

// retryAfter tells the client, in Retry-After, to wait wait; it returns the seconds it said.
func retryAfter(c *gin.Context, wait time.Duration) int {
	seconds := int(math.Ceil(wait.Seconds()))
	c.Header("Retry-After", strconv.Itoa(seconds))
	return seconds
}

// tooManySignIns refuses a sign-in that must wait, saying when to try again. ETOOMANY.
func tooManySignIns(c *gin.Context, wait time.Duration) error {
	n := retryAfter(c, wait)
	if n < 60 {
		return ptacycle.Errorf(ptacycle.ETOOMANY, "Trop de tentatives de connexion : réessayez dans %d seconde%s",
			"Too many sign-in attempts: try again in %d second%s", n, plural(n))
	}
	n = (n + 59) / 60
	return ptacycle.Errorf(ptacycle.ETOOMANY, "Trop de tentatives de connexion : réessayez dans %d minute%s",
		"Too many sign-in attempts: try again in %d minute%s", n, plural(n))
}

// plural is the ending of a French or English noun counted n (n ≥ 1).
func plural(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}

package app

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/ptacycle/ptacycle/postgres"
)

// Sign-in and password-reset requests are limited per account and per client
// address, with counts kept in PostgreSQL so that every server process shares
// them. An account is never locked: beyond a few failures, each one makes its
// next attempt wait longer, up to a minute; and a browser that signed in to it
// before is counted apart (the server's device cookie), so that guesses
// made elsewhere cannot keep its owner out. A client address has a coarser bound.

const (
	limitWindow = 15 * time.Minute // counts are forgotten this long after their last attempt
	sweepEvery  = time.Minute      // how often a process deletes the forgotten counts
)

// LimitPolicy is how one kind of request is limited.
type LimitPolicy struct {
	kind    string               // sign_in_attempts.kind
	account postgres.AttemptRule // per account, or per browser trusted with it
	address postgres.AttemptRule // per client address
}

var (
	// SignInLimits: three failures at once, then 1 s, 2 s, 4 s … up to a minute
	// between attempts; 20 attempts per address, then 15 minutes.
	SignInLimits = LimitPolicy{kind: "sign_in",
		account: growingWaits(3, time.Second, time.Minute), address: growingWaits(19, limitWindow, limitWindow)}
	// ResetLimits: 5 requests per address asked for and 20 per client address, then 15 minutes.
	ResetLimits = LimitPolicy{kind: "reset",
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

// AccountKey counts the attempts on the account of email; DeviceKey those
// of a browser trusted with an account (its device id); ipKey those of a
// client address.
func AccountKey(email string) string { return "account:" + strings.ToLower(strings.TrimSpace(email)) }
func DeviceKey(id string) string     { return "device:" + id }
func ipKey(ip string) string         { return "ip:" + ip }

// Limits counts attempts against the limits, on the server's clock.
type Limits struct {
	db        *postgres.DB
	now       func() time.Time
	mu        sync.Mutex
	lastSweep time.Time
}

func newLimits(db *postgres.DB, now func() time.Time) *Limits {
	return &Limits{db: db, now: now}
}

// Now is the time on the limits' clock.
func (l *Limits) Now() time.Time { return l.now() }

// Reserve counts an attempt under account (an accountKey or a deviceKey) from
// ip before it is checked, so that concurrent guesses cannot overtake the
// limits. When the account or the address must wait it counts nothing and
// returns how long.
func (l *Limits) Reserve(ctx context.Context, p LimitPolicy, account, ip string) (time.Duration, error) {
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

// Succeeded forgets the account's failures and gives back the address's
// attempt, so that colleagues signing in behind one address do not block it.
func (l *Limits) Succeeded(ctx context.Context, p LimitPolicy, account, ip string) error {
	return errors.Join(l.db.ForgetAttempts(ctx, p.kind, account), l.db.UncountAttempt(ctx, p.kind, ipKey(ip), l.now()))
}

// sweep deletes the forgotten counts, once a minute per process.
func (l *Limits) sweep(ctx context.Context, now time.Time) error {
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

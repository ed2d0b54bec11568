package server

import (
	"strings"
	"sync"
	"time"
)

// Sign-in limits: beyond them, even the right password is refused until the window ends.
const (
	loginWindow        = 15 * time.Minute
	loginFailsPerEmail = 5
	loginFailsPerIP    = 20
	loginSweepEvery    = time.Minute // how often closed windows are dropped from memory
)

// loginLimiter counts sign-in attempts per account (lower-cased e-mail) and
// per client IP, each over a fixed window that opens at its first attempt;
// a success clears the account's count.
// It lives in memory: several server replicas each keep their own counters,
// so the effective limit is multiplied by the number of replicas.
type loginLimiter struct {
	mu        sync.Mutex
	now       func() time.Time
	attempts  map[string]*attempts // keys "email:…" and "ip:…"
	lastSweep time.Time
}

type attempts struct {
	count int
	until time.Time // when the window closes and the count is forgotten
}

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{now: now, attempts: map[string]*attempts{}}
}

func emailKey(email string) string { return "email:" + strings.ToLower(strings.TrimSpace(email)) }
func ipKey(ip string) string       { return "ip:" + ip }

// reserve counts an attempt for email from ip before its password is
// checked, so that concurrent guesses cannot overtake the limit. When the
// account or the IP is over its limit it counts nothing and returns how long
// to wait; otherwise 0.
func (l *loginLimiter) reserve(email, ip string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.lastSweep) >= loginSweepEvery {
		l.sweep(now)
	}
	account, client := l.current(emailKey(email), now), l.current(ipKey(ip), now)
	var wait time.Duration
	if account.count >= loginFailsPerEmail {
		wait = account.until.Sub(now)
	}
	if client.count >= loginFailsPerIP {
		wait = max(wait, client.until.Sub(now))
	}
	if wait > 0 {
		return wait
	}
	account.count++
	client.count++
	return 0
}

// succeeded forgets the account's failures and gives back the IP's reserved
// attempt, so that colleagues signing in behind one address do not block it.
func (l *loginLimiter) succeeded(email, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.attempts, emailKey(email))
	if a, ok := l.attempts[ipKey(ip)]; ok && a.count > 0 {
		a.count--
	}
}

// current returns key's live entry, opening a new window when none is open.
func (l *loginLimiter) current(key string, now time.Time) *attempts {
	a, ok := l.attempts[key]
	if !ok || !now.Before(a.until) {
		a = &attempts{until: now.Add(loginWindow)}
		l.attempts[key] = a
	}
	return a
}

// sweep drops the entries whose window has closed.
func (l *loginLimiter) sweep(now time.Time) {
	l.lastSweep = now
	for key, a := range l.attempts {
		if !now.Before(a.until) {
			delete(l.attempts, key)
		}
	}
}

package server

import (
	"testing"
	"time"
)

func TestLoginLimiter(t *testing.T) {
	now := time.Date(2024, time.February, 6, 9, 0, 0, 0, time.UTC)
	l := newLoginLimiter(func() time.Time { return now })
	fail := func(email, ip string, n int) {
		t.Helper()
		for i := range n {
			if wait := l.reserve(email, ip); wait != 0 {
				t.Fatalf("attempt %d for %s from %s refused (wait %s)", i+1, email, ip, wait)
			}
		}
	}

	fail("awa@cnltp.ci", "10.0.0.1", loginFailsPerEmail)
	t.Run("ErrAccountOverLimit", func(t *testing.T) {
		if wait := l.reserve(" AWA@cnltp.ci", "10.0.0.2"); wait != loginWindow {
			t.Errorf("wait = %s from another address, want %s: the account is limited whatever the case or the IP", wait, loginWindow)
		}
	})
	t.Run("OtherAccountSameIP", func(t *testing.T) {
		fail("kofi@cnltp.ci", "10.0.0.1", 1)
	})
	t.Run("WindowCloses", func(t *testing.T) {
		now = now.Add(loginWindow - time.Minute)
		if wait := l.reserve("awa@cnltp.ci", "10.0.0.1"); wait != time.Minute {
			t.Errorf("wait = %s a minute before the window closes", wait)
		}
		now = now.Add(time.Minute)
		fail("awa@cnltp.ci", "10.0.0.1", loginFailsPerEmail)
	})
	t.Run("SuccessClearsTheAccount", func(t *testing.T) {
		fail("yao@cnltp.ci", "10.0.0.3", loginFailsPerEmail-1)
		l.succeeded("yao@cnltp.ci", "10.0.0.3")
		fail("yao@cnltp.ci", "10.0.0.3", loginFailsPerEmail)
	})
	t.Run("ErrIPOverLimit", func(t *testing.T) {
		ip := "10.0.0.4"
		for i := range loginFailsPerIP {
			fail(string(rune('a'+i))+"@cnltp.ci", ip, 1)
			if i%2 == 0 {
				l.succeeded(string(rune('a'+i))+"@cnltp.ci", ip) // a success gives its attempt back
				fail(string(rune('a'+i))+"@cnltp.ci", ip, 1)
			}
		}
		if wait := l.reserve("new@cnltp.ci", ip); wait != loginWindow {
			t.Errorf("wait = %s after %d failures from one address, want %s", wait, loginFailsPerIP, loginWindow)
		}
		if wait := l.reserve("new@cnltp.ci", "10.0.0.5"); wait != 0 {
			t.Errorf("another address refused (wait %s)", wait)
		}
	})
	t.Run("Sweep", func(t *testing.T) {
		now = now.Add(loginWindow)
		fail("late@cnltp.ci", "10.0.0.9", 1)
		if len(l.attempts) != 2 {
			t.Errorf("%d entries kept after every other window closed, want 2", len(l.attempts))
		}
	})
}

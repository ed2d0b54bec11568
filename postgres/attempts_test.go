package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/postgres/pgtest"
)

func TestCountAttempt(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustDB(t)
	rule := postgres.AttemptRule{Waits: []time.Duration{0, 0, time.Second, 2 * time.Second}, Forget: 15 * time.Minute}
	t0 := time.Date(2024, time.February, 6, 9, 0, 0, 0, time.UTC)
	attempt := func(t *testing.T, key string, at time.Time, want time.Duration) {
		t.Helper()
		wait, err := db.CountAttempt(ctx, "sign_in", key, rule, at)
		if err != nil {
			t.Fatal(err)
		}
		if wait != want {
			t.Errorf("attempt on %s at +%s waits %s, want %s", key, at.Sub(t0), wait, want)
		}
	}
	count := func(t *testing.T, kind, key string) int {
		t.Helper()
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT coalesce(sum(count), 0) FROM sign_in_attempts WHERE kind = $1 AND key = $2`, kind, key).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("GrowingWaits", func(t *testing.T) {
		key := "account:awa@cnltp.ci"
		attempt(t, key, t0, 0)
		attempt(t, key, t0, 0)
		attempt(t, key, t0, 0) // the third makes the next wait a second
		attempt(t, key, t0, time.Second)
		attempt(t, key, t0.Add(time.Second), 0) // the fourth: two seconds
		attempt(t, key, t0.Add(2*time.Second), time.Second)
		attempt(t, key, t0.Add(3*time.Second), 0) // beyond the list, the last wait repeats
		attempt(t, key, t0.Add(4*time.Second), time.Second)
		attempt(t, key, t0.Add(5*time.Second), 0)
		if n := count(t, "sign_in", key); n != 6 {
			t.Errorf("count = %d, want 6: refused attempts count nothing", n)
		}
	})
	t.Run("KeysAndKindsApart", func(t *testing.T) {
		attempt(t, "account:kofi@cnltp.ci", t0.Add(5*time.Second), 0)
		if wait, err := db.CountAttempt(ctx, "reset", "account:awa@cnltp.ci", rule, t0.Add(5*time.Second)); err != nil || wait != 0 {
			t.Errorf("a reset request of a delayed account waits %s (%v), want 0", wait, err)
		}
	})
	t.Run("UncountLiftsTheWait", func(t *testing.T) {
		key := "ip:10.0.0.1"
		for range 3 {
			attempt(t, key, t0, 0)
		}
		if err := db.UncountAttempt(ctx, "sign_in", key, t0); err != nil {
			t.Fatal(err)
		}
		if n := count(t, "sign_in", key); n != 2 {
			t.Errorf("count after giving one back = %d, want 2", n)
		}
		attempt(t, key, t0, 0)
	})
	t.Run("ForgottenAfterQuiet", func(t *testing.T) {
		key := "account:awa@cnltp.ci" // six attempts, the last at +5 s
		attempt(t, key, t0.Add(5*time.Second+rule.Forget-time.Second), 0)
		if n := count(t, "sign_in", key); n != 7 {
			t.Errorf("count = %d within the window, want 7", n)
		}
		attempt(t, key, t0.Add(5*time.Second+2*rule.Forget), 0)
		if n := count(t, "sign_in", key); n != 1 {
			t.Errorf("count = %d once forgotten, want 1: counting starts again", n)
		}
	})
	t.Run("ForgetAttempts", func(t *testing.T) {
		if err := db.ForgetAttempts(ctx, "sign_in", "account:kofi@cnltp.ci"); err != nil {
			t.Fatal(err)
		}
		if n := count(t, "sign_in", "account:kofi@cnltp.ci"); n != 0 {
			t.Errorf("count = %d after forgetting, want 0", n)
		}
	})
	t.Run("Sweep", func(t *testing.T) {
		// Left: awa's sign-ins (last at +5 s + 30 min), awa's reset request (+5 s), 10.0.0.1 (t0).
		swept, err := db.SweepAttempts(ctx, t0.Add(5*time.Second+rule.Forget))
		if err != nil || swept != 2 {
			t.Errorf("swept %d rows (%v), want 2", swept, err)
		}
		if n := count(t, "sign_in", "account:awa@cnltp.ci"); n != 1 {
			t.Errorf("a live count was swept")
		}
	})
	t.Run("ErrConcurrentAttemptsCannotOvertake", func(t *testing.T) {
		limit := postgres.AttemptRule{Waits: []time.Duration{0, 0, 0, 0, time.Minute}, Forget: 15 * time.Minute}
		var wg sync.WaitGroup
		var mu sync.Mutex
		counted, refused := 0, 0
		for range 20 {
			wg.Go(func() {
				wait, err := db.CountAttempt(ctx, "sign_in", "account:yao@cnltp.ci", limit, t0)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Error(err)
				case wait == 0:
					counted++
				case wait == time.Minute:
					refused++
				default:
					t.Errorf("wait = %s, want 0 or a minute", wait)
				}
			})
		}
		wg.Wait()
		if counted != 5 || refused != 15 {
			t.Errorf("%d attempts counted and %d refused at once, want 5 and 15", counted, refused)
		}
	})
}

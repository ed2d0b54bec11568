package app

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle/postgres/pgtest"
)

func TestGrowingWaits(t *testing.T) {
	s := time.Second
	if got, want := SignInLimits.account.Waits, []time.Duration{0, 0, 0, s, 2 * s, 4 * s, 8 * s, 16 * s, 32 * s, time.Minute}; !slices.Equal(got, want) {
		t.Errorf("an account's waits = %v, want %v", got, want)
	}
	if got := SignInLimits.address.Waits; len(got) != 20 || got[18] != 0 || got[19] != limitWindow {
		t.Errorf("an address's waits = %v, want 19 × 0 then %s", got, limitWindow)
	}
	if got := ResetLimits.account.Waits; !slices.Equal(got, []time.Duration{0, 0, 0, 0, limitWindow}) {
		t.Errorf("reset requests' waits = %v, want 4 × 0 then %s", got, limitWindow)
	}
}

func TestLimiter(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustDB(t)
	now := time.Date(2024, time.February, 6, 9, 0, 0, 0, time.UTC)
	l := newLimits(db, func() time.Time { return now })
	reserve := func(t *testing.T, account, ip string, want time.Duration) {
		t.Helper()
		wait, err := l.Reserve(ctx, SignInLimits, account, ip)
		if err != nil {
			t.Fatal(err)
		}
		if wait != want {
			t.Errorf("attempt on %s from %s waits %s, want %s", account, ip, wait, want)
		}
	}
	awa := AccountKey("awa@cnltp.ci")

	for range 4 {
		reserve(t, awa, "10.0.0.1", 0) // three failures let the fourth through at once
	}
	t.Run("ErrAccountWaits", func(t *testing.T) {
		reserve(t, AccountKey(" AWA@cnltp.ci"), "10.0.0.2", time.Second) // whatever the case or the address
	})
	t.Run("WaitsGrow", func(t *testing.T) {
		for _, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, time.Minute, time.Minute} {
			now = now.Add(wait - time.Second)
			reserve(t, awa, "10.0.0.1", time.Second)
			now = now.Add(time.Second)
			reserve(t, awa, "10.0.0.1", 0)
		}
		reserve(t, awa, "10.0.0.1", time.Minute) // never more than a minute
	})
	t.Run("OtherAccountSameAddress", func(t *testing.T) {
		reserve(t, AccountKey("kofi@cnltp.ci"), "10.0.0.1", 0)
	})
	t.Run("TrustedBrowserCountedApart", func(t *testing.T) {
		reserve(t, DeviceKey("0123456789abcdef0123456789abcdef"), "10.0.0.1", 0)
	})
	t.Run("SuccessClearsTheAccount", func(t *testing.T) {
		if err := l.Succeeded(ctx, SignInLimits, awa, "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		for range 4 {
			reserve(t, awa, "10.0.0.1", 0)
		}
	})
	t.Run("ErrAddressOverLimit", func(t *testing.T) {
		ip := "10.0.0.4"
		for i := range 20 {
			account := AccountKey(string(rune('a'+i)) + "@cnltp.ci")
			reserve(t, account, ip, 0)
			if i%2 == 0 { // a success gives its attempt back
				if err := l.Succeeded(ctx, SignInLimits, account, ip); err != nil {
					t.Fatal(err)
				}
				reserve(t, account, ip, 0)
			}
		}
		reserve(t, AccountKey("new@cnltp.ci"), ip, limitWindow)
		reserve(t, AccountKey("new@cnltp.ci"), "10.0.0.5", 0)
	})
	t.Run("ErrWaitingAccountCostsTheAddressNothing", func(t *testing.T) {
		ip := "10.0.0.6"
		for range 4 {
			reserve(t, AccountKey("yao@cnltp.ci"), ip, 0)
		}
		for range 30 {
			reserve(t, AccountKey("yao@cnltp.ci"), ip, time.Second)
		}
		for i := range 16 { // 4 + 16: the address's 20
			reserve(t, AccountKey(string(rune('a'+i))+"@autre.ci"), ip, 0)
		}
		reserve(t, AccountKey("new@autre.ci"), ip, limitWindow)
	})
	t.Run("Sweep", func(t *testing.T) {
		now = now.Add(limitWindow)
		reserve(t, AccountKey("late@cnltp.ci"), "10.0.0.9", 0)
		var rows int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM sign_in_attempts`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != 2 {
			t.Errorf("%d counts kept after every other one was forgotten, want 2", rows)
		}
	})
}

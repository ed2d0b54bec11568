package postgres_test

import (
	"context"
	"testing"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

// TestLinkEpoch: the store moves a user's link epoch on every change of
// role, unit, activation or password, so that the one-click links made
// before stop working; other changes, and refused ones, leave it.
func TestLinkEpoch(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t, "cnltp")
	other, err := f.db.CreateUnit(ctx, f.actor, ptacycle.Unit{Name: "Direction des affaires sociales", Kind: ptacycle.UnitDirectorate})
	if err != nil {
		t.Fatal(err)
	}
	epoch := func(t *testing.T) int32 {
		t.Helper()
		u, err := f.db.User(ctx, f.org.ID, f.owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		return u.LinkEpoch
	}
	change := func(t *testing.T, edit func(*postgres.UserChange)) (ptacycle.User, error) {
		t.Helper()
		u, err := f.db.User(ctx, f.org.ID, f.owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		ch := postgres.UserChange{FullName: u.FullName, Role: u.Role, UnitID: u.UnitID, Language: u.Language, Active: u.Active}
		edit(&ch)
		return f.db.UpdateUser(ctx, f.actor, f.owner.ID, ch)
	}
	if f.owner.LinkEpoch != 0 || epoch(t) != 0 {
		t.Fatalf("a new user's epoch is %d (%d stored), want 0", f.owner.LinkEpoch, epoch(t))
	}
	newHash, _ := ptacycle.HashPassword("nouveau-mot-de-passe")
	for _, tt := range []struct {
		name  string
		apply func(t *testing.T) error
	}{
		{"Role", func(t *testing.T) error {
			_, err := change(t, func(ch *postgres.UserChange) { ch.Role = ptacycle.RolePartner })
			return err
		}},
		{"RoleBack", func(t *testing.T) error {
			_, err := change(t, func(ch *postgres.UserChange) { ch.Role = ptacycle.RoleOwner })
			return err
		}},
		{"Unit", func(t *testing.T) error {
			_, err := change(t, func(ch *postgres.UserChange) { ch.UnitID = &other.ID })
			return err
		}},
		{"Deactivated", func(t *testing.T) error {
			_, err := change(t, func(ch *postgres.UserChange) { ch.Active = false })
			return err
		}},
		{"Reactivated", func(t *testing.T) error {
			_, err := change(t, func(ch *postgres.UserChange) { ch.Active = true })
			return err
		}},
		{"PasswordChanged", func(*testing.T) error { return f.db.SetPassword(ctx, f.actor, f.owner.ID, newHash) }},
		{"PasswordReset", func(*testing.T) error {
			_, err := f.db.ResetPassword(ctx, f.actor, f.owner.ID, testHash)
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			was := epoch(t)
			if err := tt.apply(t); err != nil {
				t.Fatal(err)
			}
			if now := epoch(t); now != was+1 {
				t.Errorf("epoch %d → %d, want %d", was, now, was+1)
			}
		})
	}
	t.Run("UpdateUserAnswersTheNewEpoch", func(t *testing.T) {
		u, err := change(t, func(ch *postgres.UserChange) { ch.UnitID = &f.unit.ID })
		if err != nil || u.LinkEpoch != epoch(t) {
			t.Errorf("UpdateUser = epoch %d, %v; stored %d", u.LinkEpoch, err, epoch(t))
		}
	})
	for _, tt := range []struct {
		name  string
		apply func(t *testing.T) error
	}{
		{"NameAndLanguageKeepIt", func(t *testing.T) error {
			_, err := change(t, func(ch *postgres.UserChange) { ch.FullName, ch.Language = "Responsable renommé", "en" })
			return err
		}},
		{"PreferencesKeepIt", func(*testing.T) error {
			_, err := f.db.SetPreferences(ctx, ptacycle.UserActor(f.owner), f.owner.ID, ptacycle.Preferences{NotifyChannel: ptacycle.ChannelInApp}, "fr")
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			was := epoch(t)
			if err := tt.apply(t); err != nil {
				t.Fatal(err)
			}
			if now := epoch(t); now != was {
				t.Errorf("epoch %d → %d, want it kept", was, now)
			}
		})
	}
	t.Run("ErrRefusedChangeKeepsIt", func(t *testing.T) {
		was := epoch(t)
		_, err := change(t, func(ch *postgres.UserChange) { ch.UnitID = nil })
		wantCode(t, err, ptacycle.EINVALID)
		if now := epoch(t); now != was {
			t.Errorf("epoch %d → %d after a refused change", was, now)
		}
	})
}

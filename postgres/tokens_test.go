package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

func TestTokens(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t, "jetons")
	coordinator := ptacycle.UserActor(f.coordinator)

	token, secret, err := f.db.CreateToken(ctx, coordinator, "  Export nocturne ")
	must(t, err)
	t.Run("Create", func(t *testing.T) {
		if !strings.HasPrefix(secret, "ptc_") || len(secret) != len("ptc_")+43 {
			t.Errorf("secret = %q, want ptc_ and 32 random bytes in base64url", secret)
		}
		if token.Name != "Export nocturne" || token.UserID != f.coordinator.ID || token.Prefix != secret[:12] || token.CreatedAt.IsZero() {
			t.Errorf("token = %+v", token)
		}
		var stored int
		must(t, f.db.Pool.QueryRow(ctx, `SELECT count(*) FROM api_tokens WHERE hash = $1 OR prefix = $1 OR name = $1`, secret).Scan(&stored))
		if stored != 0 {
			t.Error("the secret is stored in clear")
		}
		entries, err := f.db.Audit(ctx, f.org.ID, postgres.AuditFilter{Entity: "api_token"})
		must(t, err)
		if len(entries) != 1 || entries[0].Action != "create" || *entries[0].ActorID != f.coordinator.ID || strings.Contains(string(entries[0].After), secret[12:]) {
			t.Errorf("audit = %+v", entries)
		}
	})
	t.Run("ErrInvalidName", func(t *testing.T) {
		for _, name := range []string{" ", strings.Repeat("é", 101)} {
			_, _, err := f.db.CreateToken(ctx, coordinator, name)
			wantCode(t, err, ptacycle.EINVALID)
			if e := err.(*ptacycle.Error); len(e.Fields) != 1 || e.Fields[0].Field != "name" {
				t.Errorf("name %q: fields = %+v", name, e.Fields)
			}
		}
	})
	t.Run("ErrSystemActor", func(t *testing.T) {
		_, _, err := f.db.CreateToken(ctx, f.actor, "workflow")
		wantCode(t, err, ptacycle.EFORBIDDEN)
	})

	t.Run("UserByToken", func(t *testing.T) {
		u, err := f.db.UserByToken(ctx, secret)
		must(t, err)
		if u != f.coordinator {
			t.Errorf("user = %+v, want %+v", u, f.coordinator)
		}
	})
	t.Run("LastUsedAtOncePerMinute", func(t *testing.T) {
		lastUsed := func() string {
			var at string
			must(t, f.db.Pool.QueryRow(ctx, `SELECT coalesce(last_used_at::text, '') FROM api_tokens WHERE id = $1`, token.ID).Scan(&at))
			return at
		}
		first := lastUsed()
		if first == "" {
			t.Fatal("last_used_at not set by a use")
		}
		_, err := f.db.UserByToken(ctx, secret)
		must(t, err)
		if again := lastUsed(); again != first {
			t.Errorf("last_used_at rewritten within a minute: %s then %s", first, again)
		}
		_, err = f.db.Pool.Exec(ctx, `UPDATE api_tokens SET last_used_at = last_used_at - interval '2 minutes' WHERE id = $1`, token.ID)
		must(t, err)
		_, err = f.db.UserByToken(ctx, secret)
		must(t, err)
		if later := lastUsed(); later <= first {
			t.Errorf("last_used_at = %s after a use two minutes later, want after %s", later, first)
		}
	})
	t.Run("ErrUnknownSecret", func(t *testing.T) {
		for _, s := range []string{"", "ptc_", secret + "x", strings.TrimPrefix(secret, "ptc_"), token.Prefix} {
			_, err := f.db.UserByToken(ctx, s)
			wantCode(t, err, ptacycle.EUNAUTHORIZED)
		}
	})
	t.Run("ErrInactiveUser", func(t *testing.T) {
		owner := ptacycle.UserActor(f.owner)
		_, ownerSecret, err := f.db.CreateToken(ctx, owner, "script")
		must(t, err)
		_, err = f.db.UpdateUser(ctx, f.actor, f.owner.ID, postgres.UserChange{FullName: f.owner.FullName, Role: f.owner.Role, UnitID: f.owner.UnitID, Language: "fr", Active: false})
		must(t, err)
		_, err = f.db.UserByToken(ctx, ownerSecret)
		wantCode(t, err, ptacycle.EUNAUTHORIZED)
	})

	t.Run("List", func(t *testing.T) {
		second, _, err := f.db.CreateToken(ctx, coordinator, "CI")
		must(t, err)
		tokens, err := f.db.Tokens(ctx, f.org.ID, f.coordinator.ID)
		must(t, err)
		if len(tokens) != 2 || tokens[0].ID != second.ID || tokens[1].ID != token.ID || tokens[1].LastUsedAt == nil {
			t.Errorf("tokens = %+v, want the two, newest first", tokens)
		}
		other := mustFixture(t, "autre-comite", f.db)
		none, err := f.db.Tokens(ctx, other.org.ID, other.coordinator.ID)
		if err != nil || none == nil || len(none) != 0 {
			t.Errorf("tokens of a user without any = %#v, %v; want an empty list", none, err)
		}
	})
	t.Run("ErrRevokeSomeoneElsesToken", func(t *testing.T) {
		wantCode(t, f.db.RevokeToken(ctx, ptacycle.UserActor(f.owner), token.ID), ptacycle.ENOTFOUND)
		wantCode(t, f.db.RevokeToken(ctx, f.actor, token.ID), ptacycle.ENOTFOUND)
		wantCode(t, f.db.RevokeToken(ctx, coordinator, token.ID+1000), ptacycle.ENOTFOUND)
		_, err := f.db.UserByToken(ctx, secret)
		must(t, err)
	})
	t.Run("Revoke", func(t *testing.T) {
		must(t, f.db.RevokeToken(ctx, coordinator, token.ID))
		_, err := f.db.UserByToken(ctx, secret)
		wantCode(t, err, ptacycle.EUNAUTHORIZED)
		tokens, err := f.db.Tokens(ctx, f.org.ID, f.coordinator.ID)
		must(t, err)
		if tokens[1].ID != token.ID || tokens[1].RevokedAt == nil || tokens[0].RevokedAt != nil {
			t.Errorf("tokens after revoking = %+v", tokens)
		}
		must(t, f.db.RevokeToken(ctx, coordinator, token.ID))
		if n := auditCount(t, f, "api_token", token.ID, "revoke"); n != 1 {
			t.Errorf("%d revoke audit entries after revoking twice, want 1", n)
		}
	})
}

func TestTokenConstraints(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t, "contraintes-jetons")
	other := mustFixture(t, "autre-org", f.db)
	insert := func(org, user int64, name, hash string) error {
		_, err := f.db.Pool.Exec(ctx, `INSERT INTO api_tokens (organisation_id, user_id, name, prefix, hash) VALUES ($1, $2, $3, 'ptc_x', $4)`,
			org, user, name, hash)
		return err
	}
	hash := strings.Repeat("a", 64)
	must(t, insert(f.org.ID, f.coordinator.ID, "ok", hash))
	for name, err := range map[string]error{
		"ErrOtherOrganisationsUser": insert(f.org.ID, other.coordinator.ID, "x", strings.Repeat("b", 64)),
		"ErrDuplicateHash":          insert(f.org.ID, f.coordinator.ID, "x", hash),
		"ErrBlankName":              insert(f.org.ID, f.coordinator.ID, " ", strings.Repeat("c", 64)),
		"ErrLongName":               insert(f.org.ID, f.coordinator.ID, strings.Repeat("n", 101), strings.Repeat("d", 64)),
		"ErrNotAHash":               insert(f.org.ID, f.coordinator.ID, "x", "ptc_secret-in-clear"),
	} {
		if err == nil {
			t.Errorf("%s: row accepted", name)
		}
	}
}

package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/ptacycle/ptacycle"
)

const (
	// tokenPrefix starts every API token secret, so that a leaked one is recognisable (e.g. by secret scanners).
	tokenPrefix = "ptc_"
	// tokenShownChars is how much of a secret is kept in clear, to recognise it in a list.
	tokenShownChars = len(tokenPrefix) + 8
	maxTokenName    = 100
)

const tokenColumns = `id, user_id, name, prefix, created_at, last_used_at, revoked_at`

func scanToken(r pgx.Row) (ptacycle.APIToken, error) {
	var t ptacycle.APIToken
	err := r.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt)
	return t, err
}

// hashToken is the stored form of a secret: SHA-256 suffices for 256 random bits (see the migration).
func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateToken makes a personal API token for the actor and returns it with
// its secret, which is stored only as a hash and cannot be shown again.
// EINVALID (name), EFORBIDDEN (the actor is not a user).
func (db *DB) CreateToken(ctx context.Context, actor ptacycle.Actor, name string) (ptacycle.APIToken, string, error) {
	if actor.UserID == nil {
		return ptacycle.APIToken{}, "", ptacycle.Errorf(ptacycle.EFORBIDDEN, "Seul un utilisateur peut créer un jeton d'API", "Only a user can create an API token")
	}
	name = strings.TrimSpace(name)
	var v ptacycle.Validation
	v.Require("name", name, "Nom du jeton", "Token name")
	if utf8.RuneCountInString(name) > maxTokenName {
		v.Add("name", "Nom du jeton : au plus %d caractères", "Token name: at most %d characters", maxTokenName)
	}
	if err := v.Err(); err != nil {
		return ptacycle.APIToken{}, "", err
	}
	random := make([]byte, 32)
	if _, err := rand.Read(random); err != nil {
		return ptacycle.APIToken{}, "", err
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(random)
	t := ptacycle.APIToken{UserID: *actor.UserID, Name: name, Prefix: secret[:tokenShownChars]}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `
			INSERT INTO api_tokens (organisation_id, user_id, name, prefix, hash)
			VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at`,
			actor.OrganisationID, t.UserID, t.Name, t.Prefix, hashToken(secret)).Scan(&t.ID, &t.CreatedAt); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "create", "api_token", t.ID, nil, t)
	})
	if err != nil {
		return ptacycle.APIToken{}, "", err
	}
	return t, secret, nil
}

// Tokens lists a user's API tokens, revoked ones included, newest first; never their secrets.
func (db *DB) Tokens(ctx context.Context, org, userID int64) ([]ptacycle.APIToken, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens
		WHERE organisation_id = $1 AND user_id = $2 ORDER BY id DESC`, org, userID)
	if err != nil {
		return nil, mapError(err)
	}
	tokens, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ptacycle.APIToken, error) { return scanToken(r) })
	return tokens, mapError(err)
}

// RevokeToken revokes one of the actor's own tokens; revoking it again
// changes nothing. ENOTFOUND (no such token of the actor's).
func (db *DB) RevokeToken(ctx context.Context, actor ptacycle.Actor, id int64) error {
	notFound := ptacycle.Errorf(ptacycle.ENOTFOUND, "Jeton d'API introuvable", "No such API token")
	if actor.UserID == nil {
		return notFound
	}
	return db.tx(ctx, func(tx pgx.Tx) error {
		before, err := scanToken(tx.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens
			WHERE organisation_id = $1 AND user_id = $2 AND id = $3 FOR UPDATE`, actor.OrganisationID, *actor.UserID, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound
		}
		if err != nil || before.RevokedAt != nil {
			return err
		}
		after := before
		if err := tx.QueryRow(ctx, `UPDATE api_tokens SET revoked_at = now() WHERE id = $1 RETURNING revoked_at`, id).
			Scan(&after.RevokedAt); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "revoke", "api_token", id, before, after)
	})
}

// UserByToken returns the active user owning the unrevoked token secret, and
// notes the token's use (at most once a minute). EUNAUTHORIZED.
func (db *DB) UserByToken(ctx context.Context, secret string) (ptacycle.User, error) {
	unauthorized := ptacycle.Errorf(ptacycle.EUNAUTHORIZED, "Jeton d'API inconnu ou révoqué, ou compte désactivé",
		"Unknown or revoked API token, or deactivated account")
	if !strings.HasPrefix(secret, tokenPrefix) {
		return ptacycle.User{}, unauthorized
	}
	var tokenID int64
	var usedRecently bool
	u, err := scanUser(db.Pool.QueryRow(ctx, `
		WITH token AS (
			SELECT id AS token_id, organisation_id AS token_org, user_id AS token_user, last_used_at AS token_last_used
			FROM api_tokens WHERE hash = $1 AND revoked_at IS NULL)
		SELECT `+userColumns+`, token_id, coalesce(token_last_used > now() - interval '1 minute', false)
		FROM users JOIN token ON organisation_id = token_org AND id = token_user
		WHERE active`, hashToken(secret)), &tokenID, &usedRecently)
	if ptacycle.ErrorCode(err) == ptacycle.ENOTFOUND {
		return ptacycle.User{}, unauthorized
	}
	if err != nil {
		return ptacycle.User{}, err
	}
	// The last use is written at most once a minute, not on every request of a
	// script; it is not audited: using a token changes no data.
	if !usedRecently {
		if _, err := db.Pool.Exec(ctx, `UPDATE api_tokens SET last_used_at = now()
			WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= now() - interval '1 minute')`, tokenID); err != nil {
			return ptacycle.User{}, mapError(err)
		}
	}
	return u, nil
}

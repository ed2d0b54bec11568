package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ptacycle/ptacycle"
)

const userColumns = `id, organisation_id, email, full_name, role, unit_id, language, active,
	notify_channel, phone, digest, quiet_from, quiet_to, link_epoch`

func scanUser(r pgx.Row, extra ...any) (ptacycle.User, error) {
	var u ptacycle.User
	p := &u.Preferences
	err := r.Scan(append([]any{&u.ID, &u.OrganisationID, &u.Email, &u.FullName, &u.Role, &u.UnitID, &u.Language, &u.Active,
		&p.NotifyChannel, &p.Phone, &p.Digest, &p.QuietFrom, &p.QuietTo, &u.LinkEpoch}, extra...)...)
	return u, mapError(err)
}

// CreateUser stores u with its password hash (from ptacycle.HashPassword). EINVALID, ECONFLICT (e-mail taken).
func (db *DB) CreateUser(ctx context.Context, actor ptacycle.Actor, u ptacycle.User, passwordHash string) (ptacycle.User, error) {
	u.OrganisationID = actor.OrganisationID
	u.Email = strings.TrimSpace(u.Email)
	if u.Language == "" {
		u.Language = "fr"
	}
	u.Active = true
	if u.NotifyChannel == "" {
		u.NotifyChannel = ptacycle.ChannelEmail
	}
	if err := u.Validate(); err != nil {
		return u, err
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `
			INSERT INTO users (organisation_id, email, full_name, role, unit_id, password_hash, language, notify_channel, phone, digest, quiet_from, quiet_to)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			u.OrganisationID, u.Email, u.FullName, u.Role, u.UnitID, passwordHash, u.Language,
			u.NotifyChannel, u.Phone, u.Digest, u.QuietFrom, u.QuietTo).Scan(&u.ID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "create", "user", u.ID, nil, u)
	})
	return u, err
}

// User returns a user of organisation org. ENOTFOUND.
func (db *DB) User(ctx context.Context, org, id int64) (ptacycle.User, error) {
	return scanUser(db.Pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE organisation_id = $1 AND id = $2`, org, id))
}

// UserByEmail returns the user signing in with email (any case) and their password hash. ENOTFOUND.
func (db *DB) UserByEmail(ctx context.Context, email string) (ptacycle.User, string, error) {
	var hash string
	u, err := scanUser(db.Pool.QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE lower(email) = lower($1)`,
		strings.TrimSpace(email)), &hash)
	return u, hash, err
}

// Users lists the organisation's users by name; role "" lists every role.
func (db *DB) Users(ctx context.Context, org int64, role ptacycle.Role) ([]ptacycle.User, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT `+userColumns+` FROM users
		WHERE organisation_id = $1 AND ($2 = '' OR role = $2)
		ORDER BY full_name, id`, org, string(role))
	if err != nil {
		return nil, mapError(err)
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ptacycle.User, error) { return scanUser(r) })
	return users, mapError(err)
}

// SetPassword replaces a user's password hash, and ends their one-click links. ENOTFOUND.
func (db *DB) SetPassword(ctx context.Context, actor ptacycle.Actor, userID int64, passwordHash string) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET password_hash = $3, link_epoch = link_epoch + 1 WHERE organisation_id = $1 AND id = $2`,
			actor.OrganisationID, userID, passwordHash)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		return audit(ctx, tx, actor, "set_password", "user", userID, nil, nil)
	})
}

// ResetPassword replaces a user's password hash, as a reset link does, ends
// their one-click links and revokes every API token of the account in the
// same transaction: whoever held the old password may have made one. ENOTFOUND.
func (db *DB) ResetPassword(ctx context.Context, actor ptacycle.Actor, userID int64, passwordHash string) (revoked int, err error) {
	err = db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET password_hash = $3, link_epoch = link_epoch + 1 WHERE organisation_id = $1 AND id = $2`,
			actor.OrganisationID, userID, passwordHash)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		if tag, err = tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = now()
			WHERE organisation_id = $1 AND user_id = $2 AND revoked_at IS NULL`, actor.OrganisationID, userID); err != nil {
			return err
		}
		revoked = int(tag.RowsAffected())
		return audit(ctx, tx, actor, "reset_password", "user", userID, nil, map[string]int{"revokedTokens": revoked})
	})
	return revoked, mapError(err)
}

// UserChange is what an administrator may change of a user.
type UserChange struct {
	FullName string
	Role     ptacycle.Role
	UnitID   *int64
	Language string
	Active   bool
}

// UpdateUser changes a user of the actor's organisation; a change of role,
// unit or activation ends their one-click links. EINVALID, ENOTFOUND.
func (db *DB) UpdateUser(ctx context.Context, actor ptacycle.Actor, id int64, ch UserChange) (ptacycle.User, error) {
	var after ptacycle.User
	err := db.tx(ctx, func(tx pgx.Tx) error {
		before, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE organisation_id = $1 AND id = $2 FOR UPDATE`, actor.OrganisationID, id))
		if err != nil {
			return err
		}
		after = before
		after.FullName, after.Role, after.UnitID, after.Language, after.Active = ch.FullName, ch.Role, ch.UnitID, ch.Language, ch.Active
		if err := after.Validate(); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `UPDATE users SET full_name = $3, role = $4, unit_id = $5, language = $6, active = $7,
				link_epoch = link_epoch + CASE WHEN (role, unit_id, active) IS DISTINCT FROM ($4, $5, $7) THEN 1 ELSE 0 END
			WHERE organisation_id = $1 AND id = $2 RETURNING link_epoch`,
			actor.OrganisationID, id, after.FullName, after.Role, after.UnitID, after.Language, after.Active).Scan(&after.LinkEpoch); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "update", "user", id, before, after)
	})
	return after, err
}

// SetPreferences records how a user wants to be reminded. EINVALID, ENOTFOUND.
func (db *DB) SetPreferences(ctx context.Context, actor ptacycle.Actor, userID int64, p ptacycle.Preferences, language string) (ptacycle.User, error) {
	if err := p.Validate(); err != nil {
		return ptacycle.User{}, err
	}
	if language != "fr" && language != "en" {
		return ptacycle.User{}, ptacycle.Errorf(ptacycle.EINVALID, "Langue %q non prise en charge (fr ou en)", "Unsupported language %q (fr or en)", language)
	}
	var after ptacycle.User
	err := db.tx(ctx, func(tx pgx.Tx) error {
		before, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE organisation_id = $1 AND id = $2 FOR UPDATE`, actor.OrganisationID, userID))
		if err != nil {
			return err
		}
		if after, err = scanUser(tx.QueryRow(ctx, `UPDATE users SET notify_channel = $3, phone = $4, digest = $5, quiet_from = $6, quiet_to = $7, language = $8
			WHERE organisation_id = $1 AND id = $2 RETURNING `+userColumns,
			actor.OrganisationID, userID, p.NotifyChannel, p.Phone, p.Digest, p.QuietFrom, p.QuietTo, language)); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "preferences", "user", userID, before.Preferences, after.Preferences)
	})
	return after, err
}

// UserAndHash returns a user of any organisation, and their password hash,
// for a signed link that names them. ENOTFOUND.
func (db *DB) UserAndHash(ctx context.Context, id int64) (ptacycle.User, string, error) {
	var hash string
	u, err := scanUser(db.Pool.QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE id = $1`, id), &hash)
	return u, hash, err
}

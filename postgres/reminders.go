package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ptacycle/ptacycle"
)

const reminderColumns = `id, key, recipient_id, channel, kind, subject, body, activity_id, cycle_id, status, created_at, sent_at, read_at,
	address, body_html, attempts, last_error, next_attempt_at`

func scanReminder(r pgx.Row) (ptacycle.Reminder, error) {
	var x ptacycle.Reminder
	err := r.Scan(&x.ID, &x.Key, &x.RecipientID, &x.Channel, &x.Kind, &x.Subject, &x.Body, &x.ActivityID, &x.CycleID, &x.Status,
		&x.CreatedAt, &x.SentAt, &x.ReadAt, &x.Address, &x.BodyHTML, &x.Attempts, &x.LastError, &x.NextAttemptAt)
	return x, err
}

// CreateReminder records one reminder unless its key exists; it reports whether this call created it.
func (db *DB) CreateReminder(ctx context.Context, org int64, r ptacycle.Reminder) (bool, error) {
	n, err := db.CreateReminders(ctx, org, []ptacycle.Reminder{r})
	return n == 1, err
}

// CreateReminders records reminders in one transaction, skipping those whose
// key exists, so a retried decision to remind writes nothing twice. In-app
// reminders are delivered as they are written; the others wait in the outbox
// for the sender, not before NextAttemptAt. It returns how many were new.
func (db *DB) CreateReminders(ctx context.Context, org int64, rs []ptacycle.Reminder) (int, error) {
	created := 0
	err := db.tx(ctx, func(tx pgx.Tx) error {
		created = 0
		for _, r := range rs {
			status, sentAt := "pending", (*time.Time)(nil)
			if r.Channel == ptacycle.ChannelInApp {
				now := db.now()
				status, sentAt = "sent", &now
			}
			next := r.NextAttemptAt
			if next.IsZero() {
				next = db.now()
			}
			tag, err := tx.Exec(ctx, `
				INSERT INTO reminders (organisation_id, key, recipient_id, channel, kind, subject, body, body_html, address,
					activity_id, cycle_id, status, sent_at, next_attempt_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (key) DO NOTHING`,
				org, r.Key, r.RecipientID, r.Channel, r.Kind, r.Subject, r.Body, r.BodyHTML, r.Address, r.ActivityID, r.CycleID, status, sentAt, next)
			if err != nil {
				return err
			}
			created += int(tag.RowsAffected())
		}
		return nil
	})
	return created, err
}

// ClaimReminders takes up to limit reminders due for delivery, so that no
// other sender takes them (FOR UPDATE SKIP LOCKED), and marks them sending.
// Reminders left sending for longer than stale (a sender that died between
// delivering and recording it) are taken again: at most one duplicate per crash.
func (db *DB) ClaimReminders(ctx context.Context, limit int, stale time.Duration) ([]ptacycle.Reminder, error) {
	var claimed []ptacycle.Reminder
	err := db.tx(ctx, func(tx pgx.Tx) error {
		now := db.now()
		rows, err := tx.Query(ctx, `
			UPDATE reminders SET status = 'sending', claimed_at = $1, attempts = attempts + 1
			WHERE id IN (
				SELECT id FROM reminders
				WHERE (status = 'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND claimed_at < $2)
				ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
			RETURNING `+reminderColumns, now, now.Add(-stale), limit)
		if err != nil {
			return err
		}
		claimed, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ptacycle.Reminder, error) { return scanReminder(r) })
		return err
	})
	return claimed, mapError(err)
}

// MarkSent records that a claimed reminder was delivered.
func (db *DB) MarkSent(ctx context.Context, id int64) error {
	_, err := db.Pool.Exec(ctx, `UPDATE reminders SET status = 'sent', sent_at = $2, claimed_at = NULL, last_error = ''
		WHERE id = $1 AND status = 'sending'`, id, db.now())
	return mapError(err)
}

// MarkFailed records a failed delivery: retried at retryAt, or given up (failed) when retryAt is zero.
func (db *DB) MarkFailed(ctx context.Context, id int64, reason string, retryAt time.Time) error {
	status, next := "failed", db.now()
	if !retryAt.IsZero() {
		status, next = "pending", retryAt
	}
	_, err := db.Pool.Exec(ctx, `UPDATE reminders SET status = $2, next_attempt_at = $3, last_error = left($4, 500), claimed_at = NULL
		WHERE id = $1 AND status = 'sending'`, id, status, next, reason)
	return mapError(err)
}

// ReminderFilter narrows a list of reminders; zero fields do not filter.
type ReminderFilter struct {
	RecipientID int64
	UnreadOnly  bool
	ActivityID  int64
	CycleID     int64
	Kind        string
	Channel     ptacycle.Channel
	Status      string
	Limit       int
	BeforeID    int64 // for paging: reminders older than this one
}

// Reminders lists the organisation's reminders matching f, newest first.
func (db *DB) Reminders(ctx context.Context, org int64, f ReminderFilter) ([]ptacycle.Reminder, error) {
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT `+reminderColumns+` FROM reminders
		WHERE organisation_id = $1 AND ($2 = 0 OR recipient_id = $2) AND ($3 = 0 OR activity_id = $3)
		  AND ($4 = 0 OR cycle_id = $4) AND ($5 = '' OR kind = $5) AND (NOT $7 OR read_at IS NULL)
		  AND ($8 = '' OR channel = $8) AND ($9 = '' OR status = $9)
		  AND ($10 = 0 OR (created_at, id) < (SELECT created_at, id FROM reminders WHERE organisation_id = $1 AND id = $10))
		ORDER BY created_at DESC, id DESC LIMIT $6`,
		org, f.RecipientID, f.ActivityID, f.CycleID, f.Kind, limit, f.UnreadOnly, string(f.Channel), f.Status, f.BeforeID)
	if err != nil {
		return nil, mapError(err)
	}
	reminders, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ptacycle.Reminder, error) { return scanReminder(r) })
	return reminders, mapError(err)
}

// UnreadReminders counts a user's in-app reminders not yet read.
func (db *DB) UnreadReminders(ctx context.Context, org, userID int64) (int, error) {
	var n int
	err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM reminders WHERE organisation_id = $1 AND recipient_id = $2
		AND channel = 'in_app' AND read_at IS NULL`, org, userID).Scan(&n)
	return n, mapError(err)
}

// MarkReminderRead marks one of the user's reminders read; marking it again changes nothing. ENOTFOUND.
func (db *DB) MarkReminderRead(ctx context.Context, org, userID, id int64) error {
	tag, err := db.Pool.Exec(ctx, `UPDATE reminders SET read_at = COALESCE(read_at, now())
		WHERE organisation_id = $1 AND recipient_id = $2 AND id = $3`, org, userID, id)
	if err != nil {
		return mapError(err)
	}
	if tag.RowsAffected() == 0 {
		return ptacycle.Errorf(ptacycle.ENOTFOUND, "Relance introuvable", "No such reminder")
	}
	return nil
}

// Secret returns the deployment's secret called name, creating it from random bytes the first time.
func (db *DB) Secret(ctx context.Context, name string, random func() ([]byte, error)) ([]byte, error) {
	var value []byte
	err := db.Pool.QueryRow(ctx, `SELECT value FROM secrets WHERE name = $1`, name).Scan(&value)
	if err == nil {
		return value, nil
	}
	fresh, rerr := random()
	if rerr != nil {
		return nil, rerr
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, fresh); err != nil {
		return nil, mapError(err)
	}
	err = db.Pool.QueryRow(ctx, `SELECT value FROM secrets WHERE name = $1`, name).Scan(&value)
	return value, mapError(err)
}

// SetHoliday records (or renames) a public holiday of the actor's
// organisation; setting it again as it is changes nothing, not even the
// audit log. EINVALID.
func (db *DB) SetHoliday(ctx context.Context, actor ptacycle.Actor, day ptacycle.Date, name string) error {
	name = strings.TrimSpace(name)
	var v ptacycle.Validation
	v.Require("name", name, "Nom du jour férié", "Holiday name")
	v.MaxLen("name", name, 100, "Nom du jour férié", "Holiday name")
	if day.IsZero() {
		v.Add("day", "Date du jour férié manquante", "Holiday date missing")
	}
	if err := v.Err(); err != nil {
		return err
	}
	return db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO holidays (organisation_id, day, name) VALUES ($1, $2, $3)
			ON CONFLICT (organisation_id, day) DO UPDATE SET name = EXCLUDED.name WHERE holidays.name <> EXCLUDED.name`,
			actor.OrganisationID, day, name)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return audit(ctx, tx, actor, "holiday", "organisation", actor.OrganisationID, nil, map[string]any{"day": day, "name": name})
	})
}

// DeleteHoliday removes a public holiday of the actor's organisation. ENOTFOUND.
func (db *DB) DeleteHoliday(ctx context.Context, actor ptacycle.Actor, day ptacycle.Date) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		var name string
		err := tx.QueryRow(ctx, `DELETE FROM holidays WHERE organisation_id = $1 AND day = $2 RETURNING name`, actor.OrganisationID, day).Scan(&name)
		if errors.Is(err, pgx.ErrNoRows) {
			return ptacycle.Errorf(ptacycle.ENOTFOUND, "Aucun jour férié le %[1]s", "No holiday on %[2]s", day.French(), day.String())
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "holiday_removed", "organisation", actor.OrganisationID, map[string]any{"day": day, "name": name}, nil)
	})
}

// HolidayList lists the organisation's holidays between from and to (inclusive), with their names.
func (db *DB) HolidayList(ctx context.Context, org int64, from, to ptacycle.Date) ([]ptacycle.Holiday, error) {
	rows, err := db.Pool.Query(ctx, `SELECT day, name FROM holidays WHERE organisation_id = $1 AND day BETWEEN $2 AND $3 ORDER BY day`, org, from, to)
	if err != nil {
		return nil, mapError(err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ptacycle.Holiday])
	return list, mapError(err)
}

// Holidays lists the organisation's holidays between from and to (inclusive).
func (db *DB) Holidays(ctx context.Context, org int64, from, to ptacycle.Date) ([]ptacycle.Date, error) {
	rows, err := db.Pool.Query(ctx, `SELECT day FROM holidays WHERE organisation_id = $1 AND day BETWEEN $2 AND $3 ORDER BY day`, org, from, to)
	if err != nil {
		return nil, mapError(err)
	}
	days, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ptacycle.Date, error) {
		var d ptacycle.Date
		err := r.Scan(&d)
		return d, err
	})
	return days, mapError(err)
}

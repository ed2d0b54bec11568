package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/ptacycle/ptacycle"
)

// CreateReminder records a reminder unless one with its key exists; it reports
// whether this call created it. A retried activity therefore never records twice.
func (db *DB) CreateReminder(ctx context.Context, org int64, r ptacycle.Reminder) (bool, error) {
	tag, err := db.Pool.Exec(ctx, `
		INSERT INTO reminders (organisation_id, key, recipient_id, channel, kind, subject, body, activity_id, cycle_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (key) DO NOTHING`,
		org, r.Key, r.RecipientID, r.Channel, r.Kind, r.Subject, r.Body, r.ActivityID, r.CycleID)
	if err != nil {
		return false, mapError(err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReminderFilter narrows a list of reminders; zero fields do not filter.
type ReminderFilter struct {
	RecipientID int64
	UnreadOnly  bool
	ActivityID  int64
	CycleID     int64
	Kind        string
	Limit       int
}

// Reminders lists the organisation's reminders matching f, newest first.
func (db *DB) Reminders(ctx context.Context, org int64, f ReminderFilter) ([]ptacycle.Reminder, error) {
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT id, key, recipient_id, channel, kind, subject, body, activity_id, cycle_id, status, created_at, sent_at, read_at
		FROM reminders
		WHERE organisation_id = $1 AND ($2 = 0 OR recipient_id = $2) AND ($3 = 0 OR activity_id = $3)
		  AND ($4 = 0 OR cycle_id = $4) AND ($5 = '' OR kind = $5) AND (NOT $7 OR read_at IS NULL)
		ORDER BY created_at DESC, id DESC LIMIT $6`, org, f.RecipientID, f.ActivityID, f.CycleID, f.Kind, limit, f.UnreadOnly)
	if err != nil {
		return nil, mapError(err)
	}
	reminders, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ptacycle.Reminder])
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

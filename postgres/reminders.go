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
		  AND ($4 = 0 OR cycle_id = $4) AND ($5 = '' OR kind = $5)
		ORDER BY created_at DESC, id DESC LIMIT $6`, org, f.RecipientID, f.ActivityID, f.CycleID, f.Kind, limit)
	if err != nil {
		return nil, mapError(err)
	}
	reminders, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ptacycle.Reminder])
	return reminders, mapError(err)
}

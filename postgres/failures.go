package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/ptacycle/ptacycle"
)

// RecordProcessFailure records a side effect of a cycle that failed for good,
// with its audit entry, unless its key is recorded already; it reports
// whether this call recorded it.
func (db *DB) RecordProcessFailure(ctx context.Context, actor ptacycle.Actor, f ptacycle.ProcessFailure) (bool, error) {
	created := false
	err := db.tx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO process_failures (organisation_id, cycle_id, activity_id, key, operation, reminder_kind, error_code, error_detail)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (key) DO NOTHING
			RETURNING id`, actor.OrganisationID, f.CycleID, f.ActivityID, f.Key, f.Operation, f.ReminderKind, f.ErrorCode, f.ErrorDetail).Scan(&f.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		created = true
		entity, id := "organisation", any(actor.OrganisationID)
		if f.CycleID != nil {
			entity, id = "cycle", *f.CycleID
		}
		return audit(ctx, tx, actor, "process_failure", entity, id, nil, f)
	})
	return created, err
}

// ProcessFailures lists the organisation's most recent process failures, up to limit.
func (db *DB) ProcessFailures(ctx context.Context, org int64, limit int) ([]ptacycle.ProcessFailure, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT id, cycle_id, activity_id, key, operation, reminder_kind, error_code, error_detail, created_at
		FROM process_failures WHERE organisation_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, org, limit)
	if err != nil {
		return nil, mapError(err)
	}
	failures, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ptacycle.ProcessFailure, error) {
		var f ptacycle.ProcessFailure
		err := r.Scan(&f.ID, &f.CycleID, &f.ActivityID, &f.Key, &f.Operation, &f.ReminderKind, &f.ErrorCode, &f.ErrorDetail, &f.CreatedAt)
		return f, err
	})
	return failures, mapError(err)
}

package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ptacycle/ptacycle"
)

// audit appends one entry to the audit log inside tx; before and after are stored as JSON.
func audit(ctx context.Context, tx pgx.Tx, actor ptacycle.Actor, action, entity string, id any, before, after any) error {
	label := actor.Label
	if label == "" {
		label = "système"
	}
	var org *int64
	if actor.OrganisationID != 0 {
		org = &actor.OrganisationID
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO audit_log (organisation_id, actor_id, actor_label, action, entity, entity_id, before, after, request_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		org, actor.UserID, label, action, entity, fmt.Sprint(id), jsonOrNil(before), jsonOrNil(after), ptacycle.RequestID(ctx))
	return err
}

func jsonOrNil(v any) []byte {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return nil
	}
	return b
}

// RecordEvent writes an audit entry for a change that lives outside the
// database (a delegation kept by the workflow). An identical entry already
// there (a retried activity) is not written again.
func (db *DB) RecordEvent(ctx context.Context, actor ptacycle.Actor, action, entity string, id any, after any) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM audit_log WHERE organisation_id = $1 AND action = $2
			AND entity = $3 AND entity_id = $4 AND after IS NOT DISTINCT FROM $5::jsonb)`,
			actor.OrganisationID, action, entity, fmt.Sprint(id), jsonOrNil(after)).Scan(&exists); err != nil || exists {
			return err
		}
		return audit(ctx, tx, actor, action, entity, id, nil, after)
	})
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	Entity   string
	EntityID string
	ActorID  *int64
	Since    time.Time
	Limit    int
	BeforeID int64 // for paging: entries older than this id
}

// Audit returns the organisation's audit entries, newest first.
func (db *DB) Audit(ctx context.Context, org int64, f AuditFilter) ([]ptacycle.AuditEntry, error) {
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT id, organisation_id, at, actor_id, actor_label, action, entity, entity_id, before, after
		FROM audit_log
		WHERE organisation_id = $1
		  AND ($2 = '' OR entity = $2)
		  AND ($3 = '' OR entity_id = $3)
		  AND ($4::bigint IS NULL OR actor_id = $4)
		  AND ($5::timestamptz IS NULL OR at >= $5)
		  AND ($6 = 0 OR id < $6)
		ORDER BY id DESC
		LIMIT $7`,
		org, f.Entity, f.EntityID, f.ActorID, nullTime(f.Since), f.BeforeID, limit)
	if err != nil {
		return nil, mapError(err)
	}
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ptacycle.AuditEntry, error) {
		var e ptacycle.AuditEntry
		err := r.Scan(&e.ID, &e.OrganisationID, &e.At, &e.ActorID, &e.ActorLabel, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After)
		return e, err
	})
	return entries, mapError(err)
}

// auditNamesQuery reads, for each kind, the objects of organisation $1 among
// the ids given for that kind: the code people know them by (activities,
// actions, axes), their name, their year and number.
const auditNamesQuery = `
	SELECT 'user', id, '', full_name, 0, 0 FROM users WHERE organisation_id = $1 AND id = ANY($2)
	UNION ALL SELECT 'unit', id, '', name, 0, 0 FROM units WHERE organisation_id = $1 AND id = ANY($3)
	UNION ALL SELECT 'region', id, '', name, 0, 0 FROM regions WHERE organisation_id = $1 AND id = ANY($4)
	UNION ALL SELECT 'activity', id, code, title, 0, 0 FROM activities WHERE organisation_id = $1 AND id = ANY($5)
	UNION ALL SELECT 'action', id, code, title, 0, 0 FROM actions WHERE organisation_id = $1 AND id = ANY($6)
	UNION ALL SELECT 'plan', id, '', '', year, 0 FROM plans WHERE organisation_id = $1 AND id = ANY($7)
	UNION ALL SELECT 'plan_version', v.id, '', '', p.year, v.number FROM plan_versions v JOIN plans p ON p.id = v.plan_id
		WHERE p.organisation_id = $1 AND v.id = ANY($8)
	UNION ALL SELECT 'cycle', id, '', '', year, 0 FROM cycles WHERE organisation_id = $1 AND id = ANY($9)
	UNION ALL SELECT 'recommendation', r.id, '', r.text, c.year, r.position FROM recommendations r JOIN cycles c ON c.id = r.cycle_id
		WHERE r.organisation_id = $1 AND r.id = ANY($10)
	UNION ALL SELECT 'strategy', id, '', title, 0, 0 FROM strategies WHERE organisation_id = $1 AND id = ANY($11)
	UNION ALL SELECT 'axis', id, code, title, 0, 0 FROM axes WHERE organisation_id = $1 AND id = ANY($12)
	UNION ALL SELECT 'api_token', id, '', name, 0, 0 FROM api_tokens WHERE organisation_id = $1 AND id = ANY($13)
	UNION ALL SELECT 'organisation', id, '', name, 0, 0 FROM organisations WHERE id = $1 AND id = ANY($14)`

// auditNameKinds are the kinds auditNamesQuery reads, in the order of its parameters.
var auditNameKinds = []string{"user", "unit", "region", "activity", "action", "plan", "plan_version", "cycle",
	"recommendation", "strategy", "axis", "api_token", "organisation"}

// AuditNames are how people know the objects of organisation org that refs
// name, in one query; an object no longer there, or of a kind without a
// name, is left out.
func (db *DB) AuditNames(ctx context.Context, org int64, refs []ptacycle.AuditRef) (map[ptacycle.AuditRef]ptacycle.AuditName, error) {
	names := map[ptacycle.AuditRef]ptacycle.AuditName{}
	if len(refs) == 0 {
		return names, nil
	}
	ids := map[string][]int64{}
	for _, r := range refs {
		ids[r.Kind] = append(ids[r.Kind], r.ID)
	}
	args := []any{org}
	for _, kind := range auditNameKinds {
		args = append(args, ids[kind])
	}
	rows, err := db.Pool.Query(ctx, auditNamesQuery, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ptacycle.AuditRef
		var n ptacycle.AuditName
		if err := rows.Scan(&r.Kind, &r.ID, &n.Code, &n.Name, &n.Year, &n.Number); err != nil {
			return nil, mapError(err)
		}
		names[r] = n
	}
	return names, mapError(rows.Err())
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/ptacycle/ptacycle"
)

const planColumns = `id, cycle_id, organisation_id, year, status, current_version`

func scanPlan(r pgx.Row) (ptacycle.Plan, error) {
	var p ptacycle.Plan
	err := r.Scan(&p.ID, &p.CycleID, &p.OrganisationID, &p.Year, &p.Status, &p.CurrentVersion)
	return p, mapError(err)
}

// Plan returns the organisation's plan of year. ENOTFOUND.
func (db *DB) Plan(ctx context.Context, org int64, year int) (ptacycle.Plan, error) {
	return scanPlan(db.Pool.QueryRow(ctx, `SELECT `+planColumns+` FROM plans WHERE organisation_id = $1 AND year = $2`, org, year))
}

// PlanByID returns a plan of the organisation. ENOTFOUND.
func (db *DB) PlanByID(ctx context.Context, org, id int64) (ptacycle.Plan, error) {
	return scanPlan(db.Pool.QueryRow(ctx, `SELECT `+planColumns+` FROM plans WHERE organisation_id = $1 AND id = $2`, org, id))
}

// errPlanLocked is returned when a draft edit reaches a submitted or approved plan.
var errPlanLocked = ptacycle.Errorf(ptacycle.ECONFLICT,
	"Le PTA a été soumis : il ne peut plus être modifié tant qu'il n'est pas renvoyé pour correction",
	"The plan has been submitted: it cannot be edited unless it is sent back")

// lockDraft checks, inside tx, that the plan is still a draft and keeps it so until tx ends.
func lockDraft(ctx context.Context, tx pgx.Tx, org, planID int64) error {
	var status ptacycle.PlanStatus
	if err := tx.QueryRow(ctx, `SELECT status FROM plans WHERE organisation_id = $1 AND id = $2 FOR SHARE`, org, planID).Scan(&status); err != nil {
		return err
	}
	if status != ptacycle.PlanDraft {
		return errPlanLocked
	}
	return nil
}

const actionColumns = `id, plan_id, axis_id, code, title, position`

// CreateAction adds an action to a draft plan of the actor's organisation. EINVALID, ECONFLICT (code taken, plan locked).
func (db *DB) CreateAction(ctx context.Context, actor ptacycle.Actor, a ptacycle.Action) (ptacycle.Action, error) {
	if a.Position == 0 {
		a.Position = 1
	}
	if err := a.Validate(); err != nil {
		return a, err
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockDraft(ctx, tx, actor.OrganisationID, a.PlanID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `
			INSERT INTO actions (organisation_id, plan_id, axis_id, code, title, position) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			actor.OrganisationID, a.PlanID, a.AxisID, a.Code, a.Title, a.Position).Scan(&a.ID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "create", "action", a.ID, nil, a)
	})
	return a, err
}

// Actions lists a plan's actions by position and code.
func (db *DB) Actions(ctx context.Context, org, planID int64) ([]ptacycle.Action, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT `+actionColumns+` FROM actions WHERE organisation_id = $1 AND plan_id = $2 ORDER BY position, code`, org, planID)
	if err != nil {
		return nil, mapError(err)
	}
	actions, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ptacycle.Action])
	return actions, mapError(err)
}

package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ptacycle/ptacycle"
)

const cycleColumns = `id, organisation_id, year, stage, strategy_id, workflow_id, bilan_due, recommendations_due, submission_due, started_at, closed_at`

func scanCycle(r pgx.Row) (ptacycle.Cycle, error) {
	var c ptacycle.Cycle
	d := &c.Deadlines
	err := r.Scan(&c.ID, &c.OrganisationID, &c.Year, &c.Stage, &c.StrategyID, &c.WorkflowID,
		&d.Bilan, &d.Recommendations, &d.Submission, &c.StartedAt, &c.ClosedAt)
	return c, mapError(err)
}

// CreateCycle stores a cycle with its empty bilan (of year−1) and its empty draft plan.
// EINVALID, ECONFLICT (a cycle exists for that year).
func (db *DB) CreateCycle(ctx context.Context, actor ptacycle.Actor, c ptacycle.Cycle) (ptacycle.Cycle, error) {
	c.OrganisationID = actor.OrganisationID
	if c.Stage == "" {
		c.Stage = ptacycle.StageBilan
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		d := c.Deadlines
		if err := tx.QueryRow(ctx, `
			INSERT INTO cycles (organisation_id, year, stage, strategy_id, workflow_id, bilan_due, recommendations_due, submission_due)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, started_at`,
			c.OrganisationID, c.Year, c.Stage, c.StrategyID, c.WorkflowID, d.Bilan, d.Recommendations, d.Submission,
		).Scan(&c.ID, &c.StartedAt); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO bilans (cycle_id, reviewed_year) VALUES ($1, $2)`, c.ID, c.Year-1); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO plans (organisation_id, cycle_id, year) VALUES ($1, $2, $3)`, c.OrganisationID, c.ID, c.Year); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "create", "cycle", c.ID, nil, c)
	})
	return c, err
}

// Cycle returns the organisation's cycle of year. ENOTFOUND.
func (db *DB) Cycle(ctx context.Context, org int64, year int) (ptacycle.Cycle, error) {
	return scanCycle(db.Pool.QueryRow(ctx, `SELECT `+cycleColumns+` FROM cycles WHERE organisation_id = $1 AND year = $2`, org, year))
}

// CycleByWorkflowID returns the cycle driven by workflow id. ENOTFOUND.
func (db *DB) CycleByWorkflowID(ctx context.Context, id string) (ptacycle.Cycle, error) {
	return scanCycle(db.Pool.QueryRow(ctx, `SELECT `+cycleColumns+` FROM cycles WHERE workflow_id = $1`, id))
}

// CycleOfPlan returns the cycle a plan belongs to. ENOTFOUND.
func (db *DB) CycleOfPlan(ctx context.Context, org, planID int64) (ptacycle.Cycle, error) {
	return scanCycle(db.Pool.QueryRow(ctx, `SELECT `+cycleColumns+` FROM cycles WHERE organisation_id = $1
		AND id = (SELECT cycle_id FROM plans WHERE organisation_id = $1 AND id = $2)`, org, planID))
}

// Cycles lists the organisation's cycles, the latest year first.
func (db *DB) Cycles(ctx context.Context, org int64) ([]ptacycle.Cycle, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+cycleColumns+` FROM cycles WHERE organisation_id = $1 ORDER BY year DESC`, org)
	if err != nil {
		return nil, mapError(err)
	}
	cycles, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ptacycle.Cycle, error) { return scanCycle(r) })
	return cycles, mapError(err)
}

// SetStage records that a cycle reached stage; setting the stage it already has
// changes nothing and logs nothing, so a retried workflow activity is harmless.
// A closed cycle keeps its stage. ENOTFOUND, ECONFLICT (closed).
func (db *DB) SetStage(ctx context.Context, actor ptacycle.Actor, cycleID int64, stage ptacycle.Stage) error {
	if !stage.Valid() {
		return ptacycle.Errorf(ptacycle.EINVALID, "Étape %q inconnue", "Unknown stage %q", string(stage))
	}
	return db.tx(ctx, func(tx pgx.Tx) error {
		var before ptacycle.Stage
		if err := tx.QueryRow(ctx, `SELECT stage FROM cycles WHERE organisation_id = $1 AND id = $2 FOR UPDATE`,
			actor.OrganisationID, cycleID).Scan(&before); err != nil {
			return err
		}
		switch {
		case before == stage:
			return nil
		case before == ptacycle.StageClosed:
			return errClosedCycle
		}
		var closedAt *time.Time
		if stage == ptacycle.StageClosed {
			now := db.now()
			closedAt = &now
		}
		if _, err := tx.Exec(ctx, `UPDATE cycles SET stage = $2, closed_at = $3 WHERE id = $1`, cycleID, stage, closedAt); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "stage", "cycle", cycleID, map[string]any{"stage": before}, map[string]any{"stage": stage})
	})
}

// errClosedCycle refuses any change to the process of a year already closed:
// a closed year is never reopened, whichever workflow asks.
var errClosedCycle = ptacycle.Errorf(ptacycle.ECONFLICT, "Ce cycle est clôturé : son étape et son bilan ne changent plus",
	"This cycle is closed: its stage and its review no longer change")

// SetApprovalChain replaces the organisation's approval chain. EINVALID (an approver of another organisation, a gap).
func (db *DB) SetApprovalChain(ctx context.Context, actor ptacycle.Actor, levels []ptacycle.ApprovalLevel) error {
	if err := ptacycle.ValidateChain(levels); err != nil {
		return err
	}
	return db.tx(ctx, func(tx pgx.Tx) error {
		before, err := approvalChain(ctx, tx, actor.OrganisationID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM approval_levels WHERE organisation_id = $1`, actor.OrganisationID); err != nil {
			return err
		}
		for _, l := range levels {
			var role ptacycle.Role
			if err := tx.QueryRow(ctx, `SELECT role FROM users WHERE organisation_id = $1 AND id = $2`, actor.OrganisationID, l.ApproverID).Scan(&role); err != nil {
				return ptacycle.Errorf(ptacycle.EINVALID, "Niveau %d : valideur inconnu", "Level %d: unknown approver", l.Level)
			}
			if role != ptacycle.RoleApprover {
				return ptacycle.Errorf(ptacycle.EINVALID, "Niveau %d : l'utilisateur choisi n'a pas le rôle de valideur", "Level %d: the chosen user is not an approver", l.Level)
			}
			if _, err := tx.Exec(ctx, `
				INSERT INTO approval_levels (organisation_id, level, name, approver_id, deadline_days) VALUES ($1, $2, $3, $4, $5)`,
				actor.OrganisationID, l.Level, l.Name, l.ApproverID, l.DeadlineDays); err != nil {
				return err
			}
		}
		return audit(ctx, tx, actor, "update", "approval_chain", actor.OrganisationID, before, levels)
	})
}

// ApprovalChain returns the organisation's approval levels in order.
func (db *DB) ApprovalChain(ctx context.Context, org int64) ([]ptacycle.ApprovalLevel, error) {
	levels, err := approvalChain(ctx, db.Pool, org)
	return levels, mapError(err)
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func approvalChain(ctx context.Context, q querier, org int64) ([]ptacycle.ApprovalLevel, error) {
	rows, err := q.Query(ctx, `
		SELECT level, name, approver_id, deadline_days FROM approval_levels WHERE organisation_id = $1 ORDER BY level`, org)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[ptacycle.ApprovalLevel])
}

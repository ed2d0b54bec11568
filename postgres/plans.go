package postgres

import (
	"context"
	"encoding/json"
	"errors"

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

// PlanOfAction is the id of the plan action id belongs to. ENOTFOUND.
func (db *DB) PlanOfAction(ctx context.Context, org, id int64) (int64, error) {
	var planID int64
	err := db.Pool.QueryRow(ctx, `SELECT plan_id FROM actions WHERE organisation_id = $1 AND id = $2`, org, id).Scan(&planID)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ptacycle.Errorf(ptacycle.ENOTFOUND, "Action introuvable", "No such action")
	}
	return planID, mapError(err)
}

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

// VersionSnapshot returns the content frozen in version number of a plan. ENOTFOUND.
func (db *DB) VersionSnapshot(ctx context.Context, org, planID int64, number int) (ptacycle.PlanVersion, ptacycle.PlanSnapshot, error) {
	var v ptacycle.PlanVersion
	var content []byte
	err := db.Pool.QueryRow(ctx, `SELECT v.id, v.plan_id, v.number, v.content_hash, v.status, v.submitted_by, v.submitted_at, v.content
		FROM plan_versions v JOIN plans p ON p.id = v.plan_id WHERE p.organisation_id = $1 AND v.plan_id = $2 AND v.number = $3`,
		org, planID, number).Scan(&v.ID, &v.PlanID, &v.Number, &v.ContentHash, &v.Status, &v.SubmittedBy, &v.SubmittedAt, &content)
	if err != nil {
		return v, ptacycle.PlanSnapshot{}, mapError(err)
	}
	var s ptacycle.PlanSnapshot
	return v, s, json.Unmarshal(content, &s)
}

// CarryOver copies unfinished activities of the plan of the year before into
// the draft plan planID, under actions of the same code (created when
// missing), as new activities remembering where they came from. Activities
// already carried over are skipped. It returns the new activities.
// EINVALID (an activity that is not an unfinished one of last year's plan), ECONFLICT (plan locked).
func (db *DB) CarryOver(ctx context.Context, actor ptacycle.Actor, planID int64, activityIDs []int64) ([]ptacycle.Activity, error) {
	var created []ptacycle.Activity
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockDraft(ctx, tx, actor.OrganisationID, planID); err != nil {
			return err
		}
		var year int
		if err := tx.QueryRow(ctx, `SELECT year FROM plans WHERE id = $1`, planID).Scan(&year); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+activityColumns+`, ac.code, ac.title, ac.axis_id
			FROM activities a JOIN actions ac ON ac.id = a.action_id JOIN plans p ON p.id = a.plan_id
			WHERE a.organisation_id = $1 AND p.year = $2 AND a.id = ANY($3) AND a.status NOT IN ('done', 'cancelled')
			ORDER BY a.code`, actor.OrganisationID, year-1, activityIDs)
		if err != nil {
			return err
		}
		type source struct {
			act                  ptacycle.Activity
			actionCode, actTitle string
			axisID               *int64
		}
		sources, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (source, error) {
			var s source
			a := &s.act
			err := r.Scan(&a.ID, &a.PlanID, &a.ActionID, &a.Code, &a.Title, &a.Illustrative, &a.ResponsibleUnitID, &a.OwnerID,
				&a.PartnerUnitIDs, &a.RegionIDs, &a.StartDate, &a.DueDate, &a.BudgetXOF, &a.FundingSource, &a.Indicator,
				&a.Target, &a.Deliverable, &a.Status, &a.Progress, &a.Comment, &a.EvidenceURL, &a.PostponedTo,
				&a.CarriedOverFrom, &a.Version, &a.UpdatedAt, &s.actionCode, &s.actTitle, &s.axisID)
			return s, err
		})
		if err != nil {
			return err
		}
		if len(sources) != len(activityIDs) {
			return ptacycle.Errorf(ptacycle.EINVALID, "Seules les activités inachevées du PTA %d peuvent être reprises", "Only unfinished activities of the %d plan can be carried over", year-1)
		}
		for _, s := range sources {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM activities WHERE plan_id = $1 AND carried_over_from = $2)`, planID, s.act.ID).Scan(&exists); err != nil {
				return err
			}
			if exists {
				continue
			}
			var actionID int64
			err := tx.QueryRow(ctx, `SELECT id FROM actions WHERE plan_id = $1 AND code = $2`, planID, s.actionCode).Scan(&actionID)
			if errors.Is(err, pgx.ErrNoRows) {
				err = tx.QueryRow(ctx, `INSERT INTO actions (organisation_id, plan_id, axis_id, code, title) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
					actor.OrganisationID, planID, s.axisID, s.actionCode, s.actTitle).Scan(&actionID)
			}
			if err != nil {
				return err
			}
			a := s.act
			from := a.ID
			a.PlanID, a.ActionID, a.CarriedOverFrom = planID, actionID, &from
			a.Status, a.Progress, a.Comment, a.EvidenceURL, a.PostponedTo = ptacycle.StatusNotStarted, 0, "", "", ptacycle.Date{}
			// Dates move to the new year when they fell in the old one.
			a.StartDate, a.DueDate = shiftYear(a.StartDate, year), shiftYear(a.DueDate, year)
			if err := tx.QueryRow(ctx, `
				INSERT INTO activities (organisation_id, plan_id, action_id, code, title, illustrative, responsible_unit_id, owner_id,
					start_date, due_date, budget_xof, funding_source, indicator, target, deliverable, carried_over_from)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
				RETURNING id, version, updated_at`,
				actor.OrganisationID, planID, actionID, carriedCode(ctx, tx, planID, a.Code), a.Title, a.Illustrative, a.ResponsibleUnitID, a.OwnerID,
				a.StartDate, a.DueDate, a.BudgetXOF, a.FundingSource, a.Indicator, a.Target, a.Deliverable, a.CarriedOverFrom,
			).Scan(&a.ID, &a.Version, &a.UpdatedAt); err != nil {
				return err
			}
			if err := setActivityLinks(ctx, tx, actor.OrganisationID, a); err != nil {
				return err
			}
			if err := audit(ctx, tx, actor, "carry_over", "activity", a.ID, map[string]any{"from": from}, a); err != nil {
				return err
			}
			created = append(created, a)
		}
		return nil
	})
	return created, err
}

// shiftYear moves d into year, keeping month and day (29 February becomes 28).
func shiftYear(d ptacycle.Date, year int) ptacycle.Date {
	if d.IsZero() || d.Year() == year {
		return d
	}
	t := d.Time()
	if t.Month() == 2 && t.Day() == 29 {
		return ptacycle.NewDate(year, 2, 28)
	}
	return ptacycle.NewDate(year, t.Month(), t.Day())
}

// carriedCode keeps an activity's code unless the plan already uses it, then suffixes "-r".
func carriedCode(ctx context.Context, tx pgx.Tx, planID int64, code string) string {
	for candidate := code; ; candidate += "-r" {
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM activities WHERE plan_id = $1 AND code = $2)`, planID, candidate).Scan(&taken); err != nil || !taken {
			return candidate
		}
	}
}

// UpdateAction changes an action of a draft plan. EINVALID, ENOTFOUND, ECONFLICT (code taken, plan locked).
func (db *DB) UpdateAction(ctx context.Context, actor ptacycle.Actor, a ptacycle.Action) (ptacycle.Action, error) {
	if err := a.Validate(); err != nil {
		return a, err
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var before ptacycle.Action
		if err := tx.QueryRow(ctx, `SELECT `+actionColumns+` FROM actions WHERE organisation_id = $1 AND id = $2 FOR UPDATE`,
			actor.OrganisationID, a.ID).Scan(&before.ID, &before.PlanID, &before.AxisID, &before.Code, &before.Title, &before.Position); err != nil {
			return err
		}
		if err := lockDraft(ctx, tx, actor.OrganisationID, before.PlanID); err != nil {
			return err
		}
		a.PlanID = before.PlanID
		if a.Position == 0 {
			a.Position = before.Position
		}
		if _, err := tx.Exec(ctx, `UPDATE actions SET axis_id = $2, code = $3, title = $4, position = $5 WHERE id = $1`,
			a.ID, a.AxisID, a.Code, a.Title, a.Position); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "update", "action", a.ID, before, a)
	})
	return a, err
}

// DeleteAction removes an action of a draft plan that has no activity left. ENOTFOUND, ECONFLICT.
func (db *DB) DeleteAction(ctx context.Context, actor ptacycle.Actor, id int64) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		var planID int64
		var n int
		if err := tx.QueryRow(ctx, `SELECT plan_id, (SELECT count(*) FROM activities WHERE action_id = actions.id)
			FROM actions WHERE organisation_id = $1 AND id = $2 FOR UPDATE`, actor.OrganisationID, id).Scan(&planID, &n); err != nil {
			return err
		}
		if err := lockDraft(ctx, tx, actor.OrganisationID, planID); err != nil {
			return err
		}
		if n > 0 {
			return ptacycle.Errorf(ptacycle.ECONFLICT, "L'action compte encore %d activité(s) : retirez-les d'abord", "The action still has %d activities: remove them first", n)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM actions WHERE id = $1`, id); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "delete", "action", id, map[string]any{"planId": planID}, nil)
	})
}

// ImportPlan adds an imported plan to a draft plan in one transaction:
// actions are created or, when their code exists, kept; activities are
// created under them. Any refusal (a code already taken, a unit of another
// organisation, the plan submitted meanwhile) writes nothing. It returns how
// many actions and activities were created. EINVALID, ECONFLICT.
func (db *DB) ImportPlan(ctx context.Context, actor ptacycle.Actor, planID int64, in ptacycle.PlanImport) (actions, activities int, err error) {
	err = db.tx(ctx, func(tx pgx.Tx) error {
		actions, activities = 0, 0
		if err := lockDraft(ctx, tx, actor.OrganisationID, planID); err != nil {
			return err
		}
		ids := map[string]int64{}
		rows, err := tx.Query(ctx, `SELECT code, id FROM actions WHERE plan_id = $1`, planID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var code string
			var id int64
			if err := rows.Scan(&code, &id); err != nil {
				return err
			}
			ids[code] = id
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, a := range in.Actions {
			if _, ok := ids[a.Code]; ok {
				continue
			}
			if a.Position == 0 {
				a.Position = 1
			}
			if err := a.Validate(); err != nil {
				return err
			}
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO actions (organisation_id, plan_id, axis_id, code, title, position) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
				actor.OrganisationID, planID, a.AxisID, a.Code, a.Title, a.Position).Scan(&id); err != nil {
				return err
			}
			ids[a.Code] = id
			actions++
		}
		for _, ia := range in.Activities {
			a := ia.Activity
			actionID, ok := ids[ia.ActionCode]
			if !ok {
				return ptacycle.Errorf(ptacycle.EINVALID, "Activité %s : action %q inconnue", "Activity %s: unknown action %q", a.Code, ia.ActionCode)
			}
			a.PlanID, a.ActionID = planID, actionID
			a.Status, a.Progress, a.PostponedTo = ptacycle.StatusNotStarted, 0, ptacycle.Date{}
			if err := a.Validate(); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `
				INSERT INTO activities (organisation_id, plan_id, action_id, code, title, illustrative, responsible_unit_id, owner_id,
					start_date, due_date, budget_xof, funding_source, indicator, target, deliverable)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
				actor.OrganisationID, planID, actionID, a.Code, a.Title, a.Illustrative, a.ResponsibleUnitID, a.OwnerID,
				a.StartDate, a.DueDate, a.BudgetXOF, a.FundingSource, a.Indicator, a.Target, a.Deliverable).Scan(&a.ID); err != nil {
				return err
			}
			if err := setActivityLinks(ctx, tx, actor.OrganisationID, a); err != nil {
				return err
			}
			activities++
		}
		return audit(ctx, tx, actor, "import", "plan", planID, nil, map[string]int{"actions": actions, "activities": activities})
	})
	return actions, activities, err
}

// PlanReference gathers what an import into the plan matches names against. ENOTFOUND.
func (db *DB) PlanReference(ctx context.Context, org, planID int64) (ptacycle.PlanReference, error) {
	plan, err := db.PlanByID(ctx, org, planID)
	if err != nil {
		return ptacycle.PlanReference{}, err
	}
	ref := ptacycle.PlanReference{Year: plan.Year}
	strategy, err := db.StrategyForYear(ctx, org, plan.Year)
	if err != nil && ptacycle.ErrorCode(err) != ptacycle.ENOTFOUND {
		return ref, err
	}
	ref.Axes = strategy.Axes
	if ref.Units, err = db.Units(ctx, org); err != nil {
		return ref, err
	}
	if ref.Regions, err = db.Regions(ctx, org); err != nil {
		return ref, err
	}
	rows, err := db.Pool.Query(ctx, `SELECT code FROM activities WHERE organisation_id = $1 AND plan_id = $2 ORDER BY code`, org, planID)
	if err != nil {
		return ref, err
	}
	ref.ExistingActivityCodes, err = pgx.CollectRows(rows, pgx.RowTo[string])
	return ref, err
}

package postgres

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/ptacycle/ptacycle"
)

// This file holds the writes the cycle workflow makes through its activities.
// Each one is idempotent: run again after a crash or a retry, it changes nothing more.

// EnsureCycle creates the cycle (with its empty bilan and draft plan) if it does
// not exist, and returns it. A cycle of that year driven by another workflow is ECONFLICT.
func (db *DB) EnsureCycle(ctx context.Context, actor ptacycle.Actor, c ptacycle.Cycle) (ptacycle.Cycle, error) {
	existing, err := db.Cycle(ctx, actor.OrganisationID, c.Year)
	switch {
	case err == nil && existing.WorkflowID == c.WorkflowID:
		return existing, nil
	case err == nil:
		return existing, ptacycle.Errorf(ptacycle.ECONFLICT, "Le cycle %d existe déjà (workflow %s)", "Cycle %d already exists (workflow %s)", c.Year, existing.WorkflowID)
	case ptacycle.ErrorCode(err) != ptacycle.ENOTFOUND:
		return existing, err
	}
	created, err := db.CreateCycle(ctx, actor, c)
	if ptacycle.ErrorCode(err) != ptacycle.ECONFLICT {
		return created, err
	}
	// Either a concurrent retry created the cycle meanwhile, or the workflow id is another cycle's.
	if _, lookup := db.Cycle(ctx, actor.OrganisationID, c.Year); ptacycle.ErrorCode(lookup) == ptacycle.ENOTFOUND {
		return created, ptacycle.Errorf(ptacycle.ECONFLICT, "Le workflow %s pilote déjà un autre cycle", "Workflow %s already drives another cycle", c.WorkflowID)
	}
	return db.EnsureCycle(ctx, actor, c)
}

// rateSource is each activity of plan $2 of organisation $1 with the names
// its execution is grouped by; the COALESCE labels name the groups of
// activities without axis, unit or named owner.
const rateSource = `
		SELECT a.id, a.status, a.progress, a.due_date,
		       COALESCE(ax.code || ' — ' || ax.title, 'Sans axe') AS axis,
		       COALESCE(u.name, 'Sans structure') AS unit,
		       COALESCE(o.full_name, 'Sans responsable nommé') AS owner
		FROM activities a
		JOIN actions ac ON ac.id = a.action_id
		LEFT JOIN axes ax ON ax.id = ac.axis_id
		LEFT JOIN units u ON u.id = a.responsible_unit_id
		LEFT JOIN users o ON o.id = a.owner_id
		WHERE a.organisation_id = $1 AND a.plan_id = $2`

// RateItems returns what the execution rate needs of each activity of a plan,
// with the names of its axis, unit, owner and regions.
func (db *DB) RateItems(ctx context.Context, org, planID int64) ([]ptacycle.RateItem, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT s.status, s.progress, s.axis, s.unit, s.owner,
		       COALESCE((SELECT array_agg(r.name ORDER BY r.name) FROM activity_regions ar JOIN regions r ON r.id = ar.region_id
		                 WHERE ar.activity_id = s.id), '{}')
		FROM (`+rateSource+`) s`, org, planID)
	if err != nil {
		return nil, mapError(err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ptacycle.RateItem, error) {
		var it ptacycle.RateItem
		err := r.Scan(&it.Status, &it.Progress, &it.Axis, &it.Unit, &it.Owner, &it.Regions)
		return it, err
	})
	return items, mapError(err)
}

// planRatesQuery aggregates a plan's execution in PostgreSQL, one row per
// group: overall, by axis, unit and owner (grouping sets), and by region (an
// activity counts in each of its regions, "National" when it names none);
// the overall row also counts the unfinished activities due before $3.
const planRatesQuery = `
	WITH s AS (` + rateSource + `),
	counted AS (
		SELECT s.*, (status <> 'cancelled')::int AS planned, (status = 'done')::int AS done, (status = 'cancelled')::int AS cancelled,
		       CASE status WHEN 'done' THEN 100 WHEN 'cancelled' THEN 0 ELSE least(greatest(progress, 0), 100) END AS progress_points,
		       (due_date < $3 AND status NOT IN ('done', 'cancelled'))::int AS overdue
		FROM s)
	SELECT CASE WHEN grouping(axis) = 0 THEN 'axis' WHEN grouping(unit) = 0 THEN 'unit' WHEN grouping(owner) = 0 THEN 'owner' ELSE '' END,
	       COALESCE(axis, unit, owner, ''), COALESCE(sum(planned), 0), COALESCE(sum(done), 0), COALESCE(sum(cancelled), 0),
	       COALESCE(sum(progress_points), 0), COALESCE(sum(overdue), 0)
	FROM counted GROUP BY GROUPING SETS ((axis), (unit), (owner), ())
	UNION ALL
	SELECT 'region', COALESCE(r.name, $4), sum(planned), sum(done), sum(cancelled), sum(progress_points), 0
	FROM counted c LEFT JOIN activity_regions ar ON ar.activity_id = c.id LEFT JOIN regions r ON r.id = ar.region_id
	GROUP BY COALESCE(r.name, $4)`

// PlanRates computes a plan's execution rate overall and by axis, unit,
// region and owner — the same figures as ComputeBreakdown over RateItems, in
// one query — and counts its unfinished activities due before overdueAsOf.
func (db *DB) PlanRates(ctx context.Context, org, planID int64, overdueAsOf ptacycle.Date) (ptacycle.RateBreakdown, int, error) {
	rows, err := db.Pool.Query(ctx, planRatesQuery, org, planID, overdueAsOf, ptacycle.NationalRegion)
	if err != nil {
		return ptacycle.RateBreakdown{}, 0, mapError(err)
	}
	defer rows.Close()
	b := ptacycle.NewBreakdownCounts()
	groups := map[string]map[string]*ptacycle.RateCounts{"axis": b.ByAxis, "unit": b.ByUnit, "owner": b.ByOwner, "region": b.ByRegion}
	overdue := 0
	for rows.Next() {
		var kind, key string
		var c ptacycle.RateCounts
		var late int
		if err := rows.Scan(&kind, &key, &c.Planned, &c.Done, &c.Cancelled, &c.ProgressSum, &late); err != nil {
			return ptacycle.RateBreakdown{}, 0, mapError(err)
		}
		if kind == "" {
			b.Overall, overdue = c, late
			continue
		}
		*ptacycle.Group(groups[kind], key) = c
	}
	if err := rows.Err(); err != nil {
		return ptacycle.RateBreakdown{}, 0, mapError(err)
	}
	return b.Breakdown(), overdue, nil
}

// StoreBilanRates records the computed execution rates of the year under
// review. ENOTFOUND, ECONFLICT (the cycle is closed).
func (db *DB) StoreBilanRates(ctx context.Context, actor ptacycle.Actor, cycleID int64, rates ptacycle.RateBreakdown) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		var stage ptacycle.Stage
		if err := tx.QueryRow(ctx, `SELECT stage FROM cycles WHERE organisation_id = $1 AND id = $2 FOR UPDATE`,
			actor.OrganisationID, cycleID).Scan(&stage); err != nil {
			return err
		}
		if stage == ptacycle.StageClosed {
			return errClosedCycle
		}
		tag, err := tx.Exec(ctx, `UPDATE bilans SET rates = $2 WHERE cycle_id = $1 AND rates IS DISTINCT FROM $2::jsonb`, cycleID, jsonOrNil(rates))
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return audit(ctx, tx, actor, "compute_rates", "bilan", cycleID, nil, rates.Overall)
	})
}

const bilanColumns = `b.cycle_id, b.reviewed_year, b.workshop_start, b.workshop_end, b.workshop_place, b.participants,
	b.lessons, b.difficulties, b.challenges, b.rates, b.manual_rate, b.closed_at, b.version`

func scanBilan(r pgx.Row) (ptacycle.Bilan, error) {
	var b ptacycle.Bilan
	var rates []byte
	err := r.Scan(&b.CycleID, &b.ReviewedYear, &b.WorkshopStart, &b.WorkshopEnd, &b.WorkshopPlace, &b.Participants,
		&b.Lessons, &b.Difficulties, &b.Challenges, &rates, &b.ManualRate, &b.ClosedAt, &b.Version)
	if err == nil && rates != nil {
		b.Rates = &ptacycle.RateBreakdown{}
		err = json.Unmarshal(rates, b.Rates)
	}
	return b, mapError(err)
}

// Bilan returns a cycle's bilan. ENOTFOUND.
func (db *DB) Bilan(ctx context.Context, org, cycleID int64) (ptacycle.Bilan, error) {
	return scanBilan(db.Pool.QueryRow(ctx, `SELECT `+bilanColumns+` FROM bilans b JOIN cycles c ON c.id = b.cycle_id
		WHERE c.organisation_id = $1 AND b.cycle_id = $2`, org, cycleID))
}

// UpdateBilan records the workshop, lessons, difficulties and challenges. b.Version
// must be the version the editor read. EINVALID, ENOTFOUND, ECONFLICT (stale, bilan closed).
func (db *DB) UpdateBilan(ctx context.Context, actor ptacycle.Actor, b ptacycle.Bilan) (ptacycle.Bilan, error) {
	if err := b.Validate(); err != nil {
		return b, err
	}
	var after ptacycle.Bilan
	err := db.tx(ctx, func(tx pgx.Tx) error {
		before, err := scanBilan(tx.QueryRow(ctx, `SELECT `+bilanColumns+` FROM bilans b JOIN cycles c ON c.id = b.cycle_id
			WHERE c.organisation_id = $1 AND b.cycle_id = $2 FOR UPDATE OF b`, actor.OrganisationID, b.CycleID))
		if err != nil {
			return err
		}
		if before.ClosedAt != nil {
			return ptacycle.Errorf(ptacycle.ECONFLICT, "Le bilan est clôturé : il ne peut plus être modifié", "The bilan is closed: it cannot be edited")
		}
		if before.Version != b.Version {
			e := ptacycle.Errorf(ptacycle.ECONFLICT, "Quelqu'un a modifié le bilan entre-temps : rechargez-le avant de le modifier",
				"Someone changed the bilan meanwhile: reload it before editing")
			e.Current = before
			return e
		}
		after, err = scanBilan(tx.QueryRow(ctx, `
			UPDATE bilans b SET workshop_start = $2, workshop_end = $3, workshop_place = $4, participants = $5,
				lessons = $6, difficulties = $7, challenges = $8, manual_rate = $9, version = version + 1
			WHERE b.cycle_id = $1 RETURNING `+bilanColumns,
			b.CycleID, b.WorkshopStart, b.WorkshopEnd, b.WorkshopPlace, nonNil(b.Participants), nonNil(b.Lessons),
			nonNil(b.Difficulties), nonNil(b.Challenges), b.ManualRate))
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "update", "bilan", b.CycleID, before, after)
	})
	return after, err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// CloseBilan marks a cycle's bilan closed; closing it again changes nothing. ENOTFOUND.
func (db *DB) CloseBilan(ctx context.Context, actor ptacycle.Actor, cycleID int64) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE bilans b SET closed_at = now() FROM cycles c
			WHERE b.cycle_id = c.id AND c.organisation_id = $1 AND c.id = $2 AND b.closed_at IS NULL`, actor.OrganisationID, cycleID)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return audit(ctx, tx, actor, "close", "bilan", cycleID, nil, nil)
	})
}

// PlanContent loads what a submission checks and freezes: the plan's actions,
// activities, and its cycle's recommendations with the actions answering them.
func (db *DB) PlanContent(ctx context.Context, org, planID int64) (ptacycle.PlanContent, error) {
	return planContent(ctx, db.Pool, org, planID)
}

func planContent(ctx context.Context, q querier, org, planID int64) (ptacycle.PlanContent, error) {
	var c ptacycle.PlanContent
	var cycleID int64
	if err := q.QueryRow(ctx, `SELECT year, cycle_id FROM plans WHERE organisation_id = $1 AND id = $2`, org, planID).Scan(&c.Year, &cycleID); err != nil {
		return c, mapError(err)
	}
	rows, err := q.Query(ctx, `SELECT `+actionColumns+` FROM actions WHERE organisation_id = $1 AND plan_id = $2 ORDER BY code`, org, planID)
	if err != nil {
		return c, mapError(err)
	}
	if c.Actions, err = pgx.CollectRows(rows, pgx.RowToStructByPos[ptacycle.Action]); err != nil {
		return c, mapError(err)
	}
	rows, err = q.Query(ctx, `SELECT `+activityColumns+` FROM activities a WHERE a.organisation_id = $1 AND a.plan_id = $2 ORDER BY a.code`, org, planID)
	if err != nil {
		return c, mapError(err)
	}
	if c.Activities, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ptacycle.Activity, error) { return scanActivity(r) }); err != nil {
		return c, err
	}
	c.Recommendations, err = recommendations(ctx, q, org, cycleID)
	return c, err
}

// FreezePlan checks the draft plan and freezes it as the next numbered version
// with its content hash, locking the draft. Called again on a plan already
// submitted, it returns that version. EINVALID (the problems), ECONFLICT (approved plan).
func (db *DB) FreezePlan(ctx context.Context, actor ptacycle.Actor, planID int64) (ptacycle.PlanVersion, error) {
	var v ptacycle.PlanVersion
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var status ptacycle.PlanStatus
		var current int
		if err := tx.QueryRow(ctx, `SELECT status, current_version FROM plans WHERE organisation_id = $1 AND id = $2 FOR UPDATE`,
			actor.OrganisationID, planID).Scan(&status, &current); err != nil {
			return err
		}
		switch status {
		case ptacycle.PlanSubmitted:
			var err error
			v, err = planVersion(ctx, tx, planID, current)
			return err
		case ptacycle.PlanApproved:
			return ptacycle.Errorf(ptacycle.ECONFLICT, "Le PTA est déjà approuvé", "The plan is already approved")
		}
		content, err := planContent(ctx, tx, actor.OrganisationID, planID)
		if err != nil {
			return err
		}
		if err := ptacycle.PlanProblems(ptacycle.CheckPlan(content)); err != nil {
			return err
		}
		snapshot := content.Snapshot()
		v = ptacycle.PlanVersion{PlanID: planID, Number: current + 1, ContentHash: snapshot.Hash(), Status: "submitted", SubmittedBy: actor.UserID}
		if err := tx.QueryRow(ctx, `
			INSERT INTO plan_versions (plan_id, number, content_hash, content, submitted_by) VALUES ($1, $2, $3, $4, $5)
			RETURNING id, submitted_at`, planID, v.Number, v.ContentHash, jsonOrNil(snapshot), v.SubmittedBy).Scan(&v.ID, &v.SubmittedAt); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE plans SET status = 'submitted', current_version = $2 WHERE id = $1`, planID, v.Number); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "submit", "plan", planID, map[string]any{"status": status}, v)
	})
	return v, err
}

func planVersion(ctx context.Context, q querier, planID int64, number int) (ptacycle.PlanVersion, error) {
	var v ptacycle.PlanVersion
	err := q.QueryRow(ctx, `SELECT id, plan_id, number, content_hash, status, submitted_by, submitted_at
		FROM plan_versions WHERE plan_id = $1 AND number = $2`, planID, number).Scan(
		&v.ID, &v.PlanID, &v.Number, &v.ContentHash, &v.Status, &v.SubmittedBy, &v.SubmittedAt)
	return v, mapError(err)
}

// PlanVersions lists a plan's versions, the first first.
func (db *DB) PlanVersions(ctx context.Context, org, planID int64) ([]ptacycle.PlanVersion, error) {
	rows, err := db.Pool.Query(ctx, `SELECT v.id, v.plan_id, v.number, v.content_hash, v.status, v.submitted_by, v.submitted_at
		FROM plan_versions v JOIN plans p ON p.id = v.plan_id WHERE p.organisation_id = $1 AND v.plan_id = $2 ORDER BY v.number`, org, planID)
	if err != nil {
		return nil, mapError(err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ptacycle.PlanVersion])
	return versions, mapError(err)
}

// RecordDecision stores an approver's decision on a plan version and its
// effect: a send-back makes the plan a draft again; the final approval
// approves version and plan. Recording a decision already stored returns it
// unchanged. EINVALID, ECONFLICT (the version is no longer the one under review).
func (db *DB) RecordDecision(ctx context.Context, actor ptacycle.Actor, d ptacycle.Decision, final bool) (ptacycle.Decision, error) {
	if err := d.Validate(); err != nil {
		return d, err
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var planID int64
		var versionStatus string
		if err := tx.QueryRow(ctx, `
			SELECT v.plan_id, v.status FROM plan_versions v JOIN plans p ON p.id = v.plan_id
			WHERE p.organisation_id = $1 AND v.id = $2 FOR UPDATE OF v, p`, actor.OrganisationID, d.PlanVersionID).Scan(&planID, &versionStatus); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `
			INSERT INTO decisions (plan_version_id, level, approver_id, on_behalf_of_id, outcome, comment)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (plan_version_id, level) DO NOTHING
			RETURNING id, decided_at`, d.PlanVersionID, d.Level, d.ApproverID, d.OnBehalfOfID, d.Outcome, d.Comment).Scan(&d.ID, &d.DecidedAt)
		if errors.Is(err, pgx.ErrNoRows) { // already recorded: a retry returns it, another decision is refused
			asked := d
			if err := tx.QueryRow(ctx, `SELECT id, approver_id, on_behalf_of_id, outcome, comment, decided_at FROM decisions
				WHERE plan_version_id = $1 AND level = $2`, d.PlanVersionID, d.Level).Scan(&d.ID, &d.ApproverID, &d.OnBehalfOfID, &d.Outcome, &d.Comment, &d.DecidedAt); err != nil {
				return err
			}
			if d.Outcome != asked.Outcome || d.ApproverID != asked.ApproverID {
				return ptacycle.Errorf(ptacycle.ECONFLICT, "Le niveau %d a déjà décidé sur cette version du PTA", "Level %d has already decided on this plan version", d.Level)
			}
			return nil
		}
		if err != nil {
			return err
		}
		if versionStatus != "submitted" {
			return ptacycle.Errorf(ptacycle.ECONFLICT, "Cette version du PTA n'est plus en validation", "This plan version is no longer under review")
		}
		switch {
		case d.Outcome == ptacycle.OutcomeSentBack:
			if _, err := tx.Exec(ctx, `UPDATE plan_versions SET status = 'sent_back' WHERE id = $1`, d.PlanVersionID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE plans SET status = 'draft' WHERE id = $1`, planID); err != nil {
				return err
			}
		case final:
			if _, err := tx.Exec(ctx, `UPDATE plan_versions SET status = 'approved' WHERE id = $1`, d.PlanVersionID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE plans SET status = 'approved' WHERE id = $1`, planID); err != nil {
				return err
			}
		}
		return audit(ctx, tx, actor, string(d.Outcome), "plan_version", d.PlanVersionID, nil, d)
	})
	return d, err
}

// Decisions lists the decisions taken on a plan's versions, oldest first.
func (db *DB) Decisions(ctx context.Context, org, planID int64) ([]ptacycle.Decision, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT d.id, d.plan_version_id, d.level, d.approver_id, d.on_behalf_of_id, d.outcome, d.comment, d.decided_at
		FROM decisions d JOIN plan_versions v ON v.id = d.plan_version_id JOIN plans p ON p.id = v.plan_id
		WHERE p.organisation_id = $1 AND p.id = $2 ORDER BY d.decided_at, d.id`, org, planID)
	if err != nil {
		return nil, mapError(err)
	}
	decisions, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ptacycle.Decision])
	return decisions, mapError(err)
}

// ReopenPlan makes an approved plan a draft again for a mid-year revision;
// a plan already being revised is left as it is. ENOTFOUND.
func (db *DB) ReopenPlan(ctx context.Context, actor ptacycle.Actor, planID int64) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE plans SET status = 'draft' WHERE organisation_id = $1 AND id = $2 AND status = 'approved'`,
			actor.OrganisationID, planID)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return audit(ctx, tx, actor, "revise", "plan", planID, map[string]any{"status": "approved"}, map[string]any{"status": "draft"})
	})
}

// UnfinishedActivities counts a plan's activities neither done nor cancelled.
func (db *DB) UnfinishedActivities(ctx context.Context, org, planID int64) (int, error) {
	var n int
	err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM activities WHERE organisation_id = $1 AND plan_id = $2
		AND status NOT IN ('done', 'cancelled')`, org, planID).Scan(&n)
	return n, mapError(err)
}

// CloseCycle stores the final execution rate and closes the cycle; closing it again changes nothing.
func (db *DB) CloseCycle(ctx context.Context, actor ptacycle.Actor, cycleID int64, finalRate float64) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE cycles SET final_rate = $3, stage = 'closed', closed_at = now()
			WHERE organisation_id = $1 AND id = $2 AND stage <> 'closed'`, actor.OrganisationID, cycleID, finalRate)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return audit(ctx, tx, actor, "close", "cycle", cycleID, nil, map[string]any{"finalRate": finalRate})
	})
}

package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ptacycle/ptacycle"
)

const activityColumns = `a.id, a.plan_id, a.action_id, a.code, a.title, a.illustrative, a.responsible_unit_id, a.owner_id,
	COALESCE((SELECT array_agg(p.unit_id ORDER BY p.unit_id) FROM activity_partners p WHERE p.activity_id = a.id), '{}'),
	COALESCE((SELECT array_agg(r.region_id ORDER BY r.region_id) FROM activity_regions r WHERE r.activity_id = a.id), '{}'),
	a.start_date, a.due_date, a.budget_xof, a.funding_source, a.indicator, a.target, a.deliverable,
	a.status, a.progress, a.comment, a.evidence_url, a.postponed_to, a.carried_over_from, a.version, a.updated_at`

func scanActivity(r pgx.Row) (ptacycle.Activity, error) {
	var a ptacycle.Activity
	err := r.Scan(&a.ID, &a.PlanID, &a.ActionID, &a.Code, &a.Title, &a.Illustrative, &a.ResponsibleUnitID, &a.OwnerID,
		&a.PartnerUnitIDs, &a.RegionIDs, &a.StartDate, &a.DueDate, &a.BudgetXOF, &a.FundingSource, &a.Indicator,
		&a.Target, &a.Deliverable, &a.Status, &a.Progress, &a.Comment, &a.EvidenceURL, &a.PostponedTo,
		&a.CarriedOverFrom, &a.Version, &a.UpdatedAt)
	return a, mapError(err)
}

// CreateActivity adds an activity to a draft plan of the actor's organisation; the plan is the action's.
// An activity without a code takes the next one of its action (1.2.4 after 1.2.3).
// EINVALID (a field, a unit, owner or region of another organisation), ECONFLICT (code taken, plan locked).
func (db *DB) CreateActivity(ctx context.Context, actor ptacycle.Actor, a ptacycle.Activity) (ptacycle.Activity, error) {
	// A draft activity starts afresh: execution fields come with ReportProgress,
	// and only CarryOver says which activity of last year it carries on.
	a.Status, a.Progress, a.PostponedTo, a.CarriedOverFrom = ptacycle.StatusNotStarted, 0, ptacycle.Date{}, nil
	if err := a.Validate(); err != nil {
		return a, err
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		// The action is locked so that two activities created together without a code get two codes.
		var actionCode string
		if err := tx.QueryRow(ctx, `SELECT plan_id, code FROM actions WHERE organisation_id = $1 AND id = $2 FOR UPDATE`,
			actor.OrganisationID, a.ActionID).Scan(&a.PlanID, &actionCode); err != nil {
			return err
		}
		if err := lockDraft(ctx, tx, actor.OrganisationID, a.PlanID); err != nil {
			return err
		}
		if strings.TrimSpace(a.Code) == "" {
			var err error
			if a.Code, err = nextActivityCode(ctx, tx, a.PlanID, a.ActionID, actionCode); err != nil {
				return err
			}
		}
		if err := tx.QueryRow(ctx, `
			INSERT INTO activities (organisation_id, plan_id, action_id, code, title, illustrative, responsible_unit_id, owner_id,
				start_date, due_date, budget_xof, funding_source, indicator, target, deliverable, status, progress, carried_over_from)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
			RETURNING id, version, updated_at`,
			actor.OrganisationID, a.PlanID, a.ActionID, a.Code, a.Title, a.Illustrative, a.ResponsibleUnitID, a.OwnerID,
			a.StartDate, a.DueDate, a.BudgetXOF, a.FundingSource, a.Indicator, a.Target, a.Deliverable, a.Status, a.Progress,
			a.CarriedOverFrom).Scan(&a.ID, &a.Version, &a.UpdatedAt); err != nil {
			return err
		}
		if err := setActivityLinks(ctx, tx, actor.OrganisationID, a); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "create", "activity", a.ID, nil, a)
	})
	return a, err
}

// nextActivityCode is the code after the highest of the action's
// activities numbered under its code (1.2.4 after 1.2.1 and 1.2.3), or its
// first (1.2.1), skipping codes the plan already uses.
func nextActivityCode(ctx context.Context, tx pgx.Tx, planID, actionID int64, actionCode string) (string, error) {
	rows, err := tx.Query(ctx, `SELECT code FROM activities WHERE action_id = $1`, actionID)
	if err != nil {
		return "", err
	}
	codes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	last := 0
	for _, code := range codes {
		if rest, ok := strings.CutPrefix(code, actionCode+"."); ok {
			if n, err := strconv.Atoi(rest); err == nil && n > last {
				last = n
			}
		}
	}
	for n := last + 1; ; n++ {
		code := fmt.Sprintf("%s.%d", actionCode, n)
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM activities WHERE plan_id = $1 AND code = $2)`, planID, code).Scan(&taken); err != nil || !taken {
			return code, err
		}
	}
}

// UpdateActivity changes a draft activity. a.Version must be the version the
// editor read: otherwise ECONFLICT, and nothing is written. EINVALID, ENOTFOUND, ECONFLICT (plan locked).
func (db *DB) UpdateActivity(ctx context.Context, actor ptacycle.Actor, a ptacycle.Activity) (ptacycle.Activity, error) {
	if err := a.Validate(); err != nil {
		return a, err
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		before, err := lockActivity(ctx, tx, actor.OrganisationID, a.ID, a.Version)
		if err != nil {
			return err
		}
		if err := lockDraft(ctx, tx, actor.OrganisationID, before.PlanID); err != nil {
			return err
		}
		a.PlanID = before.PlanID
		if err := tx.QueryRow(ctx, `
			UPDATE activities SET action_id = $3, code = $4, title = $5, illustrative = $6, responsible_unit_id = $7, owner_id = $8,
				start_date = $9, due_date = $10, budget_xof = $11, funding_source = $12, indicator = $13, target = $14,
				deliverable = $15, version = version + 1, updated_at = now()
			WHERE organisation_id = $1 AND id = $2
			RETURNING version, updated_at`,
			actor.OrganisationID, a.ID, a.ActionID, a.Code, a.Title, a.Illustrative, a.ResponsibleUnitID, a.OwnerID,
			a.StartDate, a.DueDate, a.BudgetXOF, a.FundingSource, a.Indicator, a.Target, a.Deliverable,
		).Scan(&a.Version, &a.UpdatedAt); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM activity_partners WHERE activity_id = $1`, a.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM activity_regions WHERE activity_id = $1`, a.ID); err != nil {
			return err
		}
		if err := setActivityLinks(ctx, tx, actor.OrganisationID, a); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "update", "activity", a.ID, before, a)
	})
	return a, err
}

// DeleteActivity removes a draft activity read at version. ENOTFOUND, ECONFLICT (stale, plan locked).
func (db *DB) DeleteActivity(ctx context.Context, actor ptacycle.Actor, id int64, version int) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		before, err := lockActivity(ctx, tx, actor.OrganisationID, id, version)
		if err != nil {
			return err
		}
		if err := lockDraft(ctx, tx, actor.OrganisationID, before.PlanID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM activities WHERE id = $1`, id); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "delete", "activity", id, before, nil)
	})
}

// lockActivity reads an activity for update and checks it is still at version;
// a stale version gives ECONFLICT carrying the stored activity.
func lockActivity(ctx context.Context, tx pgx.Tx, org, id int64, version int) (ptacycle.Activity, error) {
	current, err := scanActivity(tx.QueryRow(ctx, `SELECT `+activityColumns+` FROM activities a WHERE a.organisation_id = $1 AND a.id = $2 FOR UPDATE`, org, id))
	if err != nil {
		return current, err
	}
	if current.Version != version {
		e := ptacycle.Errorf(ptacycle.ECONFLICT,
			"Quelqu'un a modifié cette activité entre-temps (version %d, vous aviez la %d) : rechargez-la avant de la modifier",
			"Someone changed this activity meanwhile (version %d, you had %d): reload it before editing", current.Version, version)
		e.Current = current
		return current, e
	}
	return current, nil
}

func setActivityLinks(ctx context.Context, tx pgx.Tx, org int64, a ptacycle.Activity) error {
	for _, u := range a.PartnerUnitIDs {
		if _, err := tx.Exec(ctx, `INSERT INTO activity_partners (activity_id, organisation_id, unit_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, a.ID, org, u); err != nil {
			return err
		}
	}
	for _, r := range a.RegionIDs {
		if _, err := tx.Exec(ctx, `INSERT INTO activity_regions (activity_id, organisation_id, region_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, a.ID, org, r); err != nil {
			return err
		}
	}
	return nil
}

// Activity returns an activity of the organisation. ENOTFOUND.
func (db *DB) Activity(ctx context.Context, org, id int64) (ptacycle.Activity, error) {
	return scanActivity(db.Pool.QueryRow(ctx, `SELECT `+activityColumns+` FROM activities a WHERE a.organisation_id = $1 AND a.id = $2`, org, id))
}

// ActivityFilter narrows a list of activities; zero fields do not filter.
type ActivityFilter struct {
	PlanID      int64
	UnitID      int64
	RegionID    int64
	PartnerID   int64 // a unit among the activity's partners: what a partner contributes to
	AxisID      int64
	OwnerID     int64
	Status      ptacycle.ActivityStatus
	OverdueAsOf ptacycle.Date // unfinished activities due before this day
	Limit       int
	Offset      int
}

// activityFilter is the WHERE clause of ActivityFilter; its arguments come from args.
const activityFilter = `
		WHERE a.organisation_id = $1
		  AND ($2 = 0 OR a.plan_id = $2)
		  AND ($3 = 0 OR a.responsible_unit_id = $3)
		  AND ($4 = 0 OR EXISTS (SELECT 1 FROM activity_regions r WHERE r.activity_id = a.id AND r.region_id = $4))
		  AND ($5 = 0 OR ac.axis_id = $5)
		  AND ($6 = 0 OR a.owner_id = $6)
		  AND ($7 = '' OR a.status = $7)
		  AND ($8::date IS NULL OR (a.due_date < $8 AND a.status NOT IN ('done', 'cancelled')))
		  AND ($9 = 0 OR EXISTS (SELECT 1 FROM activity_partners p WHERE p.activity_id = a.id AND p.unit_id = $9))`

// args returns activityFilter's arguments $1 to $9.
func (f ActivityFilter) args(org int64) []any {
	return []any{org, f.PlanID, f.UnitID, f.RegionID, f.AxisID, f.OwnerID, string(f.Status), f.OverdueAsOf, f.PartnerID}
}

// Activities lists the organisation's activities matching f, by due date.
func (db *DB) Activities(ctx context.Context, org int64, f ActivityFilter) ([]ptacycle.Activity, error) {
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT `+activityColumns+` FROM activities a JOIN actions ac ON ac.id = a.action_id `+activityFilter+`
		ORDER BY a.due_date NULLS LAST, a.code, a.id
		LIMIT $10 OFFSET $11`, append(f.args(org), limit, f.Offset)...)
	if err != nil {
		return nil, mapError(err)
	}
	activities, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ptacycle.Activity, error) { return scanActivity(r) })
	return activities, mapError(err)
}

// PlanActivityIDs returns up to limit ids of the plan's activities (only the
// unfinished ones when unfinished is set) after afterID, in id order: a page
// that stays put while due dates and statuses change, for batch work that
// resumes from the last id it handled.
func (db *DB) PlanActivityIDs(ctx context.Context, org, planID, afterID int64, limit int, unfinished bool) ([]int64, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT id FROM activities
		WHERE organisation_id = $1 AND plan_id = $2 AND id > $3 AND (NOT $5 OR status NOT IN ('done', 'cancelled'))
		ORDER BY id LIMIT $4`, org, planID, afterID, limit, unfinished)
	if err != nil {
		return nil, mapError(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	return ids, mapError(err)
}

// CountActivities counts the organisation's activities matching f (its Limit and Offset aside).
func (db *DB) CountActivities(ctx context.Context, org int64, f ActivityFilter) (int, error) {
	var n int
	err := db.Pool.QueryRow(ctx, `
		SELECT count(*) FROM activities a JOIN actions ac ON ac.id = a.action_id `+activityFilter, f.args(org)...).Scan(&n)
	return n, mapError(err)
}

// Progress is what an owner reports on an activity during execution.
type Progress struct {
	ActivityID  int64
	Version     int // the version the owner read
	Status      ptacycle.ActivityStatus
	Progress    int
	Comment     string
	EvidenceURL string
	PostponedTo ptacycle.Date
	// Evidence is a file attached to the report (checked by ptacycle.CheckEvidence), nil for none.
	Evidence *ptacycle.EvidenceUpload
	// HeldEvidence, when Evidence is nil, is the id of a file the reporter's
	// refused report left held (HoldEvidence): the report takes it.
	HeldEvidence int64
	// Check, when set, is called with the activity as locked, before
	// anything is written: its error is returned and nothing is written
	// (the command layer's rule of who reports on which activity).
	Check func(before ptacycle.Activity) error
}

// ReportProgress records an owner's update of an activity of an approved plan,
// with its history entry and audit entry. EINVALID, ENOTFOUND, ECONFLICT (stale, plan not in execution).
func (db *DB) ReportProgress(ctx context.Context, actor ptacycle.Actor, p Progress) (ptacycle.Activity, error) {
	var after ptacycle.Activity
	err := db.tx(ctx, func(tx pgx.Tx) error {
		before, err := lockActivity(ctx, tx, actor.OrganisationID, p.ActivityID, p.Version)
		// Checked before the version: a stale report from someone who may
		// not report here must not show them the stored activity.
		if p.Check != nil && (err == nil || ptacycle.ErrorCode(err) == ptacycle.ECONFLICT) {
			if cerr := p.Check(before); cerr != nil {
				return cerr
			}
		}
		if err != nil {
			return err
		}
		after = before
		after.Status, after.Progress, after.PostponedTo = p.Status, p.Progress, p.PostponedTo
		if p.Status == ptacycle.StatusDone {
			after.Progress = 100
		}
		if p.Comment != "" {
			after.Comment = p.Comment
		}
		if p.EvidenceURL != "" {
			after.EvidenceURL = p.EvidenceURL
		}
		if err := after.Validate(); err != nil {
			return err
		}
		// Execution goes on during a mid-year revision: what matters is that a version was approved.
		var approved bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM plan_versions WHERE plan_id = $1 AND status = 'approved')`,
			before.PlanID).Scan(&approved); err != nil {
			return err
		}
		if !approved {
			return ptacycle.Errorf(ptacycle.ECONFLICT, "Le PTA n'est pas encore approuvé : l'avancement se déclare pendant l'exécution",
				"The plan is not approved yet: progress is reported during execution")
		}
		if err := tx.QueryRow(ctx, `
			UPDATE activities SET status = $2, progress = $3, comment = $4, evidence_url = $5, postponed_to = $6,
				version = version + 1, updated_at = now()
			WHERE id = $1 RETURNING version, updated_at`,
			after.ID, after.Status, after.Progress, after.Comment, after.EvidenceURL, after.PostponedTo,
		).Scan(&after.Version, &after.UpdatedAt); err != nil {
			return err
		}
		var fileID *int64
		logged := map[string]any{"status": after.Status, "progress": after.Progress, "comment": p.Comment, "evidenceUrl": p.EvidenceURL}
		if p.Evidence == nil && p.HeldEvidence != 0 && actor.UserID != nil {
			if p.Evidence, err = takeHeldEvidence(ctx, tx, actor.OrganisationID, *actor.UserID, after.ID, p.HeldEvidence); err != nil {
				return err
			}
		}
		if e := p.Evidence; e != nil {
			var files int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM evidence_files WHERE activity_id = $1`, after.ID).Scan(&files); err != nil {
				return err
			}
			if files >= ptacycle.MaxEvidenceFiles {
				var v ptacycle.Validation
				v.Add("evidenceFile", "Preuve : cette activité a déjà %d fichiers, le maximum ; envoyez plutôt un lien vers un dossier partagé",
					"Evidence: this activity already has %d files, the most it takes; send a link to a shared folder instead", ptacycle.MaxEvidenceFiles)
				return v.Err()
			}
			sum := sha256.Sum256(e.Data)
			if err := tx.QueryRow(ctx, `
				INSERT INTO evidence_files (organisation_id, activity_id, name, content_type, size, content, sha256)
				VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
				actor.OrganisationID, after.ID, e.Name, e.ContentType, len(e.Data), e.Data, sum[:]).Scan(&fileID); err != nil {
				return err
			}
			logged["evidenceFile"] = map[string]any{"id": *fileID, "name": e.Name, "size": len(e.Data), "sha256": hex.EncodeToString(sum[:])}
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO activity_updates (activity_id, user_id, status_before, status_after, progress_before, progress_after, comment, evidence_url, evidence_file_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			after.ID, actor.UserID, before.Status, after.Status, before.Progress, after.Progress, p.Comment, p.EvidenceURL, fileID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "progress", "activity", after.ID,
			map[string]any{"status": before.Status, "progress": before.Progress}, logged)
	})
	return after, err
}

// ActivityHistory lists the progress updates of an activity, oldest first. ENOTFOUND.
func (db *DB) ActivityHistory(ctx context.Context, org, id int64) ([]ptacycle.ActivityUpdate, error) {
	if _, err := db.Activity(ctx, org, id); err != nil {
		return nil, err
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT u.id, u.activity_id, u.user_id, u.at, u.status_before, u.status_after, u.progress_before, u.progress_after, u.comment, u.evidence_url,
			f.id, f.name, f.content_type, f.size, f.created_at
		FROM activity_updates u LEFT JOIN evidence_files f ON f.id = u.evidence_file_id
		WHERE u.activity_id = $1 ORDER BY u.at, u.id`, id)
	if err != nil {
		return nil, mapError(err)
	}
	updates, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ptacycle.ActivityUpdate, error) {
		var u ptacycle.ActivityUpdate
		var fileID *int64
		var name, contentType *string
		var size *int
		var created *time.Time
		err := r.Scan(&u.ID, &u.ActivityID, &u.UserID, &u.At, &u.StatusBefore, &u.StatusAfter, &u.ProgressBefore, &u.ProgressAfter, &u.Comment, &u.EvidenceURL,
			&fileID, &name, &contentType, &size, &created)
		if err == nil && fileID != nil {
			u.EvidenceFile = &ptacycle.EvidenceFile{ID: *fileID, ActivityID: u.ActivityID, Name: *name, ContentType: *contentType, Size: *size, CreatedAt: *created}
		}
		return u, err
	})
	return updates, mapError(err)
}

// EvidenceFile returns a file attached to a progress report of the
// organisation, and its content. ENOTFOUND.
func (db *DB) EvidenceFile(ctx context.Context, org, id int64) (ptacycle.EvidenceFile, []byte, error) {
	var f ptacycle.EvidenceFile
	var content []byte
	err := db.Pool.QueryRow(ctx, `
		SELECT id, activity_id, name, content_type, size, created_at, content
		FROM evidence_files WHERE organisation_id = $1 AND id = $2`, org, id).
		Scan(&f.ID, &f.ActivityID, &f.Name, &f.ContentType, &f.Size, &f.CreatedAt, &content)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, nil, ptacycle.Errorf(ptacycle.ENOTFOUND, "Preuve introuvable", "Evidence not found")
	}
	return f, content, mapError(err)
}

// ActivityContext is an activity with the names a message about it needs.
type ActivityContext struct {
	ptacycle.Activity
	ActionTitle string
	AxisTitle   string
	UnitName    string
	OwnerName   string
}

// ActivityWithContext returns an activity with its action's and axis's titles and its unit's and owner's names. ENOTFOUND.
func (db *DB) ActivityWithContext(ctx context.Context, org, id int64) (ActivityContext, error) {
	var out ActivityContext
	a, err := db.Activity(ctx, org, id)
	if err != nil {
		return out, err
	}
	out.Activity = a
	err = db.Pool.QueryRow(ctx, `
		SELECT ac.title, COALESCE(ax.code || ' — ' || ax.title, ''), COALESCE(u.name, ''), COALESCE(o.full_name, '')
		FROM activities a JOIN actions ac ON ac.id = a.action_id LEFT JOIN axes ax ON ax.id = ac.axis_id
		LEFT JOIN units u ON u.id = a.responsible_unit_id LEFT JOIN users o ON o.id = a.owner_id
		WHERE a.id = $1`, id).Scan(&out.ActionTitle, &out.AxisTitle, &out.UnitName, &out.OwnerName)
	return out, mapError(err)
}

// EvidenceCounts counts the files attached to each activity of a plan that has any.
func (db *DB) EvidenceCounts(ctx context.Context, org, planID int64) (map[int64]int, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT f.activity_id, count(*) FROM evidence_files f JOIN activities a ON a.id = f.activity_id
		WHERE f.organisation_id = $1 AND a.plan_id = $2 GROUP BY f.activity_id`, org, planID)
	if err != nil {
		return nil, mapError(err)
	}
	counts := map[int64]int{}
	var id int64
	var n int
	_, err = pgx.ForEachRow(rows, []any{&id, &n}, func() error { counts[id] = n; return nil })
	return counts, mapError(err)
}

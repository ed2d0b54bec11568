package app

import (
	"context"
	"strconv"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/workflows"
)

// Plans are the changes to a year's draft plan (PTA): its actions and
// activities, carried over or typed. Each is a coordinator's (EditPlan) and
// belongs to the drafting stage; the store re-checks in its transaction that
// the plan is still a draft.
type Plans struct{ *core }

// YearPlan is a year's plan, with its cycle.
type YearPlan struct {
	Year
	Plan ptacycle.Plan
}

// Of reads the actor's plan of year, for a reader of cycles.
func (p Plans) Of(ctx context.Context, a Actor, year int) (YearPlan, error) {
	y, err := Cycles(p).Of(ctx, a, year)
	if err != nil {
		return YearPlan{}, err
	}
	plan, err := p.db.Plan(ctx, y.Org.ID, year)
	return YearPlan{Year: y, Plan: plan}, err
}

// Drafting reads the actor's plan of year for a change: EditPlan, and the cycle drafting it.
func (p Plans) Drafting(ctx context.Context, a Actor, year int) (YearPlan, error) {
	if err := a.may(EditPlan); err != nil {
		return YearPlan{}, err
	}
	return p.draftOfYear(ctx, a, year)
}

func (c *core) draftOfYear(ctx context.Context, a Actor, year int) (YearPlan, error) {
	y, err := c.year(ctx, a, year)
	if err != nil {
		return YearPlan{}, err
	}
	plan, err := c.db.Plan(ctx, y.Org.ID, year)
	if err != nil {
		return YearPlan{}, err
	}
	return YearPlan{Year: y, Plan: plan}, requireStage(y.Cycle, ptacycle.StageDrafting)
}

// draftOfPlan is draftOfYear for a plan known by its id.
func (c *core) draftOfPlan(ctx context.Context, a Actor, planID int64) (YearPlan, error) {
	plan, err := c.db.PlanByID(ctx, a.org(), planID)
	if err != nil {
		return YearPlan{}, err
	}
	return c.draftOfYear(ctx, a, plan.Year)
}

// CreateAction adds an action to the draft plan of year.
func (p Plans) CreateAction(ctx context.Context, a Actor, year int, action ptacycle.Action) (ptacycle.Action, error) {
	d, err := p.Drafting(ctx, a, year)
	if err != nil {
		return action, err
	}
	action.ID, action.PlanID = 0, d.Plan.ID
	return p.db.CreateAction(ctx, a.audit(), action)
}

// UpdateAction changes an action of a draft plan.
func (p Plans) UpdateAction(ctx context.Context, a Actor, action ptacycle.Action) (ptacycle.Action, error) {
	if _, err := p.draftAction(ctx, a, action.ID); err != nil {
		return action, err
	}
	return p.db.UpdateAction(ctx, a.audit(), action)
}

// DeleteAction removes an action, without activities, of a draft plan.
func (p Plans) DeleteAction(ctx context.Context, a Actor, id int64) error {
	if _, err := p.draftAction(ctx, a, id); err != nil {
		return err
	}
	return p.db.DeleteAction(ctx, a.audit(), id)
}

// draftAction reads the plan of action id for a change.
func (p Plans) draftAction(ctx context.Context, a Actor, id int64) (YearPlan, error) {
	if err := a.may(EditPlan); err != nil {
		return YearPlan{}, err
	}
	planID, err := p.db.PlanOfAction(ctx, a.org(), id)
	if err != nil {
		return YearPlan{}, err
	}
	return p.draftOfPlan(ctx, a, planID)
}

// CreateActivity adds an activity to the draft plan of year, under one of
// its actions. A new activity is not started: the execution fields (status,
// progress, comment, evidence, new date) and the year it was carried over
// from are never the client's.
func (p Plans) CreateActivity(ctx context.Context, a Actor, year int, act ptacycle.Activity) (ptacycle.Activity, error) {
	d, err := p.Drafting(ctx, a, year)
	if err != nil {
		return act, err
	}
	if err := p.actionOfPlan(ctx, a, d.Plan.ID, act.ActionID); err != nil {
		return act, err
	}
	if err := p.namedOwner(ctx, a, act); err != nil {
		return act, err
	}
	act.ID, act.PlanID, act.CarriedOverFrom = 0, d.Plan.ID, nil
	act.Status, act.Progress, act.Comment, act.EvidenceURL, act.PostponedTo = ptacycle.StatusNotStarted, 0, "", "", ptacycle.Date{}
	return p.db.CreateActivity(ctx, a.audit(), act)
}

// UpdateActivity changes the plan fields of a draft activity read at
// act.Version; its execution fields, whether it is illustrative and where
// it was carried over from keep their stored values, and the answer is the
// activity as stored.
func (p Plans) UpdateActivity(ctx context.Context, a Actor, act ptacycle.Activity) (ptacycle.Activity, error) {
	stored, d, err := p.draftActivity(ctx, a, act.ID)
	if err != nil {
		return act, err
	}
	if err := versionRead(act.Version); err != nil {
		return act, err
	}
	if err := p.actionOfPlan(ctx, a, d.Plan.ID, act.ActionID); err != nil {
		return act, err
	}
	if err := p.namedOwner(ctx, a, act); err != nil {
		return act, err
	}
	act.PlanID, act.Illustrative, act.CarriedOverFrom = stored.PlanID, stored.Illustrative, stored.CarriedOverFrom
	act.Status, act.Progress, act.Comment, act.EvidenceURL, act.PostponedTo = stored.Status, stored.Progress, stored.Comment, stored.EvidenceURL, stored.PostponedTo
	updated, err := p.db.UpdateActivity(ctx, a.audit(), act)
	if err == nil {
		p.activityChanged(ctx, d.Org, d.Year.Year, updated.ID)
	}
	return updated, err
}

// DeleteActivity removes a draft activity read at version; it answers the
// activity as it was and the year of its plan (0 when unknown).
func (p Plans) DeleteActivity(ctx context.Context, a Actor, id int64, version int) (ptacycle.Activity, int, error) {
	stored, d, err := p.draftActivity(ctx, a, id)
	if err != nil {
		return stored, d.Plan.Year, err
	}
	if err := versionRead(version); err != nil {
		return stored, d.Plan.Year, err
	}
	return stored, d.Plan.Year, p.db.DeleteActivity(ctx, a.audit(), id, version)
}

// versionRead refuses a change that does not say which version of the activity it read.
// namedOwner refuses a named owner who is not an active owner of the
// activity's responsible unit: an owner sees and reports on their unit's
// activities only (OwnerScope), so a person of another unit named there
// would never see it.
func (p Plans) namedOwner(ctx context.Context, a Actor, act ptacycle.Activity) error {
	if act.OwnerID == nil {
		return nil
	}
	var v ptacycle.Validation
	owner, err := p.db.User(ctx, a.org(), *act.OwnerID)
	switch {
	case ptacycle.ErrorCode(err) == ptacycle.ENOTFOUND:
		v.Add("ownerId", "Responsable nommé : personne inconnue dans l'organisation (n° %d)", "Named owner: nobody of the organisation has id %d", *act.OwnerID)
	case err != nil:
		return err
	case owner.Role != ptacycle.RoleOwner || !owner.Active || owner.UnitID == nil:
		v.Add("ownerId", "Responsable nommé : %s n'est pas un responsable d'activités actif d'une structure", "Named owner: %s is not an active activity owner of a unit", owner.FullName)
	case act.ResponsibleUnitID == nil:
		v.Add("ownerId", "Responsable nommé : choisissez d'abord la structure responsable, dont %s doit relever", "Named owner: choose the responsible unit first, to which %s must belong", owner.FullName)
	case *act.ResponsibleUnitID != *owner.UnitID:
		unitName := func(id int64) string {
			if u, err := p.db.Unit(ctx, a.org(), id); err == nil {
				return u.Name
			}
			return strconv.FormatInt(id, 10)
		}
		mine, theirs := unitName(*act.ResponsibleUnitID), unitName(*owner.UnitID)
		v.Add("ownerId", "Responsable nommé : %s relève de %s, pas de %s, la structure responsable de l'activité ; il ne la verrait pas",
			"Named owner: %s belongs to %s, not to %s, the activity's responsible unit, and would never see it", owner.FullName, theirs, mine)
	}
	return v.Err()
}

func versionRead(version int) error {
	if version >= 1 {
		return nil
	}
	e := ptacycle.Errorf(ptacycle.EINVALID, "Version de l'activité manquante : rechargez la page", "Missing activity version: reload the page")
	e.Fields = []ptacycle.FieldError{{Field: "version", Message: e.Message, English: e.English}}
	return e
}

// Activity reads activity id of a draft plan for a change, with its plan.
func (p Plans) Activity(ctx context.Context, a Actor, id int64) (ptacycle.Activity, YearPlan, error) {
	return p.draftActivity(ctx, a, id)
}

func (p Plans) draftActivity(ctx context.Context, a Actor, id int64) (ptacycle.Activity, YearPlan, error) {
	if err := a.may(EditPlan); err != nil {
		return ptacycle.Activity{}, YearPlan{}, err
	}
	stored, err := p.db.Activity(ctx, a.org(), id)
	if err != nil {
		return stored, YearPlan{}, err
	}
	d, err := p.draftOfPlan(ctx, a, stored.PlanID)
	return stored, d, err
}

// actionOfPlan checks that action id belongs to the plan.
func (c *core) actionOfPlan(ctx context.Context, a Actor, planID, id int64) error {
	actions, err := c.db.Actions(ctx, a.org(), planID)
	if err != nil {
		return err
	}
	for _, action := range actions {
		if action.ID == id {
			return nil
		}
	}
	e := ptacycle.Errorf(ptacycle.EINVALID, "L'action %d n'appartient pas à ce PTA", "Action %d is not in this plan", id)
	e.Fields = []ptacycle.FieldError{{Field: "actionId", Message: e.Message, English: e.English}}
	return e
}

// CarryOver copies last year's unfinished activities ids into the draft plan of year.
func (p Plans) CarryOver(ctx context.Context, a Actor, year int, ids []int64) ([]ptacycle.Activity, error) {
	d, err := p.Drafting(ctx, a, year)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		e := ptacycle.Errorf(ptacycle.EINVALID, "Cochez au moins une activité à reprendre", "Tick at least one activity to carry over")
		e.Fields = []ptacycle.FieldError{{Field: "activityIds", Message: e.Message, English: e.English}}
		return nil, e
	}
	return p.db.CarryOver(ctx, a.audit(), d.Plan.ID, ids)
}

// activityChanged signals an activity's follow-up that it changed. A lost
// signal is harmless (the follow-up re-reads the activity before each
// reminder), so a failure is only logged.
func (c *core) activityChanged(ctx context.Context, o ptacycle.Organisation, year int, activityID int64) {
	c.signalChanged(ctx, o.Slug, year, activityID)
}

func (c *core) signalChanged(ctx context.Context, slug string, year int, activityID int64) {
	err := c.temporal.SignalWorkflow(ctx, ptacycle.FollowUpWorkflowID(slug, year, activityID), "", workflows.SignalActivityChanged, nil)
	if err != nil && ptacycle.ErrorCode(processError(err, year)) != ptacycle.ENOTFOUND {
		c.logger.Warn("signal de suivi perdu / follow-up signal lost", "activity", activityID, "err", err)
	}
}

// keep the store's Progress type visible to callers as the layer's.
type Progress = postgres.Progress

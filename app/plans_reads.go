package app

import (
	"context"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

// The reads of a year's plan: its page, its content and checks, its
// versions and their differences, the choices of its activity form, its
// workbooks.

// PlanData is the plan page's: the plan with its cycle and the workflow's
// status, its content, the axes its actions are filed under, the names its
// activities point at; while drafting, what its checks find and, for who
// may edit it, last year's activities to carry over.
type PlanData struct {
	YearPlan
	View    View
	Content ptacycle.PlanContent
	Directory
	Axes    []ptacycle.Axis         // the axes the actions are grouped under
	AllAxes map[int64]ptacycle.Axis // every axis of the organisation, for actions filed under another strategy's
	Checks                          // while drafting
	Carry   []ptacycle.Activity     // last year's unfinished activities not carried over yet, for who may edit the draft
}

// Checks are what the plan's checks find: problems block its submission,
// warnings (due dates on a weekend or a public holiday) do not.
type Checks struct {
	Problems, Warnings []ptacycle.FieldError
}

// Page reads the actor's plan of year for its page.
func (p Plans) Page(ctx context.Context, a Actor, year int) (PlanData, error) {
	yp, err := p.Of(ctx, a, year)
	if err != nil {
		return PlanData{}, err
	}
	data := PlanData{YearPlan: yp, View: p.view(ctx, yp.Org, yp.Cycle)}
	org := yp.Org.ID
	if data.Content, err = p.db.PlanContent(ctx, org, yp.Plan.ID); err != nil {
		return data, err
	}
	if data.Directory, err = p.directory(ctx, org); err != nil {
		return data, err
	}
	if data.Axes, data.AllAxes, err = p.planAxes(ctx, yp.Year); err != nil {
		return data, err
	}
	drafting := yp.Cycle.Stage == ptacycle.StageDrafting
	if drafting {
		if data.Checks, err = p.checks(ctx, yp, data.Content); err != nil {
			return data, err
		}
	}
	if drafting && a.may(EditPlan) == nil {
		data.Carry, err = p.carryCandidates(ctx, yp, data.Content)
	}
	return data, err
}

// planAxes are the axes the plan's actions are grouped under: those of the
// cycle's strategy, else of the strategy covering the year, else of the
// latest one; and every axis of the organisation by id, for actions filed under another.
func (c *core) planAxes(ctx context.Context, y Year) ([]ptacycle.Axis, map[int64]ptacycle.Axis, error) {
	strategies, err := c.db.Strategies(ctx, y.Org.ID)
	if err != nil || len(strategies) == 0 {
		return nil, nil, err
	}
	all := map[int64]ptacycle.Axis{}
	chosen := -1
	for i, st := range strategies {
		for _, a := range st.Axes {
			all[a.ID] = a
		}
		covers := st.StartYear <= y.Year && y.Year <= st.EndYear
		if y.Cycle.StrategyID != nil && *y.Cycle.StrategyID == st.ID || chosen < 0 && covers {
			chosen = i
		}
	}
	if chosen < 0 {
		chosen = 0 // strategies come latest first
	}
	return strategies[chosen].Axes, all, nil
}

// checks runs the plan's checks, the year's public holidays at hand.
func (c *core) checks(ctx context.Context, yp YearPlan, content ptacycle.PlanContent) (Checks, error) {
	holidays, err := c.db.HolidayList(ctx, yp.Org.ID, ptacycle.NewDate(yp.Year.Year, time.January, 1), ptacycle.NewDate(yp.Year.Year, time.December, 31))
	if err != nil {
		return Checks{}, err
	}
	return Checks{Problems: ptacycle.CheckPlan(content), Warnings: ptacycle.DueDateWarnings(content.Activities, holidays)}, nil
}

// carryCandidates are last year's unfinished activities not carried over into content yet.
func (c *core) carryCandidates(ctx context.Context, yp YearPlan, content ptacycle.PlanContent) ([]ptacycle.Activity, error) {
	last, err := c.db.Plan(ctx, yp.Org.ID, yp.Year.Year-1)
	if ptacycle.ErrorCode(err) == ptacycle.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	done := map[int64]bool{}
	for _, a := range content.Activities {
		if a.CarriedOverFrom != nil {
			done[*a.CarriedOverFrom] = true
		}
	}
	acts, err := c.db.Activities(ctx, yp.Org.ID, postgres.ActivityFilter{PlanID: last.ID})
	if err != nil {
		return nil, err
	}
	var out []ptacycle.Activity
	for _, a := range acts {
		if !a.Status.Finished() && !done[a.ID] {
			out = append(out, a)
		}
	}
	return out, nil
}

// PlanCheck is a plan with its content and what its checks find.
type PlanCheck struct {
	YearPlan
	Content ptacycle.PlanContent
	Checks
}

// Check reads the actor's plan of year and runs its checks, whatever its stage.
func (p Plans) Check(ctx context.Context, a Actor, year int) (PlanCheck, error) {
	yp, err := p.Of(ctx, a, year)
	if err != nil {
		return PlanCheck{}, err
	}
	out := PlanCheck{YearPlan: yp}
	if out.Content, err = p.db.PlanContent(ctx, yp.Org.ID, yp.Plan.ID); err != nil {
		return out, err
	}
	out.Checks, err = p.checks(ctx, yp, out.Content)
	return out, err
}

// ActivityChoices are what the activity form of a draft offers: the plan's
// actions, the names activities point at, and the organisation's people
// (active owners are offered as owners).
type ActivityChoices struct {
	Actions []ptacycle.Action
	Directory
	Users []ptacycle.User
}

// Choices reads the choices of the activity form of plan planID, for who edits plans.
func (p Plans) Choices(ctx context.Context, a Actor, planID int64) (ActivityChoices, error) {
	if err := a.may(EditPlan); err != nil {
		return ActivityChoices{}, err
	}
	var out ActivityChoices
	var err error
	if out.Actions, err = p.db.Actions(ctx, a.org(), planID); err != nil {
		return out, err
	}
	if out.Directory, err = p.directory(ctx, a.org()); err != nil {
		return out, err
	}
	out.Users, err = p.db.Users(ctx, a.org(), "")
	return out, err
}

// Versions lists the submitted versions of the actor's plan of year, oldest first.
func (p Plans) Versions(ctx context.Context, a Actor, year int) ([]ptacycle.PlanVersion, error) {
	yp, err := p.Of(ctx, a, year)
	if err != nil {
		return nil, err
	}
	return p.db.PlanVersions(ctx, yp.Org.ID, yp.Plan.ID)
}

// Version reads version number of the actor's plan of year, with its content.
func (p Plans) Version(ctx context.Context, a Actor, year, number int) (ptacycle.PlanVersion, ptacycle.PlanSnapshot, error) {
	yp, err := p.Of(ctx, a, year)
	if err != nil {
		return ptacycle.PlanVersion{}, ptacycle.PlanSnapshot{}, err
	}
	return p.db.VersionSnapshot(ctx, yp.Org.ID, yp.Plan.ID, number)
}

// Diff lists what changed from version from to version to of the actor's plan of year.
func (p Plans) Diff(ctx context.Context, a Actor, year, from, to int) ([]ptacycle.PlanChange, error) {
	if from < 1 || to < 1 {
		return nil, ptacycle.Errorf(ptacycle.EINVALID, "Indiquez les deux versions à comparer (from et to)", "Give both versions to compare (from and to)")
	}
	yp, err := p.Of(ctx, a, year)
	if err != nil {
		return nil, err
	}
	_, before, err := p.db.VersionSnapshot(ctx, yp.Org.ID, yp.Plan.ID, from)
	if err != nil {
		return nil, err
	}
	_, after, err := p.db.VersionSnapshot(ctx, yp.Org.ID, yp.Plan.ID, to)
	if err != nil {
		return nil, err
	}
	return ptacycle.DiffPlans(before, after), nil
}

// Reference reads what the names of a workbook of the actor's plan of year
// are matched against: the year's axes, the units and regions, the
// activity codes the plan holds.
func (p Plans) Reference(ctx context.Context, a Actor, year int) (YearPlan, ptacycle.PlanReference, error) {
	yp, err := p.Of(ctx, a, year)
	if err != nil {
		return yp, ptacycle.PlanReference{}, err
	}
	ref, err := p.db.PlanReference(ctx, yp.Org.ID, yp.Plan.ID)
	return yp, ref, err
}

// PlanExport is a whole plan for a workbook: what it refers to, its actions and every activity.
type PlanExport struct {
	YearPlan
	Reference  ptacycle.PlanReference
	Actions    []ptacycle.Action
	Activities []ptacycle.Activity
}

// Export reads the actor's plan of year for its workbook.
func (p Plans) Export(ctx context.Context, a Actor, year int) (PlanExport, error) {
	yp, ref, err := p.Reference(ctx, a, year)
	out := PlanExport{YearPlan: yp, Reference: ref}
	if err != nil {
		return out, err
	}
	content, err := p.db.PlanContent(ctx, yp.Org.ID, yp.Plan.ID)
	out.Actions, out.Activities = content.Actions, content.Activities
	return out, err
}

// ExecutionExport is a whole plan for the workbook of its execution, with
// how many evidence files each activity has.
type ExecutionExport struct {
	PlanExport
	Files map[int64]int // by activity id
}

// Export reads the actor's plan of year for the workbook of its execution.
func (e Execution) Export(ctx context.Context, a Actor, year int) (ExecutionExport, error) {
	plan, err := Plans(e).Export(ctx, a, year)
	out := ExecutionExport{PlanExport: plan}
	if err != nil {
		return out, err
	}
	out.Files, err = e.db.EvidenceCounts(ctx, plan.Org.ID, plan.Plan.ID)
	return out, err
}

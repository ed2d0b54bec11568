package app

import (
	"context"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

// The reads of execution: an owner's activities, the plan's execution
// filtered, one activity with its history, an evidence file.

// MyActivities are the activities of the actor's unit in the current year's
// plan; an actor of no unit has none.
type MyActivities struct {
	Year int // the current year, 0 without any cycle
	Directory
	Open       bool // a version of the plan is approved: progress is reported
	Activities []ptacycle.Activity
}

// Mine lists the activities of the actor's unit in the current year's plan, by due date.
func (e Execution) Mine(ctx context.Context, a Actor) (MyActivities, error) {
	if err := a.may(ReportProgress); err != nil {
		return MyActivities{}, err
	}
	var data MyActivities
	if a.User.UnitID == nil {
		return data, nil
	}
	var err error
	if data.Directory, err = e.directory(ctx, a.org()); err != nil {
		return data, err
	}
	if data.Year, err = e.currentYear(ctx, a.org()); err != nil || data.Year == 0 {
		return data, err
	}
	plan, err := e.db.Plan(ctx, a.org(), data.Year)
	if err != nil {
		return data, err
	}
	if data.Open, err = e.executionOpen(ctx, a.org(), plan.ID); err != nil {
		return data, err
	}
	data.Activities, err = e.db.Activities(ctx, a.org(), postgres.ActivityFilter{PlanID: plan.ID, UnitID: *a.User.UnitID})
	return data, err
}

// ActivityFilter picks activities: of a year's plan (0: of every year), of
// a status, a unit, a region, an axis, a partner unit, an owner, overdue as
// of a day; and which page of them, of how many.
type ActivityFilter struct {
	Year                                         int
	Status                                       ptacycle.ActivityStatus
	UnitID, RegionID, AxisID, PartnerID, OwnerID int64
	OverdueAsOf                                  ptacycle.Date
	Page, PageSize                               int
}

// maxPageSize bounds a page of activities.
const maxPageSize = 500

// check refuses an unknown status.
func (f ActivityFilter) check() error {
	if f.Status != "" && !f.Status.Valid() {
		return ptacycle.Errorf(ptacycle.EINVALID, "Statut %q inconnu", "Unknown status %q", string(f.Status))
	}
	return nil
}

// store is f for the store, on plan planID (0: every plan), without paging.
func (f ActivityFilter) store(planID int64) postgres.ActivityFilter {
	return postgres.ActivityFilter{PlanID: planID, Status: f.Status, UnitID: f.UnitID, RegionID: f.RegionID, AxisID: f.AxisID,
		PartnerID: f.PartnerID, OwnerID: f.OwnerID, OverdueAsOf: f.OverdueAsOf}
}

// ActivityList is a page of activities, by due date, and how many match in all.
type ActivityList struct {
	Items          []ptacycle.Activity
	Total          int
	Page, PageSize int
}

// List is a page of the actor's organisation's activities matching f: page
// 1 at least, of 1 to 500 activities.
func (e Execution) List(ctx context.Context, a Actor, f ActivityFilter) (ActivityList, error) {
	if err := a.may(ReadCycle); err != nil {
		return ActivityList{}, err
	}
	if err := f.check(); err != nil {
		return ActivityList{}, err
	}
	var planID int64
	if f.Year != 0 {
		plan, err := e.db.Plan(ctx, a.org(), f.Year)
		if err != nil {
			return ActivityList{}, err
		}
		planID = plan.ID
	}
	f.Page, f.PageSize = max(f.Page, 1), min(max(f.PageSize, 1), maxPageSize)
	return e.list(ctx, a.org(), f.store(planID), f.Page, f.PageSize, false)
}

// list reads page page of size activities matching sf, with their count;
// within moves a page past the last to the last.
func (c *core) list(ctx context.Context, org int64, sf postgres.ActivityFilter, page, size int, within bool) (ActivityList, error) {
	l := ActivityList{Page: page, PageSize: size}
	var err error
	if l.Total, err = c.db.CountActivities(ctx, org, sf); err != nil {
		return l, err
	}
	if within {
		l.Page = min(l.Page, max((l.Total+size-1)/size, 1))
	}
	sf.Limit, sf.Offset = size, (l.Page-1)*size
	l.Items, err = c.db.Activities(ctx, org, sf)
	if l.Items == nil {
		l.Items = []ptacycle.Activity{}
	}
	return l, err
}

// ExecutionData is the execution of a year's plan: a page of its activities
// as filtered, what the filters offer, and the plan's overall rate.
type ExecutionData struct {
	YearPlan
	Directory
	Axes       []ptacycle.Axis // the axes of the strategy covering the year
	Activities ActivityList
	Rates      ptacycle.RateBreakdown // the whole plan's, as of the day asked
}

// Page is the execution of the actor's plan of f.Year, as of asOf: page
// f.Page (within the pages there are) of f.PageSize activities matching f.
func (e Execution) Page(ctx context.Context, a Actor, f ActivityFilter, asOf ptacycle.Date) (ExecutionData, error) {
	yp, err := Plans(e).Of(ctx, a, f.Year)
	if err != nil {
		return ExecutionData{}, err
	}
	data := ExecutionData{YearPlan: yp}
	if err := f.check(); err != nil {
		return data, err
	}
	if data.Directory, err = e.directory(ctx, yp.Org.ID); err != nil {
		return data, err
	}
	if data.Axes, err = e.yearAxes(ctx, yp.Org.ID, yp.Year.Year); err != nil {
		return data, err
	}
	if data.Activities, err = e.list(ctx, yp.Org.ID, f.store(yp.Plan.ID), max(f.Page, 1), max(f.PageSize, 1), true); err != nil {
		return data, err
	}
	r, err := e.rates(ctx, yp.Org.ID, yp.Plan.ID, asOf)
	data.Rates = r.Breakdown
	return data, err
}

// yearAxes are the axes of the strategy covering year, none without one.
func (c *core) yearAxes(ctx context.Context, org int64, year int) ([]ptacycle.Axis, error) {
	strategy, err := c.db.StrategyForYear(ctx, org, year)
	if ptacycle.ErrorCode(err) == ptacycle.ENOTFOUND {
		return nil, nil
	}
	return strategy.Axes, err
}

// Get reads one of the actor's organisation's activities.
func (e Execution) Get(ctx context.Context, a Actor, id int64) (ptacycle.Activity, error) {
	if err := a.may(ReadCycle); err != nil {
		return ptacycle.Activity{}, err
	}
	return e.db.Activity(ctx, a.org(), id)
}

// History lists the progress reports on activity id, oldest first.
func (e Execution) History(ctx context.Context, a Actor, id int64) ([]ptacycle.ActivityUpdate, error) {
	if err := a.may(ReadCycle); err != nil {
		return nil, err
	}
	return e.db.ActivityHistory(ctx, a.org(), id)
}

// ActivityData is one activity as its page shows it: its plan's year, its
// action and axis, the names it points at, its history.
type ActivityData struct {
	Activity ptacycle.Activity
	Year     int
	Action   ptacycle.Action
	Axis     *ptacycle.Axis // the action's, when the strategy covering the year has it
	Directory
	History   []ptacycle.ActivityUpdate // oldest first
	Open      bool                      // a version of the plan is approved: progress is reported
	CanReport bool                      // …and the actor may report on this activity
}

// Activity reads activity id for its page.
func (e Execution) Activity(ctx context.Context, a Actor, id int64) (ActivityData, error) {
	act, err := e.Get(ctx, a, id)
	if err != nil {
		return ActivityData{}, err
	}
	data := ActivityData{Activity: act}
	plan, err := e.db.PlanByID(ctx, a.org(), act.PlanID)
	if err != nil {
		return data, err
	}
	data.Year = plan.Year
	if data.Directory, err = e.directory(ctx, a.org()); err != nil {
		return data, err
	}
	if data.Open, err = e.executionOpen(ctx, a.org(), plan.ID); err != nil {
		return data, err
	}
	actions, err := e.db.Actions(ctx, a.org(), plan.ID)
	if err != nil {
		return data, err
	}
	for _, ac := range actions {
		if ac.ID == act.ActionID {
			data.Action = ac
		}
	}
	if data.Action.AxisID != nil {
		axes, err := e.yearAxes(ctx, a.org(), plan.Year)
		if err != nil {
			return data, err
		}
		for _, ax := range axes {
			if ax.ID == *data.Action.AxisID {
				data.Axis = &ax
			}
		}
	}
	if data.History, err = e.db.ActivityHistory(ctx, a.org(), id); err != nil {
		return data, err
	}
	data.CanReport = data.Open && CanReport(a.User, act)
	return data, nil
}

// Evidence reads an evidence file attached to a progress report, and its content.
func (e Execution) Evidence(ctx context.Context, a Actor, id int64) (ptacycle.EvidenceFile, []byte, error) {
	if err := a.may(ReadCycle); err != nil {
		return ptacycle.EvidenceFile{}, nil, err
	}
	return e.db.EvidenceFile(ctx, a.org(), id)
}

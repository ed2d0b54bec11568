package app

import (
	"context"
	"math"
	"slices"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

// Dashboard is where the actor's organisation stands: its current cycle and
// what waits for whom (the home page), and the execution of a year's plan
// (the API's dashboard).
type Dashboard struct{ *core }

// dashboardOverdueShown bounds the overdue activities the home page lists;
// yearOverdueListed those of the API's dashboard.
const (
	dashboardOverdueShown = 10
	yearOverdueListed     = 50
)

// DashboardData is the home page's: the organisation, its current cycle with
// the workflow's status, and what the actor's role is waiting for.
type DashboardData struct {
	Org ptacycle.Organisation
	// View is the current cycle (open, else the latest), nil without any.
	View *View
	// Pending names the people the pending step waits for.
	Pending []string
	Rates   *YearRates
	// Overdue is set during execution: the plan's overdue activities, an
	// owner's unit's only.
	Overdue *Overdue
	// Unfinished counts an owner's unit's activities neither done nor
	// cancelled, during execution.
	Unfinished int
	// Contribution is a partner's unit's part in the year's plan.
	Contribution *Contribution
	// Decides: the pending step waits for the actor's decision.
	Decides bool
}

// YearRates is the execution rate of one year's plan.
type YearRates struct {
	Year      int
	FromBilan bool // before execution: the bilan's rates of the year reviewed
	Manual    bool // the bilan's rate typed at the workshop, without activities behind it
	Rates     ptacycle.RateBreakdown
}

// Overdue is how many activities are overdue, and the first of them by due date.
type Overdue struct {
	Count int
	First []ptacycle.Activity
}

// Contribution is what a partner unit contributes to: the activities of the
// year's plan it is a partner of, and how many are done (counted when there are some).
type Contribution struct {
	Unit             ptacycle.Unit
	Activities, Done int
}

// Page is the actor's home page as of today.
func (d Dashboard) Page(ctx context.Context, a Actor, today ptacycle.Date) (DashboardData, error) {
	if err := a.may(ReadCycle); err != nil {
		return DashboardData{}, err
	}
	o, err := d.db.Organisation(ctx, a.org())
	if err != nil {
		return DashboardData{}, err
	}
	data := DashboardData{Org: o}
	year, err := d.currentYear(ctx, o.ID)
	if err != nil || year == 0 {
		return data, err
	}
	cy, err := d.db.Cycle(ctx, o.ID, year)
	if err != nil {
		return data, err
	}
	v := d.view(ctx, o, cy)
	data.View = &v
	if v.Status != nil && v.Status.Pending != nil {
		if data.Pending, err = d.fullNames(ctx, o.ID, v.Status.Pending.UserIDs); err != nil {
			return data, err
		}
	}
	if data.Rates, err = d.yearRates(ctx, o.ID, cy, today); err != nil {
		return data, err
	}
	data.Decides = v.Status != nil && v.Status.Pending != nil && v.Status.Pending.Step == "decide" &&
		slices.Contains(v.Status.Pending.UserIDs, a.User.ID)
	partner := a.User.Role == ptacycle.RolePartner && a.User.UnitID != nil
	if cy.Stage != ptacycle.StageExecution && !partner {
		return data, nil
	}
	plan, err := d.db.Plan(ctx, o.ID, cy.Year)
	if err != nil {
		return data, err
	}
	if cy.Stage == ptacycle.StageExecution {
		var unit int64
		if a.User.Role == ptacycle.RoleOwner && a.User.UnitID != nil {
			unit = *a.User.UnitID
		}
		data.Overdue = &Overdue{}
		f := postgres.ActivityFilter{PlanID: plan.ID, UnitID: unit, OverdueAsOf: today}
		if data.Overdue.Count, err = d.db.CountActivities(ctx, o.ID, f); err != nil {
			return data, err
		}
		f.Limit = dashboardOverdueShown
		if data.Overdue.First, err = d.db.Activities(ctx, o.ID, f); err != nil {
			return data, err
		}
		if unit != 0 {
			if data.Unfinished, err = d.unfinished(ctx, o.ID, plan.ID, unit); err != nil {
				return data, err
			}
		}
	}
	if partner {
		data.Contribution, err = d.contribution(ctx, o.ID, plan.ID, *a.User.UnitID)
	}
	return data, err
}

// fullNames are the names of the people ids, those unknown left out.
func (c *core) fullNames(ctx context.Context, org int64, ids []int64) ([]string, error) {
	var names []string
	for _, id := range ids {
		u, err := c.db.User(ctx, org, id)
		if ptacycle.ErrorCode(err) == ptacycle.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		names = append(names, u.FullName)
	}
	return names, nil
}

// yearRates are the rates of cy's plan once in execution (as the API's
// dashboard has them); before, the bilan's rates of the year reviewed, if any.
func (c *core) yearRates(ctx context.Context, org int64, cy ptacycle.Cycle, today ptacycle.Date) (*YearRates, error) {
	if cy.Stage == ptacycle.StageExecution || cy.Stage == ptacycle.StageClosed {
		plan, err := c.db.Plan(ctx, org, cy.Year)
		if err != nil {
			return nil, err
		}
		r, err := c.rates(ctx, org, plan.ID, today)
		if err != nil {
			return nil, err
		}
		return &YearRates{Year: cy.Year, Rates: r.Breakdown}, nil
	}
	b, err := c.db.Bilan(ctx, org, cy.ID)
	if ptacycle.ErrorCode(err) == ptacycle.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	switch {
	case b.Rates != nil && b.Rates.Overall.Planned > 0:
		return &YearRates{Year: b.ReviewedYear, FromBilan: true, Rates: *b.Rates}, nil
	case b.ManualRate != nil:
		overall := ptacycle.Rate{Percent: *b.ManualRate, Rounded: int(math.Floor(*b.ManualRate + 0.5))}
		return &YearRates{Year: b.ReviewedYear, FromBilan: true, Manual: true, Rates: ptacycle.RateBreakdown{Overall: overall}}, nil
	}
	return nil, nil
}

// unfinished counts a unit's activities of a plan neither done nor cancelled.
func (c *core) unfinished(ctx context.Context, org, planID, unit int64) (int, error) {
	counts := make([]int, 3)
	for i, status := range []ptacycle.ActivityStatus{"", ptacycle.StatusDone, ptacycle.StatusCancelled} {
		n, err := c.db.CountActivities(ctx, org, postgres.ActivityFilter{PlanID: planID, UnitID: unit, Status: status})
		if err != nil {
			return 0, err
		}
		counts[i] = n
	}
	return counts[0] - counts[1] - counts[2], nil
}

// contribution counts the activities of a plan unit is a partner of, and those done.
func (c *core) contribution(ctx context.Context, org, planID, unit int64) (*Contribution, error) {
	u, err := c.db.Unit(ctx, org, unit)
	if err != nil {
		return nil, err
	}
	mine := &Contribution{Unit: u}
	f := postgres.ActivityFilter{PlanID: planID, PartnerID: unit}
	if mine.Activities, err = c.db.CountActivities(ctx, org, f); err != nil || mine.Activities == 0 {
		return mine, err
	}
	f.Status = ptacycle.StatusDone
	mine.Done, err = c.db.CountActivities(ctx, org, f)
	return mine, err
}

// YearDashboard is the execution of a year's plan as of a day: its rates,
// how many activities are overdue and the first of them.
type YearDashboard struct {
	Year    int
	AsOf    ptacycle.Date
	Rates   ptacycle.RateBreakdown
	Overdue Overdue
}

// Year is the dashboard of the actor's organisation's plan of year, as of asOf.
func (d Dashboard) Year(ctx context.Context, a Actor, year int, asOf ptacycle.Date) (YearDashboard, error) {
	y, err := Cycles(d).Of(ctx, a, year)
	if err != nil {
		return YearDashboard{}, err
	}
	plan, err := d.db.Plan(ctx, y.Org.ID, year)
	if err != nil {
		return YearDashboard{}, err
	}
	r, err := d.rates(ctx, y.Org.ID, plan.ID, asOf)
	if err != nil {
		return YearDashboard{}, err
	}
	out := YearDashboard{Year: y.Year, AsOf: asOf, Rates: r.Breakdown, Overdue: Overdue{Count: r.Overdue, First: []ptacycle.Activity{}}}
	if r.Overdue > 0 {
		out.Overdue.First, err = d.db.Activities(ctx, y.Org.ID, postgres.ActivityFilter{PlanID: plan.ID, OverdueAsOf: asOf, Limit: yearOverdueListed})
	}
	return out, err
}

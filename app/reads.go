package app

import (
	"cmp"
	"context"

	"github.com/ptacycle/ptacycle"
)

// What the pages' reads share: the names activities point at, a plan's
// rates, the current year, whether execution has opened.

// Memo keeps what is costly to compute for a short while: load computes it
// when nothing fresh is kept, and its error is returned, never kept.
type Memo interface {
	Rates(planID int64, asOf ptacycle.Date, load func() (Rates, error)) (Rates, error)
}

// noMemo keeps nothing.
type noMemo struct{}

func (noMemo) Rates(_ int64, _ ptacycle.Date, load func() (Rates, error)) (Rates, error) {
	return load()
}

// Rates are a plan's execution rates as of a day, and how many of its
// activities are overdue then.
type Rates struct {
	Breakdown ptacycle.RateBreakdown
	Overdue   int
}

// rates computes the rates of plan planID as of asOf, through the memo:
// over 10,000 activities the aggregate takes about 10 ms of a core.
func (c *core) rates(ctx context.Context, org, planID int64, asOf ptacycle.Date) (Rates, error) {
	return c.memo.Rates(planID, asOf, func() (Rates, error) {
		// Readers waiting on the same computation outlive a cancelled one.
		b, overdue, err := c.db.PlanRates(context.WithoutCancel(ctx), org, planID, asOf)
		return Rates{Breakdown: b, Overdue: overdue}, err
	})
}

// Directory is what a page needs to name what activities point at: the
// organisation's units and regions (by name), and its people's names by id —
// names only, which every reader of a cycle may see; the directory of people
// itself is for those who may read it (ReadUsers).
type Directory struct {
	Units   []ptacycle.Unit
	Regions []ptacycle.Region
	People  map[int64]string
}

// directory reads org's directory.
func (c *core) directory(ctx context.Context, org int64) (Directory, error) {
	users, err := c.db.Users(ctx, org, "")
	if err != nil {
		return Directory{}, err
	}
	d := Directory{People: make(map[int64]string, len(users))}
	for _, u := range users {
		d.People[u.ID] = u.FullName
	}
	if d.Units, err = c.db.Units(ctx, org); err != nil {
		return d, err
	}
	d.Regions, err = c.db.Regions(ctx, org)
	return d, err
}

// currentYear is the year of org's open cycle (else its latest), 0 without any.
func (c *core) currentYear(ctx context.Context, org int64) (int, error) {
	cycles, err := c.db.Cycles(ctx, org)
	if err != nil || len(cycles) == 0 {
		return 0, err
	}
	for _, cy := range cycles {
		if cy.Stage != ptacycle.StageClosed {
			return cy.Year, nil
		}
	}
	return cycles[0].Year, nil
}

// executionOpen reports whether a version of plan planID was approved:
// progress is reported from then on.
func (c *core) executionOpen(ctx context.Context, org, planID int64) (bool, error) {
	versions, err := c.db.PlanVersions(ctx, org, planID)
	for _, v := range versions {
		if v.Status == string(ptacycle.PlanApproved) {
			return true, err
		}
	}
	return false, err
}

// Layout is what every page shows around its content: the organisation's
// short name and the year its navigation leads to.
type Layout struct {
	Organisation string // its acronym, else its name
	Year         int    // the open cycle's year, else the latest; 0 without any
}

// Layout reads the actor's layout.
func (c Account) Layout(ctx context.Context, a Actor) (Layout, error) {
	o, err := c.db.Organisation(ctx, a.org())
	if err != nil {
		return Layout{}, err
	}
	l := Layout{Organisation: cmp.Or(o.Acronym, o.Name)}
	l.Year, err = c.currentYear(ctx, a.org())
	return l, err
}

package app

import (
	"context"

	"github.com/ptacycle/ptacycle"
)

// The reads of the bilan and recommendations stages: their pages and the bilan's report.

// BilanData is the bilan page's: the cycle with the workflow's status, and its bilan.
type BilanData struct {
	View
	Bilan ptacycle.Bilan
}

// BilanPage reads the bilan of the actor's cycle of year for its page.
func (c Cycles) BilanPage(ctx context.Context, a Actor, year int) (BilanData, error) {
	y, err := c.Of(ctx, a, year)
	if err != nil {
		return BilanData{}, err
	}
	b, err := c.db.Bilan(ctx, y.Org.ID, y.Cycle.ID)
	if err != nil {
		return BilanData{}, err
	}
	return BilanData{View: c.view(ctx, y.Org, y.Cycle), Bilan: b}, nil
}

// BilanReport assembles the report of the bilan of the actor's cycle of
// year: its rates, its workshop, the recommendations and the plan's actions answering them.
func (c Cycles) BilanReport(ctx context.Context, a Actor, year int) (ptacycle.BilanReport, error) {
	y, err := c.Of(ctx, a, year)
	if err != nil {
		return ptacycle.BilanReport{}, err
	}
	b, err := c.db.Bilan(ctx, y.Org.ID, y.Cycle.ID)
	if err != nil {
		return ptacycle.BilanReport{}, err
	}
	plan, err := c.db.Plan(ctx, y.Org.ID, y.Year)
	if err != nil {
		return ptacycle.BilanReport{}, err
	}
	content, err := c.db.PlanContent(ctx, y.Org.ID, plan.ID)
	if err != nil {
		return ptacycle.BilanReport{}, err
	}
	units, err := c.db.Units(ctx, y.Org.ID)
	r := ptacycle.NewBilanReport(y.Org, y.Year, b, content, units)
	r.RecommendationsFrozen = ptacycle.RecommendationsFrozen(y.Cycle.Stage, content.Recommendations)
	return r, err
}

// RecommendationsData is the recommendations page's: the list, the units
// it may address, the plan's actions that may answer it.
type RecommendationsData struct {
	Year
	StatusError     string // why the workflow did not answer
	Recommendations []ptacycle.Recommendation
	Units           []ptacycle.Unit
	Actions         []ptacycle.Action
}

// Page reads the recommendations of the actor's cycle of year for their page.
func (r Recommendations) Page(ctx context.Context, a Actor, year int) (RecommendationsData, error) {
	y, err := Cycles(r).Of(ctx, a, year)
	if err != nil {
		return RecommendationsData{}, err
	}
	data := RecommendationsData{Year: y}
	if data.Recommendations, err = r.db.Recommendations(ctx, y.Org.ID, y.Cycle.ID); err != nil {
		return data, err
	}
	if data.Units, err = r.db.Units(ctx, y.Org.ID); err != nil {
		return data, err
	}
	plan, err := r.db.Plan(ctx, y.Org.ID, y.Year)
	if err != nil {
		return data, err
	}
	if data.Actions, err = r.db.Actions(ctx, y.Org.ID, plan.ID); err != nil {
		return data, err
	}
	data.StatusError = r.view(ctx, y.Org, y.Cycle).StatusError
	return data, nil
}

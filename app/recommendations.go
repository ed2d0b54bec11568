package app

import (
	"context"

	"github.com/ptacycle/ptacycle"
)

// Recommendations are the coordinators' list of what last year's bilan
// recommends: written at the bilan and recommendations stages, frozen by
// their adoption (the store's rule), and answered by actions of the plan
// while it is drafted.
type Recommendations struct{ *core }

// recommendationStages are the stages at which the list is written.
var recommendationStages = []ptacycle.Stage{ptacycle.StageRecommendations, ptacycle.StageBilan}

// List is the recommendations of year, with the actions answering them.
func (r Recommendations) List(ctx context.Context, a Actor, year int) ([]ptacycle.Recommendation, error) {
	y, err := Cycles(r).Of(ctx, a, year)
	if err != nil {
		return nil, err
	}
	return r.db.Recommendations(ctx, y.Org.ID, y.Cycle.ID)
}

// Create adds a recommendation at the end of year's list.
func (r Recommendations) Create(ctx context.Context, a Actor, year int, rec ptacycle.Recommendation) (ptacycle.Recommendation, error) {
	if err := a.may(EditRecommendations); err != nil {
		return rec, err
	}
	y, err := r.year(ctx, a, year)
	if err != nil {
		return rec, err
	}
	if err := requireStage(y.Cycle, recommendationStages...); err != nil {
		return rec, err
	}
	if err := r.unitOf(ctx, a, rec.UnitID); err != nil {
		return rec, err
	}
	rec.ID, rec.CycleID, rec.Adopted, rec.AdoptedAt, rec.ActionIDs = 0, y.Cycle.ID, false, nil, nil
	return r.db.CreateRecommendation(ctx, a.audit(), rec)
}

// Update changes a recommendation's text, unit and priority.
func (r Recommendations) Update(ctx context.Context, a Actor, rec ptacycle.Recommendation) (ptacycle.Recommendation, error) {
	if _, err := r.open(ctx, a, rec.ID); err != nil {
		return rec, err
	}
	if err := r.unitOf(ctx, a, rec.UnitID); err != nil {
		return rec, err
	}
	if rec.Priority == "" {
		rec.Priority = ptacycle.PriorityMedium
	}
	return r.db.UpdateRecommendation(ctx, a.audit(), rec)
}

// Delete removes a recommendation; it answers the year of its cycle.
func (r Recommendations) Delete(ctx context.Context, a Actor, id int64) (int, error) {
	y, err := r.open(ctx, a, id)
	if err != nil {
		return y.Year, err
	}
	return y.Year, r.db.DeleteRecommendation(ctx, a.audit(), id)
}

// open reads the cycle of recommendation id for a change of the list; the
// store refuses the change once the list is adopted (which ends its stages).
func (r Recommendations) open(ctx context.Context, a Actor, id int64) (Year, error) {
	if err := a.may(EditRecommendations); err != nil {
		return Year{}, err
	}
	year, err := r.db.YearOfRecommendation(ctx, a.org(), id)
	if err != nil {
		return Year{}, err
	}
	return r.year(ctx, a, year)
}

// Link sets the actions of the plan that answer recommendation id, while
// the plan is drafted; it answers the year of its cycle.
func (r Recommendations) Link(ctx context.Context, a Actor, id int64, actionIDs []int64) (int, error) {
	if err := a.may(EditPlan); err != nil {
		return 0, err
	}
	year, err := r.db.YearOfRecommendation(ctx, a.org(), id)
	if err != nil {
		return 0, err
	}
	if _, err := r.draftOfYear(ctx, a, year); err != nil {
		return year, err
	}
	if actionIDs == nil {
		actionIDs = []int64{}
	}
	return year, r.db.LinkRecommendation(ctx, a.audit(), id, actionIDs)
}

// unitOf checks that a recommendation's unit, if any, is one of the actor's organisation.
func (c *core) unitOf(ctx context.Context, a Actor, id *int64) error {
	if id == nil {
		return nil
	}
	if _, err := c.db.Unit(ctx, a.org(), *id); ptacycle.ErrorCode(err) != ptacycle.ENOTFOUND {
		return err
	}
	var v ptacycle.Validation
	v.Add("unitId", "Structure inconnue dans l'organisation", "Unknown unit in the organisation")
	return v.Err()
}

// Bilan is year's bilan.
func (c Cycles) Bilan(ctx context.Context, a Actor, year int) (ptacycle.Bilan, error) {
	y, err := c.Of(ctx, a, year)
	if err != nil {
		return ptacycle.Bilan{}, err
	}
	return c.db.Bilan(ctx, y.Org.ID, y.Cycle.ID)
}

// SaveBilan records year's workshop, lessons, difficulties and challenges,
// at the bilan stage; b.Version is the version the editor read. Its rates
// are the cycle's, never the client's.
func (c Cycles) SaveBilan(ctx context.Context, a Actor, year int, b ptacycle.Bilan) (ptacycle.Bilan, error) {
	if err := a.may(EditBilan); err != nil {
		return b, err
	}
	y, err := c.year(ctx, a, year)
	if err != nil {
		return b, err
	}
	if err := requireStage(y.Cycle, ptacycle.StageBilan); err != nil {
		return b, err
	}
	b.CycleID = y.Cycle.ID
	return c.db.UpdateBilan(ctx, a.audit(), b)
}

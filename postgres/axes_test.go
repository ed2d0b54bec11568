package postgres_test

import (
	"context"
	"testing"

	"github.com/ptacycle/ptacycle"
)

// TestActionsKeepToTheirOrganisationsAxes: an action cannot be attached to
// another organisation's axis, neither created nor edited so, and the
// refusal names the field. Failed before: actions.axis_id was a plain
// foreign key, and an organisation read CNLTP's axis titles on its dashboard.
func TestActionsKeepToTheirOrganisationsAxes(t *testing.T) {
	ctx := context.Background()
	mine := mustFixture(t, "mon-comite")
	theirs := mustFixture(t, "leur-comite", mine.db)
	strategy, err := theirs.db.CreateStrategy(ctx, theirs.actor, ptacycle.Strategy{Title: "Stratégie nationale", StartYear: 2021, EndYear: 2025,
		Axes: []ptacycle.Axis{{Code: "A1", Title: "Prévention"}}})
	if err != nil {
		t.Fatal(err)
	}
	foreign := strategy.Axes[0].ID
	refusedOnAxis := func(what string, err error) {
		t.Helper()
		e, ok := err.(*ptacycle.Error)
		if !ok || e.Code != ptacycle.EINVALID || len(e.Fields) != 1 || e.Fields[0].Field != "axisId" {
			t.Errorf("%s with another organisation's axis: %v, want EINVALID on axisId", what, err)
		}
	}
	_, err = mine.db.CreateAction(ctx, mine.actor, ptacycle.Action{PlanID: mine.plan.ID, AxisID: &foreign, Code: "2.1", Title: "Prévenir"})
	refusedOnAxis("creating an action", err)
	edited := mine.action
	edited.AxisID = &foreign
	_, err = mine.db.UpdateAction(ctx, mine.actor, edited)
	refusedOnAxis("editing an action", err)
	var attached int
	if err := mine.db.Pool.QueryRow(ctx, `SELECT count(*) FROM actions WHERE axis_id = $1`, foreign).Scan(&attached); err != nil || attached != 0 {
		t.Errorf("%d actions hold another organisation's axis (%v)", attached, err)
	}

	// Its own axis is taken.
	own, err := mine.db.CreateStrategy(ctx, mine.actor, ptacycle.Strategy{Title: "Notre stratégie", StartYear: 2021, EndYear: 2025,
		Axes: []ptacycle.Axis{{Code: "A1", Title: "Protection"}}})
	if err != nil {
		t.Fatal(err)
	}
	if a, err := mine.db.CreateAction(ctx, mine.actor, ptacycle.Action{PlanID: mine.plan.ID, AxisID: &own.Axes[0].ID, Code: "2.1", Title: "Protéger"}); err != nil || a.AxisID == nil {
		t.Errorf("an action on its own organisation's axis: %+v, %v", a, err)
	}
}

// TestCreatedActivityCarriesNothingOver: an activity created with a client's
// carriedOverFrom (another organisation's activity here) does not keep it;
// only carrying over sets it. Failed before: the id was stored as sent.
func TestCreatedActivityCarriesNothingOver(t *testing.T) {
	ctx := context.Background()
	mine := mustFixture(t, "mon-comite")
	theirs := mustFixture(t, "leur-comite", mine.db)
	a, err := mine.db.CreateActivity(ctx, mine.actor, ptacycle.Activity{ActionID: mine.action.ID, Code: "1.1.2", Title: "Sensibiliser",
		ResponsibleUnitID: &mine.unit.ID, StartDate: mine.activity.StartDate, DueDate: mine.activity.DueDate, CarriedOverFrom: &theirs.activity.ID})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := mine.db.Activity(ctx, mine.org.ID, a.ID)
	if err != nil || a.CarriedOverFrom != nil || stored.CarriedOverFrom != nil {
		t.Errorf("created activity carries over %v (stored %v, %v)", a.CarriedOverFrom, stored.CarriedOverFrom, err)
	}
}

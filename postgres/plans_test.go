package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

func TestCarryOver(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t, "cnltp") // its 2024 plan holds activity 1.1.1
	done, err := f.db.CreateActivity(ctx, f.actor, ptacycle.Activity{ActionID: f.action.ID, Code: "1.1.2", Title: "Déjà faite",
		DueDate: ptacycle.NewDate(2024, time.May, 31)})
	must(t, err)
	setExecution(t, f.db, done.ID, ptacycle.StatusDone, 100)
	leap, err := f.db.CreateActivity(ctx, f.actor, ptacycle.Activity{ActionID: f.action.ID, Code: "1.1.3", Title: "Bissextile",
		DueDate: ptacycle.NewDate(2024, time.February, 29)})
	must(t, err)
	_, err = f.db.CreateCycle(ctx, f.actor, ptacycle.Cycle{Year: 2025, WorkflowID: "cycle/cnltp/2025", Deadlines: ptacycle.DefaultDeadlines(2025)})
	must(t, err)
	plan, err := f.db.Plan(ctx, f.org.ID, 2025)
	must(t, err)

	t.Run("ErrFinishedActivity", func(t *testing.T) {
		_, err := f.db.CarryOver(ctx, f.actor, plan.ID, []int64{f.activity.ID, done.ID})
		wantCode(t, err, ptacycle.EINVALID)
		if !strings.Contains(err.Error(), "inachevées du PTA 2024") {
			t.Errorf("message %q", err)
		}
		if n, _ := f.db.CountActivities(ctx, f.org.ID, postgres.ActivityFilter{PlanID: plan.ID}); n != 0 {
			t.Errorf("%d activities written by a refused carry-over", n)
		}
	})
	carried, err := f.db.CarryOver(ctx, f.actor, plan.ID, []int64{f.activity.ID, leap.ID})
	must(t, err)
	if len(carried) != 2 {
		t.Fatalf("carried %d activities, want 2", len(carried))
	}
	a := carried[0]
	if a.CarriedOverFrom == nil || *a.CarriedOverFrom != f.activity.ID || a.Code != "1.1.1" || a.Status != ptacycle.StatusNotStarted ||
		a.DueDate != ptacycle.NewDate(2025, time.June, 30) || len(a.RegionIDs) != 1 || a.OwnerID == nil {
		t.Errorf("carried activity = %+v", a)
	}
	if carried[1].DueDate != ptacycle.NewDate(2025, time.February, 28) {
		t.Errorf("29 February carried to %s", carried[1].DueDate)
	}
	actions, _ := f.db.Actions(ctx, f.org.ID, plan.ID)
	if len(actions) != 1 || actions[0].Code != "1.1" || actions[0].Title != f.action.Title {
		t.Errorf("actions of the new plan = %+v", actions)
	}
	again, err := f.db.CarryOver(ctx, f.actor, plan.ID, []int64{f.activity.ID})
	if err != nil || len(again) != 0 {
		t.Errorf("carrying over twice: %v, %v", again, err)
	}
}

func TestEditActionsAndRecommendations(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t, "cnltp")
	t.Run("ErrDeleteActionWithActivities", func(t *testing.T) {
		err := f.db.DeleteAction(ctx, f.actor, f.action.ID)
		wantCode(t, err, ptacycle.ECONFLICT)
	})
	a := f.action
	a.Title = "Renforcer les capacités des acteurs"
	updated, err := f.db.UpdateAction(ctx, f.actor, a)
	must(t, err)
	if updated.Title != a.Title || updated.Position != f.action.Position {
		t.Errorf("UpdateAction = %+v", updated)
	}
	empty, err := f.db.CreateAction(ctx, f.actor, ptacycle.Action{PlanID: f.plan.ID, Code: "9.9", Title: "Vide"})
	must(t, err)
	must(t, f.db.DeleteAction(ctx, f.actor, empty.ID))
	if actions, _ := f.db.Actions(ctx, f.org.ID, f.plan.ID); len(actions) != 1 {
		t.Errorf("%d actions after deleting the empty one", len(actions))
	}

	r, err := f.db.CreateRecommendation(ctx, f.actor, ptacycle.Recommendation{CycleID: f.cycle.ID, Text: "Brouillon"})
	must(t, err)
	r.Text, r.Priority = "Doter le CNLTP d'un budget de fonctionnement", ptacycle.PriorityHigh
	r, err = f.db.UpdateRecommendation(ctx, f.actor, r)
	must(t, err)
	list, _ := f.db.Recommendations(ctx, f.org.ID, f.cycle.ID)
	if len(list) != 1 || list[0].Text != r.Text || list[0].Priority != ptacycle.PriorityHigh {
		t.Errorf("recommendations = %+v", list)
	}
	must(t, f.db.AdoptRecommendations(ctx, f.actor, f.cycle.ID, []int64{r.ID}))
	t.Run("ErrFrozen", func(t *testing.T) {
		_, err := f.db.UpdateRecommendation(ctx, f.actor, r)
		wantCode(t, err, ptacycle.ECONFLICT)
		wantCode(t, f.db.DeleteRecommendation(ctx, f.actor, r.ID), ptacycle.ECONFLICT)
	})
}

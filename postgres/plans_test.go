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

func TestImportPlan(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t, "cnltp") // its 2024 draft plan holds action 1.1 and activity 1.1.1
	other := mustFixture(t, "autre", f.db)
	axisless := ptacycle.PlanImport{
		Actions: []ptacycle.Action{{Code: "1.1", Title: "Renforcer les capacités"}, {Code: "2.1", Title: "Sensibiliser"}},
		Activities: []ptacycle.ImportedActivity{
			{ActionCode: "1.1", Activity: ptacycle.Activity{Code: "1.1.2", Title: "Former les magistrats", ResponsibleUnitID: &f.unit.ID,
				PartnerUnitIDs: []int64{f.unit.ID}, RegionIDs: []int64{f.region.ID}, DueDate: ptacycle.NewDate(2024, time.September, 30), BudgetXOF: 2_500_000}},
			{ActionCode: "2.1", Activity: ptacycle.Activity{Code: "2.1.1", Title: "Campagne radio", Illustrative: true,
				ResponsibleUnitID: &f.unit.ID, DueDate: ptacycle.NewDate(2024, time.December, 15)}},
		},
	}
	countAll := func(plan int64) int {
		t.Helper()
		n, err := f.db.CountActivities(ctx, f.org.ID, postgres.ActivityFilter{PlanID: plan})
		must(t, err)
		return n
	}

	for name, tc := range map[string]struct {
		in   func() ptacycle.PlanImport
		code string
	}{
		"ErrDuplicateCode": {func() ptacycle.PlanImport {
			in := axisless
			in.Activities = append([]ptacycle.ImportedActivity{}, in.Activities...)
			in.Activities = append(in.Activities, ptacycle.ImportedActivity{ActionCode: "1.1", Activity: ptacycle.Activity{Code: "1.1.1", Title: "Déjà là"}})
			return in
		}, ptacycle.ECONFLICT},
		"ErrUnitOfAnotherOrganisation": {func() ptacycle.PlanImport {
			in := axisless
			in.Activities = []ptacycle.ImportedActivity{in.Activities[1], {ActionCode: "1.1", Activity: ptacycle.Activity{Code: "1.1.9", Title: "Ailleurs", ResponsibleUnitID: &other.unit.ID}}}
			return in
		}, ptacycle.EINVALID},
		"ErrUnknownAction": {func() ptacycle.PlanImport {
			in := axisless
			in.Activities = []ptacycle.ImportedActivity{{ActionCode: "9.9", Activity: ptacycle.Activity{Code: "9.9.1", Title: "Orpheline"}}}
			return in
		}, ptacycle.EINVALID},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := f.db.ImportPlan(ctx, f.actor, f.plan.ID, tc.in())
			wantCode(t, err, tc.code)
			actions, _ := f.db.Actions(ctx, f.org.ID, f.plan.ID)
			if n := countAll(f.plan.ID); n != 1 || len(actions) != 1 {
				t.Errorf("a refused import left %d activities and %d actions, want the 1 and 1 there before", n, len(actions))
			}
		})
	}

	actions, activities, err := f.db.ImportPlan(ctx, f.actor, f.plan.ID, axisless)
	must(t, err)
	if actions != 1 || activities != 2 || countAll(f.plan.ID) != 3 {
		t.Errorf("imported %d actions and %d activities (plan now holds %d), want 1 new action (1.1 kept) and 2 activities", actions, activities, countAll(f.plan.ID))
	}
	list, err := f.db.Activities(ctx, f.org.ID, postgres.ActivityFilter{PlanID: f.plan.ID})
	must(t, err)
	byCode := map[string]ptacycle.Activity{}
	for _, a := range list {
		byCode[a.Code] = a
	}
	if a := byCode["1.1.2"]; a.ActionID != f.action.ID || len(a.PartnerUnitIDs) != 1 || len(a.RegionIDs) != 1 || a.BudgetXOF != 2_500_000 {
		t.Errorf("1.1.2 = %+v, want it under the existing action 1.1 with its partner, region and budget", a)
	}
	if !byCode["2.1.1"].Illustrative {
		t.Errorf("2.1.1 lost its illustrative mark")
	}
	if n := auditCount(t, f, "plan", f.plan.ID, "import"); n != 1 {
		t.Errorf("%d import audit entries, want 1", n)
	}

	t.Run("ErrPlanSubmitted", func(t *testing.T) {
		_, err := f.db.FreezePlan(ctx, f.actor, f.plan.ID)
		must(t, err)
		in := ptacycle.PlanImport{Actions: []ptacycle.Action{{Code: "3.1", Title: "Tard"}},
			Activities: []ptacycle.ImportedActivity{{ActionCode: "3.1", Activity: ptacycle.Activity{Code: "3.1.1", Title: "Trop tard"}}}}
		_, _, err = f.db.ImportPlan(ctx, f.actor, f.plan.ID, in)
		wantCode(t, err, ptacycle.ECONFLICT)
		if n := countAll(f.plan.ID); n != 3 {
			t.Errorf("plan holds %d activities after a refused import, want 3", n)
		}
	})
}

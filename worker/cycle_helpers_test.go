package worker_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/internal/searchattrs"
	"github.com/ptacycle/ptacycle/workflows"
)

type demoOrg struct {
	org                          ptacycle.Organisation
	coordinator, approver, owner ptacycle.User
	tonkpi                       int64
}

func loadDemo(t *testing.T, s *stack) demoOrg {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.LoadOrganisation(ctx, s.db); err != nil {
		t.Fatal(err)
	}
	var d demoOrg
	d.org, _ = s.db.OrganisationBySlug(ctx, demo.Slug)
	user := func(email string) ptacycle.User {
		u, _, err := s.db.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	d.coordinator, d.approver, d.owner = user("coordonnateur@cnltp.demo"), user("valideur@cnltp.demo"), user("responsable.tonkpi@cnltp.demo")
	units, _ := s.db.Units(ctx, d.org.ID)
	for _, u := range units {
		if u.Name == "CRLTP Tonkpi" {
			d.tonkpi = u.ID
		}
	}
	return d
}

// smallPlan gives year's plan one action and two activities due on 15 December.
func smallPlan(t *testing.T, s *stack, d demoOrg, year int) []ptacycle.Activity {
	t.Helper()
	ctx := context.Background()
	plan, err := s.db.Plan(ctx, d.org.ID, year)
	if err != nil {
		t.Fatal(err)
	}
	actor := ptacycle.UserActor(d.coordinator)
	action, err := s.db.CreateAction(ctx, actor, ptacycle.Action{PlanID: plan.ID, Code: "1.1", Title: "Renforcer les capacités de la chaîne pénale"})
	if err != nil {
		t.Fatal(err)
	}
	var out []ptacycle.Activity
	for i := range 2 {
		a, err := s.db.CreateActivity(ctx, actor, ptacycle.Activity{ActionID: action.ID, Code: fmt.Sprintf("1.1.%d", i+1),
			Title: fmt.Sprintf("Activité %d (illustrative)", i+1), Illustrative: true, ResponsibleUnitID: &d.tonkpi, OwnerID: &d.owner.ID,
			StartDate: ptacycle.NewDate(year, time.January, 15), DueDate: ptacycle.NewDate(year, time.December, 15)})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func startCycle(t *testing.T, s *stack, d demoOrg, year int) string {
	t.Helper()
	wfID := ptacycle.CycleWorkflowID(demo.Slug, year)
	// A minute rather than the SDK's 10 s per call: the tests run side by side, each with its Temporal server.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := s.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wfID, TaskQueue: ptacycle.TaskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(searchattrs.Organisation.ValueSet(demo.Slug),
			searchattrs.Year.ValueSet(int64(year)), searchattrs.Stage.ValueSet(string(ptacycle.StageBilan)))},
		ptacycle.CycleWorkflowName, workflows.CycleInput{OrganisationID: d.org.ID, OrganisationSlug: demo.Slug, Year: year, LaunchedBy: &d.coordinator.ID})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the cycle to open", func() bool { return s.status(t, wfID).Opened })
	return wfID
}

// runRetroactiveYear takes a year already over from its launch to its closing by the coordinator.
func runRetroactiveYear(t *testing.T, s *stack, d demoOrg, year int) string {
	t.Helper()
	wfID := startCycle(t, s, d, year)
	s.mustUpdate(t, wfID, fmt.Sprintf("close-bilan-%d", year), workflows.UpdateCloseBilan, workflows.CloseBilanRequest{UserID: d.coordinator.ID})
	s.mustUpdate(t, wfID, fmt.Sprintf("adopt-%d", year), workflows.UpdateAdoptRecommendations, workflows.AdoptRecommendationsRequest{UserID: d.coordinator.ID})
	smallPlan(t, s, d, year)
	s.mustUpdate(t, wfID, fmt.Sprintf("submit-%d", year), workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: d.coordinator.ID})
	s.mustUpdate(t, wfID, fmt.Sprintf("approve-%d", year), workflows.UpdateDecide, workflows.DecideRequest{UserID: d.approver.ID, Level: 1, Version: 1, Outcome: ptacycle.OutcomeApproved})
	s.mustUpdate(t, wfID, fmt.Sprintf("close-%d", year), workflows.UpdateCloseCycle, workflows.CloseCycleRequest{UserID: d.coordinator.ID, Unfinished: 2})
	var res workflows.CycleResult
	if err := s.c.GetWorkflow(context.Background(), wfID, "").Get(context.Background(), &res); err != nil {
		t.Fatal(err)
	}
	return wfID
}

package worker_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.temporal.io/server/temporaltest"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/internal/searchattrs"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/postgres/pgtest"
	"github.com/ptacycle/ptacycle/worker"
	"github.com/ptacycle/ptacycle/workflows"
)

const benchActivities = 10_000

// mustBigPlan loads the demo organisation and gives its plan of year n
// activities (copied in bulk), all approved, owned by the Tonkpi cell.
func mustBigPlan(tb testing.TB, db *postgres.DB, year, n int) (ptacycle.Organisation, ptacycle.Plan) {
	tb.Helper()
	ctx := context.Background()
	if _, err := demo.LoadOrganisation(ctx, db); err != nil {
		tb.Fatal(err)
	}
	org, _ := db.OrganisationBySlug(ctx, demo.Slug)
	actor := ptacycle.SystemActor(org.ID)
	c, err := db.CreateCycle(ctx, actor, ptacycle.Cycle{Year: year, WorkflowID: fmt.Sprintf("bench/%d", year), Deadlines: ptacycle.DefaultDeadlines(year)})
	if err != nil {
		tb.Fatal(err)
	}
	plan, _ := db.Plan(ctx, org.ID, year)
	action, err := db.CreateAction(ctx, actor, ptacycle.Action{PlanID: plan.ID, Code: "1", Title: "Action de charge"})
	if err != nil {
		tb.Fatal(err)
	}
	units, _ := db.Units(ctx, org.ID)
	rows := make([][]any, n)
	due := ptacycle.NewDate(year, time.December, 15)
	for i := range rows {
		rows[i] = []any{org.ID, plan.ID, action.ID, fmt.Sprintf("1.%05d", i), fmt.Sprintf("Activité de charge %d", i), units[i%len(units)].ID, due}
	}
	if _, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"activities"},
		[]string{"organisation_id", "plan_id", "action_id", "code", "title", "responsible_unit_id", "due_date"}, pgx.CopyFromRows(rows)); err != nil {
		tb.Fatal(err)
	}
	_ = c
	return org, plan
}

// noop is the baseline workflow: started, never run (no worker polls during the measure).
func noop(workflow.Context) error { return nil }

// BenchmarkExecutionStart measures what launching execution costs for a
// 10,000-activity plan — the StartFollowUps activity reading the plan and
// starting one follow-up per activity — next to starting 10,000 bare
// workflows on the same in-process server with the same concurrency. It
// reports both and their ratio (goal: at most 1.3).
func BenchmarkExecutionStart(b *testing.B) {
	ctx := context.Background()
	db := pgtest.MustDB(b)
	org, plan := mustBigPlan(b, db, 2024, benchActivities)
	ts := temporaltest.NewServer()
	defer ts.Stop()
	c := ts.GetDefaultClient()
	acts := &activities.Activities{DB: db, Temporal: c, Clock: time.Now}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment() // an activity context for the real activity, outside a worker
	env.RegisterActivity(acts)
	var bare, followUps time.Duration
	for i := range b.N {
		t0 := time.Now()
		var wg sync.WaitGroup
		sem := make(chan struct{}, 32) // the concurrency StartFollowUps uses
		for j := range benchActivities {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("bare/%d/%d", i, j), TaskQueue: "bench-bare"}, noop); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
		bare += time.Since(t0)

		t0 = time.Now()
		v, err := env.ExecuteActivity(acts.StartFollowUps, activities.FollowUpsInput{OrganisationID: org.ID, OrganisationSlug: fmt.Sprintf("bench%d", i),
			Year: 2024, PlanID: plan.ID, Policy: activities.DefaultReminderPolicy()})
		started := 0
		if err == nil {
			err = v.Get(&started)
		}
		if err != nil || started != benchActivities {
			b.Fatalf("StartFollowUps = %d, %v", started, err)
		}
		followUps += time.Since(t0)
	}
	b.ReportMetric(float64(bare.Milliseconds())/float64(b.N), "bare-ms/op")
	b.ReportMetric(float64(followUps.Milliseconds())/float64(b.N), "followups-ms/op")
	b.ReportMetric(float64(followUps)/float64(bare), "ratio")
}

// BenchmarkCycleHistory runs a cycle with a 10,000-activity plan on the real
// server up to execution (the worker running its 10,000 follow-ups) and
// reports the cycle workflow's history length: it must not grow with the plan.
func BenchmarkCycleHistory(b *testing.B) {
	ctx := context.Background()
	db := pgtest.MustDB(b)
	year := time.Now().Year()
	org, plan := mustBigPlan(b, db, year, benchActivities)
	ts := temporaltest.NewServer()
	defer ts.Stop()
	c := ts.GetDefaultClient()
	if err := searchattrs.Ensure(ctx, c, ts.GetDefaultNamespace(), workflows.SearchAttributeTypes()); err != nil {
		b.Fatal(err)
	}
	acts := &activities.Activities{DB: db, Temporal: c, Clock: time.Now}
	w := worker.New(c, acts, sdkworker.Options{})
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	s := &stack{db: db, c: c}
	coordinator, _, _ := db.UserByEmail(ctx, "coordonnateur@cnltp.demo")
	approver, _, _ := db.UserByEmail(ctx, "valideur@cnltp.demo")
	// The bench cycle row exists with another workflow id: point it at this run's.
	wfID := ptacycle.CycleWorkflowID(demo.Slug, year)
	if _, err := db.Pool.Exec(ctx, `UPDATE cycles SET workflow_id = $1 WHERE id = (SELECT cycle_id FROM plans WHERE id = $2)`, wfID, plan.ID); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wfID, TaskQueue: ptacycle.TaskQueue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
			TypedSearchAttributes:    temporal.NewSearchAttributes(workflows.OrganisationAttribute.ValueSet(demo.Slug))},
			ptacycle.CycleWorkflowName, workflows.CycleInput{OrganisationID: org.ID, OrganisationSlug: demo.Slug, Year: year}); err != nil {
			b.Fatal(err)
		}
		eventuallyB(b, func() bool { return s.statusB(b, wfID).Opened })
		for _, step := range []struct {
			name string
			arg  any
		}{
			{workflows.UpdateCloseBilan, workflows.CloseBilanRequest{UserID: coordinator.ID}},
			{workflows.UpdateAdoptRecommendations, workflows.AdoptRecommendationsRequest{UserID: coordinator.ID}},
			{workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: coordinator.ID}},
			{workflows.UpdateDecide, workflows.DecideRequest{UserID: approver.ID, Level: 1, Version: 1, Outcome: ptacycle.OutcomeApproved}},
		} {
			h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wfID, UpdateName: step.name, Args: []any{step.arg},
				WaitForStage: client.WorkflowUpdateStageCompleted})
			if err == nil {
				err = h.Get(ctx, nil)
			}
			if err != nil {
				b.Fatalf("%s: %v", step.name, err)
			}
		}
		eventuallyB(b, func() bool { return s.statusB(b, wfID).FollowUps == benchActivities })
	}
	b.StopTimer()
	events := 0
	iter := c.GetWorkflowHistory(ctx, wfID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		if _, err := iter.Next(); err != nil {
			b.Fatal(err)
		}
		events++
	}
	b.ReportMetric(float64(events), "cycle-history-events")
	b.ReportMetric(10240/float64(events), "headroom-x")
}

func eventuallyB(b *testing.B, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(10 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatal("timed out")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *stack) statusB(b *testing.B, wfID string) workflows.CycleStatus {
	var st workflows.CycleStatus
	v, err := s.c.QueryWorkflow(context.Background(), wfID, "", workflows.QueryStatus)
	if err == nil {
		err = v.Get(&st)
	}
	if err != nil {
		b.Logf("query: %v", err)
	}
	return st
}

package worker_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	sdkpb "go.temporal.io/api/sdk/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/workflows"
)

// The paths most live workflows run — a step's reminder timer firing, the
// year-end timer closing a year, a retroactive year, a follow-up's
// reminders, escalation, postponement and continue-as-new — played on the
// real server. With PTACYCLE_RECORD_HISTORIES=1 their histories are written
// under workflows/testdata, where TestReplay replays them against the code.

// TestCycleTimersOnRealStack: a year whose bilan is due seconds after its
// launch (its reminder timer fires) and whose year ends seconds after its
// execution began (the year-end timer closes it, stops its follow-ups and
// starts the next year).
func TestCycleTimersOnRealStack(t *testing.T) {
	if testing.Short() {
		t.Skip("left out of -short: its timers fire in real time (about 20 s); go test ./... runs it")
	}
	t.Parallel()
	ctx := context.Background()
	s := mustStack(t)
	d := loadDemo(t, s)
	year := time.Now().Year() + 2
	opened := time.Now()
	s.RestartWorker(t, map[string]any{
		"OpenCycle": func(ctx context.Context, in activities.OpenCycleInput) (activities.CycleInfo, error) {
			info, err := s.acts.OpenCycle(ctx, in)
			if err == nil && in.Year == year {
				info.BilanDue, info.YearEnd = opened.Add(3*time.Second), opened.Add(20*time.Second)
				info.Reminders.StepBeforeDays = 0
			}
			return info, err
		},
		// Reminder times stay as computed (a run on a weekend would move them back, before now).
		"WorkingDay": func(_ context.Context, in activities.WorkingDayInput) (time.Time, error) { return in.At, nil },
	})
	wfID := startCycle(t, s, d, year)
	cycle, err := s.db.Cycle(ctx, d.org.ID, year)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the bilan's reminder on its due day", func() bool {
		return count(t, s.db, `SELECT count(*) FROM reminders WHERE cycle_id = $1 AND kind = $2`, cycle.ID, activities.KindDueToday) > 0
	})
	s.mustUpdate(t, wfID, "close-bilan", workflows.UpdateCloseBilan, workflows.CloseBilanRequest{UserID: d.coordinator.ID})
	s.mustUpdate(t, wfID, "adopt", workflows.UpdateAdoptRecommendations, workflows.AdoptRecommendationsRequest{UserID: d.coordinator.ID})
	smallPlan(t, s, d, year)
	s.mustUpdate(t, wfID, "submit", workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: d.coordinator.ID})
	if st := s.mustUpdate(t, wfID, "approve", workflows.UpdateDecide, workflows.DecideRequest{UserID: d.approver.ID, Level: 1, Version: 1,
		Outcome: ptacycle.OutcomeApproved}); st.Stage != ptacycle.StageExecution {
		t.Fatalf("after approval: %+v (the year ended too early: the steps took %s)", st, time.Since(opened))
	}
	waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var res workflows.CycleResult
	if err := s.c.GetWorkflow(waitCtx, wfID, "").Get(waitCtx, &res); err != nil {
		t.Fatalf("the year-end timer did not close the year: %v", err)
	}
	if cy, _ := s.db.Cycle(ctx, d.org.ID, year); cy.Stage != ptacycle.StageClosed {
		t.Errorf("after its year ended the cycle is %s", cy.Stage)
	}
	running := func() int {
		resp, err := s.c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: fmt.Sprintf(
			`WorkflowType="%s" AND CycleYear=%d AND ExecutionStatus="Running"`, ptacycle.FollowUpWorkflowName, year)})
		if err != nil {
			t.Fatal(err)
		}
		return int(resp.GetCount())
	}
	eventually(t, "no follow-up of the closed year running", func() bool { return running() == 0 })
	next := ptacycle.CycleWorkflowID(demo.Slug, year+1)
	eventually(t, "the next year opened", func() bool { return s.status(t, next).Opened })
	if err := s.c.TerminateWorkflow(ctx, next, "", "end of test"); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("PTACYCLE_RECORD_HISTORIES") != "" {
		recordHistory(t, s.c, wfID, "cycle-timers.json")
	}
}

// TestFollowUpPathsOnRealStack: in a retroactive year (nobody to remind on
// its own, closed by the coordinator), a follow-up reminding every second
// escalates, continues as new carrying its count, waits while its activity
// is postponed and ends when it is done.
func TestFollowUpPathsOnRealStack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := mustStack(t)
	d := loadDemo(t, s)
	year := 2018
	wfID := startCycle(t, s, d, year)
	s.mustUpdate(t, wfID, "close-bilan", workflows.UpdateCloseBilan, workflows.CloseBilanRequest{UserID: d.coordinator.ID})
	s.mustUpdate(t, wfID, "adopt", workflows.UpdateAdoptRecommendations, workflows.AdoptRecommendationsRequest{UserID: d.coordinator.ID})
	acts := smallPlan(t, s, d, year)
	s.mustUpdate(t, wfID, "submit", workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: d.coordinator.ID})
	s.mustUpdate(t, wfID, "approve", workflows.UpdateDecide, workflows.DecideRequest{UserID: d.approver.ID, Level: 1, Version: 1, Outcome: ptacycle.OutcomeApproved})
	cycle, _ := s.db.Cycle(ctx, d.org.ID, year)

	opts := activities.FollowUpStartOptions(demo.Slug, year, acts[0].ID)
	first, err := s.c.ExecuteWorkflow(ctx, opts, ptacycle.FollowUpWorkflowName, workflows.FollowUpInput{OrganisationID: d.org.ID,
		OrganisationSlug: demo.Slug, Year: year, CycleID: cycle.ID, ActivityID: acts[0].ID, HistoryLimit: 60,
		Policy: activities.ReminderPolicy{ActivityOffsets: []int{14, 3, 0}, OverdueEvery: time.Second, EscalateAfter: 2, ReminderHourOfDay: 8}})
	if err != nil {
		t.Fatal(err)
	}
	reminders := func(kind string) int {
		return count(t, s.db, `SELECT count(*) FROM reminders WHERE activity_id = $1 AND kind = $2 AND channel = 'in_app'`, acts[0].ID, kind)
	}
	latestRun := func() string {
		desc, err := s.c.DescribeWorkflowExecution(ctx, opts.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		return desc.GetWorkflowExecutionInfo().GetExecution().GetRunId()
	}
	eventually(t, "an escalation, and the follow-up continued as new", func() bool {
		return reminders(activities.KindEscalation) > 0 && latestRun() != first.GetRunID()
	})

	signal := func(sql string) {
		t.Helper()
		if _, err := s.db.Pool.Exec(ctx, sql, acts[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.c.SignalWorkflow(ctx, opts.ID, "", workflows.SignalActivityChanged, nil); err != nil {
			t.Fatal(err)
		}
	}
	signal(`UPDATE activities SET status = 'postponed', postponed_to = current_date + 60, version = version + 1 WHERE id = $1`)
	eventually(t, "the follow-up waiting for the postponed date", func() bool {
		v, err := s.c.QueryWorkflow(ctx, opts.ID, "", "__temporal_workflow_metadata")
		if err != nil {
			t.Fatal(err)
		}
		var meta sdkpb.WorkflowMetadata
		return v.Get(&meta) == nil && strings.Contains(meta.GetCurrentDetails(), "postponed")
	})
	signal(`UPDATE activities SET status = 'done', progress = 100, postponed_to = NULL, version = version + 1 WHERE id = $1`)
	last := latestRun()
	var res workflows.FollowUpResult
	if err := s.c.GetWorkflow(ctx, opts.ID, "").Get(ctx, &res); err != nil {
		t.Fatal(err)
	}
	sent := reminders(activities.KindOverdue)
	if res.Status != ptacycle.StatusDone || res.Reminders < sent || res.Reminders == 0 {
		t.Errorf("follow-up result %+v, want done and its %d overdue reminders counted across its runs", res, sent)
	}

	s.mustUpdate(t, wfID, "close", workflows.UpdateCloseCycle, workflows.CloseCycleRequest{UserID: d.coordinator.ID, Unfinished: 1})
	var cres workflows.CycleResult
	if err := s.c.GetWorkflow(ctx, wfID, "").Get(ctx, &cres); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("PTACYCLE_RECORD_HISTORIES") != "" {
		recordRun(t, s.c, opts.ID, first.GetRunID(), "followup-reminders.json")
		recordRun(t, s.c, opts.ID, last, "followup-continued.json")
		recordHistory(t, s.c, wfID, "cycle-retroactive.json")
	}
}

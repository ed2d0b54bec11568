package worker_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	sdkpb "go.temporal.io/api/sdk/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/workflows"
)

// TestFollowUpEndsWithItsCycle terminates a cycle in execution (so that
// nothing stops its follow-ups at closing): a follow-up that reminds every
// second ends by itself at its next reminder time instead of reminding forever.
func TestFollowUpEndsWithItsCycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := mustStack(t)
	d := loadDemo(t, s)
	year := 2019 // a year already over: its cycle starts no follow-up of its own
	wfID := startCycle(t, s, d, year)
	s.mustUpdate(t, wfID, "close-bilan", workflows.UpdateCloseBilan, workflows.CloseBilanRequest{UserID: d.coordinator.ID})
	s.mustUpdate(t, wfID, "adopt", workflows.UpdateAdoptRecommendations, workflows.AdoptRecommendationsRequest{UserID: d.coordinator.ID})
	acts := smallPlan(t, s, d, year)
	s.mustUpdate(t, wfID, "submit", workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: d.coordinator.ID})
	s.mustUpdate(t, wfID, "approve", workflows.UpdateDecide, workflows.DecideRequest{UserID: d.approver.ID, Level: 1, Version: 1, Outcome: ptacycle.OutcomeApproved})
	cycle, _ := s.db.Cycle(ctx, d.org.ID, year)

	// Its due date long past, the activity is reminded every second.
	opts := activities.FollowUpStartOptions(demo.Slug, year, acts[0].ID)
	run, err := s.c.ExecuteWorkflow(ctx, opts, ptacycle.FollowUpWorkflowName, workflows.FollowUpInput{OrganisationID: d.org.ID,
		OrganisationSlug: demo.Slug, Year: year, CycleID: cycle.ID, ActivityID: acts[0].ID,
		Policy: activities.ReminderPolicy{ActivityOffsets: []int{14, 3, 0}, OverdueEvery: time.Second, EscalateAfter: 100, ReminderHourOfDay: 8}})
	if err != nil {
		t.Fatal(err)
	}
	overdue := func() int {
		return count(t, s.db, `SELECT count(*) FROM reminders WHERE activity_id = $1 AND kind = 'overdue' AND channel = 'in_app'`, acts[0].ID)
	}
	eventually(t, "an overdue reminder while the cycle runs", func() bool { return overdue() > 0 })

	if err := s.c.TerminateWorkflow(ctx, wfID, "", "operator error"); err != nil {
		t.Fatal(err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var res workflows.FollowUpResult
	if err := run.Get(waitCtx, &res); err != nil {
		d, _ := s.c.DescribeWorkflowExecution(ctx, opts.ID, "")
		t.Fatalf("the follow-up of a terminated cycle is still %v after its next reminder time: %v", d.GetWorkflowExecutionInfo().GetStatus(), err)
	}
	d2, err := s.c.DescribeWorkflowExecution(ctx, opts.ID, "")
	if err != nil || d2.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Fatalf("follow-up: %v, %v", d2.GetWorkflowExecutionInfo().GetStatus(), err)
	}
	if res.Reminders == 0 || res.Status != ptacycle.StatusNotStarted || !res.CycleOver {
		t.Errorf("follow-up result %+v, want its reminders and the activity's status", res)
	}
}

// TestFollowUpsFoundInTemporalTools: an organisation's follow-ups are listed
// by the query an operator types (temporal workflow list --query
// 'OrganisationSlug="cnltp" AND WorkflowType="FollowUp"'), and each says in
// words what it waits for (the Web UI's "current details"). Failed before:
// the follow-ups carried no search attribute, and said nothing.
func TestFollowUpsFoundInTemporalTools(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := mustStack(t)
	d := loadDemo(t, s)
	year := time.Now().Year()
	wfID := startCycle(t, s, d, year)
	s.mustUpdate(t, wfID, "close-bilan", workflows.UpdateCloseBilan, workflows.CloseBilanRequest{UserID: d.coordinator.ID})
	s.mustUpdate(t, wfID, "adopt", workflows.UpdateAdoptRecommendations, workflows.AdoptRecommendationsRequest{UserID: d.coordinator.ID})
	acts := smallPlan(t, s, d, year)
	s.mustUpdate(t, wfID, "submit", workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: d.coordinator.ID})
	s.mustUpdate(t, wfID, "approve", workflows.UpdateDecide, workflows.DecideRequest{UserID: d.approver.ID, Level: 1, Version: 1, Outcome: ptacycle.OutcomeApproved})

	list := func(query string) map[string]bool {
		ids := map[string]bool{}
		var token []byte
		for {
			resp, err := s.c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range resp.GetExecutions() {
				ids[e.GetExecution().GetWorkflowId()] = true
			}
			if token = resp.GetNextPageToken(); len(token) == 0 {
				return ids
			}
		}
	}
	query := fmt.Sprintf(`OrganisationSlug="%s" AND WorkflowType="%s" AND CycleYear=%d AND ExecutionStatus="Running"`,
		demo.Slug, ptacycle.FollowUpWorkflowName, year)
	eventually(t, "the follow-ups listed by their organisation", func() bool { return len(list(query)) == len(acts) })
	found := list(query)
	for _, a := range acts {
		id := ptacycle.FollowUpWorkflowID(demo.Slug, year, a.ID)
		if !found[id] {
			t.Errorf("follow-up %s not listed by %s", id, query)
		}
		// Its details once it waits (it is listed as soon as it starts).
		details := func() string {
			v, err := s.c.QueryWorkflow(ctx, id, "", "__temporal_workflow_metadata")
			if err != nil {
				t.Fatal(err)
			}
			var meta sdkpb.WorkflowMetadata
			if err := v.Get(&meta); err != nil {
				t.Fatal(err)
			}
			return meta.GetCurrentDetails()
		}
		eventually(t, "follow-up "+id+" to say what it waits for", func() bool { return strings.Contains(details(), "next reminder") })
		if d := details(); !strings.Contains(d, fmt.Sprintf("Activity %d of the %s %d plan", a.ID, demo.Slug, year)) {
			t.Errorf("follow-up %s says %q", id, d)
		}
	}
	if other := list(`OrganisationSlug="autre-comite" AND WorkflowType="FollowUp"`); len(other) != 0 {
		t.Errorf("another organisation's query lists %v", other)
	}
}

package bench

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/workflows"
)

// Temporal's limits on one workflow's history.
const (
	historyEventsWarning = 10_240
	historyEventsLimit   = 51_200
	historyBytesWarning  = 10 << 20
	historyBytesLimit    = 50 << 20
	// followUpContinueAsNew is where a follow-up starts a fresh history (workflows.followUpHistoryLimit).
	followUpContinueAsNew = 2000
)

// remindersPerYear bounds a follow-up's reminders in a year: J−14, J−3 and
// J0, then one a week while overdue — at most 52 for an activity due in
// the first days of January and never done.
const remindersPerYear = 3 + 52

// HistoryResult is the size of the workflows' histories against Temporal's limits.
type HistoryResult struct {
	Activities  int
	CycleEvents int // the cycle's history once its N follow-ups are started
	CycleBytes  int

	FollowUpEvents int // a follow-up waiting for its first reminder
	FollowUpBytes  int
	Reminders      int     // reminders the measured follow-up sent
	ReminderEvents float64 // history added by one reminder (with its escalation)
	ReminderBytes  float64
}

// YearReminders is how many reminders a year holds at most.
func (HistoryResult) YearReminders() int { return remindersPerYear }

// YearEvents is a follow-up's history after a year of reminders.
func (r HistoryResult) YearEvents() float64 {
	return float64(r.FollowUpEvents) + remindersPerYear*r.ReminderEvents
}

// YearBytes is the same in bytes.
func (r HistoryResult) YearBytes() float64 {
	return float64(r.FollowUpBytes) + remindersPerYear*r.ReminderBytes
}

// historySize counts a workflow's events and their encoded size.
func historySize(ctx context.Context, c client.Client, workflowID string) (events, bytes int, types map[enumspb.EventType]int, err error) {
	h := &historypb.History{}
	types = map[enumspb.EventType]int{}
	iter := c.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			return 0, 0, nil, err
		}
		h.Events = append(h.Events, ev)
		types[ev.GetEventType()]++
	}
	return len(h.Events), proto.Size(h), types, nil
}

// eventually polls cond until it holds or d passes.
func eventually(ctx context.Context, d time.Duration, what string, cond func() (bool, error)) error {
	deadline := time.Now().Add(d)
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not after %v", what, d)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// runFollowUpHistories measures a follow-up on the real server: waiting for
// its first reminder, then through reminders sent every second (its
// overdue interval shortened from a week to a second, so that a year of
// reminders takes seconds), each followed to its end by the activity being done.
func runFollowUpHistories(ctx context.Context, s *Stack, org Org, plan ptacycle.Plan, reminders int) (HistoryResult, error) {
	var r HistoryResult
	byOwner, err := ownerActivities(ctx, s.DB, plan.ID)
	if err != nil {
		return r, err
	}
	ids := byOwner[org.Owners[len(org.Owners)-1].ID] // at least two (LoadActivities)
	stop, err := standInCycle(ctx, s, org, plan.ID)
	if err != nil {
		return r, err
	}
	defer stop()
	today := ptacycle.DateOf(time.Now())
	waiting, reminding := ids[0], ids[1]
	quick := activities.DefaultReminderPolicy()
	quick.OverdueEvery = time.Second

	// A follow-up at start: its activity due in two months, it waits for J−14.
	start, err := startFollowUp(ctx, s, org, plan, waiting, today.AddDays(60), activities.DefaultReminderPolicy())
	if err != nil {
		return r, err
	}
	if err := eventually(ctx, time.Minute, "follow-up waiting for its first reminder", func() (bool, error) {
		_, _, types, err := historySize(ctx, s.Temporal, start)
		return types[enumspb.EVENT_TYPE_TIMER_STARTED] > 0, err
	}); err != nil {
		return r, err
	}
	if r.FollowUpEvents, r.FollowUpBytes, _, err = historySize(ctx, s.Temporal, start); err != nil {
		return r, err
	}
	noneEvents, noneBytes, _, err := finishFollowUp(ctx, s, waiting, start)
	if err != nil {
		return r, err
	}

	// The same follow-up, overdue for a month, reminding every second.
	busy, err := startFollowUp(ctx, s, org, plan, reminding, today.AddDays(-30), quick)
	if err != nil {
		return r, err
	}
	if err := eventually(ctx, time.Minute+time.Duration(reminders)*5*time.Second, "reminders", func() (bool, error) {
		var n int
		err := s.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM reminders WHERE activity_id = $1 AND kind = $2 AND channel = 'in_app'`,
			reminding, activities.KindOverdue).Scan(&n)
		return n >= reminders, err
	}); err != nil {
		return r, err
	}
	events, bytes, res, err := finishFollowUp(ctx, s, reminding, busy)
	if err != nil {
		return r, err
	}
	if res.Reminders == 0 {
		return r, fmt.Errorf("the follow-up sent no reminder")
	}
	r.Reminders = res.Reminders
	r.ReminderEvents = float64(events-noneEvents) / float64(res.Reminders)
	r.ReminderBytes = float64(bytes-noneBytes) / float64(res.Reminders)
	return r, nil
}

// standInCycle runs a workflow under the id of the cycle of org's plan, on a
// task queue no worker polls, until stop is called. A follow-up ends when its
// cycle's workflow no longer runs, and the benchmark's cycles are driven by
// none: without it, a follow-up would end at its first reminder.
func standInCycle(ctx context.Context, s *Stack, org Org, planID int64) (stop func(), err error) {
	cycle, err := s.DB.CycleOfPlan(ctx, org.ID, planID)
	if err != nil {
		return nil, err
	}
	if _, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: cycle.WorkflowID, TaskQueue: "bench-unpolled"},
		"BenchCycleStandIn"); err != nil {
		return nil, err
	}
	return func() {
		_ = s.Temporal.TerminateWorkflow(context.WithoutCancel(ctx), cycle.WorkflowID, "", "measure done")
	}, nil
}

// startFollowUp gives activity id its due date and starts a follow-up of it under a benchmark id.
func startFollowUp(ctx context.Context, s *Stack, org Org, plan ptacycle.Plan, id int64, due ptacycle.Date, policy activities.ReminderPolicy) (string, error) {
	if _, err := s.DB.Pool.Exec(ctx, `UPDATE activities SET status = 'in_progress', progress = 10, due_date = $2, start_date = NULL,
		postponed_to = NULL, version = version + 1 WHERE id = $1`, id, due); err != nil {
		return "", err
	}
	workflowID := fmt.Sprintf("bench/followup/%d", id)
	_, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflowID, TaskQueue: ptacycle.TaskQueue},
		ptacycle.FollowUpWorkflowName, activities.FollowUpInput{OrganisationID: org.ID, OrganisationSlug: org.Slug, Year: plan.Year,
			CycleID: plan.CycleID, ActivityID: id, Policy: policy, Cursor: time.Now()})
	return workflowID, err
}

// finishFollowUp marks the activity done, tells its follow-up as the server
// would, and returns the follow-up's whole history once it has ended.
func finishFollowUp(ctx context.Context, s *Stack, id int64, workflowID string) (events, bytes int, res workflows.FollowUpResult, err error) {
	if _, err = s.DB.Pool.Exec(ctx, `UPDATE activities SET status = 'done', progress = 100, version = version + 1 WHERE id = $1`, id); err != nil {
		return
	}
	if err = s.Temporal.SignalWorkflow(ctx, workflowID, "", workflows.SignalActivityChanged, nil); err != nil {
		return
	}
	if err = s.Temporal.GetWorkflow(ctx, workflowID, "").Get(ctx, &res); err != nil {
		return
	}
	events, bytes, _, err = historySize(ctx, s.Temporal, workflowID)
	return
}

// CycleHistory plays org's cycle of year on the real server, through a
// worker polling c's namespace — launch, bilan closed, recommendations
// adopted, a plan of n activities submitted and approved — until its n
// follow-ups are started, and measures the cycle's history. The follow-ups
// then keep the worker busy for a while.
func CycleHistory(ctx context.Context, db *postgres.DB, c client.Client, org Org, year, n int) (events, bytes int, err error) {
	if _, err := c.ExecuteWorkflow(ctx, workflows.CycleStartOptions(org.Slug, year), ptacycle.CycleWorkflowName,
		workflows.CycleInput{OrganisationID: org.ID, OrganisationSlug: org.Slug, Year: year}); err != nil {
		return 0, 0, err
	}
	var status workflows.CycleStatus
	if err := eventually(ctx, time.Minute, "cycle opened", func() (bool, error) {
		status, err = workflows.QueryCycle(ctx, c, org.Slug, year)
		return err == nil && status.Opened, nil
	}); err != nil {
		return 0, 0, err
	}
	plan, err := db.PlanByID(ctx, org.ID, status.PlanID)
	if err != nil {
		return 0, 0, err
	}
	if err := LoadActivities(ctx, db, org, plan, n, false); err != nil {
		return 0, 0, err
	}
	for _, step := range []struct {
		name string
		arg  any
	}{
		{workflows.UpdateCloseBilan, workflows.CloseBilanRequest{UserID: org.Coordinator.ID}},
		{workflows.UpdateAdoptRecommendations, workflows.AdoptRecommendationsRequest{UserID: org.Coordinator.ID}},
		{workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: org.Coordinator.ID}},
		{workflows.UpdateDecide, workflows.DecideRequest{UserID: org.Approver.ID, Level: 1, Version: 1, Outcome: ptacycle.OutcomeApproved}},
	} {
		if _, err := workflows.UpdateCycle(ctx, c, org.Slug, year, "bench-"+step.name, step.name, step.arg); err != nil {
			return 0, 0, fmt.Errorf("%s: %w", step.name, err)
		}
	}
	if err := eventually(ctx, 30*time.Minute, "follow-ups started", func() (bool, error) {
		status, err := workflows.QueryCycle(ctx, c, org.Slug, year)
		return err == nil && status.FollowUps == n, nil
	}); err != nil {
		return 0, 0, err
	}
	events, bytes, _, err = historySize(ctx, c, ptacycle.CycleWorkflowID(org.Slug, year))
	return events, bytes, err
}

package worker_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/worker"
)

// digestOrgs creates n organisations, each with a coordinator who chose the
// weekly summary, and returns their ids.
func digestOrgs(t *testing.T, db *postgres.DB, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	hash, err := ptacycle.HashPassword("mot-de-passe-solide")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := range n {
		o, err := db.CreateOrganisation(ctx, ptacycle.Actor{Label: "test"}, ptacycle.Organisation{
			Slug: fmt.Sprintf("comite-%d", i+1), Name: fmt.Sprintf("Comité %d", i+1)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateUser(ctx, ptacycle.Actor{OrganisationID: o.ID, Label: "test"}, ptacycle.User{
			Email: fmt.Sprintf("coordination@comite-%d.example", i+1), FullName: "Coordination", Role: ptacycle.RoleCoordinator,
			Language: "fr", Active: true, Preferences: ptacycle.Preferences{Digest: true, NotifyChannel: ptacycle.ChannelInApp}}, hash); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	return ids
}

// TestWeeklyDigestOnRealStack runs the weekly summary over two
// organisations: each coordinator gets one, once.
func TestWeeklyDigestOnRealStack(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	digestOrgs(t, s.db, 2)
	n, err := runDigest(t, s, "weekly-digest-test")
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("the digest wrote %d summaries, want 2", n)
	}
	if again, err := runDigest(t, s, "weekly-digest-again"); err != nil || again != 0 {
		t.Errorf("the digest run again in the same week wrote %d (%v), want 0", again, err)
	}
	if os.Getenv("PTACYCLE_RECORD_HISTORIES") != "" {
		recordHistory(t, s.c, "weekly-digest-test", "digest.json")
	}
	_ = ctx
}

// runDigest runs WeeklyDigest once under id and returns what it wrote.
func runDigest(t *testing.T, s *stack, id string) (int, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := s.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: ptacycle.TaskQueue}, ptacycle.WeeklyDigestWorkflowName)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	err = run.Get(ctx, &n)
	return n, err
}

// TestWeeklyDigestSurvivesOneOrganisation: the summary of one organisation
// failing for good is recorded, and the other organisations get theirs.
// Failed before: one activity wrote every organisation's, so the first
// failure withheld the rest and failed the digest.
func TestWeeklyDigestSurvivesOneOrganisation(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	orgs := digestOrgs(t, s.db, 3)
	broken := orgs[1]
	s.RestartWorker(t, map[string]any{"SendDigest": func(ctx context.Context, in activities.OrganisationDigestInput) (int, error) {
		if in.OrganisationID == broken {
			return 0, temporal.NewNonRetryableApplicationError("modèle de message illisible", ptacycle.EINVALID, nil)
		}
		return s.acts.SendDigest(ctx, in)
	}})
	n, err := runDigest(t, s, "weekly-digest-broken")
	if err != nil {
		t.Fatalf("the digest failed with one organisation's summary: %v", err)
	}
	if n != 2 {
		t.Errorf("the digest wrote %d summaries, want 2 (the organisations that work)", n)
	}
	failures, err := s.db.ProcessFailures(context.Background(), broken, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(failures) != 1 || failures[0].Operation != activities.OpSendDigest || failures[0].ErrorCode != ptacycle.EINVALID {
		t.Errorf("the broken organisation's failures = %+v", failures)
	}
}

// TestDigestScheduleFollowsTheRelease: a schedule left by an earlier
// release with another hour takes this release's spec when the worker
// starts. Failed before: an existing schedule was left as it was.
func TestDigestScheduleFollowsTheRelease(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	ctx := context.Background()
	if _, err := s.c.ScheduleClient().Create(ctx, client.ScheduleOptions{ID: worker.DigestScheduleID,
		Spec: client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{{DayOfWeek: []client.ScheduleRange{{Start: 5}},
			Hour: []client.ScheduleRange{{Start: 18}}, Minute: []client.ScheduleRange{{Start: 0}}, Second: []client.ScheduleRange{{Start: 0}}}}},
		Action: &client.ScheduleWorkflowAction{ID: "weekly-digest", Workflow: ptacycle.WeeklyDigestWorkflowName, TaskQueue: ptacycle.TaskQueue},
	}); err != nil {
		t.Fatal(err)
	}
	if err := worker.EnsureDigestSchedule(ctx, s.c); err != nil {
		t.Fatal(err)
	}
	d, err := s.c.ScheduleClient().GetHandle(ctx, worker.DigestScheduleID).Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	next := d.Info.NextActionTimes
	if len(next) == 0 {
		t.Fatal("the schedule has no next action")
	}
	if at := next[0].UTC(); at.Weekday() != time.Monday || at.Hour() != 7 {
		t.Errorf("the schedule's next digest is %s, want a Monday at 07:00 UTC", at)
	}
	if err := worker.EnsureDigestSchedule(ctx, s.c); err != nil {
		t.Errorf("ensuring the schedule again: %v", err)
	}
}

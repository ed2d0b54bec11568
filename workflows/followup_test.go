package workflows_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/workflows"
)

// change is what happens to an activity in the database at a time; signal
// says whether the server told the follow-up (a lost signal is false).
type change struct {
	at        time.Time
	status    ptacycle.ActivityStatus
	due       time.Time // zero: unchanged
	postponed time.Time
	signal    bool
}

// scenario is one activity's year: its due date, what happens to it, and the reminders it must get.
type scenario struct {
	name       string
	due        time.Time
	changes    []change
	reminders  []string // kinds, in order
	escalation int      // how many escalations
	end        ptacycle.ActivityStatus
}

// at8 is a day at the reminder hour, as CheckActivity reports due dates.
func at8(month time.Month, d int) time.Time { return time.Date(2024, month, d, 8, 0, 0, 0, time.UTC) }

// scenarios returns the 82 activities of the simulated 2024 plan.
func scenarios() []scenario {
	var out []scenario
	soon, today, overdue := activities.KindDueSoon, activities.KindDueToday, activities.KindOverdue
	for i := range 60 { // done early, at three moments
		due := at8(time.Month(4+i%6), 10+i%15)
		s := scenario{name: fmt.Sprintf("done-early-%d", i), due: due, end: ptacycle.StatusDone}
		switch i % 3 {
		case 0: // before J−14
			s.changes = []change{{at: due.Add(-20 * 24 * time.Hour), status: ptacycle.StatusDone, signal: true}}
		case 1: // between J−14 and J−3
			s.changes = []change{{at: due.Add(-5 * 24 * time.Hour), status: ptacycle.StatusDone, signal: true}}
			s.reminders = []string{soon}
		case 2: // on the day, after the J0 reminder
			s.changes = []change{{at: due.Add(2 * time.Hour), status: ptacycle.StatusDone, signal: true}}
			s.reminders = []string{soon, soon, today}
		}
		out = append(out, s)
	}
	for i := range 18 { // late: done 16 days after the due date, escalated at the second overdue reminder
		due := at8(time.Month(5+i%6), 5+i)
		out = append(out, scenario{name: fmt.Sprintf("late-%d", i), due: due, end: ptacycle.StatusDone,
			changes:   []change{{at: due.Add(16 * 24 * time.Hour), status: ptacycle.StatusDone, signal: true}},
			reminders: []string{soon, soon, today, overdue, overdue}, escalation: 1})
	}
	due := at8(time.June, 30)
	out = append(out,
		scenario{name: "cancelled", due: due, end: ptacycle.StatusCancelled,
			changes:   []change{{at: due.Add(-5 * 24 * time.Hour), status: ptacycle.StatusCancelled, signal: true}},
			reminders: []string{soon}},
		scenario{name: "postponed", due: due, end: ptacycle.StatusDone,
			changes: []change{
				{at: due.Add(-10 * 24 * time.Hour), status: ptacycle.StatusPostponed, postponed: at8(time.July, 30), signal: true},
				{at: at8(time.August, 1), status: ptacycle.StatusDone, signal: true},
			},
			reminders: []string{soon, today}},
		scenario{name: "due-date-moved", due: due, end: ptacycle.StatusDone,
			changes: []change{
				{at: at8(time.June, 1), status: ptacycle.StatusNotStarted, due: at8(time.September, 30), signal: true},
				{at: at8(time.October, 1), status: ptacycle.StatusDone, signal: true},
			},
			reminders: []string{soon, soon, today}},
		scenario{name: "lost-signal", due: due, end: ptacycle.StatusDone,
			changes:   []change{{at: due.Add(-5 * 24 * time.Hour), status: ptacycle.StatusDone}},
			reminders: []string{soon}},
	)
	return out
}

// sent is a reminder the follow-up asked for.
type sent struct {
	at time.Time
	in activities.RemindInput
}

// runFollowUp plays one scenario through the follow-up workflow, with
// reminders moved off weekends, and returns its reminders.
func runFollowUp(t *testing.T, s scenario) ([]sent, workflows.FollowUpResult) {
	return runFollowUpWithHolidays(t, s, nil)
}

func runFollowUpWithHolidays(t *testing.T, s scenario, holidays []ptacycle.Date) ([]sent, workflows.FollowUpResult) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	execStart := time.Date(2024, time.March, 20, 9, 0, 0, 0, time.UTC)
	env.SetStartTime(execStart)
	env.RegisterWorkflow(workflows.FollowUp)
	env.RegisterActivity(a)

	var mu sync.Mutex
	state := activities.ActivityState{Found: true, Status: ptacycle.StatusNotStarted, DueAt: s.due, OwnerID: 55, UnitID: 9}
	var reminders []sent
	env.OnActivity(a.CheckActivity, mock.Anything, mock.Anything).Return(func(context.Context, activities.CheckActivityInput) (activities.ActivityState, error) {
		mu.Lock()
		defer mu.Unlock()
		return state, nil
	})
	env.OnActivity(a.WorkingDay, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.WorkingDayInput) (time.Time, error) {
		return activities.PreviousWorkingDay(in.At, holidays), nil
	})
	env.OnActivity(a.Remind, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.RemindInput) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range reminders {
			if r.in.Key == in.Key {
				t.Errorf("%s: reminder %s asked twice", s.name, in.Key)
			}
		}
		reminders = append(reminders, sent{at: env.Now(), in: in})
		return 1, nil
	})
	for _, c := range s.changes {
		env.RegisterDelayedCallback(func() {
			mu.Lock()
			state.Status = c.status
			if !c.due.IsZero() {
				state.DueAt = c.due
			}
			state.PostponedUntil = c.postponed
			mu.Unlock()
			if c.signal {
				env.SignalWorkflow(workflows.SignalActivityChanged, nil)
			}
		}, c.at.Sub(execStart))
	}
	env.ExecuteWorkflow(workflows.FollowUp, workflows.FollowUpInput{OrganisationID: 7, OrganisationSlug: "cnltp", Year: 2024,
		CycleID: 100, ActivityID: 1000, Policy: info().Reminders})
	if !env.IsWorkflowCompleted() {
		t.Fatalf("%s: the follow-up did not end", s.name)
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("%s: %v", s.name, err)
	}
	var res workflows.FollowUpResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	sort.Slice(reminders, func(i, j int) bool { return reminders[i].at.Before(reminders[j].at) })
	return reminders, res
}

// TestFollowUps plays the 82 activities of a plan in execution: done early,
// late with reminders and escalation, one cancelled, one postponed, one whose
// due date moves, one whose completion signal is lost.
func TestFollowUps(t *testing.T) {
	all := scenarios()
	if len(all) != 82 {
		t.Fatalf("%d scenarios, want the plan's 82 activities", len(all))
	}
	total := 0
	for _, s := range all {
		t.Run(s.name, func(t *testing.T) {
			reminders, res := runFollowUp(t, s)
			var kinds []string
			escalations := 0
			for _, r := range reminders {
				if r.in.Kind == activities.KindEscalation {
					escalations++
					if len(r.in.Roles) != 1 || r.in.Roles[0] != ptacycle.RoleCoordinator || len(r.in.UserIDs) != 0 {
						t.Errorf("escalation went to roles %v users %v, want the coordinators", r.in.Roles, r.in.UserIDs)
					}
					continue
				}
				kinds = append(kinds, r.in.Kind)
				if len(r.in.UserIDs) != 1 || r.in.UserIDs[0] != 55 {
					t.Errorf("reminder %s went to %v, want the owner", r.in.Key, r.in.UserIDs)
				}
			}
			if strings.Join(kinds, ",") != strings.Join(s.reminders, ",") {
				t.Errorf("reminders %v, want %v (keys %v)", kinds, s.reminders, keysOf(reminders))
			}
			if escalations != s.escalation {
				t.Errorf("%d escalations, want %d", escalations, s.escalation)
			}
			if res.Status != s.end || res.Reminders != len(s.reminders) {
				t.Errorf("result %+v, want status %s after %d reminders", res, s.end, len(s.reminders))
			}
			total += len(reminders)
		})
	}
	t.Logf("%d reminders for 82 activities", total)
}

func TestFollowUpSchedule(t *testing.T) {
	due := at8(time.June, 30)
	s := scenarios()[60] // late-0
	reminders, _ := runFollowUp(t, s)
	want := []time.Time{s.due.AddDate(0, 0, -14), s.due.AddDate(0, 0, -3), s.due, s.due.AddDate(0, 0, 7), s.due.AddDate(0, 0, 14)}
	for i := range want { // its due date is a Sunday: reminders go out the Friday before
		want[i] = activities.PreviousWorkingDay(want[i], nil)
	}
	var got []time.Time
	for _, r := range reminders {
		if r.in.Kind != activities.KindEscalation {
			got = append(got, r.at)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("reminders at %v, want %v", got, want)
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("reminder %d at %s, want %s", i, got[i], want[i])
		}
	}
	t.Run("PostponedWaitsForItsNewDate", func(t *testing.T) {
		var p scenario
		for _, s := range scenarios() {
			if s.name == "postponed" {
				p = s
			}
		}
		reminders, _ := runFollowUp(t, p)
		if len(reminders) != 2 || !reminders[1].at.Equal(at8(time.July, 30)) {
			t.Fatalf("postponed reminders at %v", keysOf(reminders))
		}
		if !strings.Contains(reminders[1].in.Key, "2024-07-30") {
			t.Errorf("the reminder after postponement is keyed %s, want the new date", reminders[1].in.Key)
		}
		for _, r := range reminders {
			if r.at.After(due.AddDate(0, 0, -10)) && r.at.Before(at8(time.July, 30)) {
				t.Errorf("reminder while postponed: %s at %s", r.in.Key, r.at)
			}
		}
	})
}

// TestFollowUpWorkingDays: reminders due on a weekend or a holiday go out the working day before.
func TestFollowUpWorkingDays(t *testing.T) {
	due := at8(time.June, 30) // a Sunday
	holiday := ptacycle.NewDate(2024, time.June, 27)
	s := scenario{name: "weekend", due: due, end: ptacycle.StatusDone,
		changes: []change{{at: at8(time.July, 1), status: ptacycle.StatusDone, signal: true}}}
	reminders, _ := runFollowUpWithHolidays(t, s, []ptacycle.Date{holiday})
	var at []time.Time
	for _, r := range reminders {
		at = append(at, r.at)
	}
	// J−14 Sunday 16 June → Friday 14; J−3 Thursday 27 June is a holiday → Wednesday 26; J0 Sunday 30 → Friday 28.
	want := []time.Time{at8(time.June, 14), at8(time.June, 26), at8(time.June, 28)}
	if len(at) != len(want) {
		t.Fatalf("reminders at %v, want %v", keysOf(reminders), want)
	}
	for i := range want {
		if !at[i].Equal(want[i]) {
			t.Errorf("reminder %d at %s, want %s", i, at[i].Format("Mon 02/01"), want[i].Format("Mon 02/01"))
		}
	}
	if !strings.Contains(reminders[2].in.Key, "2024-06-30/2") {
		t.Errorf("the J0 reminder's key %s should still name the due date and its place in the schedule", reminders[2].in.Key)
	}
}

func keysOf(rs []sent) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.in.Key+"@"+r.at.Format(time.DateOnly))
	}
	return out
}

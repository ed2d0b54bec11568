package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
)

// followUpHistoryLimit is the history length past which a follow-up continues
// as new, far below Temporal's 10,240-event warning.
const followUpHistoryLimit = 2000

// FollowUpResult says how a follow-up ended.
type FollowUpResult struct {
	Status    ptacycle.ActivityStatus
	Reminders int  // over every run of the follow-up
	CycleOver bool // it ended because its cycle no longer follows the activity
}

// reminderEvent is one reminder of an activity's schedule.
type reminderEvent struct {
	at       time.Time
	due      time.Time // the date the schedule counts from: due, or the new date of a postponed activity
	index    int       // position in the schedule: stable, part of the reminder's key
	kind     string
	escalate bool
}

// nextReminder returns the first reminder of the activity's schedule after
// cursor: J−14, J−3 and J0 (the policy's offsets), then every OverdueEvery while
// overdue, escalating from the EscalateAfter-th overdue reminder. A postponed
// activity has no reminder before its new date.
func nextReminder(s activities.ActivityState, p ReminderPolicy, cursor time.Time) (reminderEvent, bool) {
	due := s.DueAt
	if s.Status == ptacycle.StatusPostponed {
		due = s.PostponedUntil
	}
	if due.IsZero() {
		return reminderEvent{}, false
	}
	for i, offset := range p.ActivityOffsets {
		if s.Status == ptacycle.StatusPostponed && offset > 0 {
			continue
		}
		kind := activities.KindDueSoon
		if offset == 0 {
			kind = activities.KindDueToday
		}
		if at := due.Add(-days(offset)); at.After(cursor) {
			return reminderEvent{at: at, due: due, index: i, kind: kind}, true
		}
	}
	k := int(cursor.Sub(due)/p.OverdueEvery) + 1 // the first overdue reminder after cursor
	k = max(k, 1)
	return reminderEvent{at: due.Add(time.Duration(k) * p.OverdueEvery), due: due, index: len(p.ActivityOffsets) + k - 1,
		kind: activities.KindOverdue, escalate: k >= p.EscalateAfter}, true
}

// FollowUp reminds an activity's owner as its due date nears and passes, and
// escalates to the coordinators when it stays overdue. It ends when the
// activity is done or cancelled, or when its cycle no longer follows it
// (closed, terminated): before each reminder it re-reads the activity and
// its cycle, so a lost signal never makes it remind finished work, and a
// cycle that ended without stopping it does not leave it reminding forever.
// Told of a change (a signal), it re-reads the activity and moves its timers.
func FollowUp(ctx workflow.Context, in FollowUpInput) (FollowUpResult, error) {
	ctx = withActivityOptions(ctx)
	res := FollowUpResult{Reminders: in.Reminders}
	changed := workflow.GetSignalChannel(ctx, SignalActivityChanged)
	cursor := in.Cursor
	if cursor.IsZero() {
		cursor = workflow.Now(ctx)
	}
	check := func(beforeReminder bool) (activities.ActivityState, error) {
		var s activities.ActivityState
		err := workflow.ExecuteActivity(ctx, a.CheckActivity, activities.CheckActivityInput{OrganisationID: in.OrganisationID,
			ActivityID: in.ActivityID, ReminderHour: in.Policy.ReminderHourOfDay, BeforeReminder: beforeReminder}).Get(ctx, &s)
		return s, err
	}
	limit := in.HistoryLimit
	if limit <= 0 {
		limit = followUpHistoryLimit
	}
	// Reminders falling on a weekend or holiday go out the working day before;
	// follow-ups started before this change keep their plain schedule.
	calendar := workflow.GetVersion(ctx, "business-calendar", workflow.DefaultVersion, 1)
	state, err := check(false)
	if err != nil {
		return res, err
	}
	for {
		if !state.Found || state.Status.Finished() || state.CycleOver {
			res.Status, res.CycleOver = state.Status, state.CycleOver
			return res, nil
		}
		if info := workflow.GetInfo(ctx); info.GetCurrentHistoryLength() > limit ||
			(info.GetContinueAsNewSuggested() && workflow.GetVersion(ctx, changeSuggestedContinueAsNew, workflow.DefaultVersion, 1) == 1) {
			in.Cursor, in.Reminders = cursor, res.Reminders
			return res, workflow.NewContinueAsNewError(ctx, FollowUp, in)
		}
		event, scheduled := nextReminder(state, in.Policy, cursor)
		wakeAt := event.at
		if scheduled && calendar == 1 {
			wd := activities.WorkingDayInput{OrganisationID: in.OrganisationID, At: event.at, Due: event.due}
			if err := bestEffort(ctx, func(ctx workflow.Context) error {
				return workflow.ExecuteActivity(ctx, a.WorkingDay, wd).Get(ctx, &wakeAt)
			}, func() activities.FailureInput {
				return followUpFailure(in, event, activities.OpWorkingDay, "")
			}); err != nil {
				return res, err
			}
		}
		describeFollowUp(ctx, in, state, event, wakeAt, scheduled, res.Reminders)
		fired, err := waitForReminder(ctx, changed, wakeAt, scheduled)
		if err != nil {
			return res, err
		}
		fresh, err := check(fired)
		if err != nil {
			return res, err
		}
		moved := fresh.Status != state.Status || !fresh.DueAt.Equal(state.DueAt) || !fresh.PostponedUntil.Equal(state.PostponedUntil)
		state = fresh
		if !fired || moved || !state.Found || state.Status.Finished() || state.CycleOver {
			continue // recompute the schedule from what the database says now
		}
		if err := remindOwner(ctx, in, state, event); err != nil {
			return res, err
		}
		cursor = event.at
		res.Reminders++
	}
}

// changeSuggestedContinueAsNew versions continuing as new when the server
// suggests it (history size), besides past followUpHistoryLimit events.
const changeSuggestedContinueAsNew = "suggested-continue-as-new"

// describeFollowUp says in words, in Temporal's tools, what the follow-up waits for.
func describeFollowUp(ctx workflow.Context, in FollowUpInput, s activities.ActivityState, e reminderEvent, at time.Time, scheduled bool, sent int) {
	what := fmt.Sprintf("Activity %d of the %s %d plan, %s", in.ActivityID, in.OrganisationSlug, in.Year, s.Status)
	if !scheduled {
		workflow.SetCurrentDetails(ctx, what+", no due date: waiting for a change")
		return
	}
	workflow.SetCurrentDetails(ctx, fmt.Sprintf("%s, due %s: next reminder (%s) at %s; %d sent so far",
		what, e.due.Format(time.RFC3339), e.kind, at.Format(time.RFC3339), sent))
}

// followUpFailure describes a side effect of the follow-up that failed for good.
func followUpFailure(in FollowUpInput, e reminderEvent, operation, kind string) activities.FailureInput {
	return activities.FailureInput{Key: fmt.Sprintf("%s/%s/%d/%s", ptacycle.FollowUpWorkflowID(in.OrganisationSlug, in.Year, in.ActivityID),
		e.due.Format(time.DateOnly), e.index, operation+kind), OrganisationID: in.OrganisationID, CycleID: in.CycleID,
		ActivityID: in.ActivityID, Operation: operation, ReminderKind: kind}
}

// waitForReminder waits until at or a change signal, whichever comes first;
// it reports whether the time came. Without a scheduled reminder it waits for a signal.
func waitForReminder(ctx workflow.Context, changed workflow.ReceiveChannel, at time.Time, scheduled bool) (bool, error) {
	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	defer cancelTimer()
	fired := false
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(changed, func(ch workflow.ReceiveChannel, _ bool) { ch.Receive(ctx, nil) })
	if scheduled {
		timer := workflow.NewTimer(timerCtx, max(at.Sub(workflow.Now(ctx)), 0))
		sel.AddFuture(timer, func(f workflow.Future) { fired = f.Get(ctx, nil) == nil })
	}
	sel.Select(ctx)
	for changed.ReceiveAsync(nil) { // several changes at once need one re-read
	}
	return fired, ctx.Err()
}

func remindOwner(ctx workflow.Context, in FollowUpInput, state activities.ActivityState, event reminderEvent) error {
	key := fmt.Sprintf("followup/%d/%s/%d", in.ActivityID, event.due.Format(time.DateOnly), event.index)
	r := activities.RemindInput{Key: key, OrganisationID: in.OrganisationID, CycleID: in.CycleID, ActivityID: in.ActivityID,
		Kind: event.kind, Due: event.due}
	if state.OwnerID != 0 {
		r.UserIDs = []int64{state.OwnerID}
	} else {
		r.UnitOwnersOf = state.UnitID
	}
	send := func(r activities.RemindInput) error {
		return bestEffort(ctx, func(ctx workflow.Context) error {
			return workflow.ExecuteActivity(ctx, a.Remind, r).Get(ctx, nil)
		}, func() activities.FailureInput { return followUpFailure(in, event, activities.OpRemind, r.Kind) })
	}
	if err := send(r); err != nil {
		return err
	}
	if !event.escalate {
		return nil
	}
	r.Key, r.Kind, r.UserIDs, r.UnitOwnersOf = key+"/escalation", activities.KindEscalation, nil, 0
	r.Roles = []ptacycle.Role{ptacycle.RoleCoordinator}
	return send(r)
}

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
	Reminders int
}

// reminderEvent is one reminder of an activity's schedule.
type reminderEvent struct {
	at       time.Time
	index    int // position in the schedule: stable, part of the reminder's key
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
			return reminderEvent{at: at, index: i, kind: kind}, true
		}
	}
	k := int(cursor.Sub(due)/p.OverdueEvery) + 1 // the first overdue reminder after cursor
	k = max(k, 1)
	return reminderEvent{at: due.Add(time.Duration(k) * p.OverdueEvery), index: len(p.ActivityOffsets) + k - 1,
		kind: activities.KindOverdue, escalate: k >= p.EscalateAfter}, true
}

// FollowUp reminds an activity's owner as its due date nears and passes, and
// escalates to the coordinators when it stays overdue. It ends when the
// activity is done or cancelled. Told of a change (a signal), it re-reads the
// activity and moves its timers; before each reminder it re-reads it too, so a
// lost signal never makes it remind finished work.
func FollowUp(ctx workflow.Context, in FollowUpInput) (FollowUpResult, error) {
	ctx = withActivityOptions(ctx)
	res := FollowUpResult{}
	changed := workflow.GetSignalChannel(ctx, SignalActivityChanged)
	cursor := in.Cursor
	if cursor.IsZero() {
		cursor = workflow.Now(ctx)
	}
	check := func() (activities.ActivityState, error) {
		var s activities.ActivityState
		err := workflow.ExecuteActivity(ctx, a.CheckActivity,
			activities.CheckActivityInput{OrganisationID: in.OrganisationID, ActivityID: in.ActivityID, ReminderHour: in.Policy.ReminderHourOfDay}).Get(ctx, &s)
		return s, err
	}
	// Reminders falling on a weekend or holiday go out the working day before;
	// follow-ups started before this change keep their plain schedule.
	calendar := workflow.GetVersion(ctx, "business-calendar", workflow.DefaultVersion, 1)
	state, err := check()
	if err != nil {
		return res, err
	}
	for {
		if !state.Found || state.Status.Finished() {
			res.Status = state.Status
			return res, nil
		}
		if workflow.GetInfo(ctx).GetCurrentHistoryLength() > followUpHistoryLimit {
			in.Cursor = cursor
			return res, workflow.NewContinueAsNewError(ctx, FollowUp, in)
		}
		event, scheduled := nextReminder(state, in.Policy, cursor)
		wakeAt := event.at
		if scheduled && calendar == 1 {
			in := activities.WorkingDayInput{OrganisationID: in.OrganisationID, At: event.at}
			if err := workflow.ExecuteActivity(ctx, a.WorkingDay, in).Get(ctx, &wakeAt); err != nil {
				return res, err
			}
		}
		fired, err := waitForReminder(ctx, changed, wakeAt, scheduled)
		if err != nil {
			return res, err
		}
		fresh, err := check()
		if err != nil {
			return res, err
		}
		moved := fresh.Status != state.Status || !fresh.DueAt.Equal(state.DueAt) || !fresh.PostponedUntil.Equal(state.PostponedUntil)
		state = fresh
		if !fired || moved || !state.Found || state.Status.Finished() {
			continue // recompute the schedule from what the database says now
		}
		if err := remindOwner(ctx, in, state, event); err != nil {
			return res, err
		}
		cursor = event.at
		res.Reminders++
	}
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
	due := state.DueAt
	if state.Status == ptacycle.StatusPostponed {
		due = state.PostponedUntil
	}
	key := fmt.Sprintf("followup/%d/%s/%d", in.ActivityID, due.Format(time.DateOnly), event.index)
	r := activities.RemindInput{Key: key, OrganisationID: in.OrganisationID, CycleID: in.CycleID, ActivityID: in.ActivityID,
		Kind: event.kind, Due: due}
	if state.OwnerID != 0 {
		r.UserIDs = []int64{state.OwnerID}
	} else {
		r.UnitOwnersOf = state.UnitID
	}
	if err := workflow.ExecuteActivity(ctx, a.Remind, r).Get(ctx, nil); err != nil {
		return err
	}
	if !event.escalate {
		return nil
	}
	r.Key, r.Kind, r.UserIDs, r.UnitOwnersOf = key+"/escalation", activities.KindEscalation, nil, 0
	r.Roles = []ptacycle.Role{ptacycle.RoleCoordinator}
	return workflow.ExecuteActivity(ctx, a.Remind, r).Get(ctx, nil)
}

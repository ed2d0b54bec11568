package activities

import (
	"context"
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"golang.org/x/sync/errgroup"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/internal/searchattrs"
)

// FollowUpInput starts the follow-up of one activity during execution.
type FollowUpInput struct {
	OrganisationID   int64
	OrganisationSlug string
	Year             int
	CycleID          int64
	ActivityID       int64
	Policy           ReminderPolicy
	// Cursor: reminders due at or before it were handled already (by an earlier run, or before execution began).
	Cursor time.Time
	// Reminders sent by the earlier runs of the follow-up, carried over when it continues as new.
	Reminders int
	// HistoryLimit is the history length past which a run continues as new; 0 takes the workflow's own.
	HistoryLimit int
}

// FollowUpsInput names the plan whose activities are followed.
type FollowUpsInput struct {
	OrganisationID   int64
	OrganisationSlug string
	Year             int
	CycleID          int64
	PlanID           int64
	Policy           ReminderPolicy
}

// followUpBatch is how many activities are read per query, and the unit of heartbeat progress.
const followUpBatch = 500

// followUpConcurrency is how many workflow starts are in flight at once.
const followUpConcurrency = 32

// FollowUpProgress is the heartbeat of StartFollowUps and StopFollowUps: every
// activity of the plan up to AfterID, in id order, is handled, Done of them
// counted. Ids do not move when due dates or statuses change, so a retry
// resumes exactly where the crashed attempt stopped.
type FollowUpProgress struct {
	AfterID int64
	Done    int
}

// StartFollowUps starts one follow-up workflow per unfinished activity of the
// plan, in batches, from an activity rather than as child workflows so that
// 10,000 activities add nothing to the cycle's history. A follow-up already
// running is kept (its id names the activity); after a crash the heartbeat
// says where to resume. It returns how many are running.
func (a *Activities) StartFollowUps(ctx context.Context, in FollowUpsInput) (int, error) {
	cursor := a.now()
	return a.eachActivity(ctx, in, true, func(ctx context.Context, id int64) error {
		_, err := a.Temporal.ExecuteWorkflow(ctx, FollowUpStartOptions(in.OrganisationSlug, in.Year, id), ptacycle.FollowUpWorkflowName,
			FollowUpInput{OrganisationID: in.OrganisationID, OrganisationSlug: in.OrganisationSlug, Year: in.Year,
				CycleID: in.CycleID, ActivityID: id, Policy: in.Policy, Cursor: cursor})
		return err
	})
}

// StopFollowUps cancels the follow-up of every activity of the plan; one that
// already ended is skipped.
func (a *Activities) StopFollowUps(ctx context.Context, in FollowUpsInput) error {
	_, err := a.eachActivity(ctx, in, false, func(ctx context.Context, id int64) error {
		err := a.Temporal.CancelWorkflow(ctx, ptacycle.FollowUpWorkflowID(in.OrganisationSlug, in.Year, id), "")
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			return nil
		}
		return err
	})
	return err
}

// eachActivity calls do for each activity of the plan (the unfinished ones
// only, if asked), followUpConcurrency at a time, resuming after the last
// heartbeat. After each batch it heartbeats the longest run of activities
// done in id order, so that a failed batch is resumed from its first
// activity not done. The first error stops it, and is returned.
func (a *Activities) eachActivity(ctx context.Context, in FollowUpsInput, unfinished bool, do func(context.Context, int64) error) (int, error) {
	var p FollowUpProgress
	if activity.HasHeartbeatDetails(ctx) && activity.GetHeartbeatDetails(ctx, &p) != nil {
		p = FollowUpProgress{} // a heartbeat of another shape: start over, every call is idempotent
	}
	for {
		ids, err := a.DB.PlanActivityIDs(ctx, in.OrganisationID, in.PlanID, p.AfterID, followUpBatch, unfinished)
		if err != nil {
			return p.Done, domainError(err)
		}
		done := make([]bool, len(ids))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(followUpConcurrency)
		for i, id := range ids {
			g.Go(func() error {
				if err := do(gctx, id); err != nil {
					return err
				}
				done[i] = true
				return nil
			})
		}
		err = g.Wait()
		for i, id := range ids {
			if !done[i] {
				break
			}
			p.AfterID, p.Done = id, p.Done+1
		}
		activity.RecordHeartbeat(ctx, p)
		if err != nil || len(ids) < followUpBatch {
			return p.Done, err
		}
		select {
		case <-activity.GetWorkerStopChannel(ctx):
			// The worker is stopping: the next attempt, on another worker
			// or this one restarted, resumes from the heartbeat.
			return p.Done, temporal.NewApplicationError("worker stopping: the batch resumes from its heartbeat", "WorkerStopping")
		default:
		}
	}
}

// FollowUpStartOptions are the options of an activity's follow-up: one per
// activity and year, a running one kept, found in Temporal's tools by the
// organisation and year it belongs to.
func FollowUpStartOptions(slug string, year int, activityID int64) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       ptacycle.FollowUpWorkflowID(slug, year, activityID),
		TaskQueue:                ptacycle.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		TypedSearchAttributes:    temporal.NewSearchAttributes(searchattrs.Organisation.ValueSet(slug), searchattrs.Year.ValueSet(int64(year))),
	}
}

// ActivityState is what a follow-up needs to know of its activity, read fresh from the database.
type ActivityState struct {
	Found          bool
	Status         ptacycle.ActivityStatus
	DueAt          time.Time // the due day at the reminder hour, local time; zero if no due date
	PostponedUntil time.Time // idem for the new date of a postponed activity
	OwnerID        int64
	UnitID         int64
	// CycleOver: the activity's cycle is closed, or its workflow no longer
	// runs (terminated, failed): nobody is to be reminded any more.
	CycleOver bool
}

// CheckActivityInput names the activity to read.
type CheckActivityInput struct {
	OrganisationID int64
	ActivityID     int64
	ReminderHour   int
	// BeforeReminder: a reminder is about to go out, so the cycle's workflow
	// is asked whether it still runs (a change signal needs only the database).
	BeforeReminder bool
}

// CheckActivity reads an activity's status and dates, and whether its cycle
// still follows it; a deleted activity is reported as not found.
func (a *Activities) CheckActivity(ctx context.Context, in CheckActivityInput) (ActivityState, error) {
	act, err := a.DB.Activity(ctx, in.OrganisationID, in.ActivityID)
	if ptacycle.ErrorCode(err) == ptacycle.ENOTFOUND {
		return ActivityState{}, nil
	}
	if err != nil {
		return ActivityState{}, domainError(err)
	}
	over, err := a.cycleOver(ctx, in.OrganisationID, act.PlanID, in.BeforeReminder)
	if err != nil {
		return ActivityState{}, err
	}
	org, err := a.DB.Organisation(ctx, in.OrganisationID)
	if err != nil {
		return ActivityState{}, domainError(err)
	}
	loc, err := time.LoadLocation(org.Timezone)
	if err != nil {
		loc = time.UTC
	}
	s := ActivityState{Found: true, Status: act.Status, CycleOver: over}
	if !act.DueDate.IsZero() {
		s.DueAt = at(act.DueDate, in.ReminderHour, loc)
	}
	if act.Status == ptacycle.StatusPostponed && !act.PostponedTo.IsZero() {
		s.PostponedUntil = at(act.PostponedTo, in.ReminderHour, loc)
	}
	if act.OwnerID != nil {
		s.OwnerID = *act.OwnerID
	}
	if act.ResponsibleUnitID != nil {
		s.UnitID = *act.ResponsibleUnitID
	}
	return s, nil
}

// cycleOver says whether the cycle of plan no longer follows its activities:
// closed in the database, or (when askTemporal) its workflow not running.
func (a *Activities) cycleOver(ctx context.Context, org, planID int64, askTemporal bool) (bool, error) {
	cycle, err := a.DB.CycleOfPlan(ctx, org, planID)
	if err != nil {
		return false, domainError(err)
	}
	if cycle.Stage == ptacycle.StageClosed || !askTemporal {
		return cycle.Stage == ptacycle.StageClosed, nil
	}
	d, err := a.Temporal.DescribeWorkflowExecution(ctx, cycle.WorkflowID, "")
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		return true, nil
	case err != nil:
		return false, err
	}
	return d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, nil
}

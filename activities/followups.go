package activities

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
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

// StartFollowUps starts one follow-up workflow per unfinished activity of the
// plan, in batches, from an activity rather than as child workflows so that
// 10,000 activities add nothing to the cycle's history. A follow-up already
// running is kept (its id names the activity); after a crash the heartbeat
// says which batch to resume from. It returns how many are running.
func (a *Activities) StartFollowUps(ctx context.Context, in FollowUpsInput) (int, error) {
	offset := 0
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &offset)
	}
	started := offset
	cursor := a.now()
	for {
		batch, err := a.DB.Activities(ctx, in.OrganisationID, postgres.ActivityFilter{PlanID: in.PlanID, Limit: followUpBatch, Offset: offset})
		if err != nil {
			return started, domainError(err)
		}
		var failed atomic.Value
		var wg sync.WaitGroup
		sem := make(chan struct{}, followUpConcurrency)
		for _, act := range batch {
			if act.Status.Finished() {
				continue
			}
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				_, err := a.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
					ID:                       ptacycle.FollowUpWorkflowID(in.OrganisationSlug, in.Year, act.ID),
					TaskQueue:                ptacycle.TaskQueue,
					WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
					WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
				}, ptacycle.FollowUpWorkflowName, FollowUpInput{
					OrganisationID: in.OrganisationID, OrganisationSlug: in.OrganisationSlug, Year: in.Year,
					CycleID: in.CycleID, ActivityID: act.ID, Policy: in.Policy, Cursor: cursor,
				})
				if err != nil {
					failed.Store(err)
				}
			})
		}
		wg.Wait()
		if err, ok := failed.Load().(error); ok {
			return started, err
		}
		offset += len(batch)
		started = offset
		activity.RecordHeartbeat(ctx, offset)
		if len(batch) < followUpBatch {
			return started, nil
		}
	}
}

// StopFollowUps cancels the follow-up of every activity of the plan; one that
// already ended is skipped.
func (a *Activities) StopFollowUps(ctx context.Context, in FollowUpsInput) error {
	offset := 0
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &offset)
	}
	for {
		batch, err := a.DB.Activities(ctx, in.OrganisationID, postgres.ActivityFilter{PlanID: in.PlanID, Limit: followUpBatch, Offset: offset})
		if err != nil {
			return domainError(err)
		}
		var failed atomic.Value
		var wg sync.WaitGroup
		sem := make(chan struct{}, followUpConcurrency)
		for _, act := range batch {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				err := a.Temporal.CancelWorkflow(ctx, ptacycle.FollowUpWorkflowID(in.OrganisationSlug, in.Year, act.ID), "")
				var notFound *serviceerror.NotFound
				if err != nil && !errors.As(err, &notFound) {
					failed.Store(err)
				}
			})
		}
		wg.Wait()
		if err, ok := failed.Load().(error); ok {
			return err
		}
		offset += len(batch)
		activity.RecordHeartbeat(ctx, offset)
		if len(batch) < followUpBatch {
			return nil
		}
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
}

// CheckActivityInput names the activity to read.
type CheckActivityInput struct {
	OrganisationID int64
	ActivityID     int64
	ReminderHour   int
}

// CheckActivity reads an activity's status and dates; a deleted activity is reported as not found.
func (a *Activities) CheckActivity(ctx context.Context, in CheckActivityInput) (ActivityState, error) {
	act, err := a.DB.Activity(ctx, in.OrganisationID, in.ActivityID)
	if ptacycle.ErrorCode(err) == ptacycle.ENOTFOUND {
		return ActivityState{}, nil
	}
	if err != nil {
		return ActivityState{}, domainError(err)
	}
	org, err := a.DB.Organisation(ctx, in.OrganisationID)
	if err != nil {
		return ActivityState{}, domainError(err)
	}
	loc, err := time.LoadLocation(org.Timezone)
	if err != nil {
		loc = time.UTC
	}
	s := ActivityState{Found: true, Status: act.Status}
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

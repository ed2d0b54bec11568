package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ptacycle/ptacycle/activities"
)

// changeBestEffort versions side effects that fail for good being recorded
// instead of failing the workflow. It is asked only when one fails, so every
// history without such a failure replays as it ran, and running workflows
// take the change at their next failure.
const changeBestEffort = "best-effort"

// sideEffectTimeout bounds how long a side effect is retried (PostgreSQL
// down, a worker lost) before it counts as failed for good.
const sideEffectTimeout = time.Hour

// withSideEffectOptions sets the options of a side effect: retried like the
// other activities, but no longer than sideEffectTimeout.
func withSideEffectOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: sideEffectTimeout,
		RetryPolicy:            retryPolicy,
	})
}

// bestEffort runs a side effect of a workflow (a reminder, an announcement,
// the projection of a stage). When it fails for good — a non-retryable
// error, or retried for sideEffectTimeout — the failure (described by
// failure, called then) is recorded: the process_failures table the
// coordinators read on the Relances page, the audit log, a metric; and
// bestEffort returns nil: the workflow goes on. A failure it cannot even
// record is logged. Only a cancellation is returned.
func bestEffort(ctx workflow.Context, run func(ctx workflow.Context) error, failure func() activities.FailureInput) error {
	err := run(withSideEffectOptions(ctx))
	if err == nil || temporal.IsCanceledError(err) || ctx.Err() != nil ||
		workflow.GetVersion(ctx, changeBestEffort, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return err
	}
	f := activities.Failure(failure(), err)
	if rec := workflow.ExecuteActivity(withActivityOptions(ctx), a.RecordFailure, f).Get(ctx, nil); rec != nil {
		workflow.GetLogger(ctx).Error("a side effect failed and its failure could not be recorded",
			"operation", f.Operation, "error", err, "recordError", rec)
	}
	return nil
}

// sideEffect runs a side effect of the cycle (see bestEffort).
func (c *cycleRun) sideEffect(ctx workflow.Context, operation string, run func(ctx workflow.Context) error) error {
	return c.sideEffectOf(ctx, activities.FailureInput{Operation: operation}, run)
}

// sideEffectOf is sideEffect with more said of the failure (the reminder's
// kind). The cycle's failures are numbered in history order: the key of each record.
func (c *cycleRun) sideEffectOf(ctx workflow.Context, failure activities.FailureInput, run func(ctx workflow.Context) error) error {
	return bestEffort(ctx, run, func() activities.FailureInput {
		c.failures++
		failure.Key = fmt.Sprintf("%s/failure/%d", workflow.GetInfo(ctx).WorkflowExecution.ID, c.failures)
		failure.OrganisationID, failure.CycleID = c.in.OrganisationID, c.info.CycleID
		return failure
	})
}

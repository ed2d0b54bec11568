// Package worker registers ptacycle's workflows and activities on the task
// queue and runs them until told to stop.
package worker

import (
	"context"
	"errors"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/internal/searchattrs"
	"github.com/ptacycle/ptacycle/workflows"
)

// New returns a worker polling ptacycle.TaskQueue with every workflow and activity registered.
func New(c client.Client, acts *activities.Activities, opts sdkworker.Options) sdkworker.Worker {
	w := sdkworker.New(c, ptacycle.TaskQueue, opts)
	w.RegisterWorkflowWithOptions(workflows.Cycle, workflow.RegisterOptions{Name: ptacycle.CycleWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.FollowUp, workflow.RegisterOptions{Name: ptacycle.FollowUpWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.WeeklyDigest, workflow.RegisterOptions{Name: ptacycle.WeeklyDigestWorkflowName})
	w.RegisterActivity(acts)
	return w
}

// Run registers the search attributes the workflows set if the namespace
// lacks them, then runs a worker (with interceptors, if any) until ctx is done
// and stops it (waiting for running activities to finish).
func Run(ctx context.Context, c client.Client, namespace string, acts *activities.Activities, interceptors ...interceptor.WorkerInterceptor) error {
	if err := searchattrs.Ensure(ctx, c, namespace, searchattrs.Types()); err != nil {
		if ctx.Err() != nil { // stopped while starting: a shutdown, not a failure
			return nil
		}
		return err
	}
	if err := EnsureDigestSchedule(ctx, c); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	w := New(c, acts, sdkworker.Options{Interceptors: interceptors})
	if err := w.Start(); err != nil {
		return err
	}
	<-ctx.Done()
	w.Stop()
	return nil
}

// DigestScheduleID names the schedule of the coordinators' weekly summaries.
const DigestScheduleID = "ptacycle-weekly-digest"

// EnsureDigestSchedule creates the schedule that starts WeeklyDigest every
// Monday at 07:00 UTC (08:00 in Lagos, 07:00 in Abidjan), unless it exists.
func EnsureDigestSchedule(ctx context.Context, c client.Client) error {
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID: DigestScheduleID,
		Spec: client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{{
			DayOfWeek: []client.ScheduleRange{{Start: 1}},
			Hour:      []client.ScheduleRange{{Start: 7}},
			Minute:    []client.ScheduleRange{{Start: 0}},
			Second:    []client.ScheduleRange{{Start: 0}},
		}}},
		Action: &client.ScheduleWorkflowAction{ID: "weekly-digest", Workflow: ptacycle.WeeklyDigestWorkflowName, TaskQueue: ptacycle.TaskQueue},
	})
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return nil
	}
	return err
}

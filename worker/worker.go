// Package worker registers ptacycle's workflows and activities on the task
// queue and runs them until told to stop.
package worker

import (
	"context"
	"errors"
	"time"

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
// and stops it (waiting up to StopTimeout for running activities to finish).
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
	w := New(c, acts, sdkworker.Options{Interceptors: interceptors, WorkerStopTimeout: StopTimeout})
	if err := w.Start(); err != nil {
		return err
	}
	<-ctx.Done()
	w.Stop()
	return nil
}

// StopTimeout is how long stopping the worker waits for the activities it
// runs to finish (a batch of follow-up starts heartbeats and resumes
// elsewhere; a reminder finishes its write) before abandoning them.
const StopTimeout = 30 * time.Second

// DigestScheduleID names the schedule of the coordinators' weekly summaries.
const DigestScheduleID = "ptacycle-weekly-digest"

// digestSpec starts WeeklyDigest every Monday at 07:00 UTC (08:00 in
// Lagos, 07:00 in Abidjan).
func digestSpec() client.ScheduleSpec {
	return client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{{
		DayOfWeek: []client.ScheduleRange{{Start: 1}},
		Hour:      []client.ScheduleRange{{Start: 7}},
		Minute:    []client.ScheduleRange{{Start: 0}},
		Second:    []client.ScheduleRange{{Start: 0}},
	}}}
}

func digestAction() *client.ScheduleWorkflowAction {
	return &client.ScheduleWorkflowAction{ID: "weekly-digest", Workflow: ptacycle.WeeklyDigestWorkflowName, TaskQueue: ptacycle.TaskQueue}
}

// EnsureDigestSchedule creates the schedule of WeeklyDigest, or, when it
// exists, sets its spec and action to this version's (a release that moves
// the hour moves the running schedule; its pause and history stay).
func EnsureDigestSchedule(ctx context.Context, c client.Client) error {
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{ID: DigestScheduleID, Spec: digestSpec(), Action: digestAction()})
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return err
	}
	return c.ScheduleClient().GetHandle(ctx, DigestScheduleID).Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			s := in.Description.Schedule
			spec := digestSpec()
			s.Spec, s.Action = &spec, digestAction()
			return &client.ScheduleUpdate{Schedule: &s}, nil
		},
	})
}

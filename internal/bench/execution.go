package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
	"golang.org/x/sync/errgroup"

	"github.com/ptacycle/ptacycle/activities"
)

// startConcurrency is how many starts are in flight at once: the
// concurrency StartFollowUps uses (activities' followUpConcurrency).
const startConcurrency = 32

// ExecutionResult compares launching execution with starting as many bare workflows.
type ExecutionResult struct {
	Activities  int
	Concurrency int
	Bare        time.Duration // n bare workflow starts
	FollowUps   time.Duration // StartFollowUps over the plan's n activities
	Retries     int           // attempts of StartFollowUps that failed and were resumed
}

// Ratio is what launching execution costs next to the bare starts.
func (r ExecutionResult) Ratio() float64 { return float64(r.FollowUps) / float64(r.Bare) }

// PerStart is the time one bare start takes, all of them in flight together.
func (r ExecutionResult) PerStart() time.Duration { return r.Bare / time.Duration(r.Activities) }

// noop is the bare workflow: started, never run (nobody polls its task queue).
func noop(workflow.Context) error { return nil }

// ExecutionStart starts n bare workflows, startConcurrency at a time, then
// runs the real StartFollowUps activity for in's plan (whose n activities are
// all unfinished), each timed, on the same server. acts.Temporal must be a
// client of a namespace no worker polls, so that only the starts are
// measured. Between the two, it waits until the server has listed the bare
// workflows in its visibility store: the work a start leaves behind it then
// weighs on neither measure. The activity runs in the SDK's activity test
// environment, which gives it its heartbeat context outside a worker; when
// an attempt fails with a retryable error (a start timing out on a busy
// machine) it is retried from its last heartbeat, as the cycle's retry
// policy would, and the retries are counted in.
func ExecutionStart(ctx context.Context, acts *activities.Activities, in activities.FollowUpsInput, n int) (ExecutionResult, error) {
	r := ExecutionResult{Activities: n, Concurrency: startConcurrency}
	listed, err := countWorkflows(ctx, acts.Temporal)
	if err != nil {
		return r, err
	}
	var g errgroup.Group
	g.SetLimit(startConcurrency)
	start := time.Now()
	for i := range n {
		g.Go(func() error {
			_, err := acts.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
				ID: fmt.Sprintf("bare/%s/%d/%d", in.OrganisationSlug, in.Year, i), TaskQueue: "bench-bare"}, noop)
			return err
		})
	}
	err = g.Wait()
	r.Bare = time.Since(start)
	if err != nil {
		return r, fmt.Errorf("bare starts: %w", err)
	}
	if err := eventually(ctx, 10*time.Minute, "bare workflows listed", func() (bool, error) {
		now, err := countWorkflows(ctx, acts.Temporal)
		return now >= listed+int64(n), err
	}); err != nil {
		return r, err
	}

	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))) // failures come back as errors
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	var mu sync.Mutex
	var progress activities.FollowUpProgress
	env.SetOnActivityHeartbeatListener(func(_ *activity.Info, details converter.EncodedValues) {
		mu.Lock()
		defer mu.Unlock()
		_ = details.Get(&progress)
	})
	started := 0
	start = time.Now()
	for attempt := 1; ; attempt++ {
		v, err := env.ExecuteActivity(acts.StartFollowUps, in)
		if err == nil {
			err = v.Get(&started)
		}
		var appErr *temporal.ApplicationError
		if err != nil && attempt < 3 && !(errors.As(err, &appErr) && appErr.NonRetryable()) {
			r.Retries++
			mu.Lock()
			env.SetHeartbeatDetails(progress)
			mu.Unlock()
			continue
		}
		r.FollowUps = time.Since(start)
		if err == nil && started != n {
			err = fmt.Errorf("%d follow-ups started, want %d", started, n)
		}
		if err != nil {
			return r, fmt.Errorf("StartFollowUps: %w", err)
		}
		return r, nil
	}
}

// countWorkflows counts the workflows the namespace's visibility store lists.
func countWorkflows(ctx context.Context, c client.Client) (int64, error) {
	res, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{})
	return res.GetCount(), err
}

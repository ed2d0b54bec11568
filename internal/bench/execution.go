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

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
)

// startConcurrency is how many starts (and cancels) are in flight at once:
// the concurrency StartFollowUps and StopFollowUps use (activities'
// followUpConcurrency).
const startConcurrency = 32

// ExecutionResult compares launching and closing execution with starting and
// cancelling as many bare workflows, and says whether closing leaves any
// follow-up running.
type ExecutionResult struct {
	Activities  int
	Concurrency int
	Bare        time.Duration // n bare workflow starts
	FollowUps   time.Duration // StartFollowUps over the plan's n activities
	Retries     int           // attempts of StartFollowUps that failed and were resumed
	Close       CloseResult
	Closing     ClosingResult
}

// Ratio is what launching execution costs next to the bare starts.
func (r ExecutionResult) Ratio() float64 { return float64(r.FollowUps) / float64(r.Bare) }

// PerStart is the time one bare start takes, all of them in flight together.
func (r ExecutionResult) PerStart() time.Duration { return r.Bare / time.Duration(r.Activities) }

// CloseResult compares StopFollowUps with cancelling as many bare workflows,
// in the namespace no worker polls.
type CloseResult struct {
	BareCancels time.Duration // the n bare workflows cancelled
	Stop        time.Duration // StopFollowUps over the plan's n activities
	Retries     int           // attempts of StopFollowUps that failed and were resumed
	// StillRunning counts the follow-ups the namespace lists as running after
	// StopFollowUps: a cancel request waits for a worker to act on it.
	StillRunning int
}

// Ratio is what closing execution costs next to the bare cancels.
func (r CloseResult) Ratio() float64 { return float64(r.Stop) / float64(r.BareCancels) }

// ClosingResult is closing execution where a worker runs the follow-ups.
type ClosingResult struct {
	FollowUps   int           // started by StartFollowUps, listed before closing
	Stop        time.Duration // StopFollowUps, the worker running alongside
	Ended       time.Duration // from StopFollowUps' start until none was listed running
	Cancelled   int           // follow-ups that ended cancelled
	LeftRunning int           // follow-ups still listed running once the count settled
}

// noop is the bare workflow: started, never run (nobody polls its task queue).
func noop(workflow.Context) error { return nil }

// bareWorkflowID names the i-th bare workflow of in's measure.
func bareWorkflowID(in activities.FollowUpsInput, i int) string {
	return fmt.Sprintf("bare/%s/%d/%d", in.OrganisationSlug, in.Year, i)
}

// ExecutionStart starts n bare workflows, startConcurrency at a time, then
// runs the real StartFollowUps activity for in's plan (whose n activities are
// all unfinished), each timed, on the same server. acts.Temporal must be a
// client of a namespace no worker polls, so that only the starts are
// measured. Between the two, it waits until the server has listed the bare
// workflows in its visibility store: the work a start leaves behind it then
// weighs on neither measure. The activity runs as runResumed runs it.
func ExecutionStart(ctx context.Context, acts *activities.Activities, in activities.FollowUpsInput, n int) (ExecutionResult, error) {
	r := ExecutionResult{Activities: n, Concurrency: startConcurrency}
	listed, err := countWorkflows(ctx, acts.Temporal, "")
	if err != nil {
		return r, err
	}
	start := time.Now()
	err = eachBare(n, func(i int) error {
		_, err := acts.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: bareWorkflowID(in, i), TaskQueue: "bench-bare"}, noop)
		return err
	})
	r.Bare = time.Since(start)
	if err != nil {
		return r, fmt.Errorf("bare starts: %w", err)
	}
	if err := eventually(ctx, 10*time.Minute, "bare workflows listed", func() (bool, error) {
		now, err := countWorkflows(ctx, acts.Temporal, "")
		return now >= listed+int64(n), err
	}); err != nil {
		return r, err
	}

	start = time.Now()
	v, retries, err := runResumed(acts, acts.StartFollowUps, in)
	r.FollowUps, r.Retries = time.Since(start), retries
	started := 0
	if err == nil {
		err = v.Get(&started)
	}
	if err == nil && started != n {
		err = fmt.Errorf("%d follow-ups started, want %d", started, n)
	}
	if err != nil {
		return r, fmt.Errorf("StartFollowUps: %w", err)
	}
	return r, nil
}

// ExecutionClose cancels the n bare workflows ExecutionStart started,
// startConcurrency at a time, then runs the real StopFollowUps activity over
// the same plan, each timed, in the same namespace no worker polls: each
// cancel records a cancel request, which nobody acts on. It first waits
// until the server has listed the follow-ups, as ExecutionStart waits for
// the bare workflows, and at the end counts the follow-ups still listed running.
func ExecutionClose(ctx context.Context, acts *activities.Activities, in activities.FollowUpsInput, n int) (CloseResult, error) {
	var r CloseResult
	if err := eventually(ctx, 10*time.Minute, "follow-ups listed", func() (bool, error) {
		now, err := countWorkflows(ctx, acts.Temporal, followUpsQuery(in, ""))
		return now >= int64(n), err
	}); err != nil {
		return r, err
	}
	start := time.Now()
	err := eachBare(n, func(i int) error { return acts.Temporal.CancelWorkflow(ctx, bareWorkflowID(in, i), "") })
	r.BareCancels = time.Since(start)
	if err != nil {
		return r, fmt.Errorf("bare cancels: %w", err)
	}

	start = time.Now()
	_, r.Retries, err = runResumed(acts, acts.StopFollowUps, in)
	r.Stop = time.Since(start)
	if err != nil {
		return r, fmt.Errorf("StopFollowUps: %w", err)
	}
	running, err := countWorkflows(ctx, acts.Temporal, followUpsQuery(in, "Running"))
	r.StillRunning = int(running)
	return r, err
}

// ClosingLeftRunning starts the follow-ups of in's plan (n activities, all
// unfinished) with StartFollowUps where acts' worker runs them, waits until
// the server lists them all, stops them with StopFollowUps, and counts the
// ones that have not ended once the count reached 0 or stopped moving.
func ClosingLeftRunning(ctx context.Context, acts *activities.Activities, in activities.FollowUpsInput, n int) (ClosingResult, error) {
	var r ClosingResult
	v, _, err := runResumed(acts, acts.StartFollowUps, in)
	if err == nil {
		err = v.Get(&r.FollowUps)
	}
	if err != nil {
		return r, fmt.Errorf("StartFollowUps: %w", err)
	}
	if r.FollowUps != n {
		return r, fmt.Errorf("%d follow-ups started, want %d", r.FollowUps, n)
	}
	if err := eventually(ctx, 10*time.Minute, "follow-ups listed", func() (bool, error) {
		now, err := countWorkflows(ctx, acts.Temporal, followUpsQuery(in, ""))
		return now >= int64(n), err
	}); err != nil {
		return r, err
	}

	start := time.Now()
	if _, _, err := runResumed(acts, acts.StopFollowUps, in); err != nil {
		return r, fmt.Errorf("StopFollowUps: %w", err)
	}
	r.Stop = time.Since(start)
	// Ending a follow-up is the worker's work, after StopFollowUps: the count
	// is taken when it reaches 0, or once it has not moved for a minute.
	last, changed := int64(-1), time.Now()
	if err := eventually(ctx, 15*time.Minute, "follow-ups ended", func() (bool, error) {
		running, err := countWorkflows(ctx, acts.Temporal, followUpsQuery(in, "Running"))
		if err != nil || running == 0 {
			last = running
			return err == nil, err
		}
		if running != last {
			last, changed = running, time.Now()
		}
		return time.Since(changed) > time.Minute, nil
	}); err != nil {
		return r, err
	}
	r.Ended, r.LeftRunning = time.Since(start), int(last)
	cancelled, err := countWorkflows(ctx, acts.Temporal, followUpsQuery(in, "Canceled"))
	r.Cancelled = int(cancelled)
	return r, err
}

// eachBare calls do for each of n bare workflows, startConcurrency at a time.
func eachBare(n int, do func(i int) error) error {
	var g errgroup.Group
	g.SetLimit(startConcurrency)
	for i := range n {
		g.Go(func() error { return do(i) })
	}
	return g.Wait()
}

// runResumed runs one of acts' methods over a plan (StartFollowUps,
// StopFollowUps) in the SDK's activity test environment, which gives it its
// heartbeat context outside a worker. When an attempt fails with a retryable
// error (a call timing out on a busy machine) it is retried from its last
// heartbeat, as the cycle's retry policy would, three attempts at most; it
// returns the result and how many attempts were resumed.
func runResumed(acts *activities.Activities, activityFn any, in activities.FollowUpsInput) (converter.EncodedValue, int, error) {
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
	for attempt := 1; ; attempt++ {
		v, err := env.ExecuteActivity(activityFn, in)
		var appErr *temporal.ApplicationError
		if err == nil || attempt == 3 || (errors.As(err, &appErr) && appErr.NonRetryable()) {
			return v, attempt - 1, err
		}
		mu.Lock()
		env.SetHeartbeatDetails(progress)
		mu.Unlock()
	}
}

// followUpsQuery lists the follow-ups of in's organisation and year, of the
// given execution status ("" for any), by the search attributes they carry.
func followUpsQuery(in activities.FollowUpsInput, status string) string {
	q := fmt.Sprintf("WorkflowType = '%s' AND OrganisationSlug = '%s' AND CycleYear = %d", ptacycle.FollowUpWorkflowName, in.OrganisationSlug, in.Year)
	if status != "" {
		q += fmt.Sprintf(" AND ExecutionStatus = '%s'", status)
	}
	return q
}

// countWorkflows counts the workflows the namespace's visibility store lists for query ("" for all).
func countWorkflows(ctx context.Context, c client.Client, query string) (int64, error) {
	res, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: query})
	return res.GetCount(), err
}

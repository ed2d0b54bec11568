package workflows_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/workflows"
)

// replayer knows the workflows as the worker registers them.
func replayer(cycle any) worker.WorkflowReplayer {
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(cycle, workflow.RegisterOptions{Name: ptacycle.CycleWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.FollowUp, workflow.RegisterOptions{Name: ptacycle.FollowUpWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.WeeklyDigest, workflow.RegisterOptions{Name: ptacycle.WeeklyDigestWorkflowName})
	return r
}

// TestReplay replays histories recorded on a real server (worker's
// TestCycleOnRealStack, TestCycleTimersOnRealStack,
// TestFollowUpPathsOnRealStack and TestWeeklyDigestOnRealStack with
// PTACYCLE_RECORD_HISTORIES=1; the *-before-* files were recorded before the
// versioned change they name): a change to the workflows that would break
// running cycles fails here.
func TestReplay(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) < 3 {
		t.Fatalf("recorded histories: %v, %v", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			if err := replayer(workflows.Cycle).ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestReplayCatchesBreakingChange proves the guard works: the cycle workflow
// with one step added before its first activity no longer replays.
func TestReplayCatchesBreakingChange(t *testing.T) {
	changed := func(ctx workflow.Context, in workflows.CycleInput) (workflows.CycleResult, error) {
		if err := workflow.Sleep(ctx, time.Minute); err != nil {
			return workflows.CycleResult{}, err
		}
		return workflows.Cycle(ctx, in)
	}
	err := replayer(changed).ReplayWorkflowHistoryFromJSONFile(nil, "testdata/cycle.json")
	// TMPRL1100 is the SDK's code for a nondeterministic replay.
	if err == nil || !strings.Contains(err.Error(), "TMPRL1100") {
		t.Fatalf("replaying against a changed workflow: err = %v, want a nondeterminism error", err)
	}
}

// skipEscalations is a workflow interceptor that drops the escalation
// reminders a follow-up sends: the follow-up's code changed without GetVersion.
type skipEscalations struct {
	interceptor.WorkerInterceptorBase
}

func (*skipEscalations) InterceptWorkflow(_ workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &skipInbound{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}}
}

type skipInbound struct {
	interceptor.WorkflowInboundInterceptorBase
}

func (i *skipInbound) Init(outbound interceptor.WorkflowOutboundInterceptor) error {
	return i.Next.Init(&skipOutbound{WorkflowOutboundInterceptorBase: interceptor.WorkflowOutboundInterceptorBase{Next: outbound}})
}

type skipOutbound struct {
	interceptor.WorkflowOutboundInterceptorBase
}

func (o *skipOutbound) ExecuteActivity(ctx workflow.Context, activityType string, args ...any) workflow.Future {
	if in, ok := args[0].(activities.RemindInput); ok && activityType == "Remind" && in.Kind == activities.KindEscalation {
		f, set := workflow.NewFuture(ctx)
		set.Set(nil, nil)
		return f
	}
	return o.Next.ExecuteActivity(ctx, activityType, args...)
}

// TestReplayCatchesChangedFollowUp proves the guard for the follow-up: its
// recorded reminders replayed by a follow-up that no longer escalates (a
// change in the middle of its loop, not at its start) fail as nondeterministic.
func TestReplayCatchesChangedFollowUp(t *testing.T) {
	r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{Interceptors: []interceptor.WorkerInterceptor{&skipEscalations{}}})
	if err != nil {
		t.Fatal(err)
	}
	r.RegisterWorkflowWithOptions(workflows.FollowUp, workflow.RegisterOptions{Name: ptacycle.FollowUpWorkflowName})
	if err := replayer(workflows.Cycle).ReplayWorkflowHistoryFromJSONFile(nil, "testdata/followup-reminders.json"); err != nil {
		t.Fatalf("the recorded follow-up does not replay as it is: %v", err)
	}
	err = r.ReplayWorkflowHistoryFromJSONFile(nil, "testdata/followup-reminders.json")
	if err == nil || !strings.Contains(err.Error(), "TMPRL1100") {
		t.Fatalf("replaying a follow-up that no longer escalates: err = %v, want a nondeterminism error", err)
	}
}

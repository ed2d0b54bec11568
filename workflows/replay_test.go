package workflows_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/ptacycle/ptacycle"
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
// TestCycleOnRealStack with PTACYCLE_RECORD_HISTORIES=1): a change to the
// workflows that would break running cycles fails here.
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

package worker_test

import (
	"context"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
)

// TestNextYearNeverReopensAClosedYear closes year N after year N+1 already
// exists, in both orders: N+1 closed (recorded out of order), and N+1
// running. Closing N must leave N+1 as it was.
func TestNextYearNeverReopensAClosedYear(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("NextYearClosed", func(t *testing.T) {
		s := mustStack(t)
		d := loadDemo(t, s)
		nextID := runRetroactiveYear(t, s, d, 2021)
		_ = s.c.TerminateWorkflow(ctx, ptacycle.CycleWorkflowID(demo.Slug, 2022), "", "not under test")
		before, err := s.db.Cycle(ctx, d.org.ID, 2021)
		if err != nil || before.Stage != ptacycle.StageClosed || before.ClosedAt == nil {
			t.Fatalf("2021 before: %+v, %v", before, err)
		}
		bilanBefore, _ := s.db.Bilan(ctx, d.org.ID, before.ID)
		run, err := s.c.DescribeWorkflowExecution(ctx, nextID, "")
		if err != nil {
			t.Fatal(err)
		}
		closedRun := run.GetWorkflowExecutionInfo().GetExecution().GetRunId()

		runRetroactiveYear(t, s, d, 2020)

		after, err := s.db.Cycle(ctx, d.org.ID, 2021)
		if err != nil || after.Stage != ptacycle.StageClosed || after.ClosedAt == nil || !after.ClosedAt.Equal(*before.ClosedAt) {
			t.Errorf("2021 after closing 2020: %+v (closed at %v, was %v), %v", after, after.ClosedAt, before.ClosedAt, err)
		}
		bilanAfter, _ := s.db.Bilan(ctx, d.org.ID, after.ID)
		if (bilanBefore.Rates == nil) != (bilanAfter.Rates == nil) || (bilanAfter.Rates != nil && bilanAfter.Rates.Overall != bilanBefore.Rates.Overall) {
			t.Errorf("2021's bilan rates were rewritten: %+v, were %+v", bilanAfter.Rates, bilanBefore.Rates)
		}
		run, err = s.c.DescribeWorkflowExecution(ctx, nextID, "")
		if err != nil {
			t.Fatal(err)
		}
		if info := run.GetWorkflowExecutionInfo(); info.GetExecution().GetRunId() != closedRun || info.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			t.Errorf("2021's workflow was started again: run %s (%v), the closed one was %s", info.GetExecution().GetRunId(), info.GetStatus(), closedRun)
		}
	})

	t.Run("NextYearRunning", func(t *testing.T) {
		s := mustStack(t)
		d := loadDemo(t, s)
		nextID := startCycle(t, s, d, 2021)
		run, err := s.c.DescribeWorkflowExecution(ctx, nextID, "")
		if err != nil {
			t.Fatal(err)
		}
		runID := run.GetWorkflowExecutionInfo().GetExecution().GetRunId()

		runRetroactiveYear(t, s, d, 2020)

		run, err = s.c.DescribeWorkflowExecution(ctx, nextID, "")
		if err != nil {
			t.Fatal(err)
		}
		if info := run.GetWorkflowExecutionInfo(); info.GetExecution().GetRunId() != runID || info.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			t.Errorf("2021's running workflow was replaced: run %s (%v), was %s", info.GetExecution().GetRunId(), info.GetStatus(), runID)
		}
		if st := s.status(t, nextID); st.Stage != ptacycle.StageBilan {
			t.Errorf("2021 is at %s", st.Stage)
		}
	})
}

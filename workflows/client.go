package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/internal/searchattrs"
)

// This file is the client side of the cycle: how the server (and the demo)
// start a cycle, take a human step and ask where it stands.

// CycleStartOptions are the options of a cycle's start: one workflow per
// organisation and year, never started twice, found by its search attributes.
func CycleStartOptions(slug string, year int) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       ptacycle.CycleWorkflowID(slug, year),
		TaskQueue:                ptacycle.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(searchattrs.Organisation.ValueSet(slug),
			searchattrs.Year.ValueSet(int64(year)), searchattrs.Stage.ValueSet(string(ptacycle.StageBilan))),
	}
}

// StepID is the update id of a human step: the organisation, the person
// taking it, the step and the request's own id (the client's X-Request-ID, or
// the id a page put in the form it rendered). Two people, or two steps, never
// share one, so a retried request counts once without ever answering
// another person's step.
func StepID(slug string, userID int64, name, requestID string) string {
	return fmt.Sprintf("%s:%d:%s:%s", slug, userID, name, requestID)
}

// StepRunning says that the cycle accepted a step that has not finished yet
// (closing a year stops every follow-up first); StepResult tells when it has.
type StepRunning struct {
	UpdateID string
}

func (e *StepRunning) Error() string { return "step " + e.UpdateID + " accepted, still running" }

// UpdateCycle takes a human step (an update named name) on slug's cycle of
// year and waits, within ctx, for its end: the status after it. updateID
// makes a retried step count once. A refusal of the workflow's validator
// comes back as the *ptacycle.Error it gave.
func UpdateCycle(ctx context.Context, c client.Client, slug string, year int, updateID, name string, arg any) (CycleStatus, error) {
	return TakeStep(ctx, c, slug, year, updateID, name, arg, 0)
}

// TakeStep is UpdateCycle for people waiting on a page: it waits, within
// ctx, for the cycle to accept or refuse the step (updateID: see StepID),
// then at most wait (0: as long as ctx allows) for the step to finish; past
// that, it answers *StepRunning.
func TakeStep(ctx context.Context, c client.Client, slug string, year int, updateID, name string, arg any, wait time.Duration) (CycleStatus, error) {
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   ptacycle.CycleWorkflowID(slug, year),
		UpdateID:     updateID,
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageAccepted,
	})
	if err != nil {
		return CycleStatus{}, AsDomainError(err)
	}
	return stepOutcome(ctx, h, wait)
}

// StepResult asks again for the outcome of step updateID on slug's cycle of
// year, waiting at most wait: *StepRunning while it is still running.
func StepResult(ctx context.Context, c client.Client, slug string, year int, updateID string, wait time.Duration) (CycleStatus, error) {
	h := c.GetWorkflowUpdateHandle(client.GetWorkflowUpdateHandleOptions{
		WorkflowID: ptacycle.CycleWorkflowID(slug, year), UpdateID: updateID})
	return stepOutcome(ctx, h, wait)
}

func stepOutcome(ctx context.Context, h client.WorkflowUpdateHandle, wait time.Duration) (CycleStatus, error) {
	var status CycleStatus
	waiting, cancel := ctx, context.CancelFunc(func() {})
	if wait > 0 {
		waiting, cancel = context.WithTimeout(ctx, wait)
	}
	defer cancel()
	err := h.Get(waiting, &status)
	// The wait is over when our deadline passed, or when the server ended its
	// long poll first (a DeadlineExceeded that can come before ours under
	// load); the SDK retries an update not found until then, and wraps that.
	var timedOut *client.WorkflowUpdateServiceTimeoutOrCanceledError
	var notFound *serviceerror.NotFound
	if err != nil && wait > 0 && ctx.Err() == nil && !errors.As(err, &notFound) && (waiting.Err() != nil || errors.As(err, &timedOut)) {
		return status, &StepRunning{UpdateID: h.UpdateID()}
	}
	return status, AsDomainError(err)
}

// CycleStopped says that a cycle's workflow ended otherwise than by its own
// close (failed, terminated, timed out): nothing will move its stage.
type CycleStopped struct {
	WorkflowID string
	Status     enumspb.WorkflowExecutionStatus
}

func (e *CycleStopped) Error() string {
	return fmt.Sprintf("cycle workflow %s stopped: %s", e.WorkflowID, e.Status)
}

// QueryCycle asks slug's cycle of year where it stands: *CycleStopped when
// its workflow ended otherwise than by closing the year.
func QueryCycle(ctx context.Context, c client.Client, slug string, year int) (CycleStatus, error) {
	var status CycleStatus
	id := ptacycle.CycleWorkflowID(slug, year)
	resp, err := c.QueryWorkflowWithOptions(ctx, &client.QueryWorkflowWithOptionsRequest{WorkflowID: id, QueryType: QueryStatus,
		QueryRejectCondition: enumspb.QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY})
	switch {
	case err != nil:
		return status, err
	case resp.QueryRejected != nil:
		return status, &CycleStopped{WorkflowID: id, Status: resp.QueryRejected.GetStatus()}
	}
	return status, resp.QueryResult.Get(&status)
}

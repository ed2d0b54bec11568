package workflows

import (
	"context"

	enumspb "go.temporal.io/api/enums/v1"
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

// UpdateCycle takes a human step (an update named name) on slug's cycle of
// year and returns the cycle's status after it. updateID makes a retried step
// count once. A refusal of the workflow's validator comes back as the *ptacycle.Error it gave.
func UpdateCycle(ctx context.Context, c client.Client, slug string, year int, updateID, name string, arg any) (CycleStatus, error) {
	var status CycleStatus
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   ptacycle.CycleWorkflowID(slug, year),
		UpdateID:     updateID,
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, &status)
	}
	return status, AsDomainError(err)
}

// QueryCycle asks slug's cycle of year where it stands.
func QueryCycle(ctx context.Context, c client.Client, slug string, year int) (CycleStatus, error) {
	var status CycleStatus
	v, err := c.QueryWorkflow(ctx, ptacycle.CycleWorkflowID(slug, year), "", QueryStatus)
	if err == nil {
		err = v.Get(&status)
	}
	return status, err
}

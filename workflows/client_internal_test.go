package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// pollEnded is an update handle whose poll the server ends with
// DeadlineExceeded before the caller's own deadline, as a loaded frontend does.
type pollEnded struct{ client.WorkflowUpdateHandle }

func (pollEnded) UpdateID() string { return "cnltp:7:close-bilan:r1" }

func (pollEnded) Get(context.Context, any) error {
	return client.NewWorkflowUpdateServiceTimeoutOrCanceledError(serviceerror.NewDeadlineExceeded("poll ended by the server"))
}

// TestStepOutcomeServerEndsPoll: a step whose outcome poll the server ends
// first is still running, not « Temporal injoignable » (what
// TestSlowStepAnswersUnderWay got under load before: 503 instead of 202).
func TestStepOutcomeServerEndsPoll(t *testing.T) {
	_, err := stepOutcome(context.Background(), pollEnded{}, time.Minute)
	var running *StepRunning
	if !errors.As(err, &running) || running.UpdateID != "cnltp:7:close-bilan:r1" {
		t.Fatalf("err = %v, want *StepRunning", err)
	}
	// The caller's own context gone: that is no answer of « still running ».
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := stepOutcome(ctx, pollEnded{}, time.Minute); errors.As(err, &running) {
		t.Fatalf("a cancelled caller was told the step runs: %v", err)
	}
}

// notFoundYet is an update handle whose update nobody asked for: the SDK
// retries the NotFound until the wait ends, and wraps it.
type notFoundYet struct{ client.WorkflowUpdateHandle }

func (notFoundYet) UpdateID() string { return "cnltp:8:close-bilan:r1" }

func (notFoundYet) Get(context.Context, any) error {
	return client.NewWorkflowUpdateServiceTimeoutOrCanceledError(serviceerror.NewNotFound(`update "cnltp:8:close-bilan:r1" not found`))
}

// TestStepOutcomeNobodyAsked: the outcome of a step nobody asked for is
// not found, never « still running ».
func TestStepOutcomeNobodyAsked(t *testing.T) {
	_, err := stepOutcome(context.Background(), notFoundYet{}, time.Minute)
	var running *StepRunning
	var notFound *serviceerror.NotFound
	if errors.As(err, &running) || !errors.As(err, &notFound) {
		t.Fatalf("err = %v, want NotFound", err)
	}
}

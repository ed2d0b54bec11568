package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/ptacycle/ptacycle"
)

// Operations whose failure a cycle survives: they are recorded as process failures.
const (
	OpRemind            = "remind"
	OpAnnounceExecution = "announce_execution"
	OpRecordStage       = "record_stage"
	OpWorkingDay        = "working_day"
	OpComputeBilan      = "compute_bilan"
	OpStartFollowUps    = "start_follow_ups"
	OpStopFollowUps     = "stop_follow_ups"
	OpStartNextYear     = "start_next_year"
	OpSendDigest        = "send_digest"
)

// FailureInput is a side effect of a cycle that failed for good.
type FailureInput struct {
	Key            string // unique to the side effect: recording it again writes nothing
	OrganisationID int64
	CycleID        int64
	ActivityID     int64
	Operation      string
	ReminderKind   string
	ErrorCode      string
	ErrorDetail    string
}

// Failure describes err for the record of a failed operation: its ptacycle
// code when the activity gave one, else its kind (a timeout, an internal error).
func Failure(in FailureInput, err error) FailureInput {
	var app *temporal.ApplicationError
	var timeout *temporal.TimeoutError
	switch {
	case errors.As(err, &app) && app.Type() != "":
		in.ErrorCode, in.ErrorDetail = app.Type(), app.Message()
	case errors.As(err, &timeout):
		in.ErrorCode, in.ErrorDetail = "TIMEOUT", timeout.Error()
	default:
		in.ErrorCode, in.ErrorDetail = ptacycle.EINTERNAL, err.Error()
	}
	return in
}

// RecordFailure records a failed side effect (process_failures, the audit
// log) and counts it in the ptacycle_process_failures metric, by operation.
func (a *Activities) RecordFailure(ctx context.Context, in FailureInput) error {
	f := ptacycle.ProcessFailure{Key: in.Key, Operation: in.Operation, ReminderKind: in.ReminderKind, ErrorCode: in.ErrorCode, ErrorDetail: in.ErrorDetail}
	if in.CycleID != 0 {
		f.CycleID = &in.CycleID
	}
	if in.ActivityID != 0 {
		f.ActivityID = &in.ActivityID
	}
	created, err := a.DB.RecordProcessFailure(ctx, ptacycle.SystemActor(in.OrganisationID), f)
	if err != nil {
		return domainError(err)
	}
	if created {
		activity.GetMetricsHandler(ctx).WithTags(map[string]string{"operation": in.Operation}).Counter("ptacycle_process_failures").Inc(1)
	}
	return nil
}

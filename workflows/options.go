package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
)

// a is the nil pointer through which workflows name activities.
var a *activities.Activities

// retryPolicy retries what a retry can fix (PostgreSQL down, a crash) without
// limit, and stops at once on the errors named by activities.NonRetryable.
var retryPolicy = &temporal.RetryPolicy{
	InitialInterval:        time.Second,
	BackoffCoefficient:     2,
	MaximumInterval:        time.Minute,
	NonRetryableErrorTypes: activities.NonRetryable,
}

// withActivityOptions sets the options of the short database activities.
func withActivityOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second, RetryPolicy: retryPolicy})
}

// withBatchOptions sets the options of the activities that start or stop thousands of follow-ups.
func withBatchOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         retryPolicy,
	})
}

// reject is the error of an update validator or handler: an application error
// whose type is the ptacycle error code and whose details carry the English text.
func reject(code, french, english string, args ...any) error {
	e := ptacycle.Errorf(code, french, english, args...)
	return temporal.NewNonRetryableApplicationError(e.Message, e.Code, nil, e.English, e.Fields)
}

// rejectError turns a coded error, or an activity's failure carrying one, into
// the application error of reject, so that the update's caller receives the
// code and the person's message rather than Temporal's wrapping.
func rejectError(err error) error {
	var e *ptacycle.Error
	if errors.As(err, &e) {
		return temporal.NewNonRetryableApplicationError(e.Message, e.Code, nil, e.English, e.Fields)
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		var english string
		var fields []ptacycle.FieldError
		if app.HasDetails() {
			_ = app.Details(&english, &fields)
		}
		return temporal.NewNonRetryableApplicationError(app.Message(), app.Type(), nil, english, fields)
	}
	return err
}

// AsDomainError turns the error of an update or activity, as a Temporal
// client receives it, back into a *ptacycle.Error with its code and both
// languages; other errors are returned as they are.
func AsDomainError(err error) error {
	var app *temporal.ApplicationError
	if !errors.As(err, &app) {
		return err
	}
	switch app.Type() {
	case ptacycle.EINVALID, ptacycle.ECONFLICT, ptacycle.ENOTFOUND, ptacycle.EFORBIDDEN, ptacycle.EUNAUTHORIZED:
	default:
		return err
	}
	e := &ptacycle.Error{Code: app.Type(), Message: app.Message()}
	if app.HasDetails() {
		var english string
		var fields []ptacycle.FieldError
		_ = app.Details(&english, &fields)
		e.English, e.Fields = english, fields
	}
	return e
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

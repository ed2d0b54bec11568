// Package activities holds the Temporal activities of ptacycle: the only
// workflow code that touches PostgreSQL, Temporal's client or sends messages.
// Each one is idempotent, so that a retry after a crash changes nothing twice.
package activities

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

// Activities holds what the activities depend on; workflows call its methods through a nil pointer.
type Activities struct {
	DB         *postgres.DB
	Temporal   client.Client // starts and stops the activities' follow-up workflows
	Clock      func() time.Time
	PublicURL  string // where users reach the server, for the links in messages
	LinkSecret []byte // signs the one-click update links (postgres.DB.Secret)
}

// NonRetryable lists the error types an activity returns for a request that
// no retry can fix (they are ptacycle's error codes); workflows name them in their retry policies.
var NonRetryable = []string{ptacycle.EINVALID, ptacycle.ECONFLICT, ptacycle.ENOTFOUND, ptacycle.EFORBIDDEN}

// domainError turns a coded error into an application error carrying its code
// as type and its English text as detail, non-retryable when retrying cannot help.
// Other errors (PostgreSQL down…) stay retryable.
func domainError(err error) error {
	var e *ptacycle.Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	switch e.Code {
	case ptacycle.EUNAVAILABLE, ptacycle.EINTERNAL:
		return err
	}
	return temporal.NewNonRetryableApplicationError(e.Message, e.Code, nil, e.English, e.Fields)
}

// RecordStageInput says which stage a cycle reached.
type RecordStageInput struct {
	OrganisationID int64
	CycleID        int64
	Stage          ptacycle.Stage
}

// RecordStage projects a cycle's stage into PostgreSQL (and the audit log) so
// lists and dashboards never have to ask Temporal. Recording the current stage again is a no-op.
func (a *Activities) RecordStage(ctx context.Context, in RecordStageInput) error {
	return domainError(a.DB.SetStage(ctx, ptacycle.SystemActor(in.OrganisationID), in.CycleID, in.Stage))
}

func (a *Activities) now() time.Time {
	if a.Clock == nil {
		return time.Now()
	}
	return a.Clock()
}

// actor is the user who asked for a change, or the system when userID is 0.
func (a *Activities) actor(ctx context.Context, org, userID int64) (ptacycle.Actor, error) {
	if userID == 0 {
		return ptacycle.SystemActor(org), nil
	}
	u, err := a.DB.User(ctx, org, userID)
	if err != nil {
		return ptacycle.Actor{}, err
	}
	return ptacycle.UserActor(u), nil
}

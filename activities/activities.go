// Package activities holds the Temporal activities of ptacycle: the only
// workflow code that touches PostgreSQL or sends messages. Each one is
// idempotent, so that a retry after a crash changes nothing twice.
package activities

import (
	"context"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

// Activities holds what the activities depend on; workflows call its methods through a nil pointer.
type Activities struct {
	DB    *postgres.DB
	Clock func() time.Time
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
	return a.DB.SetStage(ctx, ptacycle.SystemActor(in.OrganisationID), in.CycleID, in.Stage)
}

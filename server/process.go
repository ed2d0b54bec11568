package server

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/workflows"
)

// updateTimeout bounds how long a request waits for a workflow update to complete.
const updateTimeout = 30 * time.Second

// processError turns what the Temporal client says into a coded error for people.
func processError(err error, year int) error {
	if err == nil {
		return nil
	}
	if domain := workflows.AsDomainError(err); ptacycle.ErrorCode(domain) != ptacycle.EINTERNAL {
		return domain
	}
	var notFound *serviceerror.NotFound
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	switch {
	case errors.As(err, &notFound):
		return ptacycle.Errorf(ptacycle.ENOTFOUND, "Aucun cycle %d n'est en cours", "No %d cycle is running", year)
	case strings.Contains(err.Error(), "workflow execution already completed"):
		return ptacycle.Errorf(ptacycle.ECONFLICT, "Le cycle %d est clôturé", "The %d cycle is closed", year)
	case errors.As(err, &unavailable), errors.As(err, &deadline), errors.Is(err, context.DeadlineExceeded),
		strings.Contains(err.Error(), "connection refused"), strings.Contains(err.Error(), "Unavailable"):
		return ptacycle.Errorf(ptacycle.EUNAVAILABLE,
			"Le moteur de processus (Temporal) est momentanément injoignable : rien n'a été modifié, réessayez dans un instant",
			"The process engine (Temporal) is unreachable for now: nothing was changed, try again in a moment")
	}
	return err
}

// updateCycle sends a human step to an organisation's cycle of year and
// returns the cycle's status after it. The request id is the update id, so a
// client retrying with the same X-Request-ID does not take the step twice.
func (s *Server) updateCycle(ctx context.Context, org ptacycle.Organisation, year int, name string, arg any) (workflows.CycleStatus, error) {
	ctx, cancel := context.WithTimeout(ctx, updateTimeout)
	defer cancel()
	status, err := workflows.UpdateCycle(ctx, s.deps.Temporal, org.Slug, year, ptacycle.RequestID(ctx), name, arg)
	return status, processError(err, year)
}

// cycleStatus asks the cycle workflow where it stands.
func (s *Server) cycleStatus(ctx context.Context, org ptacycle.Organisation, year int) (workflows.CycleStatus, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	status, err := workflows.QueryCycle(ctx, s.deps.Temporal, org.Slug, year)
	return status, processError(err, year)
}

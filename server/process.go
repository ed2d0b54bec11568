package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/workflows"
)

// acceptTimeout bounds how long a request waits for the cycle to accept or
// refuse a step; stepWait how long it then waits for the step to finish
// before answering that it is under way (closing a year stops every
// follow-up first, which may take longer).
const (
	acceptTimeout   = 20 * time.Second
	defaultStepWait = 15 * time.Second
)

// stepWait is how long a step waits for its end (Deps.StepWait).
func (s *Server) stepWait() time.Duration {
	if s.deps.StepWait > 0 {
		return s.deps.StepWait
	}
	return defaultStepWait
}

// processError turns what the Temporal client says into a coded error for people.
func processError(err error, year int) error {
	if err == nil {
		return nil
	}
	if domain := workflows.AsDomainError(err); ptacycle.ErrorCode(domain) != ptacycle.EINTERNAL {
		return domain
	}
	var stopped *workflows.CycleStopped
	if errors.As(err, &stopped) {
		state := strings.ToLower(strings.TrimPrefix(stopped.Status.String(), "WORKFLOW_EXECUTION_STATUS_"))
		return ptacycle.Errorf(ptacycle.ECONFLICT,
			"Le cycle %d s'est arrêté sur une erreur (workflow %s : %s) : aucune étape ne le fera plus avancer. L'équipe technique peut le reprendre (temporal workflow reset)",
			"The %d cycle stopped on an error (workflow %s: %s): no step will move it any more. The technical team can resume it (temporal workflow reset)",
			year, stopped.WorkflowID, state)
	}
	var notFound *serviceerror.NotFound
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	switch {
	case strings.Contains(err.Error(), "workflow execution already completed"):
		// A NotFound too, but the cycle exists: its workflow has ended.
		return ptacycle.Errorf(ptacycle.ECONFLICT, "Le cycle %d est clôturé : il n'accepte plus d'étape", "The %d cycle is closed: it takes no more steps", year)
	case errors.As(err, &notFound):
		return ptacycle.Errorf(ptacycle.ENOTFOUND, "Aucun cycle %d n'est en cours", "No %d cycle is running", year)
	case errors.As(err, &unavailable), strings.Contains(err.Error(), "connection refused"), strings.Contains(err.Error(), "Unavailable"):
		return ptacycle.Errorf(ptacycle.EUNAVAILABLE,
			"Le moteur de processus (Temporal) est momentanément injoignable : rien n'a été modifié, réessayez dans un instant",
			"The process engine (Temporal) is unreachable for now: nothing was changed, try again in a moment")
	case errors.As(err, &deadline), errors.Is(err, context.DeadlineExceeded):
		// The step may have reached the cycle: sent again with the same
		// id (a form sent again, a client's same X-Request-ID), it is taken once.
		return ptacycle.Errorf(ptacycle.EUNAVAILABLE,
			"Le moteur de processus (Temporal) est momentanément injoignable : réessayez dans un instant ; une étape envoyée à nouveau n'est jamais faite deux fois",
			"The process engine (Temporal) is unreachable for now: try again in a moment; a step sent again is never taken twice")
	}
	return err
}

// stepField is the hidden field of a page's step form: an id drawn when the
// page was rendered, so that a double click or a form sent again is one step.
const stepField = "step"

// stepRequestID is the id of this request's step: the form's own id on a
// page, else the request id (a client's X-Request-ID).
func stepRequestID(c *gin.Context) string {
	if !strings.HasPrefix(c.Request.URL.Path, "/api/") {
		if id := c.PostForm(stepField); requestIDPattern.MatchString(id) {
			return id
		}
	}
	return ptacycle.RequestID(c.Request.Context())
}

// updateCycle takes a human step, as the current user, on cc's cycle, and
// returns the cycle's status after it. Its id comes from the organisation,
// the user, the step and the request (see workflows.StepID): retried, it
// counts once; nobody else's request can answer it. A step accepted but
// still running after Deps.StepWait comes back as *workflows.StepRunning.
func (s *Server) updateCycle(c *gin.Context, cc cycleContext, name string, arg any) (workflows.CycleStatus, error) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), acceptTimeout+s.stepWait())
	defer cancel()
	id := workflows.StepID(cc.org.Slug, currentUser(c).ID, name, stepRequestID(c))
	status, err := workflows.TakeStep(ctx, s.deps.Temporal, cc.org.Slug, cc.year, id, name, arg, s.stepWait())
	var running *workflows.StepRunning
	if errors.As(err, &running) {
		return status, err
	}
	return status, processError(err, cc.year)
}

// stepUnderWay is the API's answer to a step accepted and still running:
// 202, with where to ask for its outcome.
type stepUnderWay struct {
	Step      string `json:"step"`
	RequestID string `json:"requestId"`
	StatusURL string `json:"statusUrl"`
	Message   string `json:"message"`
}

// answerStep answers an API step: the status after it, 202 while it runs, or the error.
// request is the step's own request id (see stepRequestID).
func (s *Server) answerStep(c *gin.Context, cc cycleContext, name, request string, status workflows.CycleStatus, err error) {
	var running *workflows.StepRunning
	if !errors.As(err, &running) {
		s.reply(c, http.StatusOK, status, err)
		return
	}
	url := fmt.Sprintf("/api/v1/cycles/%d/steps/%s/%s", cc.year, name, request)
	c.Header("Location", url)
	c.JSON(http.StatusAccepted, stepUnderWay{Step: name, RequestID: request, StatusURL: url,
		Message: s.deps.UI.NewPage(lang(c), currentUser(c), "").T("step.running")})
}

// getStep answers the outcome of a step the current user took: the status
// after it, or 202 while it still runs.
func (s *Server) getStep(c *gin.Context) {
	cc, ok := s.loadCycle(c)
	if !ok {
		return
	}
	name, request := c.Param("step"), c.Param("request")
	if !requestIDPattern.MatchString(request) || !workflows.IsStep(name) {
		s.fail(c, ptacycle.Errorf(ptacycle.ENOTFOUND, "Aucune étape %q n'a été demandée", "No step %q was asked for", name))
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), acceptTimeout)
	defer cancel()
	id := workflows.StepID(cc.org.Slug, currentUser(c).ID, name, request)
	status, err := workflows.StepResult(ctx, s.deps.Temporal, cc.org.Slug, cc.year, id, s.stepWait()/3)
	var running *workflows.StepRunning
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &running):
	case errors.As(err, &notFound) && !strings.Contains(err.Error(), "workflow execution already completed"):
		err = ptacycle.Errorf(ptacycle.ENOTFOUND, "Aucune étape %q n'a été demandée sous cet identifiant", "No step %q was asked for under this id", name)
	case err != nil:
		err = processError(err, cc.year)
	}
	s.answerStep(c, cc, name, request, status, err)
}

// pageStep takes a step from a page. done is false when the step is
// accepted and still running: the page then says so and goes back to back.
func (s *Server) pageStep(c *gin.Context, cc cycleContext, name string, arg any, back string) (status workflows.CycleStatus, done bool, err error) {
	status, err = s.updateCycle(c, cc, name, arg)
	var running *workflows.StepRunning
	if errors.As(err, &running) {
		s.flashT(c, "step.running")
		redirect(c, back)
		return status, false, nil
	}
	return status, err == nil, err
}

// cycleStatus asks the cycle workflow where it stands.
func (s *Server) cycleStatus(ctx context.Context, org ptacycle.Organisation, year int) (workflows.CycleStatus, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	status, err := workflows.QueryCycle(ctx, s.deps.Temporal, org.Slug, year)
	var stopped *workflows.CycleStopped
	if errors.As(err, &stopped) {
		return status, err // view tells it apart; processError words it
	}
	return status, processError(err, year)
}

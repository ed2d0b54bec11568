package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/workflows"
)

// stepField is the hidden field of a page's step form: an id drawn when the
// page was rendered, so that a double click or a form sent again is one step.
const stepField = "step"

// stepRequestID is the id of this request's step: the form's own id on a
// page, else the request id (a client's X-Request-ID).
func stepRequestID(c *gin.Context) string {
	if !strings.HasPrefix(c.Request.URL.Path, "/api/") {
		if id := c.PostForm(stepField); ptacycle.ValidRequestID(id) {
			return id
		}
	}
	return ptacycle.RequestID(c.Request.Context())
}

// stepUnderWay is the API's answer to a step accepted and still running:
// 202, with where to ask for its outcome.
type stepUnderWay struct {
	Step      string `json:"step"`
	RequestID string `json:"requestId"`
	StatusURL string `json:"statusUrl"`
	Message   string `json:"message"`
}

// answerStep answers an API step on year's cycle: the status after it, 202
// while it runs, or the error. request is the step's own request id (see stepRequestID).
func (s *Server) answerStep(c *gin.Context, year int, name, request string, status workflows.CycleStatus, err error) {
	var running *workflows.StepRunning
	if !errors.As(err, &running) {
		s.reply(c, http.StatusOK, status, err)
		return
	}
	url := fmt.Sprintf("/api/v1/cycles/%d/steps/%s/%s", year, name, request)
	c.Header("Location", url)
	c.JSON(http.StatusAccepted, stepUnderWay{Step: name, RequestID: request, StatusURL: url,
		Message: s.deps.UI.NewPage(lang(c), currentUser(c), "").T("step.running")})
}

// getStep answers the outcome of a step the current user took: the status
// after it, or 202 while it still runs.
func (s *Server) getStep(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	name, request := c.Param("step"), c.Param("request")
	status, err := s.app.Cycles.StepResult(c.Request.Context(), as(c), year, name, request)
	s.answerStep(c, year, name, request, status, err)
}

// pageStep takes a step from a page. done is false when the step is
// accepted and still running: the page then says so and goes back to back.
func (s *Server) pageStep(c *gin.Context, take func(a app.Actor, request string) (workflows.CycleStatus, error), back string) (status workflows.CycleStatus, done bool, err error) {
	status, err = take(as(c), stepRequestID(c))
	var running *workflows.StepRunning
	if errors.As(err, &running) {
		s.flashT(c, "step.running")
		redirect(c, back)
		return status, false, nil
	}
	return status, err == nil, err
}

package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/workflows"
)

// cycleContext is what a cycle route needs: the user's organisation, the year's cycle row.
type cycleContext struct {
	org   ptacycle.Organisation
	year  int
	cycle ptacycle.Cycle
}

// loadCycle reads the organisation and its cycle of the :year parameter; it answers the error itself.
func (s *Server) loadCycle(c *gin.Context) (cycleContext, bool) {
	year, ok := s.yearParam(c)
	if !ok {
		return cycleContext{}, false
	}
	cc, err := s.cycleOf(c.Request.Context(), org(c), year)
	if err != nil {
		s.fail(c, err)
		return cycleContext{}, false
	}
	return cc, true
}

// cycleOf reads the organisation and its cycle of year; ENOTFOUND says to launch the year.
func (s *Server) cycleOf(ctx context.Context, orgID int64, year int) (cycleContext, error) {
	o, err := s.deps.DB.Organisation(ctx, orgID)
	if err != nil {
		return cycleContext{}, err
	}
	cy, err := s.deps.DB.Cycle(ctx, o.ID, year)
	if ptacycle.ErrorCode(err) == ptacycle.ENOTFOUND {
		err = ptacycle.Errorf(ptacycle.ENOTFOUND, "Aucun cycle %d : lancez d'abord l'année", "No %d cycle: launch the year first", year)
	}
	if err != nil {
		return cycleContext{}, err
	}
	return cycleContext{org: o, year: year, cycle: cy}, nil
}

// requireStage refuses a change outside the stage it belongs to, with both stages named.
func (s *Server) requireStage(c *gin.Context, cc cycleContext, stages ...ptacycle.Stage) bool {
	for _, st := range stages {
		if cc.cycle.Stage == st {
			return true
		}
	}
	s.fail(c, ptacycle.Errorf(ptacycle.ECONFLICT, "Action impossible à l'étape « %s » : elle se fait à l'étape « %s »",
		"Not possible at stage “%s”: it belongs to stage “%s”", cc.cycle.Stage.Label().FR, stages[0].Label().FR))
	return false
}

func (s *Server) listCycles(c *gin.Context) {
	cycles, err := s.deps.DB.Cycles(c.Request.Context(), org(c))
	s.reply(c, http.StatusOK, cycles, err)
}

// launchRequest launches a year; deadlines left empty take the defaults (15 Feb, 28 Feb, 15 Mar).
type launchRequest struct {
	Year      int                `json:"year"`
	Deadlines ptacycle.Deadlines `json:"deadlines"`
}

// cycleView is a cycle as PostgreSQL knows it, with the workflow's status when Temporal answers.
type cycleView struct {
	Cycle       ptacycle.Cycle         `json:"cycle"`
	Status      *workflows.CycleStatus `json:"status,omitempty"`
	StatusError string                 `json:"statusError,omitempty"`
	// Stopped: the cycle's workflow ended on an error; StatusError says so.
	Stopped bool `json:"stopped,omitempty"`
}

func (s *Server) launchCycle(c *gin.Context) {
	var in launchRequest
	if !s.bind(c, &in) {
		return
	}
	v, err := s.launch(c.Request.Context(), currentUser(c), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	created(c, "/cycles/%d", in.Year)
	c.JSON(http.StatusCreated, v)
}

// launch starts user's organisation's cycle of in.Year and waits for its row.
// EINVALID, ECONFLICT (the year is taken), EUNAVAILABLE (Temporal down).
func (s *Server) launch(ctx context.Context, user *ptacycle.User, in launchRequest) (cycleView, error) {
	o, err := s.deps.DB.Organisation(ctx, user.OrganisationID)
	if err != nil {
		return cycleView{}, err
	}
	check := ptacycle.Cycle{Year: in.Year, Stage: ptacycle.StageBilan, WorkflowID: ptacycle.CycleWorkflowID(o.Slug, in.Year), Deadlines: in.Deadlines}
	if err := check.Validate(); err != nil {
		return cycleView{}, err
	}
	if _, err := s.deps.DB.Cycle(ctx, o.ID, in.Year); err == nil {
		return cycleView{}, yearTaken(in.Year)
	}
	userID := user.ID
	_, err = s.deps.Temporal.ExecuteWorkflow(ctx, workflows.CycleStartOptions(o.Slug, in.Year), ptacycle.CycleWorkflowName, workflows.CycleInput{OrganisationID: o.ID, OrganisationSlug: o.Slug, Year: in.Year, Deadlines: in.Deadlines, LaunchedBy: &userID})
	if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return cycleView{}, yearTaken(in.Year)
	}
	if err != nil {
		return cycleView{}, processError(err, in.Year)
	}
	return s.viewOnceOpen(ctx, o, in.Year), nil
}

// yearTaken refuses launching a year twice, on the year field.
func yearTaken(year int) error {
	e := ptacycle.Errorf(ptacycle.ECONFLICT, "Le cycle %d a déjà été lancé", "The %d cycle has already been launched", year)
	e.Fields = []ptacycle.FieldError{{Field: "year", Message: e.Message, English: e.English}}
	return e
}

// viewOnceOpen waits a few seconds for a new cycle's workflow to create its row.
func (s *Server) viewOnceOpen(ctx context.Context, o ptacycle.Organisation, year int) cycleView {
	deadline := time.Now().Add(5 * time.Second)
	for {
		cy, err := s.deps.DB.Cycle(ctx, o.ID, year)
		if err == nil || time.Now().After(deadline) {
			return s.view(ctx, o, cy)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// view adds the workflow's status to a cycle row; a Temporal outage leaves the row readable.
func (s *Server) view(ctx context.Context, o ptacycle.Organisation, cy ptacycle.Cycle) cycleView {
	v := cycleView{Cycle: cy}
	if cy.Stage == ptacycle.StageClosed {
		return v
	}
	status, err := s.cycleStatus(ctx, o, cy.Year)
	if err != nil {
		var stopped *workflows.CycleStopped
		v.StatusError, v.Stopped = localizedText(processError(err, cy.Year)), errors.As(err, &stopped)
		return v
	}
	v.Status = &status
	return v
}

func localizedText(err error) string {
	if e, ok := err.(*ptacycle.Error); ok {
		return e.Message
	}
	return err.Error()
}

func (s *Server) getCycle(c *gin.Context) {
	cc, ok := s.loadCycle(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, s.view(c.Request.Context(), cc.org, cc.cycle))
}

func (s *Server) getBilan(c *gin.Context) {
	cc, ok := s.loadCycle(c)
	if !ok {
		return
	}
	b, err := s.deps.DB.Bilan(c.Request.Context(), cc.org.ID, cc.cycle.ID)
	s.reply(c, http.StatusOK, b, err)
}

func (s *Server) putBilan(c *gin.Context) {
	cc, ok := s.loadCycle(c)
	var b ptacycle.Bilan
	if !ok || !s.bind(c, &b) || !s.requireStage(c, cc, ptacycle.StageBilan) {
		return
	}
	b.CycleID = cc.cycle.ID
	b, err := s.deps.DB.UpdateBilan(c.Request.Context(), actor(c), b)
	s.reply(c, http.StatusOK, b, err)
}

// step sends an update to the cycle of :year and answers the status it returns.
func (s *Server) step(c *gin.Context, name string, arg func(cc cycleContext) (any, error)) {
	cc, ok := s.loadCycle(c)
	if !ok {
		return
	}
	in, err := arg(cc)
	if err != nil {
		s.fail(c, err)
		return
	}
	status, err := s.updateCycle(c, cc, name, in)
	s.answerStep(c, cc, name, stepRequestID(c), status, err)
}

func (s *Server) closeBilan(c *gin.Context) {
	s.step(c, workflows.UpdateCloseBilan, func(cycleContext) (any, error) {
		return workflows.CloseBilanRequest{UserID: currentUser(c).ID}, nil
	})
}

func (s *Server) listRecommendations(c *gin.Context) {
	cc, ok := s.loadCycle(c)
	if !ok {
		return
	}
	recs, err := s.deps.DB.Recommendations(c.Request.Context(), cc.org.ID, cc.cycle.ID)
	s.reply(c, http.StatusOK, recs, err)
}

func (s *Server) createRecommendation(c *gin.Context) {
	cc, ok := s.loadCycle(c)
	var r ptacycle.Recommendation
	if !ok || !s.bind(c, &r) || !s.requireStage(c, cc, ptacycle.StageRecommendations, ptacycle.StageBilan) {
		return
	}
	r.CycleID = cc.cycle.ID
	r, err := s.deps.DB.CreateRecommendation(c.Request.Context(), actor(c), r)
	s.reply(c, http.StatusCreated, r, err)
}

func (s *Server) updateRecommendation(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	var r ptacycle.Recommendation
	if !ok || !s.bind(c, &r) {
		return
	}
	r.ID = id
	if r.Priority == "" {
		r.Priority = ptacycle.PriorityMedium
	}
	r, err := s.deps.DB.UpdateRecommendation(c.Request.Context(), actor(c), r)
	s.reply(c, http.StatusOK, r, err)
}

func (s *Server) deleteRecommendation(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	s.reply(c, http.StatusNoContent, nil, s.deps.DB.DeleteRecommendation(c.Request.Context(), actor(c), id))
}

// linkRequest names the actions that answer a recommendation.
type linkRequest struct {
	ActionIDs []int64 `json:"actionIds"`
}

func (s *Server) linkRecommendation(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	var in linkRequest
	if !ok || !s.bind(c, &in) {
		return
	}
	s.reply(c, http.StatusNoContent, nil, s.deps.DB.LinkRecommendation(c.Request.Context(), actor(c), id, in.ActionIDs))
}

// adoptRequest lists the recommendations retained; the others are not.
type adoptRequest struct {
	RecommendationIDs []int64 `json:"recommendationIds"`
}

func (s *Server) adoptRecommendations(c *gin.Context) {
	var in adoptRequest
	if !s.bind(c, &in) {
		return
	}
	s.step(c, workflows.UpdateAdoptRecommendations, func(cycleContext) (any, error) {
		return workflows.AdoptRecommendationsRequest{UserID: currentUser(c).ID, RecommendationIDs: in.RecommendationIDs}, nil
	})
}

func (s *Server) submitPlan(c *gin.Context) {
	s.step(c, workflows.UpdateSubmitPlan, func(cc cycleContext) (any, error) {
		return s.submitRequest(c.Request.Context(), cc, currentUser(c).ID)
	})
}

// submitRequest checks the draft plan and passes its problems to the
// workflow, whose validator refuses an invalid plan before touching history.
func (s *Server) submitRequest(ctx context.Context, cc cycleContext, userID int64) (workflows.SubmitPlanRequest, error) {
	plan, err := s.deps.DB.Plan(ctx, cc.org.ID, cc.year)
	if err != nil {
		return workflows.SubmitPlanRequest{}, err
	}
	content, err := s.deps.DB.PlanContent(ctx, cc.org.ID, plan.ID)
	if err != nil {
		return workflows.SubmitPlanRequest{}, err
	}
	return workflows.SubmitPlanRequest{UserID: userID, Problems: ptacycle.CheckPlan(content)}, nil
}

func (s *Server) revisePlan(c *gin.Context) {
	s.step(c, workflows.UpdateRevisePlan, func(cycleContext) (any, error) {
		return workflows.RevisePlanRequest{UserID: currentUser(c).ID}, nil
	})
}

func (s *Server) closeCycle(c *gin.Context) {
	s.step(c, workflows.UpdateCloseCycle, func(cc cycleContext) (any, error) {
		return s.closeRequest(c.Request.Context(), cc, currentUser(c).ID)
	})
}

// closeRequest counts the unfinished activities for the workflow's validator.
func (s *Server) closeRequest(ctx context.Context, cc cycleContext, userID int64) (workflows.CloseCycleRequest, error) {
	plan, err := s.deps.DB.Plan(ctx, cc.org.ID, cc.year)
	if err != nil {
		return workflows.CloseCycleRequest{}, err
	}
	n, err := s.deps.DB.UnfinishedActivities(ctx, cc.org.ID, plan.ID)
	return workflows.CloseCycleRequest{UserID: userID, Unfinished: n}, err
}

func (s *Server) listDecisions(c *gin.Context) {
	cc, ok := s.loadCycle(c)
	if !ok {
		return
	}
	plan, err := s.deps.DB.Plan(c.Request.Context(), cc.org.ID, cc.year)
	if err != nil {
		s.fail(c, err)
		return
	}
	decisions, err := s.deps.DB.Decisions(c.Request.Context(), cc.org.ID, plan.ID)
	s.reply(c, http.StatusOK, decisions, err)
}

// decisionRequest is an approver's verdict on the version under review at their level.
type decisionRequest struct {
	Level   int              `json:"level"`
	Version int              `json:"version"`
	Outcome ptacycle.Outcome `json:"outcome"`
	Comment string           `json:"comment,omitempty"`
}

func (s *Server) decide(c *gin.Context) {
	var in decisionRequest
	if !s.bind(c, &in) {
		return
	}
	s.step(c, workflows.UpdateDecide, func(cycleContext) (any, error) {
		return workflows.DecideRequest{UserID: currentUser(c).ID, Level: in.Level, Version: in.Version, Outcome: in.Outcome, Comment: in.Comment}, nil
	})
}

// delegationRequest hands the caller's approval level to another approver until a day (included).
type delegationRequest struct {
	Level int           `json:"level"`
	To    int64         `json:"to"`
	Until ptacycle.Date `json:"until"`
}

func (s *Server) delegate(c *gin.Context) {
	var in delegationRequest
	if !s.bind(c, &in) {
		return
	}
	s.step(c, workflows.UpdateDelegate, func(cc cycleContext) (any, error) {
		return s.delegateRequest(c.Request.Context(), cc, currentUser(c).ID, in)
	})
}

// delegateRequest checks the delegate is an active approver and turns the last day into an instant.
func (s *Server) delegateRequest(ctx context.Context, cc cycleContext, userID int64, in delegationRequest) (workflows.DelegateRequest, error) {
	to, err := s.deps.DB.User(ctx, cc.org.ID, in.To)
	if err != nil || to.Role != ptacycle.RoleApprover || !to.Active {
		return workflows.DelegateRequest{}, ptacycle.Errorf(ptacycle.EINVALID, "La délégation se fait à un valideur actif de l'organisation", "Delegate to an active approver of the organisation")
	}
	if in.Until.IsZero() {
		return workflows.DelegateRequest{}, ptacycle.Errorf(ptacycle.EINVALID, "Indiquez jusqu'à quelle date la délégation vaut", "Say until when the delegation holds")
	}
	return workflows.DelegateRequest{UserID: userID, Level: in.Level, To: in.To, Until: in.Until.AddDays(1).Time()}, nil
}

package server

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/workflows"
)

// loadCycle reads the organisation and its cycle of the :year parameter; it answers the error itself.
func (s *Server) loadCycle(c *gin.Context) (app.Year, bool) {
	year, ok := s.yearParam(c)
	if !ok {
		return app.Year{}, false
	}
	cc, err := s.app.Cycles.Of(c.Request.Context(), as(c), year)
	if err != nil {
		s.fail(c, err)
		return app.Year{}, false
	}
	return cc, true
}

func (s *Server) listCycles(c *gin.Context) {
	cycles, err := s.app.Cycles.List(c.Request.Context(), as(c))
	s.reply(c, http.StatusOK, cycles, err)
}

// launchRequest launches a year; deadlines left empty take the defaults (15 Feb, 28 Feb, 15 Mar).
type launchRequest struct {
	Year      int                `json:"year" api:"required"`
	Deadlines ptacycle.Deadlines `json:"deadlines"`
}

// cycleView is a cycle as PostgreSQL knows it, with the workflow's status when Temporal answers.
type cycleView = app.View

func (s *Server) launchCycle(c *gin.Context) {
	var in launchRequest
	if !s.bind(c, &in) {
		return
	}
	v, err := s.app.Cycles.Launch(c.Request.Context(), as(c), in.Year, in.Deadlines)
	if err != nil {
		s.fail(c, err)
		return
	}
	created(c, "/cycles/%d", in.Year)
	c.JSON(http.StatusCreated, v)
}

func (s *Server) getCycle(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	v, err := s.app.Cycles.Get(c.Request.Context(), as(c), year)
	s.reply(c, http.StatusOK, v, err)
}

func (s *Server) getBilan(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	b, err := s.app.Cycles.Bilan(c.Request.Context(), as(c), year)
	s.reply(c, http.StatusOK, b, err)
}

func (s *Server) putBilan(c *gin.Context) {
	year, ok := s.yearParam(c)
	var b ptacycle.Bilan
	if !ok || !s.bind(c, &b) {
		return
	}
	b, err := s.app.Cycles.SaveBilan(c.Request.Context(), as(c), year, b)
	s.reply(c, http.StatusOK, b, err)
}

// step answers an API step taken by take on the cycle of :year.
func (s *Server) step(c *gin.Context, name string, take func(ctx context.Context, a app.Actor, year int, request string) (workflows.CycleStatus, error)) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	request := stepRequestID(c)
	status, err := take(c.Request.Context(), as(c), year, request)
	s.answerStep(c, year, name, request, status, err)
}

func (s *Server) closeBilan(c *gin.Context) {
	s.step(c, workflows.UpdateCloseBilan, s.app.Cycles.CloseBilan)
}

func (s *Server) listRecommendations(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	recs, err := s.app.Recommendations.List(c.Request.Context(), as(c), year)
	s.reply(c, http.StatusOK, recs, err)
}

func (s *Server) createRecommendation(c *gin.Context) {
	year, ok := s.yearParam(c)
	var r ptacycle.Recommendation
	if !ok || !s.bind(c, &r) {
		return
	}
	r, err := s.app.Recommendations.Create(c.Request.Context(), as(c), year, r)
	s.reply(c, http.StatusCreated, r, err)
}

func (s *Server) updateRecommendation(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	var r ptacycle.Recommendation
	if !ok || !s.bind(c, &r) {
		return
	}
	r.ID = id
	r, err := s.app.Recommendations.Update(c.Request.Context(), as(c), r)
	s.reply(c, http.StatusOK, r, err)
}

func (s *Server) deleteRecommendation(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	_, err := s.app.Recommendations.Delete(c.Request.Context(), as(c), id)
	s.reply(c, http.StatusNoContent, nil, err)
}

// linkRequest names the actions that answer a recommendation.
type linkRequest struct {
	ActionIDs []int64 `json:"actionIds" api:"required"`
}

func (s *Server) linkRecommendation(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	var in linkRequest
	if !ok || !s.bind(c, &in) {
		return
	}
	_, err := s.app.Recommendations.Link(c.Request.Context(), as(c), id, in.ActionIDs)
	s.reply(c, http.StatusNoContent, nil, err)
}

// adoptRequest lists the recommendations retained; the others are not.
type adoptRequest struct {
	RecommendationIDs []int64 `json:"recommendationIds" api:"required"`
}

func (s *Server) adoptRecommendations(c *gin.Context) {
	var in adoptRequest
	if !s.bind(c, &in) {
		return
	}
	s.step(c, workflows.UpdateAdoptRecommendations, func(ctx context.Context, a app.Actor, year int, request string) (workflows.CycleStatus, error) {
		return s.app.Cycles.Adopt(ctx, a, year, in.RecommendationIDs, request)
	})
}

func (s *Server) submitPlan(c *gin.Context) {
	s.step(c, workflows.UpdateSubmitPlan, s.app.Cycles.Submit)
}

func (s *Server) revisePlan(c *gin.Context) {
	s.step(c, workflows.UpdateRevisePlan, s.app.Cycles.Revise)
}

func (s *Server) closeCycle(c *gin.Context) {
	s.step(c, workflows.UpdateCloseCycle, s.app.Cycles.Close)
}

func (s *Server) listDecisions(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	decisions, err := s.app.Approvals.Decisions(c.Request.Context(), as(c), year)
	s.reply(c, http.StatusOK, decisions, err)
}

// decisionRequest is an approver's verdict on the version under review at their level.
type decisionRequest struct {
	Level   int              `json:"level" api:"required"`
	Version int              `json:"version" api:"required"`
	Outcome ptacycle.Outcome `json:"outcome" api:"required"`
	Comment string           `json:"comment,omitempty"`
}

func (s *Server) decide(c *gin.Context) {
	var in decisionRequest
	if !s.bind(c, &in) {
		return
	}
	s.step(c, workflows.UpdateDecide, func(ctx context.Context, a app.Actor, year int, request string) (workflows.CycleStatus, error) {
		return s.app.Approvals.Decide(ctx, a, year, app.Decision{Level: in.Level, Version: in.Version, Outcome: in.Outcome, Comment: in.Comment}, request)
	})
}

// delegationRequest hands the caller's approval level to another approver until a day (included).
type delegationRequest struct {
	Level int           `json:"level" api:"required"`
	To    int64         `json:"to" api:"required"`
	Until ptacycle.Date `json:"until"`
}

func (s *Server) delegate(c *gin.Context) {
	var in delegationRequest
	if !s.bind(c, &in) {
		return
	}
	s.step(c, workflows.UpdateDelegate, func(ctx context.Context, a app.Actor, year int, request string) (workflows.CycleStatus, error) {
		return s.app.Approvals.Delegate(ctx, a, year, app.Delegation{Level: in.Level, To: in.To, Until: in.Until}, request)
	})
}

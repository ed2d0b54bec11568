package server

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
)

// planView is a plan with its actions and what blocks its submission.
type planView struct {
	Plan          ptacycle.Plan         `json:"plan"`
	Stage         ptacycle.Stage        `json:"stage"`
	Actions       []ptacycle.Action     `json:"actions"`
	ActivityCount int                   `json:"activityCount"`
	Problems      []ptacycle.FieldError `json:"problems"`
	// Warnings do not block submission: activities due on a weekend or a public holiday.
	Warnings []ptacycle.FieldError `json:"warnings"`
}

func (s *Server) getPlan(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	p, err := s.app.Plans.Check(c.Request.Context(), as(c), year)
	if err != nil {
		s.fail(c, err)
		return
	}
	problems, warnings := p.Problems, p.Warnings
	if problems == nil {
		problems = []ptacycle.FieldError{}
	}
	if warnings == nil {
		warnings = []ptacycle.FieldError{}
	}
	c.JSON(http.StatusOK, planView{Plan: p.Plan, Stage: p.Cycle.Stage, Actions: p.Content.Actions, ActivityCount: len(p.Content.Activities),
		Problems: problems, Warnings: warnings})
}

func (s *Server) createAction(c *gin.Context) {
	year, ok := s.yearParam(c)
	var a ptacycle.Action
	if !ok || !s.bind(c, &a) {
		return
	}
	a, err := s.app.Plans.CreateAction(c.Request.Context(), as(c), year, a)
	s.reply(c, http.StatusCreated, a, err)
}

func (s *Server) createActivity(c *gin.Context) {
	year, ok := s.yearParam(c)
	var a ptacycle.Activity
	if !ok || !s.bind(c, &a) {
		return
	}
	a, err := s.app.Plans.CreateActivity(c.Request.Context(), as(c), year, a)
	if err == nil {
		created(c, "/activities/%d", a.ID)
	}
	s.reply(c, http.StatusCreated, a, err)
}

// carryOverRequest lists last year's unfinished activities to carry over.
type carryOverRequest struct {
	ActivityIDs []int64 `json:"activityIds" api:"required"`
}

func (s *Server) carryOver(c *gin.Context) {
	year, ok := s.yearParam(c)
	var in carryOverRequest
	if !ok || !s.bind(c, &in) {
		return
	}
	acts, err := s.app.Plans.CarryOver(c.Request.Context(), as(c), year, in.ActivityIDs)
	if acts == nil {
		acts = []ptacycle.Activity{}
	}
	s.reply(c, http.StatusCreated, acts, err)
}

func (s *Server) listVersions(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	versions, err := s.app.Plans.Versions(c.Request.Context(), as(c), year)
	s.reply(c, http.StatusOK, versions, err)
}

// versionView is a frozen version with its content.
type versionView struct {
	Version ptacycle.PlanVersion  `json:"version"`
	Content ptacycle.PlanSnapshot `json:"content"`
}

func (s *Server) getVersion(c *gin.Context) {
	number, ok := s.pathID(c, "number")
	if !ok {
		return
	}
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	v, content, err := s.app.Plans.Version(c.Request.Context(), as(c), year, int(number))
	s.reply(c, http.StatusOK, versionView{Version: v, Content: content}, err)
}

func (s *Server) diffVersions(c *gin.Context) {
	from, ok := s.queryInt(c, "from", 0)
	if !ok {
		return
	}
	to, ok := s.queryInt(c, "to", 0)
	if !ok {
		return
	}
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	changes, err := s.app.Plans.Diff(c.Request.Context(), as(c), year, from, to)
	if changes == nil {
		changes = []ptacycle.PlanChange{}
	}
	s.reply(c, http.StatusOK, changes, err)
}

func (s *Server) listActivities(c *gin.Context) {
	f := app.ActivityFilter{Status: ptacycle.ActivityStatus(c.Query("status"))}
	ints := map[string]*int64{"unit": &f.UnitID, "region": &f.RegionID, "axis": &f.AxisID, "owner": &f.OwnerID, "partner": &f.PartnerID}
	for name, dst := range ints {
		n, ok := s.queryInt(c, name, 0)
		if !ok {
			return
		}
		*dst = int64(n)
	}
	var ok bool
	if f.Year, ok = s.queryInt(c, "year", 0); !ok {
		return
	}
	if f.Page, ok = s.queryInt(c, "page", 1); !ok {
		return
	}
	if f.PageSize, ok = s.queryInt(c, "pageSize", 50); !ok {
		return
	}
	switch c.Query("overdue") {
	case "true":
		f.OverdueAsOf = today()
	case "", "false":
	default:
		s.fail(c, ptacycle.Errorf(ptacycle.EINVALID, "Paramètre « overdue » : true ou false", "Parameter “overdue”: true or false"))
		return
	}
	l, err := s.app.Execution.List(c.Request.Context(), as(c), f)
	s.reply(c, http.StatusOK, Page[ptacycle.Activity]{Items: l.Items, Total: l.Total, Page: l.Page, PageSize: l.PageSize}, err)
}

func (s *Server) getActivity(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	a, err := s.app.Execution.Get(c.Request.Context(), as(c), id)
	s.reply(c, http.StatusOK, a, err)
}

func (s *Server) updateAction(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	var a ptacycle.Action
	if !ok || !s.bind(c, &a) {
		return
	}
	a.ID = id
	a, err := s.app.Plans.UpdateAction(c.Request.Context(), as(c), a)
	s.reply(c, http.StatusOK, a, err)
}

func (s *Server) deleteAction(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	s.reply(c, http.StatusNoContent, nil, s.app.Plans.DeleteAction(c.Request.Context(), as(c), id))
}

func (s *Server) updateActivity(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	var a ptacycle.Activity
	if !ok || !s.bind(c, &a) {
		return
	}
	a.ID = id
	a, err := s.app.Plans.UpdateActivity(c.Request.Context(), as(c), a)
	s.reply(c, http.StatusOK, a, err)
}

func (s *Server) deleteActivity(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	version, err := strconv.Atoi(c.Query("version"))
	if err != nil || version < 1 {
		s.fail(c, ptacycle.Errorf(ptacycle.EINVALID, "Indiquez la version de l'activité lue (?version=)", "Give the version of the activity you read (?version=)"))
		return
	}
	_, _, err = s.app.Plans.DeleteActivity(c.Request.Context(), as(c), id, version)
	s.reply(c, http.StatusNoContent, nil, err)
}

// progressRequest is an owner's report on an activity during execution.
type progressRequest struct {
	Version     int                     `json:"version" api:"required"`
	Status      ptacycle.ActivityStatus `json:"status" api:"required"`
	Progress    int                     `json:"progress"`
	Comment     string                  `json:"comment,omitempty"`
	EvidenceURL string                  `json:"evidenceUrl,omitempty"`
	PostponedTo ptacycle.Date           `json:"postponedTo"`
}

func (s *Server) reportProgress(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	var in progressRequest
	if !ok || !s.bind(c, &in) {
		return
	}
	a, err := s.app.Execution.ReportProgress(c.Request.Context(), as(c), app.Progress{ActivityID: id, Version: in.Version, Status: in.Status,
		Progress: in.Progress, Comment: in.Comment, EvidenceURL: in.EvidenceURL, PostponedTo: in.PostponedTo})
	s.reply(c, http.StatusOK, a, err)
}

func (s *Server) activityHistory(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	history, err := s.app.Execution.History(c.Request.Context(), as(c), id)
	if history == nil {
		history = []ptacycle.ActivityUpdate{}
	}
	s.reply(c, http.StatusOK, history, err)
}

// dashboard is the execution of a year's plan: rates with their formula, overdue activities.
type dashboard struct {
	Year        int                    `json:"year"`
	AsOf        ptacycle.Date          `json:"asOf"`
	Formula     ptacycle.Label         `json:"formula"`
	Rates       ptacycle.RateBreakdown `json:"rates"`
	Overdue     int                    `json:"overdue"`
	OverdueList []ptacycle.Activity    `json:"overdueList"`
}

func (s *Server) dashboard(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	answer, err := s.dashboardAnswer(c.Request.Context(), as(c), year, today())
	if err != nil {
		s.fail(c, err)
		return
	}
	answer.write(c)
}

package server

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/workflows"
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

// loadPlan reads the cycle and plan of :year; it answers the error itself.
func (s *Server) loadPlan(c *gin.Context) (cycleContext, ptacycle.Plan, bool) {
	cc, ok := s.loadCycle(c)
	if !ok {
		return cc, ptacycle.Plan{}, false
	}
	plan, err := s.deps.DB.Plan(c.Request.Context(), cc.org.ID, cc.year)
	if err != nil {
		s.fail(c, err)
		return cc, plan, false
	}
	return cc, plan, true
}

func (s *Server) getPlan(c *gin.Context) {
	cc, plan, ok := s.loadPlan(c)
	if !ok {
		return
	}
	content, err := s.deps.DB.PlanContent(c.Request.Context(), cc.org.ID, plan.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	holidays, err := s.planHolidays(c.Request.Context(), cc.org.ID, cc.year)
	if err != nil {
		s.fail(c, err)
		return
	}
	problems, warnings := ptacycle.CheckPlan(content), ptacycle.DueDateWarnings(content.Activities, holidays)
	if problems == nil {
		problems = []ptacycle.FieldError{}
	}
	if warnings == nil {
		warnings = []ptacycle.FieldError{}
	}
	c.JSON(http.StatusOK, planView{Plan: plan, Stage: cc.cycle.Stage, Actions: content.Actions, ActivityCount: len(content.Activities),
		Problems: problems, Warnings: warnings})
}

// drafting reads the plan of :year and checks that the cycle is drafting it.
func (s *Server) drafting(c *gin.Context) (cycleContext, ptacycle.Plan, bool) {
	cc, plan, ok := s.loadPlan(c)
	if !ok || !s.requireStage(c, cc, ptacycle.StageDrafting) {
		return cc, plan, false
	}
	return cc, plan, true
}

func (s *Server) createAction(c *gin.Context) {
	var a ptacycle.Action
	if !s.bind(c, &a) {
		return
	}
	_, plan, ok := s.drafting(c)
	if !ok {
		return
	}
	a.PlanID = plan.ID
	a, err := s.deps.DB.CreateAction(c.Request.Context(), actor(c), a)
	s.reply(c, http.StatusCreated, a, err)
}

func (s *Server) createActivity(c *gin.Context) {
	var a ptacycle.Activity
	if !s.bind(c, &a) {
		return
	}
	_, plan, ok := s.drafting(c)
	if !ok {
		return
	}
	action, err := s.actionOfPlan(c.Request.Context(), org(c), plan.ID, a.ActionID)
	if err != nil {
		s.fail(c, err)
		return
	}
	a.ActionID = action.ID
	a, err = s.deps.DB.CreateActivity(c.Request.Context(), actor(c), a)
	if err == nil {
		created(c, "/activities/%d", a.ID)
	}
	s.reply(c, http.StatusCreated, a, err)
}

// actionOfPlan checks that action id belongs to the plan.
func (s *Server) actionOfPlan(ctx context.Context, org, planID, id int64) (ptacycle.Action, error) {
	actions, err := s.deps.DB.Actions(ctx, org, planID)
	if err != nil {
		return ptacycle.Action{}, err
	}
	for _, a := range actions {
		if a.ID == id {
			return a, nil
		}
	}
	e := ptacycle.Errorf(ptacycle.EINVALID, "L'action %d n'appartient pas à ce PTA", "Action %d is not in this plan", id)
	e.Fields = []ptacycle.FieldError{{Field: "actionId", Message: e.Message, English: e.English}}
	return ptacycle.Action{}, e
}

// carryOverRequest lists last year's unfinished activities to carry over.
type carryOverRequest struct {
	ActivityIDs []int64 `json:"activityIds"`
}

func (s *Server) carryOver(c *gin.Context) {
	var in carryOverRequest
	if !s.bind(c, &in) {
		return
	}
	_, plan, ok := s.drafting(c)
	if !ok {
		return
	}
	acts, err := s.deps.DB.CarryOver(c.Request.Context(), actor(c), plan.ID, in.ActivityIDs)
	if acts == nil {
		acts = []ptacycle.Activity{}
	}
	s.reply(c, http.StatusCreated, acts, err)
}

func (s *Server) listVersions(c *gin.Context) {
	cc, plan, ok := s.loadPlan(c)
	if !ok {
		return
	}
	versions, err := s.deps.DB.PlanVersions(c.Request.Context(), cc.org.ID, plan.ID)
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
	cc, plan, ok := s.loadPlan(c)
	if !ok {
		return
	}
	v, content, err := s.deps.DB.VersionSnapshot(c.Request.Context(), cc.org.ID, plan.ID, int(number))
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
	if from < 1 || to < 1 {
		s.fail(c, ptacycle.Errorf(ptacycle.EINVALID, "Indiquez les deux versions à comparer (from et to)", "Give both versions to compare (from and to)"))
		return
	}
	cc, plan, ok := s.loadPlan(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	_, a, err := s.deps.DB.VersionSnapshot(ctx, cc.org.ID, plan.ID, from)
	if err != nil {
		s.fail(c, err)
		return
	}
	_, b, err := s.deps.DB.VersionSnapshot(ctx, cc.org.ID, plan.ID, to)
	changes := ptacycle.DiffPlans(a, b)
	if changes == nil {
		changes = []ptacycle.PlanChange{}
	}
	s.reply(c, http.StatusOK, changes, err)
}

func (s *Server) listActivities(c *gin.Context) {
	ctx := c.Request.Context()
	f := postgres.ActivityFilter{Status: ptacycle.ActivityStatus(c.Query("status"))}
	if f.Status != "" && !f.Status.Valid() {
		s.fail(c, ptacycle.Errorf(ptacycle.EINVALID, "Statut %q inconnu", "Unknown status %q", string(f.Status)))
		return
	}
	ints := map[string]*int64{"unit": &f.UnitID, "region": &f.RegionID, "axis": &f.AxisID, "owner": &f.OwnerID, "partner": &f.PartnerID}
	for name, dst := range ints {
		n, ok := s.queryInt(c, name, 0)
		if !ok {
			return
		}
		*dst = int64(n)
	}
	year, ok := s.queryInt(c, "year", 0)
	if !ok {
		return
	}
	page, ok := s.queryInt(c, "page", 1)
	if !ok {
		return
	}
	size, ok := s.queryInt(c, "pageSize", 50)
	if !ok {
		return
	}
	page, size = max(page, 1), min(max(size, 1), 500)
	if year != 0 {
		plan, err := s.deps.DB.Plan(ctx, org(c), year)
		if err != nil {
			s.fail(c, err)
			return
		}
		f.PlanID = plan.ID
	}
	switch c.Query("overdue") {
	case "true":
		f.OverdueAsOf = today()
	case "", "false":
	default:
		s.fail(c, ptacycle.Errorf(ptacycle.EINVALID, "Paramètre « overdue » : true ou false", "Parameter “overdue”: true or false"))
		return
	}
	total, err := s.deps.DB.CountActivities(ctx, org(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	f.Limit, f.Offset = size, (page-1)*size
	items, err := s.deps.DB.Activities(ctx, org(c), f)
	if items == nil {
		items = []ptacycle.Activity{}
	}
	s.reply(c, http.StatusOK, Page[ptacycle.Activity]{Items: items, Total: total, Page: page, PageSize: size}, err)
}

func (s *Server) getActivity(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	a, err := s.deps.DB.Activity(c.Request.Context(), org(c), id)
	s.reply(c, http.StatusOK, a, err)
}

// draftActivity checks that activity id's plan is being drafted; it answers the error itself.
func (s *Server) draftActivity(c *gin.Context, id int64) (ptacycle.Plan, bool) {
	a, err := s.deps.DB.Activity(c.Request.Context(), org(c), id)
	if err != nil {
		s.fail(c, err)
		return ptacycle.Plan{}, false
	}
	return s.draftPlan(c, a.PlanID)
}

// draftPlan checks that the plan's cycle is at the drafting stage; it answers the error itself.
func (s *Server) draftPlan(c *gin.Context, planID int64) (ptacycle.Plan, bool) {
	ctx := c.Request.Context()
	plan, err := s.deps.DB.PlanByID(ctx, org(c), planID)
	if err != nil {
		s.fail(c, err)
		return plan, false
	}
	cy, err := s.deps.DB.Cycle(ctx, org(c), plan.Year)
	if err != nil {
		s.fail(c, err)
		return plan, false
	}
	return plan, s.requireStage(c, cycleContext{year: plan.Year, cycle: cy}, ptacycle.StageDrafting)
}

// draftAction checks that action id's plan is being drafted; it answers the error itself.
func (s *Server) draftAction(c *gin.Context, id int64) bool {
	var planID int64
	if err := s.deps.DB.Pool.QueryRow(c.Request.Context(), `SELECT plan_id FROM actions WHERE organisation_id = $1 AND id = $2`, org(c), id).Scan(&planID); err != nil {
		s.fail(c, ptacycle.Errorf(ptacycle.ENOTFOUND, "Action introuvable", "No such action"))
		return false
	}
	_, ok := s.draftPlan(c, planID)
	return ok
}

func (s *Server) updateAction(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	var a ptacycle.Action
	if !ok || !s.bind(c, &a) || !s.draftAction(c, id) {
		return
	}
	a.ID = id
	a, err := s.deps.DB.UpdateAction(c.Request.Context(), actor(c), a)
	s.reply(c, http.StatusOK, a, err)
}

func (s *Server) deleteAction(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok || !s.draftAction(c, id) {
		return
	}
	s.reply(c, http.StatusNoContent, nil, s.deps.DB.DeleteAction(c.Request.Context(), actor(c), id))
}

func (s *Server) updateActivity(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	var a ptacycle.Activity
	if !ok || !s.bind(c, &a) {
		return
	}
	plan, ok := s.draftActivity(c, id)
	if !ok {
		return
	}
	if _, err := s.actionOfPlan(c.Request.Context(), org(c), plan.ID, a.ActionID); err != nil {
		s.fail(c, err)
		return
	}
	a.ID = id
	a, err := s.deps.DB.UpdateActivity(c.Request.Context(), actor(c), a)
	if err == nil {
		s.tellFollowUp(c.Request.Context(), org(c), plan.Year, id)
	}
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
	if _, ok := s.draftActivity(c, id); !ok {
		return
	}
	s.reply(c, http.StatusNoContent, nil, s.deps.DB.DeleteActivity(c.Request.Context(), actor(c), id, version))
}

// progressRequest is an owner's report on an activity during execution.
type progressRequest struct {
	Version     int                     `json:"version"`
	Status      ptacycle.ActivityStatus `json:"status"`
	Progress    int                     `json:"progress"`
	Comment     string                  `json:"comment,omitempty"`
	EvidenceURL string                  `json:"evidenceUrl,omitempty"`
	PostponedTo ptacycle.Date           `json:"postponedTo"`
}

func (s *Server) reportProgress(c *gin.Context) {
	a, ok := s.reportableActivity(c)
	var in progressRequest
	if !ok || !s.bind(c, &in) {
		return
	}
	ctx, u, id := c.Request.Context(), currentUser(c), a.ID
	a, err := s.deps.DB.ReportProgress(ctx, actor(c), postgres.Progress{ActivityID: id, Version: in.Version, Status: in.Status,
		Progress: in.Progress, Comment: in.Comment, EvidenceURL: in.EvidenceURL, PostponedTo: in.PostponedTo})
	if err == nil {
		if plan, perr := s.deps.DB.PlanByID(ctx, u.OrganisationID, a.PlanID); perr == nil {
			s.tellFollowUp(ctx, u.OrganisationID, plan.Year, id)
		}
	}
	s.reply(c, http.StatusOK, a, err)
}

// reportableActivity reads the :id activity the user reports on: of their
// organisation, and of their unit if they are an owner. It answers the error itself.
func (s *Server) reportableActivity(c *gin.Context) (ptacycle.Activity, bool) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return ptacycle.Activity{}, false
	}
	u := currentUser(c)
	a, err := s.deps.DB.Activity(c.Request.Context(), u.OrganisationID, id)
	if err == nil {
		err = ownerScope(u, a)
	}
	if err != nil {
		s.fail(c, err)
		return a, false
	}
	return a, true
}

// ownerScope refuses an owner's report on an activity of another unit.
func ownerScope(u *ptacycle.User, a ptacycle.Activity) error {
	if u.Role == ptacycle.RoleOwner && (a.ResponsibleUnitID == nil || u.UnitID == nil || *a.ResponsibleUnitID != *u.UnitID) {
		return ptacycle.Errorf(ptacycle.EFORBIDDEN, "Cette activité relève d'une autre structure que la vôtre", "This activity belongs to another unit than yours")
	}
	return nil
}

// tellFollowUp signals an activity's follow-up that it changed. A lost signal
// is harmless (the follow-up re-reads the activity before each reminder), so a failure is only logged.
func (s *Server) tellFollowUp(ctx context.Context, orgID int64, year int, activityID int64) {
	o, err := s.deps.DB.Organisation(ctx, orgID)
	if err != nil {
		return
	}
	err = s.deps.Temporal.SignalWorkflow(ctx, ptacycle.FollowUpWorkflowID(o.Slug, year, activityID), "", workflows.SignalActivityChanged, nil)
	if err != nil && ptacycle.ErrorCode(processError(err, year)) != ptacycle.ENOTFOUND {
		s.deps.Logger.Warn("signal de suivi perdu / follow-up signal lost", "activity", activityID, "err", err)
	}
}

func (s *Server) activityHistory(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	history, err := s.deps.DB.ActivityHistory(c.Request.Context(), org(c), id)
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
	answer, err := s.dashboardAnswer(c.Request.Context(), org(c), year, today())
	if err != nil {
		s.fail(c, err)
		return
	}
	answer.write(c)
}

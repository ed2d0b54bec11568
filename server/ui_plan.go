package server

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/ui"
	"github.com/ptacycle/ptacycle/workflows"
)

// planPageSize is how many activities one page of the PTA shows.
const planPageSize = 50

// carryOverShown caps the carry-over list so the page stays light.
const carryOverShown = 100

// planPage is the PTA page: status, what blocks submission, axes → actions → activities, and the drafting forms.
type planPage struct {
	ui.Page
	Year          int
	Stage         ptacycle.Stage
	Plan          ptacycle.Plan
	PlanStatus    string
	Revising      bool
	Pending       string
	PendingDue    ptacycle.Date
	StatusError   string
	SentBack      *app.SentBack // why the plan is drafted again, until its next submission
	Drafting      bool          // the cycle is at the drafting stage
	Editable      bool          // …and the user is the coordinator
	InExecution   bool          // the coordinator may revise the plan or close the cycle
	Problems      []planProblem
	Warnings      []planProblem // allowed, worth a look: due dates on a weekend or a holiday
	Groups        []planGroup   // the axes with actions on this page
	EmptyAxes     []planGroup   // the strategy's axes without any action yet
	ActionCount   int
	ActivityCount int
	Budget        int64
	PageNumber    int
	PageCount     int
	Axes          []ui.Option
	ActionForm    planActionForm
	ActionErrors  *ui.Errors
	CarryOver     []planRow
	CarryOverMore int
	CarryErrors   *ui.Errors
	StepError     *ui.Errors
	StepProblems  []string
	axes          []ptacycle.Axis // the choices of the actions' axis, for a refused action form
}

// planProblem is one thing that blocks submission, with where to fix it.
type planProblem struct {
	Message, Href, Link string
}

// planGroup is a strategic axis (or "no axis") with its actions on this page.
type planGroup struct {
	Key, Title string
	Actions    []planAction
}

// planAction is an action with its activities on this page.
type planAction struct {
	ptacycle.Action
	Rows []planRow
	// Its own form, on an editable plan: what it holds, the axes to choose
	// from, and why it was refused (then open).
	Form     planActionForm
	AxisOpts []ui.Option
	Errors   *ui.Errors
}

// planRow is an activity with the names its table row shows.
type planRow struct {
	ptacycle.Activity
	Unit, UnitTitle, Owner, Regions, Measure string
	Partners                                 int
}

// planActionForm is what the add-action form sent.
type planActionForm struct {
	Code, Title, AxisID string
}

// planRefs are the names of what activities point at: the organisation's
// units, people and regions.
type planRefs struct {
	units   []ptacycle.Unit
	people  map[int64]string
	regions []ptacycle.Region
}

func newPlanRefs(d app.Directory) planRefs {
	return planRefs{units: d.Units, people: d.People, regions: d.Regions}
}

// row resolves an activity's names for its table row.
func (r planRefs) row(a ptacycle.Activity) planRow {
	row := planRow{Activity: a, Partners: len(a.PartnerUnitIDs)}
	if a.ResponsibleUnitID != nil {
		for _, u := range r.units {
			if u.ID == *a.ResponsibleUnitID {
				row.Unit, row.UnitTitle = u.Name, u.Name
				if utf8.RuneCountInString(u.Name) > 40 && u.Acronym != "" {
					row.Unit = u.Acronym
				}
			}
		}
	}
	if a.OwnerID != nil {
		row.Owner = r.people[*a.OwnerID]
	}
	var regions []string
	for _, reg := range r.regions {
		if slices.Contains(a.RegionIDs, reg.ID) {
			regions = append(regions, reg.Name)
		}
	}
	row.Regions = strings.Join(regions, ", ")
	measure := a.Indicator
	if a.Target != "" {
		measure = strings.TrimSpace(measure + " → " + a.Target)
	}
	row.Measure = planShorten(strings.TrimPrefix(measure, "→ "), 90)
	return row
}

// planShorten cuts s to n characters with an ellipsis.
func planShorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}

// buildPlanPage reads everything the PTA page of year shows for page number
// pageNo; part is a fragment of it, without the navigation.
func (s *Server) buildPlanPage(c *gin.Context, year, pageNo int, part bool) (planPage, error) {
	d, err := s.app.Plans.Page(c.Request.Context(), as(c), year)
	if err != nil {
		return planPage{}, err
	}
	page := s.deps.UI.NewPage(lang(c), currentUser(c), "")
	if !part {
		page = s.page(c, "")
	}
	cc, content := d.Year, d.Content
	p := planPage{Page: page, Year: cc.Year, Stage: cc.Cycle.Stage, Plan: d.Plan}
	p.Title = p.T("plan.title", "Year", cc.Year)
	p.PlanStatus = p.T("plan.status." + string(d.Plan.Status))
	p.Drafting = cc.Cycle.Stage == ptacycle.StageDrafting
	p.Editable = p.Drafting && p.Can(ptacycle.RoleCoordinator)
	p.InExecution = cc.Cycle.Stage == ptacycle.StageExecution && p.Can(ptacycle.RoleCoordinator)

	p.StatusError, p.SentBack = d.View.StatusError, d.View.SentBack
	if st := d.View.Status; st != nil {
		p.Revising = st.Revising
		if st.Pending != nil {
			p.Pending = p.L(st.Pending.Label)
			if !st.Pending.Due.IsZero() {
				p.PendingDue = ptacycle.DateOf(st.Pending.Due)
			}
		}
	}

	refs := newPlanRefs(d.Directory)
	p.Axes = planAxisOptions(p, d.Axes, "")
	p.ActionCount, p.ActivityCount = len(content.Actions), len(content.Activities)
	for _, a := range content.Activities {
		p.Budget += a.BudgetXOF
	}
	if p.Drafting {
		p.Problems = planProblems(p, content, d.Problems)
		p.Warnings = planProblems(p, content, d.Warnings)
	}
	p.Groups, p.EmptyAxes, p.PageNumber, p.PageCount = planGroups(p, content, refs, d.Axes, d.AllAxes, pageNo)
	if p.Editable {
		planCarryOver(&p, d.Carry, refs)
		p.eachAction(func(a *planAction) {
			a.Form = planActionForm{Code: a.Code, Title: a.Title}
			if a.AxisID != nil {
				a.Form.AxisID = strconv.FormatInt(*a.AxisID, 10)
			}
			a.AxisOpts = planAxisOptions(p, d.Axes, a.Form.AxisID)
		})
		p.axes = d.Axes
	}
	return p, nil
}

// eachAction calls f on each action shown.
func (p *planPage) eachAction(f func(*planAction)) {
	for i := range p.Groups {
		for j := range p.Groups[i].Actions {
			f(&p.Groups[i].Actions[j])
		}
	}
}

// planProblems words findings about the plan (CheckPlan's, DueDateWarnings')
// for the page, each with a link to where it is fixed.
func planProblems(p planPage, content ptacycle.PlanContent, findings []ptacycle.FieldError) []planProblem {
	ids := map[string]int64{}
	for _, a := range content.Activities {
		if _, seen := ids[a.Code]; !seen {
			ids[a.Code] = a.ID
		}
	}
	var out []planProblem
	for _, f := range findings {
		pb := planProblem{Message: f.Text(p.Lang)}
		switch {
		case strings.HasPrefix(f.Field, "recommendations["):
			pb.Href, pb.Link = fmt.Sprintf("/cycles/%d/recommandations", p.Year), p.T("plan.problems.toRecommendations")
		case strings.HasPrefix(f.Field, "activities["):
			code := strings.TrimPrefix(f.Field, "activities[")
			if i := strings.LastIndex(code, "]"); i >= 0 {
				code = code[:i]
			}
			if id, ok := ids[code]; ok {
				pb.Href, pb.Link = fmt.Sprintf("/activites/%d/modifier", id), p.T("plan.problems.fix")
			}
		case f.Field == "activities":
			pb.Href, pb.Link = fmt.Sprintf("/cycles/%d/pta/activites/nouvelle", p.Year), p.T("plan.newActivity")
		}
		out = append(out, pb)
	}
	return out
}

// planGroups files actions under their axes and keeps the activities of page pageNo;
// an action without activity shows on the page where its place falls. Axes
// without any action are listed apart, on the first page.
func planGroups(p planPage, content ptacycle.PlanContent, refs planRefs, axes []ptacycle.Axis, allAxes map[int64]ptacycle.Axis, pageNo int) ([]planGroup, []planGroup, int, int) {
	byAction := map[int64][]ptacycle.Activity{}
	for _, a := range content.Activities {
		byAction[a.ActionID] = append(byAction[a.ActionID], a)
	}
	actions := append([]ptacycle.Action(nil), content.Actions...)
	sort.SliceStable(actions, func(i, j int) bool {
		if actions[i].Position != actions[j].Position {
			return actions[i].Position < actions[j].Position
		}
		return actions[i].Code < actions[j].Code
	})

	var groups []planGroup
	index := map[int64]int{}
	add := func(a ptacycle.Axis) int {
		index[a.ID] = len(groups)
		groups = append(groups, planGroup{Key: strconv.FormatInt(a.ID, 10), Title: a.Code + " — " + a.Title})
		return index[a.ID]
	}
	for _, a := range axes {
		add(a)
	}
	type placed struct {
		group  int
		action ptacycle.Action
	}
	order := make([]placed, len(actions))
	noAxis := false
	for i, a := range actions {
		order[i] = placed{-1, a}
		if a.AxisID == nil {
			noAxis = true
			continue
		}
		if g, ok := index[*a.AxisID]; ok {
			order[i].group = g
		} else if ax, known := allAxes[*a.AxisID]; known { // an axis of another strategy
			order[i].group = add(ax)
		} else {
			noAxis = true
		}
	}
	if noAxis { // the actions without axis come last
		groups = append(groups, planGroup{Key: "none", Title: p.T("plan.noAxis")})
		for i := range order {
			if order[i].group < 0 {
				order[i].group = len(groups) - 1
			}
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].group < order[j].group })

	total := len(content.Activities)
	pages := max(1, (total+planPageSize-1)/planPageSize)
	pageNo = min(max(pageNo, 1), pages)
	lo, hi := (pageNo-1)*planPageSize, pageNo*planPageSize
	hasActions := make([]bool, len(groups))
	n := 0
	for _, pl := range order {
		hasActions[pl.group] = true
		acts := byAction[pl.action.ID]
		var rows []planRow
		show := len(acts) == 0 && min(n/planPageSize+1, pages) == pageNo
		for i, a := range acts {
			if n+i >= lo && n+i < hi {
				rows = append(rows, refs.row(a))
			}
		}
		if show || len(rows) > 0 {
			groups[pl.group].Actions = append(groups[pl.group].Actions, planAction{Action: pl.action, Rows: rows})
		}
		n += len(acts)
	}
	var shown, empty []planGroup
	for i, g := range groups {
		switch {
		case len(g.Actions) > 0:
			shown = append(shown, g)
		case !hasActions[i] && pageNo == 1:
			empty = append(empty, g)
		}
	}
	return shown, empty, pageNo, pages
}

// planAxisOptions is the axis select: "no axis" and the strategy's axes.
func planAxisOptions(p planPage, axes []ptacycle.Axis, selected string) []ui.Option {
	opts := []ui.Option{{Value: "", Label: p.T("plan.noAxisOption"), Selected: selected == ""}}
	for _, a := range axes {
		v := strconv.FormatInt(a.ID, 10)
		opts = append(opts, ui.Option{Value: v, Label: a.Code + " — " + a.Title, Selected: v == selected})
	}
	return opts
}

// planCarryOver lists last year's unfinished activities not carried over yet, carryOverShown at most.
func planCarryOver(p *planPage, candidates []ptacycle.Activity, refs planRefs) {
	for _, a := range candidates {
		if len(p.CarryOver) == carryOverShown {
			p.CarryOverMore++
			continue
		}
		p.CarryOver = append(p.CarryOver, refs.row(a))
	}
}

// showPlan renders the PTA page of year with status, after adjust has set a
// form's input and errors; it says why when the page cannot be read.
func (s *Server) showPlan(c *gin.Context, year, status int, adjust func(*planPage)) error {
	pageNo, _ := strconv.Atoi(c.Query("page"))
	p, err := s.buildPlanPage(c, year, pageNo, false)
	if err != nil {
		return err
	}
	if adjust != nil {
		adjust(&p)
	}
	c.Status(status)
	s.render(c, "plan", p)
	return nil
}

// refusePlan re-renders the PTA page of year with err's status, show placing
// its messages where they belong; a bug goes to the error page.
func (s *Server) refusePlan(c *gin.Context, year int, err error, show func(*planPage, *ui.Errors)) {
	code := ptacycle.ErrorCode(err)
	if code == ptacycle.EINTERNAL {
		s.fail(c, err)
		return
	}
	if s.showPlan(c, year, statusOf(code), func(p *planPage) { show(p, ui.FormErrors(err, p.Lang)) }) != nil {
		s.fail(c, err) // the refusal itself, not why the page cannot be shown
	}
}

// refusePlanStep shows a refused step (submit, revise, close, remove) on top of the PTA page, with each problem listed.
func (s *Server) refusePlanStep(c *gin.Context, year int, err error) {
	s.refusePlan(c, year, err, func(p *planPage, e *ui.Errors) {
		p.StepError = e
		if coded, ok := err.(*ptacycle.Error); ok {
			for _, f := range coded.Fields {
				p.StepProblems = append(p.StepProblems, f.Text(p.Lang))
			}
		}
	})
}

func (s *Server) uiPlan(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	if isHTMX(c) && c.Query("part") == "problems" {
		p, err := s.buildPlanPage(c, year, 1, true)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, "plan#plan-problems", p)
		return
	}
	if err := s.showPlan(c, year, http.StatusOK, nil); err != nil {
		s.fail(c, err)
	}
}

// postedAction reads an action's form: code, title, axis.
func postedAction(c *gin.Context) (planActionForm, ptacycle.Action, error) {
	form := planActionForm{Code: strings.TrimSpace(c.PostForm("code")), Title: strings.TrimSpace(c.PostForm("title")), AxisID: c.PostForm("axisId")}
	a := ptacycle.Action{Code: form.Code, Title: form.Title}
	if form.AxisID != "" {
		id, err := strconv.ParseInt(form.AxisID, 10, 64)
		if err != nil || id <= 0 {
			return form, a, planFieldError("axisId", "Axe stratégique inconnu", "Unknown strategic axis")
		}
		a.AxisID = &id
	}
	return form, a, nil
}

func (s *Server) uiAddAction(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	form, a, err := postedAction(c)
	if err == nil {
		a, err = s.app.Plans.CreateAction(c.Request.Context(), as(c), year, a)
	}
	if err != nil {
		s.refusePlan(c, year, err, func(p *planPage, e *ui.Errors) {
			p.ActionForm, p.ActionErrors = form, e
			for i := range p.Axes {
				p.Axes[i].Selected = p.Axes[i].Value == form.AxisID
			}
		})
		return
	}
	s.flashT(c, "plan.actionAdded", "Code", a.Code)
	redirect(c, fmt.Sprintf("/cycles/%d/pta#action-%d", year, a.ID))
}

// uiEditAction renames an action of the draft plan, changes its code or its axis.
func (s *Server) uiEditAction(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	form, a, err := postedAction(c)
	if err == nil {
		a.ID = id
		a, err = s.app.Plans.UpdateAction(c.Request.Context(), as(c), a)
	}
	if err != nil {
		if ptacycle.ErrorCode(err) != ptacycle.EINVALID {
			s.refusePlanStep(c, year, err)
			return
		}
		s.refusePlan(c, year, err, func(p *planPage, e *ui.Errors) {
			p.eachAction(func(pa *planAction) {
				if pa.ID == id {
					pa.Form, pa.Errors, pa.AxisOpts = form, e, planAxisOptions(*p, p.axes, form.AxisID)
				}
			})
		})
		return
	}
	s.flashT(c, "plan.actionSaved", "Code", a.Code)
	redirect(c, fmt.Sprintf("/cycles/%d/pta#action-%d", year, a.ID))
}

// uiDeleteAction removes an action without activities from the draft plan.
func (s *Server) uiDeleteAction(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	if err := s.app.Plans.DeleteAction(c.Request.Context(), as(c), id); err != nil {
		if ptacycle.ErrorCode(err) == ptacycle.EFORBIDDEN {
			s.fail(c, err)
			return
		}
		s.refusePlanStep(c, year, err)
		return
	}
	s.flashT(c, "plan.actionDeleted", "Code", c.PostForm("code"))
	redirect(c, fmt.Sprintf("/cycles/%d/pta", year))
}

func (s *Server) uiCarryOver(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	var ids []int64
	for _, v := range c.PostFormArray("activityIds") {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.fail(c, ptacycle.Errorf(ptacycle.EINVALID, "Activité %q inconnue", "Unknown activity %q", v))
			return
		}
		ids = append(ids, id)
	}
	acts, err := s.app.Plans.CarryOver(c.Request.Context(), as(c), year, ids)
	if err != nil {
		s.refusePlan(c, year, err, func(p *planPage, e *ui.Errors) { p.CarryErrors = e })
		return
	}
	s.flashT(c, "plan.carriedOver", "Count", len(acts))
	redirect(c, fmt.Sprintf("/cycles/%d/pta", year))
}

// planStep takes a step from the PTA page; on success it leaves message and goes to next.
func (s *Server) planStep(c *gin.Context, take func(ctx context.Context, a app.Actor, year int, request string) (workflows.CycleStatus, error),
	message func(ui.Page, workflows.CycleStatus) string, next string) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	status, done, err := s.pageStep(c, func(a app.Actor, request string) (workflows.CycleStatus, error) {
		return take(c.Request.Context(), a, year, request)
	}, fmt.Sprintf("/cycles/%d/pta", year))
	if err != nil {
		s.refusePlanStep(c, year, err)
		return
	}
	if !done {
		return
	}
	p := s.deps.UI.NewPage(lang(c), currentUser(c), "")
	s.flash(c, message(p, status))
	redirect(c, fmt.Sprintf(next, year))
}

func (s *Server) uiSubmit(c *gin.Context) {
	s.planStep(c, s.app.Cycles.Submit, func(p ui.Page, st workflows.CycleStatus) string {
		return p.T("plan.submitted", "Version", st.Version)
	}, "/cycles/%d/validation")
}

func (s *Server) uiRevise(c *gin.Context) {
	s.planStep(c, s.app.Cycles.Revise, func(p ui.Page, _ workflows.CycleStatus) string {
		return p.T("plan.revised")
	}, "/cycles/%d/pta")
}

func (s *Server) uiCloseCycle(c *gin.Context) {
	s.planStep(c, s.app.Cycles.Close, func(p ui.Page, st workflows.CycleStatus) string {
		return p.T("plan.closed", "Year", st.Year)
	}, "/cycles/%d/pta")
}

// planFieldError is an EINVALID error on one field of a form.
func planFieldError(field, french, english string) error {
	return ptacycle.Invalid(ptacycle.FieldError{Field: field, Message: french, English: english})
}

// planActivityForm is what the activity form sent, kept as typed to show it back.
type planActivityForm struct {
	ActionID, Code, Title, ResponsibleUnitID, OwnerID string
	PartnerUnitIDs, RegionIDs                         []string
	Quarter, StartDate, DueDate, BudgetXOF            string
	FundingSource, Indicator, Target, Deliverable     string
	Version                                           string
}

func readPlanActivityForm(c *gin.Context) planActivityForm {
	return planActivityForm{
		ActionID: c.PostForm("actionId"), Code: c.PostForm("code"), Title: c.PostForm("title"),
		ResponsibleUnitID: c.PostForm("responsibleUnitId"), OwnerID: c.PostForm("ownerId"),
		PartnerUnitIDs: c.PostFormArray("partnerUnitIds"), RegionIDs: c.PostFormArray("regionIds"),
		Quarter: c.PostForm("quarter"), StartDate: c.PostForm("startDate"), DueDate: c.PostForm("dueDate"),
		BudgetXOF: c.PostForm("budgetXof"), FundingSource: c.PostForm("fundingSource"), Indicator: c.PostForm("indicator"),
		Target: c.PostForm("target"), Deliverable: c.PostForm("deliverable"), Version: c.PostForm("version"),
	}
}

// planFormOf fills the form with a stored activity.
func planFormOf(a ptacycle.Activity, year int) planActivityForm {
	id := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	ids := func(list []int64) []string {
		out := make([]string, len(list))
		for i, x := range list {
			out[i] = strconv.FormatInt(x, 10)
		}
		return out
	}
	f := planActivityForm{
		ActionID: strconv.FormatInt(a.ActionID, 10), Code: a.Code, Title: a.Title,
		ResponsibleUnitID: id(a.ResponsibleUnitID), OwnerID: id(a.OwnerID),
		PartnerUnitIDs: ids(a.PartnerUnitIDs), RegionIDs: ids(a.RegionIDs),
		StartDate: a.StartDate.String(), DueDate: a.DueDate.String(),
		BudgetXOF: strconv.FormatInt(a.BudgetXOF, 10), FundingSource: a.FundingSource,
		Indicator: a.Indicator, Target: a.Target, Deliverable: a.Deliverable, Version: strconv.Itoa(a.Version),
	}
	for q := 1; q <= 4; q++ {
		start, due := ptacycle.QuarterDates(year, q)
		if a.StartDate == start && a.DueDate == due {
			f.Quarter = "T" + strconv.Itoa(q)
		}
	}
	return f
}

// activity reads the form into a draft activity of the plan of year; what
// cannot be read is reported per field, with the activity's own checks.
func (f planActivityForm) activity(year int) (ptacycle.Activity, error) {
	var v ptacycle.Validation
	a := ptacycle.Activity{
		Code: strings.TrimSpace(f.Code), Title: strings.TrimSpace(f.Title), FundingSource: strings.TrimSpace(f.FundingSource),
		Indicator: strings.TrimSpace(f.Indicator), Target: strings.TrimSpace(f.Target), Deliverable: strings.TrimSpace(f.Deliverable),
		Status: ptacycle.StatusNotStarted, PartnerUnitIDs: []int64{}, RegionIDs: []int64{},
	}
	if id := planFormID(&v, "actionId", f.ActionID); id != nil {
		a.ActionID = *id
	} else if f.ActionID == "" {
		v.Add("actionId", "Choisissez l'action dont relève l'activité", "Choose the action the activity belongs to")
	}
	a.ResponsibleUnitID = planFormID(&v, "responsibleUnitId", f.ResponsibleUnitID)
	a.OwnerID = planFormID(&v, "ownerId", f.OwnerID)
	for _, s := range f.PartnerUnitIDs {
		if id := planFormID(&v, "partnerUnitIds", s); id != nil {
			a.PartnerUnitIDs = append(a.PartnerUnitIDs, *id)
		}
	}
	for _, s := range f.RegionIDs {
		if id := planFormID(&v, "regionIds", s); id != nil {
			a.RegionIDs = append(a.RegionIDs, *id)
		}
	}
	if f.Quarter != "" {
		q, err := strconv.Atoi(strings.TrimPrefix(f.Quarter, "T"))
		if err != nil || q < 1 || q > 4 {
			v.Add("quarter", "Trimestre %q inconnu (T1 à T4)", "Unknown quarter %q (T1 to T4)", f.Quarter)
		} else {
			a.StartDate, a.DueDate = ptacycle.QuarterDates(year, q)
		}
	} else {
		a.StartDate = planFormDate(&v, "startDate", f.StartDate)
		a.DueDate = planFormDate(&v, "dueDate", f.DueDate)
	}
	// A negative amount is read as such, for the activity's own check to say why it is refused.
	amount, negative := strings.CutPrefix(strings.TrimSpace(f.BudgetXOF), "-")
	if n, err := ptacycle.ParseAmountXOF(amount); err == nil {
		a.BudgetXOF = n
		if negative {
			a.BudgetXOF = -n
		}
	} else {
		v.Add("budgetXof", "Montant invalide : « %s ». Saisissez un nombre entier de francs CFA, par exemple 2 500 000",
			"Invalid amount “%s”: enter a whole number of CFA francs, e.g. 2,500,000", f.BudgetXOF)
	}
	if f.Version != "" {
		a.Version, _ = strconv.Atoi(f.Version)
	}
	read, ok := v.Err().(*ptacycle.Error)
	if !ok {
		return a, nil
	}
	// Report the activity's own problems too, so the form lists everything at once.
	fields := read.Fields
	if e, ok := a.Validate().(*ptacycle.Error); ok {
		fields = append(fields, e.Fields...)
	}
	return a, ptacycle.Invalid(fields...)
}

// planFormID reads an optional id of a select; "" is none.
func planFormID(v *ptacycle.Validation, field, s string) *int64 {
	if s == "" {
		return nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		v.Add(field, "Choix %q inconnu", "Unknown choice %q", s)
		return nil
	}
	return &id
}

// planFormDate reads a date typed as 2024-06-30 (date inputs) or 30/06/2024.
func planFormDate(v *ptacycle.Validation, field, s string) ptacycle.Date {
	s = strings.TrimSpace(s)
	if s == "" {
		return ptacycle.Date{}
	}
	for _, layout := range []string{time.DateOnly, "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return ptacycle.DateOf(t)
		}
	}
	v.Add(field, "Date « %s » invalide : saisissez-la comme 30/06/2024", "Invalid date “%s”: type it as 2024-06-30", s)
	return ptacycle.Date{}
}

// budgetThousands matches an amount written with dots or commas between groups of three digits.
// planActivityPage is the activity form, new or edit, as a page or as a table row for htmx.
type planActivityPage struct {
	ui.Page
	Year                                               int
	ID                                                 int64
	Action                                             string
	Inline                                             bool
	Form                                               planActivityForm
	Errors                                             *ui.Errors
	Stale                                              *planRow
	Actions, Units, Owners, Partners, Regions, Quarter []ui.Option
}

// showPlanActivityForm renders the activity form with status: a row fragment for htmx, else a page.
func (s *Server) showPlanActivityForm(c *gin.Context, planID int64, year int, id int64, form planActivityForm, status int, err error) {
	p := planActivityPage{Year: year, ID: id, Inline: isHTMX(c) && id != 0, Form: form}
	if p.Inline { // a fragment: no navigation, and the flash stays for the next page
		p.Page = s.deps.UI.NewPage(lang(c), currentUser(c), "")
	} else {
		p.Page = s.page(c, "")
	}
	if id == 0 {
		p.Title, p.Action = p.T("plan.activity.newTitle", "Year", year), fmt.Sprintf("/cycles/%d/pta/activites", year)
	} else {
		p.Title, p.Action = p.T("plan.activity.editTitle", "Code", form.Code), fmt.Sprintf("/activites/%d/modifier", id)
	}
	choices, cerr := s.app.Plans.Choices(c.Request.Context(), as(c), planID)
	if cerr != nil {
		s.fail(c, cerr)
		return
	}
	refs := newPlanRefs(choices.Directory)
	if err != nil {
		p.Errors = ui.FormErrors(err, p.Lang)
		if e, ok := err.(*ptacycle.Error); ok {
			if current, stale := e.Current.(ptacycle.Activity); stale {
				row := refs.row(current)
				p.Stale = &row
				p.Form.Version = strconv.Itoa(current.Version)
			}
		}
	}
	p.fillOptions(choices, refs)
	c.Status(status)
	if p.Inline {
		s.render(c, "activity_form#activity-form-row", p)
		return
	}
	s.render(c, "activity_form", p)
}

// fillOptions builds the form's selects, marking what the form holds.
func (p *planActivityPage) fillOptions(choices app.ActivityChoices, refs planRefs) {
	choose := p.T("plan.activity.choose")
	p.Actions = []ui.Option{{Value: "", Label: choose}}
	for _, a := range choices.Actions {
		v := strconv.FormatInt(a.ID, 10)
		p.Actions = append(p.Actions, ui.Option{Value: v, Label: a.Code + " — " + planShorten(a.Title, 80), Selected: v == p.Form.ActionID})
	}
	p.Units = []ui.Option{{Value: "", Label: choose}}
	for _, u := range refs.units {
		v := strconv.FormatInt(u.ID, 10)
		p.Units = append(p.Units, ui.Option{Value: v, Label: u.Name, Selected: v == p.Form.ResponsibleUnitID})
		p.Partners = append(p.Partners, ui.Option{Value: v, Label: u.Name, Selected: slices.Contains(p.Form.PartnerUnitIDs, v)})
	}
	p.Owners = []ui.Option{{Value: "", Label: p.T("plan.activity.noOwner")}}
	for _, u := range choices.Users {
		v := strconv.FormatInt(u.ID, 10)
		if (u.Role == ptacycle.RoleOwner && u.Active) || v == p.Form.OwnerID {
			label := u.FullName
			for _, unit := range refs.units { // an owner must be of the activity's unit: say whose they are
				if u.UnitID != nil && unit.ID == *u.UnitID {
					label += " — " + unit.Name
				}
			}
			p.Owners = append(p.Owners, ui.Option{Value: v, Label: label, Selected: v == p.Form.OwnerID})
		}
	}
	for _, r := range refs.regions {
		v := strconv.FormatInt(r.ID, 10)
		p.Regions = append(p.Regions, ui.Option{Value: v, Label: r.Name, Selected: slices.Contains(p.Form.RegionIDs, v)})
	}
	p.Quarter = []ui.Option{{Value: "", Label: p.T("plan.activity.quarter.none"), Selected: p.Form.Quarter == ""}}
	for q := 1; q <= 4; q++ {
		v := "T" + strconv.Itoa(q)
		p.Quarter = append(p.Quarter, ui.Option{Value: v, Label: p.T("plan.activity.quarter." + v), Selected: v == p.Form.Quarter})
	}
}

// planFormStatus is the status a refused form answers with; ok is false for a bug, answered by the error page.
func planFormStatus(err error) (int, bool) {
	code := ptacycle.ErrorCode(err)
	return statusOf(code), code != ptacycle.EINTERNAL
}

func (s *Server) uiNewActivity(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	d, err := s.app.Plans.Drafting(c.Request.Context(), as(c), year)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.showPlanActivityForm(c, d.Plan.ID, year, 0, planActivityForm{ActionID: c.Query("actionId")}, http.StatusOK, nil)
}

func (s *Server) uiCreateActivity(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	d, err := s.app.Plans.Drafting(ctx, as(c), year)
	if err != nil {
		s.fail(c, err)
		return
	}
	form := readPlanActivityForm(c)
	form.Version = ""
	a, err := form.activity(year)
	if err == nil {
		a, err = s.app.Plans.CreateActivity(ctx, as(c), year, a)
	}
	if err != nil {
		status, ok := planFormStatus(err)
		if !ok {
			s.fail(c, err)
			return
		}
		s.showPlanActivityForm(c, d.Plan.ID, year, 0, form, status, err)
		return
	}
	s.flashT(c, "plan.activity.created", "Title", a.Title)
	redirect(c, fmt.Sprintf("/cycles/%d/pta#activity-%d", year, a.ID))
}

// planActivity reads activity :id and checks its plan is being drafted; it answers the error itself.
func (s *Server) planActivity(c *gin.Context) (ptacycle.Activity, ptacycle.Plan, bool) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return ptacycle.Activity{}, ptacycle.Plan{}, false
	}
	a, d, err := s.app.Plans.Activity(c.Request.Context(), as(c), id)
	if err != nil {
		s.fail(c, err)
		return a, d.Plan, false
	}
	return a, d.Plan, true
}

func (s *Server) uiEditActivity(c *gin.Context) {
	a, plan, ok := s.planActivity(c)
	if !ok {
		return
	}
	s.showPlanActivityForm(c, plan.ID, plan.Year, a.ID, planFormOf(a, plan.Year), http.StatusOK, nil)
}

func (s *Server) uiUpdateActivity(c *gin.Context) {
	stored, plan, ok := s.planActivity(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	form := readPlanActivityForm(c)
	a, err := form.activity(plan.Year)
	if err == nil {
		a.ID = stored.ID
		a, err = s.app.Plans.UpdateActivity(ctx, as(c), a)
	}
	if err != nil {
		status, ok := planFormStatus(err)
		if !ok {
			s.fail(c, err)
			return
		}
		s.showPlanActivityForm(c, plan.ID, plan.Year, stored.ID, form, status, err)
		return
	}
	if isHTMX(c) {
		choices, err := s.app.Plans.Choices(ctx, as(c), plan.ID)
		if err != nil {
			s.fail(c, err)
			return
		}
		// The validation summary listens for this event and reloads itself.
		c.Header("HX-Trigger", "plan-changed")
		s.render(c, "plan#activity-row", gin.H{"Page": s.deps.UI.NewPage(lang(c), currentUser(c), ""), "Row": newPlanRefs(choices.Directory).row(a), "Editable": true})
		return
	}
	s.flashT(c, "plan.activity.updated", "Title", a.Title)
	redirect(c, fmt.Sprintf("/cycles/%d/pta#activity-%d", plan.Year, a.ID))
}

func (s *Server) uiDeleteActivity(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	version, _ := strconv.Atoi(c.PostForm("version"))
	stored, year, err := s.app.Plans.DeleteActivity(c.Request.Context(), as(c), id, version)
	if err != nil {
		if year == 0 || ptacycle.ErrorCode(err) == ptacycle.EFORBIDDEN {
			s.fail(c, err)
			return
		}
		s.refusePlanStep(c, year, err)
		return
	}
	s.flashT(c, "plan.activity.deleted", "Title", stored.Title)
	redirect(c, fmt.Sprintf("/cycles/%d/pta", year))
}

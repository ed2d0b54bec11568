package server

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/ui"
)

// executionPageSize is the number of rows or cards per page of the execution pages.
const executionPageSize = 50

// execRow is an activity as the execution pages list it.
type execRow struct {
	ptacycle.Activity
	Unit        string
	StatusLabel string
	Overdue     bool
}

// execOverdue follows the lists' filter: due before today and not finished.
func execOverdue(a ptacycle.Activity, day ptacycle.Date) bool {
	return !a.DueDate.IsZero() && a.DueDate.Before(day) && !a.Status.Finished()
}

func (d execDirectory) row(p ui.Page, a ptacycle.Activity, day ptacycle.Date) execRow {
	return execRow{Activity: a, Unit: d.unit(a.ResponsibleUnitID), StatusLabel: p.L(a.Status.Label()), Overdue: execOverdue(a, day)}
}

// execProgressForm is what the progress form holds: the stored values, or what was typed.
type execProgressForm struct {
	Version     int
	Status      ptacycle.ActivityStatus
	Progress    string
	Comment     string
	EvidenceURL string
	PostponedTo string
	HeldID      int64             // the file a refused sending left held, sent back with the form
	DropHeld    bool              // the user asked not to attach it
	Held        *app.HeldEvidence // what the form shows of it
}

// execStoredProgress starts a report from the stored activity; the comment is new with each report.
func execStoredProgress(a ptacycle.Activity) execProgressForm {
	return execProgressForm{Version: a.Version, Status: a.Status, Progress: strconv.Itoa(a.Progress), EvidenceURL: a.EvidenceURL, PostponedTo: a.PostponedTo.String()}
}

// execProgressCard is an activity with its progress form, as the partial "execution-progress-form" renders it.
type execProgressCard struct {
	execRow
	Form      execProgressForm
	Choices   []ui.Option
	Errors    *ui.Errors
	Stale     *ptacycle.Activity // what is stored, when the report was made on an older version
	CanReport bool
	Next      string // where the form returns
}

func (d execDirectory) card(p ui.Page, a ptacycle.Activity, day ptacycle.Date, next string) execProgressCard {
	c := execProgressCard{execRow: d.row(p, a, day), Next: next}
	c.setForm(p, execStoredProgress(a))
	return c
}

func (c *execProgressCard) setForm(p ui.Page, f execProgressForm) {
	c.Form = f
	c.Choices = make([]ui.Option, len(ptacycle.Statuses))
	for i, st := range ptacycle.Statuses {
		c.Choices[i] = ui.Option{Value: string(st), Label: p.L(st.Label()), Selected: st == f.Status}
	}
}

// myActivitiesPage is an owner's activities, with a progress form on each.
type myActivitiesPage struct {
	ui.Page
	Year     int
	Unit     string
	NoUnit   bool
	Open     bool
	Cards    []execProgressCard
	Total    int
	Late     int
	PageNum  int
	Pages    int
	PrevURL  string
	NextURL  string
	Reported int64 // the card just refused, scrolled to
}

func (s *Server) uiMyActivities(c *gin.Context) {
	page, ok := s.queryInt(c, "page", 1)
	if !ok {
		return
	}
	data, err := s.myActivities(c, page, 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "my_activities", data)
}

// myActivities lists the activities of the user's unit in the current year's
// plan: unfinished first, by due date. Activity focus, when on another page, is shown first.
func (s *Server) myActivities(c *gin.Context, page int, focus int64) (myActivitiesPage, error) {
	u := currentUser(c)
	data := myActivitiesPage{Page: s.page(c, "execution.mine.title"), PageNum: max(page, 1)}
	mine, err := s.app.Execution.Mine(c.Request.Context(), as(c))
	if err != nil {
		return data, err
	}
	if u.UnitID == nil {
		data.NoUnit = true
		return data, nil
	}
	dir := newExecDirectory(mine.Directory)
	data.Year, data.Unit, data.Open = mine.Year, dir.unit(u.UnitID), mine.Open
	acts := mine.Activities
	slices.SortStableFunc(acts, func(a, b ptacycle.Activity) int { // unfinished first, each by due date
		return cmp.Compare(execFinished(a), execFinished(b))
	})
	day := today()
	data.Total = len(acts)
	for _, a := range acts {
		if execOverdue(a, day) {
			data.Late++
		}
	}
	data.Pages = max((len(acts)+executionPageSize-1)/executionPageSize, 1)
	data.PageNum = min(data.PageNum, data.Pages)
	from := (data.PageNum - 1) * executionPageSize
	shown := acts[from:min(from+executionPageSize, len(acts))]
	if i := slices.IndexFunc(acts, func(a ptacycle.Activity) bool { return a.ID == focus }); i >= 0 {
		data.Reported = focus
		if !slices.ContainsFunc(shown, func(a ptacycle.Activity) bool { return a.ID == focus }) {
			shown = append([]ptacycle.Activity{acts[i]}, shown...)
		}
	}
	for _, a := range shown {
		card := dir.card(data.Page, a, day, "/mes-activites")
		card.CanReport = data.Open
		data.Cards = append(data.Cards, card)
	}
	if data.PageNum > 1 {
		data.PrevURL = fmt.Sprintf("/mes-activites?page=%d", data.PageNum-1)
	}
	if data.PageNum < data.Pages {
		data.NextURL = fmt.Sprintf("/mes-activites?page=%d", data.PageNum+1)
	}
	return data, nil
}

func execFinished(a ptacycle.Activity) int {
	if a.Status.Finished() {
		return 1
	}
	return 0
}

func (s *Server) uiReportProgress(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	a, err := s.app.Execution.Reportable(ctx, as(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	evidence, evidenceErr := postedEvidence(c, evidenceField)
	if c.Request.ContentLength > formMaxBytes { // not read: the file alone is refused, the stored values shown again
		s.execProgressRefused(c, id, execProgressReturn("", id), execStoredProgress(a), evidenceErr)
		return
	}
	next := execProgressReturn(c.PostForm("next"), id)
	typed := execPostedProgress(c)
	in, err := execParseProgress(id, typed)
	err = ptacycle.JoinValidation(err, evidenceErr)
	if err == nil {
		in.Evidence, in.HeldEvidence = evidence, typed.heldFor(evidence)
		a, err = s.app.Execution.ReportProgress(ctx, as(c), in)
	}
	if err == nil {
		if r := progressRaised(typed, in, a); r != nil {
			s.flashT(c, "execution.progress.savedRaised", "Code", a.Code, "Stored", r.Stored, "Typed", r.Typed)
		} else {
			s.flashT(c, "execution.progress.saved", "Code", a.Code)
		}
		redirect(c, next)
		return
	}
	s.keepEvidence(c, as(c), id, evidence, &typed)
	s.execProgressRefused(c, id, next, typed, err)
}

// execPostedProgress is the progress form as the user typed it.
func execPostedProgress(c *gin.Context) execProgressForm {
	typed := execProgressForm{Status: ptacycle.ActivityStatus(c.PostForm("status")), Progress: strings.TrimSpace(c.PostForm("progress")),
		Comment: strings.TrimSpace(c.PostForm("comment")), EvidenceURL: strings.TrimSpace(c.PostForm("evidenceUrl")),
		PostponedTo: strings.TrimSpace(c.PostForm("postponedTo"))}
	typed.Version, _ = strconv.Atoi(c.PostForm("version"))
	typed.HeldID, _ = strconv.ParseInt(c.PostForm("heldEvidence"), 10, 64)
	typed.DropHeld = c.PostForm("dropHeld") != ""
	return typed
}

// heldFor is the held file a report takes: none when the form brings a new
// file or the user dropped the held one.
func (f execProgressForm) heldFor(posted *ptacycle.EvidenceUpload) int64 {
	if posted != nil || f.DropHeld {
		return 0
	}
	return f.HeldID
}

// keepEvidence keeps the file of a refused report for the corrected form,
// so that an owner on a slow link does not send it again: the file just
// posted is held, or the one held before is shown again. Keeping is a
// convenience: when it fails the form asks for the file as before.
func (s *Server) keepEvidence(c *gin.Context, a app.Actor, id int64, posted *ptacycle.EvidenceUpload, typed *execProgressForm) {
	ctx := c.Request.Context()
	var held app.HeldEvidence
	var err error
	switch {
	case posted != nil:
		held, err = s.app.Execution.HoldEvidence(ctx, a, id, *posted)
	case typed.heldFor(nil) != 0:
		held, err = s.app.Execution.HeldEvidenceOf(ctx, a, id, typed.HeldID)
	default:
		return
	}
	if err != nil {
		if ptacycle.ErrorCode(err) != ptacycle.EINVALID {
			s.deps.Logger.Warn("keeping an evidence file", "err", err, "request_id", ptacycle.RequestID(ctx))
		}
		typed.HeldID = 0
		return
	}
	typed.HeldID, typed.Held = held.ID, &held
}

// raised is a progress typed and stored otherwise (« Réalisée » records 100 %).
type raised struct{ Stored, Typed int }

// progressRaised says whether the stored activity's progress differs from
// the one typed, for the page to say so rather than change it without a word.
func progressRaised(typed execProgressForm, in app.Progress, stored ptacycle.Activity) *raised {
	if typed.Progress == "" || stored.Progress == in.Progress {
		return nil
	}
	return &raised{Stored: stored.Progress, Typed: in.Progress}
}

// execProgressReturn is the page a progress form goes back to: the activity's page or the owner's list.
func execProgressReturn(next string, id int64) string {
	if next == fmt.Sprintf("/activites/%d", id) {
		return next
	}
	return "/mes-activites"
}

// execParseProgress reads the form's numbers and date; the store validates the rest.
func execParseProgress(id int64, f execProgressForm) (app.Progress, error) {
	in := app.Progress{ActivityID: id, Version: f.Version, Status: f.Status, Comment: f.Comment, EvidenceURL: f.EvidenceURL}
	var v ptacycle.Validation
	if f.Progress != "" {
		n, err := strconv.Atoi(f.Progress)
		if err != nil {
			v.Add("progress", "L'avancement est un nombre entier entre 0 et 100 (reçu %q)", "Progress is a whole number from 0 to 100 (got %q)", f.Progress)
		}
		in.Progress = n
	}
	if f.PostponedTo != "" {
		d, err := ptacycle.ParseDate(f.PostponedTo)
		if err != nil {
			v.Add("postponedTo", "Date de report invalide (format attendu : AAAA-MM-JJ)", "Invalid new date (expected YYYY-MM-DD)")
		}
		in.PostponedTo = d
	}
	if !f.Status.Valid() {
		v.Add("status", "Choisissez un statut", "Choose a status")
	}
	return in, v.Err()
}

// execProgressRefused shows the form again with what was typed and the reasons;
// a stale report shows what is stored now and takes its version, so that
// sending again is a deliberate choice over it.
func (s *Server) execProgressRefused(c *gin.Context, id int64, next string, typed execProgressForm, err error) {
	var e *ptacycle.Error
	if !errors.As(err, &e) || (e.Code != ptacycle.EINVALID && e.Code != ptacycle.ECONFLICT) {
		s.fail(c, err)
		return
	}
	stored, stale := e.Current.(ptacycle.Activity)
	refuse := func(p ui.Page, card *execProgressCard) {
		card.setForm(p, typed)
		card.Errors = ui.FormErrors(e, p.Lang)
		if stale {
			card.Stale = &stored
			card.Form.Version = stored.Version
			card.Errors = &ui.Errors{Message: p.T("execution.progress.stale")}
		}
	}
	if strings.HasPrefix(next, "/activites/") {
		data, derr := s.execActivityData(c, id)
		if derr != nil {
			s.fail(c, derr)
			return
		}
		refuse(data.Page, &data.Card)
		c.Status(statusOf(e.Code))
		s.render(c, "activity", data)
		return
	}
	data, derr := s.myActivities(c, 1, id)
	if derr != nil {
		s.fail(c, derr)
		return
	}
	i := slices.IndexFunc(data.Cards, func(pc execProgressCard) bool { return pc.ID == id })
	if i < 0 { // not an activity of the user's unit (a coordinator's report): its own page shows the form
		s.execProgressRefused(c, id, fmt.Sprintf("/activites/%d", id), typed, e)
		return
	}
	refuse(data.Page, &data.Cards[i])
	for j := range data.Nav { // the form's address is not the page's
		data.Nav[j].Active = data.Nav[j].Href == "/mes-activites"
	}
	c.Status(statusOf(e.Code))
	s.render(c, "my_activities", data)
}

// executionPage is the whole plan's execution, filtered and paginated.
type executionPage struct {
	ui.Page
	Year     int
	Stage    ptacycle.Stage
	Units    []ui.Option
	Regions  []ui.Option
	Partners []ui.Option
	Axes     []ui.Option
	Statuses []ui.Option
	Overdue  bool
	Filtered bool
	Rows     []execRow
	Total    int
	PageNum  int
	Pages    int
	PrevURL  string
	NextURL  string
	Rate     ptacycle.Rate
	Formula  ptacycle.Label
	Errors   *ui.Errors // none: the filters' selects take it
}

func (s *Server) uiExecution(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	f := app.ActivityFilter{Year: year, Status: ptacycle.ActivityStatus(c.Query("status")), PageSize: executionPageSize}
	ints := []struct {
		name string
		dst  *int64
	}{{"unit", &f.UnitID}, {"region", &f.RegionID}, {"axis", &f.AxisID}, {"partner", &f.PartnerID}}
	for _, q := range ints {
		n, ok := s.queryInt(c, q.name, 0)
		if !ok {
			return
		}
		*q.dst = int64(n)
	}
	page, ok := s.queryInt(c, "page", 1)
	if !ok {
		return
	}
	f.Page = page
	day := today()
	overdue := false
	switch c.Query("overdue") {
	case "1", "on", "true":
		overdue, f.OverdueAsOf = true, day
	}
	ex, err := s.app.Execution.Page(c.Request.Context(), as(c), f, day)
	if err != nil {
		s.fail(c, err)
		return
	}
	data := executionPage{Page: s.page(c, "execution.title"), Year: ex.Year.Year, Stage: ex.Cycle.Stage, Formula: ptacycle.RateFormula,
		Overdue: overdue, Total: ex.Activities.Total, PageNum: ex.Activities.Page, Rate: ex.Rates.Overall}
	data.Filtered = f.Status != "" || f.UnitID != 0 || f.RegionID != 0 || f.AxisID != 0 || f.PartnerID != 0 || data.Overdue
	dir := newExecDirectory(ex.Directory)
	execFilters(&data, dir, ex.Axes, f)
	data.Pages = max((data.Total+executionPageSize-1)/executionPageSize, 1)
	for _, a := range ex.Activities.Items {
		data.Rows = append(data.Rows, dir.row(data.Page, a, day))
	}
	link := func(n int) string {
		q := c.Request.URL.Query()
		q.Set("page", strconv.Itoa(n))
		return c.Request.URL.Path + "?" + q.Encode()
	}
	if data.PageNum > 1 {
		data.PrevURL = link(data.PageNum - 1)
	}
	if data.PageNum < data.Pages {
		data.NextURL = link(data.PageNum + 1)
	}
	s.render(c, "execution", data)
}

// execFilters fills the filter form's choices, the current ones selected.
func execFilters(data *executionPage, dir execDirectory, axes []ptacycle.Axis, f app.ActivityFilter) {
	all := ui.Option{Value: "", Label: data.T("execution.filter.all")}
	data.Units = []ui.Option{all}
	for _, u := range dir.unitList {
		data.Units = append(data.Units, ui.Option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name, Selected: u.ID == f.UnitID})
	}
	data.Partners = []ui.Option{all}
	for _, u := range dir.unitList {
		data.Partners = append(data.Partners, ui.Option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name, Selected: u.ID == f.PartnerID})
	}
	data.Regions = []ui.Option{all}
	for _, r := range dir.regionList {
		data.Regions = append(data.Regions, ui.Option{Value: strconv.FormatInt(r.ID, 10), Label: r.Name, Selected: r.ID == f.RegionID})
	}
	data.Axes = []ui.Option{all}
	for _, a := range axes {
		data.Axes = append(data.Axes, ui.Option{Value: strconv.FormatInt(a.ID, 10), Label: a.Code + " — " + a.Title, Selected: a.ID == f.AxisID})
	}
	data.Statuses = []ui.Option{all}
	for _, st := range ptacycle.Statuses {
		data.Statuses = append(data.Statuses, ui.Option{Value: string(st), Label: data.L(st.Label()), Selected: st == f.Status})
	}
}

// execHistoryRow is one progress update as the activity page shows it.
type execHistoryRow struct {
	ptacycle.ActivityUpdate
	Who    string
	Before string
	After  string
}

// execActivityPage is one activity: its fields, its history, and the progress form for who may report.
type execActivityPage struct {
	ui.Page
	Year        int
	ActionCode  string
	ActionTitle string
	Axis        string
	Owner       string
	Partners    []string
	Regions     []string
	Carried     bool
	History     []execHistoryRow
	Card        execProgressCard
	Open        bool
}

func (s *Server) uiActivity(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	data, err := s.execActivityData(c, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "activity", data)
}

func (s *Server) execActivityData(c *gin.Context, id int64) (execActivityPage, error) {
	data := execActivityPage{Page: s.page(c, "execution.activity.title")}
	d, err := s.app.Execution.Activity(c.Request.Context(), as(c), id)
	if err != nil {
		return data, err
	}
	a, dir := d.Activity, newExecDirectory(d.Directory)
	data.Year, data.Open = d.Year, d.Open
	data.ActionCode, data.ActionTitle = d.Action.Code, d.Action.Title
	if d.Axis != nil {
		data.Axis = d.Axis.Code + " — " + d.Axis.Title
	}
	data.Title = a.Code + " " + a.Title
	data.Owner = dir.user(a.OwnerID)
	data.Partners, data.Regions = dir.unitNames(a.PartnerUnitIDs), dir.regionNames(a.RegionIDs)
	data.Carried = a.CarriedOverFrom != nil
	for i := len(d.History) - 1; i >= 0; i-- { // latest first
		h := d.History[i]
		data.History = append(data.History, execHistoryRow{ActivityUpdate: h, Who: dir.user(h.UserID),
			Before: data.L(h.StatusBefore.Label()), After: data.L(h.StatusAfter.Label())})
	}
	data.Card = dir.card(data.Page, a, today(), fmt.Sprintf("/activites/%d", id))
	data.Card.CanReport = d.CanReport
	return data, nil
}

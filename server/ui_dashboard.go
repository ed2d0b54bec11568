package server

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/ui"
	"github.com/ptacycle/ptacycle/workflows"
)

// The dashboard, the launch of a year, the account, the reminders and the audit log.

// dashboardPage is the home page: where the current cycle stands and what waits for whom.
type dashboardPage struct {
	ui.Page
	Cycle        *ptacycle.Cycle // the current cycle (open, else the latest), nil without any
	Timeline     []timelineStep
	Unavailable  bool // Temporal did not answer: the stage comes from PostgreSQL
	Stopped      bool // the cycle's workflow ended on an error: nothing moves the stage shown
	Retroactive  bool // the year was recorded after it ended: no reminders, closed by the coordinator
	Pending      *pendingView
	SentBack     *app.SentBack // why the plan is drafted again, until its next submission
	Rates        *ratesView
	ShowOverdue  bool
	Overdue      []ptacycle.Activity
	OverdueCount int
	Actions      []myAction
	Launch       *launchForm // coordinators, when no cycle is open or a launch failed
}

// timelineStep is one of the six stages with its deadline when known.
type timelineStep struct {
	Stage         ptacycle.Stage
	Due           ptacycle.Date
	Done, Current bool
}

// pendingView is the step the cycle waits for, from whom, by when.
type pendingView struct {
	Label ptacycle.Label
	Roles []ptacycle.Role
	Names []string
	Due   ptacycle.Date
	Late  bool
}

// ratesView is the execution rate of one year's plan, with its formula.
type ratesView struct {
	app.YearRates
	Formula ptacycle.Label
}

// myAction is something the signed-in user should do, by when, and where.
type myAction struct {
	Testid, Text string
	Due          ptacycle.Date
	Href, Link   string
}

// launchForm is the launch of a year as typed; the fields are strings to show back.
type launchForm struct {
	Year, BilanDue, RecommendationsDue, SubmissionDue string
	Usual                                             ptacycle.DeadlineDays // what empty deadlines take: the organisation's
	Errors                                            *ui.Errors
}

// dashboardLaunchFields names the form's field for each field of ptacycle.Cycle's validation.
var dashboardLaunchFields = map[string]string{
	"deadlines.bilan":           "bilanDue",
	"deadlines.recommendations": "recommendationsDue",
	"deadlines.submission":      "submissionDue",
}

func (s *Server) home(c *gin.Context) { s.renderDashboard(c, nil) }

// renderDashboard renders the home page; a failed launch comes back with its form.
func (s *Server) renderDashboard(c *gin.Context, failed *launchForm) {
	d, err := s.dashboardData(c, failed)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "home", d)
}

func (s *Server) dashboardData(c *gin.Context, failed *launchForm) (dashboardPage, error) {
	u := currentUser(c)
	d := dashboardPage{Page: s.page(c, "home.title")}
	data, err := s.app.Dashboard.Page(c.Request.Context(), as(c), today())
	if err != nil {
		return d, err
	}
	coordinator := u.Role == ptacycle.RoleCoordinator
	if data.View == nil {
		if coordinator {
			d.Launch = orLaunch(failed, time.Now().Year(), data.Org.DeadlineDays)
		}
		return d, nil
	}
	v, cy := data.View, data.View.Cycle
	d.Cycle = &cy
	d.Unavailable, d.Stopped = v.StatusError != "" && !v.Stopped, v.Stopped
	d.Retroactive = v.Status != nil && v.Status.Retroactive
	d.Timeline = dashboardTimeline(cy, v.Status)
	d.SentBack = v.SentBack
	if v.Status != nil && v.Status.Pending != nil {
		d.Pending = pendingOf(v.Status.Pending, data.Pending)
	}
	if r := data.Rates; r != nil {
		d.Rates = &ratesView{YearRates: *r, Formula: ptacycle.RateFormula}
	}
	if data.Overdue != nil {
		d.ShowOverdue, d.OverdueCount, d.Overdue = true, data.Overdue.Count, data.Overdue.First
	}
	d.Actions = myActions(d.Page, u, cy, v.Status, data)
	if coordinator && (cy.Stage == ptacycle.StageClosed || failed != nil) {
		d.Launch = orLaunch(failed, cy.Year+1, data.Org.DeadlineDays)
	}
	return d, nil
}

// orLaunch is the failed form if any, else an empty one proposing year; both
// say which deadlines empty fields take (usual, the organisation's).
func orLaunch(failed *launchForm, year int, usual ptacycle.DeadlineDays) *launchForm {
	if failed == nil {
		failed = &launchForm{Year: strconv.Itoa(year)}
	}
	failed.Usual = usual
	return failed
}

// dashboardTimeline places the cycle on its six stages, with the workflow's
// deadlines, or PostgreSQL's when Temporal does not answer.
func dashboardTimeline(cy ptacycle.Cycle, status *workflows.CycleStatus) []timelineStep {
	due := map[ptacycle.Stage]ptacycle.Date{
		ptacycle.StageBilan:           cy.Deadlines.Bilan,
		ptacycle.StageRecommendations: cy.Deadlines.Recommendations,
		ptacycle.StageDrafting:        cy.Deadlines.Submission,
		ptacycle.StageExecution:       ptacycle.NewDate(cy.Year, time.December, 31),
	}
	if status != nil {
		keys := map[ptacycle.Stage]string{ptacycle.StageBilan: "bilan", ptacycle.StageRecommendations: "recommendations",
			ptacycle.StageDrafting: "submission", ptacycle.StageExecution: "yearEnd"}
		for stage, key := range keys {
			if t, ok := status.Deadlines[key]; ok && !t.IsZero() {
				due[stage] = dueDay(t)
			}
		}
		if p := status.Pending; p != nil && status.Stage == ptacycle.StageValidation && !p.Due.IsZero() {
			due[ptacycle.StageValidation] = dueDay(p.Due)
		}
	}
	if cy.ClosedAt != nil {
		due[ptacycle.StageClosed] = ptacycle.DateOf(*cy.ClosedAt)
	}
	current := slices.Index(ptacycle.Stages, cy.Stage)
	steps := make([]timelineStep, len(ptacycle.Stages))
	for i, stage := range ptacycle.Stages {
		steps[i] = timelineStep{Stage: stage, Due: due[stage], Done: i < current, Current: i == current}
	}
	return steps
}

// dueDay is the last day to act before instant t: a deadline at midnight
// (the year's end) falls on the day before.
func dueDay(t time.Time) ptacycle.Date {
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		t = t.Add(-time.Second)
	}
	return ptacycle.DateOf(t)
}

// pendingOf is the pending step, with the names of the people it waits for.
func pendingOf(p *workflows.PendingStep, names []string) *pendingView {
	v := &pendingView{Label: p.Label, Roles: p.Roles, Names: names}
	if !p.Due.IsZero() {
		v.Due, v.Late = dueDay(p.Due), time.Now().After(p.Due)
	}
	return v
}

// stagePages are the pages where each stage's work is done.
var stagePages = map[ptacycle.Stage]string{
	ptacycle.StageBilan:           "bilan",
	ptacycle.StageRecommendations: "recommandations",
	ptacycle.StageDrafting:        "pta",
	ptacycle.StageValidation:      "validation",
	ptacycle.StageExecution:       "execution",
}

// myActions lists what waits for the user, by role.
func myActions(p ui.Page, u *ptacycle.User, cy ptacycle.Cycle, status *workflows.CycleStatus, data app.DashboardData) []myAction {
	cycle := fmt.Sprintf("/cycles/%d/", cy.Year)
	var pending *workflows.PendingStep
	if status != nil {
		pending = status.Pending
	}
	switch u.Role {
	case ptacycle.RoleCoordinator:
		if cy.Stage == ptacycle.StageClosed {
			return []myAction{{Testid: "action-closed", Text: p.T("home.actionClosed", "Year", cy.Year)}}
		}
		do := myAction{Testid: "action-step", Text: p.T("home.actionStage", "Stage", p.L(cy.Stage.Label())),
			Href: cycle + stagePages[cy.Stage], Link: p.T("home.open." + string(cy.Stage))}
		if pending != nil {
			do.Text = p.T("home.actionStep", "Step", p.L(pending.Label))
			if !pending.Due.IsZero() {
				do.Due = dueDay(pending.Due)
			}
		}
		return []myAction{do}
	case ptacycle.RoleApprover:
		if data.Decides {
			return []myAction{{Testid: "action-decide", Text: p.T("home.actionDecide", "Level", pending.Level),
				Href: cycle + "validation", Link: p.T("home.open.validation")}}
		}
		return []myAction{{Testid: "action-none", Text: p.T("home.actionNoDecision")}}
	case ptacycle.RoleOwner:
		if cy.Stage != ptacycle.StageExecution || u.UnitID == nil {
			return []myAction{{Testid: "action-none", Text: p.T("home.actionOwnerWait")}}
		}
		return []myAction{{Testid: "action-unfinished", Text: p.T("home.actionUnfinished", "Count", data.Unfinished),
			Href: "/mes-activites", Link: p.T("home.openMyActivities")}}
	case ptacycle.RolePartner:
		actions := []myAction{{Testid: "action-read", Text: p.T("home.actionPartnerPlan"), Href: cycle + "pta", Link: p.T("home.open.drafting")}}
		if cy.Stage == ptacycle.StageExecution || cy.Stage == ptacycle.StageClosed {
			actions = append(actions, myAction{Testid: "action-execution", Text: p.T("home.actionPartnerExecution"), Href: cycle + "execution", Link: p.T("home.open.execution")})
		}
		if data.Contribution != nil {
			actions = append(actions, partnerContributions(p, *data.Contribution, cy, cycle))
		}
		return actions
	case ptacycle.RoleAdmin:
		return []myAction{{Testid: "action-admin", Text: p.T("home.actionAdmin"), Href: "/admin", Link: p.T("home.openAdmin")}}
	}
	return nil
}

// partnerContributions tells a partner what its unit contributes to: the
// activities of the year's plan it is a partner of, how many are done, and
// where to see them.
func partnerContributions(p ui.Page, mine app.Contribution, cy ptacycle.Cycle, cycle string) myAction {
	if mine.Activities == 0 {
		return myAction{Testid: "action-contributions", Text: p.T("home.actionPartnerNone", "Unit", mine.Unit.Name)}
	}
	a := myAction{Testid: "action-contributions", Text: p.T("home.actionPartnerMine", "Unit", mine.Unit.Name, "Count", mine.Activities, "Done", mine.Done)}
	if cy.Stage == ptacycle.StageExecution || cy.Stage == ptacycle.StageClosed {
		a.Href, a.Link = cycle+"execution?partner="+strconv.FormatInt(mine.Unit.ID, 10), p.T("home.openContributions")
	}
	return a
}

// uiLaunch launches a year from the dashboard's form.
func (s *Server) uiLaunch(c *gin.Context) {
	form := launchForm{
		Year:               strings.TrimSpace(c.PostForm("year")),
		BilanDue:           strings.TrimSpace(c.PostForm("bilanDue")),
		RecommendationsDue: strings.TrimSpace(c.PostForm("recommendationsDue")),
		SubmissionDue:      strings.TrimSpace(c.PostForm("submissionDue")),
	}
	in, err := form.request()
	if err == nil {
		_, err = s.app.Cycles.Launch(c.Request.Context(), as(c), in.Year, in.Deadlines)
	}
	if err != nil {
		code := ptacycle.ErrorCode(err)
		if code == ptacycle.EINTERNAL {
			s.fail(c, err)
			return
		}
		form.Errors = ui.FormErrors(renameFields(err, dashboardLaunchFields), lang(c))
		c.Status(statusOf(code))
		s.renderDashboard(c, &form)
		return
	}
	s.flashT(c, "home.launched", "Year", in.Year)
	redirect(c, "/")
}

// request reads the form; every unreadable field is reported at once.
func (f launchForm) request() (launchRequest, error) {
	var in launchRequest
	var v ptacycle.Validation
	year, err := strconv.Atoi(f.Year)
	if err != nil {
		v.Add("year", "Année : nombre entier attendu (par exemple %d)", "Year: a whole number (for example %d)", time.Now().Year())
	}
	in.Year = year
	dates := []struct {
		field, value string
		dst          *ptacycle.Date
	}{{"bilanDue", f.BilanDue, &in.Deadlines.Bilan}, {"recommendationsDue", f.RecommendationsDue, &in.Deadlines.Recommendations},
		{"submissionDue", f.SubmissionDue, &in.Deadlines.Submission}}
	for _, d := range dates {
		if d.value == "" {
			continue
		}
		parsed, err := ptacycle.ParseDate(d.value)
		if err != nil {
			v.Add(d.field, "Date %q invalide (format attendu : AAAA-MM-JJ)", "Invalid date %q (expected YYYY-MM-DD)", d.value)
			continue
		}
		*d.dst = parsed
	}
	return in, v.Err()
}

// renameFields returns err with its field errors moved to the form's field names.
func renameFields(err error, names map[string]string) error {
	return mapFields(err, func(field string) string {
		if name, ok := names[field]; ok {
			return name
		}
		return field
	})
}

// accountPage is the user's profile, reminder preferences and the password change form.
type accountPage struct {
	ui.Page
	Unit        string
	MinLength   int
	Errors      *ui.Errors
	PrefErrors  *ui.Errors
	Channels    []ui.Option
	Hours       []ui.Option
	QuietToOpts []ui.Option
	Languages   []ui.Option
	Coordinator bool
}

func (s *Server) uiAccount(c *gin.Context) { s.renderAccount(c, nil) }

func (s *Server) renderAccount(c *gin.Context, errs *ui.Errors) { s.renderAccountWith(c, errs, nil) }

func (s *Server) renderAccountWith(c *gin.Context, errs, prefErrs *ui.Errors) {
	u := currentUser(c)
	d := accountPage{Page: s.page(c, "account.title"), MinLength: ptacycle.MinPasswordLength, Errors: errs, PrefErrors: prefErrs}
	for _, ch := range []ptacycle.Channel{ptacycle.ChannelEmail, ptacycle.ChannelInApp, ptacycle.ChannelWebhook} {
		d.Channels = append(d.Channels, ui.Option{Value: string(ch), Label: d.T("account.channel." + string(ch)), Selected: u.NotifyChannel == ch})
	}
	d.Languages = []ui.Option{{Value: "fr", Label: "Français", Selected: u.Language != "en"}, {Value: "en", Label: "English", Selected: u.Language == "en"}}
	d.Coordinator = u.Role == ptacycle.RoleCoordinator
	d.Hours = hourOptions(d.Page, u.QuietFrom)
	d.QuietToOpts = hourOptions(d.Page, u.QuietTo)
	unit, err := s.app.Account.Unit(c.Request.Context(), as(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	if unit != nil {
		d.Unit = unit.Name
	}
	s.render(c, "account", d)
}

// hourOptions are the hours of a quiet period, with "none" first.
func hourOptions(p ui.Page, selected *int) []ui.Option {
	opts := []ui.Option{{Value: "", Label: p.T("account.quiet.none"), Selected: selected == nil}}
	for h := range 24 {
		opts = append(opts, ui.Option{Value: strconv.Itoa(h), Label: fmt.Sprintf("%02d:00", h), Selected: selected != nil && *selected == h})
	}
	return opts
}

// uiSetPreferences records how the user wants to be reminded.
func (s *Server) uiSetPreferences(c *gin.Context) {
	u := currentUser(c)
	p := ptacycle.Preferences{NotifyChannel: ptacycle.Channel(c.PostForm("notifyChannel")), Phone: strings.TrimSpace(c.PostForm("phone")),
		Digest: c.PostForm("digest") == "on"}
	var v ptacycle.Validation
	hour := func(field string) *int {
		raw := c.PostForm(field)
		if raw == "" {
			return nil
		}
		h, err := strconv.Atoi(raw)
		if err != nil {
			v.Add(field, "Heure invalide", "Invalid hour")
			return nil
		}
		return &h
	}
	p.QuietFrom, p.QuietTo = hour("quietFrom"), hour("quietTo")
	err := v.Err()
	if err == nil {
		_, err = s.app.Account.SetPreferences(c.Request.Context(), as(c), p, c.PostForm("language"))
	}
	if err != nil {
		if ptacycle.ErrorCode(err) == ptacycle.EINTERNAL {
			s.fail(c, err)
			return
		}
		c.Status(statusOf(ptacycle.ErrorCode(err)))
		s.renderAccountWith(c, nil, ui.FormErrors(err, lang(c)))
		return
	}
	page := s.deps.UI.NewPage(c.PostForm("language"), u, "")
	s.flash(c, page.T("account.prefsSaved"))
	redirect(c, "/compte")
}

// uiChangePassword changes the password from the account page; the new one is typed twice.
func (s *Server) uiChangePassword(c *gin.Context) {
	req := passwordRequest{Current: c.PostForm("current"), New: c.PostForm("new")}
	confirm := c.PostForm("confirm")
	err := app.PasswordChange{Current: req.Current, New: req.New, Confirm: &confirm}.Check()
	if err == nil {
		err = s.replacePassword(c, currentUser(c), req)
	}
	if err != nil {
		code := ptacycle.ErrorCode(err)
		if code == ptacycle.EINTERNAL {
			s.fail(c, err)
			return
		}
		c.Status(statusOf(code))
		s.renderAccount(c, ui.FormErrors(err, lang(c)))
		return
	}
	s.flashT(c, "account.changed")
	redirect(c, "/compte")
}

// remindersShown bounds the reminders listed at once.
const remindersShown = 50

// reminderListPage is the user's in-app reminders, newest first (the e-mail
// or SMS copy of each is delivered elsewhere).
type reminderListPage struct {
	ui.Page
	Items      []reminderRow
	Unread     int
	UnreadOnly bool
	Older      string              // the next page's address, "" on the last one
	Newest     string              // the first page's address, "" on it
	Query      string              // this page's query, which marking a reminder read keeps
	Failures   []ptacycle.Reminder // coordinators and administrators see what could not be delivered
	Process    []processFailureRow // and what a cycle could not do and went on without
}

type processFailureRow struct {
	ptacycle.ProcessFailure
	OperationLabel string
	KindLabel      string
}

type reminderRow struct {
	ptacycle.Reminder
	KindLabel string
}

func (s *Server) uiReminders(c *gin.Context) { s.renderReminders(c, "reminders") }

// renderReminders renders the reminders page, or its list alone for htmx.
func (s *Server) renderReminders(c *gin.Context, page string) {
	before, ok := s.queryInt(c, "before", 0)
	if !ok {
		return
	}
	unreadOnly := c.Query("unread") == "true"
	in, err := s.app.Account.Inbox(c.Request.Context(), as(c), app.InboxQuery{UnreadOnly: unreadOnly, BeforeID: int64(before), Limit: remindersShown + 1})
	if err != nil {
		s.fail(c, err)
		return
	}
	d := reminderListPage{Page: s.page(c, "reminders.title"), UnreadOnly: unreadOnly, Unread: in.Unread, Failures: in.Failures}
	query := func(before int64) string { return remindersQuery(before, d.UnreadOnly) }
	items := in.Reminders
	d.Query = query(int64(before))
	if before != 0 {
		d.Newest = "/relances" + query(0)
	}
	if len(items) > remindersShown {
		items = items[:remindersShown]
		d.Older = "/relances" + query(items[len(items)-1].ID)
	}
	for _, f := range in.Process {
		row := processFailureRow{ProcessFailure: f, OperationLabel: labelOr(d.Page, "reminders.op."+f.Operation, f.Operation)}
		if f.ReminderKind != "" {
			row.KindLabel = labelOr(d.Page, "reminders.kind."+f.ReminderKind, f.ReminderKind)
		}
		d.Process = append(d.Process, row)
	}
	for _, r := range items {
		d.Items = append(d.Items, reminderRow{Reminder: r, KindLabel: labelOr(d.Page, "reminders.kind."+r.Kind, r.Kind)})
	}
	s.render(c, page, d)
}

// remindersQuery is the query of a page of reminders: those older than
// reminder before (0: the newest), unread only or not.
func remindersQuery(before int64, unreadOnly bool) string {
	q := url.Values{}
	if before > 0 {
		q.Set("before", strconv.FormatInt(before, 10))
	}
	if unreadOnly {
		q.Set("unread", "true")
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// uiReadReminder marks one of the user's reminders read; htmx gets the list back.
func (s *Server) uiReadReminder(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	if err := s.app.Account.ReadReminder(c.Request.Context(), as(c), id); err != nil {
		s.fail(c, err)
		return
	}
	if isHTMX(c) {
		s.renderReminders(c, "reminders#reminder-list")
		return
	}
	s.flashT(c, "reminders.marked")
	before, _ := strconv.ParseInt(c.Query("before"), 10, 64)
	redirect(c, "/relances"+remindersQuery(before, c.Query("unread") == "true"))
}

// labelOr translates id, or gives fallback when no message has that id.
func labelOr(p ui.Page, id, fallback string) string {
	if t := p.T(id); t != id {
		return t
	}
	return fallback
}

// auditShown is the size of a page of the audit log.
const auditShown = 50

// auditEntities are the kinds of objects the audit log records, in the filter's order.
var auditEntities = []string{"cycle", "bilan", "recommendation", "recommendations", "plan", "plan_version", "action", "activity",
	"user", "unit", "region", "strategy", "approval_chain", "api_token", "organisation"}

// auditPage is a page of the audit log, newest first.
type auditPage struct {
	ui.Page
	Rows     []auditRow
	Entities []ui.Option
	Since    string
	Errors   *ui.Errors
	More     string // the next page's address, "" on the last one
	Export   string // the filtered log as a CSV file
}

type auditRow struct {
	ptacycle.AuditEntry
	ActionLabel, Object string
	Href                string
	Changes             []auditLine
}

// uiAudit lists the organisation's audit log, filtered by entity and start date, 50 at a time.
func (s *Server) uiAudit(c *gin.Context) {
	before, ok := s.queryInt(c, "before", 0)
	if !ok {
		return
	}
	d := auditPage{Page: s.page(c, "audit.title"), Since: strings.TrimSpace(c.Query("since"))}
	entity := c.Query("entity")
	d.Entities = []ui.Option{{Value: "", Label: d.T("audit.allEntities")}}
	for _, e := range auditEntities {
		d.Entities = append(d.Entities, ui.Option{Value: e, Label: labelOr(d.Page, "audit.entity."+e, e), Selected: e == entity})
	}
	f := postgres.AuditFilter{Entity: entity, Limit: auditShown, BeforeID: int64(before)}
	if d.Since != "" {
		since, err := ptacycle.ParseDate(d.Since)
		if err != nil {
			var v ptacycle.Validation
			v.Add("since", "Date %q invalide (format attendu : AAAA-MM-JJ)", "Invalid date %q (expected YYYY-MM-DD)", d.Since)
			d.Errors = ui.FormErrors(v.Err(), d.Lang)
			c.Status(statusOf(ptacycle.EINVALID))
		}
		f.Since = since.Time()
	}
	log, err := s.app.Organisation.AuditLog(c.Request.Context(), as(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	entries, text := log.Entries, auditText{p: d.Page, names: log.Names}
	export := url.Values{}
	if entity != "" {
		export.Set("entity", entity)
	}
	if d.Since != "" && d.Errors == nil {
		export.Set("since", d.Since)
	}
	d.Export = "/journal.csv"
	if len(export) > 0 {
		d.Export += "?" + export.Encode()
	}
	for _, e := range entries {
		row := auditRow{AuditEntry: e, ActionLabel: labelOr(d.Page, "audit.action."+e.Action, e.Action), Object: text.object(e)}
		for _, change := range text.changes(e) {
			row.Changes = append(row.Changes, newAuditLine(change))
		}
		if e.Entity == "activity" {
			row.Href = "/activites/" + e.EntityID
		}
		d.Rows = append(d.Rows, row)
	}
	if len(entries) == auditShown {
		q := url.Values{"before": {strconv.FormatInt(entries[len(entries)-1].ID, 10)}}
		if entity != "" {
			q.Set("entity", entity)
		}
		if d.Since != "" && d.Errors == nil {
			q.Set("since", d.Since)
		}
		d.More = "/journal?" + q.Encode()
	}
	s.render(c, "audit", d)
}

package server

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/ui"
	"github.com/ptacycle/ptacycle/workflows"
)

// validationStep is a level of the approval chain as the validation page shows it.
type validationStep struct {
	ptacycle.ApprovalLevel
	Approver      string
	Delegate      string // an active delegate's name
	DelegateUntil ptacycle.Date
	Current, Done bool
}

// validationAction is an action of the version under review with its activities, names resolved.
type validationAction struct {
	Code, Title string
	Activities  []validationActivity
}

type validationActivity struct {
	Code, Title, Unit string
	DueDate           ptacycle.Date
	BudgetXOF         int64
}

// validationChange is a difference between the version under review and the previous one.
type validationChange struct {
	Kind   string // added, removed, changed: the row's diff-<kind> class
	Label  string // the kind in words
	Entity string
	Code   string
	Title  string
	Fields []validationFieldChange
}

type validationFieldChange struct {
	Field         string // in words
	Before, After validationValue
}

// validationValue is a changed value as people read it: an amount and a day are formatted by the template.
type validationValue struct {
	Text   string
	Amount *int64
	Day    ptacycle.Date
}

// validationDecision is a decision with its version number and names.
type validationDecision struct {
	ptacycle.Decision
	Version    int
	LevelName  string
	Who        string
	OnBehalfOf string
	Verdict    string // the outcome in words
}

type validationDecisionForm struct {
	Level, Version int
	Comment        string
}

type validationDelegationForm struct {
	Level int
	To    int64
	Until string
}

// validationPage is the approval of a year's plan: the chain, the version
// under review and its changes, the decisions, and the forms of the approver whose turn it is.
type validationPage struct {
	ui.Page
	Year             int
	Stage            ptacycle.Stage
	StatusError      string
	Chain            []validationStep
	Level            int
	LevelName        string
	Deciders         []string
	Due              time.Time
	Version          *ptacycle.PlanVersion
	SubmittedBy      string
	Actions          []validationAction
	ActivityCount    int
	Previous         int
	Changes          []validationChange
	Decisions        []validationDecision
	CanDecide        bool
	Decision         validationDecisionForm
	DecisionErrors   *ui.Errors
	DelegateLevels   []ui.Option // the levels the user holds
	SoleApprover     bool        // the user holds a level and has no other approver to delegate it to
	Delegates        []ui.Option
	Delegation       validationDelegationForm
	DelegationErrors *ui.Errors
}

func (s *Server) uiValidation(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	data, err := s.validationData(c, year)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "validation", data)
}

// validationData reads the approval page of year.
func (s *Server) validationData(c *gin.Context, year int) (validationPage, error) {
	d, err := s.app.Approvals.Page(c.Request.Context(), as(c), year)
	if err != nil {
		return validationPage{}, err
	}
	data := validationPage{Page: s.page(c, "validation.title"), Year: d.Year.Year, Stage: d.Cycle.Stage, StatusError: d.StatusError,
		Level: d.Level, Due: d.Due, CanDecide: d.CanDecide}
	dir := newExecDirectory(d.Directory)
	if d.Latest != nil {
		validationVersion(&data, dir, d)
	}
	numbers := map[int64]int{}
	for _, v := range d.Versions {
		numbers[v.ID] = v.Number
	}
	for i := len(d.Decisions) - 1; i >= 0; i-- { // latest first
		dec := d.Decisions[i]
		row := validationDecision{Decision: dec, Version: numbers[dec.PlanVersionID], Who: dir.user(&dec.ApproverID), Verdict: data.T("validation.outcome." + string(dec.Outcome))}
		if dec.OnBehalfOfID != nil {
			row.OnBehalfOf = dir.user(dec.OnBehalfOfID)
		}
		if dec.Level <= len(d.Chain) {
			row.LevelName = d.Chain[dec.Level-1].Name
		}
		data.Decisions = append(data.Decisions, row)
	}
	approved := data.Version != nil && data.Version.Status == string(ptacycle.PlanApproved)
	now := time.Now()
	for _, l := range d.Chain {
		step := validationStep{ApprovalLevel: l, Approver: dir.user(&l.ApproverID), Current: l.Level == data.Level,
			Done: approved || (data.Level > 0 && l.Level < data.Level)}
		for _, del := range d.Delegations {
			if del.Level == l.Level && del.Until.After(now) {
				step.Delegate, step.DelegateUntil = dir.user(&del.To), ptacycle.DateOf(del.Until.UTC()).AddDays(-1)
			}
		}
		if step.Current {
			data.LevelName = l.Name
		}
		data.Chain = append(data.Chain, step)
	}
	for i := range d.Deciders {
		data.Deciders = append(data.Deciders, dir.user(&d.Deciders[i]))
	}
	if data.Version != nil {
		data.Decision = validationDecisionForm{Level: data.Level, Version: data.Version.Number}
	}
	if d.MayDelegate {
		var delegates []ui.Option
		for _, other := range d.Delegates {
			delegates = append(delegates, ui.Option{Value: strconv.FormatInt(other.ID, 10), Label: other.FullName})
		}
		me := currentUser(c).ID
		for _, l := range d.Chain {
			if l.ApproverID != me {
				continue
			}
			if len(delegates) == 0 {
				data.SoleApprover = true
				continue
			}
			data.DelegateLevels = append(data.DelegateLevels, ui.Option{Value: strconv.Itoa(l.Level), Label: data.T("validation.levelName", "Level", l.Level, "Name", l.Name)})
		}
		data.Delegates = append([]ui.Option{{Value: "", Label: data.T("validation.delegate.choose")}}, delegates...)
	}
	return data, nil
}

// validationVersion fills the latest version, its content and its differences with the one before.
func validationVersion(data *validationPage, dir execDirectory, d app.ValidationData) {
	v := *d.Latest
	data.Version, data.SubmittedBy = &v, dir.user(v.SubmittedBy)
	for _, a := range d.Content.Actions {
		va := validationAction{Code: a.Code, Title: a.Title}
		for _, act := range a.Activities {
			va.Activities = append(va.Activities, validationActivity{Code: act.Code, Title: act.Title, Unit: dir.unit(act.ResponsibleUnitID), DueDate: act.DueDate, BudgetXOF: act.BudgetXOF})
		}
		data.ActivityCount += len(a.Activities)
		data.Actions = append(data.Actions, va)
	}
	if v.Number < 2 {
		return
	}
	data.Previous = v.Number - 1
	axes := map[int64]string{}
	for _, a := range d.Axes {
		axes[a.ID] = a.Code + " — " + a.Title
	}
	for _, ch := range d.Changes {
		row := validationChange{Kind: ch.Kind, Label: data.T("validation.diff." + ch.Kind), Entity: data.T("validation.diff." + ch.Entity), Code: ch.Code, Title: ch.Title}
		for _, f := range ch.Fields {
			row.Fields = append(row.Fields, validationFieldChange{Field: data.T("validation.field." + f.Field),
				Before: dir.readable(f.Field, f.Before, axes), After: dir.readable(f.Field, f.After, axes)})
		}
		data.Changes = append(data.Changes, row)
	}
}

// readable turns a value of ptacycle.DiffPlans into what people read: names for ids, days, amounts.
func (d execDirectory) readable(field string, v any, axes map[int64]string) validationValue {
	if v == nil {
		return validationValue{Text: "—"}
	}
	switch x := v.(type) {
	case int64:
		switch field {
		case "responsibleUnitId":
			return validationValue{Text: d.unit(&x)}
		case "ownerId":
			return validationValue{Text: d.user(&x)}
		case "axisId":
			return validationValue{Text: axes[x]}
		case "budgetXof":
			return validationValue{Amount: &x}
		}
	case []int64:
		switch field {
		case "partnerUnitIds":
			return validationValue{Text: strings.Join(d.unitNames(x), ", ")}
		case "regionIds":
			return validationValue{Text: strings.Join(d.regionNames(x), ", ")}
		}
	case string:
		if x == "" {
			return validationValue{Text: "—"}
		}
		if field == "startDate" || field == "dueDate" {
			if day, err := ptacycle.ParseDate(x); err == nil {
				return validationValue{Day: day}
			}
		}
	}
	return validationValue{Text: fmt.Sprint(v)}
}

func (s *Server) uiDecide(c *gin.Context) {
	cc, ok := s.loadCycle(c)
	if !ok {
		return
	}
	form := validationDecisionForm{Comment: strings.TrimSpace(c.PostForm("comment"))}
	form.Level, _ = strconv.Atoi(c.PostForm("level"))
	form.Version, _ = strconv.Atoi(c.PostForm("version"))
	outcome := ptacycle.Outcome(c.PostForm("outcome"))
	u := currentUser(c)
	_, done, err := s.pageStep(c, func(a app.Actor, request string) (workflows.CycleStatus, error) {
		return s.app.Approvals.Decide(c.Request.Context(), a, cc.Year,
			app.Decision{Level: form.Level, Version: form.Version, Outcome: outcome, Comment: form.Comment}, request)
	}, fmt.Sprintf("/cycles/%d/validation", cc.Year))
	if err == nil && !done {
		return
	}
	if err != nil {
		s.validationRefused(c, cc, err, func(data *validationPage) {
			data.Decision.Comment, data.DecisionErrors = form.Comment, ui.FormErrors(err, data.Lang)
		})
		return
	}
	t := s.deps.UI.NewPage(lang(c), u, "")
	if outcome == ptacycle.OutcomeApproved {
		s.flash(c, t.T("validation.approved", "Level", form.Level, "Version", form.Version))
	} else {
		s.flash(c, t.T("validation.sentBack", "Version", form.Version))
	}
	redirect(c, fmt.Sprintf("/cycles/%d/validation", cc.Year))
}

func (s *Server) uiDelegate(c *gin.Context) {
	cc, ok := s.loadCycle(c)
	if !ok {
		return
	}
	form := validationDelegationForm{Until: strings.TrimSpace(c.PostForm("until"))}
	form.Level, _ = strconv.Atoi(c.PostForm("level"))
	form.To, _ = strconv.ParseInt(c.PostForm("to"), 10, 64)
	var v ptacycle.Validation
	until, perr := ptacycle.ParseDate(form.Until)
	if form.Until != "" && perr != nil {
		v.Add("until", "Date invalide (format attendu : AAAA-MM-JJ)", "Invalid date (expected YYYY-MM-DD)")
	}
	ctx, u := c.Request.Context(), currentUser(c)
	err := v.Err()
	if err == nil {
		var done bool
		if _, done, err = s.pageStep(c, func(a app.Actor, request string) (workflows.CycleStatus, error) {
			return s.app.Approvals.Delegate(ctx, a, cc.Year, app.Delegation{Level: form.Level, To: form.To, Until: until}, request)
		}, fmt.Sprintf("/cycles/%d/validation", cc.Year)); err == nil && !done {
			return
		}
	}
	if err != nil {
		s.validationRefused(c, cc, err, func(data *validationPage) {
			data.Delegation, data.DelegationErrors = form, ui.FormErrors(err, data.Lang)
			for i := range data.Delegates {
				data.Delegates[i].Selected = data.Delegates[i].Value == strconv.FormatInt(form.To, 10)
			}
		})
		return
	}
	to, _ := s.app.Approvals.Approver(ctx, as(c), form.To)
	t := s.deps.UI.NewPage(lang(c), u, "")
	day := until.French()
	if t.Lang == "en" {
		day = until.String()
	}
	s.flash(c, t.T("validation.delegated", "Name", to.FullName, "Until", day))
	redirect(c, fmt.Sprintf("/cycles/%d/validation", cc.Year))
}

// validationRefused shows the validation page again with a form's error, with the status its code says.
func (s *Server) validationRefused(c *gin.Context, cc app.Year, err error, show func(*validationPage)) {
	if ptacycle.ErrorCode(err) == ptacycle.EINTERNAL {
		s.fail(c, err)
		return
	}
	data, derr := s.validationData(c, cc.Year)
	if derr != nil {
		s.fail(c, derr)
		return
	}
	show(&data)
	c.Status(statusOf(ptacycle.ErrorCode(err)))
	s.render(c, "validation", data)
}

package server

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/ui"
	"github.com/ptacycle/ptacycle/workflows"
)

// The bilan and recommendations pages: the coordinator records the review of
// last year's plan and closes it, lists the recommendations and adopts them,
// then links each adopted one to the plan's actions that answer it.

// bilanView is the bilan page.
type bilanView struct {
	ui.Page
	Cycle       ptacycle.Cycle
	Status      *workflows.CycleStatus
	StatusError string
	Bilan       ptacycle.Bilan
	Gauge       float64 // the rate the gauge shows: computed and rounded, else the one entered
	Formula     ptacycle.Label
	Editable    bool
	Form        bilanForm
	Typed       *bilanForm // what the user had typed when someone else saved first
	Errors      *ui.Errors
}

// bilanForm is the workshop form as typed: lists are one item per line.
type bilanForm struct {
	WorkshopStart, WorkshopEnd, WorkshopPlace       string
	Participants, Lessons, Difficulties, Challenges string
	ManualRate                                      string
	HasManualRate                                   bool // the form offered the field (no computed rates)
	Version                                         int
}

func bilanFormOf(b ptacycle.Bilan) bilanForm {
	f := bilanForm{
		WorkshopStart: b.WorkshopStart.String(), WorkshopEnd: b.WorkshopEnd.String(), WorkshopPlace: b.WorkshopPlace,
		Participants: strings.Join(b.Participants, "\n"), Lessons: strings.Join(b.Lessons, "\n"),
		Difficulties: strings.Join(b.Difficulties, "\n"), Challenges: strings.Join(b.Challenges, "\n"),
		HasManualRate: b.Rates == nil, Version: b.Version,
	}
	if b.ManualRate != nil {
		f.ManualRate = strconv.FormatFloat(*b.ManualRate, 'f', -1, 64)
	}
	return f
}

func readBilanForm(c *gin.Context) bilanForm {
	f := bilanForm{
		WorkshopStart: strings.TrimSpace(c.PostForm("workshopStart")), WorkshopEnd: strings.TrimSpace(c.PostForm("workshopEnd")),
		WorkshopPlace: strings.TrimSpace(c.PostForm("workshopPlace")),
		Participants:  c.PostForm("participants"), Lessons: c.PostForm("lessons"),
		Difficulties: c.PostForm("difficulties"), Challenges: c.PostForm("challenges"),
	}
	f.ManualRate, f.HasManualRate = c.GetPostForm("manualRate")
	f.ManualRate = strings.TrimSpace(f.ManualRate)
	// A form without a version is one the server never served: it is treated as stale.
	f.Version, _ = strconv.Atoi(c.PostForm("version"))
	return f
}

// bilan turns the typed form into the bilan to store over stored, reporting every problem at once.
func (f bilanForm) bilan(stored ptacycle.Bilan) (ptacycle.Bilan, error) {
	b := stored
	var v ptacycle.Validation
	date := func(field, value, fr, en string) ptacycle.Date {
		if value == "" {
			return ptacycle.Date{}
		}
		d, err := ptacycle.ParseDate(value)
		if err != nil {
			v.Add(field, "%[1]s : date invalide (format attendu : AAAA-MM-JJ)", "%[2]s: invalid date (expected YYYY-MM-DD)", fr, en)
		}
		return d
	}
	b.WorkshopStart = date("workshopStart", f.WorkshopStart, "Début de l'atelier", "Workshop start")
	b.WorkshopEnd = date("workshopEnd", f.WorkshopEnd, "Fin de l'atelier", "Workshop end")
	b.WorkshopPlace = f.WorkshopPlace
	b.Participants, b.Lessons, b.Difficulties, b.Challenges = bilanLines(f.Participants), bilanLines(f.Lessons), bilanLines(f.Difficulties), bilanLines(f.Challenges)
	b.Version = f.Version
	if f.HasManualRate {
		b.ManualRate = nil
		if f.ManualRate != "" {
			rate, err := strconv.ParseFloat(strings.ReplaceAll(f.ManualRate, ",", "."), 64)
			if err != nil {
				v.Add("manualRate", "Taux d'exécution : un nombre entre 0 et 100 est attendu, reçu %q", "Execution rate: a number between 0 and 100, got %q", f.ManualRate)
			} else {
				b.ManualRate = &rate
			}
		}
	}
	// The store validates again; checking here too lists a bad date's neighbours' problems with it.
	var e *ptacycle.Error
	if errors.As(b.Validate(), &e) {
		for _, fe := range e.Fields {
			v.Add(fe.Field, "%[1]s", "%[2]s", fe.Message, fe.English)
		}
	}
	return b, v.Err()
}

// bilanLines splits a textarea into its non-empty lines.
func bilanLines(text string) []string {
	items := []string{}
	for line := range strings.Lines(text) {
		if line = strings.TrimSpace(line); line != "" {
			items = append(items, line)
		}
	}
	return items
}

func (s *Server) uiBilan(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	s.renderBilan(c, year, nil, nil)
}

// renderBilan shows the bilan page of year; after a refused change, typed is what the user sent and err why.
func (s *Server) renderBilan(c *gin.Context, year int, typed *bilanForm, err error) {
	if ptacycle.ErrorCode(err) == ptacycle.EINTERNAL {
		s.fail(c, err)
		return
	}
	d, loadErr := s.app.Cycles.BilanPage(c.Request.Context(), as(c), year)
	if loadErr != nil {
		s.fail(c, loadErr)
		return
	}
	b := d.Bilan
	v := bilanView{Page: s.page(c, "bilan.title"), Cycle: d.Cycle, Status: d.Status, StatusError: d.StatusError,
		Bilan: b, Formula: ptacycle.RateFormula, Form: bilanFormOf(b)}
	switch {
	case b.Rates != nil:
		v.Gauge = float64(b.Rates.Overall.Rounded)
	case b.ManualRate != nil:
		v.Gauge = *b.ManualRate
	}
	v.Editable = d.Cycle.Stage == ptacycle.StageBilan && b.ClosedAt == nil && v.Can(ptacycle.RoleCoordinator)
	if err != nil {
		var e *ptacycle.Error
		if errors.As(err, &e) && e.Code == ptacycle.ECONFLICT && e.Current != nil {
			// Someone saved first: the form shows what is stored now, with its version.
			v.Errors, v.Typed = &ui.Errors{Message: v.T("bilan.stale")}, typed
		} else {
			v.Errors = bilanListErrors(v.Page, err)
			if typed != nil {
				v.Form = *typed
			}
		}
		c.Status(statusOf(ptacycle.ErrorCode(err)))
	}
	s.render(c, "bilan", v)
}

// bilanListErrors is a form's errors where a list item's problem ("lessons[2]") shows next to its list.
func bilanListErrors(p ui.Page, err error) *ui.Errors {
	out := ui.FormErrors(err, p.Lang)
	var e *ptacycle.Error
	if !errors.As(err, &e) {
		return out
	}
	for _, f := range e.Fields {
		name, index, isItem := strings.Cut(f.Field, "[")
		n, convErr := strconv.Atoi(strings.TrimSuffix(index, "]"))
		if !isItem || convErr != nil || out.Fields[name] != "" {
			continue
		}
		out.Fields[name] = p.T("bilan.lineError", "Line", n+1, "Message", f.Text(p.Lang))
	}
	return out
}

func (s *Server) uiSaveBilan(c *gin.Context) {
	cc, ok := s.loadCycle(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	stored, err := s.app.Cycles.Bilan(ctx, as(c), cc.Year)
	if err != nil {
		s.fail(c, err)
		return
	}
	form := readBilanForm(c)
	b, err := form.bilan(stored)
	if err == nil {
		_, err = s.app.Cycles.SaveBilan(ctx, as(c), cc.Year, b)
	}
	if err != nil {
		s.renderBilan(c, cc.Year, &form, err)
		return
	}
	s.flashT(c, "bilan.saved")
	redirect(c, fmt.Sprintf("/cycles/%d/bilan", cc.Year))
}

func (s *Server) uiCloseBilan(c *gin.Context) {
	cc, ok := s.loadCycle(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	// The page's close button sends the workshop form: what it holds is
	// saved first. A post without the form closes what is stored.
	var form *bilanForm
	close := func(a app.Actor, request string) (workflows.CycleStatus, error) {
		return s.app.Cycles.CloseBilan(ctx, a, cc.Year, request)
	}
	if _, held := c.GetPostForm("version"); held {
		stored, err := s.app.Cycles.Bilan(ctx, as(c), cc.Year)
		if err != nil {
			s.fail(c, err)
			return
		}
		f := readBilanForm(c)
		form = &f
		typed, err := f.bilan(stored)
		if err != nil {
			s.renderBilan(c, cc.Year, form, err)
			return
		}
		close = func(a app.Actor, request string) (workflows.CycleStatus, error) {
			return s.app.Cycles.CloseBilanWith(ctx, a, cc.Year, typed, request)
		}
	}
	_, done, err := s.pageStep(c, close, fmt.Sprintf("/cycles/%d/bilan", cc.Year))
	if err != nil {
		s.renderBilan(c, cc.Year, form, err)
		return
	}
	if !done {
		return
	}
	s.flashT(c, "bilan.closedFlash", "Year", cc.Year-1)
	redirect(c, fmt.Sprintf("/cycles/%d/recommandations", cc.Year))
}

// recommendationsView is the recommendations page.
type recommendationsView struct {
	ui.Page
	Cycle       ptacycle.Cycle
	StatusError string
	Items       []recommendationItem
	Frozen      bool // the list no longer changes: adopted, or its stage is past
	CanEdit     bool // the user may add and delete recommendations
	CanAdopt    bool
	CanLink     bool
	Adopted     int
	Uncovered   int
	Form        recommendationForm
	Units       []ui.Option
	Priorities  []ui.Option
	Errors      *ui.Errors
}

// recommendationItem is a recommendation with what the page shows of it.
type recommendationItem struct {
	ptacycle.Recommendation
	Unit      string
	Answers   []ptacycle.Action // the plan's actions answering it
	Uncovered bool              // adopted, and no action answers it yet
	Actions   []ui.Option       // the link form's choices
}

// recommendationForm is the add form as typed.
type recommendationForm struct {
	Text, UnitID, Priority string
}

var recPriorities = []ptacycle.Priority{ptacycle.PriorityHigh, ptacycle.PriorityMedium, ptacycle.PriorityLow}

func (s *Server) uiRecommendations(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	s.renderRecommendations(c, year, recommendationForm{}, nil)
}

// renderRecommendations shows the recommendations page of year; after a refused change, form is what was typed and err why.
func (s *Server) renderRecommendations(c *gin.Context, year int, form recommendationForm, err error) {
	if ptacycle.ErrorCode(err) == ptacycle.EINTERNAL {
		s.fail(c, err)
		return
	}
	d, loadErr := s.app.Recommendations.Page(c.Request.Context(), as(c), year)
	if loadErr != nil {
		s.fail(c, loadErr)
		return
	}
	s.showRecommendations(c, d, form, err)
}

// showRecommendations renders the recommendations page read as d.
func (s *Server) showRecommendations(c *gin.Context, d app.RecommendationsData, form recommendationForm, err error) {
	recs, units, actions := d.Recommendations, d.Units, d.Actions
	if form.Priority == "" {
		form.Priority = string(ptacycle.PriorityMedium)
	}
	v := recommendationsView{Page: s.page(c, "recs.title"), Cycle: d.Cycle, StatusError: d.StatusError, Form: form}
	coordinator := v.Can(ptacycle.RoleCoordinator)
	unitNames := map[int64]string{}
	v.Units = []ui.Option{{Value: "", Label: v.T("recs.noUnit")}}
	for _, u := range units {
		unitNames[u.ID] = u.Name
		v.Units = append(v.Units, ui.Option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name, Selected: form.UnitID == strconv.FormatInt(u.ID, 10)})
	}
	for _, p := range recPriorities {
		v.Priorities = append(v.Priorities, ui.Option{Value: string(p), Label: v.L(p.Label()), Selected: form.Priority == string(p)})
	}
	for _, r := range recs {
		item := recommendationItem{Recommendation: r, Uncovered: r.Adopted && len(r.ActionIDs) == 0}
		if r.UnitID != nil {
			item.Unit = unitNames[*r.UnitID]
		}
		for _, a := range actions {
			answers := slices.Contains(r.ActionIDs, a.ID)
			if answers {
				item.Answers = append(item.Answers, a)
			}
			item.Actions = append(item.Actions, ui.Option{Value: strconv.FormatInt(a.ID, 10), Label: a.Code + " — " + a.Title, Selected: answers})
		}
		if r.Adopted {
			v.Adopted++
		}
		if item.Uncovered {
			v.Uncovered++
		}
		v.Items = append(v.Items, item)
	}
	stage := d.Cycle.Stage
	v.Frozen = ptacycle.RecommendationsFrozen(stage, recs)
	v.CanEdit = coordinator && !v.Frozen
	v.CanAdopt = v.CanEdit && stage == ptacycle.StageRecommendations
	v.CanLink = coordinator && stage == ptacycle.StageDrafting && len(actions) > 0
	if err != nil {
		v.Errors = ui.FormErrors(err, v.Lang)
		c.Status(statusOf(ptacycle.ErrorCode(err)))
	}
	s.render(c, "recommendations", v)
}

func (s *Server) uiAddRecommendation(c *gin.Context) {
	cc, ok := s.loadCycle(c)
	if !ok {
		return
	}
	form := recommendationForm{Text: strings.TrimSpace(c.PostForm("text")), UnitID: c.PostForm("unitId"), Priority: c.PostForm("priority")}
	r := ptacycle.Recommendation{Text: form.Text, Priority: ptacycle.Priority(form.Priority)}
	var err error
	if form.UnitID != "" {
		r.UnitID, err = recUnit(form.UnitID)
	}
	if err == nil {
		r, err = s.app.Recommendations.Create(c.Request.Context(), as(c), cc.Year, r)
	}
	if err != nil {
		s.renderRecommendations(c, cc.Year, form, err)
		return
	}
	s.flashT(c, "recs.added", "Number", r.Position)
	redirect(c, fmt.Sprintf("/cycles/%d/recommandations", cc.Year))
}

// recUnit reads a unit id sent by a form (the layer checks it is one of the organisation's).
func recUnit(raw string) (*int64, error) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err == nil && id > 0 {
		return &id, nil
	}
	var v ptacycle.Validation
	v.Add("unitId", "Structure inconnue dans l'organisation", "Unknown unit in the organisation")
	return nil, v.Err()
}

func (s *Server) uiDeleteRecommendation(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	year, err := s.app.Recommendations.Delete(c.Request.Context(), as(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.flashT(c, "recs.deleted")
	redirect(c, fmt.Sprintf("/cycles/%d/recommandations", year))
}

func (s *Server) uiAdopt(c *gin.Context) {
	cc, ok := s.loadCycle(c)
	if !ok {
		return
	}
	ids, err := recPostedIDs(c, "adopt")
	done := false
	if err == nil {
		_, done, err = s.pageStep(c, func(a app.Actor, request string) (workflows.CycleStatus, error) {
			return s.app.Cycles.Adopt(c.Request.Context(), a, cc.Year, ids, request)
		}, fmt.Sprintf("/cycles/%d/recommandations", cc.Year))
	}
	if err != nil {
		s.renderRecommendations(c, cc.Year, recommendationForm{}, err)
		return
	}
	if !done {
		return
	}
	s.flashT(c, "recs.adoptedFlash", "Count", len(ids))
	redirect(c, fmt.Sprintf("/cycles/%d/pta", cc.Year))
}

func (s *Server) uiLinkRecommendation(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	ids, err := recPostedIDs(c, "actionIds")
	year := 0
	if err == nil {
		year, err = s.app.Recommendations.Link(c.Request.Context(), as(c), id, ids)
	}
	if err != nil {
		// The page shown again is the recommendation's cycle's (else the year the form names).
		if year == 0 {
			year, _ = strconv.Atoi(c.PostForm("year"))
		}
		switch ptacycle.ErrorCode(err) {
		case ptacycle.EFORBIDDEN, ptacycle.ENOTFOUND, ptacycle.EINTERNAL:
			s.fail(c, err)
			return
		}
		d, derr := s.app.Recommendations.Page(c.Request.Context(), as(c), year)
		if derr != nil {
			s.fail(c, err) // the refusal itself, not why the page cannot be shown
			return
		}
		s.showRecommendations(c, d, recommendationForm{}, err)
		return
	}
	s.flashT(c, "recs.linked", "Count", len(ids))
	redirect(c, fmt.Sprintf("/cycles/%d/recommandations#rec-%d", year, id))
}

// recPostedIDs reads the ids a form sends under name (checkboxes, a multiple select).
func recPostedIDs(c *gin.Context, name string) ([]int64, error) {
	ids := []int64{}
	for _, raw := range c.PostFormArray(name) {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			var v ptacycle.Validation
			v.Add(name, "Identifiant %q invalide", "Invalid id %q", raw)
			return nil, v.Err()
		}
		ids = append(ids, id)
	}
	return ids, nil
}

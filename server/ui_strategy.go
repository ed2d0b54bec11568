package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/ui"
)

// strategyForm is a strategy as typed: its axes one per line.
type strategyForm struct {
	Title, StartYear, EndYear, Axes string
}

// strategyPage lists the organisation's strategies and, for those who may, the form of a new one.
type strategyPage struct {
	ui.Page
	Strategies []ptacycle.Strategy
	CanCreate  bool
	Form       strategyForm
	Errors     *ui.Errors
	AxisErrors *ui.Errors // a refused rename
}

func (s *Server) uiStrategies(c *gin.Context) { s.renderStrategies(c, strategyForm{}, nil, nil) }

func (s *Server) renderStrategies(c *gin.Context, f strategyForm, formErr, axisErr error) {
	p := strategyPage{Page: s.page(c, "strategy.title"), Form: f}
	p.CanCreate = app.Allowed(currentUser(c).Role, app.ManageStrategy)
	var err error
	if p.Strategies, err = s.app.Organisation.Strategies(c.Request.Context(), as(c)); err != nil {
		s.fail(c, err)
		return
	}
	if p.Form == (strategyForm{}) {
		year := today().Time().Year()
		if n := len(p.Strategies); n > 0 && p.Strategies[0].EndYear >= year { // the next one follows the latest
			year = p.Strategies[0].EndYear + 1
		}
		p.Form = strategyForm{StartYear: strconv.Itoa(year), EndYear: strconv.Itoa(year + 3)}
	}
	for _, e := range []struct {
		err error
		dst **ui.Errors
	}{{formErr, &p.Errors}, {axisErr, &p.AxisErrors}} {
		if e.err == nil {
			continue
		}
		var ok bool
		if *e.dst, ok = s.refusedForm(c, e.err, p.Lang); !ok {
			return
		}
	}
	s.render(c, "strategy", p)
}

// uiCreateStrategy records a strategy and its axes from the form.
func (s *Server) uiCreateStrategy(c *gin.Context) {
	f := strategyForm{Title: strings.TrimSpace(c.PostForm("title")), StartYear: strings.TrimSpace(c.PostForm("startYear")),
		EndYear: strings.TrimSpace(c.PostForm("endYear")), Axes: c.PostForm("axes")}
	st := ptacycle.Strategy{Title: f.Title, Axes: strategyAxes(f.Axes)}
	var v ptacycle.Validation
	var err error
	if st.StartYear, err = strconv.Atoi(f.StartYear); err != nil {
		v.Add("startYear", "Année de début : un nombre comme 2026", "Start year: a number such as 2026")
	}
	if st.EndYear, err = strconv.Atoi(f.EndYear); err != nil {
		v.Add("endYear", "Année de fin : un nombre comme 2029", "End year: a number such as 2029")
	}
	err = v.Err()
	if err != nil {
		// What the layer would say too, so that the form shows everything at once.
		err = ptacycle.JoinValidation(err, app.CheckStrategy(st))
	} else {
		st, err = s.app.Organisation.CreateStrategy(c.Request.Context(), as(c), st)
	}
	if err != nil {
		s.renderStrategies(c, f, err, nil)
		return
	}
	s.flashT(c, "strategy.created", "Title", st.Title, "Count", len(st.Axes))
	redirect(c, "/strategie")
}

// axisSeparators split a typed line into the axis's code and title.
var axisSeparators = []string{" — ", " – ", " - ", " : ", "\t", ": "}

// strategyAxes reads the axes typed one per line: "A1 — Prévention", "A1 : …",
// "A1 - …", or a title alone, which is numbered by its place.
func strategyAxes(text string) []ptacycle.Axis {
	var axes []ptacycle.Axis
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		a := ptacycle.Axis{Code: strconv.Itoa(len(axes) + 1), Title: line}
		for _, sep := range axisSeparators {
			if code, title, ok := strings.Cut(line, sep); ok && strings.TrimSpace(code) != "" && len(strings.TrimSpace(code)) <= 20 {
				a.Code, a.Title = strings.TrimSpace(code), strings.TrimSpace(title)
				break
			}
		}
		axes = append(axes, a)
	}
	return axes
}

// uiRenameAxis corrects an axis's title.
func (s *Server) uiRenameAxis(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	a, err := s.app.Organisation.RenameAxis(c.Request.Context(), as(c), id, c.PostForm("title"))
	if err != nil {
		s.renderStrategies(c, strategyForm{}, nil, err)
		return
	}
	s.flashT(c, "strategy.renamed", "Code", a.Code, "Title", a.Title)
	redirect(c, "/strategie")
}

// renameAxis is the API's PUT /axes/{id}.
func (s *Server) renameAxis(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	var in axisRename
	if !ok || !s.bind(c, &in) {
		return
	}
	a, err := s.app.Organisation.RenameAxis(c.Request.Context(), as(c), id, in.Title)
	s.reply(c, http.StatusOK, a, err)
}

// axisRename is the new title of an axis.
type axisRename struct {
	Title string `json:"title" api:"required"`
}

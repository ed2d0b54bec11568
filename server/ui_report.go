package server

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/ui"
	"github.com/ptacycle/ptacycle/xlsx"
)

// reportPage is the printable bilan report (A4).
type reportPage struct {
	ui.Page
	Report  ptacycle.BilanReport
	Gauge   float64
	Formula ptacycle.Label
}

// bilanReport assembles the report of the cycle under cc.
func (s *Server) bilanReport(ctx context.Context, cc app.Year) (ptacycle.BilanReport, error) {
	b, err := s.deps.DB.Bilan(ctx, cc.Org.ID, cc.Cycle.ID)
	if err != nil {
		return ptacycle.BilanReport{}, err
	}
	plan, err := s.deps.DB.Plan(ctx, cc.Org.ID, cc.Year)
	if err != nil {
		return ptacycle.BilanReport{}, err
	}
	content, err := s.deps.DB.PlanContent(ctx, cc.Org.ID, plan.ID)
	if err != nil {
		return ptacycle.BilanReport{}, err
	}
	units, err := s.deps.DB.Units(ctx, cc.Org.ID)
	r := ptacycle.NewBilanReport(cc.Org, cc.Year, b, content, units)
	r.RecommendationsFrozen = ptacycle.RecommendationsFrozen(cc.Cycle.Stage, content.Recommendations)
	return r, err
}

func (s *Server) getBilanReport(c *gin.Context) {
	cc, ok := s.loadCycle(c)
	if !ok {
		return
	}
	r, err := s.bilanReport(c.Request.Context(), cc)
	s.reply(c, http.StatusOK, r, err)
}

func (s *Server) uiBilanReport(c *gin.Context) {
	cc, ok := s.loadCycle(c)
	if !ok {
		return
	}
	r, err := s.bilanReport(c.Request.Context(), cc)
	if err != nil {
		s.fail(c, err)
		return
	}
	p := reportPage{Page: s.page(c, "report.title"), Report: r, Formula: ptacycle.RateFormula}
	p.Title = p.T("report.title", "Year", r.Bilan.ReviewedYear)
	switch {
	case r.Bilan.Rates != nil:
		p.Gauge = float64(r.Bilan.Rates.Overall.Rounded)
	case r.Bilan.ManualRate != nil:
		p.Gauge = *r.Bilan.ManualRate
	}
	s.render(c, "report", p)
}

func (s *Server) bilanReportXLSX(c *gin.Context) {
	cc, ok := s.loadCycle(c)
	if !ok {
		return
	}
	r, err := s.bilanReport(c.Request.Context(), cc)
	if err == nil {
		err = sendWorkbook(c, fmt.Sprintf("bilan-%d.xlsx", r.Bilan.ReviewedYear), func(w io.Writer) error { return xlsx.ExportBilan(w, r) })
	}
	if err != nil {
		s.fail(c, err)
	}
}

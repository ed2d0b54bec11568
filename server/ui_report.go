package server

import (
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
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

func (s *Server) getBilanReport(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	r, err := s.app.Cycles.BilanReport(c.Request.Context(), as(c), year)
	s.reply(c, http.StatusOK, r, err)
}

func (s *Server) uiBilanReport(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	r, err := s.app.Cycles.BilanReport(c.Request.Context(), as(c), year)
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
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	r, err := s.app.Cycles.BilanReport(c.Request.Context(), as(c), year)
	if err == nil {
		err = sendWorkbook(c, fmt.Sprintf("bilan-%d.xlsx", r.Bilan.ReviewedYear), func(w io.Writer) error { return xlsx.ExportBilan(w, r) })
	}
	if err != nil {
		s.fail(c, err)
	}
}

package server

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/ui"
)

// holidayRequest names a public holiday.
type holidayRequest struct {
	Name string `json:"name" api:"required"`
}

// dayParam reads the :day path parameter (YYYY-MM-DD); it answers the error itself.
func (s *Server) dayParam(c *gin.Context) (ptacycle.Date, bool) {
	day, err := ptacycle.ParseDate(c.Param("day"))
	if err != nil {
		var v ptacycle.Validation
		v.Add("day", "Date « %s » invalide (format attendu : AAAA-MM-JJ)", "Invalid date “%s” (expected YYYY-MM-DD)", c.Param("day"))
		s.fail(c, v.Err())
		return day, false
	}
	return day, true
}

// yearHolidays lists the organisation's holidays of year.
func (s *Server) yearHolidays(c *gin.Context, year int) ([]ptacycle.Holiday, error) {
	return s.app.Organisation.Holidays(c.Request.Context(), as(c), year)
}

func (s *Server) listHolidays(c *gin.Context) {
	year, ok := s.queryInt(c, "year", today().Time().Year())
	if !ok {
		return
	}
	list, err := s.yearHolidays(c, year)
	s.reply(c, http.StatusOK, list, err)
}

func (s *Server) putHoliday(c *gin.Context) {
	day, ok := s.dayParam(c)
	var in holidayRequest
	if !ok || !s.bind(c, &in) {
		return
	}
	h, err := s.app.Organisation.SetHoliday(c.Request.Context(), as(c), day, in.Name)
	s.reply(c, http.StatusOK, h, err)
}

func (s *Server) deleteHoliday(c *gin.Context) {
	day, ok := s.dayParam(c)
	if !ok {
		return
	}
	s.reply(c, http.StatusNoContent, nil, s.app.Organisation.DeleteHoliday(c.Request.Context(), as(c), day))
}

// uiSetHoliday adds (or renames) a holiday from the administration page.
func (s *Server) uiSetHoliday(c *gin.Context) {
	f := adminHolidayForm{Day: strings.TrimSpace(c.PostForm("day")), Name: strings.TrimSpace(c.PostForm("name")), Rename: c.PostForm("rename") != ""}
	day, err := ptacycle.ParseDate(f.Day)
	if err != nil {
		var v ptacycle.Validation
		v.Add("day", "Date du jour férié : choisissez un jour", "Holiday date: choose a day")
		if f.Name == "" {
			v.Require("name", "", "Nom du jour férié", "Holiday name")
		}
		err = v.Err()
	} else {
		_, err = s.app.Organisation.AddHoliday(c.Request.Context(), as(c), day, f.Name, f.Rename)
	}
	if err != nil {
		errs := ui.FormErrors(err, lang(c))
		f.Taken = !day.IsZero() && errs.For("day") != "" // a day already a holiday: the form offers to rename it
		s.adminRefused(c, err, adminForms{NewHoliday: f, HolidayErrors: errs})
		return
	}
	s.flashT(c, "admin.holiday.saved", "Name", f.Name, "Day", ui.FormatDate(day, lang(c)))
	redirect(c, "/admin#feries")
}

// uiDeleteHoliday removes a holiday from the administration page.
func (s *Server) uiDeleteHoliday(c *gin.Context) {
	day, ok := s.dayParam(c)
	if !ok {
		return
	}
	if err := s.app.Organisation.DeleteHoliday(c.Request.Context(), as(c), day); err != nil {
		s.adminRefused(c, err, adminForms{HolidayErrors: ui.FormErrors(err, lang(c))})
		return
	}
	s.flashT(c, "admin.holiday.removed", "Day", ui.FormatDate(day, lang(c)))
	redirect(c, "/admin#feries")
}

func (s *Server) getDeadlineDays(c *gin.Context) {
	d, err := s.app.Organisation.DeadlineDays(c.Request.Context(), as(c))
	s.reply(c, http.StatusOK, d, err)
}

func (s *Server) putDeadlineDays(c *gin.Context) {
	var in ptacycle.DeadlineDays
	if !s.bind(c, &in) {
		return
	}
	d, err := s.app.Organisation.SetDeadlineDays(c.Request.Context(), as(c), in)
	s.reply(c, http.StatusOK, d, err)
}

// uiSetDeadlineDays records the usual deadlines from the administration page.
func (s *Server) uiSetDeadlineDays(c *gin.Context) {
	f := adminDeadlinesForm{Bilan: strings.TrimSpace(c.PostForm("bilan")), Recommendations: strings.TrimSpace(c.PostForm("recommendations")),
		Submission: strings.TrimSpace(c.PostForm("submission"))}
	var d ptacycle.DeadlineDays
	var v ptacycle.Validation
	for _, field := range []struct {
		name, typed, french, english string
		dst                          *ptacycle.MonthDay
	}{
		{"bilan", f.Bilan, "Échéance du bilan", "Review deadline", &d.Bilan},
		{"recommendations", f.Recommendations, "Échéance des recommandations", "Recommendations deadline", &d.Recommendations},
		{"submission", f.Submission, "Échéance de soumission du PTA", "Plan submission deadline", &d.Submission},
	} {
		day, err := ptacycle.ParseMonthDay(field.typed)
		if err != nil {
			v.Add(field.name, "%[1]s : « %[3]s » n'est pas un jour ; écrivez jour/mois, par exemple 15/02", "%[2]s: “%[3]s” is not a day; write day/month, e.g. 15/02",
				field.french, field.english, field.typed)
		}
		*field.dst = day
	}
	err := v.Err()
	if err == nil {
		_, err = s.app.Organisation.SetDeadlineDays(c.Request.Context(), as(c), d)
	}
	if err != nil {
		s.adminRefused(c, err, adminForms{Deadlines: &f, DeadlineErrors: ui.FormErrors(err, lang(c))})
		return
	}
	s.flashT(c, "admin.deadlines.saved")
	redirect(c, "/admin#echeances")
}

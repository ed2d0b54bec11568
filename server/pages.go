package server

import (
	"bytes"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/ui"
)

type pageData = ui.Page

func (s *Server) page(c *gin.Context, titleID string) ui.Page {
	return s.deps.UI.NewPage(lang(c), currentUser(c), titleID)
}

// render writes a page; a template error is a bug, answered as such.
func (s *Server) render(c *gin.Context, page string, data any) {
	var buf bytes.Buffer
	if err := s.deps.UI.Render(&buf, page, data); err != nil {
		s.deps.Logger.Error("render", "page", page, "err", err)
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	status := c.Writer.Status()
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

func (s *Server) home(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	org, err := s.deps.DB.Organisation(ctx, u.OrganisationID)
	if err != nil {
		s.fail(c, err)
		return
	}
	cycles, err := s.deps.DB.Cycles(ctx, u.OrganisationID)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "home", struct {
		ui.Page
		Organisation ptacycle.Organisation
		Cycles       []ptacycle.Cycle
	}{s.page(c, "home.title"), org, cycles})
}

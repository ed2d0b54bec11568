package server

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/ui"
)

const sessionFlash = "flash"

// page builds what every page needs: language, user, organisation, the
// navigation for the user's role and the current cycle, and the flash message.
func (s *Server) page(c *gin.Context, titleID string) ui.Page {
	u := currentUser(c)
	p := s.deps.UI.NewPage(lang(c), u, titleID)
	p.Path = c.Request.URL.Path
	if u == nil {
		return p
	}
	ctx := c.Request.Context()
	layout, err := s.app.Account.Layout(ctx, app.As(u))
	if err != nil { // the page still renders, without the organisation's name and the year's entries
		s.deps.Logger.Warn("page layout not read", "err", err, "request_id", ptacycle.RequestID(ctx))
	}
	p.Organisation = layout.Organisation
	p.Flash = s.sessions.PopString(ctx, sessionFlash)
	p.Nav = s.nav(p, u, layout.Year)
	return p
}

// nav lists the pages the user's role uses, in the order of the cycle.
func (s *Server) nav(p ui.Page, u *ptacycle.User, year int) []ui.NavItem {
	type entry struct {
		href, label string
		roles       []ptacycle.Role
		needsYear   bool
	}
	coord, appr, owner, partner, admin := ptacycle.RoleCoordinator, ptacycle.RoleApprover, ptacycle.RoleOwner, ptacycle.RolePartner, ptacycle.RoleAdmin
	cy := fmt.Sprintf("/cycles/%d", year)
	entries := []entry{
		{"/", "nav.dashboard", []ptacycle.Role{coord, appr, owner, partner, admin}, false},
		{cy + "/bilan", "nav.bilan", []ptacycle.Role{coord, partner}, true},
		{cy + "/recommandations", "nav.recommendations", []ptacycle.Role{coord, partner}, true},
		{cy + "/pta", "nav.plan", []ptacycle.Role{coord, appr, partner}, true},
		{cy + "/validation", "nav.validation", []ptacycle.Role{coord, appr}, true},
		{cy + "/execution", "nav.execution", []ptacycle.Role{coord, appr, partner}, true},
		{"/mes-activites", "nav.myActivities", []ptacycle.Role{owner}, false},
		{"/relances", "nav.reminders", []ptacycle.Role{coord, appr, owner, admin}, false},
		{"/journal", "nav.audit", []ptacycle.Role{coord, admin}, false},
		{"/strategie", "nav.strategy", []ptacycle.Role{coord, admin}, false},
		{"/admin", "nav.admin", []ptacycle.Role{admin}, false},
	}
	var items []ui.NavItem
	for _, e := range entries {
		if (e.needsYear && year == 0) || !p.Can(e.roles...) {
			continue
		}
		active := p.Path == e.href || (e.href != "/" && strings.HasPrefix(p.Path, e.href))
		items = append(items, ui.NavItem{Href: e.href, Label: p.T(e.label), Active: active})
	}
	return items
}

// flash leaves a message for the next page the user sees.
func (s *Server) flash(c *gin.Context, msg string) {
	s.sessions.Put(c.Request.Context(), sessionFlash, msg)
}

// flashT leaves message id, in the user's language, for the next page they see.
func (s *Server) flashT(c *gin.Context, id string, args ...any) {
	s.flash(c, s.deps.UI.NewPage(lang(c), currentUser(c), "").T(id, args...))
}

// redirect sends the browser to path after a successful form (post/redirect/get).
func redirect(c *gin.Context, path string) {
	c.Redirect(http.StatusSeeOther, path)
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

// isHTMX reports whether the request comes from htmx, which wants a fragment.
func isHTMX(c *gin.Context) bool { return c.GetHeader("HX-Request") == "true" }

package server

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/ui"
)

const (
	sessionUser = "userID"
	sessionOrg  = "orgID"
)

type loginData struct {
	ui.Page
	Error string
	Email string
	Next  string
}

func (s *Server) loginPage(c *gin.Context) {
	if s.sessions.GetInt64(c.Request.Context(), sessionUser) != 0 {
		c.Redirect(http.StatusSeeOther, "/")
		return
	}
	s.render(c, "login", loginData{Page: s.page(c, "login.title"), Next: safeNext(c.Query("next"))})
}

// login checks the e-mail and password and opens a session; a failure says
// nothing of which of the two was wrong.
func (s *Server) login(c *gin.Context) {
	ctx := c.Request.Context()
	email, password := strings.TrimSpace(c.PostForm("email")), c.PostForm("password")
	data := loginData{Page: s.page(c, "login.title"), Email: email, Next: safeNext(c.PostForm("next"))}
	if email == "" || password == "" {
		data.Error = data.T("login.missing")
		c.Status(http.StatusUnprocessableEntity)
		s.render(c, "login", data)
		return
	}
	u, hash, err := s.deps.DB.UserByEmail(ctx, email)
	if err != nil && ptacycle.ErrorCode(err) != ptacycle.ENOTFOUND {
		s.fail(c, err)
		return
	}
	if err != nil || !u.Active || !ptacycle.CheckPassword(hash, password) {
		data.Error = data.T("login.failed")
		c.Status(http.StatusUnauthorized)
		s.render(c, "login", data)
		return
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.fail(c, err)
		return
	}
	s.sessions.Put(ctx, sessionUser, u.ID)
	s.sessions.Put(ctx, sessionOrg, u.OrganisationID)
	c.Redirect(http.StatusSeeOther, data.Next)
}

func (s *Server) logout(c *gin.Context) {
	if err := s.sessions.Destroy(c.Request.Context()); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/login")
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/"
	}
	return next
}

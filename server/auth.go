package server

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode"

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
	p := s.page(c, "login.title")
	p.Flash = s.sessions.PopString(c.Request.Context(), sessionFlash) // e.g. a password just reset
	s.render(c, "login", loginData{Page: p, Next: safeNext(c.Query("next"))})
}

// login checks the e-mail and password, within the sign-in limits, and opens
// a session; a failure says nothing of which of the two was wrong.
func (s *Server) login(c *gin.Context) {
	email, password := strings.TrimSpace(c.PostForm("email")), c.PostForm("password")
	data := loginData{Page: s.page(c, "login.title"), Email: email, Next: safeNext(c.PostForm("next"))}
	if email == "" || password == "" {
		data.Error = data.T("login.missing")
		c.Status(http.StatusUnprocessableEntity)
		s.render(c, "login", data)
		return
	}
	u, err := s.authenticate(c, email, password)
	if err == nil {
		err = s.openSession(c.Request.Context(), u)
	}
	var e *ptacycle.Error
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, data.Next)
		return
	case ptacycle.ErrorCode(err) == ptacycle.EUNAUTHORIZED:
		data.Error = data.T("login.failed")
	case errors.As(err, &e) && e.Code == ptacycle.ETOOMANY:
		data.Error = e.Text(lang(c))
	default:
		s.fail(c, err)
		return
	}
	c.Status(statusOf(ptacycle.ErrorCode(err)))
	s.render(c, "login", data)
}

func (s *Server) logout(c *gin.Context) {
	if err := s.sessions.Destroy(c.Request.Context()); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/login")
}

// safeNext keeps a post-login redirect on this site: a path starting with
// one slash, with no scheme, host, backslash, space or control character
// (browsers strip tabs and new lines before resolving, so "/\t/evil.example"
// would leave the site), neither as sent nor once its path is decoded.
func safeNext(next string) string {
	path, _, _ := strings.Cut(next, "?")
	decoded, err := url.PathUnescape(path)
	if err != nil || !onSitePath(next) || !onSitePath(decoded) {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

func onSitePath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsRune(p, '\\') {
		return false
	}
	return !strings.ContainsFunc(p, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) })
}

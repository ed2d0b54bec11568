package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
)

const (
	ctxLang = "lang"
	ctxUser = "user"
)

// requestID tags the request with an id (X-Request-ID if sent) for logs and audit entries.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !ptacycle.ValidRequestID(id) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Header("X-Request-ID", id)
	c.Request = c.Request.WithContext(ptacycle.WithRequestID(c.Request.Context(), id))
	c.Next()
}

// recover turns a panic into an internal error answer, logged with the request id.
func (s *Server) recover(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			s.fail(c, fmt.Errorf("panic: %v", v))
		}
	}()
	c.Next()
}

// language picks the language: ?lang= (remembered in a cookie), then for the
// API the Accept-Language header, then the cookie; pages are French unless
// the user chose English (here or in their profile, see page).
func (s *Server) language(c *gin.Context) {
	lang := c.Query("lang")
	cookie, _ := c.Cookie("lang")
	switch {
	case lang == "fr" || lang == "en":
		c.SetSameSite(http.SameSiteLaxMode)
		c.SetCookie("lang", lang, 365*24*3600, "/", "", s.deps.SecureCookies, true)
	case strings.HasPrefix(c.Request.URL.Path, "/api/") && c.GetHeader("Accept-Language") != "":
		lang = preferredLanguage(c.GetHeader("Accept-Language"))
	case cookie == "fr" || cookie == "en":
		lang = cookie
	default:
		lang = ""
	}
	c.Set(ctxLang, lang)
	c.Next()
}

// preferredLanguage returns "en" when the first language the browser asks for is English, else "fr".
func preferredLanguage(header string) string {
	first, _, _ := strings.Cut(header, ",")
	first = strings.ToLower(strings.TrimSpace(first))
	if strings.HasPrefix(first, "en") {
		return "en"
	}
	return "fr"
}

// lang is the request's language: the one chosen, else the signed-in user's, else French.
func lang(c *gin.Context) string {
	if l := c.GetString(ctxLang); l != "" {
		return l
	}
	if u := currentUser(c); u != nil && u.Language == "en" {
		return "en"
	}
	return "fr"
}

// requireUser loads the signed-in user, or sends the browser to the login page.
func (s *Server) requireUser(c *gin.Context) {
	orgID := s.sessions.GetInt64(c.Request.Context(), sessionOrg)
	userID := s.sessions.GetInt64(c.Request.Context(), sessionUser)
	if userID != 0 {
		u, err := s.app.Account.SessionUser(c.Request.Context(), orgID, userID)
		if err == nil {
			c.Set(ctxUser, &u)
			c.Next()
			return
		}
		if ptacycle.ErrorCode(err) != ptacycle.ENOTFOUND && err != nil {
			s.fail(c, err)
			return
		}
	}
	c.Redirect(http.StatusSeeOther, "/login?next="+c.Request.URL.Path)
	c.Abort()
}

func currentUser(c *gin.Context) *ptacycle.User {
	u, _ := c.Get(ctxUser)
	user, _ := u.(*ptacycle.User)
	return user
}

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
	if id == "" || len(id) > 64 {
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

// language picks the interface language: ?lang= (remembered in a cookie), the cookie, then Accept-Language.
func (s *Server) language(c *gin.Context) {
	lang := c.Query("lang")
	if lang == "fr" || lang == "en" {
		c.SetSameSite(http.SameSiteLaxMode)
		c.SetCookie("lang", lang, 365*24*3600, "/", "", s.deps.SecureCookies, true)
	} else if cookie, err := c.Cookie("lang"); err == nil && (cookie == "fr" || cookie == "en") {
		lang = cookie
	} else {
		lang = preferredLanguage(c.GetHeader("Accept-Language"))
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

func lang(c *gin.Context) string { return c.GetString(ctxLang) }

// requireUser loads the signed-in user, or sends the browser to the login page.
func (s *Server) requireUser(c *gin.Context) {
	orgID := s.sessions.GetInt64(c.Request.Context(), sessionOrg)
	userID := s.sessions.GetInt64(c.Request.Context(), sessionUser)
	if userID != 0 {
		u, err := s.deps.DB.User(c.Request.Context(), orgID, userID)
		if err == nil && u.Active {
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

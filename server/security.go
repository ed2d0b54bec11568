package server

import (
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
)

// contentSecurityPolicy allows only the server's own scripts, styles and
// images: no inline script or style, no eval, no plugin, no framing, forms
// posted only here. The templates hold no inline behaviour (ui/static/app.js
// has it) and htmx is configured to need neither eval nor inline styles.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Referrer policies: same-origin in general; pages under /r/ carry a one-click
// link's token in their URL, so their requests say at most which site they come
// from. strict-origin rather than no-referrer because no-referrer also turns
// the Origin of the page's own form post into "null", which browsers without
// Sec-Fetch-Site (older phones) would then see refused as cross-origin.
const (
	referrerPolicy     = "same-origin"
	linkReferrerPolicy = "strict-origin"
)

// securityHeaders sets the security headers on every response, whatever
// answers it (pages, API, static files, errors, the cross-origin refusal);
// Strict-Transport-Security only when the server is reached over TLS.
func securityHeaders(next http.Handler, tls bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
		if tokenPath(r.URL.Path) {
			h.Set("Referrer-Policy", linkReferrerPolicy)
		} else {
			h.Set("Referrer-Policy", referrerPolicy)
		}
		if tls {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// refuseUnstorableText refuses query and form values PostgreSQL cannot store
// or compare as text, a NUL character or invalid UTF-8, with a clear 422
// instead of a database error. It runs before authentication, so it reads no
// more than a page's form (maxBodyBytes, as the API's JSON) and never a
// multipart one: a route that takes files reads its form once it knows the
// sender (readFiles), every other refuses one unread.
func (s *Server) refuseUnstorableText(c *gin.Context) {
	params := c.Request.URL.Query()
	switch {
	case takesFiles(c): // its form is read, and checked, by readFiles
	case strings.HasPrefix(c.ContentType(), "multipart/"):
		s.fail(c, ptacycle.Errorf(ptacycle.EMEDIATYPE, "Formulaire en plusieurs parties refusé : cette adresse n'accepte pas de fichier",
			"Multipart form refused: this address takes no file"))
		return
	case !strings.HasPrefix(c.Request.URL.Path, "/api/"): // the API takes JSON bodies, bounded by limitBody and checked by bind
		if c.Request.ContentLength > maxBodyBytes {
			s.fail(c, tooLarge())
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes)
		if err := c.Request.ParseForm(); isTooLarge(err) { // a malformed pair is skipped, as c.Query and c.PostForm do
			s.fail(c, tooLarge())
			return
		}
		params = c.Request.Form
	}
	if s.storableValues(c, params) {
		c.Next()
	}
}

// readFiles reads the form of a route that takes files, within formMaxBytes
// (a larger one is left to its handler, which refuses it), and refuses its
// unstorable values. It comes after the route's authentication and
// permission, or a one-click link's token check: nobody unknown makes the
// server read a file.
func (s *Server) readFiles(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, formMaxBytes)
	switch {
	case strings.HasPrefix(c.ContentType(), "multipart/"):
		if c.Request.ContentLength > formMaxBytes || c.Request.ParseMultipartForm(formMaxBytes) != nil {
			c.Next() // the handler meets the error and tells it
			return
		}
	case strings.HasPrefix(c.Request.URL.Path, "/api/"): // a workbook sent as the body itself
		c.Next()
		return
	default:
		_ = c.Request.ParseForm()
	}
	if s.storableValues(c, c.Request.PostForm) {
		c.Next()
	}
}

// takesFiles reports whether the request's route is one of fileRoutes.
func takesFiles(c *gin.Context) bool { return fileRoutes[c.Request.Method+" "+c.FullPath()] }

// checkLinkToken refuses a one-click link whose token is forged or expired
// before its form is read; the handler then checks its account and activity.
func (s *Server) checkLinkToken(c *gin.Context) {
	secret, err := s.linkSecret(c.Request.Context())
	if err == nil {
		_, err = ptacycle.VerifyLink(secret, c.Param("token"), time.Now())
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Next()
}

// storableValues answers the first of params that PostgreSQL cannot store
// with a 422 naming it, and reports whether there was none.
func (s *Server) storableValues(c *gin.Context, params map[string][]string) bool {
	for name, values := range params {
		if storable(name) && !slices.ContainsFunc(values, func(v string) bool { return !storable(v) }) {
			continue
		}
		shown := strings.ToValidUTF8(strings.ReplaceAll(name, "\x00", ""), "\uFFFD")
		e := ptacycle.Errorf(ptacycle.EINVALID, "Paramètre « %s » : caractère nul ou texte qui n'est pas de l'UTF-8, refusé",
			"Parameter “%s”: a NUL character or text that is not UTF-8, refused", shown)
		e.Fields = []ptacycle.FieldError{{Field: shown, Message: e.Message, English: e.English}}
		s.fail(c, e)
		return false
	}
	return true
}

// storable reports whether PostgreSQL can hold s as text.
func storable(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// tokenPath reports whether path carries a token as good as a password: a
// one-click link's (for its activity) or a password reset's (for its account).
func tokenPath(path string) bool {
	return strings.HasPrefix(path, "/r/") || strings.HasPrefix(path, "/reinitialiser/")
}

// loggedPath is a request's path as the logs may hold it: without a token.
func loggedPath(path string) string {
	if tokenPath(path) {
		return path[:strings.Index(path[1:], "/")+2] + "…"
	}
	return path
}

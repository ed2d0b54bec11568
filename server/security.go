package server

import (
	"net/http"
	"slices"
	"strings"
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
// instead of a database error. Multipart forms (files) are read here, within
// formMaxBytes; a larger one is left to its handler, which refuses it.
func (s *Server) refuseUnstorableText(c *gin.Context) {
	params := c.Request.URL.Query()
	api, multipart := strings.HasPrefix(c.Request.URL.Path, "/api/"), strings.HasPrefix(c.ContentType(), "multipart/")
	if !api || multipart { // a page's form or a file is never larger (the API bounds its other bodies route by route)
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, formMaxBytes)
	}
	switch {
	case multipart && c.Request.ContentLength <= formMaxBytes:
		if c.Request.ParseMultipartForm(formMaxBytes) == nil { // else the handler meets the error and tells it
			params = c.Request.Form
		}
	case !api: // the API takes JSON bodies, checked by bind
		_ = c.Request.ParseForm() // a malformed pair is skipped, as c.Query and c.PostForm do
		params = c.Request.Form
	}
	for name, values := range params {
		if storable(name) && !slices.ContainsFunc(values, func(v string) bool { return !storable(v) }) {
			continue
		}
		shown := strings.ToValidUTF8(strings.ReplaceAll(name, "\x00", ""), "\uFFFD")
		e := ptacycle.Errorf(ptacycle.EINVALID, "Paramètre « %s » : caractère nul ou texte qui n'est pas de l'UTF-8, refusé",
			"Parameter “%s”: a NUL character or text that is not UTF-8, refused", shown)
		e.Fields = []ptacycle.FieldError{{Field: shown, Message: e.Message, English: e.English}}
		s.fail(c, e)
		return
	}
	c.Next()
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

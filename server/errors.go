package server

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/ui"
)

// statusOf maps an error code to its HTTP status.
func statusOf(code string) int {
	switch code {
	case ptacycle.EINVALID:
		return http.StatusUnprocessableEntity
	case ptacycle.ENOTFOUND:
		return http.StatusNotFound
	case ptacycle.ECONFLICT:
		return http.StatusConflict
	case ptacycle.EFORBIDDEN:
		return http.StatusForbidden
	case ptacycle.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case ptacycle.ETOOMANY:
		return http.StatusTooManyRequests
	case ptacycle.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case ptacycle.EMEDIATYPE:
		return http.StatusUnsupportedMediaType
	case ptacycle.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

const (
	internalFR = "Erreur interne : l'équipe technique a été informée (référence %s)"
	internalEN = "Internal error: the technical team has been told (reference %s)"
)

// fail answers err as JSON under /api/ and as an HTML page elsewhere. Errors
// without a code are bugs: logged with detail, shown as a generic message.
func (s *Server) fail(c *gin.Context, err error) {
	var e *ptacycle.Error
	if !errors.As(err, &e) || e.Code == ptacycle.EINTERNAL {
		id := ptacycle.RequestID(c.Request.Context())
		s.deps.Logger.Error("internal error", "err", err, "request_id", id, "path", loggedPath(c.Request.URL.Path))
		e = ptacycle.Errorf(ptacycle.EINTERNAL, internalFR, internalEN, id)
	}
	status := statusOf(e.Code)
	if strings.HasPrefix(c.Request.URL.Path, "/api/") {
		c.AbortWithStatusJSON(status, localized(e, lang(c)))
		return
	}
	c.Status(status)
	s.render(c, "error", struct {
		ui.Page
		Message string
	}{s.page(c, "error.title"), e.Text(lang(c))})
	c.Abort()
}

// refusedForm answers err for a page's form: an internal error fails the
// request (ok false); any other sets its status and comes back as the
// errors to show next to the fields.
func (s *Server) refusedForm(c *gin.Context, err error, lang string) (errs *ui.Errors, ok bool) {
	if ptacycle.ErrorCode(err) == ptacycle.EINTERNAL {
		s.fail(c, err)
		return nil, false
	}
	c.Status(statusOf(ptacycle.ErrorCode(err)))
	return ui.FormErrors(err, lang), true
}

// sessionUnavailable answers a request whose session could not be read or
// written, PostgreSQL being unreachable: 503, as a coded JSON error under /api/.
func sessionUnavailable(logger *slog.Logger) func(http.ResponseWriter, *http.Request, error) {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		logger.Error("session", "err", err, "path", loggedPath(r.URL.Path))
		e := ptacycle.Errorf(ptacycle.EUNAVAILABLE, "La base de données est momentanément indisponible : réessayez dans un instant",
			"The database is unavailable for now: try again in a moment")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			writeJSON(w, http.StatusServiceUnavailable, localized(e, preferredLanguage(r.Header.Get("Accept-Language"))))
			return
		}
		http.Error(w, e.Message+" / "+e.English, http.StatusServiceUnavailable)
	}
}

// localized is the JSON body of an error: {"code", "message", "fields"} in the asked language.
func localized(e *ptacycle.Error, lang string) gin.H {
	body := gin.H{"code": e.Code, "message": e.Text(lang)}
	if len(e.Fields) > 0 {
		fields := make([]gin.H, len(e.Fields))
		for i, f := range e.Fields {
			fields[i] = gin.H{"field": f.Field, "message": f.Text(lang)}
		}
		body["fields"] = fields
	}
	if e.Current != nil {
		body["current"] = e.Current
	}
	return body
}

// mapFields returns err with each field error's name passed through rename,
// so a form shows the message next to its own input.
func mapFields(err error, rename func(string) string) error {
	var e *ptacycle.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make([]ptacycle.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		f.Field = rename(f.Field)
		out.Fields[i] = f
	}
	return &out
}

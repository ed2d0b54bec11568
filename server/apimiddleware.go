package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
)

// maxBodyBytes bounds every request body; an XLSX import has its own limit.
const maxBodyBytes = 1 << 20

// apiUser authenticates an API request from its session cookie or its
// "Authorization: Bearer" personal token; without either it answers 401.
func (s *Server) apiUser(c *gin.Context) {
	ctx := c.Request.Context()
	if header := c.GetHeader("Authorization"); header != "" {
		secret, ok := strings.CutPrefix(header, "Bearer ")
		if !ok {
			s.fail(c, ptacycle.Errorf(ptacycle.EUNAUTHORIZED, "En-tête Authorization attendu : « Bearer <jeton> »", "Authorization header expected: “Bearer <token>”"))
			return
		}
		u, err := s.tokenUser(ctx, secret)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Set(ctxUser, &u)
		c.Next()
		return
	}
	if userID := s.sessions.GetInt64(ctx, sessionUser); userID != 0 {
		u, err := s.app.Account.SessionUser(ctx, s.sessions.GetInt64(ctx, sessionOrg), userID)
		if err == nil {
			c.Set(ctxUser, &u)
			c.Next()
			return
		}
		if err != nil && ptacycle.ErrorCode(err) != ptacycle.ENOTFOUND {
			s.fail(c, err)
			return
		}
	}
	s.fail(c, ptacycle.Errorf(ptacycle.EUNAUTHORIZED, "Connectez-vous pour continuer", "Sign in to continue"))
}

// authorize lets the request through only if the user's role may do act.
func (s *Server) authorize(act app.Permission) gin.HandlerFunc {
	return func(c *gin.Context) {
		u := currentUser(c)
		if u == nil || !app.Allowed(u.Role, act) {
			role := ptacycle.Label{FR: "—", EN: "—"}
			if u != nil {
				role = u.Role.Label()
			}
			s.fail(c, &ptacycle.Error{Code: ptacycle.EFORBIDDEN,
				Message: fmt.Sprintf("Votre rôle (%s) ne permet pas cette action", role.FR),
				English: fmt.Sprintf("Your role (%s) does not allow this action", role.EN)})
			return
		}
		c.Next()
	}
}

// limitBody refuses bodies over maxBodyBytes with a clear 413; an import
// and an evidence file are read within their own, larger limits.
func limitBody(c *gin.Context) {
	if takesFiles(c) {
		c.Next()
		return
	}
	if c.Request.ContentLength > maxBodyBytes {
		c.AbortWithStatusJSON(http.StatusRequestEntityTooLarge, localized(tooLarge(), lang(c)))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes)
	c.Next()
}

func tooLarge() *ptacycle.Error {
	return ptacycle.Errorf(ptacycle.ETOOLARGE, "Requête trop volumineuse (au plus %d Ko)", "Request too large (at most %d KB)", maxBodyBytes/1024)
}

// bind decodes the JSON body into v, refusing unknown fields, wrong types and
// trailing data with a message that names the field; it answers the error itself.
// A NUL character (\u0000 in JSON) is refused too: PostgreSQL cannot store it in text.
func (s *Server) bind(c *gin.Context, v any) bool {
	// JSON only as JSON: a text/plain body is what a page of another site
	// can send without a preflight, and what no client of this API means.
	if ct := c.ContentType(); ct != "application/json" {
		s.fail(c, ptacycle.Errorf(ptacycle.EMEDIATYPE, "Le corps doit être du JSON envoyé avec Content-Type: application/json (reçu : %q)",
			"The body must be JSON sent with Content-Type: application/json (received: %q)", c.GetHeader("Content-Type")))
		return false
	}
	body, err := io.ReadAll(c.Request.Body)
	if err == nil && bytes.Contains(body, []byte(`\u0000`)) {
		err = ptacycle.Errorf(ptacycle.EINVALID, "Caractère nul (\\u0000) refusé dans le JSON", "NUL character (\\u0000) refused in the JSON")
	}
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err = dec.Decode(v)
		if err == nil && dec.More() {
			err = errors.New("trailing data")
		}
	}
	if err == nil {
		err = shapeError(body, reflect.TypeOf(v).Elem(), c.Request.Method)
	}
	if err == nil {
		return true
	}
	s.fail(c, bodyError(err))
	return false
}

// bodyError explains why a JSON body was refused.
func bodyError(err error) error {
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	var coded *ptacycle.Error
	switch {
	case errors.As(err, &tooBig):
		return tooLarge()
	case errors.As(err, &coded):
		return coded
	case errors.Is(err, io.EOF):
		return ptacycle.Errorf(ptacycle.EINVALID, "Corps de requête JSON manquant", "Missing JSON request body")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return ptacycle.Errorf(ptacycle.EINVALID, "JSON mal formé : %v", "Malformed JSON: %v", err)
	case errors.As(err, &typeErr):
		e := ptacycle.Errorf(ptacycle.EINVALID, "Champ « %s » : valeur de type %s au lieu de %s", "Field “%s”: %s instead of %s",
			typeErr.Field, typeErr.Value, typeErr.Type.String())
		e.Fields = []ptacycle.FieldError{{Field: typeErr.Field, Message: e.Message, English: e.English}}
		return e
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		e := ptacycle.Errorf(ptacycle.EINVALID, "Champ inconnu « %s »", "Unknown field “%s”", field)
		e.Fields = []ptacycle.FieldError{{Field: field, Message: e.Message, English: e.English}}
		return e
	}
	return ptacycle.Errorf(ptacycle.EINVALID, "Corps de requête refusé : %v", "Request body refused: %v", err)
}

// pathID reads a positive integer path parameter; it answers the error itself.
func (s *Server) pathID(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, ptacycle.Errorf(ptacycle.EINVALID, "Identifiant « %s » invalide : %q", "Invalid “%s”: %q", name, c.Param(name)))
		return 0, false
	}
	return id, true
}

// queryInt reads an optional integer query parameter (fallback when absent); it
// answers the error itself. The store's filters compare these to integers, so
// they are bounded to PostgreSQL's integer.
func (s *Server) queryInt(c *gin.Context, name string, fallback int) (int, bool) {
	raw := c.Query(name)
	if raw == "" {
		return fallback, true
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 || n > math.MaxInt32 {
		e := ptacycle.Errorf(ptacycle.EINVALID, "Paramètre « %s » : nombre entier positif attendu (au plus %d), reçu %q",
			"Parameter “%s”: a positive integer (at most %d), got %q", name, math.MaxInt32, raw)
		e.Fields = []ptacycle.FieldError{{Field: name, Message: e.Message, English: e.English}}
		s.fail(c, e)
		return 0, false
	}
	return n, true
}

// registerAPI mounts every route of apiRoutes under /api/v1, each behind
// authentication (unless public) and its permission.
func (s *Server) registerAPI(r *gin.Engine) {
	api := r.Group("/api/v1", limitBody)
	api.GET("/openapi.yaml", s.openAPIDocument)
	for _, rt := range s.apiRoutes() {
		handlers := []gin.HandlerFunc{}
		if rt.action != app.Public {
			handlers = append(handlers, s.apiUser, s.authorize(rt.action))
		}
		if fileRoutes[rt.method+" /api/v1"+rt.path] {
			handlers = append(handlers, s.readFiles)
		}
		api.Handle(rt.method, rt.path, append(handlers, rt.handle)...)
	}
}

// notFound answers an unknown route: JSON under /api/, a page elsewhere.
func (s *Server) notFound(c *gin.Context) {
	s.fail(c, ptacycle.Errorf(ptacycle.ENOTFOUND, "Page ou route introuvable : %s %s", "No such page or route: %s %s", c.Request.Method, c.Request.URL.Path))
}

// created is the Location of a new resource.
func created(c *gin.Context, path string, args ...any) {
	c.Header("Location", "/api/v1"+fmt.Sprintf(path, args...))
}

package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// apiClient calls the real server and validates every request and response against the served OpenAPI document.
type apiClient struct {
	t      *testing.T
	base   string // the server's URL, without /api/v1
	http   *http.Client
	header http.Header
	spec   *apiSpec
}

// apiResponse is an answer, its body read.
type apiResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// apiError is an error answer; its fields match the JSON keys case-insensitively.
type apiError struct {
	Code, Message string
	Fields        []struct{ Field, Message string }
	Current       json.RawMessage
}

// newAPIClient is a client with its own cookie jar, so a session opened with POST /session sticks to it.
func newAPIClient(t *testing.T, baseURL string) *apiClient {
	t.Helper()
	return &apiClient{t: t, base: baseURL, http: browser(), header: http.Header{}, spec: servedSpec(t, baseURL)}
}

// withToken is a copy sending "Authorization: Bearer token" and no cookie, so the token alone authenticates.
func (c *apiClient) withToken(token string) *apiClient {
	cp := c.with("Authorization", "Bearer "+token)
	cp.http = browser()
	return cp
}

// withLang is a copy, sharing the session, that asks for answers in lang.
func (c *apiClient) withLang(lang string) *apiClient { return c.with("Accept-Language", lang) }

func (c *apiClient) with(header, value string) *apiClient {
	cp := *c
	cp.header = c.header.Clone()
	cp.header.Set(header, value)
	return &cp
}

// do sends body as JSON (none when nil) to path under /api/v1, e.g. "/cycles/2024?x=1";
// the request must be one the document describes.
func (c *apiClient) do(method, path string, body any) *apiResponse {
	c.t.Helper()
	if body == nil {
		return c.send(method, path, "", nil, false)
	}
	return c.send(method, path, "application/json", mustJSON(c.t, body), false)
}

// doRaw sends a request the document may not describe (a malformed body, a bad
// parameter, an unknown route); only the response is validated.
func (c *apiClient) doRaw(method, path, contentType string, body []byte) *apiResponse {
	c.t.Helper()
	return c.send(method, path, contentType, body, true)
}

func (c *apiClient) send(method, path, contentType string, body []byte, raw bool) *apiResponse {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+"/api/v1"+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header = c.header.Clone()
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req.Clone(context.Background()))
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	res := &apiResponse{Status: resp.StatusCode, Header: resp.Header}
	if res.Body, err = io.ReadAll(resp.Body); err != nil {
		c.t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	if err := c.spec.check(req, body, res, raw); err != nil {
		c.t.Errorf("OpenAPI: %v\nanswer %d: %s", err, res.Status, truncate(res.Body, 2000))
	}
	return res
}

// decode reads the body as JSON into v.
func (r *apiResponse) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("answer %d is not the JSON of %T: %v\n%s", r.Status, v, err, truncate(r.Body, 2000))
	}
}

// err reads the body as an error answer.
func (r *apiResponse) err(t *testing.T) apiError {
	t.Helper()
	var e apiError
	r.decode(t, &e)
	if e.Code == "" {
		t.Fatalf("answer %d is not an error: %s", r.Status, truncate(r.Body, 2000))
	}
	return e
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// apiSpec is the served OpenAPI document and the router that finds its operations.
type apiSpec struct {
	doc    *openapi3.T
	router routers.Router
}

// loadedSpec is fetched from the first server a test starts: every server serves the same document.
var loadedSpec struct {
	sync.Once
	spec *apiSpec
	err  error
}

func servedSpec(t *testing.T, baseURL string) *apiSpec {
	t.Helper()
	loadedSpec.Do(func() {
		resp, err := http.Get(baseURL + "/api/v1/openapi.yaml")
		if err != nil {
			loadedSpec.err = err
			return
		}
		doc, err := parseDocument(resp)
		if err != nil {
			loadedSpec.err = err
			return
		}
		router, err := gorillamux.NewRouter(doc)
		loadedSpec.spec, loadedSpec.err = &apiSpec{doc: doc, router: router}, err
	})
	if loadedSpec.err != nil {
		t.Fatalf("the OpenAPI document: %v", loadedSpec.err)
	}
	return loadedSpec.spec
}

var openAPIOptions = &openapi3filter.Options{
	AuthenticationFunc:                openapi3filter.NoopAuthenticationFunc, // the server's business
	IncludeResponseStatus:             true,
	RejectWhenRequestBodyNotSpecified: true,
	MultiError:                        true,
	SchemaValidationOptions:           []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()},
}

// check validates one exchange: the request (unless raw) against its operation,
// then the response against the operation's answers. A raw request to a route
// the document lacks must get an error answer.
func (s *apiSpec) check(req *http.Request, reqBody []byte, res *apiResponse, raw bool) error {
	ctx := context.Background()
	req = req.Clone(ctx)
	req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(reqBody)), int64(len(reqBody))
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		if !raw {
			return fmt.Errorf("%s %s: not in the document: %w", req.Method, req.URL.Path, err)
		}
		return s.checkError(req, res)
	}
	operation := route.Method + " " + route.Path
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: openAPIOptions}
	if !raw {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			return fmt.Errorf("%s: request %s: %w", operation, req.URL.RequestURI(), err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.Status, Header: res.Header, Options: openAPIOptions}
	if err := openapi3filter.ValidateResponse(ctx, out.SetBodyBytes(res.Body)); err != nil {
		return fmt.Errorf("%s: answer %d: %w", operation, res.Status, err)
	}
	if declared := route.Operation.Responses.Status(res.Status); declared != nil && len(declared.Value.Content) == 0 && len(res.Body) > 0 {
		return fmt.Errorf("%s: answer %d: a body where the document declares none", operation, res.Status)
	}
	return nil
}

// checkError validates the answer to a request no operation describes: an error.
func (s *apiSpec) checkError(req *http.Request, res *apiResponse) error {
	what := fmt.Sprintf("%s %s (no operation): answer %d", req.Method, req.URL.Path, res.Status)
	if res.Status < 400 {
		return errors.New(what + ": not an error")
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("%s: Content-Type %q, want application/json", what, ct)
	}
	var body any
	if err := json.Unmarshal(res.Body, &body); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := s.doc.Components.Schemas["Error"].Value.VisitJSON(body, openapi3.DisableSchemaErrorDetails()); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

func TestAPIClient(t *testing.T) {
	t.Parallel()
	a := mustApp(t, unreachableTemporal(t))
	c := newAPIClient(t, a.srv.URL)
	t.Run("ErrUnauthenticated", func(t *testing.T) {
		res := c.do("GET", "/me", nil)
		if e := res.err(t); res.Status != http.StatusUnauthorized || e.Code != "unauthorized" || e.Message != "Connectez-vous pour continuer" {
			t.Errorf("GET /me without a session: %d %+v", res.Status, e)
		}
		if e := c.withLang("en").do("GET", "/me", nil).err(t); e.Message != "Sign in to continue" {
			t.Errorf("in English: %+v", e)
		}
	})
	t.Run("ErrUnknownToken", func(t *testing.T) {
		res := c.withToken("pas-un-jeton").do("DELETE", "/me/tokens/1", nil)
		if e := res.err(t); res.Status != http.StatusUnauthorized || e.Code != "unauthorized" {
			t.Errorf("unknown token: %d %+v", res.Status, e)
		}
	})
	t.Run("ErrNoSuchRoute", func(t *testing.T) {
		res := c.doRaw("GET", "/nope", "", nil)
		if e := res.err(t); res.Status != http.StatusNotFound || e.Code != "not_found" {
			t.Errorf("GET /nope: %d %+v", res.Status, e)
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		res := c.doRaw("POST", "/session", "application/json", bytes.Repeat([]byte(" "), 2<<20))
		if e := res.err(t); res.Status != http.StatusRequestEntityTooLarge || e.Code != "too_large" {
			t.Errorf("2 MB body: %d %+v", res.Status, e)
		}
	})
}

// TestAPIValidation checks that the client's validation refuses exchanges the document does not describe.
func TestAPIValidation(t *testing.T) {
	t.Parallel()
	spec := servedSpec(t, mustApp(t, unreachableTemporal(t)).srv.URL)
	user := `{"id": 1, "organisationId": 1, "email": "awa@cnltp.ci", "fullName": "Awa Koné", "role": "coordinator", "language": "fr", "active": true, "notifyChannel": "email", "phone": "", "digest": false}`
	unit := `{"name": "CRLTP Nawa", "kind": "regional_cell", "regionId": 3}`
	jsonHeader := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	tests := []struct {
		name, method, path, reqBody string
		raw                         bool
		status                      int
		header                      http.Header
		body                        string
		want                        string // in the error; "" for none
	}{
		{name: "Valid", method: "GET", path: "/me", status: 200, header: jsonHeader, body: user},
		{name: "ValidPartialRequest", method: "POST", path: "/units", reqBody: unit, status: 201, header: jsonHeader,
			body: `{"id": 4, "organisationId": 1, "name": "CRLTP Nawa", "acronym": "", "kind": "regional_cell", "regionId": 3}`},
		{name: "ValidError", method: "GET", path: "/me", status: 401, header: jsonHeader, body: `{"code": "unauthorized", "message": "Connectez-vous"}`},
		{name: "ValidNoContent", method: "DELETE", path: "/session", status: 204},
		{name: "ErrUndeclaredStatus", method: "GET", path: "/me", status: 299, header: jsonHeader, body: user, want: "status is not supported"},
		{name: "ErrUnknownField", method: "GET", path: "/me", status: 200, header: jsonHeader,
			body: strings.Replace(user, `"active"`, `"extra": 1, "active"`, 1), want: `"extra"`},
		{name: "ErrMissingField", method: "GET", path: "/me", status: 200, header: jsonHeader,
			body: strings.Replace(user, `"email": "awa@cnltp.ci", `, "", 1), want: `"email"`},
		{name: "ErrWrongEnum", method: "GET", path: "/me", status: 200, header: jsonHeader,
			body: strings.Replace(user, `"coordinator"`, `"king"`, 1), want: "role"},
		{name: "ErrBadErrorBody", method: "GET", path: "/me", status: 401, header: jsonHeader, body: `{"message": "x"}`, want: `"code"`},
		{name: "ErrNotJSON", method: "GET", path: "/me", status: 401, header: http.Header{"Content-Type": {"text/plain"}}, body: "no", want: "text/plain"},
		{name: "ErrBodyOn204", method: "DELETE", path: "/session", status: 204, header: jsonHeader, body: "{}", want: "declares none"},
		{name: "ErrUndescribedRoute", method: "GET", path: "/nope", status: 404, header: jsonHeader, body: `{"code": "not_found", "message": "x"}`, want: "not in the document"},
		{name: "RawUndescribedRoute", method: "GET", path: "/nope", raw: true, status: 404, header: jsonHeader, body: `{"code": "not_found", "message": "x"}`},
		{name: "ErrRawUndescribedRouteSucceeds", method: "GET", path: "/nope", raw: true, status: 200, header: jsonHeader, body: `{}`, want: "not an error"},
		{name: "ErrPathParameter", method: "GET", path: "/activities/abc", status: 422, header: jsonHeader, body: `{"code": "invalid", "message": "x"}`, want: "id"},
		{name: "RawPathParameter", method: "GET", path: "/activities/abc", raw: true, status: 422, header: jsonHeader, body: `{"code": "invalid", "message": "x"}`},
		{name: "ErrQueryParameter", method: "GET", path: "/activities?page=deux", status: 200, header: jsonHeader, body: `{}`, want: "page"},
		{name: "ErrRequestBodyType", method: "POST", path: "/units", reqBody: `{"name": 7}`, status: 201, header: jsonHeader, body: `{}`, want: "name"},
		{name: "ErrRequestUnknownField", method: "POST", path: "/units", reqBody: `{"nom": "x"}`, status: 201, header: jsonHeader, body: `{}`, want: "nom"},
		{name: "ErrRequestBodyMissing", method: "POST", path: "/units", status: 201, header: jsonHeader, body: `{}`, want: "body"},
		{name: "ErrRequestBodyUndeclared", method: "GET", path: "/me", reqBody: `{}`, status: 200, header: jsonHeader, body: user, want: "body"},
		{name: "ErrBadDate", method: "PUT", path: "/activities/1", reqBody: `{"dueDate": "31/02/2024"}`, status: 200, header: jsonHeader, body: `{}`, want: "dueDate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, "http://127.0.0.1:1/api/v1"+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.reqBody != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			err = spec.check(req, []byte(tt.reqBody), &apiResponse{Status: tt.status, Header: tt.header, Body: []byte(tt.body)}, tt.raw)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && err == nil:
				t.Errorf("accepted, want an error about %s", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("error %q does not mention %s", err, tt.want)
			}
		})
	}
}

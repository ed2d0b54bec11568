package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
)

// fuzzServer is the access fixture's server called in process, as the demo
// coordinator: a personal token for the API, a session cookie for the pages.
type fuzzServer struct {
	handler http.Handler
	token   string
	session *http.Cookie
	fixture *accessFixture
}

func mustFuzzServer(tb testing.TB) *fuzzServer {
	tb.Helper()
	ctx := context.Background()
	f := mustAccessFixture(tb)
	coord, _, err := f.app.db.UserByEmail(ctx, demoLogins["coordinator"])
	if err != nil {
		tb.Fatal(err)
	}
	_, token, err := f.app.db.CreateToken(ctx, ptacycle.UserActor(coord), "fuzz")
	if err != nil {
		tb.Fatal(err)
	}
	s := &fuzzServer{handler: f.app.srv.Config.Handler, token: token, fixture: f}
	login := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"email": {coord.Email}, "password": {demo.Password}}.Encode()))
	login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range s.serve(login).Result().Cookies() {
		if c.Name == "ptacycle_session" {
			s.session = c
		}
	}
	if s.session == nil {
		tb.Fatal("no session cookie after signing in")
	}
	return s
}

func (s *fuzzServer) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return rec
}

// FuzzAPIJSONBody posts arbitrary bytes as the JSON body of representative
// routes of the API: every answer is a success or a refusal, never an
// internal error (a panic answers one too).
func FuzzAPIJSONBody(f *testing.F) {
	s := mustFuzzServer(f)
	fx := s.fixture
	routes := []struct{ method, path string }{
		{"POST", "/api/v1/session"},
		{"POST", "/api/v1/cycles/2024/plan/activities"},
		{"PUT", fmt.Sprintf("/api/v1/activities/%d", fx.activity.ID)},
		{"POST", "/api/v1/cycles/2024/plan/actions"},
		{"PUT", fmt.Sprintf("/api/v1/recommendations/%d/actions", fx.rec.ID)},
		{"POST", fmt.Sprintf("/api/v1/activities/%d/progress", fx.activity.ID)},
		{"POST", "/api/v1/strategies"},
		{"PUT", "/api/v1/me/preferences"},
		{"PUT", "/api/v1/cycles/2024/bilan"},
	}
	for i := range routes {
		for _, body := range []string{
			`{}`, ``, `null`, `[]`, `{"title": "x",`, `{"code": "\u0000"}`, `{"title": "` + "\xff\xfe" + `"}`,
			fmt.Sprintf(`{"actionId": %d, "code": "1.1.9", "title": "Former", "dueDate": "2024-06-30", "budgetXof": 1000}`, fx.action.ID),
			`{"actionId": 9223372036854775807, "budgetXof": 1e400, "startDate": "2024-02-30", "regionIds": [-1]}`,
			`{"version": 1, "status": "done", "progress": -5, "evidenceUrl": "javascript:alert(1)"}`,
			`{"actionIds": [1, 2, 3, 9223372036854775807]}`, `{"title": "S", "startYear": 2024, "endYear": 2025, "axes": [{"code": "1", "title": "A"}]}`,
			`{"language": "de", "notifyChannel": "pigeon", "quietFrom": 25}`, `{"version": 1, "workshopStart": "2024-02-07", "workshopEnd": "2024-02-06", "manualRate": 101}`, `{"name": "` + strings.Repeat("n", 400) + `"}`,
			strings.Repeat("[", 10000),
		} {
			f.Add(uint8(i), []byte(body))
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		r := routes[int(route)%len(routes)]
		req := httptest.NewRequest(r.method, r.path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if r.path != "/api/v1/session" {
			req.Header.Set("Authorization", "Bearer "+s.token)
		}
		if rec := s.serve(req); rec.Code == http.StatusInternalServerError {
			t.Errorf("%s %s with %q: %d %s", r.method, r.path, body, rec.Code, rec.Body)
		}
	})
}

// FuzzQueryFilters sends arbitrary query strings to the lists of the API and
// the pages that filter: every answer is a result or a refusal, never an internal error.
func FuzzQueryFilters(f *testing.F) {
	s := mustFuzzServer(f)
	targets := []string{"/api/v1/activities", "/api/v1/audit", "/api/v1/me/reminders", "/api/v1/cycles/2024/plan/diff",
		"/cycles/2024/execution", "/cycles/2024/pta", "/journal", "/mes-activites"}
	for i := range targets {
		for _, q := range []string{
			"", "year=2024&status=done&unit=1&region=2&axis=3&owner=4&partner=5&overdue=true&page=2&pageSize=10",
			"status=finie", "unit=1%20OR%201=1", "page=9223372036854775807", "pageSize=-1", "overdue=peut-etre",
			"entity=%00", "entityId=%ff", "since=2024-02-30", "since=%27%3B--", "before=99999999999999999999", "limit=0",
			"from=1&to=2", "from=0", "%zz=1&a", "unread=true", "part=problems", "axis=1&axis=2",
		} {
			f.Add(uint8(i), q)
		}
	}
	f.Fuzz(func(t *testing.T, target uint8, query string) {
		path := targets[int(target)%len(targets)]
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.URL.RawQuery = query
		if strings.HasPrefix(path, "/api/") {
			req.Header.Set("Authorization", "Bearer "+s.token)
		} else {
			req.AddCookie(s.session)
		}
		if rec := s.serve(req); rec.Code == http.StatusInternalServerError {
			t.Errorf("GET %s?%s: %d", path, query, rec.Code)
		}
	})
}

package server_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/server"
)

// accessFixture is the demo organisation with a cycle in drafting, one action
// and one activity, and a second organisation with its own coordinator.
type accessFixture struct {
	app      *app
	year     int
	activity ptacycle.Activity
	action   ptacycle.Action
	rec      ptacycle.Recommendation
	demoOrg  ptacycle.Organisation
	other    ptacycle.Organisation
}

func mustAccessFixture(t testing.TB) *accessFixture {
	t.Helper()
	return mustAccessFixtureWith(t, nil)
}

// mustAccessFixtureWith is mustAccessFixture whose server dependencies adjust changes first.
func mustAccessFixtureWith(t testing.TB, adjust func(*server.Deps)) *accessFixture {
	t.Helper()
	ctx := context.Background()
	a := mustAppWith(t, unreachableTemporal(t), adjust)
	if _, err := demo.LoadOrganisation(ctx, a.db); err != nil {
		t.Fatal(err)
	}
	o, _ := a.db.OrganisationBySlug(ctx, demo.Slug)
	actor := ptacycle.SystemActor(o.ID)
	f := &accessFixture{app: a, year: 2024, demoOrg: o, other: a.org}
	cy, err := a.db.CreateCycle(ctx, actor, ptacycle.Cycle{Year: 2024, Stage: ptacycle.StageDrafting, WorkflowID: "cycle/cnltp/2024", Deadlines: ptacycle.DefaultDeadlines(2024)})
	if err != nil {
		t.Fatal(err)
	}
	plan, _ := a.db.Plan(ctx, o.ID, 2024)
	units, _ := a.db.Units(ctx, o.ID)
	var tonkpi int64
	for _, u := range units {
		if u.Name == "CRLTP Tonkpi" {
			tonkpi = u.ID
		}
	}
	if f.action, err = a.db.CreateAction(ctx, actor, ptacycle.Action{PlanID: plan.ID, Code: "1.1", Title: "Former"}); err != nil {
		t.Fatal(err)
	}
	if f.activity, err = a.db.CreateActivity(ctx, actor, ptacycle.Activity{ActionID: f.action.ID, Code: "1.1.1", Title: "Former 50 acteurs",
		ResponsibleUnitID: &tonkpi, StartDate: ptacycle.NewDate(2024, time.March, 1), DueDate: ptacycle.NewDate(2024, time.June, 30), BudgetXOF: 1000}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.Pool.Exec(ctx, `UPDATE cycles SET stage = 'recommendations' WHERE id = $1`, cy.ID); err != nil {
		t.Fatal(err)
	}
	if f.rec, err = a.db.CreateRecommendation(ctx, actor, ptacycle.Recommendation{CycleID: cy.ID, Text: "Doter le CNLTP d'un budget"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.Pool.Exec(ctx, `UPDATE cycles SET stage = 'drafting' WHERE id = $1`, cy.ID); err != nil {
		t.Fatal(err)
	}
	hash, _ := ptacycle.HashPassword("mot-de-passe-solide")
	if _, err := a.db.CreateUser(ctx, ptacycle.SystemActor(a.org.ID), ptacycle.User{Email: "coord@autre.ci", FullName: "Coordonnateur d'ailleurs", Role: ptacycle.RoleCoordinator}, hash); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *accessFixture) signIn(t *testing.T, who string) *apiClient {
	t.Helper()
	c := newAPIClient(t, f.app.srv.URL)
	if who == "anonymous" {
		return c
	}
	login := map[string][2]string{
		"coordinator": {"coordonnateur@cnltp.demo", demo.Password},
		"approver":    {"valideur@cnltp.demo", demo.Password},
		"owner":       {"responsable.tonkpi@cnltp.demo", demo.Password},
		"partner":     {"partenaire@cnltp.demo", demo.Password},
		"admin":       {"admin@cnltp.demo", demo.Password},
		"other":       {"coord@autre.ci", "mot-de-passe-solide"},
	}[who]
	email, password := login[0], login[1]
	if res := c.do("POST", "/session", map[string]string{"email": email, "password": password}); res.Status != 200 {
		t.Fatalf("login %s: %d %s", who, res.Status, res.Body)
	}
	return c
}

// TestAccessMatrix calls every route as every role and checks who gets
// through. The expectations are written out here, not derived from the
// permission table they check; a route missing from this list fails the test.
func TestAccessMatrix(t *testing.T) {
	t.Parallel()
	const all = "coordinator approver owner partner admin"
	expect := map[string]string{
		"DELETE /session":                           all,
		"GET /me":                                   all,
		"PUT /me/password":                          all,
		"GET /me/tokens":                            all,
		"POST /me/tokens":                           all,
		"DELETE /me/tokens/{id}":                    all,
		"GET /me/reminders":                         all,
		"PUT /me/preferences":                       all,
		"GET /reminders/failures":                   "coordinator admin",
		"POST /me/reminders/{id}/read":              all,
		"GET /units":                                all,
		"POST /units":                               "admin",
		"PUT /units/{id}":                           "admin",
		"GET /regions":                              all,
		"POST /regions":                             "admin",
		"GET /holidays":                             all,
		"PUT /holidays/{day}":                       "admin",
		"DELETE /holidays/{day}":                    "admin",
		"GET /users":                                "coordinator approver admin",
		"POST /users":                               "admin",
		"PUT /users/{id}":                           "admin",
		"POST /users/{id}/invitation":               "admin",
		"GET /strategies":                           all,
		"POST /strategies":                          "coordinator admin",
		"PUT /axes/{id}":                            "coordinator admin",
		"GET /approval-chain":                       all,
		"PUT /approval-chain":                       "admin",
		"GET /default-deadlines":                    all,
		"PUT /default-deadlines":                    "admin",
		"GET /cycles":                               all,
		"POST /cycles":                              "coordinator",
		"GET /cycles/{year}":                        all,
		"GET /cycles/{year}/bilan":                  all,
		"PUT /cycles/{year}/bilan":                  "coordinator",
		"POST /cycles/{year}/bilan/close":           "coordinator",
		"GET /cycles/{year}/recommendations":        all,
		"POST /cycles/{year}/recommendations":       "coordinator",
		"PUT /recommendations/{id}":                 "coordinator",
		"DELETE /recommendations/{id}":              "coordinator",
		"PUT /recommendations/{id}/actions":         "coordinator",
		"PUT /actions/{id}":                         "coordinator",
		"DELETE /actions/{id}":                      "coordinator",
		"POST /cycles/{year}/recommendations/adopt": "coordinator",
		"GET /cycles/{year}/plan":                   all,
		"POST /cycles/{year}/plan/actions":          "coordinator",
		"POST /cycles/{year}/plan/activities":       "coordinator",
		"POST /cycles/{year}/plan/carry-over":       "coordinator",
		"POST /cycles/{year}/plan/submit":           "coordinator",
		"GET /cycles/{year}/plan/template.xlsx":     all,
		"POST /cycles/{year}/plan/import":           "coordinator",
		"GET /cycles/{year}/plan/export.xlsx":       all,
		"GET /cycles/{year}/execution.xlsx":         all,
		"GET /cycles/{year}/bilan/report":           all,
		"GET /cycles/{year}/bilan/report.xlsx":      all,
		"POST /cycles/{year}/plan/revise":           "coordinator",
		"GET /cycles/{year}/plan/versions":          all,
		"GET /cycles/{year}/plan/versions/{number}": all,
		"GET /cycles/{year}/plan/diff":              all,
		"GET /cycles/{year}/decisions":              all,
		"POST /cycles/{year}/decisions":             "approver",
		"POST /cycles/{year}/delegations":           "approver",
		"POST /cycles/{year}/close":                 "coordinator",
		"GET /process-failures":                     "coordinator admin",
		"GET /cycles/{year}/steps/{step}/{request}": all,
		"GET /activities":                           all,
		"GET /activities/{id}":                      all,
		"PUT /activities/{id}":                      "coordinator",
		"DELETE /activities/{id}":                   "coordinator",
		"POST /activities/{id}/progress":            "owner coordinator",
		"GET /activities/{id}/history":              all,
		"POST /activities/{id}/evidence":            "owner coordinator",
		"GET /evidence/{id}":                        all,
		"GET /cycles/{year}/dashboard":              all,
		"GET /audit":                                "coordinator admin",
	}
	f := mustAccessFixture(t)
	t.Run("EveryRouteListed", func(t *testing.T) {
		for _, op := range documentedOperations(t, f.app.srv.URL) {
			if _, ok := expect[op]; !ok && op != "POST /session" && op != "GET /openapi.yaml" {
				t.Errorf("route %s has no expectation in this test", op)
			}
		}
	})
	fill := strings.NewReplacer("{id}", fmt.Sprint(f.activity.ID), "{year}", fmt.Sprint(f.year), "{number}", "1")
	roles := []string{"anonymous", "coordinator", "approver", "owner", "partner", "admin"}
	clients := map[string]*apiClient{}
	for _, r := range roles {
		clients[r] = f.signIn(t, r)
	}
	ops := make([]string, 0, len(expect))
	for op := range expect {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		method, path, _ := strings.Cut(op, " ")
		if strings.HasPrefix(path, "/recommendations/") {
			path = strings.Replace(path, "{id}", fmt.Sprint(f.rec.ID), 1)
		}
		if strings.HasPrefix(path, "/actions/") {
			path = strings.Replace(path, "{id}", fmt.Sprint(f.action.ID), 1)
		}
		path = fill.Replace(path)
		if method == "DELETE" && strings.HasPrefix(path, "/activities/") {
			path += "?version=99" // a stale version: allowed roles get 409, and nothing is deleted
		}
		for _, role := range roles {
			if op == "DELETE /session" && role != "anonymous" {
				continue // signing out would end the other cases' session; tested elsewhere
			}
			res := clients[role].doRaw(method, path, "application/json", []byte("{}"))
			switch {
			case role == "anonymous":
				if res.Status != http.StatusUnauthorized {
					t.Errorf("%s as anonymous: %d, want 401", op, res.Status)
				}
			case strings.Contains(" "+expect[op]+" ", " "+role+" "):
				if res.Status == http.StatusUnauthorized || res.Status == http.StatusForbidden {
					t.Errorf("%s as %s: %d, want access (%s)", op, role, res.Status, res.Body)
				}
			default:
				if res.Status != http.StatusForbidden {
					t.Errorf("%s as %s: %d, want 403 (%s)", op, role, res.Status, res.Body)
				}
			}
		}
	}
	if _, err := f.app.db.Activity(context.Background(), f.demoOrg.ID, f.activity.ID); err != nil {
		t.Errorf("the matrix deleted or broke the activity: %v", err)
	}
}

var pathParam = regexp.MustCompile(`\{[a-zA-Z]+\}`)

// documentedOperations lists "METHOD /path" of the served OpenAPI document.
func documentedOperations(t *testing.T, base string) []string {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc := loadDocument(t, resp)
	var ops []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			ops = append(ops, method+" "+pathParam.ReplaceAllStringFunc(path, strings.ToLower))
		}
	}
	if len(ops) < 40 {
		t.Fatalf("the document lists %d operations", len(ops))
	}
	return ops
}

// TestOrganisationsAreSealed checks that a user of another organisation sees
// and changes nothing of the demo organisation, even knowing its ids.
func TestOrganisationsAreSealed(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	other := f.signIn(t, "other")
	id := fmt.Sprint(f.activity.ID)
	for _, tc := range []struct{ method, path string }{
		{"GET", "/activities/" + id},
		{"GET", "/activities/" + id + "/history"},
		{"PUT", "/activities/" + id},
		{"POST", "/activities/" + id + "/progress"},
		{"DELETE", "/activities/" + id + "?version=1"},
		{"GET", "/cycles/2024"},
		{"GET", "/cycles/2024/plan"},
		{"GET", "/cycles/2024/dashboard"},
		{"PUT", fmt.Sprintf("/recommendations/%d/actions", f.rec.ID)},
	} {
		body := []byte("{}")
		if tc.method == "PUT" && strings.HasPrefix(tc.path, "/activities/") {
			body = []byte(fmt.Sprintf(`{"actionId": %d, "code": "x", "title": "intrusion", "version": 1}`, f.action.ID))
		}
		if tc.method == "POST" { // a valid body, so that the organisation is what decides
			body = []byte(`{"version": 1, "status": "in_progress", "progress": 10}`)
		}
		if strings.HasSuffix(tc.path, "/actions") {
			body = []byte(fmt.Sprintf(`{"actionIds": [%d]}`, f.action.ID))
		}
		if res := other.doRaw(tc.method, tc.path, "application/json", body); res.Status != http.StatusNotFound {
			t.Errorf("%s %s from another organisation: %d, want 404 (%s)", tc.method, tc.path, res.Status, res.Body)
		}
	}
	var units []ptacycle.Unit
	other.do("GET", "/units", nil).decode(t, &units)
	var page struct {
		Total int `json:"total"`
	}
	other.do("GET", "/activities", nil).decode(t, &page)
	if len(units) != 0 || page.Total != 0 {
		t.Errorf("another organisation lists %d units and %d activities of the demo", len(units), page.Total)
	}
	a, _ := f.app.db.Activity(context.Background(), f.demoOrg.ID, f.activity.ID)
	if a.Title != f.activity.Title || a.Version != f.activity.Version {
		t.Errorf("the activity changed: %+v", a)
	}
}

// TestBadInput sends each kind of bad request and checks its clear 4xx, its
// message, and that the database did not change.
func TestBadInput(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	coord := f.signIn(t, "coordinator")
	ctx := context.Background()
	db := f.app.db
	snapshot := func() string {
		var s string
		err := db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM activities)::text || '/' || (SELECT count(*) FROM actions)::text || '/' ||
			(SELECT string_agg(title || budget_xof || version, ',' ORDER BY id) FROM activities) || '/' || (SELECT count(*) FROM audit_log)`).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	good := map[string]any{"actionId": f.action.ID, "code": "1.1.9", "title": "Sensibiliser à Man", "startDate": "2024-03-01", "dueDate": "2024-05-31", "budgetXof": 1000}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for key, val := range good {
			m[key] = val
		}
		m[k] = v
		return m
	}
	activityPath := fmt.Sprintf("/activities/%d", f.activity.ID)
	current := f.activity
	stale := current
	stale.Version = current.Version + 1 // not the stored version: as read before someone else's edit
	unversioned := current
	unversioned.Version = 0
	tests := []struct {
		name, method, path string
		raw                []byte
		body               any
		status             int
		field, text        string
	}{
		{name: "ErrMalformedJSON", method: "POST", path: "/cycles/2024/plan/activities", raw: []byte(`{"title": "x",`), status: 422, text: "JSON mal formé"},
		{name: "ErrNoBody", method: "POST", path: "/cycles/2024/plan/activities", raw: []byte(``), status: 422, text: "manquant"},
		{name: "ErrUnknownField", method: "POST", path: "/cycles/2024/plan/activities", body: with("budjet", 5), status: 422, field: "budjet", text: "Champ inconnu"},
		{name: "ErrWrongType", method: "POST", path: "/cycles/2024/plan/activities", body: with("budgetXof", "cent mille"), status: 422, field: "budgetXof", text: "budgetXof"},
		{name: "ErrTooLong", method: "POST", path: "/cycles/2024/plan/activities", body: with("title", strings.Repeat("é", 301)), status: 422, field: "title", text: "300 caractères au plus"},
		{name: "ErrNegativeBudget", method: "POST", path: "/cycles/2024/plan/activities", body: with("budgetXof", -5), status: 422, field: "budgetXof", text: "négatif"},
		{name: "ErrDueBeforeStart", method: "POST", path: "/cycles/2024/plan/activities", body: with("dueDate", "2024-02-01"), status: 422, field: "dueDate", text: "précède"},
		{name: "ErrBadDate", method: "POST", path: "/cycles/2024/plan/activities", body: with("dueDate", "31/02/2024"), status: 422, text: "31/02/2024"},
		{name: "ErrUnknownAction", method: "POST", path: "/cycles/2024/plan/activities", body: with("actionId", 999999), status: 422, field: "actionId", text: "n'appartient pas"},
		{name: "ErrUnknownUnit", method: "POST", path: "/cycles/2024/plan/activities", body: with("responsibleUnitId", 999999), status: 422, text: "Référence inconnue"},
		{name: "ErrDuplicateCode", method: "POST", path: "/cycles/2024/plan/activities", body: with("code", "1.1.1"), status: 409, text: "déjà ce code"},
		{name: "ErrProgressDuringDrafting", method: "POST", path: activityPath + "/progress", body: map[string]any{"version": current.Version, "status": "in_progress", "progress": 120}, status: 422, text: "entre 0 et 100"},
		{name: "ErrProgressBeforeApproval", method: "POST", path: activityPath + "/progress", body: map[string]any{"version": current.Version, "status": "in_progress", "progress": 20}, status: 409, text: "pas encore approuvé"},
		{name: "ErrStaleVersion", method: "PUT", path: activityPath, body: without(t, stale, activityServerFields...), status: 409, text: "modifié cette activité"},
		{name: "ErrMissingVersion", method: "PUT", path: activityPath, body: without(t, unversioned, activityServerFields...), status: 422, field: "version", text: "Version de l'activité manquante"},
		{name: "ErrWrongStage", method: "PUT", path: "/cycles/2024/bilan", body: map[string]any{"version": 1}, status: 409, text: "étape « Élaboration du PTA »"},
		{name: "ErrBadPathID", method: "GET", path: "/activities/abc", status: 422, text: "Identifiant"},
		{name: "ErrBadQuery", method: "GET", path: "/activities?page=-1", status: 422, field: "page", text: "entier positif"},
		{name: "ErrBadFilter", method: "GET", path: "/activities?status=finie", status: 422, text: "finie"},
		{name: "ErrOversized", method: "POST", path: "/cycles/2024/plan/activities", raw: []byte(`{"title": "` + strings.Repeat("x", 2<<20) + `"}`), status: 413, text: "trop volumineuse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot()
			var res *apiResponse
			if tt.raw != nil || tt.body == nil {
				res = coord.doRaw(tt.method, tt.path, "application/json", tt.raw)
			} else {
				res = coord.doRaw(tt.method, tt.path, "application/json", mustJSON(t, tt.body))
			}
			if res.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.Status, tt.status, res.Body)
			}
			e := res.err(t)
			if !strings.Contains(e.Message, tt.text) {
				t.Errorf("message %q does not mention %q", e.Message, tt.text)
			}
			if tt.field != "" {
				found := false
				for _, fe := range e.Fields {
					found = found || fe.Field == tt.field
				}
				if !found {
					t.Errorf("fields %+v do not name %s", e.Fields, tt.field)
				}
			}
			if after := snapshot(); after != before {
				t.Errorf("the database changed: %s → %s", before, after)
			}
		})
	}
	t.Run("EnglishWhenAsked", func(t *testing.T) {
		res := coord.withLang("en").doRaw("POST", "/cycles/2024/plan/activities", "application/json", mustJSON(t, with("budgetXof", -5)))
		if e := res.err(t); res.Status != 422 || !strings.Contains(e.Message, "cannot be negative") {
			t.Errorf("English error: %d %+v", res.Status, e)
		}
	})
}

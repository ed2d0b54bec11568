package server_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
)

// The cross-organisation matrix: a person of another organisation, with the
// role that may call each route, knows every id of the demo organisation.
// Through a path, each id answers 404 as if it did not exist; sent in a body
// while working on their own organisation's plan, each is refused. Nothing of
// either organisation changes.

// elsewhere is the fixture's other organisation, set up to work: its own
// 2024 cycle in drafting with an action, an activity, a unit, a region and a
// recommendation, and one person of each role.
type elsewhere struct {
	people                  map[ptacycle.Role]ptacycle.User
	action                  ptacycle.Action
	activity                ptacycle.Activity
	unit                    ptacycle.Unit
	rec                     ptacycle.Recommendation
	demoUnit, demoRegion    int64
	demoAxis, demoUser      int64
	demoToken, demoReminder int64
	demoOwner, demoApprover int64
}

func mustElsewhere(t *testing.T, f *accessFixture) *elsewhere {
	t.Helper()
	ctx := context.Background()
	db, actor := f.app.db, ptacycle.SystemActor(f.other.ID)
	e := &elsewhere{people: map[ptacycle.Role]ptacycle.User{}}
	var err error
	if e.unit, err = db.CreateUnit(ctx, actor, ptacycle.Unit{Name: "Direction d'ailleurs", Kind: ptacycle.UnitDirectorate}); err != nil {
		t.Fatal(err)
	}
	hash, _ := ptacycle.HashPassword("mot-de-passe-solide")
	for _, role := range []ptacycle.Role{ptacycle.RoleAdmin, ptacycle.RoleApprover, ptacycle.RoleOwner, ptacycle.RolePartner} {
		u := ptacycle.User{Email: string(role) + "@autre.ci", FullName: "Personne d'ailleurs (" + string(role) + ")", Role: role}
		if role == ptacycle.RoleOwner {
			u.UnitID = &e.unit.ID
		}
		if e.people[role], err = db.CreateUser(ctx, actor, u, hash); err != nil {
			t.Fatal(err)
		}
	}
	coord, _, err := db.UserByEmail(ctx, "coord@autre.ci")
	if err != nil {
		t.Fatal(err)
	}
	e.people[ptacycle.RoleCoordinator] = coord
	cy, err := db.CreateCycle(ctx, actor, ptacycle.Cycle{Year: 2024, Stage: ptacycle.StageRecommendations, WorkflowID: "cycle/autre-comite/2024",
		Deadlines: ptacycle.DefaultDeadlines(2024)})
	if err != nil {
		t.Fatal(err)
	}
	if e.rec, err = db.CreateRecommendation(ctx, actor, ptacycle.Recommendation{CycleID: cy.ID, Text: "Former les magistrats"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE cycles SET stage = 'drafting' WHERE id = $1`, cy.ID); err != nil {
		t.Fatal(err)
	}
	plan, err := db.Plan(ctx, f.other.ID, 2024)
	if err != nil {
		t.Fatal(err)
	}
	if e.action, err = db.CreateAction(ctx, actor, ptacycle.Action{PlanID: plan.ID, Code: "1.1", Title: "Former"}); err != nil {
		t.Fatal(err)
	}
	if e.activity, err = db.CreateActivity(ctx, actor, ptacycle.Activity{ActionID: e.action.ID, Code: "1.1.1", Title: "Former 20 magistrats",
		ResponsibleUnitID: &e.unit.ID, StartDate: ptacycle.NewDate(2024, time.March, 1), DueDate: ptacycle.NewDate(2024, time.June, 30)}); err != nil {
		t.Fatal(err)
	}

	// The demo organisation's ids, one of each kind.
	e.demoUnit = *f.activity.ResponsibleUnitID
	regions, err := db.Regions(ctx, f.demoOrg.ID)
	if err != nil || len(regions) == 0 {
		t.Fatalf("demo regions: %v", err)
	}
	e.demoRegion = regions[0].ID
	strategies, err := db.Strategies(ctx, f.demoOrg.ID)
	if err != nil || len(strategies) == 0 || len(strategies[0].Axes) == 0 {
		t.Fatalf("demo axes: %v", err)
	}
	e.demoAxis = strategies[0].Axes[0].ID
	e.demoOwner, e.demoApprover, e.demoUser = f.userOf(t, ptacycle.RoleOwner), f.approverID(t), f.userOf(t, ptacycle.RoleCoordinator)
	demoCoord, err := db.User(ctx, f.demoOrg.ID, e.demoUser)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := db.CreateToken(ctx, ptacycle.UserActor(demoCoord), "script du CNLTP")
	if err != nil {
		t.Fatal(err)
	}
	e.demoToken = token.ID
	if _, err := db.CreateReminder(ctx, f.demoOrg.ID, ptacycle.Reminder{Key: "test/crossorg", RecipientID: e.demoUser, Channel: ptacycle.ChannelInApp,
		Kind: "deadline", Subject: "Échéance", Body: "Le bilan est attendu"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM reminders WHERE key = 'test/crossorg'`).Scan(&e.demoReminder); err != nil {
		t.Fatal(err)
	}
	return e
}

// userOf is the id of the demo organisation's first active person of role.
func (f *accessFixture) userOf(t *testing.T, role ptacycle.Role) int64 {
	t.Helper()
	users, err := f.app.db.Users(context.Background(), f.demoOrg.ID, role)
	if err != nil || len(users) == 0 {
		t.Fatalf("no %s: %v", role, err)
	}
	return users[0].ID
}

// signInElsewhere is an API client signed in as the other organisation's person of role.
func (e *elsewhere) signIn(t *testing.T, f *accessFixture, role ptacycle.Role) *apiClient {
	t.Helper()
	c := newAPIClient(t, f.app.srv.URL)
	if res := c.do("POST", "/session", map[string]string{"email": e.people[role].Email, "password": "mot-de-passe-solide"}); res.Status != http.StatusOK {
		t.Fatalf("sign-in as the other organisation's %s: %d %s", role, res.Status, res.Body)
	}
	return c
}

// organisationsState is what both organisations hold, to compare before and after.
func organisationsState(t *testing.T, f *accessFixture) string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT organisation_id, count(*), COALESCE(sum(version), 0) FROM activities GROUP BY 1 ORDER BY 1`,
		`SELECT organisation_id, count(*) FROM actions GROUP BY 1 ORDER BY 1`,
		`SELECT organisation_id, count(*) FROM units GROUP BY 1 ORDER BY 1`,
		`SELECT organisation_id, count(*) FROM users GROUP BY 1 ORDER BY 1`,
		`SELECT organisation_id, count(*) FROM recommendations GROUP BY 1 ORDER BY 1`,
		`SELECT count(*) FROM recommendation_actions`,
		`SELECT count(*) FROM activity_partners`,
		`SELECT count(*) FROM activity_regions`,
		`SELECT organisation_id, count(*) FROM approval_levels GROUP BY 1 ORDER BY 1`,
		`SELECT organisation_id, count(*) FROM audit_log GROUP BY 1 ORDER BY 1`,
		`SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL`,
		`SELECT count(*) FROM reminders WHERE read_at IS NOT NULL`,
	} {
		out = append(out, rowState(t, f, q))
	}
	return strings.Join(out, "\n")
}

// TestCrossOrganisationPaths calls every documented route that takes an id
// in its path with one of the demo organisation's ids, as the other
// organisation's person of a role the route allows: 404 every time.
func TestCrossOrganisationPaths(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	e := mustElsewhere(t, f)
	// The demo's id for each route's {id}, by the path's start.
	ids := []struct{ prefix, id string }{
		{"/activities/", fmt.Sprint(f.activity.ID)},
		{"/recommendations/", fmt.Sprint(f.rec.ID)},
		{"/actions/", fmt.Sprint(f.action.ID)},
		{"/units/", fmt.Sprint(e.demoUnit)},
		{"/users/", fmt.Sprint(e.demoUser)},
		{"/axes/", fmt.Sprint(e.demoAxis)},
		{"/me/tokens/", fmt.Sprint(e.demoToken)},
		{"/me/reminders/", fmt.Sprint(e.demoReminder)},
	}
	// Routes whose path id is not one of an organisation's rows, or tested elsewhere.
	skip := map[string]string{
		"GET /evidence/{id}": "evidence_test.go downloads another organisation's file",
	}
	clients := map[ptacycle.Role]*apiClient{}
	for role := range e.people {
		clients[role] = e.signIn(t, f, role)
	}
	var docs []string
	for _, op := range documentedOperations(t, f.app.srv.URL) {
		if strings.Contains(op, "{id}") {
			docs = append(docs, op)
		}
	}
	sort.Strings(docs)
	before := organisationsState(t, f)
	tested := 0
	for _, op := range docs {
		if _, ok := skip[op]; ok {
			continue
		}
		method, path, _ := strings.Cut(op, " ")
		filled := ""
		for _, k := range ids {
			if strings.HasPrefix(path, k.prefix) {
				filled = strings.Replace(path, "{id}", k.id, 1)
			}
		}
		if filled == "" {
			t.Errorf("%s: no demo id for its path; add one to this test", op)
			continue
		}
		if method == "DELETE" && strings.HasPrefix(path, "/activities/") {
			filled += "?version=1"
		}
		// A valid body, so that the id is what decides.
		body := map[string]string{
			"PUT /axes/{id}":                    `{"title": "Prévention"}`,
			"PUT /units/{id}":                   `{"name": "Direction", "kind": "directorate"}`,
			"POST /activities/{id}/progress":    `{"version": 1, "status": "in_progress", "progress": 10}`,
			"PUT /actions/{id}":                 `{"code": "1.1", "title": "Former"}`,
			"PUT /activities/{id}":              fmt.Sprintf(`{"actionId": %d, "title": "Former", "version": 1}`, f.action.ID),
			"PUT /recommendations/{id}":         `{"text": "Former"}`,
			"PUT /recommendations/{id}/actions": fmt.Sprintf(`{"actionIds": [%d]}`, f.action.ID),
			"PUT /users/{id}":                   `{"fullName": "Awa", "role": "owner", "language": "fr", "active": true}`,
		}[op]
		if body == "" {
			body = "{}"
		}
		// The first role the route lets through (the access matrix checks who that is).
		answered := false
		for _, role := range []ptacycle.Role{ptacycle.RoleCoordinator, ptacycle.RoleAdmin, ptacycle.RoleOwner, ptacycle.RoleApprover} {
			res := clients[role].doRaw(method, filled, "application/json", []byte(body))
			if res.Status == http.StatusForbidden {
				continue
			}
			if res.Status != http.StatusNotFound {
				t.Errorf("%s %s as the other organisation's %s: %d, want 404 (%s)", method, filled, role, res.Status, truncate(res.Body, 300))
			}
			answered = true
			break
		}
		if !answered {
			t.Errorf("%s: every role of the other organisation was refused (403): the id was not tried", op)
		}
		tested++
	}
	if tested < 15 {
		t.Errorf("only %d routes with an id tested", tested)
	}
	if after := organisationsState(t, f); after != before {
		t.Errorf("the organisations changed:\nbefore: %s\nafter:  %s", before, after)
	}
}

// TestCrossOrganisationBodies sends, as the other organisation's people
// working on their own plan, requests whose bodies carry the demo
// organisation's ids: each is refused (422, or 404 for what the id names)
// and nothing of either organisation changes.
func TestCrossOrganisationBodies(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	e := mustElsewhere(t, f)
	coord, admin, approver := e.signIn(t, f, ptacycle.RoleCoordinator), e.signIn(t, f, ptacycle.RoleAdmin), e.signIn(t, f, ptacycle.RoleApprover)
	activity := func(change func(map[string]any)) map[string]any {
		body := map[string]any{"actionId": e.action.ID, "code": "1.1.9", "title": "Sensibiliser (illustratif)",
			"responsibleUnitId": e.unit.ID, "startDate": "2024-03-01", "dueDate": "2024-06-30", "budgetXof": 1000}
		change(body)
		return body
	}
	edited := func(change func(map[string]any)) map[string]any {
		body := activity(change)
		body["code"], body["version"] = e.activity.Code, e.activity.Version
		return body
	}
	cases := []struct {
		name, field  string
		c            *apiClient
		method, path string
		body         any
	}{
		{"an activity under the demo's action", "actionId", coord, "POST", "/cycles/2024/plan/activities",
			activity(func(b map[string]any) { b["actionId"] = f.action.ID })},
		{"an activity of the demo's unit", "responsibleUnitId", coord, "POST", "/cycles/2024/plan/activities",
			activity(func(b map[string]any) { b["responsibleUnitId"] = e.demoUnit })},
		{"an activity owned by the demo's owner", "ownerId", coord, "POST", "/cycles/2024/plan/activities",
			activity(func(b map[string]any) { b["ownerId"] = e.demoOwner })},
		{"an activity with the demo's partner unit", "partnerUnitIds", coord, "POST", "/cycles/2024/plan/activities",
			activity(func(b map[string]any) { b["partnerUnitIds"] = []int64{e.demoUnit} })},
		{"an activity in the demo's region", "regionIds", coord, "POST", "/cycles/2024/plan/activities",
			activity(func(b map[string]any) { b["regionIds"] = []int64{e.demoRegion} })},
		{"an edited activity moved under the demo's action", "actionId", coord, "PUT", fmt.Sprintf("/activities/%d", e.activity.ID),
			edited(func(b map[string]any) { b["actionId"] = f.action.ID })},
		{"an edited activity given the demo's unit", "responsibleUnitId", coord, "PUT", fmt.Sprintf("/activities/%d", e.activity.ID),
			edited(func(b map[string]any) { b["responsibleUnitId"] = e.demoUnit })},
		{"an action under the demo's axis", "axisId", coord, "POST", "/cycles/2024/plan/actions",
			map[string]any{"code": "1.2", "title": "Poursuivre", "axisId": e.demoAxis}},
		{"an edited action under the demo's axis", "axisId", coord, "PUT", fmt.Sprintf("/actions/%d", e.action.ID),
			map[string]any{"code": "1.1", "title": "Former", "axisId": e.demoAxis}},
		{"carrying over the demo's activity", "activityIds", coord, "POST", "/cycles/2024/plan/carry-over",
			map[string]any{"activityIds": []int64{f.activity.ID}}},
		{"a recommendation linked to the demo's action", "actionIds", coord, "PUT", fmt.Sprintf("/recommendations/%d/actions", e.rec.ID),
			map[string]any{"actionIds": []int64{f.action.ID}}},
		{"a delegation to the demo's approver", "to", approver, "POST", "/cycles/2024/delegations",
			map[string]any{"level": 1, "to": e.demoApprover, "until": "2024-12-31"}},
		{"a chain naming the demo's approver", "approverId", admin, "PUT", "/approval-chain",
			[]map[string]any{{"level": 1, "name": "Ministère", "approverId": e.demoApprover, "deadlineDays": 10}}},
		{"a person in the demo's unit", "unitId", admin, "POST", "/users",
			map[string]any{"email": "intrus@autre.ci", "fullName": "Intrus", "role": "owner", "unitId": e.demoUnit, "password": "mot-de-passe-solide"}},
		{"a unit under the demo's unit", "parentId", admin, "POST", "/units",
			map[string]any{"name": "Sous-direction", "kind": "directorate", "parentId": e.demoUnit}},
		{"a unit in the demo's region", "regionId", admin, "POST", "/units",
			map[string]any{"name": "Cellule régionale", "kind": "regional_cell", "regionId": e.demoRegion}},
		{"an edited unit moved into the demo's region", "regionId", admin, "PUT", fmt.Sprintf("/units/%d", e.unit.ID),
			map[string]any{"name": e.unit.Name, "kind": "directorate", "regionId": e.demoRegion}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := organisationsState(t, f)
			res := tc.c.doRaw(tc.method, tc.path, "application/json", mustJSON(t, tc.body))
			if res.Status != http.StatusUnprocessableEntity && res.Status != http.StatusNotFound {
				t.Fatalf("%s %s with the demo's %s: %d, want 422 or 404 (%s)", tc.method, tc.path, tc.field, res.Status, truncate(res.Body, 300))
			}
			if after := organisationsState(t, f); after != before {
				t.Errorf("the organisations changed:\nbefore: %s\nafter:  %s", before, after)
			}
		})
	}
}

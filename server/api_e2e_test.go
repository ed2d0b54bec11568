package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/internal/stacktest"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/server"
	"github.com/ptacycle/ptacycle/workflows"
)

// realStack is the whole product in the test process: PostgreSQL, an
// in-process Temporal server, the worker and the HTTP server, with the demo
// organisation loaded.
type realStack struct {
	db  *postgres.DB
	srv *httptest.Server
	org ptacycle.Organisation
	tc  client.Client
}

func mustRealStack(t *testing.T) *realStack { t.Helper(); return mustRealStackWith(t, stackOptions{}) }

// stackOptions change the real stack for a test: how long a step waits for
// its end, and activities registered over the worker's own (by name).
type stackOptions struct {
	stepWait   time.Duration
	activities map[string]any
}

func mustRealStackWith(t *testing.T, opts stackOptions) *realStack {
	t.Helper()
	ctx := context.Background()
	st := stacktest.Start(t, stacktest.Options{Over: opts.activities, HTTP: true,
		Adjust: func(d *server.Deps) { d.StepWait = opts.stepWait }})
	if _, err := demo.LoadOrganisation(ctx, st.DB); err != nil {
		t.Fatal(err)
	}
	o, err := st.DB.OrganisationBySlug(ctx, demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	return &realStack{db: st.DB, srv: st.HTTP, org: o, tc: st.Temporal}
}

// as returns an API client signed in as email.
func (r *realStack) as(t *testing.T, email, password string) *apiClient {
	t.Helper()
	c := newAPIClient(t, r.srv.URL)
	res := c.do("POST", "/session", map[string]string{"email": email, "password": password})
	if res.Status != http.StatusOK {
		t.Fatalf("login %s: %d %s", email, res.Status, res.Body)
	}
	return c
}

// want checks a response's status, showing its body when it differs.
func want(t *testing.T, res *apiResponse, status int, what string) *apiResponse {
	t.Helper()
	if res.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, res.Status, status, res.Body)
	}
	return res
}

// TestAPIYear drives a whole year through the HTTP API on the real stack:
// each role signs in and does its part; every request and response is checked
// against the OpenAPI document by the client.
func TestAPIYear(t *testing.T) {
	t.Parallel()
	r := mustRealStack(t)
	year := time.Now().Year()
	cycle := fmt.Sprintf("/cycles/%d", year)
	admin := r.as(t, "admin@cnltp.demo", demo.Password)
	coord := r.as(t, "coordonnateur@cnltp.demo", demo.Password)
	ministry := r.as(t, "valideur@cnltp.demo", demo.Password)
	owner := r.as(t, "responsable.tonkpi@cnltp.demo", demo.Password)
	partner := r.as(t, "partenaire@cnltp.demo", demo.Password)

	// The administrator sets a two-level chain: the committee's plenary, then the ministry.
	var plenaryUser, deputyUser, ministryUser ptacycle.User
	want(t, admin.do("POST", "/users", map[string]any{"email": "pleniere@cnltp.demo", "fullName": "Président de la plénière",
		"role": "approver", "password": "mot-de-passe-solide"}), 201, "create plenary").decode(t, &plenaryUser)
	want(t, admin.do("POST", "/users", map[string]any{"email": "adjoint@cnltp.demo", "fullName": "Adjoint au ministère",
		"role": "approver", "password": "mot-de-passe-solide"}), 201, "create deputy").decode(t, &deputyUser)
	want(t, ministry.do("GET", "/me", nil), 200, "me").decode(t, &ministryUser)
	want(t, admin.do("PUT", "/approval-chain", []map[string]any{
		{"level": 1, "name": "Plénière du comité", "approverId": plenaryUser.ID, "deadlineDays": 10},
		{"level": 2, "name": "Ministère", "approverId": ministryUser.ID, "deadlineDays": 10},
	}), 200, "approval chain")
	plenary := r.as(t, "pleniere@cnltp.demo", "mot-de-passe-solide")
	deputy := r.as(t, "adjoint@cnltp.demo", "mot-de-passe-solide")

	// Bilan.
	var launched struct {
		Cycle  ptacycle.Cycle         `json:"cycle"`
		Status *workflows.CycleStatus `json:"status"`
	}
	want(t, coord.do("POST", "/cycles", map[string]any{"year": year}), 201, "launch").decode(t, &launched)
	if launched.Cycle.Stage != ptacycle.StageBilan || launched.Status == nil || launched.Status.Pending == nil {
		t.Fatalf("launched = %+v", launched)
	}
	if res := coord.do("POST", "/cycles", map[string]any{"year": year}); res.Status != 409 || !strings.Contains(res.err(t).Message, "déjà été lancé") {
		t.Errorf("second launch: %d %s", res.Status, res.Body)
	}
	var bilan ptacycle.Bilan
	want(t, coord.do("GET", cycle+"/bilan", nil), 200, "bilan").decode(t, &bilan)
	bilan.WorkshopStart, bilan.WorkshopEnd = ptacycle.NewDate(year, time.February, 6), ptacycle.NewDate(year, time.February, 7)
	bilan.WorkshopPlace = "Grand-Bassam"
	bilan.Lessons = []string{"Les cellules régionales relaient les campagnes"}
	want(t, coord.do("PUT", cycle+"/bilan", without(t, bilan, bilanServerFields...)), 200, "bilan workshop").decode(t, &bilan)
	if bilan.WorkshopPlace != "Grand-Bassam" || bilan.Version != 2 {
		t.Errorf("bilan after edit = %+v", bilan)
	}
	want(t, coord.do("POST", cycle+"/bilan/close", nil), 200, "close bilan")

	// Recommendations.
	var recIDs []int64
	for _, text := range []string{
		"Répartir les ressources humaines du CNLTP selon le volume des activités",
		"Impliquer la société civile pour renforcer le signalement des cas",
		"Doter le CNLTP d'un budget de fonctionnement",
	} {
		var rec ptacycle.Recommendation
		want(t, coord.do("POST", cycle+"/recommendations", map[string]any{"text": text, "priority": "high"}), 201, "recommendation").decode(t, &rec)
		recIDs = append(recIDs, rec.ID)
	}
	var status workflows.CycleStatus
	want(t, coord.do("POST", cycle+"/recommendations/adopt", map[string]any{"recommendationIds": recIDs}), 200, "adopt").decode(t, &status)
	if status.Stage != ptacycle.StageDrafting {
		t.Fatalf("after adoption: %s", status.Stage)
	}

	// Drafting: two actions, three activities, the recommendations answered.
	units := map[string]int64{}
	var unitList []ptacycle.Unit
	want(t, coord.do("GET", "/units", nil), 200, "units").decode(t, &unitList)
	for _, u := range unitList {
		units[u.Name] = u.ID
	}
	var a1, a2 ptacycle.Action
	want(t, coord.do("POST", cycle+"/plan/actions", map[string]any{"code": "1.1", "title": "Renforcer les capacités de la chaîne pénale"}), 201, "action").decode(t, &a1)
	want(t, coord.do("POST", cycle+"/plan/actions", map[string]any{"code": "2.1", "title": "Sensibiliser les communautés"}), 201, "action").decode(t, &a2)
	var acts []ptacycle.Activity
	for i, spec := range []struct {
		action ptacycle.Action
		unit   string
	}{{a1, "CRLTP Tonkpi"}, {a2, "CRLTP Tonkpi"}, {a2, "CRLTP Nawa"}} {
		var a ptacycle.Activity
		body := map[string]any{"actionId": spec.action.ID, "code": fmt.Sprintf("%s.%d", spec.action.Code, i+1),
			"title": fmt.Sprintf("Activité %d (illustrative)", i+1), "responsibleUnitId": units[spec.unit],
			"startDate": fmt.Sprintf("%d-02-01", year), "dueDate": fmt.Sprintf("%d-06-30", year), "budgetXof": 2500000}
		if i == 0 {
			body["partnerUnitIds"] = []int64{units["CRLTP Nawa"]} // Nawa's cell lends a hand to Tonkpi's training
		}
		want(t, coord.do("POST", cycle+"/plan/activities", body), 201, "activity").decode(t, &a)
		acts = append(acts, a)
	}
	var plan struct {
		Problems []ptacycle.FieldError `json:"problems"`
	}
	want(t, coord.do("GET", cycle+"/plan", nil), 200, "plan").decode(t, &plan)
	if len(plan.Problems) != 3 {
		t.Errorf("problems before linking = %v, want the three unanswered recommendations", plan.Problems)
	}
	if res := coord.do("POST", cycle+"/plan/submit", nil); res.Status != 422 || len(res.err(t).Fields) != 3 {
		t.Errorf("submission with unanswered recommendations: %d %s", res.Status, res.Body)
	}
	for i, id := range recIDs {
		action := a1.ID
		if i == 1 {
			action = a2.ID
		}
		want(t, coord.do("PUT", fmt.Sprintf("/recommendations/%d/actions", id), map[string]any{"actionIds": []int64{action}}), 204, "link")
	}
	want(t, coord.do("POST", cycle+"/plan/submit", nil), 200, "submit v1").decode(t, &status)
	if status.Stage != ptacycle.StageValidation || status.Version != 1 || status.Level != 1 {
		t.Fatalf("after submission: %+v", status)
	}

	// Validation: the plenary sends back, the coordinator fixes, v2 goes through both levels with a delegate.
	if res := ministry.do("POST", cycle+"/decisions", map[string]any{"level": 2, "version": 1, "outcome": "approved"}); res.Status != 409 {
		t.Errorf("ministry deciding before the plenary: %d %s", res.Status, res.Body)
	}
	if res := coord.do("POST", cycle+"/decisions", map[string]any{"level": 1, "version": 1, "outcome": "approved"}); res.Status != 403 {
		t.Errorf("coordinator deciding: %d", res.Status)
	}
	if res := plenary.do("POST", cycle+"/decisions", map[string]any{"level": 1, "version": 1, "outcome": "sent_back"}); res.Status != 422 || !strings.Contains(res.err(t).Message, "commentaire") {
		t.Errorf("send-back without comment: %d %s", res.Status, res.Body)
	}
	want(t, plenary.do("POST", cycle+"/decisions", map[string]any{"level": 1, "version": 1, "outcome": "sent_back",
		"comment": "Préciser la cible de l'activité 2.1.2"}), 200, "send back")
	edit := acts[1]
	edit.Target = "500 leaders communautaires"
	want(t, coord.do("PUT", fmt.Sprintf("/activities/%d", edit.ID), without(t, edit, activityServerFields...)), 200, "fix").decode(t, &edit)
	if res := coord.do("PUT", fmt.Sprintf("/activities/%d", edit.ID), without(t, acts[1], activityServerFields...)); res.Status != 409 || !strings.Contains(res.err(t).Message, "modifié cette activité") {
		t.Errorf("stale edit: %d %s", res.Status, res.Body)
	}
	want(t, coord.do("POST", cycle+"/plan/submit", nil), 200, "submit v2").decode(t, &status)
	var changes []ptacycle.PlanChange
	want(t, ministry.do("GET", cycle+"/plan/diff?from=1&to=2", nil), 200, "diff").decode(t, &changes)
	if len(changes) != 1 || changes[0].Code != edit.Code || changes[0].Fields[0].Field != "target" {
		t.Errorf("diff v1→v2 = %+v", changes)
	}
	want(t, plenary.do("POST", cycle+"/decisions", map[string]any{"level": 1, "version": 2, "outcome": "approved"}), 200, "plenary approves")
	want(t, ministry.do("POST", cycle+"/delegations", map[string]any{"level": 2, "to": deputyUser.ID, "until": fmt.Sprintf("%d-12-31", year)}), 200, "delegate")
	want(t, deputy.do("POST", cycle+"/decisions", map[string]any{"level": 2, "version": 2, "outcome": "approved", "comment": "Par délégation"}), 200, "deputy approves").decode(t, &status)
	if status.Stage != ptacycle.StageExecution {
		t.Fatalf("after the last approval: %+v", status)
	}
	var decisions []ptacycle.Decision
	want(t, partner.do("GET", cycle+"/decisions", nil), 200, "decisions").decode(t, &decisions)
	if len(decisions) != 3 || decisions[2].OnBehalfOfID == nil || *decisions[2].OnBehalfOfID != ministryUser.ID {
		t.Errorf("decisions = %+v", decisions)
	}

	// Execution: the Tonkpi owner reports on Tonkpi's activities only.
	nawa := acts[2]
	if res := owner.do("POST", fmt.Sprintf("/activities/%d/progress", nawa.ID), map[string]any{"version": nawa.Version, "status": "done"}); res.Status != 403 {
		t.Errorf("owner reporting on another unit's activity: %d", res.Status)
	}
	// The dashboard read once before the report: the server's cache of it must not hide the report.
	var before struct {
		Rates ptacycle.RateBreakdown `json:"rates"`
	}
	want(t, partner.do("GET", cycle+"/dashboard", nil), 200, "dashboard before").decode(t, &before)
	if before.Rates.Overall.Done != 0 {
		t.Errorf("dashboard before any report: %+v", before.Rates.Overall)
	}
	var done ptacycle.Activity
	current := acts[0]
	want(t, owner.do("POST", fmt.Sprintf("/activities/%d/progress", current.ID), map[string]any{"version": current.Version, "status": "done",
		"comment": "50 acteurs formés à Man", "evidenceUrl": "https://exemple.ci/rapport.pdf"}), 200, "progress").decode(t, &done)
	if done.Status != ptacycle.StatusDone || done.Progress != 100 {
		t.Errorf("after progress: %+v", done)
	}
	var history []ptacycle.ActivityUpdate
	want(t, coord.do("GET", fmt.Sprintf("/activities/%d/history", current.ID), nil), 200, "history").decode(t, &history)
	if len(history) != 1 || history[0].StatusAfter != ptacycle.StatusDone {
		t.Errorf("history = %+v", history)
	}
	var dash struct {
		Rates   ptacycle.RateBreakdown `json:"rates"`
		Formula ptacycle.Label         `json:"formula"`
	}
	want(t, partner.do("GET", cycle+"/dashboard", nil), 200, "dashboard").decode(t, &dash)
	if dash.Rates.Overall.Done != 1 || dash.Rates.Overall.Planned != 3 || dash.Rates.Overall.Rounded != 33 || !strings.Contains(dash.Formula.FR, "réalisées") {
		t.Errorf("dashboard = %+v", dash)
	}
	var page struct {
		Items []ptacycle.Activity `json:"items"`
		Total int                 `json:"total"`
	}
	want(t, owner.do("GET", fmt.Sprintf("/activities?year=%d&unit=%d&status=not_started", year, units["CRLTP Tonkpi"]), nil), 200, "filter").decode(t, &page)
	if page.Total != 1 || page.Items[0].ID != acts[1].ID {
		t.Errorf("filtered activities = %+v", page)
	}
	want(t, partner.do("GET", fmt.Sprintf("/activities?year=%d&partner=%d", year, units["CRLTP Nawa"]), nil), 200, "partner filter").decode(t, &page)
	if page.Total != 1 || page.Items[0].ID != acts[0].ID {
		t.Errorf("activities Nawa is a partner of = %+v", page)
	}

	// The coordinator was told of the year's steps in the application (the
	// send-back at least): the workflow writes those notices by its own
	// activities, so they are awaited, a minute at most for a loaded machine.
	var reminders struct {
		Items  []ptacycle.Reminder `json:"items"`
		Unread int                 `json:"unread"`
	}
	stacktest.Eventually(t, time.Minute, "the coordinator's in-app notices", func() bool {
		want(t, coord.do("GET", "/me/reminders", nil), 200, "reminders").decode(t, &reminders)
		return len(reminders.Items) > 0
	})
	if reminders.Unread != len(reminders.Items) {
		t.Errorf("coordinator reminders = %+v", reminders)
	} else {
		want(t, coord.do("POST", fmt.Sprintf("/me/reminders/%d/read", reminders.Items[0].ID), nil), 204, "read reminder")
	}

	// Closing: refused while activities are open, then accepted.
	if res := coord.do("POST", cycle+"/close", nil); res.Status != 409 || !strings.Contains(res.err(t).Message, "2 activité(s)") {
		t.Errorf("early close: %d %s", res.Status, res.Body)
	}
	for _, a := range acts[1:] {
		var cur ptacycle.Activity
		want(t, coord.do("GET", fmt.Sprintf("/activities/%d", a.ID), nil), 200, "activity").decode(t, &cur)
		want(t, coord.do("POST", fmt.Sprintf("/activities/%d/progress", a.ID), map[string]any{"version": cur.Version, "status": "cancelled",
			"comment": "Reportée au PTA suivant"}), 200, "cancel")
	}
	want(t, coord.do("POST", cycle+"/close", nil), 200, "close").decode(t, &status)
	if status.Stage != ptacycle.StageClosed {
		t.Errorf("after closing: %s", status.Stage)
	}
	var audit []ptacycle.AuditEntry
	want(t, coord.do("GET", "/audit?entity=activity&limit=500", nil), 200, "audit").decode(t, &audit)
	if len(audit) != 7 { // 3 creations, 1 edit, 3 progress reports
		t.Errorf("%d activity entries in the audit log", len(audit))
	}
	if res := owner.do("GET", "/audit", nil); res.Status != 403 {
		t.Errorf("owner reading the audit log: %d", res.Status)
	}
}

// Fields the server sets, which a request body may not carry (their api tag
// is server, or create for an edit).
var (
	activityServerFields = []string{"id", "planId", "illustrative", "status", "progress", "comment", "evidenceUrl", "postponedTo", "carriedOverFrom", "updatedAt"}
	bilanServerFields    = []string{"cycleId", "reviewedYear", "rates", "closedAt"}
)

// without is v as JSON, less the keys named: what a client sends back of what it read.
func without(t *testing.T, v any, keys ...string) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		delete(m, k)
	}
	return m
}

// refusesServerFields sends body as it is, fields the server sets included,
// and checks that the answer is 422 naming each of fields.
func refusesServerFields(t *testing.T, c *apiClient, method, path string, body map[string]any, fields ...string) {
	t.Helper()
	res := c.doRaw(method, path, "application/json", mustJSON(t, body))
	if res.Status != http.StatusUnprocessableEntity {
		t.Errorf("%s %s with %v: %d, want 422: %s", method, path, fields, res.Status, res.Body)
		return
	}
	for _, f := range fields {
		if !strings.Contains(string(res.Body), `"field":"`+f+`"`) {
			t.Errorf("%s %s: the refusal does not name %s: %s", method, path, f, res.Body)
		}
	}
}

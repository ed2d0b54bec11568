package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

// Payloads stored in every text field: a script element, and an attribute
// break-out that opens an image with an event handler.
const (
	xssScript = `<script>alert(1)</script>`
	xssImage  = `"><img src=x onerror=alert(1)>`
	xssBoth   = xssScript + xssImage
)

// xssFound reports whether body holds a payload as markup, and whether it holds it escaped.
func xssFound(body string) (raw, escaped bool) {
	raw = strings.Contains(body, "<script>alert(1)") || strings.Contains(body, "<img src=x onerror")
	escaped = strings.Contains(body, "&lt;script&gt;alert(1)") || strings.Contains(body, "&lt;img src=x onerror")
	return raw, escaped
}

// xssCheck fetches path with c and checks the payloads are on the page, escaped, and never as markup.
func xssCheck(t *testing.T, c *http.Client, base, path string, wantStatus int) {
	t.Helper()
	status, body := get(t, c, base+path)
	if status != wantStatus {
		t.Errorf("%s: status %d, want %d\n%s", path, status, wantStatus, execExcerpt(body))
	}
	raw, escaped := xssFound(body)
	if raw {
		i := max(strings.Index(body, "<script>alert(1)"), strings.Index(body, "<img src=x onerror"))
		t.Errorf("%s renders a payload as markup: …%s…", path, body[max(i-200, 0):min(i+100, len(body))])
	}
	if !escaped {
		t.Errorf("%s shows no payload: the check proves nothing there", path)
	}
}

// TestStoredTextIsEscaped stores the payloads in every text a user enters,
// through the API and the store, then opens every page as the roles that see
// it: each shows the text, and none lets it become markup.
func TestStoredTextIsEscaped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := mustAccessFixture(t)
	db, base, org := f.app.db, f.app.srv.URL, f.demoOrg.ID
	system := ptacycle.SystemActor(org)
	exec := func(query string, args ...any) {
		t.Helper()
		if _, err := db.Pool.Exec(ctx, query, args...); err != nil {
			t.Fatal(err)
		}
	}
	// Texts entered outside the product's forms: the organisation (ptacycle org add) and the strategy.
	exec(`UPDATE organisations SET name = 'Comité ' || $2, acronym = $3 WHERE id = $1`, org, xssBoth, xssScript)
	exec(`UPDATE strategies SET title = title || $2 WHERE organisation_id = $1`, org, xssBoth)
	exec(`UPDATE axes SET title = title || $2 WHERE strategy_id IN (SELECT id FROM strategies WHERE organisation_id = $1)`, org, xssBoth)
	if err := db.SetHoliday(ctx, system, ptacycle.NewDate(time.Now().Year(), time.June, 16), "Tabaski "+xssBoth); err != nil {
		t.Fatal(err)
	}

	admin := f.signIn(t, "admin")
	var region ptacycle.Region
	want(t, admin.do("POST", "/regions", map[string]any{"name": "Région " + xssBoth}), 201, "region").decode(t, &region)
	var unit ptacycle.Unit
	want(t, admin.do("POST", "/units", map[string]any{"name": "Association " + xssBoth, "acronym": xssScript, "kind": "ngo"}), 201, "unit").decode(t, &unit)
	tonkpi := *f.activity.ResponsibleUnitID
	var owner ptacycle.User
	want(t, admin.do("POST", "/users", map[string]any{"email": "xss@cnltp.demo", "fullName": "Responsable " + xssBoth, "role": "owner",
		"unitId": tonkpi, "password": "mot-de-passe-solide"}), 201, "owner").decode(t, &owner)
	coordUser, _, _ := db.UserByEmail(ctx, demoLogins["coordinator"])
	want(t, admin.do("PUT", fmt.Sprintf("/users/%d", coordUser.ID), map[string]any{"fullName": "Coordonnatrice " + xssBoth, "role": "coordinator", "language": "fr", "active": true}), 200, "rename")

	coordAPI := f.signIn(t, "coordinator")
	var strategies []ptacycle.Strategy
	want(t, coordAPI.do("GET", "/strategies", nil), 200, "strategies").decode(t, &strategies)
	axis := strategies[0].Axes[0].ID
	var action ptacycle.Action
	// An action's code takes no markup (no space, letters and digits); one stored before that rule still reads as text.
	want(t, coordAPI.do("POST", "/cycles/2024/plan/actions", map[string]any{"code": xssImage, "title": "Action " + xssBoth, "axisId": axis}), 422, "action coded with markup")
	want(t, coordAPI.do("POST", "/cycles/2024/plan/actions", map[string]any{"code": "9.1", "title": "Action " + xssBoth, "axisId": axis}), 201, "action").decode(t, &action)
	exec(`UPDATE actions SET code = $2 WHERE id = $1`, action.ID, xssImage)
	action.Code = xssImage
	var activity ptacycle.Activity
	want(t, coordAPI.do("POST", "/cycles/2024/plan/activities", map[string]any{"actionId": action.ID, "code": xssScript, "title": "Activité " + xssBoth,
		"responsibleUnitId": tonkpi, "ownerId": owner.ID, "partnerUnitIds": []int64{unit.ID}, "regionIds": []int64{region.ID},
		"startDate": "2024-03-01", "dueDate": "2024-06-30", "budgetXof": 1000, "fundingSource": "Fonds " + xssBoth, "indicator": "Indicateur " + xssBoth,
		"target": "Cible " + xssBoth, "deliverable": "Livrable " + xssBoth}), 201, "activity").decode(t, &activity)

	cy := mustCycle(t, db, org, 2024)
	exec(`UPDATE cycles SET stage = 'recommendations' WHERE id = $1`, cy.ID)
	rec, err := db.CreateRecommendation(ctx, system, ptacycle.Recommendation{CycleID: cy.ID, Text: "Recommandation " + xssBoth, UnitID: &unit.ID})
	if err != nil {
		t.Fatal(err)
	}
	exec(`UPDATE cycles SET stage = 'drafting' WHERE id = $1`, cy.ID)
	if err := db.LinkRecommendation(ctx, system, rec.ID, []int64{action.ID}); err != nil {
		t.Fatal(err)
	}
	bilan, err := db.Bilan(ctx, org, cy.ID)
	if err != nil {
		t.Fatal(err)
	}
	bilan.WorkshopPlace = "Grand-Bassam " + xssBoth
	bilan.Participants, bilan.Lessons, bilan.Difficulties, bilan.Challenges = []string{xssBoth}, []string{xssBoth}, []string{xssBoth}, []string{xssBoth}
	if _, err := db.UpdateBilan(ctx, system, bilan); err != nil {
		t.Fatal(err)
	}

	coord := signInAs(t, base, "coordinator")
	t.Run("Drafting", func(t *testing.T) {
		for _, path := range []string{"/cycles/2024/pta", fmt.Sprintf("/activites/%d/modifier", activity.ID), "/cycles/2024/pta/activites/nouvelle",
			"/cycles/2024/bilan", "/cycles/2024/recommandations"} {
			xssCheck(t, coord, base, path, http.StatusOK)
		}
	})

	// Version 1 sent back with a comment, the activity retitled, version 2 approved: the diff and the decisions hold payloads too.
	approver, _, _ := db.UserByEmail(ctx, demoLogins["approver"])
	plan, _ := db.Plan(ctx, org, 2024)
	v1, err := db.FreezePlan(ctx, system, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordDecision(ctx, ptacycle.UserActor(approver), ptacycle.Decision{PlanVersionID: v1.ID, Level: 1, ApproverID: approver.ID,
		Outcome: ptacycle.OutcomeSentBack, Comment: "Renvoi " + xssBoth}, true); err != nil {
		t.Fatal(err)
	}
	activity, _ = db.Activity(ctx, org, activity.ID)
	activity.Title = "Activité revue " + xssBoth
	if activity, err = db.UpdateActivity(ctx, system, activity); err != nil {
		t.Fatal(err)
	}
	v2, err := db.FreezePlan(ctx, system, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordDecision(ctx, ptacycle.UserActor(approver), ptacycle.Decision{PlanVersionID: v2.ID, Level: 1, ApproverID: approver.ID,
		Outcome: ptacycle.OutcomeApproved, Comment: "Approuvé " + xssBoth}, true); err != nil {
		t.Fatal(err)
	}
	if err := db.SetStage(ctx, system, cy.ID, ptacycle.StageExecution); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReportProgress(ctx, ptacycle.UserActor(owner), postgres.Progress{ActivityID: activity.ID, Version: activity.Version,
		Status: ptacycle.StatusInProgress, Progress: 40, Comment: "Avancement " + xssBoth, EvidenceURL: "https://exemple.org/" + xssImage}); err != nil {
		t.Fatal(err)
	}
	for _, to := range []int64{coordUser.ID, owner.ID} {
		if _, err := db.CreateReminder(ctx, org, ptacycle.Reminder{Key: fmt.Sprintf("xss/%d", to), RecipientID: to, Channel: ptacycle.ChannelInApp,
			Kind: "overdue", Subject: "Relance " + xssBoth, Body: "Texte " + xssBoth, ActivityID: &activity.ID}); err != nil {
			t.Fatal(err)
		}
	}
	secret, err := db.Secret(ctx, ptacycle.LinkSecretName, func() ([]byte, error) { return []byte(strings.Repeat("k", 32)), nil })
	if err != nil {
		t.Fatal(err)
	}
	link := ptacycle.SignLink(secret, ptacycle.UpdateLink{ActivityID: activity.ID, UserID: owner.ID, Epoch: owner.LinkEpoch, Expires: time.Now().Add(time.Hour)})

	activityPage := fmt.Sprintf("/activites/%d", activity.ID)
	pages := []struct {
		role   string
		client *http.Client
		paths  []string
	}{
		{"coordinator", coord, []string{"/", "/cycles/2024/bilan", "/cycles/2024/bilan/rapport", "/cycles/2024/recommandations", "/cycles/2024/pta",
			"/cycles/2024/validation", "/cycles/2024/execution", "/cycles/2024/execution?axis=" + fmt.Sprint(axis), activityPage, "/relances", "/journal", "/compte", "/strategie"}},
		{"approver", signInAs(t, base, "approver"), []string{"/", "/cycles/2024/validation", "/cycles/2024/pta", activityPage}},
		{"owner", signIn(t, base, "xss@cnltp.demo", "mot-de-passe-solide"), []string{"/", "/mes-activites", activityPage, "/relances", "/compte"}},
		{"partner", signInAs(t, base, "partner"), []string{"/", "/cycles/2024/bilan", "/cycles/2024/pta", "/cycles/2024/execution", activityPage}},
		{"admin", signInAs(t, base, "admin"), []string{"/", "/admin", "/journal", "/strategie"}},
		{"anonymous", browser(), []string{"/r/" + link}},
	}
	for _, p := range pages {
		t.Run(p.role, func(t *testing.T) {
			for _, path := range p.paths {
				xssCheck(t, p.client, base, path, http.StatusOK)
			}
		})
	}

	// Reflected input: what a request carries and a page repeats.
	t.Run("Reflected", func(t *testing.T) {
		xssCheck(t, coord, base, "/cycles/2024/execution?status="+url.QueryEscape(xssScript), http.StatusUnprocessableEntity)
		xssCheck(t, coord, base, "/journal?since="+url.QueryEscape(xssImage), http.StatusUnprocessableEntity)
		xssCheck(t, browser(), base, "/"+url.PathEscape(xssScript), http.StatusNotFound)
		// A next holding markup is no path of this site: the form goes back to "/" and repeats nothing of it.
		if status, page := get(t, browser(), base+"/login?next="+url.QueryEscape("/"+xssImage)); status != http.StatusOK ||
			!strings.Contains(page, `name="next" value="/"`) || strings.Contains(page, "onerror") {
			t.Errorf("/login with markup in next: %d\n%s", status, execExcerpt(page))
		}
		status, body := post(t, browser(), base+"/login", url.Values{"email": {xssImage}, "password": {"x"}})
		if raw, escaped := xssFound(body); status != http.StatusUnauthorized || raw || !escaped {
			t.Errorf("login with a payload as e-mail: %d, as markup %v, escaped %v", status, raw, escaped)
		}
		status, body = post(t, browser(), base+"/mot-de-passe-oublie", url.Values{"email": {xssImage}})
		if raw, escaped := xssFound(body); status != http.StatusServiceUnavailable || raw || !escaped {
			t.Errorf("forgotten password with a payload as e-mail: %d, as markup %v, escaped %v", status, raw, escaped)
		}
	})
}

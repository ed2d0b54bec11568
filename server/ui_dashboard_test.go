package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/postgres"
)

// dashboardDemo is the demo organisation without any cycle, Temporal unreachable.
func dashboardDemo(t *testing.T) (*app, ptacycle.Organisation) {
	t.Helper()
	a := mustApp(t, unreachableTemporal(t))
	ctx := context.Background()
	if _, err := demo.LoadOrganisation(ctx, a.db); err != nil {
		t.Fatal(err)
	}
	o, err := a.db.OrganisationBySlug(ctx, demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	return a, o
}

// dashboardLight checks that a page stays well under the 100 KB budget once compressed.
func dashboardLight(t *testing.T, what, body string) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write([]byte(body))
	_ = zw.Close()
	if buf.Len() > 60*1024 {
		t.Errorf("%s weighs %d bytes compressed, over 60 KB", what, buf.Len())
	}
}

// dashboardHTMX posts a form as htmx does.
func dashboardHTMX(t *testing.T, b *http.Client, u string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	resp, err := b.Do(req)
	return read(t, resp, err)
}

func dashboardCycles(t *testing.T, a *app, org int64) int {
	t.Helper()
	cycles, err := a.db.Cycles(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	return len(cycles)
}

func TestDashboardWithoutCycle(t *testing.T) {
	t.Parallel()
	a, o := dashboardDemo(t)
	coord := signInAs(t, a.srv.URL, "coordinator")
	year := time.Now().Year()

	status, body := get(t, coord, a.srv.URL+"/")
	execExpect(t, "coordinator's dashboard", status, body, 200, []string{`data-testid="dashboard"`, `data-testid="no-cycle"`,
		"Aucun cycle annuel n&#39;a encore été lancé", `data-testid="launch-form"`, `action="/cycles"`, fmt.Sprintf(`name="year" type="number" value="%d"`, year),
		`name="bilanDue" type="date"`, `name="recommendationsDue"`, `name="submissionDue"`, `data-testid="launch-submit"`, "Lancer le cycle", "Vide : le 15 février"},
		`data-testid="timeline"`)
	dashboardLight(t, "dashboard", body)

	status, body = get(t, coord, a.srv.URL+"/?lang=en")
	execExpect(t, "English dashboard", status, body, 200, []string{"No annual cycle has been launched yet", "Launch the annual cycle", "Work plan year"})
	_, _ = get(t, coord, a.srv.URL+"/?lang=fr")

	for _, role := range []string{"owner", "partner", "approver", "admin"} {
		status, body := get(t, signInAs(t, a.srv.URL, role), a.srv.URL+"/")
		execExpect(t, role+"'s dashboard", status, body, 200, []string{`data-testid="no-cycle"`, "Le coordonnateur le lancera"}, `data-testid="launch-form"`)
	}

	t.Run("ErrDeadlinesOutOfOrder", func(t *testing.T) {
		status, body := post(t, coord, a.srv.URL+"/cycles", url.Values{"year": {fmt.Sprint(year)}, "bilanDue": {fmt.Sprintf("%d-03-01", year)},
			"recommendationsDue": {fmt.Sprintf("%d-02-01", year)}})
		execExpect(t, "launch with deadlines out of order", status, body, 422, []string{`data-testid="form-error"`,
			`data-testid="error-recommendationsDue"`, "L&#39;échéance des recommandations précède celle du bilan",
			fmt.Sprintf(`value="%d-03-01"`, year), `data-testid="launch-form"`})
		if n := dashboardCycles(t, a, o.ID); n != 0 {
			t.Errorf("%d cycles after a refused launch", n)
		}
	})
	t.Run("ErrBadDateAndYear", func(t *testing.T) {
		status, body := post(t, coord, a.srv.URL+"/cycles", url.Values{"year": {"l'an prochain"}, "submissionDue": {"31/02/2026"}})
		execExpect(t, "launch with a bad date", status, body, 422, []string{`data-testid="error-year"`, "nombre entier attendu",
			`data-testid="error-submissionDue"`, "Date &#34;31/02/2026&#34; invalide", `value="l&#39;an prochain"`})
		if n := dashboardCycles(t, a, o.ID); n != 0 {
			t.Errorf("%d cycles after a refused launch", n)
		}
	})
	t.Run("ErrYearOutOfRange", func(t *testing.T) {
		status, body := post(t, coord, a.srv.URL+"/cycles", url.Values{"year": {"1999"}})
		execExpect(t, "launch of 1999", status, body, 422, []string{`data-testid="error-year"`, "Année 1999 invalide"})
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		for _, role := range []string{"owner", "partner", "approver", "admin"} {
			status, _ := post(t, signInAs(t, a.srv.URL, role), a.srv.URL+"/cycles", url.Values{"year": {fmt.Sprint(year)}})
			if status != http.StatusForbidden {
				t.Errorf("%s launching: %d, want 403", role, status)
			}
		}
		if n := dashboardCycles(t, a, o.ID); n != 0 {
			t.Errorf("%d cycles after refused launches", n)
		}
	})
	t.Run("ErrProcessUnavailable", func(t *testing.T) {
		status, body := post(t, coord, a.srv.URL+"/cycles", url.Values{"year": {fmt.Sprint(year)}})
		execExpect(t, "launch without Temporal", status, body, 503, []string{`data-testid="form-error"`, "injoignable", `data-testid="launch-form"`})
		if n := dashboardCycles(t, a, o.ID); n != 0 {
			t.Errorf("%d cycles after a failed launch", n)
		}
	})
}

// TestDashboardExecution renders a cycle in execution written straight to
// the database, Temporal being unreachable: the stage comes from PostgreSQL.
func TestDashboardExecution(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	a, ctx := f.app, context.Background()
	actor := ptacycle.SystemActor(f.demoOrg.ID)
	acts := []ptacycle.Activity{f.activity}
	for i, title := range []string{"Sensibiliser 20 villages", "Publier le rapport annuel"} {
		act, err := a.db.CreateActivity(ctx, actor, ptacycle.Activity{ActionID: f.action.ID, Code: fmt.Sprintf("1.1.%d", i+2), Title: title,
			ResponsibleUnitID: f.activity.ResponsibleUnitID, StartDate: ptacycle.NewDate(2024, time.March, 1), DueDate: ptacycle.NewDate(2024, time.September, 30)})
		if err != nil {
			t.Fatal(err)
		}
		acts = append(acts, act)
	}
	if _, err := a.db.Pool.Exec(ctx, `UPDATE cycles SET stage = 'execution' WHERE organisation_id = $1 AND year = 2024`, f.demoOrg.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.Pool.Exec(ctx, `UPDATE activities SET status = 'done', progress = 100 WHERE id = $1`, acts[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.Pool.Exec(ctx, `UPDATE activities SET status = 'in_progress', progress = 50 WHERE id = $1`, acts[1].ID); err != nil {
		t.Fatal(err)
	}

	coord := signInAs(t, a.srv.URL, "coordinator")
	status, body := get(t, coord, a.srv.URL+"/")
	execExpect(t, "dashboard in execution", status, body, 200, []string{
		`data-testid="process-unavailable"`, "injoignable",
		`data-testid="timeline"`, `data-testid="stage-execution" aria-current="step"`, `class="done" data-testid="stage-validation"`,
		"Échéance : 31/12/2024", "Échéance : 15/02/2024",
		`data-testid="rate-overall" class="nowrap">33 %<`, `data-testid="rate-formula"`, "activités réalisées ÷ activités prévues",
		`data-testid="rate-gauge"`, `data-testid="rate-by-axis"`, `data-testid="rate-by-unit"`, "CRLTP Tonkpi", `data-testid="rate-by-region"`,
		"1 activité(s) réalisée(s) sur 3 prévue(s)",
		`data-testid="overdue"`, `data-testid="overdue-count">2<`, fmt.Sprintf(`data-testid="overdue-%d"><a href="/activites/%d"`, acts[1].ID, acts[1].ID),
		fmt.Sprintf(`data-testid="overdue-%d"`, acts[2].ID),
		`data-testid="my-actions"`, `data-testid="action-step"`, `href="/cycles/2024/execution" data-testid="action-step-link"`,
	}, fmt.Sprintf(`data-testid="overdue-%d"`, acts[0].ID), `data-testid="launch-form"`, `data-testid="pending"`)
	dashboardLight(t, "dashboard in execution", body)

	status, body = get(t, coord, a.srv.URL+"/?lang=en")
	execExpect(t, "English dashboard in execution", status, body, 200, []string{"Execution rate", ">33%<", "Overdue activities", "Follow the execution", "unreachable"})
	_, _ = get(t, coord, a.srv.URL+"/?lang=fr")

	status, body = get(t, signInAs(t, a.srv.URL, "owner"), a.srv.URL+"/")
	execExpect(t, "owner's dashboard", status, body, 200, []string{"Activités en retard de votre structure", `data-testid="action-unfinished"`,
		"2 activité(s) de votre structure reste(nt) à terminer", `href="/mes-activites"`}, `data-testid="launch-form"`)
	status, body = get(t, signInAs(t, a.srv.URL, "approver"), a.srv.URL+"/")
	execExpect(t, "approver's dashboard", status, body, 200, []string{`data-testid="action-none"`, "Aucune décision ne vous attend"})
	partnerClient := signInAs(t, a.srv.URL, "partner")
	status, body = get(t, partnerClient, a.srv.URL+"/")
	execExpect(t, "partner's dashboard", status, body, 200, []string{`href="/cycles/2024/pta"`, `href="/cycles/2024/execution"`, ">33 %<",
		`data-testid="action-contributions"`, "Expertise France", "n&#39;est encore partenaire d&#39;aucune activité de ce PTA"})
	// The partner's unit joins the first activity (done) and the third: the dashboard counts them and links to them.
	partnerUser, _, _ := a.db.UserByEmail(ctx, demoLogins["partner"])
	for _, act := range []ptacycle.Activity{acts[0], acts[2]} {
		if _, err := a.db.Pool.Exec(ctx, `INSERT INTO activity_partners (activity_id, organisation_id, unit_id) VALUES ($1, $2, $3)`,
			act.ID, f.demoOrg.ID, *partnerUser.UnitID); err != nil {
			t.Fatal(err)
		}
	}
	contributions := fmt.Sprintf("/cycles/2024/execution?partner=%d", *partnerUser.UnitID)
	status, body = get(t, partnerClient, a.srv.URL+"/")
	execExpect(t, "partner's dashboard with contributions", status, body, 200, []string{"est partenaire de 2 activité(s) de ce PTA, dont 1 réalisée(s)",
		`href="` + html.EscapeString(contributions) + `"`, "Voir ces activités"})
	status, body = get(t, partnerClient, a.srv.URL+contributions)
	execExpect(t, "the partner's activities", status, body, 200, []string{fmt.Sprintf(`data-testid="exec-row-%d"`, acts[0].ID), fmt.Sprintf(`data-testid="exec-row-%d"`, acts[2].ID),
		fmt.Sprintf(`<option value="%d" selected>`, *partnerUser.UnitID)}, fmt.Sprintf(`data-testid="exec-row-%d"`, acts[1].ID))
	status, body = get(t, signInAs(t, a.srv.URL, "admin"), a.srv.URL+"/")
	execExpect(t, "admin's dashboard", status, body, 200, []string{`data-testid="action-admin"`, `href="/admin"`})

	t.Run("ClosedOffersTheNextYear", func(t *testing.T) {
		if _, err := a.db.Pool.Exec(ctx, `UPDATE cycles SET stage = 'closed', closed_at = '2024-12-31T12:00:00Z' WHERE organisation_id = $1 AND year = 2024`, f.demoOrg.ID); err != nil {
			t.Fatal(err)
		}
		status, body := get(t, coord, a.srv.URL+"/")
		execExpect(t, "dashboard of a closed cycle", status, body, 200, []string{`data-testid="stage-closed" aria-current="step"`, "Clôturé le 31/12/2024",
			`data-testid="action-closed"`, `data-testid="launch-form"`, `name="year" type="number" value="2025"`, ">33 %<"},
			`data-testid="process-unavailable"`)
		status, body = get(t, signInAs(t, a.srv.URL, "partner"), a.srv.URL+"/")
		execExpect(t, "partner on a closed cycle", status, body, 200, nil, `data-testid="launch-form"`)
		status, body = post(t, coord, a.srv.URL+"/cycles", url.Values{"year": {"2024"}})
		execExpect(t, "launching 2024 again", status, body, 409, []string{`data-testid="error-year"`, "Le cycle 2024 a déjà été lancé"})
	})
	t.Run("BilanRatesBeforeExecution", func(t *testing.T) {
		cy, err := a.db.CreateCycle(ctx, actor, ptacycle.Cycle{Year: 2025, WorkflowID: "cycle/cnltp/2025", Deadlines: ptacycle.DefaultDeadlines(2025)})
		if err != nil {
			t.Fatal(err)
		}
		plan, _ := a.db.Plan(ctx, f.demoOrg.ID, 2024)
		items, _ := a.db.RateItems(ctx, f.demoOrg.ID, plan.ID)
		if err := a.db.StoreBilanRates(ctx, actor, cy.ID, ptacycle.ComputeBreakdown(items)); err != nil {
			t.Fatal(err)
		}
		status, body := get(t, coord, a.srv.URL+"/")
		execExpect(t, "dashboard at the 2025 bilan", status, body, 200, []string{`data-testid="stage-bilan" aria-current="step"`,
			"Exécution du PTA 2024 (bilan)", ">33 %<", `href="/cycles/2025/bilan" data-testid="action-step-link"`},
			`data-testid="overdue"`, `data-testid="launch-form"`)
	})
}

// TestDashboardLaunch launches a year from the dashboard on the real stack,
// then drives it to validation to see who must act.
func TestDashboardLaunch(t *testing.T) {
	t.Parallel()
	r := mustRealStack(t)
	year := time.Now().Year()
	coord := signIn(t, r.srv.URL, "coordonnateur@cnltp.demo", demo.Password)

	resp, err := coord.PostForm(r.srv.URL+"/cycles", url.Values{"year": {fmt.Sprint(year)}})
	status, _ := read(t, resp, err)
	if status != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("launch = %d to %q, want 303 to /", status, resp.Header.Get("Location"))
	}
	cy, err := r.db.Cycle(context.Background(), r.org.ID, year)
	if err != nil || cy.Stage != ptacycle.StageBilan {
		t.Fatalf("cycle after launch = %+v, %v", cy, err)
	}
	// A year opened after its usual bilan deadline has its deadlines moved after the opening.
	bilanDue := ptacycle.DefaultDeadlineDays().FromOpening(year, ptacycle.DateOf(time.Now())).Bilan.French()
	status, body := get(t, coord, r.srv.URL+"/")
	execExpect(t, "dashboard after launch", status, body, 200, []string{`data-testid="flash"`, fmt.Sprintf("Cycle %d lancé", year),
		`data-testid="stage-bilan" aria-current="step"`, "Échéance : " + bilanDue, fmt.Sprintf("Échéance : 31/12/%d", year),
		`data-testid="pending"`, "En attente : la clôture du bilan", "Coordonnateur", `data-testid="pending-due"`, "À faire avant le " + bilanDue,
		`data-testid="action-step"`, fmt.Sprintf(`href="/cycles/%d/bilan" data-testid="action-step-link"`, year)},
		`data-testid="process-unavailable"`, `data-testid="launch-form"`, `data-testid="pending-late"`)

	status, body = post(t, coord, r.srv.URL+"/cycles", url.Values{"year": {fmt.Sprint(year)}})
	execExpect(t, "second launch", status, body, 409, []string{`data-testid="error-year"`, "déjà été lancé"})

	// To validation through the API: the approver then sees the decision waiting for them.
	api := r.as(t, "coordonnateur@cnltp.demo", demo.Password)
	cycle := fmt.Sprintf("/cycles/%d", year)
	want(t, api.do("POST", cycle+"/bilan/close", nil), 200, "close bilan")
	want(t, api.do("POST", cycle+"/recommendations/adopt", map[string]any{"recommendationIds": []int64{}}), 200, "adopt")
	var units []ptacycle.Unit
	want(t, api.do("GET", "/units", nil), 200, "units").decode(t, &units)
	var tonkpi int64
	for _, u := range units {
		if u.Name == "CRLTP Tonkpi" {
			tonkpi = u.ID
		}
	}
	var action ptacycle.Action
	want(t, api.do("POST", cycle+"/plan/actions", map[string]any{"code": "1.1", "title": "Former les acteurs"}), 201, "action").decode(t, &action)
	want(t, api.do("POST", cycle+"/plan/activities", map[string]any{"actionId": action.ID, "code": "1.1.1", "title": "Former 50 acteurs (illustrative)",
		"responsibleUnitId": tonkpi, "startDate": fmt.Sprintf("%d-02-01", year), "dueDate": fmt.Sprintf("%d-12-30", year), "budgetXof": 2500000}), 201, "activity")
	want(t, api.do("POST", cycle+"/plan/submit", nil), 200, "submit")

	// Whenever the year is opened, its timeline ends with it: no step, the validation's either, is due after 31 December.
	_, body = get(t, coord, r.srv.URL+"/")
	timeline := body[strings.Index(body, `data-testid="timeline"`):]
	timeline = timeline[:strings.Index(timeline, "</ol>")]
	days := regexp.MustCompile(`\d\d/\d\d/(\d{4})`).FindAllStringSubmatch(timeline, -1)
	if len(days) < 4 || !strings.Contains(timeline, `data-testid="stage-validation" aria-current="step"`) {
		t.Errorf("the timeline in validation shows %d deadlines:\n%s", len(days), timeline)
	}
	for _, d := range days {
		if d[1] != strconv.Itoa(year) {
			t.Errorf("the %d timeline shows a deadline on %s", year, d[0])
		}
	}

	status, body = get(t, signIn(t, r.srv.URL, "valideur@cnltp.demo", demo.Password), r.srv.URL+"/")
	execExpect(t, "approver's dashboard in validation", status, body, 200, []string{`data-testid="stage-validation" aria-current="step"`,
		"En attente : la validation du PTA", `data-testid="pending-names"`, "Représentante du ministère (fictive)",
		`data-testid="action-decide"`, "Une décision vous attend au niveau 1", fmt.Sprintf(`href="/cycles/%d/validation"`, year)})
	status, body = get(t, signIn(t, r.srv.URL, "responsable.tonkpi@cnltp.demo", demo.Password), r.srv.URL+"/")
	execExpect(t, "owner's dashboard in validation", status, body, 200, []string{"pas encore en exécution"}, `data-testid="overdue"`)
}

func TestAccountPage(t *testing.T) {
	t.Parallel()
	a, _ := dashboardDemo(t)
	ctx := context.Background()
	email := "responsable.tonkpi@cnltp.demo"
	owner := signIn(t, a.srv.URL, email, demo.Password)
	passwordIs := func(t *testing.T, password string) bool {
		t.Helper()
		_, hash, err := a.db.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return ptacycle.CheckPassword(hash, password)
	}

	status, body := get(t, owner, a.srv.URL+"/compte")
	execExpect(t, "account page", status, body, 200, []string{"Mon compte", `data-testid="profile-name">Responsable CRLTP Tonkpi (fictif)<`,
		`data-testid="profile-email">responsable.tonkpi@cnltp.demo<`, "Responsable d&#39;activité", `data-testid="profile-unit">CRLTP Tonkpi<`,
		`data-testid="profile-language">Français<`, `data-testid="password-form"`, `name="current" type="password"`, `name="new" type="password"`,
		`name="confirm" type="password"`, `data-testid="password-submit"`, "Au moins 10 caractères"})
	dashboardLight(t, "account page", body)
	status, body = get(t, owner, a.srv.URL+"/compte?lang=en")
	execExpect(t, "English account page", status, body, 200, []string{"My account", "Activity owner", "Change password"})
	_, _ = get(t, owner, a.srv.URL+"/compte?lang=fr")

	t.Run("ErrConfirmationDiffers", func(t *testing.T) {
		status, body := post(t, owner, a.srv.URL+"/compte/mot-de-passe", url.Values{"current": {demo.Password}, "new": {"nouveau-mot-de-passe"}, "confirm": {"nouveau-mot-de-pase"}})
		execExpect(t, "mismatched confirmation", status, body, 422, []string{`data-testid="error-confirm"`, "La confirmation ne correspond pas au nouveau mot de passe"},
			"nouveau-mot-de-passe")
		if !passwordIs(t, demo.Password) {
			t.Error("the password changed")
		}
	})
	t.Run("ErrWrongCurrent", func(t *testing.T) {
		status, body := post(t, owner, a.srv.URL+"/compte/mot-de-passe", url.Values{"current": {"pas-le-bon-mot"}, "new": {"nouveau-mot-de-passe"}, "confirm": {"nouveau-mot-de-passe"}})
		execExpect(t, "wrong current password", status, body, 422, []string{`data-testid="error-current"`, "Mot de passe actuel incorrect"})
		if !passwordIs(t, demo.Password) {
			t.Error("the password changed")
		}
	})
	t.Run("ErrTooShort", func(t *testing.T) {
		status, body := post(t, owner, a.srv.URL+"/compte/mot-de-passe", url.Values{"current": {demo.Password}, "new": {"court"}, "confirm": {"court"}})
		execExpect(t, "short password", status, body, 422, []string{`data-testid="error-new"`, "au moins 10 caractères"})
	})
	t.Run("ChangedAndOtherSessionsEnded", func(t *testing.T) {
		other := signIn(t, a.srv.URL, email, demo.Password)
		resp, err := owner.PostForm(a.srv.URL+"/compte/mot-de-passe", url.Values{"current": {demo.Password}, "new": {"nouveau-mot-de-passe"}, "confirm": {"nouveau-mot-de-passe"}})
		status, _ := read(t, resp, err)
		if status != http.StatusSeeOther || resp.Header.Get("Location") != "/compte" {
			t.Fatalf("change = %d to %q", status, resp.Header.Get("Location"))
		}
		status, body := get(t, owner, a.srv.URL+"/compte")
		execExpect(t, "account after the change", status, body, 200, []string{`data-testid="flash"`, "Mot de passe changé"})
		if !passwordIs(t, "nouveau-mot-de-passe") {
			t.Error("the password did not change")
		}
		if status, _ := get(t, other, a.srv.URL+"/"); status != http.StatusSeeOther {
			t.Errorf("the other session still opens the dashboard: %d", status)
		}
	})
}

func TestRemindersPage(t *testing.T) {
	t.Parallel()
	a, o := dashboardDemo(t)
	ctx := context.Background()
	users := map[string]int64{}
	all, _ := a.db.Users(ctx, o.ID, "")
	for _, u := range all {
		users[u.Email] = u.ID
	}
	var ids []int64
	for i, spec := range []struct {
		to, kind, subject string
	}{
		{"responsable.tonkpi@cnltp.demo", "due_soon", "Échéance dans 14 jours : Former 50 acteurs"},
		{"responsable.tonkpi@cnltp.demo", "overdue", "En retard : Sensibiliser 20 villages"},
		{"coordonnateur@cnltp.demo", "escalation", "Escalade : Sensibiliser 20 villages"},
	} {
		r := ptacycle.Reminder{Key: fmt.Sprintf("test/%d", i), RecipientID: users[spec.to], Channel: ptacycle.ChannelInApp, Kind: spec.kind,
			Subject: spec.subject, Body: "Merci de déclarer l'avancement."}
		if _, err := a.db.CreateReminder(ctx, o.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	email := ptacycle.Reminder{Key: "test/email", RecipientID: users["responsable.tonkpi@cnltp.demo"], Channel: ptacycle.ChannelEmail, Kind: "overdue",
		Subject: "Courriel : Sensibiliser 20 villages", Body: "Le même rappel, par courriel.", Address: "responsable.tonkpi@cnltp.demo"}
	if _, err := a.db.CreateReminder(ctx, o.ID, email); err != nil {
		t.Fatal(err)
	}
	list, _ := a.db.Reminders(ctx, o.ID, postgres.ReminderFilter{Channel: ptacycle.ChannelInApp})
	for _, r := range list {
		ids = append(ids, r.ID) // newest first: the escalation, the overdue, the due-soon
	}
	escalation, overdue, dueSoon := ids[0], ids[1], ids[2]
	owner := signInAs(t, a.srv.URL, "owner")

	status, body := get(t, owner, a.srv.URL+"/relances")
	execExpect(t, "reminders", status, body, 200, []string{"Relances", `data-testid="unread-count">2<`,
		fmt.Sprintf(`data-testid="reminder-%d" data-unread="true"`, overdue), fmt.Sprintf(`data-testid="reminder-%d" data-unread="true"`, dueSoon),
		"En retard : Sensibiliser 20 villages", "Échéance proche", fmt.Sprintf(`data-testid="read-%d"`, overdue), "Marquer comme lu"},
		fmt.Sprintf(`data-testid="reminder-%d"`, escalation), "Courriel : Sensibiliser")
	if strings.Index(body, fmt.Sprintf(`reminder-%d"`, overdue)) > strings.Index(body, fmt.Sprintf(`reminder-%d"`, dueSoon)) {
		t.Error("reminders are not newest first")
	}
	dashboardLight(t, "reminders", body)
	status, body = get(t, owner, a.srv.URL+"/relances?lang=en")
	execExpect(t, "English reminders", status, body, 200, []string{"Reminders", "Mark as read", "Deadline approaching"})
	_, _ = get(t, owner, a.srv.URL+"/relances?lang=fr")

	t.Run("ErrSomeoneElses", func(t *testing.T) {
		status, _ := post(t, owner, fmt.Sprintf("%s/relances/%d/lue", a.srv.URL, escalation), nil)
		if status != http.StatusNotFound {
			t.Errorf("reading the coordinator's reminder: %d, want 404", status)
		}
		if n, _ := a.db.UnreadReminders(ctx, o.ID, users["coordonnateur@cnltp.demo"]); n != 1 {
			t.Errorf("the coordinator has %d unread reminders, want 1", n)
		}
	})
	t.Run("MarkRead", func(t *testing.T) {
		resp, err := owner.PostForm(fmt.Sprintf("%s/relances/%d/lue", a.srv.URL, overdue), nil)
		status, _ := read(t, resp, err)
		if status != http.StatusSeeOther || resp.Header.Get("Location") != "/relances" {
			t.Fatalf("mark read = %d to %q", status, resp.Header.Get("Location"))
		}
		status, body := get(t, owner, a.srv.URL+"/relances")
		execExpect(t, "reminders after reading one", status, body, 200, []string{`data-testid="flash"`, "Relance marquée comme lue",
			`data-testid="unread-count">1<`, fmt.Sprintf(`data-testid="read-%d"`, dueSoon)}, fmt.Sprintf(`data-testid="read-%d"`, overdue))
		status, body = get(t, owner, a.srv.URL+"/relances?unread=true")
		execExpect(t, "unread reminders", status, body, 200, []string{fmt.Sprintf(`data-testid="reminder-%d"`, dueSoon)}, fmt.Sprintf(`data-testid="reminder-%d"`, overdue))
	})
	t.Run("MarkReadWithHTMX", func(t *testing.T) {
		status, body := dashboardHTMX(t, owner, fmt.Sprintf("%s/relances/%d/lue", a.srv.URL, dueSoon))
		execExpect(t, "htmx fragment", status, body, 200, []string{`id="reminder-list"`, `data-testid="unread-count">0<`}, "<html", `data-testid="read-`)
		if n, _ := a.db.UnreadReminders(ctx, o.ID, users["responsable.tonkpi@cnltp.demo"]); n != 0 {
			t.Errorf("%d unread reminders left", n)
		}
	})
	t.Run("Pages", func(t *testing.T) {
		for i := range 110 { // with the two above, 112: pages of 50, 50 and 12
			r := ptacycle.Reminder{Key: fmt.Sprintf("test/page/%d", i), RecipientID: users["responsable.tonkpi@cnltp.demo"], Channel: ptacycle.ChannelInApp,
				Kind: "overdue", Subject: fmt.Sprintf("Relance n° %d", i), Body: "Merci de déclarer l'avancement."}
			if _, err := a.db.CreateReminder(ctx, o.ID, r); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]bool{}
		path := "/relances"
		var sizes []int
		for range 4 {
			status, body := get(t, owner, a.srv.URL+path)
			if status != http.StatusOK {
				t.Fatalf("%s: %d", path, status)
			}
			shown := reminderItem.FindAllStringSubmatch(body, -1)
			sizes = append(sizes, len(shown))
			for _, m := range shown {
				if seen[m[1]] {
					t.Errorf("reminder %s shown twice, again on %s", m[1], path)
				}
				seen[m[1]] = true
			}
			if (path != "/relances") != strings.Contains(body, `data-testid="reminders-newest"`) {
				t.Errorf("%s: link to the newest reminders wrong", path)
			}
			m := olderLink.FindStringSubmatch(body)
			if m == nil {
				break
			}
			path = html.UnescapeString(m[1])
		}
		if fmt.Sprint(sizes) != "[50 50 12]" || len(seen) != 112 {
			t.Errorf("pages of %v reminders, %d different, want [50 50 12] and 112", sizes, len(seen))
		}
		// Marking one read on the second page comes back to the second page.
		page2 := "/relances" + remindersPage2(t, owner, a.srv.URL)
		_, body := get(t, owner, a.srv.URL+page2)
		id := reminderItem.FindStringSubmatch(body)[1]
		resp, err := owner.PostForm(a.srv.URL+"/relances/"+id+"/lue"+strings.TrimPrefix(page2, "/relances"), nil)
		if status, _ := read(t, resp, err); status != http.StatusSeeOther || resp.Header.Get("Location") != page2 {
			t.Errorf("marking a reminder of %s read: %d to %q", page2, status, resp.Header.Get("Location"))
		}
	})
}

var (
	reminderItem = regexp.MustCompile(`data-testid="reminder-(\d+)"`)
	olderLink    = regexp.MustCompile(`href="([^"]+)" data-testid="reminders-older"`)
)

// remindersPage2 is the query of the second page of a user's reminders.
func remindersPage2(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	_, body := get(t, c, base+"/relances")
	m := olderLink.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no second page of reminders")
	}
	return strings.TrimPrefix(html.UnescapeString(m[1]), "/relances")
}

func dashboardAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var auditRow = regexp.MustCompile(`data-testid="audit-(\d+)"`)

func TestAuditPage(t *testing.T) {
	t.Parallel()
	a, o := dashboardDemo(t)
	ctx := context.Background()
	admin := ptacycle.Actor{OrganisationID: o.ID, Label: "Administrateur (fictif)"}
	for i := range 60 {
		if _, err := a.db.CreateRegion(ctx, admin, fmt.Sprintf("Région d'essai %02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	coord := signInAs(t, a.srv.URL, "coordinator")

	status, body := get(t, coord, a.srv.URL+"/journal")
	execExpect(t, "audit log", status, body, 200, []string{"Journal d&#39;audit", `data-testid="audit-filters"`, `name="entity"`, `<option value="activity">Activité</option>`,
		`name="since" type="date"`, `data-testid="audit-table"`, "Région d&#39;essai 59", "Création", "Administrateur (fictif)", "Région Région d&#39;essai 59", "Nom : Région d&#39;essai 59",
		`data-testid="audit-more"`})
	dashboardLight(t, "audit log", body)
	first := auditRow.FindAllStringSubmatch(body, -1)
	if len(first) != 50 {
		t.Fatalf("%d rows on the first page, want 50", len(first))
	}
	more := regexp.MustCompile(`href="([^"]+)" data-testid="audit-more"`).FindStringSubmatch(body)
	if more == nil || !strings.Contains(more[1], "before="+first[49][1]) {
		t.Fatalf("older entries link = %v, want before=%s", more, first[49][1])
	}
	status, body = get(t, coord, a.srv.URL+html.UnescapeString(more[1]))
	second := auditRow.FindAllStringSubmatch(body, -1)
	if status != 200 || len(second) == 0 || dashboardAtoi(t, second[0][1]) >= dashboardAtoi(t, first[49][1]) {
		t.Errorf("second page: %d, %d rows, not older than the first page's", status, len(second))
	}

	status, body = get(t, coord, a.srv.URL+"/journal?entity=user")
	rows := auditRow.FindAllStringSubmatch(body, -1)
	execExpect(t, "audit log of users", status, body, 200, []string{`<option value="user" selected>Utilisateur</option>`}, "Région d&#39;essai", `data-testid="audit-more"`)
	if len(rows) != 5 {
		t.Errorf("%d user entries, want the 5 demo users", len(rows))
	}
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	status, body = get(t, coord, a.srv.URL+"/journal?since="+tomorrow)
	execExpect(t, "audit log since tomorrow", status, body, 200, []string{`data-testid="audit-empty"`, `value="` + tomorrow + `"`})

	t.Run("ErrBadSince", func(t *testing.T) {
		status, body := get(t, coord, a.srv.URL+"/journal?since=hier")
		execExpect(t, "audit log since a bad date", status, body, 422, []string{`data-testid="error-since"`, "Date &#34;hier&#34; invalide"})
	})
	t.Run("English", func(t *testing.T) {
		admin := signInAs(t, a.srv.URL, "admin")
		status, body := get(t, admin, a.srv.URL+"/journal?lang=en")
		execExpect(t, "English audit log", status, body, 200, []string{"Audit log", "Creation", "Older"})
	})
	t.Run("ExportCSV", func(t *testing.T) {
		status, page := get(t, coord, a.srv.URL+"/journal?entity=region")
		execExpect(t, "the export link", status, page, 200, []string{`href="/journal.csv?entity=region"`, `data-testid="audit-export"`})
		resp, err := coord.Get(a.srv.URL + "/journal.csv?entity=region")
		status, body := read(t, resp, err)
		if status != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(resp.Header.Get("Content-Disposition"), "journal-audit-") {
			t.Fatalf("export: %d %v", status, resp.Header)
		}
		if !strings.HasPrefix(body, "\ufeffDate;") {
			t.Errorf("no byte-order mark or French header: %q", body[:min(40, len(body))])
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff")))
		r.Comma = ';'
		records, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		regions := 0
		for _, rec := range records[1:] {
			if rec[3] != "Région" {
				t.Errorf("an entry of %q in an export of regions", rec[3])
			}
			if strings.HasPrefix(rec[4], "Région d'essai") && strings.HasPrefix(rec[6], "Nom : Région d'essai") {
				regions++
			}
		}
		if regions != 60 { // more than a page of the screen: the export is whole
			t.Errorf("%d test regions exported, want 60", regions)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		for _, role := range []string{"owner", "partner", "approver"} {
			b := signInAs(t, a.srv.URL, role)
			if status, _ := get(t, b, a.srv.URL+"/journal"); status != http.StatusForbidden {
				t.Errorf("%s reading the audit log: %d, want 403", role, status)
			}
			if status, _ := get(t, b, a.srv.URL+"/journal.csv"); status != http.StatusForbidden {
				t.Errorf("%s exporting the audit log: %d, want 403", role, status)
			}
		}
	})
}

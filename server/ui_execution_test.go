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
)

// execExpect checks a page's status, what it must show and what it must not.
func execExpect(t *testing.T, what string, status int, body string, wantStatus int, wants []string, absent ...string) {
	t.Helper()
	if status != wantStatus {
		t.Errorf("%s: status %d, want %d\n%s", what, status, wantStatus, execExcerpt(body))
	}
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: lacks %q\n%s", what, w, execExcerpt(body))
		}
	}
	for _, a := range absent {
		if strings.Contains(body, a) {
			t.Errorf("%s: shows %q, which it must not", what, a)
		}
	}
}

// execExcerpt is the main part of a page, to read a failure.
func execExcerpt(body string) string {
	if i := strings.Index(body, `<main`); i >= 0 {
		body = body[i:]
	}
	if len(body) > 4000 {
		body = body[:4000] + "…"
	}
	return body
}

// execNawaActivity adds to the fixture's plan an activity of another unit than the demo owner's.
func execNawaActivity(t *testing.T, f *accessFixture) ptacycle.Activity {
	t.Helper()
	ctx := context.Background()
	units, _ := f.app.db.Units(ctx, f.demoOrg.ID)
	var nawa int64
	for _, u := range units {
		if u.Name == "CRLTP Nawa" {
			nawa = u.ID
		}
	}
	a, err := f.app.db.CreateActivity(ctx, ptacycle.SystemActor(f.demoOrg.ID), ptacycle.Activity{ActionID: f.action.ID, Code: "1.1.2",
		Title: "Sensibiliser à Soubré", ResponsibleUnitID: &nawa, DueDate: ptacycle.NewDate(2024, time.September, 30), BudgetXOF: 500000})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestMyActivitiesPage(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	base := f.app.srv.URL
	owner := signInAs(t, base, "owner")
	id := f.activity.ID

	t.Run("BeforeExecution", func(t *testing.T) {
		status, body := get(t, owner, base+"/mes-activites")
		execExpect(t, "my activities in drafting", status, body, http.StatusOK,
			[]string{`data-testid="my-activities"`, fmt.Sprintf(`data-testid="my-activity-%d"`, id), "Former 50 acteurs", `data-testid="not-open"`,
				"dès son approbation", "en retard", "Non démarrée"},
			fmt.Sprintf(`data-testid="progress-form-%d"`, id))
		status, body = post(t, owner, fmt.Sprintf("%s/activites/%d/avancement", base, id), url.Values{"version": {fmt.Sprint(f.activity.Version)}, "status": {"done"}})
		execExpect(t, "report before approval", status, body, http.StatusConflict, []string{"pas encore approuvé"})
	})
	t.Run("ErrForbiddenRoles", func(t *testing.T) {
		for _, role := range []string{"approver", "partner", "admin"} {
			status, _ := get(t, signInAs(t, base, role), base+"/mes-activites")
			if status != http.StatusForbidden {
				t.Errorf("%s on /mes-activites: %d, want 403", role, status)
			}
		}
	})

	nawa := execNawaActivity(t, f)
	approvePlan(t, f)
	t.Run("Open", func(t *testing.T) {
		status, body := get(t, owner, base+"/mes-activites")
		execExpect(t, "my activities in execution", status, body, http.StatusOK,
			[]string{fmt.Sprintf(`data-testid="progress-form-%d"`, id), fmt.Sprintf(`data-testid="progress-save-%d"`, id), `class="status-choices"`,
				`inputmode="numeric"`, `name="postponedTo"`, `name="evidenceUrl"`, "Réalisée", "Reportée", "Annulée", "En cours", "Enregistrer l&#39;avancement"},
			`data-testid="not-open"`, fmt.Sprintf(`data-testid="my-activity-%d"`, nawa.ID))
		if n := gzipSize(t, body); n > 60_000 {
			t.Errorf("my activities weigh %d bytes gzipped", n)
		}
		status, body = get(t, owner, base+"/mes-activites?lang=en")
		execExpect(t, "my activities in English", status, body, http.StatusOK, []string{"My activities", "Save progress", "Not started", "overdue"})
		get(t, owner, base+"/mes-activites?lang=fr")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		form := url.Values{"version": {"1"}, "status": {"in_progress"}, "progress": {"120"}, "comment": {"Presque fini"}}
		status, body := post(t, owner, fmt.Sprintf("%s/activites/%d/avancement", base, id), form)
		execExpect(t, "progress 120", status, body, http.StatusUnprocessableEntity,
			[]string{`data-testid="error-progress"`, "entre 0 et 100", `value="120"`, "Presque fini"})
		form = url.Values{"version": {"1"}, "status": {"postponed"}, "progress": {"10"}}
		status, body = post(t, owner, fmt.Sprintf("%s/activites/%d/avancement", base, id), form)
		execExpect(t, "postponed without a date", status, body, http.StatusUnprocessableEntity,
			[]string{`data-testid="error-postponedTo"`, "nouvelle date", `value="postponed" checked`})
		a, _ := f.app.db.Activity(context.Background(), f.demoOrg.ID, id)
		if a.Status != ptacycle.StatusNotStarted || a.Version != 1 {
			t.Errorf("a refused report changed the activity: %+v", a)
		}
	})
	t.Run("ErrOtherUnit", func(t *testing.T) {
		status, body := post(t, owner, fmt.Sprintf("%s/activites/%d/avancement", base, nawa.ID), url.Values{"version": {"1"}, "status": {"done"}})
		execExpect(t, "another unit's activity", status, body, http.StatusForbidden, []string{"autre structure"})
	})
	t.Run("Done", func(t *testing.T) {
		resp, err := owner.PostForm(fmt.Sprintf("%s/activites/%d/avancement", base, id), url.Values{"version": {"1"}, "status": {"done"},
			"progress": {"100"}, "comment": {"50 acteurs formés à Man"}, "evidenceUrl": {"https://exemple.ci/rapport.pdf"}, "next": {"/mes-activites"}})
		status, _ := read(t, resp, err)
		if status != http.StatusSeeOther || resp.Header.Get("Location") != "/mes-activites" {
			t.Fatalf("report = %d to %q", status, resp.Header.Get("Location"))
		}
		status, body := get(t, owner, base+"/mes-activites")
		execExpect(t, "after the report", status, body, http.StatusOK, []string{`data-testid="flash"`, "Avancement enregistré", `class="badge done"`})
		a, _ := f.app.db.Activity(context.Background(), f.demoOrg.ID, id)
		if a.Status != ptacycle.StatusDone || a.Progress != 100 || a.Version != 2 {
			t.Errorf("after the report: %+v", a)
		}
	})
	t.Run("ErrStale", func(t *testing.T) {
		status, body := post(t, owner, fmt.Sprintf("%s/activites/%d/avancement", base, id), url.Values{"version": {"1"}, "status": {"in_progress"}, "progress": {"40"}})
		execExpect(t, "stale report", status, body, http.StatusConflict,
			[]string{"quelqu&#39;un a mis à jour cette activité entre-temps", fmt.Sprintf(`data-testid="progress-stale-%d"`, id), "Réalisée", `name="version" value="2"`, `value="40"`})
	})
	// « Réalisée » with 40 %: stored as 100 %, and said (before: without a word).
	t.Run("DoneSaysItRecords100", func(t *testing.T) {
		_, body := get(t, owner, base+"/mes-activites")
		execExpect(t, "the form", http.StatusOK, body, http.StatusOK, []string{"« Réalisée » enregistre un avancement de 100 %."})
		status, location, _ := postFull(t, owner, fmt.Sprintf("%s/activites/%d/avancement", base, id), url.Values{"version": {"2"}, "status": {"done"}, "progress": {"40"}})
		if status != http.StatusSeeOther {
			t.Fatalf("done at 40 %%: %d", status)
		}
		_, body = get(t, owner, base+location)
		execExpect(t, "after done at 40 %", http.StatusOK, body, http.StatusOK,
			[]string{"l&#39;avancement est enregistré à 100 % au lieu des 40 % saisis"})
		if a, _ := f.app.db.Activity(context.Background(), f.demoOrg.ID, id); a.Progress != 100 || a.Version != 3 {
			t.Errorf("done at 40 %%: stored %+v", a)
		}
	})
}

func TestExecutionPage(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	base := f.app.srv.URL
	page := fmt.Sprintf("%s/cycles/%d/execution", base, f.year)
	coord := signInAs(t, base, "coordinator")

	status, body := get(t, coord, page)
	execExpect(t, "execution in drafting", status, body, http.StatusOK,
		[]string{`data-testid="execution"`, `data-testid="filters"`, `data-testid="execution-table"`, fmt.Sprintf(`data-testid="exec-row-%d"`, f.activity.ID),
			`data-testid="not-open"`, "1 activité(s) prévue(s), 0 réalisée(s)", "CRLTP Tonkpi", "en retard"})

	nawa := execNawaActivity(t, f)
	approvePlan(t, f)
	for _, role := range []string{"coordinator", "approver", "partner"} {
		status, body := get(t, signInAs(t, base, role), page)
		execExpect(t, "execution as "+role, status, body, http.StatusOK,
			[]string{fmt.Sprintf(`data-testid="exec-row-%d"`, nawa.ID), "2 activité(s) prévue(s)", "Exécution du PTA 2024", fmt.Sprintf(`href="/activites/%d"`, nawa.ID)},
			`data-testid="not-open"`, "progress-form")
	}
	t.Run("Filters", func(t *testing.T) {
		status, body := get(t, coord, fmt.Sprintf("%s?unit=%d", page, *nawa.ResponsibleUnitID))
		execExpect(t, "filtered by unit", status, body, http.StatusOK,
			[]string{fmt.Sprintf(`data-testid="exec-row-%d"`, nawa.ID), "1 activité(s)", `data-testid="filter-reset"`}, fmt.Sprintf(`data-testid="exec-row-%d"`, f.activity.ID))
		status, body = get(t, coord, page+"?status=done")
		execExpect(t, "filtered by status", status, body, http.StatusOK, []string{`data-testid="no-activity"`}, "exec-row-")
		status, body = get(t, coord, page+"?overdue=1")
		execExpect(t, "overdue only", status, body, http.StatusOK, []string{fmt.Sprintf(`data-testid="exec-row-%d"`, f.activity.ID), `name="overdue" value="1" checked`})
		status, body = get(t, coord, page+"?status=fini")
		execExpect(t, "unknown status", status, body, http.StatusUnprocessableEntity, []string{"inconnu"})
	})
	t.Run("English", func(t *testing.T) {
		status, body := get(t, coord, page+"?lang=en")
		execExpect(t, "execution in English", status, body, http.StatusOK, []string{"Execution of the 2024 plan", "Responsible unit", "Overdue only"})
		get(t, coord, page+"?lang=fr")
	})
	t.Run("Pagination", func(t *testing.T) {
		ctx := context.Background()
		// The plan is approved: more activities go in straight through SQL, as a big plan would have them.
		if _, err := f.app.db.Pool.Exec(ctx, `
			INSERT INTO activities (organisation_id, plan_id, action_id, code, title, responsible_unit_id, due_date)
			SELECT a.organisation_id, a.plan_id, a.action_id, '9.' || g, 'Activité de charge ' || g, a.responsible_unit_id, DATE '2024-12-01'
			FROM activities a, generate_series(1, 120) g WHERE a.id = $1`, f.activity.ID); err != nil {
			t.Fatal(err)
		}
		status, body := get(t, coord, page)
		execExpect(t, "page 1", status, body, http.StatusOK, []string{"122 activité(s)", "Page 1 sur 3", `rel="next"`})
		if n := strings.Count(body, `data-testid="exec-row-`); n != 50 {
			t.Errorf("page 1 shows %d rows, want 50", n)
		}
		if n := gzipSize(t, body); n > 60_000 {
			t.Errorf("execution page weighs %d bytes gzipped", n)
		}
		status, body = get(t, coord, page+"?page=3")
		if n := strings.Count(body, `data-testid="exec-row-`); status != http.StatusOK || n != 22 {
			t.Errorf("page 3: %d with %d rows, want 22", status, n)
		}
	})
}

func TestActivityPage(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	base := f.app.srv.URL
	page := fmt.Sprintf("%s/activites/%d", base, f.activity.ID)
	owner := signInAs(t, base, "owner")

	status, body := get(t, owner, page)
	execExpect(t, "activity in drafting", status, body, http.StatusOK,
		[]string{`data-testid="activity"`, "1.1.1 · Former 50 acteurs", "CRLTP Tonkpi", "1\u202f000\u00a0FCFA", `data-testid="history-empty"`, `data-testid="not-open"`},
		"progress-form")

	nawa := execNawaActivity(t, f)
	approvePlan(t, f)
	t.Run("ReadOnly", func(t *testing.T) {
		for _, role := range []string{"partner", "approver", "admin"} {
			status, body := get(t, signInAs(t, base, role), page)
			execExpect(t, "activity as "+role, status, body, http.StatusOK, []string{"Former 50 acteurs"}, "progress-form")
		}
		status, body := get(t, owner, fmt.Sprintf("%s/activites/%d", base, nawa.ID))
		execExpect(t, "another unit's activity, as the owner", status, body, http.StatusOK, []string{"Sensibiliser à Soubré"}, "progress-form")
		status, _ = get(t, owner, fmt.Sprintf("%s/activites/%d", base, 999999))
		if status != http.StatusNotFound {
			t.Errorf("unknown activity: %d", status)
		}
	})
	t.Run("CoordinatorReports", func(t *testing.T) {
		coord := signInAs(t, base, "coordinator")
		status, body := get(t, coord, fmt.Sprintf("%s/activites/%d", base, nawa.ID))
		execExpect(t, "the coordinator on any activity", status, body, http.StatusOK, []string{fmt.Sprintf(`data-testid="progress-form-%d"`, nawa.ID)})
		next := fmt.Sprintf("/activites/%d", nawa.ID)
		status, body = post(t, coord, base+next+"/avancement", url.Values{"version": {"1"}, "status": {"in_progress"}, "progress": {"abc"}, "next": {next}})
		execExpect(t, "progress not a number", status, body, http.StatusUnprocessableEntity,
			[]string{`data-testid="activity"`, `data-testid="error-progress"`, "nombre entier"})
		st, loc, _ := postFull(t, coord, base+next+"/avancement", url.Values{"version": {"1"}, "status": {"postponed"}, "progress": {"30"},
			"postponedTo": {"2024-11-15"}, "comment": {"Attente des fonds"}, "evidenceUrl": {"https://exemple.ci/note.pdf"}, "next": {next}})
		if st != http.StatusSeeOther || loc != next {
			t.Fatalf("report = %d to %q", st, loc)
		}
		status, body = get(t, coord, base+next)
		execExpect(t, "history", status, body, http.StatusOK,
			[]string{`data-testid="flash"`, `data-testid="history"`, "Awa Koné", "Non démarrée", "Reportée", "0 % → 30 %", "Attente des fonds",
				`href="https://exemple.ci/note.pdf"`, "15/11/2024"})
		if n := gzipSize(t, body); n > 60_000 {
			t.Errorf("activity page weighs %d bytes gzipped", n)
		}
		status, body = get(t, coord, base+next+"?lang=en")
		execExpect(t, "activity in English", status, body, http.StatusOK, []string{"History of updates", "Postponed", "Save progress"})
	})
}

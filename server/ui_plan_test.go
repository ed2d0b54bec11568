package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
)

// planHTMX sends a request as htmx does, returning status, body and the response headers.
func planHTMX(t *testing.T, b *http.Client, method, u string, form url.Values) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("HX-Request", "true")
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.Do(req)
	status, body := read(t, resp, err)
	return status, body, resp.Header
}

// planHas checks that body holds every want, naming the page in failures.
func planHas(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// planLacks checks that body holds none of wants.
func planLacks(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if strings.Contains(body, w) {
			t.Errorf("%s should not show %q", what, w)
		}
	}
}

func planTestID(id string) string { return `data-testid="` + id + `"` }

// planCount counts the rows of a table matching a condition on the fixture's plan.
func planCount(t *testing.T, f *accessFixture, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.app.db.Pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// planValidForm is a valid activity form for the fixture's action.
func planValidForm(f *accessFixture) url.Values {
	return url.Values{
		"actionId": {fmt.Sprint(f.action.ID)}, "code": {"1.1.2"}, "title": {"Sensibiliser les transporteurs (illustratif)"},
		"responsibleUnitId": {fmt.Sprint(*f.activity.ResponsibleUnitID)}, "startDate": {"2024-03-01"}, "dueDate": {"2024-06-30"},
		"budgetXof": {"2 500 000"}, "fundingSource": {"État"}, "indicator": {"Nombre de transporteurs sensibilisés"}, "target": {"200"},
	}
}

func TestPlanPage(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	base := f.app.srv.URL
	coord := signInDemo(t, base, "coordonnateur@cnltp.demo")
	id := f.activity.ID

	status, body := get(t, coord, base+"/cycles/2024/pta")
	if status != http.StatusOK {
		t.Fatalf("PTA page = %d\n%s", status, body)
	}
	planHas(t, "coordinator's PTA page", body, planTestID("plan"), planTestID("plan-ready"), "Le PTA peut être soumis",
		"Élaboration du PTA", planTestID(fmt.Sprintf("activity-row-%d", id)), planTestID(fmt.Sprintf("activity-edit-%d", id)),
		planTestID(fmt.Sprintf("activity-delete-%d", id)), fmt.Sprintf(`hx-get="/activites/%d/modifier"`, id), `name="version" value="1"`,
		planTestID("action-form"), planTestID("action-add"), planTestID("activity-new"), planTestID("carry-over"), planTestID("plan-submit"),
		"Soumettre le PTA", "Former 50 acteurs", "CRLTP Tonkpi", "01/03/2024 → 30/06/2024", "1\u202f000\u00a0FCFA", "Sans axe",
		"A1 — Prévention et sensibilisation (illustratif)", `name="axisId"`, "Retirer l&#39;activité 1.1.1 du PTA ?")
	if n := gzipSize(t, body); n > 60*1024 {
		t.Errorf("PTA page weighs %d bytes compressed", n)
	}

	t.Run("English", func(t *testing.T) {
		_, body := get(t, coord, base+"/cycles/2024/pta?lang=en")
		planHas(t, "English PTA page", body, "Submit the plan", "The plan can be submitted", "Drafting the plan", "No axis", "2024 work plan")
		get(t, coord, base+"/cycles/2024/pta?lang=fr")
	})

	t.Run("Warnings", func(t *testing.T) {
		ctx := context.Background()
		actor := ptacycle.SystemActor(f.demoOrg.ID)
		national, err := f.app.db.CreateActivity(ctx, actor, ptacycle.Activity{ActionID: f.action.ID, Code: "1.1.8", Title: "Campagne du 7 août",
			ResponsibleUnitID: f.activity.ResponsibleUnitID, StartDate: ptacycle.NewDate(2024, time.July, 1), DueDate: ptacycle.NewDate(2024, time.August, 7)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = f.app.db.DeleteActivity(ctx, actor, national.ID, national.Version) })
		_, body := get(t, coord, base+"/cycles/2024/pta")
		// The fixture's activity is due on Sunday 30 June; the demo's calendar holds the national day.
		planHas(t, "PTA with due dates on days off", body, planTestID("plan-ready"), planTestID("plan-warnings"), "2 échéance(s) un jour non ouvré",
			"Activité 1.1.1 : l&#39;échéance du 30/06/2024 tombe un dimanche", "Activité 1.1.8 : l&#39;échéance du 07/08/2024 tombe un jour férié (Fête nationale)",
			fmt.Sprintf(`href="/activites/%d/modifier"`, national.ID))
		var view struct {
			Problems []ptacycle.FieldError `json:"problems"`
			Warnings []ptacycle.FieldError `json:"warnings"`
		}
		want(t, f.signIn(t, "coordinator").do("GET", "/cycles/2024/plan", nil), 200, "plan").decode(t, &view)
		if len(view.Problems) != 0 || len(view.Warnings) != 2 || view.Warnings[1].Field != "activities[1.1.8].dueDate" {
			t.Errorf("the API's plan: problems %+v, warnings %+v", view.Problems, view.Warnings)
		}
	})

	t.Run("Problems", func(t *testing.T) {
		ctx := context.Background()
		actor := ptacycle.SystemActor(f.demoOrg.ID)
		loose, err := f.app.db.CreateActivity(ctx, actor, ptacycle.Activity{ActionID: f.action.ID, Code: "1.1.9", Title: "Sans structure ni échéance"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.db.Pool.Exec(ctx, `UPDATE recommendations SET adopted = true, adopted_at = now() WHERE id = $1`, f.rec.ID); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_, _ = f.app.db.Pool.Exec(ctx, `UPDATE recommendations SET adopted = false, adopted_at = NULL WHERE id = $1`, f.rec.ID)
			_ = f.app.db.DeleteActivity(ctx, actor, loose.ID, loose.Version)
		})
		_, body := get(t, coord, base+"/cycles/2024/pta")
		planHas(t, "PTA with problems", body, planTestID("plan-problems"), "3 point(s) à corriger",
			"Activité 1.1.9 : structure responsable manquante", "Activité 1.1.9 : échéance manquante",
			fmt.Sprintf(`href="/activites/%d/modifier"`, loose.ID), "n&#39;est traitée par aucune action",
			`href="/cycles/2024/recommandations"`)
		planLacks(t, "PTA with problems", body, planTestID("plan-ready"))

		status, frag, _ := planHTMX(t, coord, http.MethodGet, base+"/cycles/2024/pta?part=problems", nil)
		if status != http.StatusOK || strings.Contains(frag, "<html") || !strings.Contains(frag, planTestID("plan-problems")) {
			t.Errorf("problems fragment = %d\n%s", status, frag)
		}
	})

	t.Run("ReadOnly", func(t *testing.T) {
		for _, email := range []string{"partenaire@cnltp.demo", "valideur@cnltp.demo"} {
			b := signInDemo(t, base, email)
			status, body := get(t, b, base+"/cycles/2024/pta")
			if status != http.StatusOK {
				t.Fatalf("%s: PTA page = %d", email, status)
			}
			planHas(t, email+"'s PTA page", body, planTestID("plan"), planTestID(fmt.Sprintf("activity-row-%d", id)), "Former 50 acteurs",
				planTestID("plan-readonly"))
			planLacks(t, email+"'s PTA page", body, planTestID("action-form"), planTestID("plan-submit"), planTestID("activity-new"),
				planTestID(fmt.Sprintf("activity-edit-%d", id)), planTestID(fmt.Sprintf("activity-delete-%d", id)), planTestID("carry-over"))
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		owner := signInDemo(t, base, "responsable.tonkpi@cnltp.demo")
		partner := signInDemo(t, base, "partenaire@cnltp.demo")
		for _, b := range []*http.Client{owner, partner} {
			if status, _ := get(t, b, fmt.Sprintf("%s/activites/%d/modifier", base, id)); status != http.StatusForbidden {
				t.Errorf("edit form: %d, want 403", status)
			}
			if status, _ := get(t, b, base+"/cycles/2024/pta/activites/nouvelle"); status != http.StatusForbidden {
				t.Errorf("new activity form: %d, want 403", status)
			}
			for _, path := range []string{fmt.Sprintf("/activites/%d/modifier", id), fmt.Sprintf("/activites/%d/supprimer", id),
				"/cycles/2024/pta/actions", "/cycles/2024/pta/activites", "/cycles/2024/pta/reprise", "/cycles/2024/pta/soumission"} {
				if status, _ := post(t, b, base+path, url.Values{"version": {"1"}, "title": {"Piratage"}, "code": {"9"}}); status != http.StatusForbidden {
					t.Errorf("POST %s: %d, want 403", path, status)
				}
			}
		}
		if got := planCount(t, f, `SELECT count(*) FROM activities WHERE id = $1 AND version = 1`, id); got != 1 {
			t.Error("a refused request changed the activity")
		}
	})

	t.Run("ErrTemporalUnreachable", func(t *testing.T) {
		status, body := post(t, coord, base+"/cycles/2024/pta/soumission", nil)
		if status != http.StatusServiceUnavailable {
			t.Fatalf("submission without Temporal = %d", status)
		}
		planHas(t, "submission without Temporal", body, planTestID("plan-error"), "Le moteur de processus (Temporal) est momentanément injoignable",
			planTestID("temporal-warning"), planTestID(fmt.Sprintf("activity-row-%d", id)))
		if n := planCount(t, f, `SELECT count(*) FROM cycles WHERE year = 2024 AND stage = 'drafting'`); n != 1 {
			t.Error("the cycle moved without its workflow")
		}
	})

	t.Run("ErrNoCycle", func(t *testing.T) {
		if status, body := get(t, coord, base+"/cycles/2031/pta"); status != http.StatusNotFound || !strings.Contains(body, "Aucun cycle 2031") {
			t.Errorf("PTA of a year not launched = %d", status)
		}
	})

	// The seed's PTA size: 82 activities more, paginated, each page within budget.
	t.Run("Weight", func(t *testing.T) {
		ctx := context.Background()
		actor := ptacycle.SystemActor(f.demoOrg.ID)
		plan, _ := f.app.db.Plan(ctx, f.demoOrg.ID, 2024)
		for i := range 82 {
			if i%2 == 0 {
				if _, err := f.app.db.CreateAction(ctx, actor, ptacycle.Action{PlanID: plan.ID, Code: fmt.Sprintf("9.%02d", i/2),
					Title: "Renforcer la coordination des acteurs de la lutte contre la traite (illustratif)"}); err != nil {
					t.Fatal(err)
				}
			}
			actions, _ := f.app.db.Actions(ctx, f.demoOrg.ID, plan.ID)
			if _, err := f.app.db.CreateActivity(ctx, actor, ptacycle.Activity{ActionID: actions[len(actions)-1].ID, Code: fmt.Sprintf("9.%02d.%d", i/2, i%2),
				Title: "Organiser un atelier régional de formation des forces de défense et de sécurité (illustratif)", ResponsibleUnitID: f.activity.ResponsibleUnitID,
				StartDate: ptacycle.NewDate(2024, time.April, 1), DueDate: ptacycle.NewDate(2024, time.September, 30), BudgetXOF: 12500000,
				Indicator: "Nombre d'agents formés aux techniques d'identification des victimes", Target: "120 agents dans les cinq régions"}); err != nil {
				t.Fatal(err)
			}
		}
		for page, rows := range map[int]int{1: 50, 2: 33} {
			status, body := get(t, coord, fmt.Sprintf("%s/cycles/2024/pta?page=%d", base, page))
			if got := strings.Count(body, `data-testid="activity-row-`); status != http.StatusOK || got != rows {
				t.Errorf("page %d: %d, %d rows, want %d", page, status, got, rows)
			}
			planHas(t, fmt.Sprintf("page %d", page), body, planTestID("plan-pager"), fmt.Sprintf("Page %d sur 2", page))
			if n := gzipSize(t, body); n > 60*1024 {
				t.Errorf("page %d weighs %d bytes compressed", page, n)
			} else {
				t.Logf("page %d: %d bytes, %d compressed", page, len(body), n)
			}
		}
	})
}

func TestPlanActivityForm(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	base := f.app.srv.URL
	coord := signInDemo(t, base, "coordonnateur@cnltp.demo")
	activities := func() int {
		return planCount(t, f, `SELECT count(*) FROM activities a JOIN plans p ON p.id = a.plan_id WHERE p.year = 2024`)
	}

	status, body := get(t, coord, fmt.Sprintf("%s/cycles/2024/pta/activites/nouvelle?actionId=%d", base, f.action.ID))
	if status != http.StatusOK {
		t.Fatalf("new activity form = %d\n%s", status, body)
	}
	planHas(t, "new activity form", body, planTestID("activity-form"), planTestID("activity-save"), "Nouvelle activité du PTA 2024",
		`name="actionId"`, fmt.Sprintf(`<option value="%d" selected>1.1 — Former</option>`, f.action.ID), `name="code"`, `name="title"`,
		`name="responsibleUnitId"`, `name="ownerId"`, "Responsable CRLTP Tonkpi (fictif)", `name="partnerUnitIds"`,
		`name="regionIds"`, `name="quarter"`, "T2 (avril – juin)", `name="startDate"`, `name="dueDate"`, `name="budgetXof"`,
		`name="fundingSource"`, `name="indicator"`, `name="target"`, `name="deliverable"`, `name="version"`, "Tonkpi", "Expertise France")
	if n := gzipSize(t, body); n > 60*1024 {
		t.Errorf("activity form weighs %d bytes compressed", n)
	}

	t.Run("Errors", func(t *testing.T) {
		before := activities()
		cases := []struct {
			name, field, value, errField, message string
		}{
			{"ErrNegativeBudget", "budgetXof", "-5000", "budgetXof", "Le budget ne peut pas être négatif"},
			{"ErrBudgetText", "budgetXof", "deux millions", "budgetXof", "Montant invalide : « deux millions »"},
			{"ErrDueBeforeStart", "dueDate", "2024-02-01", "dueDate", "L&#39;échéance (01/02/2024) précède la date de début (01/03/2024)"},
			{"ErrMissingTitle", "title", "  ", "title", "Intitulé de l&#39;activité : champ obligatoire"},
			{"ErrBadDate", "startDate", "31/02/2024", "startDate", "Date « 31/02/2024 » invalide"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				form := planValidForm(f)
				form.Set(tc.field, tc.value)
				status, body := post(t, coord, base+"/cycles/2024/pta/activites", form)
				if status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422\n%s", status, body)
				}
				planHas(t, tc.name, body, planTestID("error-"+tc.errField), tc.message, planTestID("form-error"), planTestID("activity-form"),
					"Nombre de transporteurs sensibilisés", `value="1.1.2"`)
			})
		}
		t.Run("EveryProblemAtOnce", func(t *testing.T) {
			form := planValidForm(f)
			form.Set("budgetXof", "beaucoup")
			form.Set("title", "")
			status, body := post(t, coord, base+"/cycles/2024/pta/activites", form)
			planHas(t, "two errors", body, planTestID("error-budgetXof"), planTestID("error-title"), "2 champs sont à corriger")
			if status != http.StatusUnprocessableEntity {
				t.Errorf("status %d", status)
			}
		})
		if after := activities(); after != before {
			t.Errorf("refused forms changed the plan: %d activities, then %d", before, after)
		}
	})

	t.Run("BudgetSpellings", func(t *testing.T) {
		for i, tc := range []struct {
			typed string
			want  int64 // -1: refused
		}{
			{"2 500 000", 2500000}, {"2.500.000", 2500000}, {"2500000", 2500000}, {"2,500,000", 2500000},
			{"2\u202f500\u202f000 FCFA", 2500000}, {"750000 F", 750000}, {"", 0},
			{"2,5", -1}, {"1.50", -1}, {"12 abc", -1}, {"99999999999999999999", -1},
		} {
			form := planValidForm(f)
			code := fmt.Sprintf("B.%d", i)
			form.Set("code", code)
			form.Set("budgetXof", tc.typed)
			status, _ := post(t, coord, base+"/cycles/2024/pta/activites", form)
			if tc.want < 0 {
				if status != http.StatusUnprocessableEntity {
					t.Errorf("budget %q: %d, want 422", tc.typed, status)
				}
				continue
			}
			var got int64
			if err := f.app.db.Pool.QueryRow(context.Background(), `SELECT budget_xof FROM activities WHERE code = $1`, code).Scan(&got); err != nil || got != tc.want {
				t.Errorf("budget %q: status %d, stored %d (%v), want %d", tc.typed, status, got, err, tc.want)
			}
		}
		if _, err := f.app.db.Pool.Exec(context.Background(), `DELETE FROM activities WHERE code LIKE 'B.%'`); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("English", func(t *testing.T) {
		form := planValidForm(f)
		form.Set("budgetXof", "-1")
		_, body := post(t, coord, base+"/cycles/2024/pta/activites?lang=en", form)
		planHas(t, "English form errors", body, "The budget cannot be negative", "Save the activity")
		get(t, coord, base+"/cycles/2024/pta?lang=fr")
	})

	t.Run("Created", func(t *testing.T) {
		units, _ := f.app.db.Units(context.Background(), f.demoOrg.ID)
		regions, _ := f.app.db.Regions(context.Background(), f.demoOrg.ID)
		form := planValidForm(f)
		form.Set("quarter", "T2")
		form.Set("budgetXof", "2.500.000")
		form["partnerUnitIds"] = []string{fmt.Sprint(units[0].ID), fmt.Sprint(units[1].ID)}
		form["regionIds"] = []string{fmt.Sprint(regions[0].ID)}
		status, location, body := postFull(t, coord, base+"/cycles/2024/pta/activites", form)
		if status != http.StatusSeeOther || !strings.HasPrefix(location, "/cycles/2024/pta") {
			t.Fatalf("create = %d to %q\n%s", status, location, body)
		}
		var a struct {
			ID                int64
			Budget            int64
			Start, Due        time.Time
			Partners, Regions int
		}
		if err := f.app.db.Pool.QueryRow(context.Background(), `SELECT id, budget_xof, start_date, due_date,
			(SELECT count(*) FROM activity_partners WHERE activity_id = a.id), (SELECT count(*) FROM activity_regions WHERE activity_id = a.id)
			FROM activities a WHERE code = '1.1.2'`).Scan(&a.ID, &a.Budget, &a.Start, &a.Due, &a.Partners, &a.Regions); err != nil {
			t.Fatal(err)
		}
		if a.Budget != 2500000 || a.Start.Format(time.DateOnly) != "2024-04-01" || a.Due.Format(time.DateOnly) != "2024-06-30" || a.Partners != 2 || a.Regions != 1 {
			t.Errorf("stored activity = %+v", a)
		}
		_, page := get(t, coord, base+"/cycles/2024/pta")
		planHas(t, "PTA after creation", page, planTestID("flash"), "Activité « Sensibiliser les transporteurs (illustratif) » ajoutée au PTA",
			planTestID(fmt.Sprintf("activity-row-%d", a.ID)), "2\u202f500\u202f000\u00a0FCFA", "2 partenaire(s)", "01/04/2024 → 30/06/2024")
	})
}

func TestPlanEditActivity(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	base := f.app.srv.URL
	coord := signInDemo(t, base, "coordonnateur@cnltp.demo")
	id := f.activity.ID
	editURL := fmt.Sprintf("%s/activites/%d/modifier", base, id)
	stored := func() (string, int, int64) {
		var title string
		var version int
		var budget int64
		if err := f.app.db.Pool.QueryRow(context.Background(), `SELECT title, version, budget_xof FROM activities WHERE id = $1`, id).Scan(&title, &version, &budget); err != nil {
			t.Fatal(err)
		}
		return title, version, budget
	}
	form := func(version int) url.Values {
		v := planValidForm(f)
		v.Set("code", "1.1.1")
		v.Set("title", "Former 60 acteurs de la chaîne pénale")
		v.Set("version", fmt.Sprint(version))
		return v
	}

	t.Run("Page", func(t *testing.T) {
		status, body := get(t, coord, editURL)
		if status != http.StatusOK {
			t.Fatalf("edit page = %d", status)
		}
		planHas(t, "edit page", body, "<html", planTestID("activity-form"), "Modifier l&#39;activité 1.1.1", `value="Former 50 acteurs"`,
			`name="version" value="1"`, `value="2024-06-30"`, `value="1000"`, fmt.Sprintf(`action="/activites/%d/modifier"`, id))
		planLacks(t, "edit page", body, "hx-post")
	})

	t.Run("HTMXFragment", func(t *testing.T) {
		status, body, _ := planHTMX(t, coord, http.MethodGet, editURL, nil)
		if status != http.StatusOK || strings.Contains(body, "<html") || !strings.HasPrefix(strings.TrimSpace(body), "<tr") {
			t.Fatalf("edit fragment = %d\n%s", status, body)
		}
		planHas(t, "edit fragment", body, planTestID(fmt.Sprintf("activity-form-row-%d", id)), planTestID("activity-form"),
			fmt.Sprintf(`hx-post="/activites/%d/modifier"`, id), `hx-target="closest tr"`, `value="Former 50 acteurs"`)

		bad := form(1)
		bad.Set("budgetXof", "-10")
		status, body, _ = planHTMX(t, coord, http.MethodPost, editURL, bad)
		if status != http.StatusUnprocessableEntity || strings.Contains(body, "<html") {
			t.Fatalf("htmx refused edit = %d\n%s", status, body)
		}
		planHas(t, "htmx refused edit", body, planTestID("error-budgetXof"), "Le budget ne peut pas être négatif", `value="Former 60 acteurs de la chaîne pénale"`)
		if title, version, _ := stored(); title != "Former 50 acteurs" || version != 1 {
			t.Errorf("a refused edit changed the activity: %q v%d", title, version)
		}

		status, body, header := planHTMX(t, coord, http.MethodPost, editURL, form(1))
		if status != http.StatusOK || strings.Contains(body, "<html") || !strings.HasPrefix(strings.TrimSpace(body), "<tr") {
			t.Fatalf("htmx edit = %d\n%s", status, body)
		}
		planHas(t, "updated row", body, planTestID(fmt.Sprintf("activity-row-%d", id)), "Former 60 acteurs de la chaîne pénale",
			"2\u202f500\u202f000\u00a0FCFA", `name="version" value="2"`)
		if header.Get("HX-Trigger") != "plan-changed" {
			t.Errorf("HX-Trigger = %q", header.Get("HX-Trigger"))
		}
		if title, version, budget := stored(); title != "Former 60 acteurs de la chaîne pénale" || version != 2 || budget != 2500000 {
			t.Errorf("after the htmx edit: %q v%d %d", title, version, budget)
		}
	})

	t.Run("ErrStaleEdit", func(t *testing.T) {
		stale := form(1)
		stale.Set("title", "Ma version à moi")
		status, body := post(t, coord, editURL, stale)
		if status != http.StatusConflict {
			t.Fatalf("stale edit = %d\n%s", status, body)
		}
		planHas(t, "stale edit", body, planTestID("stale-edit"), "quelqu&#39;un a modifié cette activité entre-temps",
			"Former 60 acteurs de la chaîne pénale", `value="Ma version à moi"`, `name="version" value="2"`)
		if title, version, _ := stored(); title != "Former 60 acteurs de la chaîne pénale" || version != 2 {
			t.Errorf("a stale edit changed the activity: %q v%d", title, version)
		}
		// Saving again, having seen the stored values, goes through.
		stale.Set("version", "2")
		status, location, _ := postFull(t, coord, editURL, stale)
		if status != http.StatusSeeOther || !strings.HasPrefix(location, "/cycles/2024/pta") {
			t.Fatalf("second save = %d to %q", status, location)
		}
		_, page := get(t, coord, base+"/cycles/2024/pta")
		planHas(t, "PTA after the edit", page, planTestID("flash"), "Activité « Ma version à moi » enregistrée")
	})

	t.Run("Delete", func(t *testing.T) {
		deleteURL := fmt.Sprintf("%s/activites/%d/supprimer", base, id)
		status, body := post(t, coord, deleteURL, url.Values{"version": {"1"}})
		if status != http.StatusConflict || !strings.Contains(body, planTestID("plan-error")) || !strings.Contains(body, "modifié cette activité entre-temps") {
			t.Errorf("stale delete = %d\n%s", status, body)
		}
		if n := planCount(t, f, `SELECT count(*) FROM activities WHERE id = $1`, id); n != 1 {
			t.Fatal("a stale delete removed the activity")
		}
		_, version, _ := stored()
		status, location, _ := postFull(t, coord, deleteURL, url.Values{"version": {fmt.Sprint(version)}})
		if status != http.StatusSeeOther || location != "/cycles/2024/pta" {
			t.Errorf("delete = %d to %q", status, location)
		}
		if n := planCount(t, f, `SELECT count(*) FROM activities WHERE id = $1`, id); n != 0 {
			t.Error("the activity is still there")
		}
		_, page := get(t, coord, base+"/cycles/2024/pta")
		planHas(t, "PTA after removal", page, "Activité « Ma version à moi » retirée du PTA", planTestID("plan-problems"), "Le PTA ne compte aucune activité")
	})
}

func TestPlanActionsAndCarryOver(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	base := f.app.srv.URL
	ctx := context.Background()
	coord := signInDemo(t, base, "coordonnateur@cnltp.demo")
	actions := func() int {
		return planCount(t, f, `SELECT count(*) FROM actions a JOIN plans p ON p.id = a.plan_id WHERE p.year = 2024`)
	}

	t.Run("ErrMissingTitle", func(t *testing.T) {
		before := actions()
		status, body := post(t, coord, base+"/cycles/2024/pta/actions", url.Values{"code": {"2.1"}, "title": {""}})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("action without title = %d", status)
		}
		planHas(t, "refused action", body, planTestID("error-title"), "Intitulé de l&#39;action : champ obligatoire", `value="2.1"`, planTestID("plan"))
		if actions() != before {
			t.Error("a refused action was stored")
		}
	})

	t.Run("Added", func(t *testing.T) {
		strategy, err := f.app.db.StrategyForYear(ctx, f.demoOrg.ID, 2024)
		if err != nil {
			t.Fatal(err)
		}
		axis := strategy.Axes[1]
		status, location, _ := postFull(t, coord, base+"/cycles/2024/pta/actions",
			url.Values{"code": {"2.1"}, "title": {"Assister les victimes"}, "axisId": {fmt.Sprint(axis.ID)}})
		if status != http.StatusSeeOther || !strings.HasPrefix(location, "/cycles/2024/pta") {
			t.Fatalf("add action = %d to %q", status, location)
		}
		_, body := get(t, coord, base+"/cycles/2024/pta")
		planHas(t, "PTA after adding an action", body, "Action 2.1 ajoutée au PTA", "2.1 — Assister les victimes", planTestID(fmt.Sprintf("axis-%d", axis.ID)))
		section := body[strings.Index(body, planTestID(fmt.Sprintf("axis-%d", axis.ID))):]
		if !strings.Contains(section[:strings.Index(section, "</section>")], "Assister les victimes") {
			t.Error("the action is not under its axis")
		}
	})

	// An action's code is short, without spaces (2.1, A1): not its title.
	t.Run("ErrCodeShape", func(t *testing.T) {
		before := actions()
		status, body := post(t, coord, base+"/cycles/2024/pta/actions", url.Values{"code": {"Action 5"}, "title": {"Sensibiliser"}})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("action coded « Action 5 » = %d", status)
		}
		planHas(t, "action coded « Action 5 »", body, planTestID("error-code"), "court, sans espace, par exemple 1.2 ou A1", "reçu « Action 5 »")
		if actions() != before {
			t.Error("an action coded « Action 5 » was stored")
		}
	})

	// Renamed, recoded, then removed in drafting, from its own form on the PTA page.
	t.Run("EditedAndRemoved", func(t *testing.T) {
		var id int64
		if err := f.app.db.Pool.QueryRow(ctx, `SELECT a.id FROM actions a JOIN plans p ON p.id = a.plan_id WHERE p.year = 2024 AND a.code = '2.1'`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		edit := fmt.Sprintf("%s/cycles/2024/pta/actions/%d", base, id)
		_, body := get(t, coord, base+"/cycles/2024/pta")
		planHas(t, "PTA with an action's form", body, planTestID(fmt.Sprintf("action-edit-form-%d", id)), "Modifier ou retirer l&#39;action 2.1",
			planTestID(fmt.Sprintf("action-delete-%d", id)))
		// The action of the fixture has an activity: it is not offered for removal.
		planLacks(t, "PTA with an action's form", body, planTestID(fmt.Sprintf("action-delete-%d", f.action.ID)))

		status, body := post(t, coord, edit, url.Values{"code": {"Action 2"}, "title": {"Assister et protéger les victimes"}})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("action renamed with code « Action 2 » = %d", status)
		}
		planHas(t, "refused action edit", body, planTestID(fmt.Sprintf("error-action-code-%d", id)), `value="Assister et protéger les victimes"`, "reçu « Action 2 »")
		if !strings.Contains(body, fmt.Sprintf(`data-testid="action-edit-%d" open`, id)) {
			t.Error("the refused action form is not open")
		}
		status, location, _ := postFull(t, coord, edit, url.Values{"code": {"2.2"}, "title": {"Assister et protéger les victimes"}})
		if status != http.StatusSeeOther || location != fmt.Sprintf("/cycles/2024/pta#action-%d", id) {
			t.Fatalf("action edit = %d to %q", status, location)
		}
		_, body = get(t, coord, base+"/cycles/2024/pta")
		planHas(t, "PTA after the action's edit", body, "Action 2.2 enregistrée", "2.2 — Assister et protéger les victimes")

		before := actions()
		status, _, body = postFull(t, coord, fmt.Sprintf("%s/cycles/2024/pta/actions/%d/supprimer", base, f.action.ID), url.Values{"code": {f.action.Code}})
		if status != http.StatusConflict || !strings.Contains(body, "retirez-les d&#39;abord") || actions() != before {
			t.Errorf("removing an action with activities = %d (%d actions, %d before)", status, actions(), before)
		}
		status, location, _ = postFull(t, coord, edit+"/supprimer", url.Values{"code": {"2.2"}})
		if status != http.StatusSeeOther || location != "/cycles/2024/pta" || actions() != before-1 {
			t.Fatalf("removing an empty action = %d to %q (%d actions, %d before)", status, location, actions(), before)
		}
		_, body = get(t, coord, base+"/cycles/2024/pta")
		planHas(t, "PTA after removing an action", body, "Action 2.2 retirée du PTA")
		planLacks(t, "PTA after removing an action", body, "Assister et protéger les victimes")
	})

	// Last year's plan: one activity in progress, one done.
	actor := ptacycle.SystemActor(f.demoOrg.ID)
	if _, err := f.app.db.CreateCycle(ctx, actor, ptacycle.Cycle{Year: 2023, Stage: ptacycle.StageExecution, WorkflowID: "cycle/cnltp/2023"}); err != nil {
		t.Fatal(err)
	}
	last, _ := f.app.db.Plan(ctx, f.demoOrg.ID, 2023)
	oldAction, err := f.app.db.CreateAction(ctx, actor, ptacycle.Action{PlanID: last.ID, Code: "3.1", Title: "Former les magistrats"})
	if err != nil {
		t.Fatal(err)
	}
	unfinished, err := f.app.db.CreateActivity(ctx, actor, ptacycle.Activity{ActionID: oldAction.ID, Code: "3.1.1", Title: "Atelier des magistrats de Man",
		ResponsibleUnitID: f.activity.ResponsibleUnitID, DueDate: ptacycle.NewDate(2023, time.October, 31)})
	if err != nil {
		t.Fatal(err)
	}
	done, err := f.app.db.CreateActivity(ctx, actor, ptacycle.Activity{ActionID: oldAction.ID, Code: "3.1.2", Title: "Guide du magistrat",
		DueDate: ptacycle.NewDate(2023, time.May, 31)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.db.Pool.Exec(ctx, `UPDATE activities SET status = CASE WHEN id = $1 THEN 'in_progress' ELSE 'done' END, progress = CASE WHEN id = $1 THEN 40 ELSE 100 END WHERE id IN ($1, $2)`,
		unfinished.ID, done.ID); err != nil {
		t.Fatal(err)
	}

	t.Run("CarryOver", func(t *testing.T) {
		_, body := get(t, coord, base+"/cycles/2024/pta")
		planHas(t, "carry-over list", body, planTestID("carry-over"), "Reprise des activités inachevées du PTA 2023",
			planTestID(fmt.Sprintf("carry-over-%d", unfinished.ID)), "Atelier des magistrats de Man", "En cours", planTestID("carry-over-submit"),
			fmt.Sprintf(`name="activityIds" value="%d"`, unfinished.ID))
		planLacks(t, "carry-over list", body, planTestID(fmt.Sprintf("carry-over-%d", done.ID)))

		status, body := post(t, coord, base+"/cycles/2024/pta/reprise", url.Values{})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Cochez au moins une activité à reprendre") {
			t.Errorf("empty carry-over = %d", status)
		}
		status, body = post(t, coord, base+"/cycles/2024/pta/reprise", url.Values{"activityIds": {fmt.Sprint(done.ID)}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Seules les activités inachevées du PTA 2023") {
			t.Errorf("carrying over a done activity = %d", status)
		}
		status, location, _ := postFull(t, coord, base+"/cycles/2024/pta/reprise", url.Values{"activityIds": {fmt.Sprint(unfinished.ID)}})
		if status != http.StatusSeeOther || location != "/cycles/2024/pta" {
			t.Fatalf("carry-over = %d to %q", status, location)
		}
		if n := planCount(t, f, `SELECT count(*) FROM activities WHERE carried_over_from = $1 AND due_date = '2024-10-31'`, unfinished.ID); n != 1 {
			t.Errorf("%d carried-over copies", n)
		}
		_, body = get(t, coord, base+"/cycles/2024/pta")
		planHas(t, "PTA after carry-over", body, "1 activité(s) reprise(s) dans le PTA", "3.1 — Former les magistrats", "reprise", planTestID("carry-over-none"))
	})
}

// TestPlanSubmit drives the PTA page's workflow steps on the real stack:
// refused then accepted submission, read-only execution, early close refused, revision.
func TestPlanSubmit(t *testing.T) {
	t.Parallel()
	r := mustRealStack(t)
	ctx := context.Background()
	year := time.Now().Year()
	cycle := fmt.Sprintf("/cycles/%d", year)
	api := r.as(t, "coordonnateur@cnltp.demo", demo.Password)
	want(t, api.do("POST", "/cycles", map[string]any{"year": year}), 201, "launch")
	want(t, api.do("POST", cycle+"/bilan/close", nil), 200, "close bilan")
	var rec ptacycle.Recommendation
	want(t, api.do("POST", cycle+"/recommendations", map[string]any{"text": "Doter le CNLTP d'un budget de fonctionnement", "priority": "high"}), 201, "recommendation").decode(t, &rec)
	want(t, api.do("POST", cycle+"/recommendations/adopt", map[string]any{"recommendationIds": []int64{rec.ID}}), 200, "adopt")
	stage := func() ptacycle.Stage {
		cy, err := r.db.Cycle(ctx, r.org.ID, year)
		if err != nil {
			t.Fatal(err)
		}
		return cy.Stage
	}

	coord := signInDemo(t, r.srv.URL, "coordonnateur@cnltp.demo")
	page := r.srv.URL + cycle + "/pta"
	_, body := get(t, coord, page)
	planHas(t, "empty draft", body, planTestID("plan-problems"), "Le PTA ne compte aucune activité", "n&#39;est traitée par aucune action",
		fmt.Sprintf(`href="/cycles/%d/recommandations"`, year), planTestID("plan-submit"))

	status, body := post(t, coord, page+"/soumission", nil)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid submission = %d\n%s", status, body)
	}
	planHas(t, "refused submission", body, planTestID("plan-error"), "Le PTA ne peut pas être soumis : 2 point(s) à corriger", "Le PTA ne compte aucune activité")
	if s := stage(); s != ptacycle.StageDrafting {
		t.Fatalf("stage after a refused submission: %s", s)
	}

	if status, _, _ := postFull(t, coord, page+"/actions", url.Values{"code": {"1.1"}, "title": {"Doter le comité de moyens"}}); status != http.StatusSeeOther {
		t.Fatalf("add action = %d", status)
	}
	plan, _ := r.db.Plan(ctx, r.org.ID, year)
	actions, _ := r.db.Actions(ctx, r.org.ID, plan.ID)
	units, _ := r.db.Units(ctx, r.org.ID)
	if status, _, body := postFull(t, coord, page+"/activites", url.Values{"actionId": {fmt.Sprint(actions[0].ID)}, "code": {"1.1.1"},
		"title": {"Plaidoyer budgétaire (illustratif)"}, "responsibleUnitId": {fmt.Sprint(units[0].ID)}, "quarter": {"T4"}, "budgetXof": {"1 000 000"}}); status != http.StatusSeeOther {
		t.Fatalf("add activity = %d\n%s", status, body)
	}
	want(t, api.do("PUT", fmt.Sprintf("/recommendations/%d/actions", rec.ID), map[string]any{"actionIds": []int64{actions[0].ID}}), 204, "link")
	_, body = get(t, coord, page)
	planHas(t, "complete draft", body, planTestID("plan-ready"))

	status, location, body := postFull(t, coord, page+"/soumission", nil)
	if status != http.StatusSeeOther || location != cycle+"/validation" {
		t.Fatalf("submission = %d to %q\n%s", status, location, body)
	}
	if s := stage(); s != ptacycle.StageValidation {
		t.Fatalf("stage after submission: %s", s)
	}
	_, body = get(t, coord, page)
	planHas(t, "submitted plan", body, "PTA soumis à la validation (version 1)", "Soumis, en attente de validation")
	planLacks(t, "submitted plan", body, planTestID("plan-submit"), planTestID("action-form"), "hx-get=\"/activites/")

	approver := r.as(t, "valideur@cnltp.demo", demo.Password)
	want(t, approver.do("POST", cycle+"/decisions", map[string]any{"level": 1, "version": 1, "outcome": "approved"}), 200, "approve")

	_, body = get(t, coord, page)
	planHas(t, "plan in execution", body, planTestID("plan-revise"), planTestID("cycle-close"), "Réviser le PTA", "Clôturer le cycle", "Approuvé")
	planLacks(t, "plan in execution", body, planTestID("plan-submit"), planTestID("activity-new"))
	partner := signInDemo(t, r.srv.URL, "partenaire@cnltp.demo")
	_, body = get(t, partner, page)
	planLacks(t, "partner's plan in execution", body, planTestID("plan-revise"), planTestID("cycle-close"))

	status, body = post(t, coord, r.srv.URL+cycle+"/cloture", nil)
	if status != http.StatusConflict {
		t.Fatalf("early close = %d\n%s", status, body)
	}
	planHas(t, "refused close", body, planTestID("plan-error"), "1 activité(s) ne sont ni réalisées ni annulées")
	if s := stage(); s != ptacycle.StageExecution {
		t.Fatalf("stage after a refused close: %s", s)
	}

	status, location, _ = postFull(t, coord, page+"/revision", nil)
	if status != http.StatusSeeOther || location != cycle+"/pta" {
		t.Fatalf("revision = %d to %q", status, location)
	}
	if s := stage(); s != ptacycle.StageDrafting {
		t.Fatalf("stage after revision: %s", s)
	}
	_, body = get(t, coord, page)
	planHas(t, "plan under revision", body, "Le PTA est rouvert pour révision", planTestID("plan-submit"), "révision en cours d&#39;année")
}

// planWaitHTMX waits until the page has loaded and htmx has settled its last
// swap: htmx binds new content only then, and a click before it is a plain
// browser submission.
func planWaitHTMX(t *testing.T, b *chrome) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.readyState === "complete" && !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling")`)); err != nil {
		t.Fatal(err)
	}
}

// TestPlanBrowserInlineEdit edits an activity in its table row with htmx in
// Chromium: a refused save (422) shows the form with its error in place, an
// accepted one swaps the row back and refreshes the validation summary.
func TestPlanBrowserInlineEdit(t *testing.T) {
	f := mustAccessFixture(t)
	loose, err := f.app.db.CreateActivity(context.Background(), ptacycle.SystemActor(f.demoOrg.ID), ptacycle.Activity{ActionID: f.action.ID, Code: "1.1.2",
		Title: "Sans structure (illustratif)", DueDate: ptacycle.NewDate(2024, time.December, 31)})
	if err != nil {
		t.Fatal(err)
	}
	b := mustChrome(t, f.app.srv.URL, desktopWidth, desktopHeight)
	b.login("coordonnateur@cnltp.demo", demo.Password)
	b.visit("/cycles/2024/pta")
	planWaitHTMX(t, b)
	b.shot("plan")

	row := fmt.Sprintf("activity-row-%d", loose.ID)
	b.click(fmt.Sprintf("activity-edit-%d", loose.ID))
	b.waitFor(fmt.Sprintf("activity-form-row-%d", loose.ID))
	planWaitHTMX(t, b)
	b.fill("budgetXof", "deux millions")
	b.click("activity-save")
	b.waitFor("error-budgetXof")
	planWaitHTMX(t, b)
	b.shot("inline-error")
	if got := b.text("error-budgetXof"); !strings.Contains(got, "Montant invalide") {
		t.Errorf("inline error = %q", got)
	}
	b.fill("budgetXof", "2 000 000")
	b.fill("responsibleUnitId", fmt.Sprint(*f.activity.ResponsibleUnitID))
	b.click("activity-save")
	b.waitFor(row)
	b.waitFor("plan-ready")
	b.shot("inline-saved")
	if got := b.text(row); !strings.Contains(got, "2\u202f000\u202f000") || !strings.Contains(got, "CRLTP Tonkpi") {
		t.Errorf("saved row = %q", got)
	}

	// Someone else saves meanwhile: the row's form comes back with the stored values.
	planWaitHTMX(t, b)
	b.click(fmt.Sprintf("activity-edit-%d", loose.ID))
	b.waitFor(fmt.Sprintf("activity-form-row-%d", loose.ID))
	planWaitHTMX(t, b)
	if _, err := f.app.db.Pool.Exec(context.Background(), `UPDATE activities SET title = 'Titre changé ailleurs', version = version + 1 WHERE id = $1`, loose.ID); err != nil {
		t.Fatal(err)
	}
	b.click("activity-save")
	b.waitFor("stale-edit")
	b.shot("inline-stale")
	if got := b.text("stale-edit"); !strings.Contains(got, "Titre changé ailleurs") {
		t.Errorf("stale notice = %q", got)
	}
	if l := b.location(); l != "/cycles/2024/pta" {
		t.Errorf("inline edit left the page for %s", l)
	}
}

// TestPlanActivityNextCode: an activity added with its code left empty takes
// the action's next code, through the page and through the API (the page
// answered « Donnée refusée (activities_code_check) » before).
func TestPlanActivityNextCode(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	b := signInAs(t, f.app.srv.URL, "coordinator")
	form := planValidForm(f)
	form.Set("code", "")
	status, _, body := postFull(t, b, fmt.Sprintf("%s/cycles/%d/pta/activites", f.app.srv.URL, f.year), form)
	if status != http.StatusSeeOther {
		t.Fatalf("adding an activity without a code: %d %s", status, body)
	}
	api := f.signIn(t, "coordinator")
	var created ptacycle.Activity
	want(t, api.do("POST", fmt.Sprintf("/cycles/%d/plan/activities", f.year), map[string]any{"actionId": f.action.ID, "title": "Former les douaniers",
		"startDate": "2024-03-01", "dueDate": "2024-06-30"}), http.StatusCreated, "an activity without a code through the API").decode(t, &created)
	codes := rowState(t, f, `SELECT code FROM activities WHERE action_id = $1 ORDER BY code`, f.action.ID)
	if codes != "[1.1.1];[1.1.2];[1.1.3];" || created.Code != "1.1.3" {
		t.Errorf("codes after two activities without one: %s (the API's answered %q), want 1.1.1, 1.1.2, 1.1.3", codes, created.Code)
	}
}

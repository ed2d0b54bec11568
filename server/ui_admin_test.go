package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
)

func TestAdminPage(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	base := f.app.srv.URL
	ctx := context.Background()
	admin := signInAs(t, base, "admin")
	org := f.demoOrg.ID
	users := func() []ptacycle.User {
		list, err := f.app.db.Users(ctx, org, "")
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	before := len(users())
	approver, _, _ := f.app.db.UserByEmail(ctx, demoLogins["approver"])
	owner, _, _ := f.app.db.UserByEmail(ctx, demoLogins["owner"])
	me, _, _ := f.app.db.UserByEmail(ctx, demoLogins["admin"])

	status, body := get(t, admin, base+"/admin")
	execExpect(t, "admin page", status, body, http.StatusOK,
		[]string{`data-testid="users"`, `data-testid="user-form"`, `data-testid="user-create"`, fmt.Sprintf(`data-testid="user-edit-%d"`, owner.ID),
			`data-testid="units"`, `data-testid="unit-form"`, `data-testid="region-form"`, `data-testid="chain-form"`, `data-testid="chain-save"`,
			`name="levels.1.approverId"`, `name="levels.2.name"`, "Responsable d&#39;activité", "CRLTP Tonkpi", "Cellule régionale", "Tonkpi",
			"se fixent à chaque lancement"})
	if n := gzipSize(t, body); n > 60_000 {
		t.Errorf("admin page weighs %d bytes gzipped", n)
	}
	status, body = get(t, admin, base+"/admin?lang=en")
	execExpect(t, "admin in English", status, body, http.StatusOK, []string{"Create the account", "Plan approval chain", "Activity owner"})
	get(t, admin, base+"/admin?lang=fr")

	t.Run("ErrForbidden", func(t *testing.T) {
		for _, role := range []string{"coordinator", "approver", "owner", "partner"} {
			b := signInAs(t, base, role)
			if status, _ := get(t, b, base+"/admin"); status != http.StatusForbidden {
				t.Errorf("%s on /admin: %d", role, status)
			}
			if status, _ := post(t, b, base+"/admin/utilisateurs", url.Values{"email": {"x@y.ci"}}); status != http.StatusForbidden {
				t.Errorf("%s creating a user: %d", role, status)
			}
		}
		if len(users()) != before {
			t.Error("a refused request created a user")
		}
	})
	t.Run("ErrUserInvalid", func(t *testing.T) {
		status, body := post(t, admin, base+"/admin/utilisateurs", url.Values{"email": {"pas-une-adresse"}, "fullName": {"Koffi Yao"},
			"role": {"owner"}, "unitId": {""}, "language": {"fr"}, "password": {"court"}})
		execExpect(t, "invalid user", status, body, http.StatusUnprocessableEntity,
			[]string{`data-testid="error-email"`, `data-testid="error-password"`, `data-testid="error-unitId"`, "Au moins 10 caractères", `value="Koffi Yao"`})
		if len(users()) != before {
			t.Error("an invalid user was created")
		}
	})
	t.Run("CreateUser", func(t *testing.T) {
		st, loc, _ := postFull(t, admin, base+"/admin/utilisateurs", url.Values{"email": {"koffi.yao@cnltp.demo"}, "fullName": {"Koffi Yao"},
			"role": {"owner"}, "unitId": {fmt.Sprint(*owner.UnitID)}, "language": {"fr"}, "password": {"mot-de-passe-initial"}})
		if st != http.StatusSeeOther || loc != "/admin" {
			t.Fatalf("create user = %d to %q", st, loc)
		}
		status, body := get(t, admin, base+"/admin")
		execExpect(t, "after creating a user", status, body, http.StatusOK, []string{`data-testid="flash"`, "Compte créé pour Koffi Yao"})
		u, _, err := f.app.db.UserByEmail(ctx, "koffi.yao@cnltp.demo")
		if err != nil || u.Role != ptacycle.RoleOwner || u.UnitID == nil || *u.UnitID != *owner.UnitID {
			t.Errorf("created user = %+v, %v", u, err)
		}
		signIn(t, base, "koffi.yao@cnltp.demo", "mot-de-passe-initial")
	})
	t.Run("UpdateUser", func(t *testing.T) {
		status, body := post(t, admin, fmt.Sprintf("%s/admin/utilisateurs/%d", base, owner.ID), url.Values{"role": {"owner"}, "unitId": {""}, "active": {"1"}})
		execExpect(t, "owner without unit", status, body, http.StatusUnprocessableEntity, []string{`data-testid="error-unitId"`, "appartenir à une structure"})
		status, body = post(t, admin, fmt.Sprintf("%s/admin/utilisateurs/%d", base, me.ID), url.Values{"role": {"admin"}, "unitId": {""}})
		execExpect(t, "deactivating oneself", status, body, http.StatusConflict, []string{"vos propres droits"})
		st, loc, _ := postFull(t, admin, fmt.Sprintf("%s/admin/utilisateurs/%d", base, owner.ID), url.Values{"role": {"partner"}, "unitId": {fmt.Sprint(*owner.UnitID)}})
		if st != http.StatusSeeOther || loc != "/admin" {
			t.Fatalf("update user = %d to %q", st, loc)
		}
		u, _ := f.app.db.User(ctx, org, owner.ID)
		if u.Role != ptacycle.RolePartner || u.Active || u.FullName != owner.FullName || u.Language != owner.Language {
			t.Errorf("updated user = %+v", u)
		}
	})
	t.Run("Units", func(t *testing.T) {
		status, body := post(t, admin, base+"/admin/structures", url.Values{"name": {""}, "acronym": {"CRLTP"}, "kind": {"regional_cell"}})
		execExpect(t, "invalid unit", status, body, http.StatusUnprocessableEntity,
			[]string{`data-testid="error-name"`, `data-testid="error-regionId"`, "Une cellule régionale doit avoir une région"})
		st, loc, _ := postFull(t, admin, base+"/admin/regions", url.Values{"name": {"Gontougo"}})
		if st != http.StatusSeeOther || loc != "/admin" {
			t.Fatalf("create region = %d to %q", st, loc)
		}
		status, body = post(t, admin, base+"/admin/regions", url.Values{"name": {" "}})
		execExpect(t, "region without name", status, body, http.StatusUnprocessableEntity, []string{`id="e-region-name"`, "Nom de la région"})
		regions, _ := f.app.db.Regions(ctx, org)
		var gontougo int64
		for _, r := range regions {
			if r.Name == "Gontougo" {
				gontougo = r.ID
			}
		}
		st, loc, _ = postFull(t, admin, base+"/admin/structures", url.Values{"name": {"CRLTP Gontougo"}, "acronym": {"CRLTP"},
			"kind": {"regional_cell"}, "regionId": {fmt.Sprint(gontougo)}, "parentId": {""}})
		if st != http.StatusSeeOther || loc != "/admin" {
			t.Fatalf("create unit = %d to %q", st, loc)
		}
		status, body = get(t, admin, base+"/admin")
		execExpect(t, "after the unit", status, body, http.StatusOK, []string{"Structure « CRLTP Gontougo » ajoutée", "CRLTP Gontougo", "Gontougo"})
	})
	t.Run("Chain", func(t *testing.T) {
		chain := func() []ptacycle.ApprovalLevel {
			levels, _ := f.app.db.ApprovalChain(ctx, org)
			return levels
		}
		stored := chain()
		status, body := post(t, admin, base+"/admin/chaine", url.Values{
			"levels.1.name": {"Plénière"}, "levels.1.approverId": {""}, "levels.1.deadlineDays": {"10"},
			"levels.2.name": {"Ministère"}, "levels.2.approverId": {fmt.Sprint(approver.ID)}, "levels.2.deadlineDays": {"10"}})
		execExpect(t, "a level without approver", status, body, http.StatusUnprocessableEntity,
			[]string{`data-testid="error-levels.1.approverId"`, "valideur obligatoire", `value="Plénière"`})
		status, body = post(t, admin, base+"/admin/chaine", url.Values{
			"levels.1.name": {"Plénière"}, "levels.1.approverId": {fmt.Sprint(approver.ID)}, "levels.1.deadlineDays": {"10"},
			"levels.2.name": {""}, "levels.2.approverId": {""}, "levels.2.deadlineDays": {"10"},
			"levels.3.name": {"Ministère"}, "levels.3.approverId": {fmt.Sprint(approver.ID)}, "levels.3.deadlineDays": {"10"}})
		execExpect(t, "a gap", status, body, http.StatusUnprocessableEntity, []string{`data-testid="error-levels.3.name"`, "Niveau 2 attendu"})
		if got := chain(); len(got) != len(stored) || got[0] != stored[0] {
			t.Errorf("a refused chain was stored: %+v", got)
		}
		status, body = post(t, admin, base+"/admin/chaine", url.Values{
			"levels.1.name": {"Plénière du comité"}, "levels.1.approverId": {fmt.Sprint(approver.ID)}, "levels.1.deadlineDays": {"7"},
			"levels.2.name": {"Ministère"}, "levels.2.approverId": {fmt.Sprint(approver.ID)}, "levels.2.deadlineDays": {"10"},
			"levels.3.name": {""}, "levels.3.approverId": {""}, "levels.3.deadlineDays": {"10"}})
		execExpect(t, "one approver on two levels", status, body, http.StatusUnprocessableEntity, []string{`data-testid="error-levels.2.approverId"`, "valide déjà le niveau 1"})
		hash, _ := ptacycle.HashPassword("mot-de-passe-solide")
		plenary, err := f.app.db.CreateUser(ctx, ptacycle.SystemActor(f.demoOrg.ID), ptacycle.User{Email: "pleniere@cnltp.demo", FullName: "Président de la plénière",
			Role: ptacycle.RoleApprover, Language: "fr", Active: true}, hash)
		if err != nil {
			t.Fatal(err)
		}
		st, loc, _ := postFull(t, admin, base+"/admin/chaine", url.Values{
			"levels.1.name": {"Plénière du comité"}, "levels.1.approverId": {fmt.Sprint(plenary.ID)}, "levels.1.deadlineDays": {"7"},
			"levels.2.name": {"Ministère"}, "levels.2.approverId": {fmt.Sprint(approver.ID)}, "levels.2.deadlineDays": {"10"},
			"levels.3.name": {""}, "levels.3.approverId": {""}, "levels.3.deadlineDays": {"10"}})
		if st != http.StatusSeeOther || loc != "/admin" {
			t.Fatalf("set chain = %d to %q", st, loc)
		}
		got := chain()
		if len(got) != 2 || got[0].Name != "Plénière du comité" || got[0].DeadlineDays != 7 || got[1].ApproverID != approver.ID {
			t.Errorf("chain = %+v", got)
		}
		status, body = get(t, admin, base+"/admin")
		execExpect(t, "after the chain", status, body, http.StatusOK, []string{"Chaîne de validation enregistrée : 2 niveau(x)", `value="Plénière du comité"`, `name="levels.3.name"`})
	})
}

// TestAdminHolidays: the administrator keeps the organisation's public
// holidays (which reminders avoid) on the administration page and through the API.
func TestAdminHolidays(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	base, ctx, org := f.app.srv.URL, context.Background(), f.demoOrg.ID
	year := time.Now().Year()
	admin := signInAs(t, base, "admin")
	day := fmt.Sprintf("%d-03-10", year) // before any Easter Monday: a Korité, which the demo cannot compute
	stored := func() []ptacycle.Holiday {
		t.Helper()
		list, err := f.app.db.HolidayList(ctx, org, ptacycle.NewDate(year, time.January, 1), ptacycle.NewDate(year+1, time.December, 31))
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	before := len(stored())

	status, body := post(t, admin, base+"/admin/feries", url.Values{"day": {"31/02"}, "name": {""}})
	execExpect(t, "a holiday without date nor name", status, body, http.StatusUnprocessableEntity,
		[]string{`data-testid="error-day"`, "choisissez un jour", `data-testid="error-holiday-name"`, "Nom du jour férié"})
	if len(stored()) != before {
		t.Fatal("a refused holiday was stored")
	}
	st, loc, _ := postFull(t, admin, base+"/admin/feries", url.Values{"day": {day}, "name": {"Korité"}})
	if st != http.StatusSeeOther || loc != "/admin#feries" {
		t.Fatalf("add a holiday = %d to %q", st, loc)
	}
	status, body = get(t, admin, base+"/admin")
	execExpect(t, "after adding a holiday", status, body, http.StatusOK, []string{`data-testid="flash"`, fmt.Sprintf("Jour férié « Korité » du 10/03/%d enregistré", year),
		fmt.Sprintf(`data-testid="holiday-%s"`, day), fmt.Sprintf(`action="/admin/feries/%s/supprimer"`, day)})

	// Added again under another name: refused, saying which holiday it is, until « Renommer » is ticked.
	t.Run("ErrDayTaken", func(t *testing.T) {
		name := func() string {
			for _, h := range stored() {
				if h.Day.String() == day {
					return h.Name
				}
			}
			return ""
		}
		status, body := post(t, admin, base+"/admin/feries", url.Values{"day": {day}, "name": {"Fin du Ramadan"}})
		execExpect(t, "a holiday on a day already one", status, body, http.StatusUnprocessableEntity,
			[]string{`data-testid="error-day"`, "déjà un jour férié, « Korité »", "cochez « Renommer »", `data-testid="holiday-rename"`, `value="Fin du Ramadan"`})
		if n := name(); n != "Korité" {
			t.Fatalf("a refused holiday renamed the day to %q", n)
		}
		if st, _, _ := postFull(t, admin, base+"/admin/feries", url.Values{"day": {day}, "name": {"Fin du Ramadan"}, "rename": {"1"}}); st != http.StatusSeeOther || name() != "Fin du Ramadan" {
			t.Fatalf("renaming a holiday = %d, now %q", st, name())
		}
		if st, _, _ := postFull(t, admin, base+"/admin/feries", url.Values{"day": {day}, "name": {"Korité"}, "rename": {"1"}}); st != http.StatusSeeOther || name() != "Korité" {
			t.Fatalf("renaming it back = %d, now %q", st, name())
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		for _, role := range []string{"coordinator", "owner", "partner", "approver"} {
			if status, _ := post(t, signInAs(t, base, role), base+"/admin/feries/"+day+"/supprimer", nil); status != http.StatusForbidden {
				t.Errorf("%s removing a holiday: %d, want 403", role, status)
			}
		}
		if len(stored()) != before+1 {
			t.Error("a refused removal removed the holiday")
		}
	})
	t.Run("API", func(t *testing.T) {
		api := f.signIn(t, "admin")
		var h ptacycle.Holiday
		tabaski := ptacycle.Holiday{Day: ptacycle.NewDate(year, time.June, 16), Name: "Tabaski"}
		want(t, api.do("PUT", "/holidays/"+tabaski.Day.String(), map[string]any{"name": " Tabaski "}), 200, "put").decode(t, &h)
		var list []ptacycle.Holiday
		want(t, f.signIn(t, "owner").do("GET", fmt.Sprintf("/holidays?year=%d", year), nil), 200, "list").decode(t, &list)
		if h != tabaski || !slices.Contains(list, tabaski) || !slices.Contains(list, ptacycle.Holiday{Day: ptacycle.NewDate(year, time.March, 10), Name: "Korité"}) {
			t.Errorf("holidays through the API: %+v (put answered %+v)", list, h)
		}
		if e := want(t, api.doRaw("PUT", "/holidays/15-11-2024", "application/json", []byte(`{"name": "x"}`)), 422, "bad day").err(t); e.Fields[0].Field != "day" {
			t.Errorf("a malformed day: %+v", e)
		}
		want(t, api.do("DELETE", "/holidays/"+tabaski.Day.String(), nil), 204, "delete")
		want(t, api.do("DELETE", "/holidays/"+tabaski.Day.String(), nil), 404, "delete twice")
	})
	t.Run("Remove", func(t *testing.T) {
		st, loc, _ := postFull(t, admin, base+"/admin/feries/"+day+"/supprimer", nil)
		if st != http.StatusSeeOther || loc != "/admin#feries" || len(stored()) != before {
			t.Fatalf("remove a holiday = %d to %q, %d holidays", st, loc, len(stored()))
		}
		status, body := post(t, admin, base+"/admin/feries/"+day+"/supprimer", nil)
		execExpect(t, "removing it twice", status, body, http.StatusNotFound, []string{"Aucun jour férié le 10/03/"})
	})
}

// TestAdminDeadlineDays: the administrator sets the usual deadlines on the
// administration page; the API reads them, and a year launched without
// deadlines takes them, through the workflow on the real stack.
func TestAdminDeadlineDays(t *testing.T) {
	t.Parallel()
	r := mustRealStack(t)
	base := r.srv.URL
	admin := signInAs(t, base, "admin")
	status, body := get(t, admin, base+"/admin")
	execExpect(t, "admin page", status, body, http.StatusOK, []string{`data-testid="deadlines-form"`, `name="bilan" value="15/02"`, `name="submission" value="15/03"`})

	status, body = post(t, admin, base+"/admin/echeances", url.Values{"bilan": {"31/02"}, "recommendations": {"15/02"}, "submission": {"01/03"}})
	execExpect(t, "a day that does not exist", status, body, http.StatusUnprocessableEntity,
		[]string{`data-testid="error-due-bilan"`, "Échéance du bilan : « 31/02 » n&#39;est pas un jour", `value="31/02"`})
	status, body = post(t, admin, base+"/admin/echeances", url.Values{"bilan": {"31/01"}, "recommendations": {"15/03"}, "submission": {"01/03"}})
	execExpect(t, "deadlines out of order", status, body, http.StatusUnprocessableEntity,
		[]string{`data-testid="error-due-submission"`, "le 1er mars vient avant le 15 mars"})
	if o, _ := r.db.Organisation(context.Background(), r.org.ID); o.DeadlineDays != ptacycle.DefaultDeadlineDays() {
		t.Fatalf("refused deadlines were stored: %+v", o.DeadlineDays)
	}
	st, loc, _ := postFull(t, admin, base+"/admin/echeances", url.Values{"bilan": {"31/01"}, "recommendations": {"15/02"}, "submission": {"1/3"}})
	if st != http.StatusSeeOther || loc != "/admin#echeances" {
		t.Fatalf("save deadlines = %d to %q", st, loc)
	}
	var days ptacycle.DeadlineDays
	want(t, r.as(t, demoLogins["owner"], demo.Password).do("GET", "/default-deadlines", nil), 200, "read").decode(t, &days)
	if days.Bilan.String() != "01-31" || days.Submission.String() != "03-01" {
		t.Errorf("the API's usual deadlines: %+v", days)
	}

	coordinator := signInAs(t, base, "coordinator")
	_, home := get(t, coordinator, base+"/")
	execExpect(t, "the launch form", http.StatusOK, home, http.StatusOK, []string{"Vide : le 31 janvier", "Vide : le 1er mars"})
	year := time.Now().Year() + 1
	var launched struct {
		Cycle ptacycle.Cycle `json:"cycle"`
	}
	want(t, r.as(t, demoLogins["coordinator"], demo.Password).do("POST", "/cycles", map[string]any{"year": year}), 201, "launch").decode(t, &launched)
	if d := launched.Cycle.Deadlines; d.Bilan != ptacycle.NewDate(year, time.January, 31) || d.Recommendations != ptacycle.NewDate(year, time.February, 15) ||
		d.Submission != ptacycle.NewDate(year, time.March, 1) {
		t.Errorf("the %d cycle's deadlines: %+v, want the organisation's", year, d)
	}
}

// TestFormErrorCountMatchesFields: the count a refused form announces is
// the number of fields it marks, every problem said at once. Before, an
// e-mail already used was said only once the other fields were fixed (« 2
// champs sont à corriger », then a third), and two bad choices of the unit
// form were announced as one.
func TestFormErrorCountMatchesFields(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	base := f.app.srv.URL
	admin := signInAs(t, base, "admin")
	count := regexp.MustCompile(`(\d+) champs sont à corriger`)
	check := func(what, form, body string, want int, fields ...string) {
		t.Helper()
		start := strings.Index(body, fmt.Sprintf(`data-testid=%q`, form))
		if start < 0 {
			t.Fatalf("%s: no %s in the page", what, form)
		}
		section := body[start:]
		section = section[:strings.Index(section, "</form>")]
		alert := body[:start]
		m := count.FindStringSubmatch(alert[max(strings.LastIndex(alert, `data-testid="form-error"`), 0):])
		if m == nil || m[1] != strconv.Itoa(want) {
			t.Errorf("%s: the form announces %v, want %d fields", what, m, want)
		}
		if n := strings.Count(section, "has-error"); n != want {
			t.Errorf("%s: %d fields marked, want %d", what, n, want)
		}
		for _, name := range fields {
			if !strings.Contains(section, fmt.Sprintf(`data-testid="error-%s"`, name)) {
				t.Errorf("%s: %s is not marked", what, name)
			}
		}
	}
	status, body := post(t, admin, base+"/admin/utilisateurs", url.Values{"email": {demoLogins["coordinator"]}, "fullName": {"Awa Koné"},
		"role": {"owner"}, "unitId": {""}, "language": {"fr"}, "password": {"court"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("user form with three problems = %d", status)
	}
	check("user form", "user-form", body, 3, "email", "unitId", "password")
	if !strings.Contains(body, "Cette adresse e-mail est déjà utilisée") {
		t.Error("the e-mail already used is not said")
	}

	status, body = post(t, admin, base+"/admin/structures", url.Values{"name": {"CRLTP Bouaké"}, "kind": {"regional"}, "regionId": {"abc"}, "parentId": {"x"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("unit form with two bad choices = %d", status)
	}
	check("unit form", "unit-form", body, 2, "regionId", "parentId")
}

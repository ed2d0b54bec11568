package server_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
)

// bilanExpect fails unless the page has status and holds every one of wants
// (searched in the HTML with its entities decoded), and none of absent.
func bilanExpect(t *testing.T, what string, status int, body string, wantStatus int, wants []string, absent ...string) {
	t.Helper()
	text := html.UnescapeString(body)
	if status != wantStatus {
		t.Errorf("%s: status %d, want %d", what, status, wantStatus)
	}
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s: lacks %q", what, w)
		}
	}
	for _, a := range absent {
		if strings.Contains(text, a) {
			t.Errorf("%s: shows %q", what, a)
		}
	}
	if t.Failed() {
		t.Logf("%s:\n%s", what, text)
	}
}

// bilanFollow checks a form's redirect, follows it a form's redirect and returns the page it leads to.
func bilanFollow(t *testing.T, b *http.Client, base string, resp *http.Response, err error, wantLocation string) string {
	t.Helper()
	status, body := read(t, resp, err)
	if status != http.StatusSeeOther || resp.Header.Get("Location") != wantLocation {
		t.Fatalf("status %d to %q, want 303 to %q\n%s", status, resp.Header.Get("Location"), wantLocation, html.UnescapeString(body))
	}
	status, body = get(t, b, base+wantLocation)
	if status != http.StatusOK {
		t.Fatalf("GET %s after the redirect: %d", wantLocation, status)
	}
	return body
}

// bilanSetStage moves the fixture's cycle to stage, as the workflow would.
func bilanSetStage(t *testing.T, f *accessFixture, stage ptacycle.Stage) ptacycle.Cycle {
	t.Helper()
	ctx := context.Background()
	if _, err := f.app.db.Pool.Exec(ctx, `UPDATE cycles SET stage = $1 WHERE organisation_id = $2 AND year = $3`, stage, f.demoOrg.ID, f.year); err != nil {
		t.Fatal(err)
	}
	cy, err := f.app.db.Cycle(ctx, f.demoOrg.ID, f.year)
	if err != nil {
		t.Fatal(err)
	}
	return cy
}

func TestBilanPage(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	ctx := context.Background()
	base := f.app.srv.URL
	page := fmt.Sprintf("%s/cycles/%d/bilan", base, f.year)
	cy := bilanSetStage(t, f, ptacycle.StageBilan)
	coord := signIn(t, base, demoLogins["coordinator"], demo.Password)
	stored := func() ptacycle.Bilan {
		t.Helper()
		b, err := f.app.db.Bilan(ctx, f.demoOrg.ID, cy.ID)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	form := func(version int) url.Values {
		return url.Values{"version": {fmt.Sprint(version)}, "workshopStart": {"2024-02-06"}, "workshopEnd": {"2024-02-07"},
			"workshopPlace": {"Grand-Bassam"}, "manualRate": {"67"},
			"participants": {"CNLTP\r\n\r\nExpertise France\r\n  CRLTP Tonkpi  \r\n"}, "lessons": {"Les cellules régionales relaient les campagnes"},
			"difficulties": {"Budget de fonctionnement insuffisant"}, "challenges": {""}}
	}

	t.Run("Form", func(t *testing.T) {
		status, body := get(t, coord, page)
		bilanExpect(t, "bilan page", status, body, http.StatusOK, []string{`data-testid="bilan"`, `data-testid="bilan-form"`,
			`name="workshopStart"`, `name="workshopEnd"`, `name="workshopPlace"`, `name="manualRate"`, `name="participants"`,
			`name="lessons"`, `name="difficulties"`, `name="challenges"`, `name="version" value="1"`, `data-testid="bilan-save"`,
			`data-testid="bilan-close"`, `data-testid="no-rates"`, `data-testid="status-error"`,
			"Bilan du PTA 2023", "Atelier de bilan", "Leçons apprises", "Clôturer le bilan", "le bilan ne pourra plus être modifié"})
		if size := gzipSize(t, body); size > 60*1024 {
			t.Errorf("bilan page weighs %d bytes compressed", size)
		}
	})

	t.Run("English", func(t *testing.T) {
		b := signIn(t, base, demoLogins["coordinator"], demo.Password)
		status, body := get(t, b, page+"?lang=en")
		bilanExpect(t, "English bilan page", status, body, http.StatusOK, []string{`lang="en"`, "Review of the 2023 plan",
			"Review workshop", "Lessons learned", "Close the review"}, "Atelier de bilan")
	})

	t.Run("ErrWorkshopEndsBeforeStart", func(t *testing.T) {
		before := stored()
		v := form(before.Version)
		v.Set("workshopEnd", "2024-02-05")
		status, body := post(t, coord, page, v)
		bilanExpect(t, "end before start", status, body, http.StatusUnprocessableEntity, []string{`data-testid="form-error"`,
			`data-testid="error-workshopEnd">La fin de l'atelier (05/02/2024) précède son début (06/02/2024)`,
			`value="Grand-Bassam"`, "Expertise France", `value="2024-02-05"`})
		if after := stored(); after.Version != before.Version || after.WorkshopPlace != before.WorkshopPlace {
			t.Errorf("a refused bilan was stored: %+v", after)
		}
	})

	t.Run("ErrBadValues", func(t *testing.T) {
		before := stored()
		v := form(before.Version)
		v.Set("workshopStart", "6 février")
		v.Set("manualRate", "120")
		v.Set("lessons", "courte\n"+strings.Repeat("x", 2001))
		status, body := post(t, coord, page, v)
		bilanExpect(t, "bad values", status, body, http.StatusUnprocessableEntity, []string{
			`data-testid="error-workshopStart">Début de l'atelier : date invalide`,
			`data-testid="error-manualRate">Le taux d'exécution doit être entre 0 et 100`,
			`data-testid="error-lessons">Ligne 2 : `})
		if after := stored(); after.Version != before.Version {
			t.Errorf("a refused bilan was stored: %+v", after)
		}
	})

	t.Run("Save", func(t *testing.T) {
		resp, err := coord.PostForm(page, form(stored().Version))
		body := bilanFollow(t, coord, base, resp, err, fmt.Sprintf("/cycles/%d/bilan", f.year))
		bilanExpect(t, "after save", http.StatusOK, body, http.StatusOK, []string{`data-testid="flash">Bilan enregistré`,
			`value="Grand-Bassam"`, `data-testid="bilan-rate"`, "Taux d'exécution retenu par l'atelier", "67\u00a0%"})
		b := stored()
		if b.WorkshopPlace != "Grand-Bassam" || b.ManualRate == nil || *b.ManualRate != 67 || b.Version != 2 ||
			strings.Join(b.Participants, "|") != "CNLTP|Expertise France|CRLTP Tonkpi" || len(b.Challenges) != 0 ||
			b.WorkshopEnd != ptacycle.NewDate(2024, time.February, 7) {
			t.Errorf("stored bilan = %+v", b)
		}
	})

	t.Run("ErrStale", func(t *testing.T) {
		before := stored()
		v := form(before.Version - 1)
		v.Set("workshopPlace", "Yamoussoukro")
		status, body := post(t, coord, page, v)
		bilanExpect(t, "stale edit", status, body, http.StatusConflict, []string{"quelqu'un a modifié le bilan",
			`value="Grand-Bassam"`, fmt.Sprintf(`name="version" value="%d"`, before.Version), `data-testid="bilan-typed"`, "Yamoussoukro"})
		if after := stored(); after.Version != before.Version || after.WorkshopPlace != "Grand-Bassam" {
			t.Errorf("a stale edit was stored: %+v", after)
		}
	})

	t.Run("ComputedRates", func(t *testing.T) {
		items := []ptacycle.RateItem{
			{Status: ptacycle.StatusDone, Axis: "Prévention", Unit: "CNLTP", Regions: []string{"Tonkpi"}},
			{Status: ptacycle.StatusDone, Axis: "Prévention", Unit: "CNLTP"},
			{Status: ptacycle.StatusDone, Axis: "Protection", Unit: "CRLTP Nawa", Regions: []string{"Nawa"}},
			{Status: ptacycle.StatusInProgress, Progress: 50, Axis: "Protection", Unit: "CRLTP Nawa", Regions: []string{"Nawa"}},
			{Status: ptacycle.StatusCancelled, Axis: "Protection", Unit: "CNLTP"},
		}
		if err := f.app.db.StoreBilanRates(ctx, ptacycle.SystemActor(f.demoOrg.ID), cy.ID, ptacycle.ComputeBreakdown(items)); err != nil {
			t.Fatal(err)
		}
		status, body := get(t, coord, page)
		bilanExpect(t, "computed rates", status, body, http.StatusOK, []string{`data-testid="bilan-rate"`, "75\u00a0%",
			`data-testid="bilan-progress">Avancement moyen des activités : 87,5`, `data-testid="rates-axis"`, `data-testid="rates-unit"`,
			`data-testid="rates-region"`, "Prévention", "CRLTP Nawa", "National",
			`data-testid="rate-formula">Taux d'exécution = activités réalisées ÷ activités prévues`},
			`name="manualRate"`, `data-testid="no-rates"`)
		// The field is not offered: saving keeps the rate entered before.
		v := form(stored().Version)
		v.Del("manualRate")
		resp, err := coord.PostForm(page, v)
		bilanFollow(t, coord, base, resp, err, fmt.Sprintf("/cycles/%d/bilan", f.year))
		if b := stored(); b.ManualRate == nil || *b.ManualRate != 67 {
			t.Errorf("saving without the field lost the manual rate: %+v", b)
		}
	})

	t.Run("ErrCloseWithoutTemporal", func(t *testing.T) {
		status, body := post(t, coord, page+"/cloture", nil)
		bilanExpect(t, "close without Temporal", status, body, http.StatusServiceUnavailable, []string{`data-testid="form-error"`,
			"Le moteur de processus (Temporal) est momentanément injoignable", `data-testid="bilan-form"`})
		if b := stored(); b.ClosedAt != nil {
			t.Error("the bilan was closed without the workflow")
		}
	})

	t.Run("ReadOnly", func(t *testing.T) {
		for _, role := range []string{"partner", "approver", "owner", "admin"} {
			b := signIn(t, base, demoLogins[role], demo.Password)
			status, body := get(t, b, page)
			bilanExpect(t, role+" reads the bilan", status, body, http.StatusOK, []string{`data-testid="bilan-summary"`,
				`data-testid="bilan-place">Grand-Bassam`, "<li>Expertise France</li>", "<li>Les cellules régionales relaient les campagnes</li>"},
				`data-testid="bilan-form"`, `data-testid="bilan-close"`)
			status, _ = post(t, b, page, form(stored().Version))
			if status != http.StatusForbidden {
				t.Errorf("%s saving the bilan: %d, want 403", role, status)
			}
			status, _ = post(t, b, page+"/cloture", nil)
			if status != http.StatusForbidden {
				t.Errorf("%s closing the bilan: %d, want 403", role, status)
			}
		}
	})

	t.Run("ErrPastStage", func(t *testing.T) {
		bilanSetStage(t, f, ptacycle.StageDrafting)
		status, body := get(t, coord, page)
		bilanExpect(t, "bilan while drafting", status, body, http.StatusOK, []string{`data-testid="bilan-summary"`,
			`data-testid="to-recommendations"`}, `data-testid="bilan-form"`)
		before := stored()
		status, body = post(t, coord, page, form(before.Version))
		bilanExpect(t, "save while drafting", status, body, http.StatusConflict, []string{"Action impossible à l'étape « Élaboration du PTA »"})
		if after := stored(); after.Version != before.Version {
			t.Errorf("the bilan changed while drafting: %+v", after)
		}
	})

	t.Run("ErrUnknownYear", func(t *testing.T) {
		status, body := get(t, coord, base+"/cycles/2031/bilan")
		bilanExpect(t, "no cycle", status, body, http.StatusNotFound, []string{"Aucun cycle 2031"})
	})
}

func TestRecommendationsPage(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	ctx := context.Background()
	base := f.app.srv.URL
	path := fmt.Sprintf("/cycles/%d/recommandations", f.year)
	page := base + path
	cy := bilanSetStage(t, f, ptacycle.StageRecommendations)
	coord := signIn(t, base, demoLogins["coordinator"], demo.Password)
	partner := signIn(t, base, demoLogins["partner"], demo.Password)
	recs := func() []ptacycle.Recommendation {
		t.Helper()
		list, err := f.app.db.Recommendations(ctx, f.demoOrg.ID, cy.ID)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	units, _ := f.app.db.Units(ctx, f.demoOrg.ID)
	var tonkpi ptacycle.Unit
	for _, u := range units {
		if u.Name == "CRLTP Tonkpi" {
			tonkpi = u
		}
	}
	rec := fmt.Sprintf("rec-%d", f.rec.ID)

	t.Run("List", func(t *testing.T) {
		status, body := get(t, coord, page)
		bilanExpect(t, "recommendations page", status, body, http.StatusOK, []string{`data-testid="recommendations"`,
			`data-testid="` + rec + `"`, "Recommandation n° 1", "Doter le CNLTP d'un budget", "Moyenne", "Proposée",
			`data-testid="rec-form"`, `name="text"`, `name="unitId"`, `name="priority"`, `<option value="high">Haute</option>`,
			`data-testid="rec-add"`, `data-testid="rec-delete-` + fmt.Sprint(f.rec.ID) + `"`, `data-testid="adopt-form"`,
			`name="adopt" value="` + fmt.Sprint(f.rec.ID) + `" checked`, `data-testid="adopt-submit"`, "L'adoption fige la liste",
			`data-testid="coverage">Les recommandations n'ont pas encore été adoptées`, "CRLTP Tonkpi"},
			`data-testid="link-form-`)
		if size := gzipSize(t, body); size > 60*1024 {
			t.Errorf("recommendations page weighs %d bytes compressed", size)
		}
	})

	t.Run("English", func(t *testing.T) {
		b := signIn(t, base, demoLogins["coordinator"], demo.Password)
		status, body := get(t, b, page+"?lang=en")
		bilanExpect(t, "English recommendations", status, body, http.StatusOK, []string{`lang="en"`, "Recommendation no. 1",
			"Add a recommendation", "Adopt and move on to drafting the plan", ">High</option>"}, "Ajouter une recommandation")
	})

	t.Run("ErrEmptyText", func(t *testing.T) {
		status, body := post(t, coord, page, url.Values{"text": {"  "}, "unitId": {fmt.Sprint(tonkpi.ID)}, "priority": {"high"}})
		bilanExpect(t, "empty text", status, body, http.StatusUnprocessableEntity, []string{
			`data-testid="error-text">Texte de la recommandation : champ obligatoire`,
			fmt.Sprintf(`<option value="%d" selected>CRLTP Tonkpi</option>`, tonkpi.ID), `<option value="high" selected>`})
		if n := len(recs()); n != 1 {
			t.Errorf("%d recommendations after a refused one", n)
		}
	})

	t.Run("ErrUnknownUnit", func(t *testing.T) {
		status, body := post(t, coord, page, url.Values{"text": {"Former les magistrats"}, "unitId": {"999999"}, "priority": {"low"}})
		bilanExpect(t, "unknown unit", status, body, http.StatusUnprocessableEntity, []string{
			`data-testid="error-unitId">Structure inconnue dans l'organisation`, "Former les magistrats"})
		if n := len(recs()); n != 1 {
			t.Errorf("%d recommendations after a refused one", n)
		}
	})

	var added ptacycle.Recommendation
	t.Run("Add", func(t *testing.T) {
		resp, err := coord.PostForm(page, url.Values{"text": {"Impliquer la société civile dans le signalement des cas"},
			"unitId": {fmt.Sprint(tonkpi.ID)}, "priority": {"high"}})
		body := bilanFollow(t, coord, base, resp, err, path)
		list := recs()
		if len(list) != 2 {
			t.Fatalf("recommendations = %+v", list)
		}
		added = list[1]
		if added.Position != 2 || added.Priority != ptacycle.PriorityHigh || added.UnitID == nil || *added.UnitID != tonkpi.ID {
			t.Errorf("added = %+v", added)
		}
		bilanExpect(t, "after add", http.StatusOK, body, http.StatusOK, []string{`data-testid="flash">Recommandation n° 2 ajoutée`,
			fmt.Sprintf(`data-testid="rec-%d"`, added.ID), "Impliquer la société civile", fmt.Sprintf(`data-testid="rec-priority-%d">Haute`, added.ID)})
	})

	t.Run("ReadOnly", func(t *testing.T) {
		status, body := get(t, partner, page)
		bilanExpect(t, "partner reads", status, body, http.StatusOK, []string{`data-testid="` + rec + `"`},
			`data-testid="rec-form"`, `data-testid="adopt-form"`, `data-testid="rec-delete-`)
		for _, p := range []string{path, path + "/adoption", fmt.Sprintf("/recommandations/%d/supprimer", added.ID)} {
			if status, _ := post(t, partner, base+p, url.Values{"text": {"x"}, "adopt": {fmt.Sprint(added.ID)}}); status != http.StatusForbidden {
				t.Errorf("partner POST %s: %d, want 403", p, status)
			}
		}
		if n := len(recs()); n != 2 {
			t.Errorf("%d recommendations after the partner's tries", n)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		resp, err := coord.PostForm(fmt.Sprintf("%s/recommandations/%d/supprimer", base, added.ID), url.Values{"year": {fmt.Sprint(f.year)}})
		body := bilanFollow(t, coord, base, resp, err, path)
		bilanExpect(t, "after delete", http.StatusOK, body, http.StatusOK, []string{`data-testid="flash">Recommandation supprimée`},
			"Impliquer la société civile")
		if n := len(recs()); n != 1 {
			t.Errorf("%d recommendations after the delete", n)
		}
	})

	// The workflow adopts and moves to drafting; here the store does it (no Temporal).
	if err := f.app.db.AdoptRecommendations(ctx, ptacycle.SystemActor(f.demoOrg.ID), cy.ID, []int64{f.rec.ID}); err != nil {
		t.Fatal(err)
	}
	bilanSetStage(t, f, ptacycle.StageDrafting)
	link := fmt.Sprintf("%s/recommandations/%d/actions", base, f.rec.ID)

	t.Run("Uncovered", func(t *testing.T) {
		status, body := get(t, coord, page)
		bilanExpect(t, "uncovered", status, body, http.StatusOK, []string{fmt.Sprintf(`data-testid="adopted-%d">Adoptée`, f.rec.ID),
			fmt.Sprintf(`data-testid="uncovered-%d"`, f.rec.ID), "aucune action ne répond encore à cette recommandation",
			`data-testid="coverage">`, "Recommandations adoptées sans action qui y réponde : 1 sur 1",
			fmt.Sprintf(`data-testid="link-form-%d"`, f.rec.ID), fmt.Sprintf(`data-testid="link-save-%d"`, f.rec.ID),
			fmt.Sprintf(`<option value="%d">1.1 — Former</option>`, f.action.ID)},
			`data-testid="rec-form"`, `data-testid="adopt-form"`, `data-testid="rec-delete-`)
		status, body = get(t, partner, page)
		bilanExpect(t, "partner sees the coverage", status, body, http.StatusOK, []string{fmt.Sprintf(`data-testid="uncovered-%d"`, f.rec.ID)},
			`data-testid="link-form-`)
	})

	t.Run("ErrFrozen", func(t *testing.T) {
		status, body := post(t, coord, page, url.Values{"text": {"Trop tard"}, "priority": {"low"}})
		bilanExpect(t, "add while drafting", status, body, http.StatusConflict, []string{"Action impossible à l'étape « Élaboration du PTA »"})
		status, body = post(t, coord, fmt.Sprintf("%s/recommandations/%d/supprimer", base, f.rec.ID), url.Values{"year": {fmt.Sprint(f.year)}})
		bilanExpect(t, "delete after adoption", status, body, http.StatusConflict, []string{"la liste est figée"})
		if n := len(recs()); n != 1 {
			t.Errorf("%d recommendations after adoption", n)
		}
	})

	t.Run("ErrLinkUnknownAction", func(t *testing.T) {
		status, body := post(t, coord, link, url.Values{"year": {fmt.Sprint(f.year)}, "actionIds": {"999999"}})
		bilanExpect(t, "unknown action", status, body, http.StatusUnprocessableEntity, []string{`data-testid="form-error"`,
			"Action inconnue dans le PTA de ce cycle", fmt.Sprintf(`data-testid="uncovered-%d"`, f.rec.ID)})
		if r := recs()[0]; len(r.ActionIDs) != 0 {
			t.Errorf("links after a refused link: %v", r.ActionIDs)
		}
		if status, _ := post(t, partner, link, url.Values{"year": {fmt.Sprint(f.year)}, "actionIds": {fmt.Sprint(f.action.ID)}}); status != http.StatusForbidden {
			t.Errorf("partner linking: %d, want 403", status)
		}
	})

	t.Run("Link", func(t *testing.T) {
		resp, err := coord.PostForm(link, url.Values{"year": {fmt.Sprint(f.year)}, "actionIds": {fmt.Sprint(f.action.ID)}})
		status, _ := read(t, resp, err)
		if want := fmt.Sprintf("%s#rec-%d", path, f.rec.ID); status != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Fatalf("link: %d to %q, want 303 to %q", status, resp.Header.Get("Location"), want)
		}
		status, body := get(t, coord, page)
		bilanExpect(t, "after link", status, body, http.StatusOK, []string{`data-testid="flash">Actions liées enregistrées (1)`,
			fmt.Sprintf(`data-testid="rec-actions-%d"><abbr title="Former">1.1</abbr>`, f.rec.ID),
			"Chacune des recommandations adoptées (1) a au moins une action du PTA qui y répond",
			fmt.Sprintf(`<option value="%d" selected>1.1 — Former</option>`, f.action.ID)},
			fmt.Sprintf(`data-testid="uncovered-%d"`, f.rec.ID))
		if r := recs()[0]; len(r.ActionIDs) != 1 || r.ActionIDs[0] != f.action.ID {
			t.Errorf("links = %v", r.ActionIDs)
		}
	})
}

// TestBilanToDrafting drives the bilan and recommendations pages on the real
// stack: the coordinator records the workshop, closes the bilan, enters and
// adopts recommendations through the forms; the workflow moves the cycle.
func TestBilanToDrafting(t *testing.T) {
	t.Parallel()
	r := mustRealStack(t)
	ctx := context.Background()
	year := time.Now().Year()
	want(t, r.as(t, demoLogins["coordinator"], demo.Password).do("POST", "/cycles", map[string]any{"year": year}), 201, "launch")
	b := signIn(t, r.srv.URL, demoLogins["coordinator"], demo.Password)
	bilanPath, recsPath := fmt.Sprintf("/cycles/%d/bilan", year), fmt.Sprintf("/cycles/%d/recommandations", year)
	cy, err := r.db.Cycle(ctx, r.org.ID, year)
	if err != nil {
		t.Fatal(err)
	}

	status, body := get(t, b, r.srv.URL+bilanPath)
	bilanExpect(t, "bilan", status, body, http.StatusOK, []string{`data-testid="bilan-form"`, `data-testid="pending"`},
		`data-testid="status-error"`)
	resp, err := b.PostForm(r.srv.URL+bilanPath, url.Values{"version": {"1"}, "workshopStart": {fmt.Sprintf("%d-02-06", year)},
		"workshopEnd": {fmt.Sprintf("%d-02-07", year)}, "workshopPlace": {"Grand-Bassam"}, "lessons": {"Les cellules régionales relaient les campagnes"}})
	bilanFollow(t, b, r.srv.URL, resp, err, bilanPath)

	resp, err = b.PostForm(r.srv.URL+bilanPath+"/cloture", nil)
	body = bilanFollow(t, b, r.srv.URL, resp, err, recsPath)
	bilanExpect(t, "after closing the bilan", http.StatusOK, body, http.StatusOK, []string{
		fmt.Sprintf(`data-testid="flash">Bilan %d clôturé`, year-1), `data-testid="rec-form"`, `data-testid="adopt-form"`})
	if bl, _ := r.db.Bilan(ctx, r.org.ID, cy.ID); bl.ClosedAt == nil {
		t.Error("the bilan is not closed")
	}
	status, body = post(t, b, r.srv.URL+bilanPath+"/cloture", nil)
	bilanExpect(t, "closing twice", status, body, http.StatusConflict, []string{"Action impossible à l'étape « Recommandations »",
		`data-testid="bilan-summary"`, `data-testid="bilan-place">Grand-Bassam`})

	for _, text := range []string{"Répartir les ressources humaines selon le volume des activités", "Une recommandation écartée"} {
		resp, err := b.PostForm(r.srv.URL+recsPath, url.Values{"text": {text}, "priority": {"high"}})
		bilanFollow(t, b, r.srv.URL, resp, err, recsPath)
	}
	recs, _ := r.db.Recommendations(ctx, r.org.ID, cy.ID)
	if len(recs) != 2 {
		t.Fatalf("recommendations = %+v", recs)
	}
	// The report before the adoption: both are proposed, neither refused.
	reportPath := bilanPath + "/rapport"
	status, body = get(t, b, r.srv.URL+reportPath)
	bilanExpect(t, "the report before adoption", status, body, http.StatusOK, []string{"Proposée"}, "Non retenue", "Adoptée")

	resp, err = b.PostForm(r.srv.URL+recsPath+"/adoption", url.Values{"adopt": {fmt.Sprint(recs[0].ID)}})
	status, _ = read(t, resp, err)
	if want := fmt.Sprintf("/cycles/%d/pta", year); status != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Fatalf("adoption: %d to %q, want 303 to %q", status, resp.Header.Get("Location"), want)
	}
	recs, _ = r.db.Recommendations(ctx, r.org.ID, cy.ID)
	if !recs[0].Adopted || recs[1].Adopted {
		t.Errorf("after adoption: %+v", recs)
	}
	if cy, _ := r.db.Cycle(ctx, r.org.ID, year); cy.Stage != ptacycle.StageDrafting {
		t.Errorf("stage after adoption = %s", cy.Stage)
	}

	status, body = post(t, b, r.srv.URL+recsPath+"/adoption", url.Values{"adopt": {fmt.Sprint(recs[0].ID)}})
	bilanExpect(t, "adopting twice", status, body, http.StatusConflict, []string{`data-testid="form-error"`,
		"Action impossible à l'étape « Élaboration du PTA » : elle se fait à l'étape « Recommandations »",
		fmt.Sprintf(`data-testid="uncovered-%d"`, recs[0].ID), "Non retenue"})
	status, body = get(t, b, r.srv.URL+reportPath)
	bilanExpect(t, "the report after adoption", status, body, http.StatusOK, []string{"Adoptée", "Non retenue"}, "Proposée")

	// Drafting: the coordinator links an action to the adopted recommendation.
	var action ptacycle.Action
	want(t, r.as(t, demoLogins["coordinator"], demo.Password).do("POST", fmt.Sprintf("/cycles/%d/plan/actions", year),
		map[string]any{"code": "2.1", "title": "Ajuster les effectifs du secrétariat"}), 201, "action").decode(t, &action)
	resp, err = b.PostForm(fmt.Sprintf("%s/recommandations/%d/actions", r.srv.URL, recs[0].ID),
		url.Values{"year": {fmt.Sprint(year)}, "actionIds": {fmt.Sprint(action.ID)}})
	body = bilanFollow(t, b, r.srv.URL, resp, err, fmt.Sprintf("%s#rec-%d", recsPath, recs[0].ID))
	bilanExpect(t, "after linking", http.StatusOK, body, http.StatusOK, []string{fmt.Sprintf(`data-testid="rec-actions-%d"><abbr title="Ajuster les effectifs du secrétariat">2.1</abbr>`, recs[0].ID),
		"Chacune des recommandations adoptées (1) a au moins une action du PTA qui y répond"}, fmt.Sprintf(`data-testid="uncovered-%d"`, recs[0].ID))
}

package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/ptacycle/ptacycle"
)

// TestStrategyPage: the coordinator records the next strategy and its axes
// in the browser; everyone reads them; a refused form writes nothing.
func TestStrategyPage(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	base, ctx, org := f.app.srv.URL, context.Background(), f.demoOrg.ID
	strategies := func() []ptacycle.Strategy {
		t.Helper()
		list, err := f.app.db.Strategies(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	before := len(strategies())
	coordinator := signInAs(t, base, "coordinator")
	status, body := get(t, coordinator, base+"/strategie")
	execExpect(t, "the strategy page", status, body, http.StatusOK, []string{`data-testid="strategies"`, "Prévention et sensibilisation",
		`data-testid="strategy-form"`, `name="startYear" type="number" value="2026"`, `href="/strategie"`})
	status, body = get(t, signInAs(t, base, "partner"), base+"/strategie")
	execExpect(t, "the partner's view", status, body, http.StatusOK, []string{"Prévention et sensibilisation"}, `data-testid="strategy-form"`)

	status, body = post(t, coordinator, base+"/strategie", url.Values{"title": {"Stratégie 2026–2029"}, "startYear": {"2029"}, "endYear": {"2026"},
		"axes": {"A1 — Prévention\nA1 : Protection\n"}})
	execExpect(t, "a refused strategy", status, body, http.StatusUnprocessableEntity, []string{"L&#39;année de fin (2026) précède l&#39;année de début (2029)",
		"Axe n° 2 : le code « A1 » est déjà celui de l&#39;axe n° 1", "A1 : Protection"})
	status, body = post(t, coordinator, base+"/strategie", url.Values{"title": {"Stratégie 2026–2029"}, "startYear": {"2026"}, "endYear": {"2029"}, "axes": {" \n"}})
	execExpect(t, "a strategy without axes", status, body, http.StatusUnprocessableEntity, []string{"Saisissez au moins un axe"})
	if status, _ := post(t, signInAs(t, base, "partner"), base+"/strategie", url.Values{"title": {"x"}, "startYear": {"2026"}, "endYear": {"2029"}, "axes": {"x"}}); status != http.StatusForbidden {
		t.Errorf("a partner creating a strategy: %d, want 403", status)
	}
	if n := len(strategies()); n != before {
		t.Fatalf("%d strategies after refused forms, want %d", n, before)
	}

	st, loc, _ := postFull(t, coordinator, base+"/strategie", url.Values{"title": {"Stratégie nationale 2026–2029"}, "startYear": {"2026"}, "endYear": {"2029"},
		"axes": {"A1 — Prévention et sensibilisation\r\nA2 : Protection des victimes\nCoordination et suivi\n"}})
	if st != http.StatusSeeOther || loc != "/strategie" {
		t.Fatalf("create a strategy = %d to %q", st, loc)
	}
	list := strategies()
	if len(list) != before+1 {
		t.Fatalf("%d strategies, want %d", len(list), before+1)
	}
	got := list[0]
	if got.Title != "Stratégie nationale 2026–2029" || len(got.Axes) != 3 || got.Axes[0].Code != "A1" || got.Axes[1].Title != "Protection des victimes" ||
		got.Axes[2].Code != "3" || got.Axes[2].Title != "Coordination et suivi" {
		t.Errorf("stored strategy = %+v", got)
	}
	_, body = get(t, coordinator, base+"/strategie")
	execExpect(t, "after the creation", http.StatusOK, body, http.StatusOK, []string{`data-testid="flash"`, "enregistrée avec 3 axe(s)", "Coordination et suivi",
		`name="startYear" type="number" value="2030"`})

	t.Run("RenameAxis", func(t *testing.T) {
		axis := got.Axes[1]
		path := base + "/strategie/axes/" + strconv.FormatInt(axis.ID, 10)
		status, body := post(t, coordinator, path, url.Values{"title": {"  "}})
		execExpect(t, "an empty title", status, body, http.StatusUnprocessableEntity, []string{"Intitulé de l&#39;axe"})
		if status, _ := post(t, signInAs(t, base, "partner"), path, url.Values{"title": {"Intrusion"}}); status != http.StatusForbidden {
			t.Errorf("a partner renaming an axis: %d", status)
		}
		st, loc, _ := postFull(t, coordinator, path, url.Values{"title": {"Protection et assistance aux victimes"}})
		if st != http.StatusSeeOther || loc != "/strategie" {
			t.Fatalf("rename = %d to %q", st, loc)
		}
		if renamed := strategies()[0].Axes[1]; renamed.Title != "Protection et assistance aux victimes" || renamed.Code != "A2" {
			t.Errorf("after the rename: %+v", renamed)
		}
		other := f.signIn(t, "other") // another organisation's coordinator
		if res := other.doRaw("PUT", "/axes/"+strconv.FormatInt(axis.ID, 10), "application/json", []byte(`{"title": "Intrusion"}`)); res.Status != http.StatusNotFound {
			t.Errorf("another organisation renaming the axis: %d, want 404", res.Status)
		}
		if renamed := strategies()[0].Axes[1]; renamed.Title != "Protection et assistance aux victimes" {
			t.Errorf("a refused rename changed the title: %+v", renamed)
		}
	})
}

package server_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/ptacycle/ptacycle"
)

// TestWording reads what a walk through the pages tripped on (issue 14,
// point 13), on one fixture with an approved plan: each page says it once,
// in words a ministry user reads.
func TestWording(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	ctx, actor := context.Background(), ptacycle.SystemActor(f.demoOrg.ID)
	for _, code := range []string{"1.1.2", "1.1.3"} { // one done in three: 33,3 %
		a := f.activity
		a.ID, a.Code = 0, code
		if _, err := f.app.db.CreateActivity(ctx, actor, a); err != nil {
			t.Fatal(err)
		}
	}
	approvePlan(t, f)
	if _, err := f.app.db.Pool.Exec(ctx, `UPDATE activities SET status = 'done', progress = 100 WHERE id = $1`, f.activity.ID); err != nil {
		t.Fatal(err)
	}
	base := f.app.srv.URL
	coord, owner := signInAs(t, base, "coordinator"), signInAs(t, base, "owner")
	page := func(b *http.Client, path string) string {
		t.Helper()
		status, body := get(t, b, base+path)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, status)
		}
		return body
	}

	t.Run("FiltersSayNoFilter", func(t *testing.T) {
		body := page(coord, fmt.Sprintf("/cycles/%d/execution", f.year))
		if strings.Contains(body, "Toutes et tous") || !strings.Contains(body, "Sans filtre") {
			t.Errorf("the execution filters' default is not « Sans filtre »")
		}
	})
	t.Run("PostponedDateIsNamedAlike", func(t *testing.T) {
		body := page(owner, "/mes-activites")
		if strings.Contains(body, "Reportée au") || !strings.Contains(body, "Nouvelle date (si reportée)") {
			t.Errorf("the owners' form names the new date otherwise than the link's form")
		}
	})
	t.Run("VersionNotHash", func(t *testing.T) {
		body := page(coord, fmt.Sprintf("/cycles/%d/validation", f.year))
		heading := regexp.MustCompile(`<h2 data-testid="version-hash" title="Empreinte du contenu[^"]*[0-9a-f]{64}">Version 1`)
		if strings.Contains(body, "Empreinte du contenu :") || !heading.MatchString(body) {
			t.Errorf("the version shows its hash instead of its number, with the hash in a tooltip")
		}
	})
	t.Run("GaugeAndTextAgree", func(t *testing.T) {
		body := page(coord, "/")
		gauge := regexp.MustCompile(`font-weight="700" fill="#1a1a1a">([^<]+)</text>`).FindStringSubmatch(body)
		text := regexp.MustCompile(`data-testid="rate-overall" class="nowrap">([^<]+)</strong>`).FindStringSubmatch(body)
		if text != nil && !strings.HasPrefix(text[1], "33") {
			t.Fatalf("the rate reads %q, want 33 %%: the fixture changed", text[1])
		}
		if gauge == nil || text == nil || strings.ReplaceAll(gauge[1], "\u00a0", " ") != strings.ReplaceAll(text[1], "\u00a0", " ") {
			t.Errorf("the gauge says %q and the text %q", gauge, text)
		}
	})
	t.Run("PasswordPageForInvitationsToo", func(t *testing.T) {
		status, body := get(t, http.DefaultClient, base+"/reinitialiser/inconnu")
		if status == http.StatusNotFound || !strings.Contains(body, "Choisir votre mot de passe") {
			t.Errorf("the password page: %d, without « Choisir votre mot de passe »", status)
		}
	})
}

// TestRemindersKeepTheirLinks: the « Relances » page shows a reminder's text
// with its addresses as links (before: plain text, issue 14, point 11).
func TestRemindersKeepTheirLinks(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	ctx := context.Background()
	coord, _, _ := f.app.db.UserByEmail(ctx, "coordonnateur@cnltp.demo")
	r := ptacycle.Reminder{Key: "test/in-app/link", RecipientID: coord.ID, Channel: ptacycle.ChannelInApp, Kind: "due_soon",
		Subject: "Échéance proche", Body: "Mettre à jour : https://ptacycle.example/cycles/2024/pta."}
	if _, err := f.app.db.CreateReminders(ctx, f.demoOrg.ID, []ptacycle.Reminder{r}); err != nil {
		t.Fatal(err)
	}
	_, body := get(t, signInAs(t, f.app.srv.URL, "coordinator"), f.app.srv.URL+"/relances")
	if !strings.Contains(body, `Mettre à jour : <a href="https://ptacycle.example/cycles/2024/pta" rel="noopener noreferrer">https://ptacycle.example/cycles/2024/pta</a>.`) {
		t.Errorf("the reminder's address is not a link on « Relances »")
	}
}

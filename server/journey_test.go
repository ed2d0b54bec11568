package server_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/postgres"
)

// TestJourney plays each role's part of a year in headless Chromium, on the
// real stack (PostgreSQL, Temporal, worker, server): the coordinator launches
// 2024, fills the bilan, adopts the recommendations, drafts the plan and
// submits it; the ministry's representative sends it back with a comment;
// the coordinator fixes and resubmits; the representative approves; the
// Tonkpi owner marks the activity done on a phone; the coordinator sees the
// execution rate change. Screenshots of each step land in test-artifacts/.
func TestJourney(t *testing.T) {
	ctx := context.Background()
	r := mustRealStack(t)
	db := r.db
	desk := mustChrome(t, r.srv.URL, desktopWidth, desktopHeight)

	// The coordinator launches 2024 (a year recorded afterwards, as the seed's).
	desk.login("coordonnateur@cnltp.demo", demo.Password)
	desk.waitFor("launch-form")
	desk.shot("coordinator-dashboard-empty")
	desk.fill("year", "2024")
	desk.submit("launch-submit")
	desk.waitFor("timeline")
	desk.shot("cycle-launched")

	// Bilan: the workshop of 6–7 February 2024 in Grand-Bassam, 67 % (computed before the product existed).
	desk.visit("/cycles/2024/bilan")
	desk.waitFor("bilan-form")
	desk.fill("workshopStart", "2024-02-06")
	desk.fill("workshopEnd", "2024-02-07")
	desk.fill("workshopPlace", "Grand-Bassam")
	desk.fill("manualRate", "67")
	desk.fill("lessons", "Les cellules régionales relaient les campagnes\nLa chaîne pénale s'est approprié les outils")
	desk.fill("difficulties", "Ressources humaines insuffisantes au regard du volume des activités")
	desk.submit("bilan-save")
	desk.waitFor("flash")
	desk.shot("bilan-saved")
	// A challenge typed and not saved: closing asks first, and refused,
	// nothing moves; accepted, the challenge is saved with the close.
	challenge := "Doter les cellules régionales de moyens de déplacement"
	desk.fill("challenges", challenge)
	desk.refuseNext()
	desk.click("bilan-close")
	if asked := desk.asked(); len(asked) != 1 || !strings.Contains(asked[0], "Clôturer le bilan 2023 ?") {
		t.Errorf("closing the bilan asked %q, want the closing question", asked)
	}
	if got := desk.value("challenges"); got != challenge {
		t.Errorf("after refusing to close, the challenge field holds %q", got)
	}
	desk.submit("bilan-close")
	desk.waitFor("recommendations")
	desk.asked()
	o, _ := db.OrganisationBySlug(ctx, demo.Slug)
	if bilan, err := db.Bilan(ctx, o.ID, mustCycle(t, db, o.ID, 2024).ID); err != nil || bilan.ClosedAt == nil || !slices.Equal(bilan.Challenges, []string{challenge}) {
		t.Errorf("the bilan closed with a challenge typed and not saved: %+v %v", bilan, err)
	}

	// Recommendations of the workshop, adopted.
	for _, text := range []string{
		"Répartir les ressources humaines du CNLTP selon le volume des activités",
		"Impliquer la société civile pour renforcer le signalement des cas de traite",
		"Doter le CNLTP d'un budget de fonctionnement",
	} {
		desk.fill("text", text)
		desk.fill("priority", "high")
		desk.submit("rec-add")
		desk.waitFor("flash")
	}
	desk.shot("recommendations")
	desk.submit("adopt-submit")
	desk.waitFor("plan")
	wantAsked(t, desk, "adopting", "Adopter les recommandations cochées ?")

	// Drafting: one action, one activity of the Tonkpi cell.
	desk.fill("code", "1.1")
	desk.fill("title", "Renforcer les capacités de la chaîne pénale")
	desk.submit("action-add")
	desk.waitFor("flash")
	plan, err := db.Plan(ctx, o.ID, 2024)
	if err != nil {
		t.Fatal(err)
	}
	actions, _ := db.Actions(ctx, o.ID, plan.ID)
	if len(actions) != 1 {
		t.Fatalf("actions after the form: %+v", actions)
	}
	tonkpi := unitID(t, db, o.ID, "CRLTP Tonkpi")
	desk.submit("activity-new")
	desk.waitFor("activity-form")
	desk.fill("actionId", fmt.Sprint(actions[0].ID))
	desk.fill("code", "1.1.1")
	desk.fill("title", "Former 50 acteurs de la chaîne pénale à Man")
	desk.fill("responsibleUnitId", fmt.Sprint(tonkpi))
	desk.fill("startDate", "2024-03-01")
	desk.fill("dueDate", "2024-06-30")
	desk.fill("budgetXof", "2 500 000")
	desk.fill("indicator", "Nombre d'acteurs formés")
	desk.shot("activity-form")
	desk.submit("activity-save")
	desk.waitFor("plan")
	acts, _ := db.Activities(ctx, o.ID, postgres.ActivityFilter{PlanID: plan.ID})
	if len(acts) != 1 || acts[0].BudgetXOF != 2_500_000 {
		t.Fatalf("activities after the form: %+v", acts)
	}
	activity := acts[0]

	// Each adopted recommendation is answered by the action.
	desk.visit("/cycles/2024/recommandations")
	recs, _ := db.Recommendations(ctx, o.ID, mustCycle(t, db, o.ID, 2024).ID)
	for _, rec := range recs {
		desk.do(chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`[data-testid="link-form-%d"] [name="actionIds"]`, rec.ID)), fmt.Sprint(actions[0].ID)))
		desk.submit(fmt.Sprintf("link-save-%d", rec.ID))
		desk.waitFor("flash")
	}
	desk.visit("/cycles/2024/pta")
	desk.waitFor("plan-ready")
	desk.shot("plan-ready")
	desk.submit("plan-submit")
	desk.waitFor("validation")
	desk.shot("submitted")
	wantAsked(t, desk, "submitting", "Soumettre le PTA 2024 pour validation ?")
	desk.logout()

	// The ministry's representative sends it back with a comment.
	desk.login("valideur@cnltp.demo", demo.Password)
	desk.visit("/cycles/2024/validation")
	desk.waitFor("decision-form")
	desk.fill("comment", "Préciser la cible de l'activité 1.1.1")
	desk.shot("approver-sends-back")
	desk.submit("send-back")
	desk.waitFor("flash")
	desk.logout()

	// The coordinator fixes the activity and resubmits.
	desk.login("coordonnateur@cnltp.demo", demo.Password)
	desk.visit(fmt.Sprintf("/activites/%d/modifier", activity.ID))
	desk.waitFor("activity-form")
	desk.fill("target", "50 acteurs formés, dont 20 magistrats")
	desk.submit("activity-save")
	desk.waitFor("plan")
	desk.submit("plan-submit")
	desk.waitFor("validation")
	wantAsked(t, desk, "submitting again", "Soumettre le PTA 2024 pour validation ?")
	if diff := desk.text("diff"); !strings.Contains(diff, "1.1.1") {
		t.Errorf("the validation page shows no difference with version 1: %q", diff)
	}
	desk.logout()

	// The representative approves version 2.
	desk.login("valideur@cnltp.demo", demo.Password)
	desk.visit("/cycles/2024/validation")
	desk.waitFor("decision-form")
	desk.shot("approver-approves")
	desk.submit("approve")
	desk.waitFor("flash")
	wantAsked(t, desk, "approving", "Approuver la version 2 du PTA ?")
	desk.logout()

	desk.login("coordonnateur@cnltp.demo", demo.Password)
	desk.visit("/")
	before := strings.ReplaceAll(desk.text("rate-overall"), "\u00a0", " ")
	desk.logout()

	// The Tonkpi owner reports on a phone.
	phone := mustChrome(t, r.srv.URL, phoneWidth, phoneHeight)
	phone.login("responsable.tonkpi@cnltp.demo", demo.Password)
	phone.visit("/mes-activites")
	phone.waitFor(fmt.Sprintf("my-activity-%d", activity.ID))
	phone.shot("owner-activities")
	phone.click(fmt.Sprintf("report-open-%d", activity.ID))
	phone.waitFor(fmt.Sprintf("progress-form-%d", activity.ID))
	phone.do(chromedp.Click(chromedp.ID(fmt.Sprintf("st-%d-done", activity.ID))))
	phone.fill("comment", "Formation tenue à Man du 10 au 12 juin")
	photo := filepath.Join(t.TempDir(), "liste-de-presence.jpg")
	if err := os.WriteFile(photo, []byte("\xff\xd8\xff\xe0 photo de la liste de présence"), 0o644); err != nil {
		t.Fatal(err)
	}
	phone.do(chromedp.SetUploadFiles(chromedp.ID(fmt.Sprintf("ef-%d", activity.ID)), []string{photo}))
	phone.submit(fmt.Sprintf("progress-save-%d", activity.ID))
	phone.waitFor("flash")
	phone.shot("owner-reported")
	if history, err := db.ActivityHistory(ctx, o.ID, activity.ID); err != nil || len(history) == 0 ||
		history[len(history)-1].EvidenceFile == nil || history[len(history)-1].EvidenceFile.Name != "liste-de-presence.jpg" {
		t.Errorf("the photo chosen on the phone is not the report's evidence: %+v, %v", history, err)
	}

	// The coordinator sees the rate change.
	desk.login("coordonnateur@cnltp.demo", demo.Password)
	desk.visit("/")
	after := strings.ReplaceAll(desk.text("rate-overall"), "\u00a0", " ")
	desk.shot("coordinator-rate")
	if before != "0 %" || after != "100 %" {
		t.Errorf("execution rate before %q, after %q; want 0 %% then 100 %%", before, after)
	}
	a, _ := db.Activity(ctx, o.ID, activity.ID)
	if a.Status != ptacycle.StatusDone {
		t.Errorf("activity status %s", a.Status)
	}
}

func unitID(t *testing.T, db *postgres.DB, org int64, name string) int64 {
	t.Helper()
	units, err := db.Units(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		if u.Name == name {
			return u.ID
		}
	}
	t.Fatalf("no unit %q", name)
	return 0
}

func mustCycle(t *testing.T, db *postgres.DB, org int64, year int) ptacycle.Cycle {
	t.Helper()
	c, err := db.Cycle(context.Background(), org, year)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantAsked checks that the last step asked exactly one confirmation, the one starting with question.
func wantAsked(t *testing.T, b *chrome, step, question string) {
	t.Helper()
	if asked := b.asked(); len(asked) != 1 || !strings.HasPrefix(asked[0], question) {
		t.Errorf("%s asked %q, want %q", step, asked, question)
	}
}

package server_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/postgres"
)

// auditRawWords are what the audit log showed an inspector before it spoke
// their language (issue 14, point 10): codes, field names, ISO timestamps.
var auditRawWords = []string{"not_started", "in_progress", "sent_back", "evidenceFile", "ownerId", "outcome:", "T00:00:00Z", "…"}

// TestAuditInWords: after real changes — an owner named, a plan sent back
// with a long comment, a delegation, a progress report with a file — the
// audit log and its CSV read as an inspector reads: labels and values in
// their language, names and codes instead of ids, dates as dates, and in
// the CSV every change whole.
func TestAuditInWords(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	ctx, db := context.Background(), f.app.db
	org, system := f.demoOrg.ID, ptacycle.SystemActor(f.demoOrg.ID)
	owner, _, _ := db.UserByEmail(ctx, "responsable.tonkpi@cnltp.demo")
	approver, _, _ := db.UserByEmail(ctx, "valideur@cnltp.demo")
	coordinator, _, _ := db.UserByEmail(ctx, "coordonnateur@cnltp.demo")

	named := f.activity
	named.OwnerID = &owner.ID
	if _, err := db.UpdateActivity(ctx, system, named); err != nil {
		t.Fatal(err)
	}
	plan, _ := db.Plan(ctx, org, f.year)
	v1, err := db.FreezePlan(ctx, system, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	comment := strings.Repeat("Le budget de l'activité 1.1.1 doit être ventilé par source de financement, trimestre par trimestre. ", 3) + "Fin du commentaire."
	if _, err := db.RecordDecision(ctx, ptacycle.UserActor(approver), ptacycle.Decision{PlanVersionID: v1.ID, Level: 1, ApproverID: approver.ID,
		Outcome: ptacycle.OutcomeSentBack, Comment: comment}, true); err != nil {
		t.Fatal(err)
	}
	cy, _ := db.Cycle(ctx, org, f.year)
	acts := &activities.Activities{DB: db, Clock: time.Now}
	if err := acts.RecordDelegation(ctx, activities.DelegationInput{OrganisationID: org, CycleID: cy.ID, Level: 1, From: approver.ID, To: coordinator.ID,
		Until: time.Date(2026, time.December, 21, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	approvePlan(t, f)
	current, err := db.Activity(ctx, org, f.activity.ID)
	if err != nil {
		t.Fatal(err)
	}
	evidence := &ptacycle.EvidenceUpload{Name: "rapport.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4\n" + strings.Repeat("x", 119_991))}
	if _, err := db.ReportProgress(ctx, ptacycle.UserActor(owner), postgres.Progress{ActivityID: current.ID, Version: current.Version,
		Status: ptacycle.StatusInProgress, Progress: 40, Comment: "Atelier tenu à Man", Evidence: evidence}); err != nil {
		t.Fatal(err)
	}
	coord := signInAs(t, f.app.srv.URL, "coordinator")

	t.Run("Page", func(t *testing.T) {
		status, body := get(t, coord, f.app.srv.URL+"/journal")
		execExpect(t, "audit log", status, body, 200, []string{
			`>Activité 1.1.1 — Former 50 acteurs</a>`,
			"Statut : Non démarrée → En cours", "Avancement : 0\u00a0% → 40\u00a0%", "Pièce justificative : rapport.pdf (120\u00a0Ko)",
			"Commentaire : Atelier tenu à Man", "Responsable : " + owner.FullName,
			"Décision : Renvoyé pour correction", "Valideur : " + approver.FullName, "<td>Version du PTA n° 1 (2024)</td>",
			"Délégué à : " + coordinator.FullName, "Jusqu&#39;au : 21/12/2026",
			"<details><summary>Commentaire : ", html.EscapeString(comment) + "</details>",
		}, slices.Concat(auditRawWords[:len(auditRawWords)-1], []string{fmt.Sprintf(">Activité %d<", f.activity.ID)})...) // the page may shorten, with « … »
	})
	t.Run("CSV", func(t *testing.T) {
		resp, err := coord.Get(f.app.srv.URL + "/journal.csv")
		status, body := read(t, resp, err)
		if status != 200 {
			t.Fatalf("export: %d", status)
		}
		for _, raw := range auditRawWords {
			if strings.Contains(body, raw) {
				t.Errorf("the export shows %q", raw)
			}
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff")))
		r.Comma = ';'
		records, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(records[0], ";"); got != "Date;Auteur;Action;Objet;Désignation;Identifiant;Avant → après" {
			t.Fatalf("header %q", got)
		}
		found := map[string]bool{}
		for _, rec := range records[1:] {
			switch {
			case rec[2] == "Renvoi pour correction":
				found["sent back"] = strings.Contains(rec[6], "Commentaire : "+comment+"\n") && rec[4] == "n° 1 (2024)"
			case rec[2] == "Déclaration d'avancement":
				found["progress"] = rec[3] == "Activité" && rec[4] == "1.1.1 — Former 50 acteurs" &&
					strings.Contains(rec[6], "\nStatut : Non démarrée → En cours") && strings.Contains(rec[6], "Pièce justificative : rapport.pdf (120\u00a0Ko)")
			case rec[2] == "Délégation":
				found["delegation"] = strings.Contains(rec[6], "Délégué à : "+coordinator.FullName) && strings.Contains(rec[6], "Jusqu'au : 21/12/2026")
			}
		}
		for _, what := range []string{"sent back", "progress", "delegation"} {
			if !found[what] {
				t.Errorf("the export lacks the %s entry in words:\n%s", what, body)
			}
		}
	})
	t.Run("English", func(t *testing.T) { // last: the language stays with the session
		status, body := get(t, coord, f.app.srv.URL+"/journal?lang=en")
		execExpect(t, "English audit log", status, body, 200, []string{"Status: Not started → In progress", "Decision: Sent back for correction",
			"Evidence file: rapport.pdf (120\u00a0KB)", "Until: 2026-12-21"}, "Statut", "Jusqu&#39;au")
	})
}

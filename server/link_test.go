package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/postgres"
)

// approvePlan submits and approves the access fixture's plan, as the workflow would.
func approvePlan(t *testing.T, f *accessFixture) {
	t.Helper()
	ctx := context.Background()
	db := f.app.db
	actor := ptacycle.SystemActor(f.demoOrg.ID)
	plan, _ := db.Plan(ctx, f.demoOrg.ID, f.year)
	v, err := db.FreezePlan(ctx, actor, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	approver, _, _ := db.UserByEmail(ctx, "valideur@cnltp.demo")
	if _, err := db.RecordDecision(ctx, ptacycle.UserActor(approver), ptacycle.Decision{PlanVersionID: v.ID, Level: 1, ApproverID: approver.ID, Outcome: ptacycle.OutcomeApproved}, true); err != nil {
		t.Fatal(err)
	}
	cy, _ := db.Cycle(ctx, f.demoOrg.ID, f.year)
	if err := db.SetStage(ctx, actor, cy.ID, ptacycle.StageExecution); err != nil {
		t.Fatal(err)
	}
}

var linkInMail = regexp.MustCompile(`https?://\S+/r/[A-Za-z0-9_-]+`)

// TestReminderReachesOwner: a reminder is written by the real Remind activity,
// delivered by the sender through a real SMTP server in French, and its
// one-click link lets the owner report progress without a password, logged
// as them; the link is refused once the activity is closed.
func TestReminderReachesOwner(t *testing.T) {
	ctx := context.Background()
	f := mustAccessFixture(t)
	approvePlan(t, f)
	db := f.app.db
	owner, _, _ := db.UserByEmail(ctx, "responsable.tonkpi@cnltp.demo")
	if _, err := db.Pool.Exec(ctx, `UPDATE activities SET owner_id = $2 WHERE id = $1`, f.activity.ID, owner.ID); err != nil {
		t.Fatal(err)
	}
	secret, err := db.Secret(ctx, ptacycle.LinkSecretName, func() ([]byte, error) { return []byte(strings.Repeat("k", 32)), nil })
	if err != nil {
		t.Fatal(err)
	}
	acts := &activities.Activities{DB: db, Clock: time.Now, PublicURL: f.app.srv.URL, LinkSecret: secret}
	in := activities.RemindInput{Key: "followup/test/overdue", OrganisationID: f.demoOrg.ID, ActivityID: f.activity.ID,
		Kind: activities.KindOverdue, Due: f.activity.DueDate.Time(), UserIDs: []int64{owner.ID}}
	for range 2 { // the second call is a retried activity
		if _, err := acts.Remind(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	srv := deliverOutbox(t, db)
	mails := srv.WaitFor(t, 1, 5*time.Second)
	time.Sleep(100 * time.Millisecond)
	if n := len(srv.Mails()); n != 1 {
		t.Fatalf("%d e-mails for one reminder asked twice", n)
	}
	m := mails[0]
	if len(m.To) != 1 || m.To[0] != "responsable.tonkpi@cnltp.demo" {
		t.Errorf("sent to %v", m.To)
	}
	for _, want := range []string{"Bonjour Responsable CRLTP Tonkpi", "est en retard", "1.1.1 — Former 50 acteurs", "Échéance : 30/06/2024", "coordonnateur@cnltp.demo"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("body lacks %q:\n%s", want, m.Text)
		}
	}
	link := linkInMail.FindString(m.Text)
	if link == "" {
		t.Fatalf("no update link in:\n%s", m.Text)
	}
	inApp, _ := db.Reminders(ctx, f.demoOrg.ID, postgres.ReminderFilter{RecipientID: owner.ID, Channel: ptacycle.ChannelInApp})
	if len(inApp) != 1 {
		t.Errorf("%d in-app reminders, want 1", len(inApp))
	}

	anonymous := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	status, body := get(t, anonymous, link)
	if status != 200 || !strings.Contains(body, `data-testid="link-form"`) || !strings.Contains(body, "Mettre à jour l&#39;avancement") {
		t.Fatalf("link page: %d\n%s", status, body)
	}
	t.Run("ErrProgressOutOfRange", func(t *testing.T) {
		status, body := post(t, anonymous, link, url.Values{"version": {"1"}, "status": {"in_progress"}, "progress": {"120"}})
		if status != 422 || !strings.Contains(body, "entre 0 et 100") {
			t.Errorf("progress 120: %d", status)
		}
	})
	status, body = post(t, anonymous, link, url.Values{"version": {"1"}, "status": {"done"}, "comment": {"Formation tenue à Man"}})
	if status != 200 || !strings.Contains(body, `data-testid="link-saved"`) {
		t.Fatalf("report through the link: %d\n%s", status, body)
	}
	a, _ := db.Activity(ctx, f.demoOrg.ID, f.activity.ID)
	if a.Status != ptacycle.StatusDone {
		t.Errorf("activity is %s after the report", a.Status)
	}
	entries, _ := db.Audit(ctx, f.demoOrg.ID, postgres.AuditFilter{Entity: "activity", Limit: 5})
	if len(entries) == 0 || entries[0].Action != "progress" || entries[0].ActorID == nil || *entries[0].ActorID != owner.ID ||
		!strings.Contains(entries[0].ActorLabel, "lien") {
		t.Errorf("audit entry = %+v, want the report in the owner's name", entries[0])
	}
	t.Run("ErrClosedActivity", func(t *testing.T) {
		status, body := get(t, anonymous, link)
		if status != http.StatusConflict || !strings.Contains(body, "ce lien ne sert plus") {
			t.Errorf("link after closing: %d", status)
		}
	})
	t.Run("ErrForgedOrOtherActivity", func(t *testing.T) {
		other := ptacycle.SignLink([]byte("pas-la-bonne-cle-pas-la-bonne-cle"), f.activity.ID, owner.ID, time.Now().Add(time.Hour))
		status, body := get(t, anonymous, f.app.srv.URL+"/r/"+other)
		if status != http.StatusForbidden || !strings.Contains(body, "pas valide") {
			t.Errorf("forged link: %d", status)
		}
		expired := ptacycle.SignLink(secret, f.activity.ID, owner.ID, time.Now().Add(-time.Hour))
		if status, body := get(t, anonymous, f.app.srv.URL+"/r/"+expired); status != http.StatusForbidden || !strings.Contains(body, "expiré") {
			t.Errorf("expired link: %d", status)
		}
	})
}

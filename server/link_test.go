package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
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
	t.Parallel()
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
	// The outbox drained (SendDue returns once each message is accepted), then counted: nothing is left to arrive.
	srv := deliverOutbox(t, db)
	mails := srv.Mails()
	if len(mails) != 1 {
		t.Fatalf("%d e-mails for one reminder asked twice", len(mails))
	}
	if pending, _ := db.Reminders(ctx, f.demoOrg.ID, postgres.ReminderFilter{RecipientID: owner.ID, Channel: ptacycle.ChannelEmail, Status: "pending"}); len(pending) != 0 {
		t.Fatalf("%d e-mail reminders still pending after the outbox was drained", len(pending))
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
		other := ptacycle.SignLink([]byte("pas-la-bonne-cle-pas-la-bonne-cle"), ptacycle.UpdateLink{ActivityID: f.activity.ID, UserID: owner.ID, Epoch: owner.LinkEpoch, Expires: time.Now().Add(time.Hour)})
		status, body := get(t, anonymous, f.app.srv.URL+"/r/"+other)
		if status != http.StatusForbidden || !strings.Contains(body, "pas valide") {
			t.Errorf("forged link: %d", status)
		}
		expired := ptacycle.SignLink(secret, ptacycle.UpdateLink{ActivityID: f.activity.ID, UserID: owner.ID, Epoch: owner.LinkEpoch, Expires: time.Now().Add(-time.Hour)})
		if status, body := get(t, anonymous, f.app.srv.URL+"/r/"+expired); status != http.StatusForbidden || !strings.Contains(body, "expiré") {
			t.Errorf("expired link: %d", status)
		}
	})
}

// linkFixture is the access fixture in execution, its activity named to the
// Tonkpi owner, and the real Remind activity that mints that owner's links.
type linkFixture struct {
	*accessFixture
	owner   ptacycle.User
	acts    *activities.Activities
	minted  int
	version int
}

func mustLinkFixture(t *testing.T) *linkFixture {
	t.Helper()
	ctx := context.Background()
	f := &linkFixture{accessFixture: mustAccessFixture(t)}
	approvePlan(t, f.accessFixture)
	db := f.app.db
	f.owner, _, _ = db.UserByEmail(ctx, "responsable.tonkpi@cnltp.demo")
	if _, err := db.Pool.Exec(ctx, `UPDATE activities SET owner_id = $2 WHERE id = $1`, f.activity.ID, f.owner.ID); err != nil {
		t.Fatal(err)
	}
	secret, err := db.Secret(ctx, ptacycle.LinkSecretName, func() ([]byte, error) { return []byte(strings.Repeat("k", 32)), nil })
	if err != nil {
		t.Fatal(err)
	}
	f.acts = &activities.Activities{DB: db, Clock: time.Now, PublicURL: f.app.srv.URL, LinkSecret: secret}
	return f
}

// mintLink has the Remind activity write the owner a reminder, and returns the one-click link it carries.
func (f *linkFixture) mintLink(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	f.minted++
	in := activities.RemindInput{Key: "followup/test/link-" + strconv.Itoa(f.minted), OrganisationID: f.demoOrg.ID, ActivityID: f.activity.ID,
		Kind: activities.KindOverdue, Due: f.activity.DueDate.Time(), UserIDs: []int64{f.owner.ID}}
	if n, err := f.acts.Remind(ctx, in); err != nil || n == 0 {
		t.Fatalf("Remind = %d, %v", n, err)
	}
	inApp, err := f.app.db.Reminders(ctx, f.demoOrg.ID, postgres.ReminderFilter{RecipientID: f.owner.ID, Channel: ptacycle.ChannelInApp, Limit: 1})
	if err != nil || len(inApp) != 1 {
		t.Fatalf("in-app reminders = %v, %v", inApp, err)
	}
	link := linkInMail.FindString(inApp[0].Body)
	if link == "" {
		t.Fatalf("no update link in:\n%s", inApp[0].Body)
	}
	return link
}

// changeOwner has an administrator change the owner's account through the store.
func (f *linkFixture) changeOwner(t *testing.T, change func(*postgres.UserChange)) {
	t.Helper()
	ch := postgres.UserChange{FullName: f.owner.FullName, Role: f.owner.Role, UnitID: f.owner.UnitID, Language: f.owner.Language, Active: f.owner.Active}
	change(&ch)
	admin, _, _ := f.app.db.UserByEmail(context.Background(), "admin@cnltp.demo")
	if _, err := f.app.db.UpdateUser(context.Background(), ptacycle.UserActor(admin), f.owner.ID, ch); err != nil {
		t.Fatal(err)
	}
}

// restoreOwner puts the owner's account back as the demo made it.
func (f *linkFixture) restoreOwner(t *testing.T) {
	t.Helper()
	owner := f.owner
	f.changeOwner(t, func(ch *postgres.UserChange) { ch.Role, ch.UnitID, ch.Active = owner.Role, owner.UnitID, true })
}

// report posts a progress report through link; it answers the status and page.
func (f *linkFixture) report(t *testing.T, link string) (int, string) {
	t.Helper()
	a, err := f.app.db.Activity(context.Background(), f.demoOrg.ID, f.activity.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.version++
	return post(t, http.DefaultClient, link, url.Values{"version": {strconv.Itoa(a.Version)}, "status": {"in_progress"},
		"progress": {strconv.Itoa(f.version)}, "comment": {"Rapport par lien n° " + strconv.Itoa(f.version)}})
}

// mustWork checks that link opens the form and records a report.
func (f *linkFixture) mustWork(t *testing.T, link string) {
	t.Helper()
	if status, body := get(t, http.DefaultClient, link); status != http.StatusOK || !strings.Contains(body, `data-testid="link-form"`) {
		t.Fatalf("link page: %d\n%s", status, body)
	}
	if status, body := f.report(t, link); status != http.StatusOK || !strings.Contains(body, `data-testid="link-saved"`) {
		t.Fatalf("report through the link: %d\n%s", status, body)
	}
}

// mustRefuse checks that link answers a French page saying want, on opening
// and on posting a report, and that the refused report recorded nothing.
func (f *linkFixture) mustRefuse(t *testing.T, link, want string) {
	t.Helper()
	ctx := context.Background()
	db := f.app.db
	before, _ := db.Activity(ctx, f.demoOrg.ID, f.activity.ID)
	history, _ := db.ActivityHistory(ctx, f.demoOrg.ID, f.activity.ID)
	status, body := get(t, http.DefaultClient, link)
	if status != http.StatusForbidden || !strings.Contains(body, want) || strings.Contains(body, `data-testid="link-form"`) {
		t.Errorf("link page: %d, want 403 saying %q\n%s", status, want, body)
	}
	if status, body := f.report(t, link); status != http.StatusForbidden || !strings.Contains(body, want) {
		t.Errorf("report through the link: %d, want 403 saying %q\n%s", status, want, body)
	}
	after, _ := db.Activity(ctx, f.demoOrg.ID, f.activity.ID)
	afterHistory, _ := db.ActivityHistory(ctx, f.demoOrg.ID, f.activity.ID)
	if after.Version != before.Version || after.Progress != before.Progress || len(afterHistory) != len(history) {
		t.Errorf("a refused link recorded a report: version %d → %d, progress %d → %d, %d → %d updates",
			before.Version, after.Version, before.Progress, after.Progress, len(history), len(afterHistory))
	}
}

// TestLinkFollowsTheAccount: a one-click link works only while the person it
// was made for may report progress on its activity, as they could signed in,
// and only until their role, unit, activation or password changes.
func TestLinkFollowsTheAccount(t *testing.T) {
	t.Parallel()
	f := mustLinkFixture(t)
	t.Run("Unchanged", func(t *testing.T) {
		link := f.mintLink(t)
		f.mustWork(t, link)
		f.mustWork(t, link) // a link serves as long as it is valid, not once
	})
	t.Run("ErrNowPartner", func(t *testing.T) {
		link := f.mintLink(t)
		f.changeOwner(t, func(ch *postgres.UserChange) { ch.Role = ptacycle.RolePartner })
		defer f.restoreOwner(t)
		f.mustRefuse(t, link, "Votre rôle (Partenaire")
	})
	// Every change below moves the owner's link epoch: the links made before end, even once the account is as it was.
	const changed = "votre compte a changé depuis son envoi"
	t.Run("ErrNowCoordinator", func(t *testing.T) {
		link := f.mintLink(t)
		f.changeOwner(t, func(ch *postgres.UserChange) { ch.Role = ptacycle.RoleCoordinator })
		f.mustRefuse(t, link, changed) // a coordinator may report, but this link was the owner's
		f.restoreOwner(t)
		f.mustRefuse(t, link, changed)
	})
	t.Run("ErrUnitChanged", func(t *testing.T) {
		link := f.mintLink(t)
		units, _ := f.app.db.Units(context.Background(), f.demoOrg.ID)
		var elsewhere int64
		for _, u := range units {
			if u.ID != *f.owner.UnitID {
				elsewhere = u.ID
				break
			}
		}
		f.changeOwner(t, func(ch *postgres.UserChange) { ch.UnitID = &elsewhere })
		f.mustRefuse(t, link, changed)
		f.restoreOwner(t)
		f.mustRefuse(t, link, changed)
	})
	t.Run("ErrDeactivatedThenReactivated", func(t *testing.T) {
		link := f.mintLink(t)
		f.changeOwner(t, func(ch *postgres.UserChange) { ch.Active = false })
		f.mustRefuse(t, link, "Ce compte est désactivé")
		f.restoreOwner(t)
		f.mustRefuse(t, link, changed)
	})
	t.Run("ErrPasswordChanged", func(t *testing.T) {
		link := f.mintLink(t)
		hash, _ := ptacycle.HashPassword("un-autre-mot-de-passe")
		if err := f.app.db.SetPassword(context.Background(), ptacycle.UserActor(f.owner), f.owner.ID, hash); err != nil {
			t.Fatal(err)
		}
		f.mustRefuse(t, link, changed)
	})
	t.Run("ErrPasswordReset", func(t *testing.T) {
		link := f.mintLink(t)
		hash, _ := ptacycle.HashPassword("mot-de-passe-reinitialise")
		if _, err := f.app.db.ResetPassword(context.Background(), ptacycle.UserActor(f.owner), f.owner.ID, hash); err != nil {
			t.Fatal(err)
		}
		f.mustRefuse(t, link, changed)
	})
	t.Run("LinkMadeAfterTheChanges", func(t *testing.T) {
		f.mustWork(t, f.mintLink(t))
	})
	t.Run("OtherAccountsChangesKeepIt", func(t *testing.T) {
		link := f.mintLink(t)
		coordinator, _, _ := f.app.db.UserByEmail(context.Background(), "coordonnateur@cnltp.demo")
		hash, _ := ptacycle.HashPassword("un-autre-mot-de-passe")
		if err := f.app.db.SetPassword(context.Background(), ptacycle.UserActor(coordinator), coordinator.ID, hash); err != nil {
			t.Fatal(err)
		}
		f.mustWork(t, link)
	})
}

// TestReminderDoesNotSendTheCoordinatorToHerself: a reminder to a
// coordinator names the other coordinators for questions, never her; to the
// owner, it names her (before: « Pour toute question : » and her own name).
func TestReminderDoesNotSendTheCoordinatorToHerself(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := mustAccessFixture(t)
	db := f.app.db
	coord, _, _ := db.UserByEmail(ctx, "coordonnateur@cnltp.demo")
	owner, _, _ := db.UserByEmail(ctx, "responsable.tonkpi@cnltp.demo")
	acts := &activities.Activities{DB: db, Clock: time.Now, PublicURL: f.app.srv.URL}
	in := activities.RemindInput{Key: "cycle/test/due-soon", OrganisationID: f.demoOrg.ID, Kind: activities.KindDueSoon,
		Due: time.Now().Add(72 * time.Hour), UserIDs: []int64{coord.ID, owner.ID}, Step: ptacycle.Label{FR: "la soumission du PTA", EN: "the plan submission"}}
	if _, err := acts.Remind(ctx, in); err != nil {
		t.Fatal(err)
	}
	body := func(u ptacycle.User) string {
		t.Helper()
		r, err := db.Reminders(ctx, f.demoOrg.ID, postgres.ReminderFilter{RecipientID: u.ID, Channel: ptacycle.ChannelInApp, Limit: 1})
		if err != nil || len(r) != 1 {
			t.Fatalf("in-app reminders of %s: %v, %v", u.Email, r, err)
		}
		return r[0].Body
	}
	if b := body(coord); strings.Contains(b, "Pour toute question") || strings.Contains(b, coord.Email) {
		t.Errorf("the coordinator is told to ask herself:\n%s", b)
	}
	if b := body(owner); !strings.Contains(b, "Pour toute question : "+coord.FullName+" <"+coord.Email+">") {
		t.Errorf("the owner is not told to ask the coordinator:\n%s", b)
	}
}

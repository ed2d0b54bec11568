package server_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/notify"
	"github.com/ptacycle/ptacycle/notify/smtptest"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/server"
	"github.com/ptacycle/ptacycle/ui"
)

var resetInMail = regexp.MustCompile(`https://ptacycle\.example(/reinitialiser/[A-Za-z0-9_-]+)`)

// TestPasswordReset: a user who forgot their password asks for a link; it
// arrives through the outbox and a real SMTP server, pointing at the public
// address whatever Host the request named; it sets a new password once, and
// is refused afterwards, when expired, or for an unknown or disabled account,
// which are answered like any other.
func TestPasswordReset(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := mustAccessFixtureWith(t, func(d *server.Deps) { d.PublicURL = "https://ptacycle.example" })
	db, base := f.app.db, f.app.srv.URL
	owner, _, _ := db.UserByEmail(ctx, demoLogins["owner"])
	resets := func() []ptacycle.Reminder {
		t.Helper()
		list, err := db.Reminders(ctx, f.demoOrg.ID, postgres.ReminderFilter{Kind: "password_reset"})
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	anonymous := browser()
	_, login := get(t, anonymous, base+"/login")
	execExpect(t, "the sign-in page", http.StatusOK, login, http.StatusOK, []string{`href="/mot-de-passe-oublie"`, "Mot de passe oublié ?"})

	ask := func(email string, header ...string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+"/mot-de-passe-oublie", strings.NewReader(url.Values{"email": {email}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if len(header) == 2 {
			req.Header.Set(header[0], header[1])
		}
		resp, err := anonymous.Do(req)
		status, body := read(t, resp, err)
		f.app.server.WaitResetLinks() // the account is looked up, and its link sent, after the answer
		return status, body
	}
	status, unknown := ask("personne@cnltp.demo")
	execExpect(t, "an unknown address", status, unknown, http.StatusOK, []string{`data-testid="forgot-sent"`, "Si un compte actif correspond à personne@cnltp.demo"})
	status, known := ask(strings.ToUpper(owner.Email), "X-Forwarded-Host", "attaquant.example")
	execExpect(t, "the owner's address", status, known, http.StatusOK, []string{`data-testid="forgot-sent"`})
	if strings.ReplaceAll(known, strings.ToUpper(owner.Email), "X") != strings.ReplaceAll(unknown, "personne@cnltp.demo", "X") {
		t.Error("the answer tells a known address from an unknown one")
	}
	if n := len(resets()); n != 1 {
		t.Fatalf("%d reset e-mails in the outbox, want 1 (the known address)", n)
	}

	smtp := deliverOutbox(t, db)
	mail := smtp.WaitFor(t, 1, 5*time.Second)[0]
	m := resetInMail.FindStringSubmatch(mail.Text)
	if len(mail.To) != 1 || mail.To[0] != owner.Email || m == nil || !strings.Contains(mail.Text, "valable une heure") {
		t.Fatalf("reset e-mail to %v:\n%s", mail.To, mail.Text)
	}
	page := base + m[1]

	status, form := get(t, anonymous, page)
	execExpect(t, "the reset form", status, form, http.StatusOK, []string{`data-testid="reset-form"`, "Au moins 10 caractères"})
	status, body := post(t, anonymous, page, url.Values{"password": {"court"}, "confirm": {"court"}})
	execExpect(t, "a short password", status, body, http.StatusUnprocessableEntity, []string{`data-testid="error-password"`, "au moins 10 caractères"})
	status, body = post(t, anonymous, page, url.Values{"password": {"nouveau-mot-de-passe"}, "confirm": {"nouveau-mot-de-pase"}})
	execExpect(t, "two different entries", status, body, http.StatusUnprocessableEntity, []string{`data-testid="error-confirm"`, "diffèrent"})
	signIn(t, base, owner.Email, demo.Password) // refused forms changed nothing

	before := signIn(t, base, owner.Email, demo.Password) // a session opened with the old password
	// and a personal token made with it: failed before, the token outlived the reset.
	api := newAPIClient(t, base)
	if res := api.do("POST", "/session", map[string]string{"email": owner.Email, "password": demo.Password}); res.Status != http.StatusOK {
		t.Fatalf("API sign-in: %d %s", res.Status, res.Body)
	}
	var made struct{ Secret string }
	if res := api.do("POST", "/me/tokens", map[string]string{"name": "script du voleur"}); res.Status != http.StatusCreated {
		t.Fatalf("token: %d %s", res.Status, res.Body)
	} else {
		res.decode(t, &made)
	}
	bearer := newAPIClient(t, base).withToken(made.Secret)
	if res := bearer.do("GET", "/me", nil); res.Status != http.StatusOK {
		t.Fatalf("the token before the reset: %d", res.Status)
	}
	status, location, _ := postFull(t, anonymous, page, url.Values{"password": {"nouveau-mot-de-passe"}, "confirm": {"nouveau-mot-de-passe"}})
	if status != http.StatusSeeOther || location != "/login" {
		t.Fatalf("reset = %d to %q", status, location)
	}
	_, login = get(t, anonymous, base+"/login")
	execExpect(t, "the sign-in page after the reset", http.StatusOK, login, http.StatusOK, []string{`data-testid="flash"`, "Mot de passe enregistré"})
	if status, _ := get(t, before, base+"/mes-activites"); status != http.StatusSeeOther {
		t.Errorf("the session opened with the old password still works: %d", status)
	}
	if res := bearer.do("GET", "/me", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("a token made with the old password still works after the reset: %d", res.Status)
	}
	signIn(t, base, owner.Email, "nouveau-mot-de-passe")
	if status, _ := post(t, browser(), base+"/login", url.Values{"email": {owner.Email}, "password": {demo.Password}}); status != http.StatusUnauthorized {
		t.Errorf("the old password still signs in: %d", status)
	}
	entries, _ := db.Audit(ctx, f.demoOrg.ID, postgres.AuditFilter{Entity: "user", EntityID: strconv.FormatInt(owner.ID, 10)})
	if len(entries) == 0 || entries[0].Action != "reset_password" || !strings.Contains(entries[0].ActorLabel, "lien de réinitialisation") {
		t.Errorf("audit of the reset: %+v", entries)
	}

	t.Run("ErrUsedTwice", func(t *testing.T) {
		status, body := get(t, anonymous, page)
		execExpect(t, "the link once used", status, body, http.StatusForbidden, []string{`data-testid="reset-invalid"`, "déjà servi", `href="/mot-de-passe-oublie"`})
		status, _ = post(t, anonymous, page, url.Values{"password": {"encore-un-autre-mdp"}, "confirm": {"encore-un-autre-mdp"}})
		if status != http.StatusForbidden {
			t.Errorf("posting through a used link: %d", status)
		}
		signIn(t, base, owner.Email, "nouveau-mot-de-passe")
	})
	t.Run("ErrExpired", func(t *testing.T) {
		_, hash, _ := db.UserByEmail(ctx, owner.Email)
		secret, _ := db.Secret(ctx, ptacycle.LinkSecretName, nil)
		old := ptacycle.SignReset(secret, owner.ID, hash, time.Now().Add(-time.Minute))
		status, body := get(t, anonymous, base+"/reinitialiser/"+old)
		execExpect(t, "an expired link", status, body, http.StatusForbidden, []string{"a expiré"})
	})
	t.Run("ErrDisabledAccount", func(t *testing.T) {
		before := len(resets())
		if _, err := db.Pool.Exec(ctx, `UPDATE users SET active = false WHERE id = $1`, owner.ID); err != nil {
			t.Fatal(err)
		}
		status, body := ask(owner.Email)
		execExpect(t, "a disabled account", status, body, http.StatusOK, []string{`data-testid="forgot-sent"`})
		if len(resets()) != before {
			t.Error("a disabled account was sent a link")
		}
	})
	t.Run("ErrTooMany", func(t *testing.T) {
		var status int
		var body string
		for range 6 {
			status, body = ask("quelquun@cnltp.demo")
		}
		execExpect(t, "the sixth request", status, body, http.StatusTooManyRequests, []string{"Trop de demandes"})
	})
	t.Run("ErrNotConfigured", func(t *testing.T) {
		plain := mustAccessFixture(t)
		status, body := post(t, browser(), plain.app.srv.URL+"/mot-de-passe-oublie", url.Values{"email": {owner.Email}})
		execExpect(t, "without a public address", status, body, http.StatusServiceUnavailable, []string{"n&#39;est pas configuré"})
	})
}

// TestForgottenPasswordAnsweredFirst (issue 13, hole 6): a forgotten-password
// request is answered before anything is done with its address. With the
// background worker held, a known address gets the answer an unknown one gets
// while nothing is in the outbox; released, its e-mail goes out. A full queue
// drops a request, logged, and answers it as ever; Close sends what is queued.
func TestForgottenPasswordAnsweredFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	logs := &lockedBuffer{}
	f := mustAccessFixtureWith(t, func(d *server.Deps) {
		d.PublicURL = "https://ptacycle.example"
		d.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	db, srv := f.app.db, f.app.server
	owner, _, _ := db.UserByEmail(ctx, demoLogins["owner"])
	sent := func() int {
		t.Helper()
		list, err := db.Reminders(ctx, f.demoOrg.ID, postgres.ReminderFilter{RecipientID: owner.ID, Kind: "password_reset"})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	asked := 0
	ask := func(h http.Handler, email string) (int, string) { // from a client address of its own, under the per-address limit
		t.Helper()
		asked++
		req := httptest.NewRequest(http.MethodPost, "/mot-de-passe-oublie", strings.NewReader(url.Values{"email": {email}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = fmt.Sprintf("10.1.%d.%d:40000", asked/250, asked%250)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, strings.ReplaceAll(rec.Body.String(), email, "X")
	}
	h := f.app.srv.Config.Handler

	release := srv.HoldResetLinks()
	t.Cleanup(release)
	unknownStatus, unknown := ask(h, "personne@cnltp.demo")
	knownStatus, known := ask(h, owner.Email)
	if unknownStatus != http.StatusOK || knownStatus != unknownStatus || known != unknown || !strings.Contains(known, `data-testid="forgot-sent"`) {
		t.Errorf("a known address answered %d, an unknown one %d; the same page: %v", knownStatus, unknownStatus, known == unknown)
	}
	if n := sent(); n != 0 {
		t.Fatalf("%d reset e-mails in the outbox before the answer's work ran: the account was looked up before answering", n)
	}
	release()
	srv.WaitResetLinks()
	if n := sent(); n != 1 {
		t.Fatalf("%d reset e-mails once the work ran, want 1", n)
	}
	if mail := deliverOutbox(t, db).WaitFor(t, 1, 5*time.Second)[0]; len(mail.To) != 1 || mail.To[0] != owner.Email || !resetInMail.MatchString(mail.Text) {
		t.Fatalf("reset e-mail to %v:\n%s", mail.To, mail.Text)
	}

	t.Run("ErrQueueFull", func(t *testing.T) {
		release := srv.HoldResetLinks()
		t.Cleanup(release)
		for i := range server.ResetQueueSize {
			if status, _ := ask(h, fmt.Sprintf("personne%d@cnltp.demo", i)); status != http.StatusOK {
				t.Fatalf("request %d: %d", i, status)
			}
		}
		if strings.Contains(logs.String(), "dropped") {
			t.Fatalf("a request dropped before the queue was full:\n%s", logs.String())
		}
		status, body := ask(h, owner.Email)
		if status != knownStatus || body != known {
			t.Errorf("the request over the queue answered %d, differently from the others", status)
		}
		if !strings.Contains(logs.String(), "password reset request dropped") {
			t.Errorf("the dropped request is not logged:\n%s", logs.String())
		}
		release()
		srv.WaitResetLinks()
		if n := sent(); n != 1 {
			t.Errorf("%d reset e-mails, want still 1: the dropped request was sent", n)
		}
	})

	t.Run("CloseSendsWhatIsQueued", func(t *testing.T) {
		renderer, err := ui.New()
		if err != nil {
			t.Fatal(err)
		}
		other := server.New(server.Deps{DB: db, Temporal: unreachableTemporal(t), UI: renderer, Logger: slog.New(slog.DiscardHandler), PublicURL: "https://ptacycle.example"})
		release := other.HoldResetLinks()
		if status, _ := ask(other.Handler(), owner.Email); status != http.StatusOK {
			t.Fatalf("request: %d", status)
		}
		release()
		other.Close()
		if n := sent(); n != 2 {
			t.Errorf("%d reset e-mails after Close, want 2: the queued request was lost", n)
		}
	})
}

// TestInvitation: an administrator creates an account without a password;
// the person gets an invitation by e-mail, chooses the password through its
// link and signs in. The administrator can send the link again.
func TestInvitation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := mustAccessFixtureWith(t, func(d *server.Deps) { d.PublicURL = "https://ptacycle.example" })
	db, base := f.app.db, f.app.srv.URL
	admin := signInAs(t, base, "admin")
	_, page := get(t, admin, base+"/admin")
	execExpect(t, "the admin page", http.StatusOK, page, http.StatusOK, []string{"Laissez vide : la personne reçoit par e-mail un lien"})
	owner, _, _ := db.UserByEmail(ctx, demoLogins["owner"])
	status, location, _ := postFull(t, admin, base+"/admin/utilisateurs", url.Values{"email": {"koffi.yao@cnltp.demo"}, "fullName": {"Koffi Yao"},
		"role": {"owner"}, "unitId": {strconv.FormatInt(*owner.UnitID, 10)}, "language": {"fr"}, "password": {""}})
	if status != http.StatusSeeOther || location != "/admin" {
		t.Fatalf("create without password = %d to %q", status, location)
	}
	_, page = get(t, admin, base+"/admin")
	execExpect(t, "after the invitation", http.StatusOK, page, http.StatusOK, []string{"Invitation envoyée à Koffi Yao (koffi.yao@cnltp.demo)"})

	smtp := deliverOutbox(t, db)
	mail := smtp.WaitFor(t, 1, 5*time.Second)[0]
	m := resetInMail.FindStringSubmatch(mail.Text)
	if mail.To[0] != "koffi.yao@cnltp.demo" || m == nil || !strings.Contains(mail.Text, "Un compte ptacycle vient d'être créé pour vous") {
		t.Fatalf("invitation to %v:\n%s", mail.To, mail.Text)
	}
	anonymous := browser()
	status, location, _ = postFull(t, anonymous, base+m[1], url.Values{"password": {"mon-mot-de-passe"}, "confirm": {"mon-mot-de-passe"}})
	if status != http.StatusSeeOther || location != "/login" {
		t.Fatalf("choosing the password = %d to %q", status, location)
	}
	signIn(t, base, "koffi.yao@cnltp.demo", "mon-mot-de-passe")

	t.Run("SendAgain", func(t *testing.T) {
		koffi, _, _ := db.UserByEmail(ctx, "koffi.yao@cnltp.demo")
		st, loc, _ := postFull(t, admin, base+"/admin/utilisateurs/"+strconv.FormatInt(koffi.ID, 10)+"/invitation", nil)
		invites, _ := db.Reminders(ctx, f.demoOrg.ID, postgres.ReminderFilter{RecipientID: koffi.ID, Kind: "account_invite"})
		if st != http.StatusSeeOther || loc != "/admin" || len(invites) != 2 {
			t.Errorf("sending the link again = %d to %q, %d invitations", st, loc, len(invites))
		}
		if status, _ := post(t, signInAs(t, base, "coordinator"), base+"/admin/utilisateurs/"+strconv.FormatInt(koffi.ID, 10)+"/invitation", nil); status != http.StatusForbidden {
			t.Errorf("a coordinator sending an invitation: %d, want 403", status)
		}
	})
}

// deliverOutbox sends what the outbox holds through a real SMTP server
// started for the test, and returns that server.
func deliverOutbox(t *testing.T, db *postgres.DB) *smtptest.Server {
	t.Helper()
	smtp := smtptest.Start(t)
	tr, err := notify.NewSMTP(notify.SMTPConfig{Host: smtp.Host, Port: smtp.Port, TLS: "none", From: "ptacycle <ptacycle@cnltp.demo>"})
	if err != nil {
		t.Fatal(err)
	}
	sender := &notify.Sender{Outbox: db, Email: tr, Logger: slog.New(slog.DiscardHandler)}
	if _, err := sender.SendDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	return smtp
}

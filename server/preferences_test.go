package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
)

func TestPreferences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := mustAccessFixture(t)
	owner := newAPIClient(t, f.app.srv.URL)
	if res := owner.do("POST", "/session", map[string]string{"email": "responsable.tonkpi@cnltp.demo", "password": demo.Password}); res.Status != 200 {
		t.Fatalf("login: %d", res.Status)
	}
	t.Run("ErrWebhookWithoutPhone", func(t *testing.T) {
		res := owner.do("PUT", "/me/preferences", map[string]any{"language": "fr", "notifyChannel": "webhook"})
		e := res.err(t)
		if res.Status != 422 || len(e.Fields) == 0 || e.Fields[0].Field != "phone" {
			t.Errorf("%d %+v", res.Status, e)
		}
	})
	var u ptacycle.User
	res := owner.do("PUT", "/me/preferences", map[string]any{"language": "en", "notifyChannel": "webhook", "phone": "+225 07 00 00 00 01", "quietFrom": 20, "quietTo": 7})
	if res.Status != 200 {
		t.Fatalf("preferences: %d %s", res.Status, res.Body)
	}
	res.decode(t, &u)
	if u.NotifyChannel != ptacycle.ChannelWebhook || u.Language != "en" || u.QuietFrom == nil || *u.QuietFrom != 20 {
		t.Errorf("user = %+v", u)
	}

	b := browser()
	post(t, b, f.app.srv.URL+"/login", url.Values{"email": {"coordonnateur@cnltp.demo"}, "password": {demo.Password}})
	t.Run("ErrBadPhoneOnThePage", func(t *testing.T) {
		status, body := post(t, b, f.app.srv.URL+"/compte/preferences", url.Values{"notifyChannel": {"email"}, "phone": {"pas un numéro"}, "language": {"fr"}})
		if status != 422 || !strings.Contains(body, `data-testid="error-phone"`) || !strings.Contains(body, "Numéro de téléphone invalide") {
			t.Errorf("%d", status)
		}
	})
	status, _ := post(t, b, f.app.srv.URL+"/compte/preferences", url.Values{"notifyChannel": {"email"}, "digest": {"on"}, "language": {"fr"}, "quietFrom": {""}, "quietTo": {""}})
	if status != 303 {
		t.Fatalf("saving preferences: %d", status)
	}
	coord, _, _ := f.app.db.UserByEmail(ctx, "coordonnateur@cnltp.demo")
	if !coord.Digest || coord.NotifyChannel != ptacycle.ChannelEmail {
		t.Errorf("coordinator = %+v", coord.Preferences)
	}

	t.Run("FailuresShownToCoordinators", func(t *testing.T) {
		r := ptacycle.Reminder{Key: "test/failed/email", RecipientID: coord.ID, Channel: ptacycle.ChannelEmail, Kind: "password_reset",
			Subject: "Relance perdue", Body: "Lien secret : https://ptacycle.example/reinitialiser/jeton-secret", Address: "parti@cnltp.demo"}
		if _, err := f.app.db.CreateReminders(ctx, f.demoOrg.ID, []ptacycle.Reminder{r}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.db.Pool.Exec(ctx, `UPDATE reminders SET status = 'failed', last_error = '550 No such user' WHERE key = $1`, r.Key); err != nil {
			t.Fatal(err)
		}
		_, body := get(t, b, f.app.srv.URL+"/relances")
		if !strings.Contains(body, `data-testid="delivery-failures"`) || !strings.Contains(body, "550 No such user") {
			t.Error("the coordinator does not see the failed delivery")
		}
		var failed []ptacycle.Reminder
		api := newAPIClient(t, f.app.srv.URL)
		api.do("POST", "/session", map[string]string{"email": "coordonnateur@cnltp.demo", "password": demo.Password})
		api.do("GET", "/reminders/failures", nil).decode(t, &failed)
		if len(failed) != 1 || failed[0].LastError != "550 No such user" {
			t.Errorf("failures = %+v", failed)
		}
		// Someone else's message may hold a link as good as a password (a reset, a one-click update): never its body.
		if res := api.do("GET", "/reminders/failures", nil); strings.Contains(string(res.Body), "jeton-secret") {
			t.Errorf("the failures list shows the message's body: %s", res.Body)
		}
		if res := owner.do("GET", "/reminders/failures", nil); res.Status != 403 {
			t.Errorf("owner reading failures: %d", res.Status)
		}
	})
}

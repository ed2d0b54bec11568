package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/notify"
	"github.com/ptacycle/ptacycle/notify/smtptest"
)

func reminder() notify.Content {
	return notify.Content{Kind: "overdue", Lang: "fr", Organisation: "CNLTP", RecipientName: "Responsable CRLTP Tonkpi",
		ActivityCode: "1.1.1", ActivityTitle: "Former 50 acteurs de la chaîne pénale", ActionTitle: "Renforcer les capacités",
		AxisTitle: "A3 — Poursuites", UnitName: "CRLTP Tonkpi", Due: ptacycle.NewDate(2024, time.June, 30), Status: "En cours", Progress: 40,
		Contact: "Awa Koné <coordonnateur@cnltp.demo>", UpdateLink: "https://ptacycle.example/r/abc", PageLink: "https://ptacycle.example/activites/12"}
}

func TestRender(t *testing.T) {
	subject, text, html, err := notify.Render(reminder())
	if err != nil {
		t.Fatal(err)
	}
	if subject != "En retard : 1.1.1 Former 50 acteurs de la chaîne pénale" {
		t.Errorf("subject = %q", subject)
	}
	for _, want := range []string{"Bonjour Responsable CRLTP Tonkpi", "est en retard", "Échéance : 30/06/2024", "Statut   : En cours (40 %)",
		"Axe      : A3 — Poursuites", "https://ptacycle.example/r/abc", "Awa Koné <coordonnateur@cnltp.demo>"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(html, `href="https://ptacycle.example/r/abc"`) || !strings.Contains(html, "Mettre à jour l'avancement") {
		t.Errorf("html:\n%s", html)
	}
	c := reminder()
	c.Lang, c.Kind = "en", "due_soon"
	subject, text, _, err = notify.Render(c)
	if err != nil || subject != "Reminder: 1.1.1 Former 50 acteurs de la chaîne pénale" || !strings.Contains(text, "is due soon") || !strings.Contains(text, "Due     : 2024-06-30") {
		t.Errorf("English: %q %v\n%s", subject, err, text)
	}
	t.Run("Escaped", func(t *testing.T) {
		c := reminder()
		c.ActivityTitle = `<script>alert(1)</script>`
		_, _, html, _ := notify.Render(c)
		if strings.Contains(html, "<script>") {
			t.Error("an activity title is not escaped in the HTML e-mail")
		}
	})
	t.Run("OverdueStep", func(t *testing.T) {
		_, text, _, err := notify.Render(notify.Content{Kind: "overdue", Lang: "fr", Step: "la clôture du bilan", Due: ptacycle.NewDate(2024, time.February, 15)})
		if err != nil || !strings.Contains(text, "est en retard : la clôture du bilan, attendue pour le 15/02/2024") {
			t.Errorf("%v\n%s", err, text)
		}
	})
	t.Run("Digest", func(t *testing.T) {
		d := notify.Content{Kind: "digest", Lang: "fr", Organisation: "CNLTP", RecipientName: "Awa",
			Overdue: []notify.DigestLine{{Code: "2.1.1", Title: "Campagne", Unit: "CRLTP Nawa", Due: ptacycle.NewDate(2024, time.May, 1), DaysLate: 12}},
			Pending: []string{"Validation du PTA, niveau 2"}}
		subject, text, _, err := notify.Render(d)
		if err != nil || subject != "Synthèse hebdomadaire : 1 activité(s) en retard, 1 décision(s) en attente" || !strings.Contains(text, "2.1.1 Campagne — CRLTP Nawa, échéance 01/05/2024 (12 jour(s) de retard)") {
			t.Errorf("digest: %q %v\n%s", subject, err, text)
		}
	})
}

func TestSMTP(t *testing.T) {
	srv := smtptest.Start(t)
	tr, err := notify.NewSMTP(notify.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "none", From: "ptacycle <ptacycle@cnltp.demo>"})
	if err != nil {
		t.Fatal(err)
	}
	subject, text, html, _ := notify.Render(reminder())
	m := notify.Message{Key: "followup/12/2024-06-30/3/7", To: "responsable.tonkpi@cnltp.demo", ToName: "Responsable CRLTP Tonkpi", Subject: subject, Text: text, HTML: html}
	if err := tr.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, 1, 5*time.Second)[0]
	if len(got.To) != 1 || got.To[0] != "responsable.tonkpi@cnltp.demo" || got.From != "ptacycle@cnltp.demo" {
		t.Errorf("envelope from %q to %v", got.From, got.To)
	}
	if s, _ := new(mime.WordDecoder).DecodeHeader(got.Header.Get("Subject")); s != subject {
		t.Errorf("subject %q, want %q", s, subject)
	}
	if !strings.Contains(got.Text, "Statut   : En cours (40 %)") || !strings.Contains(got.HTML, "Mettre à jour") {
		t.Errorf("text:\n%s\nhtml:\n%s", got.Text, got.HTML)
	}
	if id := got.Header.Get("Message-Id"); id != "<followup.12.2024-06-30.3.7@cnltp.demo>" {
		t.Errorf("Message-ID %q is not derived from the key", id)
	}
	t.Run("ErrRefusedAddressIsPermanent", func(t *testing.T) {
		srv.Refuse("parti@cnltp.demo")
		m.To = "parti@cnltp.demo"
		err := tr.Send(context.Background(), m)
		if err == nil || !notify.IsPermanent(err) {
			t.Errorf("err = %v, want a permanent failure", err)
		}
	})
	t.Run("ErrServerDownIsTemporary", func(t *testing.T) {
		down, _ := notify.NewSMTP(notify.SMTPConfig{Host: "127.0.0.1", Port: 1, TLS: "none", From: "ptacycle@cnltp.demo"})
		err := down.Send(context.Background(), m)
		if err == nil || notify.IsPermanent(err) {
			t.Errorf("err = %v, want a temporary failure", err)
		}
	})
	t.Run("ErrBadConfig", func(t *testing.T) {
		if _, err := notify.NewSMTP(notify.SMTPConfig{Host: "x", From: "a@b.c", TLS: "ssl"}); err == nil || !strings.Contains(err.Error(), "SMTP_TLS") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestWebhook(t *testing.T) {
	secret := []byte("secret-partage")
	var got map[string]string
	var sig, idem string
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sig, idem = r.Header.Get(notify.SignatureHeader), r.Header.Get("Idempotency-Key")
		if sig != notify.Sign(secret, body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		_ = json.Unmarshal(body, &got)
	}))
	defer gw.Close()
	w := &notify.Webhook{URL: gw.URL, Secret: secret}
	if err := w.Send(context.Background(), notify.Message{Key: "k1", To: "+2250700000000", Subject: "Rappel", Text: "Échéance le 30/06/2024"}); err != nil {
		t.Fatal(err)
	}
	if got["to"] != "+2250700000000" || got["text"] != "Échéance le 30/06/2024" || idem != "k1" {
		t.Errorf("gateway got %v (idempotency %q)", got, idem)
	}
	t.Run("ErrRejectedIsPermanent", func(t *testing.T) {
		bad := &notify.Webhook{URL: gw.URL, Secret: []byte("autre")}
		if err := bad.Send(context.Background(), notify.Message{Key: "k2"}); !notify.IsPermanent(err) {
			t.Errorf("a 401 answer: err = %v, want permanent", err)
		}
	})
}

func TestRenderPasswordReset(t *testing.T) {
	for lang, want := range map[string][]string{
		"fr": {"Choisir un nouveau mot de passe ptacycle", "Bonjour Awa Koné", "valable une heure et une seule fois", "https://ptacycle.example/reinitialiser/tok"},
		"en": {"Choose a new ptacycle password", "Hello Awa Koné", "valid for one hour and once", "https://ptacycle.example/reinitialiser/tok"},
	} {
		subject, text, html, err := notify.Render(notify.Content{Kind: "password_reset", Lang: lang, RecipientName: "Awa Koné", Organisation: "CNLTP",
			ResetLink: "https://ptacycle.example/reinitialiser/tok"})
		if err != nil || subject != want[0] {
			t.Fatalf("%s: subject %q, %v", lang, subject, err)
		}
		for _, w := range want[1:] {
			if !strings.Contains(text, w) {
				t.Errorf("%s text lacks %q:\n%s", lang, w, text)
			}
		}
		if !strings.Contains(html, `href="https://ptacycle.example/reinitialiser/tok"`) {
			t.Errorf("%s html:\n%s", lang, html)
		}
	}
}

func TestRenderStepOpen(t *testing.T) {
	c := notify.Content{Kind: "step_open", Lang: "fr", RecipientName: "Représentant du ministère", Step: "la validation du PTA",
		Due: ptacycle.NewDate(2024, time.March, 25), Organisation: "CNLTP", PageLink: "https://ptacycle.example/cycles/2024/validation"}
	subject, text, _, err := notify.Render(c)
	if err != nil || subject != "À faire : la validation du PTA" || !strings.Contains(text, "Une étape du cycle annuel vous attend : la validation du PTA, pour le 25/03/2024") {
		t.Errorf("%q %v\n%s", subject, err, text)
	}
	c.Lang = "en"
	if subject, _, _, err := notify.Render(c); err != nil || !strings.HasPrefix(subject, "To do: ") {
		t.Errorf("English subject %q, %v", subject, err)
	}
}

func TestRenderSentBack(t *testing.T) {
	c := notify.Content{Kind: "sent_back", Lang: "fr", RecipientName: "Awa Koné", Step: "la soumission du PTA", Due: ptacycle.NewDate(2024, time.March, 15),
		Today: ptacycle.NewDate(2024, time.March, 20), Comment: "Préciser les cibles de l'action 2.1 <b>", Organisation: "CNLTP"}
	subject, text, html, err := notify.Render(c)
	if err != nil || subject != "PTA renvoyé — la soumission du PTA" || !strings.Contains(text, "« Préciser les cibles de l'action 2.1 <b> »") ||
		!strings.Contains(text, "l'échéance de soumission était le 15/03/2024") {
		t.Errorf("%q %v\n%s", subject, err, text)
	}
	if !strings.Contains(html, "renvoyé pour correction") || !strings.Contains(html, "2.1 &lt;b&gt;") {
		t.Errorf("html:\n%s", html)
	}
	// Sent back before the deadline: it is to come (before: « était » whatever the day).
	c.Today = ptacycle.NewDate(2024, time.March, 1)
	if _, text, _, err := notify.Render(c); err != nil || !strings.Contains(text, "l'échéance de soumission est le 15/03/2024") {
		t.Errorf("a deadline to come: %v\n%s", err, text)
	}
	c.Lang = "en"
	if subject, text, _, err := notify.Render(c); err != nil || !strings.HasPrefix(subject, "Plan sent back — ") || !strings.Contains(text, "sent back for correction") ||
		!strings.Contains(text, "the submission deadline is 2024-03-15") {
		t.Errorf("English: %q %v\n%s", subject, err, text)
	}
}

func TestRenderInvite(t *testing.T) {
	c := notify.Content{Kind: "account_invite", Lang: "fr", RecipientName: "Koffi Yao", Organisation: "CNLTP", Login: "koffi.yao@cnltp.demo",
		ResetLink: "https://ptacycle.example/reinitialiser/tok"}
	subject, text, html, err := notify.Render(c)
	if err != nil || subject != "Votre compte ptacycle — CNLTP" || !strings.Contains(text, "Votre identifiant est votre adresse e-mail : koffi.yao@cnltp.demo") ||
		!strings.Contains(text, "valable 7 jours") || !strings.Contains(html, `href="https://ptacycle.example/reinitialiser/tok"`) {
		t.Errorf("%q %v\n%s\n%s", subject, err, text, html)
	}
	c.Lang = "en"
	if subject, text, _, err := notify.Render(c); err != nil || subject != "Your ptacycle account — CNLTP" || !strings.Contains(text, "valid for 7 days") {
		t.Errorf("English: %q %v\n%s", subject, err, text)
	}
}

func TestRenderExecutionOpen(t *testing.T) {
	c := notify.Content{Kind: "execution_open", Lang: "fr", RecipientName: "Responsable Tonkpi", Organisation: "CNLTP", UnitName: "CRLTP Tonkpi",
		Count: 4, Year: 2024, Version: 2, PageLink: "https://ptacycle.example/mes-activites"}
	subject, text, html, err := notify.Render(c)
	if err != nil || subject != "PTA 2024 approuvé : 4 activité(s) pour CRLTP Tonkpi" || !strings.Contains(text, "Le PTA 2024 (version 2) est approuvé") ||
		!strings.Contains(text, "https://ptacycle.example/mes-activites") || !strings.Contains(html, "<strong>4 activité(s)</strong>") {
		t.Errorf("%q %v\n%s\n%s", subject, err, text, html)
	}
	c.Lang = "en"
	if subject, _, _, err := notify.Render(c); err != nil || subject != "Work plan 2024 approved: 4 activities for CRLTP Tonkpi" {
		t.Errorf("English subject %q, %v", subject, err)
	}
}

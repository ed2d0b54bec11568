package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/internal/stacktest"
)

// TestBrowserContentSecurityPolicy opens the main pages of each role in
// Chromium under the real Content-Security-Policy and fails on any violation
// the browser reports; it checks that app.js gives the behaviour the inline
// handlers gave (confirmation, printing), and that the watch does see a
// violation when there is one.
func TestBrowserContentSecurityPolicy(t *testing.T) {
	ctx := context.Background()
	f := mustAccessFixture(t)
	approvePlan(t, f)
	owner, _, _ := f.app.db.UserByEmail(ctx, demoLogins["owner"])
	secret, err := f.app.db.Secret(ctx, ptacycle.LinkSecretName, func() ([]byte, error) { return []byte(strings.Repeat("k", 32)), nil })
	if err != nil {
		t.Fatal(err)
	}
	link := ptacycle.SignLink(secret, ptacycle.UpdateLink{ActivityID: f.activity.ID, UserID: owner.ID, Epoch: owner.LinkEpoch, Expires: time.Now().Add(time.Hour)})

	b := mustChrome(t, f.app.srv.URL, desktopWidth, desktopHeight)
	b.visit("/login")
	b.visit("/mot-de-passe-oublie")
	b.waitFor("forgot-form")
	b.visit("/r/" + link)
	b.waitFor("link-form")
	pages := map[string][]string{
		demoLogins["coordinator"]: {"/", "/cycles/2024/bilan", "/cycles/2024/bilan/rapport", "/cycles/2024/recommandations", "/cycles/2024/pta",
			"/cycles/2024/validation", "/cycles/2024/execution", fmt.Sprintf("/activites/%d", f.activity.ID), "/relances", "/journal", "/compte", "/strategie"},
		demoLogins["owner"]:   {"/mes-activites"},
		demoLogins["partner"]: {"/cycles/2024/execution"},
		demoLogins["admin"]:   {"/admin"},
	}
	for _, who := range []string{demoLogins["coordinator"], demoLogins["owner"], demoLogins["partner"], demoLogins["admin"]} {
		b.login(who, demo.Password)
		for _, path := range pages[who] {
			b.visit(path)
			b.waitFor("logout")
			b.shot(path) // to look at the pages without inline styles
		}
		if who == demoLogins["coordinator"] {
			t.Run("ConfirmRefused", func(t *testing.T) {
				b.visit("/cycles/2024/pta")
				// The form's submit event is seen first (window, capturing): once app.js has
				// answered it, whether it was cancelled is known, with nothing to wait for.
				b.eval("window.confirm = () => false, window.addEventListener('submit', e => { window.__submit = e }, true), true")
				b.click("plan-revise")
				stacktest.Eventually(t, 5*time.Second, "the revision form's submit event", func() bool { return b.eval("window.__submit !== undefined") })
				if !b.is("window.__submit.defaultPrevented === true") {
					t.Error("the revision was sent although the confirmation was refused")
				}
			})
			t.Run("Print", func(t *testing.T) {
				b.visit("/cycles/2024/bilan/rapport")
				b.eval("window.print = () => { window.__printed = true }, true")
				b.click("report-print")
				if !b.is("window.__printed === true") {
					t.Error("the print button does not print")
				}
			})
		}
		b.logout()
	}
	if problems := b.console.take(); len(problems) > 0 {
		t.Fatalf("the browser reported:\n%s", strings.Join(problems, "\n"))
	}

	t.Run("WatchSeesAViolation", func(t *testing.T) {
		b.eval(`document.body.appendChild(Object.assign(document.createElement("script"), {textContent: "window.__inline = true"})), true`)
		var seen []string
		stacktest.Eventually(t, 5*time.Second, "the report of the inline script", func() bool {
			seen = append(seen, b.console.take()...)
			return len(seen) > 0
		})
		if b.is("window.__inline === true") {
			t.Errorf("an inline script ran or went unreported (reported: %q)", seen)
		}
	})
}

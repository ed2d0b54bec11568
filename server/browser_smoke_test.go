package server_test

import (
	"strings"
	"testing"
)

// TestBrowserLogin signs in through the real login page in Chromium.
func TestBrowserLogin(t *testing.T) {
	a := mustApp(t, unreachableTemporal(t))
	b := mustChrome(t, a.srv.URL, phoneWidth, phoneHeight)
	b.visit("/login")
	b.shot("login")
	if got := b.text("login-submit"); got != "Se connecter" {
		t.Errorf("login button = %q", got)
	}
	b.fill("email", "awa@cnltp.ci")
	b.fill("password", "mauvais-mot-de-passe")
	b.click("login-submit")
	b.waitFor("login-error")
	if got := b.text("login-error"); !strings.Contains(got, "incorrect") {
		t.Errorf("error = %q", got)
	}
	b.login("awa@cnltp.ci", "mot-de-passe-solide")
	if loc := b.location(); loc != "/" {
		t.Errorf("after login at %s", loc)
	}
}

package server_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/url"
	"testing"

	"github.com/ptacycle/ptacycle/demo"
)

// Helpers the page tests share: signing in through the login form, posting
// forms, weighing pages.

// demoLogins are the demo organisation's accounts by role.
var demoLogins = map[string]string{
	"coordinator": "coordonnateur@cnltp.demo",
	"approver":    "valideur@cnltp.demo",
	"owner":       "responsable.tonkpi@cnltp.demo",
	"partner":     "partenaire@cnltp.demo",
	"admin":       "admin@cnltp.demo",
}

// signIn is a browser signed in on the pages as email.
func signIn(t *testing.T, base, email, password string) *http.Client {
	t.Helper()
	b := browser()
	if status, body := post(t, b, base+"/login", url.Values{"email": {email}, "password": {password}}); status != http.StatusSeeOther {
		t.Fatalf("login %s: %d %s", email, status, body)
	}
	return b
}

// signInDemo signs a browser in as a demo account.
func signInDemo(t *testing.T, base, email string) *http.Client {
	t.Helper()
	return signIn(t, base, email, demo.Password)
}

// signInAs signs a browser in as the demo account of role.
func signInAs(t *testing.T, base, role string) *http.Client {
	t.Helper()
	return signInDemo(t, base, demoLogins[role])
}

// postFull posts a form and returns the status, the Location and the body.
func postFull(t *testing.T, b *http.Client, u string, form url.Values) (int, string, string) {
	t.Helper()
	resp, err := b.PostForm(u, form)
	status, body := read(t, resp, err)
	return status, resp.Header.Get("Location"), body
}

// gzipSize is what body weighs once compressed, as the server sends it.
func gzipSize(t *testing.T, body string) int {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write([]byte(body)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Len()
}

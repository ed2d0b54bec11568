package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSignInStaysOnSite: the page a sign-in goes back to is a path of this
// site, whatever next says. Failed before for "/\t/evil.example" (and the
// other control characters browsers strip before resolving): safeNext let
// it through and browsers followed it off-site.
func TestSignInStaysOnSite(t *testing.T) {
	t.Parallel()
	a := mustApp(t, unreachableTemporal(t))
	for next, want := range map[string]string{
		"/cycles/2024/pta?onglet=1": "/cycles/2024/pta?onglet=1",
		"/\t/evil.example":          "/",
		"/\n/evil.example":          "/",
		"/\r/evil.example":          "/",
		"/ /evil.example":           "/",
		"//evil.example":            "/",
		"/\\evil.example":           "/",
		"https://evil.example/":     "/",
		"/%09/evil.example":         "/",
		"/%2F/evil.example":         "/",
		"/cycles?q=a%20b":           "/cycles?q=a%20b",
		"evil.example":              "/",
		"":                          "/",
	} {
		form := url.Values{"email": {"awa@cnltp.ci"}, "password": {"mot-de-passe-solide"}, "next": {next}}
		req, err := http.NewRequest("POST", a.srv.URL+"/login", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// The transport, not a client: a client refuses to follow such a
		// Location, where a browser strips the tab and goes off-site.
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("next=%q: %d to %q, want %q", next, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
}

// TestAPITakesJSONOnlyAsJSON: a JSON body sent as text/plain (what another
// site's page can send without a preflight) is refused with 415 and changes
// nothing. Failed before: it was read as JSON and the token created.
func TestAPITakesJSONOnlyAsJSON(t *testing.T) {
	t.Parallel()
	a := mustApp(t, unreachableTemporal(t))
	c := newAPIClient(t, a.srv.URL)
	if res := c.do("POST", "/session", map[string]string{"email": "awa@cnltp.ci", "password": "mot-de-passe-solide"}); res.Status != http.StatusOK {
		t.Fatalf("sign-in: %d %s", res.Status, res.Body)
	}
	for _, ct := range []string{"text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", ""} {
		res := c.doRaw("POST", "/me/tokens", ct, []byte(`{"name": "tableur de suivi"}`))
		if res.Status != http.StatusUnsupportedMediaType || !strings.Contains(res.err(t).Message, "application/json") {
			t.Errorf("Content-Type %q: %d %s", ct, res.Status, res.Body)
		}
	}
	var n int
	if err := a.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM api_tokens`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d tokens created by bodies of another type (%v)", n, err)
	}
	res := c.doRaw("POST", "/me/tokens", "application/json; charset=utf-8", []byte(`{"name": "tableur de suivi"}`))
	if res.Status != http.StatusCreated {
		t.Errorf("JSON as JSON: %d %s", res.Status, res.Body)
	}
}

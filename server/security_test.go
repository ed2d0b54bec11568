package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/server"
	"github.com/ptacycle/ptacycle/ui"
)

// wantCSP is the Content-Security-Policy every answer carries: nothing inline, no eval, no framing.
const wantCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// checkSecurityHeaders checks the headers every answer carries; referrer is the
// expected Referrer-Policy, hsts whether Strict-Transport-Security is expected.
func checkSecurityHeaders(t *testing.T, what string, h http.Header, referrer string, hsts bool) {
	t.Helper()
	for name, want := range map[string]string{
		"Content-Security-Policy": wantCSP,
		"X-Frame-Options":         "DENY",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         referrer,
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %s = %q, want %q", what, name, got, want)
		}
	}
	if pp := h.Get("Permissions-Policy"); !strings.Contains(pp, "camera=()") || !strings.Contains(pp, "geolocation=()") {
		t.Errorf("%s: Permissions-Policy = %q, want camera and geolocation refused", what, pp)
	}
	if got := h.Get("Strict-Transport-Security"); (got != "") != hsts || (hsts && !strings.Contains(got, "max-age=31536000")) {
		t.Errorf("%s: Strict-Transport-Security = %q, want it %v", what, got, map[bool]string{true: "for a year", false: "absent"}[hsts])
	}
}

// TestSecurityHeaders checks that every kind of answer carries the security
// headers, whatever produces it: pages, fragments, the API and its errors,
// static files, redirects, the cross-origin refusal, one-click links.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	a := mustApp(t, unreachableTemporal(t))
	coord := signIn(t, a.srv.URL, awaEmail, awaPassword)
	anonymous := browser()
	crossSite := func() *http.Request {
		req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/login", strings.NewReader("email=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		return req
	}
	for _, tc := range []struct {
		name     string
		client   *http.Client
		req      func() *http.Request
		status   int
		referrer string
	}{
		{"Page", coord, getReq(a.srv.URL + "/"), 200, "same-origin"},
		{"LoginPage", anonymous, getReq(a.srv.URL + "/login"), 200, "same-origin"},
		{"Redirect", anonymous, getReq(a.srv.URL + "/compte"), 303, "same-origin"},
		{"PageNotFound", coord, getReq(a.srv.URL + "/nulle-part"), 404, "same-origin"},
		{"PageForbidden", coord, getReq(a.srv.URL + "/admin"), 403, "same-origin"},
		{"APIAnswer", coord, getReq(a.srv.URL + "/api/v1/me"), 200, "same-origin"},
		{"APIError", anonymous, getReq(a.srv.URL + "/api/v1/me"), 401, "same-origin"},
		{"APINotFound", coord, getReq(a.srv.URL + "/api/v1/nulle-part"), 404, "same-origin"},
		{"OpenAPIDocument", anonymous, getReq(a.srv.URL + "/api/v1/openapi.yaml"), 200, "same-origin"},
		{"StaticFile", anonymous, getReq(a.srv.URL + ui.AssetURL("app.js")), 200, "same-origin"},
		{"StaticNotFound", anonymous, getReq(a.srv.URL + "/static/nulle-part.js"), 404, "same-origin"},
		{"Health", anonymous, getReq(a.srv.URL + "/healthz"), 200, "same-origin"},
		{"CrossOriginRefused", anonymous, crossSite, 403, "same-origin"},
		{"OneClickLink", anonymous, getReq(a.srv.URL + "/r/pas-un-jeton"), 403, "strict-origin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := tc.client.Do(tc.req())
			status, _ := read(t, resp, err)
			if status != tc.status {
				t.Errorf("status %d, want %d", status, tc.status)
			}
			checkSecurityHeaders(t, tc.name, resp.Header, tc.referrer, false)
		})
	}
	t.Run("JSONIsNotSniffed", func(t *testing.T) {
		resp, err := coord.Get(a.srv.URL + "/api/v1/activities?status=" + url.QueryEscape("<script>alert(1)</script>"))
		status, body := read(t, resp, err)
		if ct := resp.Header.Get("Content-Type"); status != 422 || !strings.HasPrefix(ct, "application/json") || strings.Contains(body, "<script>") {
			t.Errorf("reflected value in a JSON error: %d %q %s", status, ct, body)
		}
	})
}

// TestSecureCookiesOverTLS: a server configured for TLS marks every cookie
// Secure and sends Strict-Transport-Security; session cookies stay HttpOnly and SameSite=Lax.
func TestSecureCookiesOverTLS(t *testing.T) {
	t.Parallel()
	a := mustAppWith(t, unreachableTemporal(t), func(d *server.Deps) { d.SecureCookies = true })
	for _, tc := range []struct{ name, method, path, body string }{
		{"PageLogin", http.MethodPost, "/login", url.Values{"email": {awaEmail}, "password": {awaPassword}}.Encode()},
		{"APILogin", http.MethodPost, "/api/v1/session", `{"email":"` + awaEmail + `","password":"` + awaPassword + `"}`},
		{"LanguageChoice", http.MethodGet, "/login?lang=en", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, a.srv.URL+tc.path, strings.NewReader(tc.body))
			if strings.HasPrefix(tc.body, "{") {
				req.Header.Set("Content-Type", "application/json")
			} else if tc.body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			resp, err := browser().Do(req)
			if status, body := read(t, resp, err); status >= 400 {
				t.Fatalf("%s %s: %d %s", tc.method, tc.path, status, body)
			}
			checkSecurityHeaders(t, tc.name, resp.Header, "same-origin", true)
			cookies := resp.Cookies()
			if len(cookies) == 0 {
				t.Fatal("no cookie set")
			}
			for _, c := range cookies {
				if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
					t.Errorf("cookie %s: Secure %v, HttpOnly %v, SameSite %v; want Secure, HttpOnly, Lax", c.Name, c.Secure, c.HttpOnly, c.SameSite)
				}
			}
		})
	}
}

// getReq is a request factory for GET url.
func getReq(u string) func() *http.Request {
	return func() *http.Request {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		return req
	}
}

// lockedBuffer is a log destination the server's goroutines may write while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestNoSecretsInLogs signs in (wrong and right passwords, pages and API),
// changes a password, creates and uses an API token, and opens a one-click
// link (also when it fails inside): the server's log, at debug level, holds
// none of the passwords, the token, the session cookie or the link.
func TestNoSecretsInLogs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	logs := &lockedBuffer{}
	f := mustAccessFixtureWith(t, func(d *server.Deps) {
		d.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	approvePlan(t, f)
	base, db := f.app.srv.URL, f.app.db
	const wrongPassword, newPassword = "mauvais-secret-7319", "nouveau-secret-8642"
	coordEmail := demoLogins["coordinator"]

	pages := browser()
	post(t, pages, base+"/login", url.Values{"email": {coordEmail}, "password": {wrongPassword}})
	if status, _ := post(t, pages, base+"/login", url.Values{"email": {coordEmail}, "password": {demo.Password}}); status != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", status)
	}
	cookie := sessionCookie(t, f.app, pages)
	get(t, pages, base+"/")

	api := browser()
	acctDo(t, api, http.MethodPost, base+"/api/v1/session", `{"email":"`+coordEmail+`","password":"`+wrongPassword+`"}`)
	acctLogin(t, f.app, api, coordEmail, demo.Password)
	resp, body := acctDo(t, api, http.MethodPost, base+"/api/v1/me/tokens", `{"name":"script"}`)
	var created struct{ Secret string }
	if err := json.Unmarshal([]byte(body), &created); err != nil || resp.StatusCode != http.StatusCreated || created.Secret == "" {
		t.Fatalf("token: %d %s", resp.StatusCode, body)
	}
	if resp, body := acctDo(t, browser(), http.MethodGet, base+"/api/v1/me", "", "Authorization", "Bearer "+created.Secret); resp.StatusCode != http.StatusOK {
		t.Fatalf("token use: %d %s", resp.StatusCode, body)
	}
	acctDo(t, browser(), http.MethodGet, base+"/api/v1/me", "", "Authorization", "Bearer "+created.Secret+"x")
	if resp, body := acctDo(t, api, http.MethodPut, base+"/api/v1/me/password", `{"current":"`+demo.Password+`","new":"`+newPassword+`"}`); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("password change: %d %s", resp.StatusCode, body)
	}

	owner, _, _ := db.UserByEmail(ctx, demoLogins["owner"])
	secret, err := db.Secret(ctx, ptacycle.LinkSecretName, func() ([]byte, error) { return []byte(strings.Repeat("k", 32)), nil })
	if err != nil {
		t.Fatal(err)
	}
	link := ptacycle.SignLink(secret, ptacycle.UpdateLink{ActivityID: f.activity.ID, UserID: owner.ID, Epoch: owner.LinkEpoch, Expires: time.Now().Add(time.Hour)})
	expired := ptacycle.SignLink(secret, ptacycle.UpdateLink{ActivityID: f.activity.ID, UserID: owner.ID, Epoch: owner.LinkEpoch, Expires: time.Now().Add(-time.Hour)})
	if status, _ := get(t, browser(), base+"/r/"+link); status != http.StatusOK {
		t.Fatalf("link: %d", status)
	}
	post(t, browser(), base+"/r/"+link, url.Values{"version": {"1"}, "status": {"in_progress"}, "progress": {"20"}})
	get(t, browser(), base+"/r/"+expired)
	if _, err := db.Pool.Exec(ctx, `ALTER TABLE secrets RENAME TO secrets_elsewhere`); err != nil {
		t.Fatal(err)
	}
	if status, _ := get(t, browser(), base+"/r/"+link); status != http.StatusInternalServerError {
		t.Errorf("link with its key unreadable: %d, want an internal error (logged)", status)
	}

	f.app.srv.Close() // waits for the requests, and so for their log lines
	out := logs.String()
	if !strings.Contains(out, "http request") || !strings.Contains(out, "internal error") {
		t.Fatalf("the log misses the requests or the internal error:\n%s", out)
	}
	for what, secret := range map[string]string{"wrong password": wrongPassword, "password": demo.Password, "new password": newPassword,
		"API token": created.Secret, "session cookie": cookie, "link token": link, "expired link token": expired} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds the %s", what)
		}
	}
}

// countingBody is a request body that counts the bytes the server read of it.
type countingBody struct {
	r    io.Reader
	read int
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read += n
	return n, err
}

// TestBodiesReadOnceTheSenderIsKnown (issue 13, hole 7): a multipart body of
// 8 MB sent without signing in (to sign-in, a reset, a one-click link with a
// bad token, every route that takes files, the API), by a role the route
// refuses, or to a route that takes no file, is answered with a clear refusal
// after reading at most a small prefix; a page form over 1 MB is refused too,
// unread when it says its length.
func TestBodiesReadOnceTheSenderIsKnown(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	base := f.app.srv.URL
	partner := sessionCookie(t, f.app, signInAs(t, base, "partner"))
	coordinator := sessionCookie(t, f.app, signInAs(t, base, "coordinator"))
	fileType, file := multipartForm(t, map[string]string{"email": "x@cnltp.demo", "version": "1"}, "file", "gros.pdf", bytes.Repeat([]byte("%PDF-1.4 "), 8<<20/9))
	form := []byte("email=x%40cnltp.demo&password=" + strings.Repeat("x", 2<<20))
	const small = 64 << 10
	progress := fmt.Sprintf("/activites/%d/avancement", f.activity.ID)
	for _, tc := range []struct {
		name, path, session, contentType string
		body                             []byte
		unsized                          bool // sent chunked, without Content-Length
		status                           int
		text                             string // in the answer (the Location of a redirect)
		maxRead                          int
	}{
		{name: "LoginMultipart", path: "/login", contentType: fileType, body: file, status: http.StatusUnsupportedMediaType, text: "fichier", maxRead: small},
		{name: "LoginMultipartUnsized", path: "/login", contentType: fileType, body: file, unsized: true, status: http.StatusUnsupportedMediaType, text: "fichier", maxRead: small},
		{name: "LoginLargeForm", path: "/login", contentType: "application/x-www-form-urlencoded", body: form, status: http.StatusRequestEntityTooLarge, text: "trop volumineuse", maxRead: small},
		{name: "LoginLargeFormUnsized", path: "/login", contentType: "application/x-www-form-urlencoded", body: form, unsized: true, status: http.StatusRequestEntityTooLarge, text: "trop volumineuse", maxRead: 1<<20 + 1},
		{name: "ForgotMultipart", path: "/mot-de-passe-oublie", contentType: fileType, body: file, status: http.StatusUnsupportedMediaType, text: "fichier", maxRead: small},
		{name: "LinkBadToken", path: "/r/AAAA", contentType: fileType, body: file, status: http.StatusForbidden, text: "n&#39;est pas valide", maxRead: small},
		{name: "ImportAnonymous", path: "/cycles/2024/pta/import", contentType: fileType, body: file, status: http.StatusSeeOther, text: "/login", maxRead: small},
		{name: "ProgressAnonymous", path: progress, contentType: fileType, body: file, unsized: true, status: http.StatusSeeOther, text: "/login", maxRead: small},
		{name: "ProgressByPartner", path: progress, session: partner, contentType: fileType, body: file, status: http.StatusForbidden, text: "ne permet pas", maxRead: small},
		{name: "NoFileRouteSignedIn", path: "/cycles/2024/bilan", session: coordinator, contentType: fileType, body: file, status: http.StatusUnsupportedMediaType, text: "fichier", maxRead: small},
		{name: "APISessionMultipart", path: "/api/v1/session", contentType: fileType, body: file, status: http.StatusUnsupportedMediaType, text: "fichier", maxRead: small},
		{name: "APIImportAnonymous", path: "/api/v1/cycles/2024/plan/import", contentType: fileType, body: file, status: http.StatusUnauthorized, text: "Connectez-vous", maxRead: small},
		{name: "APIEvidenceAnonymous", path: fmt.Sprintf("/api/v1/activities/%d/evidence", f.activity.ID), contentType: fileType, body: file, unsized: true,
			status: http.StatusUnauthorized, text: "Connectez-vous", maxRead: small},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := &countingBody{r: bytes.NewReader(tc.body)}
			req := httptest.NewRequest(http.MethodPost, tc.path, body)
			req.ContentLength = int64(len(tc.body))
			if tc.unsized {
				req.ContentLength = -1
			}
			req.Header.Set("Content-Type", tc.contentType)
			if tc.session != "" {
				req.AddCookie(&http.Cookie{Name: "ptacycle_session", Value: tc.session})
			}
			rec := httptest.NewRecorder()
			f.app.srv.Config.Handler.ServeHTTP(rec, req)
			answer := rec.Body.String() + rec.Header().Get("Location")
			if rec.Code != tc.status || !strings.Contains(answer, tc.text) {
				t.Errorf("answer %d, want %d with %q:\n%.500s", rec.Code, tc.status, tc.text, answer)
			}
			if body.read > tc.maxRead {
				t.Errorf("the server read %d bytes of the body, want at most %d", body.read, tc.maxRead)
			}
		})
	}
}

// TestFileFormsRefuseUnstorableText: the routes that take files read their
// form after sign-in (or a link's token check), and still refuse a NUL
// character or invalid UTF-8 in any of its fields.
func TestFileFormsRefuseUnstorableText(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := mustAccessFixture(t)
	base, db := f.app.srv.URL, f.app.db
	coordinator := signInAs(t, base, "coordinator")
	owner, _, _ := db.UserByEmail(ctx, demoLogins["owner"])
	secret, err := db.Secret(ctx, ptacycle.LinkSecretName, func() ([]byte, error) { return []byte(strings.Repeat("k", 32)), nil })
	if err != nil {
		t.Fatal(err)
	}
	link := ptacycle.SignLink(secret, ptacycle.UpdateLink{ActivityID: f.activity.ID, UserID: owner.ID, Epoch: owner.LinkEpoch, Expires: time.Now().Add(time.Hour)})
	for _, tc := range []struct {
		name, path, fileField string
		client                *http.Client
	}{
		{"Link", "/r/" + link, "evidenceFile", browser()},
		{"Progress", fmt.Sprintf("/activites/%d/avancement", f.activity.ID), "evidenceFile", coordinator},
		{"Import", "/cycles/2024/pta/import", "file", coordinator},
		{"APIEvidence", fmt.Sprintf("/api/v1/activities/%d/evidence", f.activity.ID), "file", coordinator},
		{"APIImport", "/api/v1/cycles/2024/plan/import", "file", coordinator},
	} {
		for what, value := range map[string]string{"NUL": "a\x00b", "NotUTF8": "\xff\xfe"} {
			t.Run(tc.name+"/"+what, func(t *testing.T) {
				contentType, body := multipartForm(t, map[string]string{"version": "1", "comment": value}, tc.fileField, "preuve.txt", []byte("bonjour"))
				status, _, answer := postMultipart(t, tc.client, base+tc.path, contentType, body)
				if status != http.StatusUnprocessableEntity || !strings.Contains(answer, "Paramètre « comment » : caractère nul") {
					t.Errorf("answer %d, want 422 naming the field:\n%.800s", status, answer)
				}
			})
		}
	}
}

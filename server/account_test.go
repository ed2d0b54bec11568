package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/server"
)

const (
	awaEmail    = "awa@cnltp.ci"
	awaPassword = "mot-de-passe-solide"
)

// acctDo sends an API request with a JSON body (when not empty) and header
// name/value pairs; it returns the response, its body read.
func acctDo(t *testing.T, c *http.Client, method, u, body string, header ...string) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	_, b := read(t, resp, err)
	return resp, b
}

// acctLogin signs email in through the API in browser c and returns its session cookie's value.
func acctLogin(t *testing.T, a *app, c *http.Client, email, password string) string {
	t.Helper()
	resp, body := acctDo(t, c, http.MethodPost, a.srv.URL+"/api/v1/session", `{"email":"`+email+`","password":"`+password+`"}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-in of %s = %d %s", email, resp.StatusCode, body)
	}
	return sessionCookie(t, a, c)
}

func sessionCookie(t *testing.T, a *app, c *http.Client) string {
	t.Helper()
	u, _ := url.Parse(a.srv.URL)
	for _, cookie := range c.Jar.Cookies(u) {
		if cookie.Name == "ptacycle_session" {
			return cookie.Value
		}
	}
	return ""
}

// acctError decodes an API error body.
func acctError(t *testing.T, body string) (code, message string, fields []string) {
	t.Helper()
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Fields  []struct {
			Field string `json:"field"`
		} `json:"fields"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	return e.Code, e.Message, fields
}

func mustUser(t *testing.T, a *app, email string) ptacycle.User {
	t.Helper()
	hash, err := ptacycle.HashPassword(awaPassword)
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.db.CreateUser(context.Background(), ptacycle.SystemActor(a.org.ID), ptacycle.User{Email: email, FullName: "Kofi Yao", Role: ptacycle.RoleApprover}, hash)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestAPISession(t *testing.T) {
	t.Parallel()
	a := mustApp(t, unreachableTemporal(t))
	session := a.srv.URL + "/api/v1/session"
	me := a.srv.URL + "/api/v1/me"

	for _, tc := range []struct {
		name, body, lang string
		status           int
		code, message    string
		fields           []string
	}{
		{"ErrWrongPassword", `{"email":"awa@cnltp.ci","password":"mauvais-mot-de-passe"}`, "", 401, "unauthorized", "Adresse e-mail ou mot de passe incorrect", nil},
		{"ErrWrongPasswordInEnglish", `{"email":"awa@cnltp.ci","password":"mauvais-mot-de-passe"}`, "en", 401, "unauthorized", "Wrong e-mail address or password", nil},
		{"ErrUnknownUserSaysTheSame", `{"email":"personne@cnltp.ci","password":"mot-de-passe-solide"}`, "", 401, "unauthorized", "Adresse e-mail ou mot de passe incorrect", nil},
		{"ErrMissingFields", `{}`, "", 422, "invalid", "2 champs sont à corriger", []string{"email", "password"}},
		{"ErrUnknownField", `{"email":"awa@cnltp.ci","motDePasse":"x"}`, "", 422, "invalid", "Champ inconnu « motDePasse »", []string{"motDePasse"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := acctDo(t, browser(), http.MethodPost, session, tc.body, "Accept-Language", tc.lang)
			code, message, fields := acctError(t, body)
			if resp.StatusCode != tc.status || code != tc.code || !strings.Contains(message, tc.message) || strings.Join(fields, ",") != strings.Join(tc.fields, ",") {
				t.Errorf("%d %s, want %d %s %q %v", resp.StatusCode, body, tc.status, tc.code, tc.message, tc.fields)
			}
		})
	}
	t.Run("ErrCrossOriginPost", func(t *testing.T) {
		resp, _ := acctDo(t, browser(), http.MethodPost, session, `{"email":"awa@cnltp.ci","password":"mot-de-passe-solide"}`,
			"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site sign-in = %d, want 403", resp.StatusCode)
		}
	})
	t.Run("ErrNotSignedIn", func(t *testing.T) {
		resp, body := acctDo(t, browser(), http.MethodGet, me, "")
		if code, message, _ := acctError(t, body); resp.StatusCode != http.StatusUnauthorized || code != "unauthorized" || message != "Connectez-vous pour continuer" {
			t.Errorf("/me without a session = %d %s", resp.StatusCode, body)
		}
	})

	b := browser()
	resp, body := acctDo(t, b, http.MethodPost, session, `{"email":"AWA@cnltp.ci","password":"mot-de-passe-solide"}`)
	var user ptacycle.User
	if err := json.Unmarshal([]byte(body), &user); err != nil || resp.StatusCode != http.StatusOK || user.Email != awaEmail || user.FullName != "Awa Koné" {
		t.Fatalf("sign-in = %d %s", resp.StatusCode, body)
	}
	first := sessionCookie(t, a, b)
	if first == "" {
		t.Fatal("no session cookie after sign-in")
	}
	resp, body = acctDo(t, b, http.MethodGet, me, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"email":"awa@cnltp.ci"`) || strings.Contains(body, "argon2") {
		t.Errorf("/me = %d %s", resp.StatusCode, body)
	}

	t.Run("NewSessionTokenAtSignIn", func(t *testing.T) {
		second := acctLogin(t, a, b, awaEmail, awaPassword)
		if second == first || second == "" {
			t.Errorf("session cookie %q kept at sign-in: session fixation", first)
		}
		replay, _ := acctDo(t, http.DefaultClient, http.MethodGet, me, "", "Cookie", "ptacycle_session="+first)
		if replay.StatusCode != http.StatusUnauthorized {
			t.Errorf("the pre-sign-in token still works: %d", replay.StatusCode)
		}
		planted := browser()
		u, _ := url.Parse(a.srv.URL)
		planted.Jar.SetCookies(u, []*http.Cookie{{Name: "ptacycle_session", Value: "jeton-choisi-par-un-attaquant-000000000"}})
		if got := acctLogin(t, a, planted, awaEmail, awaPassword); got == "jeton-choisi-par-un-attaquant-000000000" {
			t.Error("a planted session token was kept at sign-in")
		}
	})

	t.Run("Logout", func(t *testing.T) {
		before := sessionCookie(t, a, b)
		resp, _ := acctDo(t, b, http.MethodDelete, session, "")
		if resp.StatusCode != http.StatusNoContent {
			t.Errorf("sign-out = %d", resp.StatusCode)
		}
		if resp, _ := acctDo(t, b, http.MethodGet, me, ""); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("/me after sign-out = %d, want 401", resp.StatusCode)
		}
		if resp, _ := acctDo(t, http.DefaultClient, http.MethodGet, me, "", "Cookie", "ptacycle_session="+before); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("/me with the signed-out session's cookie = %d, want 401", resp.StatusCode)
		}
	})
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	a := mustApp(t, unreachableTemporal(t))
	password := a.srv.URL + "/api/v1/me/password"
	me := a.srv.URL + "/api/v1/me"
	b, elsewhere := browser(), browser()
	acctLogin(t, a, b, awaEmail, awaPassword)
	acctLogin(t, a, elsewhere, awaEmail, awaPassword)
	kofi := browser()
	mustUser(t, a, "kofi@cnltp.ci")
	acctLogin(t, a, kofi, "kofi@cnltp.ci", awaPassword)

	for _, tc := range []struct {
		name, body string
		code       string
		message    string
		fields     []string
	}{
		{"ErrWrongCurrent", `{"current":"pas-le-bon-mot-de-passe","new":"nouveau-mot-de-passe"}`, "invalid", "Mot de passe actuel incorrect", []string{"current"}},
		{"ErrTooShort", `{"current":"mot-de-passe-solide","new":"court"}`, "invalid", "Nouveau mot de passe : au moins 10 caractères", []string{"new"}},
		{"ErrSameAsCurrent", `{"current":"mot-de-passe-solide","new":"mot-de-passe-solide"}`, "invalid", "doit être différent", []string{"new"}},
		{"ErrMissingCurrent", `{"new":"nouveau-mot-de-passe"}`, "invalid", "Champ « current » obligatoire", []string{"current"}},
		{"ErrUnknownField", `{"current":"mot-de-passe-solide","nouveau":"nouveau-mot-de-passe"}`, "invalid", "Champ inconnu", []string{"nouveau"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := acctDo(t, b, http.MethodPut, password, tc.body)
			code, message, fields := acctError(t, body)
			if resp.StatusCode != http.StatusUnprocessableEntity || code != tc.code || !strings.Contains(message, tc.message) || strings.Join(fields, ",") != strings.Join(tc.fields, ",") {
				t.Errorf("%d %s, want 422 %q on %v", resp.StatusCode, body, tc.message, tc.fields)
			}
		})
	}

	resp, body := acctDo(t, b, http.MethodPut, password, `{"current":"mot-de-passe-solide","new":"nouveau-mot-de-passe"}`)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("password change = %d %s", resp.StatusCode, body)
	}
	if resp, _ := acctDo(t, b, http.MethodGet, me, ""); resp.StatusCode != http.StatusOK {
		t.Errorf("/me in the session that changed the password = %d, want 200", resp.StatusCode)
	}
	if resp, _ := acctDo(t, elsewhere, http.MethodGet, me, ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/me in another session of the same user = %d, want 401 after the password change", resp.StatusCode)
	}
	if resp, _ := acctDo(t, kofi, http.MethodGet, me, ""); resp.StatusCode != http.StatusOK {
		t.Errorf("/me in another user's session = %d, want 200", resp.StatusCode)
	}
	resp, _ = acctDo(t, browser(), http.MethodPost, a.srv.URL+"/api/v1/session", `{"email":"awa@cnltp.ci","password":"mot-de-passe-solide"}`)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("sign-in with the old password = %d, want 401", resp.StatusCode)
	}
	acctLogin(t, a, browser(), awaEmail, "nouveau-mot-de-passe")
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	a := mustApp(t, unreachableTemporal(t))
	tokens := a.srv.URL + "/api/v1/me/tokens"
	me := a.srv.URL + "/api/v1/me"
	b := browser()
	acctLogin(t, a, b, awaEmail, awaPassword)

	resp, body := acctDo(t, b, http.MethodPost, tokens, `{"name":"Export nocturne"}`)
	var created struct {
		Token  ptacycle.APIToken `json:"token"`
		Secret string            `json:"secret"`
	}
	if err := json.Unmarshal([]byte(body), &created); err != nil || resp.StatusCode != http.StatusCreated ||
		!strings.HasPrefix(created.Secret, "ptc_") || created.Token.Name != "Export nocturne" || !strings.HasPrefix(created.Secret, created.Token.Prefix) {
		t.Fatalf("token creation = %d %s", resp.StatusCode, body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q on the answer showing a secret, want no-store", cc)
	}
	bearer := []string{"Authorization", "Bearer " + created.Secret}

	t.Run("ErrBlankName", func(t *testing.T) {
		resp, body := acctDo(t, b, http.MethodPost, tokens, `{"name":"  "}`)
		if _, _, fields := acctError(t, body); resp.StatusCode != http.StatusUnprocessableEntity || len(fields) != 1 || fields[0] != "name" {
			t.Errorf("blank name = %d %s", resp.StatusCode, body)
		}
	})
	t.Run("UseWithBearer", func(t *testing.T) {
		resp, body := acctDo(t, http.DefaultClient, http.MethodGet, me, "", bearer...)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"email":"awa@cnltp.ci"`) {
			t.Errorf("/me with the token = %d %s", resp.StatusCode, body)
		}
	})
	t.Run("ListShowsPrefixNotSecret", func(t *testing.T) {
		resp, body := acctDo(t, b, http.MethodGet, tokens, "")
		var list []ptacycle.APIToken
		if err := json.Unmarshal([]byte(body), &list); err != nil || resp.StatusCode != http.StatusOK || len(list) != 1 ||
			list[0].Prefix != created.Token.Prefix || list[0].LastUsedAt == nil {
			t.Errorf("tokens = %d %s", resp.StatusCode, body)
		}
		if strings.Contains(body, created.Secret) || strings.Contains(body, created.Secret[len(created.Token.Prefix):]) {
			t.Errorf("the list shows the secret: %s", body)
		}
	})
	t.Run("ErrMalformedAuthorization", func(t *testing.T) {
		for _, header := range []string{"Basic YXdhOm1vdC1kZS1wYXNzZQ==", "bearer " + created.Secret, "Bearer ", "Bearer ptc_inconnu", created.Secret} {
			resp, body := acctDo(t, http.DefaultClient, http.MethodGet, me, "", "Authorization", header)
			if code, _, _ := acctError(t, body); resp.StatusCode != http.StatusUnauthorized || code != "unauthorized" {
				t.Errorf("Authorization %q = %d %s, want 401", header, resp.StatusCode, body)
			}
		}
	})
	t.Run("ErrTokenCannotCreateToken", func(t *testing.T) {
		resp, body := acctDo(t, http.DefaultClient, http.MethodPost, tokens, `{"name":"Autre"}`, bearer...)
		if code, message, _ := acctError(t, body); resp.StatusCode != http.StatusForbidden || code != "forbidden" || !strings.Contains(message, "session") {
			t.Errorf("token creation with a token = %d %s, want 403", resp.StatusCode, body)
		}
	})
	t.Run("ErrTokenCannotChangePassword", func(t *testing.T) {
		resp, body := acctDo(t, http.DefaultClient, http.MethodPut, a.srv.URL+"/api/v1/me/password",
			`{"current":"mot-de-passe-solide","new":"nouveau-mot-de-passe"}`, bearer...)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("password change with a token = %d %s, want 403", resp.StatusCode, body)
		}
	})
	t.Run("ErrRevokeSomeoneElsesToken", func(t *testing.T) {
		kofi := browser()
		mustUser(t, a, "kofi@cnltp.ci")
		acctLogin(t, a, kofi, "kofi@cnltp.ci", awaPassword)
		resp, _ := acctDo(t, kofi, http.MethodDelete, tokens+"/"+strconv.FormatInt(created.Token.ID, 10), "")
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("revoking another user's token = %d, want 404", resp.StatusCode)
		}
		if resp, _ := acctDo(t, b, http.MethodDelete, tokens+"/abc", ""); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("revoking token abc = %d, want 422", resp.StatusCode)
		}
	})
	t.Run("Revoke", func(t *testing.T) {
		revoke := tokens + "/" + strconv.FormatInt(created.Token.ID, 10)
		if resp, _ := acctDo(t, b, http.MethodDelete, revoke, ""); resp.StatusCode != http.StatusNoContent {
			t.Errorf("revoke = %d", resp.StatusCode)
		}
		if resp, _ := acctDo(t, http.DefaultClient, http.MethodGet, me, "", bearer...); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("/me with a revoked token = %d, want 401", resp.StatusCode)
		}
		if resp, _ := acctDo(t, b, http.MethodDelete, revoke, ""); resp.StatusCode != http.StatusNoContent {
			t.Errorf("revoking again = %d, want 204", resp.StatusCode)
		}
	})
}

// testClock is a time the test moves; the servers' sign-in limits read it.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// signInAt posts a sign-in to the server at base from browser c.
func signInAt(t *testing.T, c *http.Client, base, email, password string, header ...string) (*http.Response, string) {
	t.Helper()
	return acctDo(t, c, http.MethodPost, base+"/api/v1/session", `{"email":"`+email+`","password":"`+password+`"}`, header...)
}

// wantWait checks a 429 that says message and Retry-After: retry seconds.
func wantWait(t *testing.T, resp *http.Response, body string, retry int, message string) {
	t.Helper()
	code, got, _ := acctError(t, body)
	if resp.StatusCode != http.StatusTooManyRequests || code != "too_many" || got != message || resp.Header.Get("Retry-After") != strconv.Itoa(retry) {
		t.Errorf("%d (Retry-After %q) %s, want 429 %q after %d s", resp.StatusCode, resp.Header.Get("Retry-After"), body, message, retry)
	}
}

// TestLoginDelays: an account's failures make its next attempt wait, longer
// each time up to a minute, on every server process; the right password is
// accepted once the wait is over, and at once from a browser that signed in
// to the account before.
func TestLoginDelays(t *testing.T) {
	t.Parallel()
	clock := &testClock{t: time.Date(2024, time.February, 6, 9, 0, 0, 0, time.UTC)}
	// Behind a proxy of ours, the guesses come from many addresses, so that no address's limit is reached.
	deps := func(d *server.Deps) { d.Clock, d.TrustedProxies = clock.now, []string{"127.0.0.1"} }
	a := mustAppWith(t, unreachableTemporal(t), deps)
	one, two := a.srv.URL, mustServer(t, a.db, unreachableTemporal(t), deps).URL
	guesses := 0
	fail := func(base string, n int) {
		t.Helper()
		for i := range n {
			guesses++
			from := fmt.Sprintf("198.51.100.%d", guesses)
			if resp, body := signInAt(t, browser(), base, awaEmail, "mauvais-mot-de-passe", "X-Forwarded-For", from); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("failure %d = %d %s, want 401", i+1, resp.StatusCode, body)
			}
		}
	}
	trusted := browser() // Awa's own browser, signed in before the guesses
	acctLogin(t, a, trusted, awaEmail, awaPassword)

	fail(one, 3)
	fail(two, 1) // three failures let the fourth through at once
	t.Run("ErrWaitSharedByServers", func(t *testing.T) {
		resp, body := signInAt(t, browser(), one, "Awa@CNLTP.ci", awaPassword)
		wantWait(t, resp, body, 1, "Trop de tentatives de connexion : réessayez dans 1 seconde")
		resp, body = signInAt(t, browser(), two, awaEmail, awaPassword, "Accept-Language", "en")
		wantWait(t, resp, body, 1, "Too many sign-in attempts: try again in 1 second")
	})
	t.Run("ErrFormLoginToo", func(t *testing.T) {
		resp, err := browser().PostForm(two+"/login", url.Values{"email": {awaEmail}, "password": {awaPassword}})
		status, body := read(t, resp, err)
		if status != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" || !strings.Contains(body, "réessayez dans 1 seconde") {
			t.Errorf("form sign-in of a waiting account = %d (Retry-After %q)", status, resp.Header.Get("Retry-After"))
		}
	})
	t.Run("TrustedBrowserAtOnce", func(t *testing.T) {
		if resp, body := signInAt(t, trusted, two, awaEmail, awaPassword); resp.StatusCode != http.StatusOK {
			t.Errorf("sign-in from Awa's browser = %d %s, want 200 while others wait", resp.StatusCode, body)
		}
		resp, body := signInAt(t, browser(), one, awaEmail, awaPassword)
		wantWait(t, resp, body, 1, "Trop de tentatives de connexion : réessayez dans 1 seconde") // others still wait
	})
	t.Run("ErrDeviceCookieOfAnotherAccount", func(t *testing.T) {
		kofi := browser()
		mustUser(t, a, "kofi@cnltp.ci")
		acctLogin(t, a, kofi, "kofi@cnltp.ci", awaPassword)
		resp, body := signInAt(t, kofi, one, awaEmail, awaPassword)
		wantWait(t, resp, body, 1, "Trop de tentatives de connexion : réessayez dans 1 seconde")
	})
	t.Run("ErrTamperedDeviceCookie", func(t *testing.T) {
		u, _ := url.Parse(one)
		var device string
		for _, c := range trusted.Jar.Cookies(u) {
			if c.Name == "ptacycle_device" {
				device = c.Value
			}
		}
		if device == "" {
			t.Fatal("no device cookie after signing in")
		}
		forged := []byte(device)
		forged[3] ^= 1
		resp, body := signInAt(t, http.DefaultClient, one, awaEmail, awaPassword, "Cookie", "ptacycle_device="+string(forged))
		wantWait(t, resp, body, 1, "Trop de tentatives de connexion : réessayez dans 1 seconde")
	})
	t.Run("RightPasswordOnceTheWaitIsOver", func(t *testing.T) {
		clock.add(time.Second)
		if resp, body := signInAt(t, browser(), two, awaEmail, awaPassword); resp.StatusCode != http.StatusOK {
			t.Errorf("sign-in a second later = %d %s, want 200", resp.StatusCode, body)
		}
	})
	t.Run("SuccessClearsTheAccount", func(t *testing.T) {
		fail(one, 4)
		resp, body := signInAt(t, browser(), two, awaEmail, awaPassword)
		wantWait(t, resp, body, 1, "Trop de tentatives de connexion : réessayez dans 1 seconde")
	})
	t.Run("WaitsGrowToAMinute", func(t *testing.T) {
		for _, wait := range []int{1, 2, 4, 8, 16, 32, 60, 60} {
			message := fmt.Sprintf("Trop de tentatives de connexion : réessayez dans %d secondes", wait)
			switch wait {
			case 1:
				message = "Trop de tentatives de connexion : réessayez dans 1 seconde"
			case 60:
				message = "Trop de tentatives de connexion : réessayez dans 1 minute"
			}
			resp, body := signInAt(t, browser(), one, awaEmail, "mauvais-mot-de-passe")
			wantWait(t, resp, body, wait, message)
			clock.add(time.Duration(wait) * time.Second)
			fail(two, 1)
		}
	})
	t.Run("ErrTrustedBrowserGuessesWaitToo", func(t *testing.T) {
		for range 4 {
			if resp, body := signInAt(t, trusted, one, awaEmail, "mauvais-mot-de-passe"); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("failure from Awa's browser = %d %s, want 401", resp.StatusCode, body)
			}
		}
		resp, body := signInAt(t, trusted, two, awaEmail, awaPassword)
		wantWait(t, resp, body, 1, "Trop de tentatives de connexion : réessayez dans 1 seconde")
	})
}

// TestLoginAddressLimit: beyond 20 attempts from one address, whichever the
// accounts, that address waits 15 minutes; a success gives its attempt back.
func TestLoginAddressLimit(t *testing.T) {
	t.Parallel()
	a := mustApp(t, unreachableTemporal(t))
	mustUser(t, a, "kofi@cnltp.ci")
	if resp, body := signInAt(t, browser(), a.srv.URL, "kofi@cnltp.ci", awaPassword); resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-in of Kofi = %d %s", resp.StatusCode, body)
	}
	guess := func(n int) {
		t.Helper()
		for i := range n {
			if resp, body := signInAt(t, browser(), a.srv.URL, "inconnu"+strconv.Itoa(i)+"@cnltp.ci", awaPassword); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("guess %d = %d %s, want 401", i+1, resp.StatusCode, body)
			}
		}
	}
	guess(19)
	t.Run("SuccessGivesBack", func(t *testing.T) {
		if resp, body := signInAt(t, browser(), a.srv.URL, awaEmail, awaPassword); resp.StatusCode != http.StatusOK {
			t.Errorf("sign-in after 19 guesses and a success from the address = %d %s", resp.StatusCode, body)
		}
	})
	guess(1)
	t.Run("ErrAddressOverLimit", func(t *testing.T) {
		resp, body := signInAt(t, browser(), a.srv.URL, "kofi@cnltp.ci", awaPassword)
		wantWait(t, resp, body, 15*60, "Trop de tentatives de connexion : réessayez dans 15 minutes")
	})
}

// addressCounts reads the sign-in counts of client addresses, by key.
func addressCounts(t *testing.T, a *app) map[string]int {
	t.Helper()
	rows, err := a.db.Pool.Query(context.Background(), `SELECT key, count FROM sign_in_attempts WHERE kind = 'sign_in' AND key LIKE 'ip:%'`)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for rows.Next() {
		var key string
		var n int
		if err := rows.Scan(&key, &n); err != nil {
			t.Fatal(err)
		}
		counts[key] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return counts
}

// TestTrustedProxies: behind a trusted proxy the client's address is taken
// from X-Forwarded-For (what no trusted proxy added); from anyone else the
// header is ignored and the peer's address counts.
func TestTrustedProxies(t *testing.T) {
	t.Parallel()
	guesses := 0
	wrong := func(t *testing.T, a *app, forwarded string) {
		t.Helper()
		var header []string
		if forwarded != "" {
			header = []string{"X-Forwarded-For", forwarded}
		}
		guesses++ // each on its own account, so that no account's delay is reached
		if resp, body := signInAt(t, browser(), a.srv.URL, fmt.Sprintf("personne%d@cnltp.ci", guesses), awaPassword, header...); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess = %d %s, want 401", resp.StatusCode, body)
		}
	}
	t.Run("ErrNoneByDefault", func(t *testing.T) {
		a := mustApp(t, unreachableTemporal(t))
		wrong(t, a, "203.0.113.7")
		if counts := addressCounts(t, a); counts["ip:127.0.0.1"] != 1 || len(counts) != 1 {
			t.Errorf("counts = %v, want the peer's address, not the forwarded one", counts)
		}
	})
	t.Run("Trusted", func(t *testing.T) {
		a := mustAppWith(t, unreachableTemporal(t), func(d *server.Deps) { d.TrustedProxies = []string{"127.0.0.1", "10.0.0.0/8"} })
		wrong(t, a, "198.51.100.1, 203.0.113.7") // what the client wrote comes first: ignored
		wrong(t, a, "203.0.113.8, 10.1.2.3")     // a second proxy of ours
		wrong(t, a, "")                          // a request from the proxy itself
		counts := addressCounts(t, a)
		if counts["ip:203.0.113.7"] != 1 || counts["ip:203.0.113.8"] != 1 || counts["ip:127.0.0.1"] != 1 || len(counts) != 3 {
			t.Errorf("counts = %v, want 203.0.113.7, 203.0.113.8 and 127.0.0.1 once each", counts)
		}
		for range 19 {
			wrong(t, a, "203.0.113.7")
		}
		resp, body := signInAt(t, browser(), a.srv.URL, awaEmail, awaPassword, "X-Forwarded-For", "203.0.113.7")
		wantWait(t, resp, body, 15*60, "Trop de tentatives de connexion : réessayez dans 15 minutes")
		if resp, body := signInAt(t, browser(), a.srv.URL, awaEmail, awaPassword, "X-Forwarded-For", "203.0.113.9"); resp.StatusCode != http.StatusOK {
			t.Errorf("sign-in from another client behind the proxy = %d %s, want 200", resp.StatusCode, body)
		}
	})
}

package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/internal/stacktest"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/postgres/pgtest"
	"github.com/ptacycle/ptacycle/server"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// app is the real server on a real database, reached over HTTP.
type app struct {
	db     *postgres.DB
	srv    *httptest.Server
	org    ptacycle.Organisation
	server *server.Server // for the hooks of export_test.go
}

func mustApp(t testing.TB, tc client.Client) *app {
	t.Helper()
	return mustAppWith(t, tc, nil)
}

// mustAppWith is mustApp whose server dependencies adjust changes first (nil: none).
func mustAppWith(t testing.TB, tc client.Client, adjust func(*server.Deps)) *app {
	t.Helper()
	db := pgtest.MustDB(t)
	srv, s := mustServerOf(t, db, tc, adjust)
	ctx := context.Background()
	org, err := db.CreateOrganisation(ctx, ptacycle.Actor{Label: "test"}, ptacycle.Organisation{Slug: "autre-comite", Name: "Autre comité"})
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := ptacycle.HashPassword("mot-de-passe-solide")
	if _, err := db.CreateUser(ctx, ptacycle.SystemActor(org.ID), ptacycle.User{Email: "awa@cnltp.ci", FullName: "Awa Koné", Role: ptacycle.RoleCoordinator}, hash); err != nil {
		t.Fatal(err)
	}
	return &app{db: db, srv: srv, org: org, server: s}
}

// mustServer serves a server process on db, whose dependencies adjust changes first (nil: none).
func mustServer(t testing.TB, db *postgres.DB, tc client.Client, adjust func(*server.Deps)) *httptest.Server {
	t.Helper()
	srv, _ := mustServerOf(t, db, tc, adjust)
	return srv
}

// mustServerOf is mustServer with the server itself, for the hooks of export_test.go.
func mustServerOf(t testing.TB, db *postgres.DB, tc client.Client, adjust func(*server.Deps)) (*httptest.Server, *server.Server) {
	t.Helper()
	s, srv := stacktest.Serve(t, db, tc, adjust)
	return srv, s
}

// unreachableTemporal is a client whose server never answers.
func unreachableTemporal(t testing.TB) client.Client { return stacktest.Unreachable(t) }

func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func read(t *testing.T, resp *http.Response, err error) (int, string) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	return read(t, resp, err)
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (int, string) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	return read(t, resp, err)
}

func TestHealth(t *testing.T) {
	t.Parallel()
	t.Run("Ready", func(t *testing.T) {
		tc, _ := stacktest.Temporal(t)
		a := mustApp(t, tc)
		status, body := get(t, http.DefaultClient, a.srv.URL+"/readyz")
		if status != http.StatusOK || !strings.Contains(body, `"temporal":"ok"`) || !strings.Contains(body, `"postgres":"ok"`) {
			t.Errorf("/readyz = %d %s", status, body)
		}
	})
	t.Run("ErrTemporalUnreachable", func(t *testing.T) {
		a := mustApp(t, unreachableTemporal(t))
		status, body := get(t, http.DefaultClient, a.srv.URL+"/readyz")
		if status != http.StatusServiceUnavailable || !strings.Contains(body, `"postgres":"ok"`) || !strings.Contains(body, "injoignable") {
			t.Errorf("/readyz = %d %s", status, body)
		}
		status, _ = get(t, http.DefaultClient, a.srv.URL+"/healthz")
		if status != http.StatusOK {
			t.Errorf("/healthz = %d while the process is up", status)
		}
	})
}

func TestLogin(t *testing.T) {
	t.Parallel()
	a := mustApp(t, unreachableTemporal(t))
	b := browser()

	status, _ := get(t, b, a.srv.URL+"/")
	if status != http.StatusSeeOther {
		t.Fatalf("home without session = %d, want a redirect to the login page", status)
	}
	status, body := get(t, b, a.srv.URL+"/login")
	for _, want := range []string{`lang="fr"`, `data-testid="login-form"`, "Adresse e-mail", "Mot de passe", "Se connecter"} {
		if !strings.Contains(body, want) {
			t.Errorf("login page (%d) lacks %q", status, want)
		}
	}
	t.Run("ErrWrongPassword", func(t *testing.T) {
		status, body := post(t, b, a.srv.URL+"/login", url.Values{"email": {"awa@cnltp.ci"}, "password": {"mauvais-mot-de-passe"}})
		if status != http.StatusUnauthorized || !strings.Contains(body, "Adresse e-mail ou mot de passe incorrect") || !strings.Contains(body, `value="awa@cnltp.ci"`) {
			t.Errorf("wrong password: %d\n%s", status, body)
		}
	})
	t.Run("ErrUnknownUserSaysTheSame", func(t *testing.T) {
		status, body := post(t, b, a.srv.URL+"/login", url.Values{"email": {"personne@cnltp.ci"}, "password": {"mauvais-mot-de-passe"}})
		if status != http.StatusUnauthorized || !strings.Contains(body, "Adresse e-mail ou mot de passe incorrect") {
			t.Errorf("unknown user: %d", status)
		}
	})
	t.Run("ErrMissingFields", func(t *testing.T) {
		status, body := post(t, b, a.srv.URL+"/login", url.Values{"email": {"awa@cnltp.ci"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Saisissez votre adresse e-mail et votre mot de passe") {
			t.Errorf("missing password: %d", status)
		}
	})
	t.Run("ErrCrossOriginPost", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/login", strings.NewReader("email=awa%40cnltp.ci&password=mot-de-passe-solide"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := b.Do(req)
		status, _ := read(t, resp, err)
		if status != http.StatusForbidden {
			t.Errorf("cross-site POST = %d, want 403", status)
		}
	})

	resp, err := b.PostForm(a.srv.URL+"/login", url.Values{"email": {"AWA@cnltp.ci"}, "password": {"mot-de-passe-solide"}, "next": {"//evil.example/"}})
	status, _ = read(t, resp, err)
	if status != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("login = %d to %q, want 303 to / (never off-site)", status, resp.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "ptacycle_session" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie = %+v, want HttpOnly and SameSite=Lax", session)
	}
	status, body = get(t, b, a.srv.URL+"/")
	if status != http.StatusOK || !strings.Contains(body, "Bonjour Awa Koné") || !strings.Contains(body, "Rôle : Coordonnateur") || !strings.Contains(body, `data-testid="no-cycle"`) {
		t.Errorf("home = %d\n%s", status, body)
	}
	status, body = get(t, b, a.srv.URL+"/?lang=en")
	if !strings.Contains(body, "Hello Awa Koné") || !strings.Contains(body, `lang="en"`) {
		t.Errorf("English home = %d\n%s", status, body)
	}
	status, body = get(t, b, a.srv.URL+"/")
	if !strings.Contains(body, "Hello") {
		t.Errorf("the language choice is not remembered: %d", status)
	}

	status, _ = post(t, b, a.srv.URL+"/logout", nil)
	if status != http.StatusSeeOther {
		t.Errorf("logout = %d", status)
	}
	status, _ = get(t, b, a.srv.URL+"/")
	if status != http.StatusSeeOther {
		t.Errorf("home after logout = %d, want a redirect", status)
	}
}

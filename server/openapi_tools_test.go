package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ptacycle/ptacycle/demo"
)

// servedDocument writes the document the server serves to a file of dir.
func servedDocument(t *testing.T, dir string) string {
	t.Helper()
	a := mustApp(t, unreachableTemporal(t))
	resp, err := http.Get(a.srv.URL + "/api/v1/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.yaml: %d %v", resp.StatusCode, err)
	}
	path := filepath.Join(dir, "openapi.yaml")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// toolCache is where npm and the generator keep what they download, across runs.
func toolCache(t *testing.T, name string) string {
	t.Helper()
	base, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "ptacycle", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestOpenAPILint runs an independent linter (Redocly's, recommended rules)
// on the served document: zero errors.
func TestOpenAPILint(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: the linter comes from npm")
	}
	npx, err := exec.LookPath("npx")
	if err != nil {
		t.Fatal("npx not found: install Node.js and npm (.ci/run does)")
	}
	dir := t.TempDir()
	doc := servedDocument(t, dir)
	cmd := exec.Command(npx, "--yes", "@redocly/cli@1.34.20", "lint", "--extends=recommended", "--format=stylish", doc)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "npm_config_cache="+toolCache(t, "npm"), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("redocly lint: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "0 error") && !strings.Contains(string(out), "Woohoo") {
		t.Errorf("redocly lint did not say it found no error:\n%s", out)
	}
	t.Logf("%s", out)
}

// TestOpenAPIRequired sends every documented JSON body with none of its
// fields: the answer is 422 naming as required exactly the fields the
// document marks required, so that the document and the server agree.
func TestOpenAPIRequired(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	resp, err := http.Get(f.app.srv.URL + "/api/v1/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := loadDocument(t, resp)
	clients := map[string]*apiClient{}
	roles := []string{"coordinator", "admin", "approver", "owner", "anonymous"}
	for _, who := range roles {
		clients[who] = f.signIn(t, who)
	}
	id := regexp.MustCompile(`\{(\w+)\}`)
	checked := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value.Content.Get("application/json") == nil {
				continue
			}
			schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
			body, prefix := "{}", ""
			if schema.Type.Is("array") {
				schema, body, prefix = schema.Items.Value, "[{}]", "[0]."
			}
			if len(schema.Required) == 0 {
				continue // an empty body may be a valid one: nothing to learn, something to change
			}
			var want []string
			for _, name := range schema.Required {
				want = append(want, prefix+name)
			}
			filled := id.ReplaceAllStringFunc(path, func(p string) string {
				return map[string]string{"{year}": "2024", "{day}": "2024-08-07"}[p] + map[bool]string{true: "1"}[p != "{year}" && p != "{day}"]
			})
			answered := false
			for _, who := range roles {
				res := clients[who].doRaw(method, filled, "application/json", []byte(body))
				if res.Status == http.StatusForbidden || res.Status == http.StatusUnauthorized {
					continue
				}
				answered = true
				var e struct {
					Fields []struct{ Field, Message string }
				}
				if err := json.Unmarshal(res.Body, &e); err != nil || res.Status != http.StatusUnprocessableEntity {
					t.Errorf("%s %s with %s as %s: %d, want 422 naming %v: %s", method, path, body, who, res.Status, want, res.Body)
					break
				}
				var got []string
				for _, fe := range e.Fields {
					if strings.Contains(fe.Message, "obligatoire") {
						got = append(got, fe.Field)
					}
				}
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("%s %s with %s: the server requires %v, the document %v", method, path, body, got, want)
				}
				break
			}
			if !answered {
				t.Errorf("%s %s: every role was refused", method, path)
			}
			checked++
		}
	}
	if checked < 20 {
		t.Errorf("%d operations with required fields checked", checked)
	}
}

// generatedClientMain uses the client oapi-codegen writes from the document:
// it compiles only if required fields are plain values (not pointers), and
// it signs in and reads the account through the running server.
const generatedClientMain = `package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"os"

	"example.com/gen/api"
)

func main() {
	jar, _ := cookiejar.New(nil)
	c, err := api.NewClientWithResponses(os.Args[1]+"/api/v1", api.WithHTTPClient(&http.Client{Jar: jar}))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	// Required fields are plain values; the others are pointers.
	draft := api.ActivityInput{ActionId: 1, Title: "Former 50 acteurs"}
	budget := int64(2500000)
	draft.BudgetXof = &budget
	edit := api.ActivityEdit{ActionId: 1, Title: draft.Title, Version: 1}
	_, _ = draft, edit
	login, err := c.PostSessionWithResponse(ctx, api.LoginRequest{Email: os.Args[2], Password: os.Args[3]})
	if err != nil || login.JSON200 == nil {
		fmt.Println("sign-in:", err, login.Status())
		os.Exit(1)
	}
	me, err := c.GetMeWithResponse(ctx)
	if err != nil || me.JSON200 == nil {
		fmt.Println("me:", err)
		os.Exit(1)
	}
	fmt.Println(me.JSON200.Email, me.JSON200.Role)
}
`

// TestOpenAPIGeneratedClient generates a typed Go client from the served
// document with a common generator (oapi-codegen), compiles a program
// using it and runs it against the server.
func TestOpenAPIGeneratedClient(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: the generator comes from the Go module proxy")
	}
	f := mustAccessFixture(t)
	dir := t.TempDir()
	doc := servedDocument(t, dir)
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	files := map[string]string{
		"go.mod":  "module example.com/gen\n\ngo 1.26\n\nrequire github.com/oapi-codegen/runtime v1.9.0\n",
		"main.go": generatedClientMain,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "api"), 0o755); err != nil {
		t.Fatal(err)
	}
	run("go", "run", "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2",
		"-generate", "types,client", "-package", "api", "-o", filepath.Join("api", "api.gen.go"), doc)
	run("go", "mod", "tidy")
	run("go", "build", "-o", "client", ".")
	out := run(filepath.Join(dir, "client"), f.app.srv.URL, "coordonnateur@cnltp.demo", demo.Password)
	if strings.TrimSpace(out) != "coordonnateur@cnltp.demo coordinator" {
		t.Errorf("the generated client read %q", out)
	}
}

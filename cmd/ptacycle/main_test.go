package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/internal/pgcluster"
	"github.com/ptacycle/ptacycle/postgres/pgtest"
)

var binary string

// TestMain builds the real binary once: these tests run it as a user would.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ptacycle-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "ptacycle")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	pgtest.Main(m)
}

// devProcess is `ptacycle dev` running as a child process.
type devProcess struct {
	cmd    *exec.Cmd
	appURL string
	dbURL  string
	output *strings.Builder
	stderr *strings.Builder
}

var (
	appLine = regexp.MustCompile(`Application : (http://\S+)`)
	pgLine  = regexp.MustCompile(`PostgreSQL  : (postgres://\S+)`)
)

// mustStartDev starts `ptacycle dev` on free ports with its data in dir and waits until it says it is ready.
func mustStartDev(t *testing.T, dir string) *devProcess {
	t.Helper()
	cmd := exec.Command(binary, "dev", "--data", dir, "--port", "0", "--temporal-port", "0")
	cmd.Env = append(os.Environ(), "DATABASE_URL=", "LOG_LEVEL=warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &devProcess{cmd: cmd, output: &strings.Builder{}, stderr: &strings.Builder{}}
	stderr := p.stderr
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	ready, exited := make(chan struct{}), make(chan struct{})
	go func() {
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			line := scanner.Text()
			p.output.WriteString(line + "\n")
			if m := appLine.FindStringSubmatch(line); m != nil {
				p.appURL = m[1]
			}
			if m := pgLine.FindStringSubmatch(line); m != nil {
				p.dbURL = m[1]
			}
			if strings.HasPrefix(line, "Ctrl-C") {
				close(ready)
				return
			}
		}
		close(exited)
	}()
	select {
	case <-ready:
	case <-exited:
		_ = cmd.Wait()
		t.Fatalf("dev exited before being ready: %v\n%s%s", cmd.ProcessState, p.output, stderr.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("dev not ready after 90 s; output:\n%s%s", p.output, stderr.String())
	}
	go io.Copy(io.Discard, stdout)
	return p
}

// stop sends Ctrl-C and waits for a clean exit.
func (p *devProcess) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("dev exited with %v after Ctrl-C:\n%s", err, p.stderr)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("dev still running 60 s after Ctrl-C")
	}
}

func login(t *testing.T, appURL, email, password string) int {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(appURL+"/login", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestDevRunsStopsAndResumes(t *testing.T) {
	if _, err := pgcluster.FindBinaries(); err != nil {
		t.Skip(err)
	}
	dir, err := os.MkdirTemp("", "ptacycle-dev-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// As a user's own folder: the private PostgreSQL runs as the postgres user and must reach it.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}

	dev := mustStartDev(t, dir)
	if status, body := get(t, dev.appURL+"/readyz"); status != http.StatusOK {
		t.Fatalf("/readyz = %d %s", status, body)
	}
	status, body := get(t, dev.appURL+"/login")
	if status != http.StatusOK || !strings.Contains(body, `lang="fr"`) || !strings.Contains(body, "Se connecter") {
		t.Fatalf("login page = %d, not in French:\n%s", status, body)
	}
	if got := login(t, dev.appURL, "coordonnateur@cnltp.demo", demo.Password); got != http.StatusSeeOther {
		t.Fatalf("demo coordinator login = %d, want 303", got)
	}
	if got := login(t, dev.appURL, "coordonnateur@cnltp.demo", "pas-le-bon-mot-de-passe"); got != http.StatusUnauthorized {
		t.Fatalf("wrong password login = %d, want 401", got)
	}
	// Something created while dev runs must survive the restart.
	add := exec.Command(binary, "user", "add", "--org", demo.Slug, "--email", "nouvelle@cnltp.demo", "--name", "Nouvelle Responsable",
		"--role", "owner", "--unit", "CRLTP Nawa", "--password-stdin")
	add.Env = append(os.Environ(), "DATABASE_URL="+dev.dbURL)
	add.Stdin = strings.NewReader("mot-de-passe-solide\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	dev.stop(t)
	if _, err := os.Stat(filepath.Join(dir, "postgres", "data", "postmaster.pid")); !os.IsNotExist(err) {
		t.Error("PostgreSQL still running after Ctrl-C (postmaster.pid present)")
	}

	again := mustStartDev(t, dir)
	if got := login(t, again.appURL, "nouvelle@cnltp.demo", "mot-de-passe-solide"); got != http.StatusSeeOther {
		t.Errorf("user created before the restart cannot log in: %d", got)
	}
	if strings.Count(again.output.String(), "@cnltp.demo") != len(demoEmails()) {
		t.Errorf("demo logins printed twice or missing:\n%s", again.output)
	}
	again.stop(t)
}

func demoEmails() []string {
	return []string{"coordonnateur", "valideur", "responsable.tonkpi", "partenaire", "admin"}
}

// runFail runs the binary and returns its exit code and stderr.
func runFail(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, strings.TrimSpace(stderr.String())
}

// TestStartupErrors checks that each misconfiguration gives one clear line and a failing exit code.
func TestStartupErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := fmt.Sprint(busy.Addr().(*net.TCPAddr).Port)
	goodDB := pgtest.MustURL(t)

	tests := []struct {
		name string
		env  []string
		args []string
		want []string
	}{
		{"ErrBadDatabaseURL", []string{"DATABASE_URL=pas-une-url://"}, []string{"server"}, []string{"DATABASE_URL"}},
		{"ErrDatabaseUnreachable", []string{"DATABASE_URL=postgres://x@127.0.0.1:1/x?connect_timeout=2"}, []string{"migrate"}, []string{"PostgreSQL injoignable", "127.0.0.1:1"}},
		{"ErrDatabaseURLMissing", []string{"DATABASE_URL="}, []string{"worker"}, []string{"DATABASE_URL n'est pas défini"}},
		{"ErrTemporalUnreachable", []string{"DATABASE_URL=" + goodDB, "TEMPORAL_ADDRESS=127.0.0.1:1"}, []string{"worker"}, []string{"impossible de joindre Temporal", "TEMPORAL_ADDRESS"}},
		{"ErrMissingInitdb", []string{"DATABASE_URL=", pgcluster.BinDirVariable + "=/nonexistent"}, []string{"dev", "--data", t.TempDir(), "--port", "0"}, []string{"initdb introuvable"}},
		{"ErrPortTaken", []string{"DATABASE_URL=" + goodDB, "LISTEN_ADDR=127.0.0.1:" + busyPort}, []string{"dev", "--data", t.TempDir(), "--port", busyPort}, []string{"déjà utilisée", "--port"}},
		{"ErrUnknownCommand", nil, []string{"deploy"}, []string{"commande inconnue"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stderr := runFail(t, tt.env, tt.args...)
			if code == 0 {
				t.Fatalf("exit code 0, stderr %q", stderr)
			}
			lines := strings.Split(stderr, "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "ptacycle: ") {
				t.Errorf("last line %q is not the ptacycle error", last)
			}
			for _, w := range tt.want {
				if !strings.Contains(last, w) {
					t.Errorf("error line %q does not mention %q", last, w)
				}
			}
		})
	}
}

func TestOrgAndUserCommands(t *testing.T) {
	env := []string{"DATABASE_URL=" + pgtest.MustURL(t)}
	if code, stderr := runFail(t, env, "org", "add", "--slug", "cnltp", "--name", "Comité National"); code != 0 {
		t.Fatalf("org add: exit %d: %s", code, stderr)
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"ErrSlugTaken", []string{"org", "add", "--slug", "cnltp", "--name", "Autre"}, []string{"porte déjà cet identifiant"}},
		{"ErrBadSlug", []string{"org", "add", "--slug", "Pas Un Slug", "--name", "X"}, []string{"Identifiant"}},
		{"ErrUnknownOrganisation", []string{"user", "add", "--org", "inconnue", "--email", "a@b.ci", "--name", "A", "--role", "admin"}, []string{"organisation \"inconnue\" introuvable"}},
		{"ErrEveryFieldReported", []string{"user", "add", "--org", "cnltp", "--email", "pas-un-email", "--role", "chef"}, []string{"Adresse e-mail invalide", "Nom complet", "Rôle \"chef\" inconnu"}},
		{"ErrUnknownUnit", []string{"user", "add", "--org", "cnltp", "--email", "a@b.ci", "--name", "A", "--role", "owner", "--unit", "CRLTP Lune"}, []string{"structure \"CRLTP Lune\" introuvable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stderr := runFail(t, env, tt.args...)
			if code == 0 {
				t.Fatal("exit code 0")
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not mention %q", stderr, w)
				}
			}
		})
	}
}

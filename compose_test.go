package ptacycle_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// Docker's engine cannot run in CI, so the stack is checked the way `docker compose` reads it.

const composeFile = "docker-compose.yml"

// composeBuiltServices run the ptacycle binary built from the repository's Dockerfile.
var composeBuiltServices = []string{"migrate", "worker", "server"}

// loadCompose loads a compose file as `docker compose` would (environment, .env, interpolation,
// schema validation).
func loadCompose(ctx context.Context, path string) (*types.Project, error) {
	opts, err := cli.NewProjectOptions([]string{path}, cli.WithOsEnv, cli.WithDotEnv, cli.WithName("ptacycle"))
	if err != nil {
		return nil, err
	}
	return opts.LoadProject(ctx)
}

func mustLoadCompose(tb testing.TB, path string) *types.Project {
	tb.Helper()
	p, err := loadCompose(tb.Context(), path)
	if err != nil {
		tb.Fatalf("load %s: %v", path, err)
	}
	return p
}

func mustComposeService(tb testing.TB, p *types.Project, name string) types.ServiceConfig {
	tb.Helper()
	s, ok := p.Services[name]
	if !ok {
		tb.Fatalf("%s: service %q is missing", composeFile, name)
	}
	return s
}

// composeEnv returns a service's environment variable, failing when it is not set.
func composeEnv(tb testing.TB, s types.ServiceConfig, key string) string {
	tb.Helper()
	v, ok := s.Environment[key]
	if !ok || v == nil || *v == "" {
		tb.Fatalf("%s: service %q does not set %s", composeFile, s.Name, key)
	}
	return *v
}

func TestCompose(t *testing.T) {
	p := mustLoadCompose(t, composeFile)

	t.Run("Services", func(t *testing.T) {
		for _, name := range []string{"postgres", "temporal", "temporal-ui", "mailpit", "migrate", "worker", "server"} {
			if _, ok := p.Services[name]; !ok {
				t.Errorf("%s: service %q is missing (have %v)", composeFile, name, p.ServiceNames())
			}
		}
	})

	t.Run("ImagesPinned", func(t *testing.T) {
		for name, s := range p.Services {
			if s.Build != nil && s.Image == "" {
				continue
			}
			if s.Image == "" {
				t.Errorf("service %q has neither image nor build", name)
				continue
			}
			tag, pinned := composeImageTag(s.Image)
			if !pinned {
				t.Errorf("service %q: image %q has no explicit tag; pin one (e.g. %s:1.2.3)", name, s.Image, s.Image)
			} else if tag == "latest" {
				t.Errorf("service %q: image %q uses :latest; pin a version", name, s.Image)
			}
		}
	})

	t.Run("BuiltFromRepoDockerfile", func(t *testing.T) {
		want, err := filepath.Abs("Dockerfile")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range composeBuiltServices {
			s := mustComposeService(t, p, name)
			if s.Build == nil {
				t.Errorf("service %q has no build section; it must be built from %s", name, want)
				continue
			}
			dockerfile := s.Build.Dockerfile
			if dockerfile == "" {
				dockerfile = "Dockerfile"
			}
			if !filepath.IsAbs(dockerfile) {
				dockerfile = filepath.Join(s.Build.Context, dockerfile)
			}
			if filepath.Clean(dockerfile) != want {
				t.Errorf("service %q is built from %s (context %s), want %s", name, dockerfile, s.Build.Context, want)
			}
		}
	})

	t.Run("Commands", func(t *testing.T) {
		for _, name := range composeBuiltServices {
			s := mustComposeService(t, p, name)
			if want := (types.ShellCommand{name}); !slices.Equal(s.Command, want) {
				t.Errorf("service %q: command = %q, want %q", name, s.Command, want)
			}
		}
	})

	t.Run("Healthchecks", func(t *testing.T) {
		// The long-running services; the worker serves /readyz for its check.
		for _, name := range []string{"postgres", "temporal", "mailpit", "server", "worker"} {
			s := mustComposeService(t, p, name)
			hc := s.HealthCheck
			if hc == nil || hc.Disable || len(hc.Test) < 2 || !slices.Contains([]string{"CMD", "CMD-SHELL"}, hc.Test[0]) {
				t.Errorf("service %q: healthcheck = %+v, want a CMD or CMD-SHELL test", name, hc)
			}
		}
		for _, name := range []string{"server", "worker"} {
			s := mustComposeService(t, p, name)
			if want := (types.HealthCheckTest{"CMD", "/ptacycle", "healthcheck"}); s.HealthCheck == nil || !slices.Equal(s.HealthCheck.Test, want) {
				t.Errorf("service %q: healthcheck test = %v, want %q", name, s.HealthCheck, want)
			}
		}
	})

	t.Run("DependsOn", func(t *testing.T) {
		want := map[string]map[string]string{
			"temporal":    {"postgres": types.ServiceConditionHealthy},
			"temporal-ui": {"temporal": types.ServiceConditionHealthy},
			"migrate":     {"postgres": types.ServiceConditionHealthy},
		}
		for _, name := range []string{"worker", "server"} {
			want[name] = map[string]string{
				"postgres": types.ServiceConditionHealthy,
				"temporal": types.ServiceConditionHealthy,
				"migrate":  types.ServiceConditionCompletedSuccessfully,
			}
		}
		for name, deps := range want {
			s := mustComposeService(t, p, name)
			for dep, cond := range deps {
				got, ok := s.DependsOn[dep]
				if !ok {
					t.Errorf("service %q does not depend on %q (want condition %s)", name, dep, cond)
				} else if got.Condition != cond {
					t.Errorf("service %q waits for %q with condition %q, want %q", name, dep, got.Condition, cond)
				}
			}
		}
		// Waiting for "healthy" on a service without a healthcheck would block `docker compose up`.
		for name, s := range p.Services {
			for dep, d := range s.DependsOn {
				if d.Condition != types.ServiceConditionHealthy {
					continue
				}
				if hc := p.Services[dep].HealthCheck; hc == nil || hc.Disable {
					t.Errorf("service %q waits for %q to be healthy, but %q has no healthcheck", name, dep, dep)
				}
			}
		}
	})

	t.Run("Ports", func(t *testing.T) {
		for _, c := range []struct {
			service   string
			published string
			target    uint32
		}{
			{"server", "8080", 8080},
			{"temporal", "7233", 7233},
			{"temporal-ui", "8233", 8080},
			{"mailpit", "8025", 8025},
			{"mailpit", "1025", 1025},
		} {
			s := mustComposeService(t, p, c.service)
			if !slices.ContainsFunc(s.Ports, func(pc types.ServicePortConfig) bool {
				return pc.Published == c.published && pc.Target == c.target
			}) {
				t.Errorf("service %q does not publish %s:%d (ports %+v)", c.service, c.published, c.target, s.Ports)
			}
		}
	})

	t.Run("Environment", func(t *testing.T) {
		postgres := mustComposeService(t, p, "postgres")
		temporal := mustComposeService(t, p, "temporal")
		dbPassword := composeEnv(t, postgres, "POSTGRES_PASSWORD")
		if got := composeEnv(t, temporal, "POSTGRES_PWD"); got != dbPassword {
			t.Errorf("temporal: POSTGRES_PWD = %q, want postgres's POSTGRES_PASSWORD %q", got, dbPassword)
		}
		for _, name := range composeBuiltServices {
			s := mustComposeService(t, p, name)
			raw := composeEnv(t, s, "DATABASE_URL")
			u, err := url.Parse(raw)
			if err != nil {
				t.Errorf("service %q: DATABASE_URL %q: %v", name, raw, err)
				continue
			}
			if u.Hostname() != "postgres" || u.Port() != "5432" || u.Path != "/ptacycle" {
				t.Errorf("service %q: DATABASE_URL %q, want host postgres:5432 and database /ptacycle", name, raw)
			}
			if pw, _ := u.User.Password(); u.User.Username() != composeEnv(t, postgres, "POSTGRES_USER") || pw != dbPassword {
				t.Errorf("service %q: DATABASE_URL credentials do not match the postgres service's POSTGRES_USER/POSTGRES_PASSWORD", name)
			}
		}
		for _, name := range []string{"worker", "server"} {
			s := mustComposeService(t, p, name)
			if got := composeEnv(t, s, "TEMPORAL_ADDRESS"); !strings.HasPrefix(got, "temporal:") {
				t.Errorf("service %q: TEMPORAL_ADDRESS = %q, want the temporal service (temporal:7233)", name, got)
			}
			if got, want := composeEnv(t, s, "TEMPORAL_NAMESPACE"), composeEnv(t, temporal, "DEFAULT_NAMESPACE"); got != want {
				t.Errorf("service %q: TEMPORAL_NAMESPACE = %q, want the namespace temporal registers, %q", name, got, want)
			}
			if got := composeEnv(t, s, "PUBLIC_URL"); !strings.HasPrefix(got, "http") {
				t.Errorf("service %q: PUBLIC_URL = %q, want an http(s) URL", name, got)
			}
		}
		worker := mustComposeService(t, p, "worker")
		if got := composeEnv(t, worker, "SMTP_HOST"); got != "mailpit" {
			t.Errorf("worker: SMTP_HOST = %q, want the mailpit service", got)
		}
		if got := composeEnv(t, worker, "SMTP_PORT"); got != "1025" {
			t.Errorf("worker: SMTP_PORT = %q, want mailpit's SMTP port 1025", got)
		}
		composeEnv(t, worker, "SMTP_TLS")
		composeEnv(t, worker, "SMTP_FROM")
		if got := composeEnv(t, mustComposeService(t, p, "server"), "LISTEN_ADDR"); got != ":8080" {
			t.Errorf("server: LISTEN_ADDR = %q, want :8080 (the published port and the healthcheck's)", got)
		}
	})

	t.Run("Restart", func(t *testing.T) {
		for name, want := range map[string]string{
			"migrate": types.RestartPolicyNo,
			"worker":  types.RestartPolicyUnlessStopped,
			"server":  types.RestartPolicyUnlessStopped,
		} {
			if got := mustComposeService(t, p, name).Restart; got != want {
				t.Errorf("service %q: restart = %q, want %q", name, got, want)
			}
		}
	})

	t.Run("ErrBrokenFileRejected", func(t *testing.T) {
		good, err := os.ReadFile(composeFile)
		if err != nil {
			t.Fatal(err)
		}
		const cond = "condition: service_completed_successfully"
		if !strings.Contains(string(good), cond) {
			t.Fatalf("%s has no %q to break", composeFile, cond)
		}
		for name, content := range map[string]string{
			"InvalidCondition": strings.Replace(string(good), cond, "condition: service_finished", 1),
			"InvalidYAML":      string(good) + "\nservices: [\n",
		} {
			t.Run(name, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), composeFile)
				if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
				_, err := loadCompose(t.Context(), path)
				if err == nil {
					t.Fatalf("LoadProject accepted a broken compose file (%s)", name)
				}
				t.Logf("rejected as expected: %v", err)
			})
		}
	})
}

// composeImageTag returns the tag of an image reference, and whether it names a tag or a digest.
func composeImageTag(image string) (string, bool) {
	if _, digest, ok := strings.Cut(image, "@"); ok {
		return digest, true
	}
	lastSegment := image[strings.LastIndex(image, "/")+1:]
	_, tag, ok := strings.Cut(lastSegment, ":")
	return tag, ok && tag != ""
}

func TestComposeDockerfile(t *testing.T) {
	raw, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatalf("the compose stack builds from the repository's Dockerfile: %v", err)
	}
	text := regexp.MustCompile(`\\\r?\n`).ReplaceAllString(string(raw), " ")
	var final []string // instructions of the last stage
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(strings.ToUpper(line), "FROM ") {
			final = nil
		}
		final = append(final, line)
	}
	if len(final) == 0 {
		t.Fatal("Dockerfile has no FROM instruction")
	}
	var entrypoint []string
	for _, line := range final {
		if rest, ok := strings.CutPrefix(line, "ENTRYPOINT "); ok {
			if err := json.Unmarshal([]byte(rest), &entrypoint); err != nil {
				t.Fatalf("final stage: ENTRYPOINT %s is not in exec (JSON) form: %v", rest, err)
			}
		}
	}
	if !slices.Equal(entrypoint, []string{"/ptacycle"}) {
		t.Errorf("final stage (%s): ENTRYPOINT = %q, want [\"/ptacycle\"]", final[0], entrypoint)
	}
	if !slices.ContainsFunc(final, func(l string) bool {
		return strings.HasPrefix(l, "COPY ") && strings.HasSuffix(l, " /ptacycle")
	}) {
		t.Errorf("final stage (%s) does not copy the binary to /ptacycle", final[0])
	}
}

// Package bench measures ptacycle against the goals of DESIGN.md ("What
// fast and safe mean here"), each figure next to a baseline measured in the
// same run on the same machine: `ptacycle bench` runs it and writes
// BENCHMARKS.md. It starts the whole product in the process — PostgreSQL,
// the embedded Temporal server, the worker, the HTTP server — loads its own
// data and plays six scenarios: the demo's pages, the dashboard alone and
// under concurrent readers, owners reporting progress concurrently, the
// launch and the closing of execution, the simulated year, and the
// workflows' histories.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"time"

	"go.temporal.io/server/common/headers"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/postgres"
)

// Config says how big and how long each scenario is.
type Config struct {
	Activities int           // the plan of the dashboard, of the launch of execution and of the cycle's history
	Readers    int           // concurrent dashboard readers
	ReadFor    time.Duration // how long they read
	Owners     int           // owners reporting progress concurrently
	OwnersFor  time.Duration // how long they report
	Repeat     int           // sequential calls behind each median
	Reminders  int           // reminders the measured follow-up sends
	// DatabaseURL, when set, is the PostgreSQL server to use (a scratch
	// database is created on it and dropped); empty starts a private one.
	DatabaseURL string
	// Source is the source tree, for the simulated year; empty looks up from the working directory.
	Source   string
	Progress io.Writer // one line per step, and the product's errors; nil for none
}

// Defaults are the sizes DESIGN.md's goals speak of.
func Defaults() Config {
	return Config{Activities: 10_000, Readers: 200, ReadFor: 10 * time.Second, Owners: 500, OwnersFor: 60 * time.Second,
		Repeat: 20, Reminders: 5}
}

// Quick is a smoke run of every scenario in seconds: its figures mean little.
func Quick() Config {
	return Config{Activities: 60, Readers: 10, ReadFor: time.Second, Owners: 10, OwnersFor: time.Second, Repeat: 3, Reminders: 1}
}

// Report is everything one run measured; a scenario that failed is nil and
// its error is in Errors.
type Report struct {
	Config     Config
	Machine    string
	Started    time.Time
	Took       time.Duration
	OtherLoad  float64 // cores busy on average with other programs than the product's during the run
	Pages      *PagesResult
	Dashboard  *DashboardResult
	Owners     *OwnersResult
	Execution  *ExecutionResult
	Simulation *SimulationResult
	History    *HistoryResult
	Errors     map[string]string // by scenario
}

// Scenario names, as the table and BENCHMARKS.md title them.
const (
	ScenarioExecution  = "Launching and closing execution"
	ScenarioDashboard  = "Dashboard"
	ScenarioOwners     = "Owners reporting progress"
	ScenarioSimulation = "Simulated year"
	ScenarioHistory    = "Workflow histories"
	ScenarioPages      = "Pages"
)

// Run starts the product, plays every scenario and stops it. A scenario that
// fails is reported and the others still run; the error joins the failures.
// The scenarios run one at a time, each on an otherwise idle product; the
// cycle's history comes last because its follow-ups keep the worker busy
// long after it is measured.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	progress := cfg.Progress
	if progress == nil {
		progress = io.Discard
	}
	r := &Report{Config: cfg, Started: time.Now(), Errors: map[string]string{}}
	step := func(format string, args ...any) {
		fmt.Fprintf(progress, "bench: %4.0fs  "+format+"\n", append([]any{time.Since(r.Started).Seconds()}, args...)...)
	}
	var failures []error
	failed := func(scenario string, err error) bool {
		if err == nil {
			return false
		}
		r.Errors[scenario] = err.Error()
		failures = append(failures, fmt.Errorf("%s: %w", scenario, err))
		step("%s failed: %v", scenario, err)
		return true
	}

	step("starting PostgreSQL, Temporal, the worker and the server")
	s, err := StartStack(ctx, cfg.DatabaseURL, progress)
	if err != nil {
		return r, err
	}
	defer s.Close()
	r.Machine = machine(ctx, s.DB)
	cpu := sampleCPU(s.pgDataDir())

	step("loading the demo (its cycles play through the workflows), then its pages")
	if _, err := demo.Load(ctx, s.DB, s.Temporal); !failed(ScenarioPages, err) {
		pages, err := runPages(ctx, s, cfg.Repeat)
		if !failed(ScenarioPages, err) {
			r.Pages = &pages
		}
	}

	step("loading an organisation with %d owners and a %d-activity plan in execution", cfg.Owners, cfg.Activities)
	f, err := loadFixture(ctx, s, cfg)
	if err != nil {
		return r, err
	}
	step("dashboard: %d sequential calls, then %d readers for %v", cfg.Repeat, cfg.Readers, cfg.ReadFor)
	if d, err := runDashboard(ctx, s, f, cfg); !failed(ScenarioDashboard, err) {
		r.Dashboard = &d
	}
	step("owners: %d reporting progress for %v through the API, then as raw transactions", cfg.Owners, cfg.OwnersFor)
	if o, err := runOwners(ctx, s, f, cfg); !failed(ScenarioOwners, err) {
		r.Owners = &o
	}

	step("launching and closing execution: %d bare workflow starts, StartFollowUps over %d activities, as many bare cancels, StopFollowUps",
		cfg.Activities, cfg.Activities)
	if e, err := runExecution(ctx, s, f.org, f.plan.Year+1, cfg.Activities, step); !failed(ScenarioExecution, err) {
		r.Execution = &e
	}

	step("simulated year: the workflow tests")
	if sim, err := runSimulation(ctx, cfg.Source); !failed(ScenarioSimulation, err) {
		r.Simulation = &sim
	}

	step("histories: a follow-up through %d reminder(s), then a cycle launching %d follow-ups", cfg.Reminders, cfg.Activities)
	h, err := runFollowUpHistories(ctx, s, f.org, f.plan, cfg.Reminders)
	if !failed(ScenarioHistory, err) {
		h.Activities = cfg.Activities
		h.CycleEvents, h.CycleBytes, err = CycleHistory(ctx, s.DB, s.Temporal, f.org, f.plan.Year+2, cfg.Activities)
		if !failed(ScenarioHistory, err) {
			r.History = &h
		}
	}
	step("stopping")
	r.OtherLoad = cpuBetween(cpu, sampleCPU(s.pgDataDir()), 1).Others
	r.Took = time.Since(r.Started)
	return r, errors.Join(failures...)
}

// loadFixture makes the organisation the dashboard and owners scenarios
// share: its plan of this year in execution, and everyone's API token.
func loadFixture(ctx context.Context, s *Stack, cfg Config) (fixture, error) {
	f := fixture{tokens: map[int64]string{}, http: &http.Client{Transport: newTransport(8), Timeout: time.Minute}}
	var err error
	if f.org, err = LoadOrg(ctx, s.DB, "bench", cfg.Owners); err != nil {
		return f, err
	}
	if f.plan, err = LoadPlan(ctx, s.DB, f.org, time.Now().Year(), cfg.Activities, true); err != nil {
		return f, err
	}
	if err := StartExecution(ctx, s.DB, f.org, f.plan); err != nil {
		return f, err
	}
	for _, u := range append([]ptacycle.User{f.org.Coordinator}, f.org.Owners...) {
		_, secret, err := s.DB.CreateToken(ctx, ptacycle.UserActor(u), "bench")
		if err != nil {
			return f, err
		}
		f.tokens[u.ID] = secret
	}
	return f, nil
}

// runExecution loads a plan of n activities not started for year and
// measures its launch and its closing in the namespace no worker polls; then
// it launches and closes it again in the product's namespace, where the
// worker runs the follow-ups, and counts those left running.
func runExecution(ctx context.Context, s *Stack, org Org, year, n int, step func(string, ...any)) (ExecutionResult, error) {
	plan, err := LoadPlan(ctx, s.DB, org, year, n, false)
	if err != nil {
		return ExecutionResult{}, err
	}
	in := activities.FollowUpsInput{OrganisationID: org.ID, OrganisationSlug: org.Slug, Year: year,
		CycleID: plan.CycleID, PlanID: plan.ID, Policy: activities.DefaultReminderPolicy()}
	idle := *s.Acts
	idle.Temporal = s.Idle
	r, err := ExecutionStart(ctx, &idle, in, n)
	if err != nil {
		return r, err
	}
	if r.Close, err = ExecutionClose(ctx, &idle, in, n); err != nil {
		return r, err
	}
	step("closing execution: %d follow-ups started, then stopped, where the worker runs them", n)
	stop, err := standInCycle(ctx, s, org, plan.ID)
	if err != nil {
		return r, err
	}
	defer stop()
	r.Closing, err = ClosingLeftRunning(ctx, s.Acts, in, n)
	return r, err
}

// machine describes where the figures come from.
func machine(ctx context.Context, db *postgres.DB) string {
	parts := []string{fmt.Sprintf("%d cores", runtime.NumCPU())}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			parts = append(parts, fmt.Sprintf("%d GiB", (kb+1<<19)>>20))
		}
	}
	parts = append(parts, runtime.GOOS+"/"+runtime.GOARCH, runtime.Version())
	var version string
	if db.Pool.QueryRow(ctx, "SHOW server_version").Scan(&version) == nil {
		version, _, _ = strings.Cut(version, " ")
		parts = append(parts, "PostgreSQL "+version)
	}
	return strings.Join(append(parts, "Temporal server "+headers.ServerVersion+" in process (SQLite file)"), ", ")
}

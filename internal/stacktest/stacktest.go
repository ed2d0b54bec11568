// Package stacktest starts the product's parts in a test's process, the one
// way every test that needs them does: PostgreSQL (from postgres/pgtest), an
// in-process Temporal server with the search attributes, the worker, and the
// HTTP server. Each part stops when its test ends. It also has Eventually,
// the one way a test waits for something to happen.
//
// A package using it calls pgtest.Main from its TestMain, as for pgtest.
package stacktest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/server/temporaltest"

	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/internal/searchattrs"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/postgres/pgtest"
	"github.com/ptacycle/ptacycle/server"
	"github.com/ptacycle/ptacycle/ui"
	"github.com/ptacycle/ptacycle/worker"
)

// Temporal starts an in-process Temporal server with the product's search
// attributes and returns a client of its default namespace, and that namespace.
func Temporal(tb testing.TB) (client.Client, string) {
	tb.Helper()
	var ts *temporaltest.TestServer
	if t, ok := tb.(*testing.T); ok {
		ts = temporaltest.NewServer(temporaltest.WithT(t))
	} else { // a benchmark
		ts = temporaltest.NewServer()
		tb.Cleanup(ts.Stop)
	}
	c := ts.GetDefaultClient()
	if err := searchattrs.Ensure(context.Background(), c, ts.GetDefaultNamespace(), searchattrs.Types()); err != nil {
		tb.Fatalf("stacktest: search attributes: %v", err)
	}
	return c, ts.GetDefaultNamespace()
}

// Options choose the parts a Stack starts and how.
type Options struct {
	DB       *postgres.DB  // nil: a fresh database of pgtest
	Temporal client.Client // nil: a fresh in-process Temporal server
	// Activities are the worker's (DB, Temporal and Clock filled when unset).
	Activities *activities.Activities
	// Over are activities registered over the worker's own, by name.
	Over map[string]any
	// WorkerOptions are the SDK worker's (interceptors, limits).
	WorkerOptions sdkworker.Options
	NoWorker      bool // no worker polls: what the starts alone do
	// HTTP starts the HTTP server too, on the same database and Temporal
	// client; Adjust changes its dependencies first.
	HTTP   bool
	Adjust func(*server.Deps)
}

// Stack is the product's parts a test started.
type Stack struct {
	DB            *postgres.DB
	Temporal      client.Client
	Namespace     string // "" when the Temporal client was given
	Acts          *activities.Activities
	Worker        sdkworker.Worker // nil with NoWorker
	Server        *server.Server   // nil without HTTP
	HTTP          *httptest.Server // nil without HTTP
	workerOptions sdkworker.Options
}

// Start starts the parts opts ask for; they stop when tb ends.
func Start(tb testing.TB, opts Options) *Stack {
	tb.Helper()
	s := &Stack{DB: opts.DB, Temporal: opts.Temporal, Acts: opts.Activities, workerOptions: opts.WorkerOptions}
	if s.DB == nil {
		s.DB = pgtest.MustDB(tb)
	}
	if s.Temporal == nil {
		s.Temporal, s.Namespace = Temporal(tb)
	}
	if s.Acts == nil {
		s.Acts = &activities.Activities{}
	}
	if s.Acts.DB == nil {
		s.Acts.DB = s.DB
	}
	if s.Acts.Temporal == nil {
		s.Acts.Temporal = s.Temporal
	}
	if s.Acts.Clock == nil {
		s.Acts.Clock = time.Now
	}
	if !opts.NoWorker {
		s.RestartWorker(tb, opts.Over)
		tb.Cleanup(func() { s.Worker.Stop() }) // the worker running at the end, whichever it is
	}
	if opts.HTTP {
		s.Server, s.HTTP = Serve(tb, s.DB, s.Temporal, opts.Adjust)
	}
	return s
}

// RestartWorker replaces the stack's worker (stopped first, if any) by one
// with its activities, and those of over by name.
func (s *Stack) RestartWorker(tb testing.TB, over map[string]any) {
	tb.Helper()
	if s.Worker != nil {
		s.Worker.Stop()
	}
	s.Worker = worker.New(s.Temporal, s.Acts, s.workerOptions)
	for name, fn := range over {
		s.Worker.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name, DisableAlreadyRegisteredCheck: true})
	}
	if err := s.Worker.Start(); err != nil {
		tb.Fatalf("stacktest: worker: %v", err)
	}
}

// Serve starts the HTTP server on db and tc, whose dependencies adjust
// changes first (nil: none), and serves it until tb ends.
func Serve(tb testing.TB, db *postgres.DB, tc client.Client, adjust func(*server.Deps)) (*server.Server, *httptest.Server) {
	tb.Helper()
	renderer, err := ui.New()
	if err != nil {
		tb.Fatalf("stacktest: templates: %v", err)
	}
	deps := server.Deps{DB: db, Temporal: tc, UI: renderer, Logger: slog.New(slog.DiscardHandler)}
	if adjust != nil {
		adjust(&deps)
	}
	s := server.New(deps)
	tb.Cleanup(s.Close)
	srv := httptest.NewServer(s.Handler())
	tb.Cleanup(srv.Close)
	return s, srv
}

// Unreachable is a Temporal client whose server never answers.
func Unreachable(tb testing.TB) client.Client {
	tb.Helper()
	c, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c
}

// Failer is what Eventually needs of a test: a *testing.T, or the reporter
// of a scenario run in its own goroutine.
type Failer interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Eventually checks cond until it holds, failing tb with what was awaited
// once within has passed.
func Eventually(tb Failer, within time.Duration, what string, cond func() bool) {
	tb.Helper()
	EventuallySays(tb, within, what, func() (bool, string) { return cond(), "" })
}

// EventuallySays is Eventually whose condition also says how things stand,
// told in the failure.
func EventuallySays(tb Failer, within time.Duration, what string, cond func() (bool, string)) {
	tb.Helper()
	deadline := time.Now().Add(within)
	pause := 10 * time.Millisecond
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			if state != "" {
				state = ": " + state
			}
			tb.Fatalf("%s did not happen within %s%s", what, within, state)
			return // for a Failer whose Fatalf returns
		}
		time.Sleep(pause)
		pause = min(2*pause, 200*time.Millisecond)
	}
}

package bench

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	temporallog "go.temporal.io/server/common/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/internal/devtemporal"
	"github.com/ptacycle/ptacycle/internal/pgcluster"
	"github.com/ptacycle/ptacycle/internal/searchattrs"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/server"
	"github.com/ptacycle/ptacycle/ui"
	"github.com/ptacycle/ptacycle/worker"
)

// idleNamespace is where the execution-start scenario starts its workflows:
// no worker polls it, so what is measured is the starts alone.
const idleNamespace = "bench-starts"

// Stack is the whole product running in this process, as `ptacycle dev` runs
// it: PostgreSQL (a private cluster with fsync off, or a scratch database on
// DATABASE_URL), the embedded Temporal server on a SQLite file, the worker
// and the HTTP server on 127.0.0.1.
type Stack struct {
	DB       *postgres.DB
	Temporal client.Client
	Idle     client.Client // the same server, namespace idleNamespace
	Acts     *activities.Activities
	URL      string // the HTTP server, http://127.0.0.1:port
	Metrics  *prometheus.Registry

	dir        string
	log        *untilStopped
	cluster    *pgcluster.Cluster
	dropDB     func() error
	temporal   *devtemporal.Server
	worker     sdkworker.Worker
	srv        *server.Server
	httpServer *http.Server
}

// StartStack starts everything in a temporary folder; Close stops it and removes the folder.
func StartStack(ctx context.Context, databaseURL string, w io.Writer) (_ *Stack, err error) {
	s := &Stack{log: &untilStopped{w: w}}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if s.dir, err = os.MkdirTemp("", "ptacycle-bench-"); err != nil {
		return nil, err
	}
	// PostgreSQL runs as the postgres user when we are root: it must reach its folder.
	if err := os.Chmod(s.dir, 0o755); err != nil {
		return nil, err
	}
	if databaseURL == "" {
		if s.cluster, err = pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(s.dir, "postgres")}); err != nil {
			return nil, fmt.Errorf("PostgreSQL: %w", err)
		}
		databaseURL = s.cluster.URL("postgres")
	}
	if databaseURL, s.dropDB, err = scratchDatabase(ctx, databaseURL); err != nil {
		return nil, err
	}
	if s.DB, err = postgres.Open(ctx, databaseURL); err != nil {
		return nil, err
	}
	if err := s.DB.Migrate(ctx); err != nil {
		return nil, err
	}

	if s.temporal, err = devtemporal.Start(devtemporal.Options{DatabaseFile: filepath.Join(s.dir, "temporal.db"),
		SearchAttributes: searchattrs.Types(),
		Logger: temporallog.NewZapLogger(zap.New(zapcore.NewCore(zapcore.NewConsoleEncoder(zap.NewDevelopmentEncoderConfig()),
			zapcore.AddSync(s.log), zap.ErrorLevel)))}); err != nil {
		return nil, err
	}
	logger := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(s.log, &slog.HandlerOptions{Level: slog.LevelError})))
	if s.Temporal, err = client.DialContext(ctx, client.Options{HostPort: s.temporal.Address(), Logger: logger}); err != nil {
		return nil, err
	}
	if _, err := s.Temporal.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: idleNamespace, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour)}); err != nil {
		return nil, err
	}
	// The follow-ups started there carry the same search attributes as in
	// the product's namespace.
	if err := searchattrs.Ensure(ctx, s.Temporal, idleNamespace, searchattrs.Types()); err != nil {
		return nil, err
	}
	if s.Idle, err = client.DialContext(ctx, client.Options{HostPort: s.temporal.Address(), Namespace: idleNamespace, Logger: logger}); err != nil {
		return nil, err
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.URL = "http://" + l.Addr().String()
	secret, err := s.DB.Secret(ctx, ptacycle.LinkSecretName, func() ([]byte, error) {
		b := make([]byte, 32)
		_, err := rand.Read(b)
		return b, err
	})
	if err != nil {
		l.Close()
		return nil, err
	}
	s.Acts = &activities.Activities{DB: s.DB, Temporal: s.Temporal, Clock: time.Now, PublicURL: s.URL, LinkSecret: secret}
	s.worker = worker.New(s.Temporal, s.Acts, sdkworker.Options{})
	if err := s.worker.Start(); err != nil {
		l.Close()
		return nil, err
	}
	renderer, err := ui.New()
	if err != nil {
		l.Close()
		return nil, err
	}
	s.Metrics = server.NewMetricsRegistry()
	s.srv = server.New(server.Deps{DB: s.DB, Temporal: s.Temporal, UI: renderer, Metrics: s.Metrics,
		Logger: slog.New(slog.NewTextHandler(s.log, &slog.HandlerOptions{Level: slog.LevelError}))})
	// The timeouts of cmd/ptacycle's serveHTTP.
	s.httpServer = &http.Server{Handler: s.srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	go func() { _ = s.httpServer.Serve(l) }()
	return s, nil
}

// scratchDatabase creates a fresh database next to the one url names, so
// that the benchmark never writes into existing data; drop removes it.
func scratchDatabase(ctx context.Context, raw string) (string, func() error, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", nil, errors.New("DATABASE_URL illisible / DATABASE_URL is malformed")
	}
	name := fmt.Sprintf("ptacycle_bench_%d", os.Getpid())
	exec := func(sql string) error {
		conn, err := pgx.Connect(ctx, raw)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec("CREATE DATABASE " + pgx.Identifier{name}.Sanitize()); err != nil {
		return "", nil, fmt.Errorf("base de mesure %s : %w / cannot create the benchmark's database", name, err)
	}
	u.Path = "/" + name
	return u.String(), func() error {
		return exec("DROP DATABASE IF EXISTS " + pgx.Identifier{name}.Sanitize() + " WITH (FORCE)")
	}, nil
}

// untilStopped passes the product's error logs on while the benchmark runs,
// and drops them once it stops: stopping with work in flight makes Temporal
// log every task it can no longer deliver.
type untilStopped struct {
	w       io.Writer
	stopped atomic.Bool
}

func (u *untilStopped) Write(p []byte) (int, error) {
	if u.stopped.Load() {
		return len(p), nil
	}
	return u.w.Write(p)
}

// pgDataDir is the private cluster's data folder, "" on DATABASE_URL.
func (s *Stack) pgDataDir() string {
	if s.cluster == nil {
		return ""
	}
	return s.cluster.DataDir()
}

// Close stops what StartStack started, the last started first.
func (s *Stack) Close() {
	s.log.stopped.Store(true)
	if s.httpServer != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_ = s.httpServer.Shutdown(ctx)
		cancel()
	}
	if s.srv != nil {
		s.srv.Close()
	}
	if s.worker != nil {
		s.worker.Stop()
	}
	for _, c := range []client.Client{s.Idle, s.Temporal} {
		if c != nil {
			c.Close()
		}
	}
	if s.temporal != nil {
		_ = s.temporal.Stop()
	}
	if s.DB != nil {
		s.DB.Close()
	}
	if s.dropDB != nil {
		_ = s.dropDB()
	}
	if s.cluster != nil {
		_ = s.cluster.Stop()
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

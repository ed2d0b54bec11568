package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/internal/devtemporal"
	"github.com/ptacycle/ptacycle/internal/pgcluster"
	"github.com/ptacycle/ptacycle/internal/searchattrs"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/server"
)

// runDev runs the whole product in this process: embedded Temporal on a
// SQLite file, a private PostgreSQL cluster (unless DATABASE_URL is set), the
// worker, the server and the demo organisation. Its data folder survives a
// restart, so every cycle resumes where it was.
func runDev(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", envOr(getenv, "PTACYCLE_DATA", "ptacycle-data"), "dossier des données (PTACYCLE_DATA) / data folder")
	httpPort := fs.Int("port", envInt(getenv, "PTACYCLE_PORT", 8080), "port HTTP (PTACYCLE_PORT), 0 = libre / HTTP port, 0 = any free")
	temporalPort := fs.Int("temporal-port", envInt(getenv, "PTACYCLE_TEMPORAL_PORT", 7233), "port de Temporal (PTACYCLE_TEMPORAL_PORT), 0 = libre")
	pgPort := fs.Int("pg-port", envInt(getenv, "PTACYCLE_PG_PORT", 0), "port du PostgreSQL privé (PTACYCLE_PG_PORT), 0 = libre")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := loadConfig(getenv)
	logger := newLogger(stderr, cfg.LogLevel, cfg.LogFormat)
	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("dossier de données %s : %v / cannot create the data folder", dir, err)
	}
	// Check the HTTP port first: failing after PostgreSQL and Temporal started would be slow to tell.
	l, err := listen(net.JoinHostPort("127.0.0.1", strconv.Itoa(*httpPort)), "--port")
	if err != nil {
		return err
	}
	defer l.Close()
	if getenv("PUBLIC_URL") == "" { // the links in e-mails point at this process
		cfg.PublicURL = "http://" + l.Addr().String()
	}

	if cfg.DatabaseURL == "" {
		cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(dir, "postgres"), Port: *pgPort, Fsync: true})
		if errors.Is(err, pgcluster.ErrNoBinaries) {
			return err
		}
		if err != nil {
			return fmt.Errorf("PostgreSQL privé : %w", err)
		}
		defer func() {
			if err := cluster.Stop(); err != nil {
				logger.Error("arrêt de PostgreSQL / stopping PostgreSQL", "err", err)
			}
		}()
		if err := ensureDatabase(ctx, cluster.URL("postgres"), "ptacycle"); err != nil {
			return err
		}
		cfg.DatabaseURL = cluster.URL("ptacycle")
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}

	temporalServer, err := devtemporal.Start(devtemporal.Options{
		DatabaseFile:     filepath.Join(dir, "temporal.db"),
		Port:             *temporalPort,
		Namespace:        cfg.TemporalNamespace,
		SearchAttributes: searchattrs.Types(),
	})
	if err != nil {
		return err
	}
	defer func() {
		if err := temporalServer.Stop(); err != nil {
			logger.Error("arrêt de Temporal / stopping Temporal", "err", err)
		}
	}()
	cfg.TemporalAddress = temporalServer.Address()
	metrics := server.NewMetricsRegistry()
	tc, err := dialTemporal(ctx, cfg, logger, metrics)
	if err != nil {
		return err
	}
	defer tc.Close()

	ctx, stop := context.WithCancel(ctx)
	defer stop()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return runWorkerAndSender(gctx, db, tc, cfg, getenv, stdout, logger) })
	g.Go(func() error { return serveHTTP(gctx, l, db, tc, metrics, cfg, logger) })
	// The demo's cycles take their steps through the worker just started.
	fmt.Fprintf(stdout, "Chargement de la démo (CNLTP 2023–2024) / loading the demo\n")
	logins, err := demo.Load(gctx, db, tc)
	if err != nil {
		stop()
		_ = g.Wait()
		return fmt.Errorf("chargement de la démo / loading the demo: %w", err)
	}

	appURL := "http://" + l.Addr().String()
	fmt.Fprintf(stdout, "ptacycle est prêt / ptacycle is ready\n")
	fmt.Fprintf(stdout, "  Application : %s\n", appURL)
	fmt.Fprintf(stdout, "  Temporal    : %s (namespace %s)\n", temporalServer.Address(), cfg.TemporalNamespace)
	fmt.Fprintf(stdout, "  PostgreSQL  : %s\n", redact(cfg.DatabaseURL))
	fmt.Fprintf(stdout, "  Données     : %s\n", dir)
	printLogins(stdout, logins)
	fmt.Fprintf(stdout, "Ctrl-C arrête tout / Ctrl-C stops everything\n")

	err = g.Wait()
	fmt.Fprintf(stdout, "Arrêt en cours / shutting down\n")
	return err
}

// ensureDatabase creates database name on the cluster if it does not exist.
func ensureDatabase(ctx context.Context, adminURL, name string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil || exists {
		return err
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	return err
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(DATABASE_URL)"
	}
	return u.Redacted()
}

func envOr(getenv func(string) string, key, fallback string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return fallback
}

func envInt(getenv func(string) string, key string, fallback int) int {
	if n, err := strconv.Atoi(getenv(key)); err == nil {
		return n
	}
	return fallback
}

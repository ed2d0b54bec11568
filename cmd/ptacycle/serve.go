package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"

	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/server"
	"github.com/ptacycle/ptacycle/ui"
)

// process is what the production commands connect to: PostgreSQL, Temporal,
// their listener, with the logger and the metrics registry.
type process struct {
	cfg     config
	logger  *slog.Logger
	metrics *prometheus.Registry
	db      *postgres.DB
	tc      client.Client
	l       net.Listener
}

// connect reaches PostgreSQL and Temporal and opens LISTEN_ADDR, failing fast
// with one line; close releases what it opened.
func connect(ctx context.Context, getenv func(string) string, stderr io.Writer) (p process, err error) {
	p.cfg = loadConfig(getenv)
	p.logger = newLogger(stderr, p.cfg.LogLevel, p.cfg.LogFormat)
	p.metrics = server.NewMetricsRegistry()
	if p.db, err = openDB(ctx, p.cfg); err != nil {
		return p, err
	}
	if p.tc, err = dialTemporal(ctx, p.cfg, p.logger, p.metrics); err != nil {
		p.db.Close()
		return p, err
	}
	if p.l, err = listen(p.cfg.ListenAddr, "LISTEN_ADDR"); err != nil {
		p.tc.Close()
		p.db.Close()
	}
	return p, err
}

func (p process) close() {
	p.l.Close()
	p.tc.Close()
	p.db.Close()
}

func runServer(ctx context.Context, _ []string, getenv func(string) string, stderr io.Writer) error {
	p, err := connect(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer p.close()
	p.logger.Info("serveur prêt / server ready", "addr", p.l.Addr().String())
	return serveHTTP(ctx, p.l, p.db, p.tc, p.metrics, p.cfg, p.logger)
}

func runWorker(ctx context.Context, _ []string, getenv func(string) string, stderr io.Writer) error {
	p, err := connect(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer p.close()
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", server.MetricsHandler(p.metrics))
	mux.Handle("/", server.HealthHandler(app.ReadinessChecks(p.db, p.tc)))
	health := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = health.Serve(p.l) }()
	defer health.Close()
	p.logger.Info("worker prêt / worker ready", "temporal", p.cfg.TemporalAddress, "namespace", p.cfg.TemporalNamespace, "health", p.l.Addr().String())
	return runWorkerAndSender(ctx, p.db, p.tc, p.cfg, getenv, nil, p.logger)
}

// listen opens addr, or says in one line that the port is taken and how to choose another.
func listen(addr, setting string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, errAddrInUse) || strings.Contains(err.Error(), "address already in use") {
			return nil, fmt.Errorf("l'adresse %s est déjà utilisée : choisissez un autre port avec %s / %s is in use: pick another port with %s", addr, setting, addr, setting)
		}
		return nil, fmt.Errorf("écoute sur %s impossible (%s) / cannot listen on %s: %v", addr, setting, addr, err)
	}
	return l, nil
}

var errAddrInUse = errors.New("address already in use")

// serveHTTP serves the product on l until ctx is done, then shuts down gracefully.
func serveHTTP(ctx context.Context, l net.Listener, db *postgres.DB, tc client.Client, metrics *prometheus.Registry, cfg config, logger *slog.Logger) error {
	if err := checkProxies(cfg.TrustedProxies); err != nil {
		return err
	}
	renderer, err := ui.New()
	if err != nil {
		return err
	}
	srv := server.New(server.Deps{DB: db, Temporal: tc, UI: renderer, Logger: logger, Metrics: metrics,
		SecureCookies: strings.HasPrefix(cfg.PublicURL, "https://"), PublicURL: cfg.PublicURL, TrustedProxies: cfg.TrustedProxies})
	defer srv.Close()
	httpServer := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- httpServer.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return httpServer.Shutdown(shutdownCtx)
}

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

	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/server"
	"github.com/ptacycle/ptacycle/ui"
)

func runServer(ctx context.Context, _ []string, getenv func(string) string, stderr io.Writer) error {
	cfg := loadConfig(getenv)
	logger := newLogger(stderr, cfg.LogLevel, cfg.LogFormat)
	metrics := server.NewMetricsRegistry()
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	tc, err := dialTemporal(ctx, cfg, logger, metrics)
	if err != nil {
		return err
	}
	defer tc.Close()
	l, err := listen(cfg.ListenAddr, "LISTEN_ADDR")
	if err != nil {
		return err
	}
	logger.Info("serveur prêt / server ready", "addr", l.Addr().String())
	return serveHTTP(ctx, l, db, tc, metrics, cfg, logger)
}

func runWorker(ctx context.Context, _ []string, getenv func(string) string, stderr io.Writer) error {
	cfg := loadConfig(getenv)
	logger := newLogger(stderr, cfg.LogLevel, cfg.LogFormat)
	metrics := server.NewMetricsRegistry()
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	tc, err := dialTemporal(ctx, cfg, logger, metrics)
	if err != nil {
		return err
	}
	defer tc.Close()
	l, err := listen(cfg.ListenAddr, "LISTEN_ADDR")
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", server.MetricsHandler(metrics))
	mux.Handle("/", server.HealthHandler(db, tc))
	health := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = health.Serve(l) }()
	defer health.Close()
	logger.Info("worker prêt / worker ready", "temporal", cfg.TemporalAddress, "namespace", cfg.TemporalNamespace, "health", l.Addr().String())
	return runWorkerAndSender(ctx, db, tc, cfg, getenv, nil, logger)
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
	renderer, err := ui.New()
	if err != nil {
		return err
	}
	srv := server.New(server.Deps{DB: db, Temporal: tc, UI: renderer, Logger: logger, Metrics: metrics,
		SecureCookies: strings.HasPrefix(cfg.PublicURL, "https://")})
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

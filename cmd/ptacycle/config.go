package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/ptacycle/ptacycle/postgres"
)

// config is read from the environment; README.md lists every variable.
type config struct {
	DatabaseURL       string
	TemporalAddress   string
	TemporalNamespace string
	TemporalTLS       bool
	TemporalTLSCert   string
	TemporalTLSKey    string
	TemporalTLSCA     string
	TemporalTLSServer string
	ListenAddr        string
	PublicURL         string
	LogLevel          string
}

func loadConfig(getenv func(string) string) config {
	or := func(key, fallback string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return fallback
	}
	return config{
		DatabaseURL:       getenv("DATABASE_URL"),
		TemporalAddress:   or("TEMPORAL_ADDRESS", "localhost:7233"),
		TemporalNamespace: or("TEMPORAL_NAMESPACE", "default"),
		TemporalTLS:       getenv("TEMPORAL_TLS") == "true",
		TemporalTLSCert:   getenv("TEMPORAL_TLS_CERT"),
		TemporalTLSKey:    getenv("TEMPORAL_TLS_KEY"),
		TemporalTLSCA:     getenv("TEMPORAL_TLS_CA"),
		TemporalTLSServer: getenv("TEMPORAL_TLS_SERVER_NAME"),
		ListenAddr:        or("LISTEN_ADDR", ":8080"),
		PublicURL:         or("PUBLIC_URL", "http://localhost:8080"),
		LogLevel:          or("LOG_LEVEL", "info"),
	}
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// openDB connects to DATABASE_URL, failing with one line that says what to do.
func openDB(ctx context.Context, cfg config) (*postgres.DB, error) {
	if cfg.DatabaseURL == "" {
		return nil, errors.New("DATABASE_URL n'est pas défini : indiquez la base PostgreSQL (postgres://utilisateur:motdepasse@hôte:5432/base) / DATABASE_URL is not set")
	}
	return postgres.Open(ctx, cfg.DatabaseURL)
}

// dialTemporal connects to the Temporal frontend, failing fast with one line that says what to do.
func dialTemporal(ctx context.Context, cfg config, logger *slog.Logger) (client.Client, error) {
	opts := client.Options{
		HostPort:  cfg.TemporalAddress,
		Namespace: cfg.TemporalNamespace,
		Logger:    sdklog.NewStructuredLogger(logger.With("component", "temporal-sdk")),
	}
	if cfg.TemporalTLS || cfg.TemporalTLSCert != "" || cfg.TemporalTLSCA != "" {
		t, err := temporalTLS(cfg)
		if err != nil {
			return nil, err
		}
		opts.ConnectionOptions.TLS = t
	}
	dialCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := client.DialContext(dialCtx, opts)
	if err != nil {
		return nil, fmt.Errorf("impossible de joindre Temporal à %s (namespace %s) : vérifiez TEMPORAL_ADDRESS et que le serveur tourne / Temporal unreachable at %s: %v",
			cfg.TemporalAddress, cfg.TemporalNamespace, cfg.TemporalAddress, err)
	}
	return c, nil
}

func temporalTLS(cfg config) (*tls.Config, error) {
	t := &tls.Config{ServerName: cfg.TemporalTLSServer, MinVersion: tls.VersionTLS12}
	if cfg.TemporalTLSCert != "" {
		pair, err := tls.LoadX509KeyPair(cfg.TemporalTLSCert, cfg.TemporalTLSKey)
		if err != nil {
			return nil, fmt.Errorf("certificat client Temporal illisible (TEMPORAL_TLS_CERT / TEMPORAL_TLS_KEY) : %v", err)
		}
		t.Certificates = []tls.Certificate{pair}
	}
	if cfg.TemporalTLSCA != "" {
		pem, err := os.ReadFile(cfg.TemporalTLSCA)
		if err != nil {
			return nil, fmt.Errorf("autorité de certification Temporal illisible (TEMPORAL_TLS_CA) : %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TEMPORAL_TLS_CA ne contient aucun certificat PEM / holds no PEM certificate")
		}
		t.RootCAs = pool
	}
	return t, nil
}

package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/opentelemetry"
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
	TrustedProxies    []string
	LogLevel          string
	LogFormat         string
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
		TrustedProxies:    list(getenv("TRUSTED_PROXIES")),
		LogLevel:          or("LOG_LEVEL", "info"),
		LogFormat:         or("LOG_FORMAT", "text"),
	}
}

// list splits a comma-separated value, dropping blanks.
func list(value string) []string {
	var items []string
	for item := range strings.SplitSeq(value, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return items
}

// checkProxies says in one line which entry of TRUSTED_PROXIES is neither an
// IP address nor a CIDR block, as gin reads them.
func checkProxies(proxies []string) error {
	for _, p := range proxies {
		if net.ParseIP(p) != nil {
			continue
		}
		if _, _, err := net.ParseCIDR(p); err != nil {
			return fmt.Errorf("TRUSTED_PROXIES : « %s » n'est ni une adresse IP ni un bloc CIDR (ex. 10.0.0.5, 172.16.0.0/12) / %q is neither an IP address nor a CIDR block", p, p)
		}
	}
	return nil
}

// newLogger writes at level and above, one JSON object per line when format is "json", else key=value text.
func newLogger(w io.Writer, level, format string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: l}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openDB connects to DATABASE_URL, failing with one line that says what to do.
func openDB(ctx context.Context, cfg config) (*postgres.DB, error) {
	if cfg.DatabaseURL == "" {
		return nil, errors.New("DATABASE_URL n'est pas défini : indiquez la base PostgreSQL (postgres://utilisateur:motdepasse@hôte:5432/base) / DATABASE_URL is not set")
	}
	return postgres.Open(ctx, cfg.DatabaseURL)
}

// dialTemporal connects to the Temporal frontend, failing fast with one line that
// says what to do; the SDK's metrics go to reg.
func dialTemporal(ctx context.Context, cfg config, logger *slog.Logger, reg prometheus.Registerer) (client.Client, error) {
	metrics, err := temporalMetrics(reg, logger)
	if err != nil {
		return nil, err
	}
	opts := client.Options{
		HostPort:       cfg.TemporalAddress,
		Namespace:      cfg.TemporalNamespace,
		Logger:         sdklog.NewStructuredLogger(logger.With("component", "temporal-sdk")),
		MetricsHandler: metrics,
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

// temporalMetrics exports the Temporal SDK's metrics (polls, task latencies,
// activity executions) on reg as temporal_* series, through OpenTelemetry.
func temporalMetrics(reg prometheus.Registerer, logger *slog.Logger) (client.MetricsHandler, error) {
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, fmt.Errorf("métriques de Temporal / Temporal metrics: %w", err)
	}
	// The SDK's timers are in seconds; OpenTelemetry's default buckets are meant for milliseconds.
	seconds := sdkmetric.NewView(sdkmetric.Instrument{Kind: sdkmetric.InstrumentKindHistogram, Unit: "s"},
		sdkmetric.Stream{Aggregation: sdkmetric.AggregationExplicitBucketHistogram{Boundaries: prometheus.DefBuckets}})
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter), sdkmetric.WithView(seconds))
	return opentelemetry.NewMetricsHandler(opentelemetry.MetricsHandlerOptions{
		Meter:                provider.Meter("temporal-sdk"),
		UseMonotonicCounters: true, // exported as Prometheus counters (_total) rather than gauges
		OnError:              func(err error) { logger.Warn("métrique Temporal / Temporal metric", "err", err) },
	}), nil
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

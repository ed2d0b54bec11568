package server

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ptacycle/ptacycle"
)

// NewMetricsRegistry is the registry of a process's metrics, with the Go runtime and process collectors.
func NewMetricsRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// MetricsHandler serves reg in Prometheus' text format. The worker serves it too.
func MetricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// httpMetrics count and time the HTTP requests, labelled by route pattern so
// that ids in URLs neither multiply the series nor reach the operator.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ptacycle_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ptacycle_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method and route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// unlogged are the routes polled by machines, left out of the request log.
var unlogged = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// observe records every request in the metrics and logs one line per request
// at info level, except health checks, metrics scrapes and static files.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	elapsed := time.Since(start)

	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	method := c.Request.Method
	status := c.Writer.Status()
	s.metrics.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	s.metrics.duration.WithLabelValues(method, route).Observe(elapsed.Seconds())

	if unlogged[route] || strings.HasPrefix(route, "/static/") {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Duration("duration", elapsed),
		slog.String("request_id", ptacycle.RequestID(c.Request.Context())),
	}
	if u := currentUser(c); u != nil {
		attrs = append(attrs, slog.Int64("user_id", u.ID))
	}
	s.deps.Logger.LogAttrs(c.Request.Context(), slog.LevelInfo, "http request", attrs...)
}

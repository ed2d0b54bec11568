package server_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ptacycle/ptacycle/postgres/pgtest"
	"github.com/ptacycle/ptacycle/server"
)

func TestMetrics(t *testing.T) {
	t.Parallel()
	a := mustApp(t, unreachableTemporal(t))
	b := browser()
	get(t, b, a.srv.URL+"/login")
	get(t, b, a.srv.URL+"/login")
	post(t, b, a.srv.URL+"/login", url.Values{"email": {"awa@cnltp.ci"}, "password": {"mauvais-mot-de-passe"}})
	get(t, b, a.srv.URL+"/api/v1/activities/987654321")
	get(t, b, a.srv.URL+"/nulle-part/zq7")

	status, body := get(t, http.DefaultClient, a.srv.URL+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("/metrics = %d without a session, want 200", status)
	}
	for _, want := range []string{
		`ptacycle_http_requests_total{method="GET",route="/login",status="200"} 2`,
		`ptacycle_http_requests_total{method="POST",route="/login",status="401"} 1`,
		`ptacycle_http_requests_total{method="GET",route="/api/v1/activities/:id",status="401"} 1`,
		`ptacycle_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`ptacycle_http_request_duration_seconds_bucket{method="GET",route="/login",le="0.005"}`,
		`ptacycle_http_request_duration_seconds_count{method="GET",route="/login"} 2`,
		"go_goroutines ",
		"go_memstats_alloc_bytes ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	t.Run("NoRawPathsNorUserData", func(t *testing.T) {
		for _, leak := range []string{"987654321", "nulle-part", "zq7", "awa@cnltp.ci"} {
			if strings.Contains(body, leak) {
				t.Errorf("/metrics shows %q", leak)
			}
		}
	})
}

func TestRequestLog(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	srv := mustServer(t, pgtest.MustDB(t), unreachableTemporal(t), func(d *server.Deps) { d.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) })

	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/static/app.css", "/login"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("X-Request-ID", "req-42")
		resp, err := http.DefaultClient.Do(req)
		read(t, resp, err)
	}
	var lines []map[string]any
	for line := range strings.Lines(logs.String()) {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if entry["msg"] == "http request" {
			lines = append(lines, entry)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("request log = %v, want one line, for /login only", lines)
	}
	got := lines[0]
	for key, want := range map[string]any{"level": "INFO", "method": "GET", "route": "/login", "status": float64(200), "request_id": "req-42"} {
		if got[key] != want {
			t.Errorf("request log %s = %v, want %v", key, got[key], want)
		}
	}
	if _, ok := got["duration"]; !ok {
		t.Errorf("request log lacks the duration: %v", got)
	}
}

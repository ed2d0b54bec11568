package main

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.temporal.io/server/temporaltest"

	"github.com/ptacycle/ptacycle/internal/stacktest"
)

func TestNewLogger(t *testing.T) {
	t.Run("JSON", func(t *testing.T) {
		var out bytes.Buffer
		newLogger(&out, "info", "json").Info("prêt", "addr", ":8080")
		var line map[string]any
		if err := json.Unmarshal(out.Bytes(), &line); err != nil {
			t.Fatalf("LOG_FORMAT=json wrote %q: %v", out.String(), err)
		}
		if line["msg"] != "prêt" || line["addr"] != ":8080" || line["level"] != "INFO" {
			t.Errorf("JSON line = %v", line)
		}
	})
	t.Run("TextByDefault", func(t *testing.T) {
		var out bytes.Buffer
		newLogger(&out, "info", loadConfig(func(string) string { return "" }).LogFormat).Info("prêt", "addr", ":8080")
		if !strings.Contains(out.String(), `msg=prêt addr=:8080`) {
			t.Errorf("default format wrote %q, want key=value text", out.String())
		}
	})
	t.Run("LevelFilters", func(t *testing.T) {
		var out bytes.Buffer
		newLogger(&out, "warn", "json").Info("bavard")
		if out.Len() != 0 {
			t.Errorf("LOG_LEVEL=warn still logs info: %q", out.String())
		}
	})
}

func greet(_ workflow.Context, name string) (string, error) { return "bonjour " + name, nil }

// TestTemporalMetrics runs a workflow through a client dialled as the worker and
// server dial theirs, and finds the SDK's metrics in the Prometheus registry.
func TestTemporalMetrics(t *testing.T) {
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	reg := prometheus.NewRegistry()
	var logs bytes.Buffer
	ctx := context.Background()
	cfg := config{TemporalAddress: ts.GetFrontendHostPort(), TemporalNamespace: ts.GetDefaultNamespace()}
	tc, err := dialTemporal(ctx, cfg, newLogger(&logs, "warn", "text"), reg)
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	w := sdkworker.New(tc, "metrics-test", sdkworker.Options{})
	w.RegisterWorkflow(greet)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: "metrics-test"}, greet, "Awa")
	if err != nil {
		t.Fatal(err)
	}
	var greeting string
	if err := run.Get(ctx, &greeting); err != nil || greeting != "bonjour Awa" {
		t.Fatalf("workflow = %q, %v", greeting, err)
	}

	// The worker counts the completion after answering the server: give it a moment.
	var families []*dto.MetricFamily
	stacktest.Eventually(t, 5*time.Second, "the SDK's count of completed workflows", func() bool {
		if families, err = reg.Gather(); err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(families, func(f *dto.MetricFamily) bool { return f.GetName() == "temporal_workflow_completed_total" })
	})
	var names []string
	for _, f := range families {
		names = append(names, f.GetName())
		if f.GetName() == "temporal_workflow_task_execution_latency_seconds" {
			if first := f.GetMetric()[0].GetHistogram().GetBucket()[0].GetUpperBound(); first != prometheus.DefBuckets[0] {
				t.Errorf("first latency bucket = %v s, want %v s (buckets for seconds)", first, prometheus.DefBuckets[0])
			}
		}
	}
	t.Logf("metrics: %s", strings.Join(names, " "))
	for _, want := range []string{"temporal_request_total", "temporal_workflow_completed_total", "temporal_workflow_task_execution_latency_seconds"} {
		if !slices.Contains(names, want) {
			t.Errorf("registry lacks %s", want)
		}
	}
	if logs.Len() != 0 {
		t.Errorf("warnings while recording metrics: %s", logs.String())
	}
}

func TestTrustedProxiesConfig(t *testing.T) {
	env := func(value string) func(string) string {
		return func(key string) string {
			if key == "TRUSTED_PROXIES" {
				return value
			}
			return ""
		}
	}
	t.Run("NoneByDefault", func(t *testing.T) {
		if got := loadConfig(env("")).TrustedProxies; got != nil {
			t.Errorf("TrustedProxies = %q, want none", got)
		}
	})
	t.Run("List", func(t *testing.T) {
		got := loadConfig(env(" 10.0.0.5, 172.16.0.0/12,,2001:db8::/32 ")).TrustedProxies
		if want := []string{"10.0.0.5", "172.16.0.0/12", "2001:db8::/32"}; !slices.Equal(got, want) {
			t.Errorf("TrustedProxies = %q, want %q", got, want)
		}
		if err := checkProxies(got); err != nil {
			t.Error(err)
		}
	})
	t.Run("ErrNeitherAddressNorBlock", func(t *testing.T) {
		err := checkProxies(loadConfig(env("10.0.0.5, proxy.local")).TrustedProxies)
		if err == nil || !strings.Contains(err.Error(), "« proxy.local » n'est ni une adresse IP ni un bloc CIDR") {
			t.Errorf("err = %v, want the entry named", err)
		}
	})
}

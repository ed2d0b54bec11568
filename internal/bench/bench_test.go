package bench_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ptacycle/ptacycle/internal/bench"
)

// TestQuickRun plays every scenario at smoke size, so that the benchmark
// cannot rot: every scenario must give its rows, and BENCHMARKS.md its
// tables, between the markers, around what was written by hand.
func TestQuickRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and Temporal")
	}
	cfg := bench.Quick()
	cfg.DatabaseURL = os.Getenv("DATABASE_URL")
	var progress strings.Builder
	cfg.Progress = &progress
	report, err := bench.Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("%v\n%s", err, progress.String())
	}
	rows := report.Rows()
	count := map[string]int{}
	for _, r := range rows {
		count[r.Scenario]++
		if r.Figure == "" || r.Verdict == bench.Error {
			t.Errorf("row %+v", r)
		}
	}
	for scenario, want := range map[string]int{bench.ScenarioExecution: 3, bench.ScenarioDashboard: 6, bench.ScenarioOwners: 4,
		bench.ScenarioSimulation: 1, bench.ScenarioHistory: 6, bench.ScenarioPages: 11} {
		if count[scenario] != want {
			t.Errorf("%s: %d rows, want %d", scenario, count[scenario], want)
		}
	}
	for _, r := range rows {
		if r.Scenario == bench.ScenarioOwners && strings.Contains(r.Measure, "lost") && r.Verdict != bench.Pass {
			t.Errorf("updates lost: %+v", r)
		}
	}
	// Closing must have stopped follow-ups a worker ran, every one of them.
	if c := report.Execution.Closing; c.FollowUps != cfg.Activities || c.LeftRunning != 0 || c.Cancelled != c.FollowUps {
		t.Errorf("closing: %d follow-ups started, %d cancelled, %d left running; want %d, %d, 0", c.FollowUps, c.Cancelled, c.LeftRunning,
			cfg.Activities, cfg.Activities)
	}

	var table strings.Builder
	if err := bench.WriteTable(&table, rows); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(table.String(), "\n"); lines != len(rows)+1 {
		t.Errorf("table of %d lines for %d rows:\n%s", lines, len(rows), table.String())
	}

	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	const intro, outro = "# Benchmarks\n\nWritten by hand before.\n\n", "\n## Excel\n\nWritten by hand after.\n"
	if err := os.WriteFile(path, []byte(intro+"<!-- ptacycle bench: begin -->\nold\n<!-- ptacycle bench: end -->\n"+outro), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second run replaces the first one's tables
		if err := report.WriteMarkdown(path); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	if !strings.HasPrefix(md, intro) || !strings.HasSuffix(md, outro) || strings.Count(md, "ptacycle bench: begin") != 1 || strings.Contains(md, "\nold\n") {
		t.Errorf("the hand-written parts are not kept around one generated part:\n%s", md)
	}
	for _, r := range rows {
		if !strings.Contains(md, "| "+r.Measure+" | ") {
			t.Errorf("BENCHMARKS.md lacks the row %q", r.Measure)
		}
	}
	if strings.Contains(md, "<no value>") {
		t.Errorf("BENCHMARKS.md has a hole:\n%s", md)
	}
	t.Logf("%s\n%s", progress.String(), table.String())
}

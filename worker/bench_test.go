package worker_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/internal/bench"
	"github.com/ptacycle/ptacycle/internal/stacktest"
	"github.com/ptacycle/ptacycle/postgres/pgtest"
)

// These benchmarks are two of `ptacycle bench`'s scenarios (internal/bench)
// on the in-memory test server, for profiling one of them alone
// (-cpuprofile); `ptacycle bench` runs them all and writes BENCHMARKS.md.

const benchActivities = 10_000

// benchOwners owns the benchmark plans' activities.
const benchOwners = 50

// BenchmarkExecutionStart measures what launching execution costs for a
// 10,000-activity plan — the StartFollowUps activity reading the plan and
// starting one follow-up per activity — next to starting 10,000 bare
// workflows on the same in-process server with the same concurrency. It
// reports both and their ratio (goal: at most 1.3).
func BenchmarkExecutionStart(b *testing.B) {
	ctx := context.Background()
	db := pgtest.MustDB(b)
	org, err := bench.LoadOrg(ctx, db, "bench", benchOwners)
	if err != nil {
		b.Fatal(err)
	}
	plan, err := bench.LoadPlan(ctx, db, org, 2024, benchActivities, false)
	if err != nil {
		b.Fatal(err)
	}
	// No worker polls this server: only the starts are measured.
	acts := stacktest.Start(b, stacktest.Options{DB: db, NoWorker: true}).Acts
	var bare, followUps time.Duration
	for i := range b.N {
		r, err := bench.ExecutionStart(ctx, acts, activities.FollowUpsInput{OrganisationID: org.ID, OrganisationSlug: fmt.Sprintf("bench%d", i),
			Year: plan.Year, CycleID: plan.CycleID, PlanID: plan.ID, Policy: activities.DefaultReminderPolicy()}, benchActivities)
		if err != nil {
			b.Fatal(err)
		}
		bare += r.Bare
		followUps += r.FollowUps
	}
	b.ReportMetric(float64(bare.Milliseconds())/float64(b.N), "bare-ms/op")
	b.ReportMetric(float64(followUps.Milliseconds())/float64(b.N), "followups-ms/op")
	b.ReportMetric(float64(followUps)/float64(bare), "ratio")
}

// BenchmarkCycleHistory runs a cycle with a 10,000-activity plan on the real
// server up to execution (the worker running its 10,000 follow-ups) and
// reports the cycle workflow's history length: it must not grow with the plan.
func BenchmarkCycleHistory(b *testing.B) {
	ctx := context.Background()
	db := pgtest.MustDB(b)
	org, err := bench.LoadOrg(ctx, db, "bench", benchOwners)
	if err != nil {
		b.Fatal(err)
	}
	c := stacktest.Start(b, stacktest.Options{DB: db}).Temporal
	events := 0
	for i := range b.N {
		if events, _, err = bench.CycleHistory(ctx, db, c, org, time.Now().Year()+i, benchActivities); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(events), "cycle-history-events")
	b.ReportMetric(10240/float64(events), "headroom-x")
}

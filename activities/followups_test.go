package activities_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/internal/bench"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// degradedTemporal is a Temporal client whose starts and cancels answer as a
// degraded frontend does: fail(n) decides the n-th call's error (nil: it goes through).
type degradedTemporal struct {
	client.Client
	fail func(n int) error

	mu        sync.Mutex
	calls     int
	started   map[int64]int // activity id → successful starts
	cancelled map[int64]int
}

func newDegradedTemporal(fail func(n int) error) *degradedTemporal {
	return &degradedTemporal{fail: fail, started: map[int64]int{}, cancelled: map[int64]int{}}
}

func (d *degradedTemporal) call(workflowID string, done map[int64]int) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls++
	if err := d.fail(d.calls); err != nil {
		return err
	}
	id, err := strconv.ParseInt(workflowID[strings.LastIndexByte(workflowID, '/')+1:], 10, 64)
	if err != nil {
		return err
	}
	done[id]++
	return nil
}

func (d *degradedTemporal) ExecuteWorkflow(_ context.Context, opts client.StartWorkflowOptions, _ any, _ ...any) (client.WorkflowRun, error) {
	return nil, d.call(opts.ID, d.started)
}

func (d *degradedTemporal) CancelWorkflow(_ context.Context, workflowID, _ string) error {
	return d.call(workflowID, d.cancelled)
}

// mixedErrors fails calls from..to with the errors a degraded Temporal gives, alternating their types.
func mixedErrors(from, to int) func(n int) error {
	return func(n int) error {
		switch {
		case n < from || n > to:
			return nil
		case n%2 == 0:
			return serviceerror.NewUnavailable("frontend unavailable")
		default:
			return serviceerror.NewResourceExhausted(0, "rate limit exceeded")
		}
	}
}

// followUpPlan is a plan in execution: n activities, one in ten done.
type followUpPlan struct {
	db   *postgres.DB
	org  bench.Org
	plan ptacycle.Plan
	in   activities.FollowUpsInput
}

func mustFollowUpPlan(t *testing.T, n int) followUpPlan {
	t.Helper()
	ctx := context.Background()
	db := pgtest.MustDB(t)
	org, err := bench.LoadOrg(ctx, db, "suivi", 10)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := bench.LoadPlan(ctx, db, org, 2026, n, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE activities SET status = 'done', progress = 100 WHERE plan_id = $1 AND id % 10 = 0`, plan.ID); err != nil {
		t.Fatal(err)
	}
	return followUpPlan{db: db, org: org, plan: plan, in: activities.FollowUpsInput{OrganisationID: org.ID, OrganisationSlug: org.Slug,
		Year: plan.Year, PlanID: plan.ID, Policy: activities.DefaultReminderPolicy()}}
}

func (p followUpPlan) ids(t *testing.T, unfinished bool) []int64 {
	t.Helper()
	rows, err := p.db.Pool.Query(context.Background(), `SELECT id FROM activities WHERE plan_id = $1
		AND (NOT $2 OR status NOT IN ('done', 'cancelled')) ORDER BY id`, p.plan.ID, unfinished)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// activityEnv runs activities as a worker would, and keeps the last heartbeat.
type activityEnv struct {
	*testsuite.TestActivityEnvironment
	mu        sync.Mutex
	heartbeat converter.EncodedValues
}

func newActivityEnv(acts *activities.Activities) *activityEnv {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	e := &activityEnv{TestActivityEnvironment: suite.NewTestActivityEnvironment()}
	e.RegisterActivity(acts)
	e.SetOnActivityHeartbeatListener(func(_ *activity.Info, details converter.EncodedValues) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.heartbeat = details
	})
	return e
}

// resume makes the next run start from the last heartbeat, as a retry after a crash does.
func (e *activityEnv) resume(t *testing.T) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.heartbeat == nil {
		t.Fatal("no heartbeat to resume from")
	}
	var progress any // whatever the activity recorded, passed back as it is
	if err := e.heartbeat.Get(&progress); err != nil {
		t.Fatalf("heartbeat: %v", err)
	}
	e.SetHeartbeatDetails(progress)
}

func TestStartFollowUps(t *testing.T) {
	ctx := context.Background()
	t.Run("ErrMixedTemporalErrors", func(t *testing.T) {
		// Two errors of different types in one batch once crashed the whole
		// worker (a panic in a goroutine); they must come back as one retryable error.
		p := mustFollowUpPlan(t, 200)
		tc := newDegradedTemporal(mixedErrors(10, 11))
		acts := &activities.Activities{DB: p.db, Temporal: tc, Clock: time.Now}
		env := newActivityEnv(acts)
		_, err := env.ExecuteActivity(acts.StartFollowUps, p.in)
		if err == nil || (!strings.Contains(err.Error(), "frontend unavailable") && !strings.Contains(err.Error(), "rate limit exceeded")) {
			t.Fatalf("err = %v, want the frontend's error", err)
		}
		var app *temporal.ApplicationError
		if errors.As(err, &app) && app.NonRetryable() {
			t.Fatalf("err = %v is not retryable: the cycle would fail instead of trying again", err)
		}
	})

	t.Run("ResumeAfterCrashWithDueDatesMoved", func(t *testing.T) {
		// A run dies in its third batch; meanwhile coordinators move the due
		// dates of activities not reached yet before all others. The resumed
		// run must start every unfinished activity's follow-up, none twice.
		p := mustFollowUpPlan(t, 1600)
		unfinished := p.ids(t, true)
		failing := true
		tc := newDegradedTemporal(func(n int) error {
			if failing && n > 1000 {
				return serviceerror.NewUnavailable("frontend unavailable")
			}
			return nil
		})
		acts := &activities.Activities{DB: p.db, Temporal: tc, Clock: time.Now}
		env := newActivityEnv(acts)
		if _, err := env.ExecuteActivity(acts.StartFollowUps, p.in); err == nil {
			t.Fatal("the first run did not fail")
		}
		notReached := []int64{}
		for _, id := range unfinished {
			if tc.started[id] == 0 {
				notReached = append(notReached, id)
			}
		}
		if _, err := p.db.Pool.Exec(ctx, `UPDATE activities SET start_date = DATE '2026-01-02', due_date = DATE '2026-01-02' WHERE id = ANY($1)`, notReached); err != nil {
			t.Fatal(err)
		}
		failing = false
		env.resume(t)
		v, err := env.ExecuteActivity(acts.StartFollowUps, p.in)
		if err != nil {
			t.Fatal(err)
		}
		var running int
		if err := v.Get(&running); err != nil {
			t.Fatal(err)
		}
		var missing, twice []int64
		for _, id := range unfinished {
			switch tc.started[id] {
			case 0:
				missing = append(missing, id)
			case 1:
			default:
				twice = append(twice, id)
			}
		}
		if len(missing) > 0 || len(twice) > 0 || len(tc.started) != len(unfinished) {
			t.Fatalf("%d activities without follow-up, %d started twice, %d started for %d unfinished", len(missing), len(twice), len(tc.started), len(unfinished))
		}
		if running != len(unfinished) {
			t.Errorf("StartFollowUps says %d running, want %d", running, len(unfinished))
		}
	})
}

func TestStopFollowUps(t *testing.T) {
	ctx := context.Background()
	t.Run("ErrMixedTemporalErrors", func(t *testing.T) {
		p := mustFollowUpPlan(t, 200)
		tc := newDegradedTemporal(mixedErrors(10, 11))
		acts := &activities.Activities{DB: p.db, Temporal: tc, Clock: time.Now}
		env := newActivityEnv(acts)
		_, err := env.ExecuteActivity(acts.StopFollowUps, p.in)
		if err == nil || (!strings.Contains(err.Error(), "frontend unavailable") && !strings.Contains(err.Error(), "rate limit exceeded")) {
			t.Fatalf("err = %v, want the frontend's error", err)
		}
	})

	t.Run("ResumeAfterCrashWithDueDatesMoved", func(t *testing.T) {
		p := mustFollowUpPlan(t, 1600)
		all := p.ids(t, false)
		failing := true
		tc := newDegradedTemporal(func(n int) error {
			if failing && n > 1000 {
				return serviceerror.NewUnavailable("frontend unavailable")
			}
			return nil
		})
		acts := &activities.Activities{DB: p.db, Temporal: tc, Clock: time.Now}
		env := newActivityEnv(acts)
		if _, err := env.ExecuteActivity(acts.StopFollowUps, p.in); err == nil {
			t.Fatal("the first run did not fail")
		}
		// The activities already stopped move to the end of the year.
		var reached []int64
		for _, id := range all {
			if tc.cancelled[id] > 0 {
				reached = append(reached, id)
			}
		}
		if _, err := p.db.Pool.Exec(ctx, `UPDATE activities SET due_date = DATE '2026-12-30' WHERE id = ANY($1)`, reached); err != nil {
			t.Fatal(err)
		}
		failing = false
		env.resume(t)
		if _, err := env.ExecuteActivity(acts.StopFollowUps, p.in); err != nil {
			t.Fatal(err)
		}
		var counts []string
		for _, id := range all {
			if n := tc.cancelled[id]; n != 1 {
				counts = append(counts, fmt.Sprintf("%d×%d", id, n))
			}
		}
		sort.Strings(counts)
		if len(counts) > 0 {
			t.Fatalf("follow-ups not stopped exactly once (id×times): %v", counts[:min(len(counts), 10)])
		}
	})
}

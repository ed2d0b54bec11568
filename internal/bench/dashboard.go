package bench

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

//go:embed dashboard.sql
var dashboardQuery string

// dashboardRoute is the route the server's request histogram labels the dashboard with.
const dashboardRoute = "/api/v1/cycles/:year/dashboard"

// DashboardResult compares the dashboard API with its aggregate as one raw
// query, then loads it with concurrent readers.
type DashboardResult struct {
	Activities int
	Repeat     int
	Query      time.Duration // the raw query through pgx, rows scanned: median
	Overdue    time.Duration // the dashboard's other query, its first 50 overdue activities (postgres.DB.Activities): median
	Cold       time.Duration // GET right after a progress report (nothing cached): median round trip
	Warm       time.Duration // GET after GET: median round trip
	ColdServer time.Duration // the server's own time for the cold requests (mean, from its histogram)
	WarmServer time.Duration
	Bytes      int // the answer over the wire, gzip

	Readers    int
	LoadFor    time.Duration
	Requests   int
	Errors     int
	P50, P99   time.Duration
	Throughput float64       // requests per second
	LoadServer time.Duration // the server's own time per request under load (mean)
	CPU        CPUUse
}

// ColdRatio is the goal's ratio: the dashboard computed afresh next to the raw query.
func (r DashboardResult) ColdRatio() float64 { return float64(r.Cold) / float64(r.Query) }

// WarmRatio is the same for a dashboard read again at once.
func (r DashboardResult) WarmRatio() float64 { return float64(r.Warm) / float64(r.Query) }

// LittleLatency is the mean latency Little's law predicts for this many
// readers in a closed loop at the measured throughput.
func (r DashboardResult) LittleLatency() time.Duration {
	return time.Duration(float64(r.Readers) / r.Throughput * float64(time.Second))
}

// CapacityPerSecond is how many requests the machine's cores can serve at
// the CPU time each one took under load.
func (r DashboardResult) CapacityPerSecond() float64 {
	if r.CPU.PerRequest == 0 {
		return 0
	}
	return float64(r.CPU.Cores) / r.CPU.PerRequest.Seconds()
}

// PerCoreBudget is the CPU time a request may take for 200 readers to see a
// p99 under 50 ms on these cores — Little's law, reading the mean as an upper
// bound of what the p99 can be held to.
func (r DashboardResult) PerCoreBudget() time.Duration {
	return time.Duration(float64(r.CPU.Cores) * float64(50*time.Millisecond) / float64(r.Readers))
}

// fixture is the benchmark organisation with a plan in execution and everyone's API token.
type fixture struct {
	org    Org
	plan   ptacycle.Plan
	tokens map[int64]string // by user
	http   *http.Client
}

func (f fixture) as(u ptacycle.User, base string) apiClient {
	return apiClient{http: f.http, base: base, token: f.tokens[u.ID]}
}

// ownerActivities maps each owner to their activities in the plan, ordered by id.
func ownerActivities(ctx context.Context, db *postgres.DB, planID int64) (map[int64][]int64, error) {
	rows, err := db.Pool.Query(ctx, `SELECT owner_id, id FROM activities WHERE plan_id = $1 AND owner_id IS NOT NULL ORDER BY id`, planID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byOwner := map[int64][]int64{}
	for rows.Next() {
		var owner, id int64
		if err := rows.Scan(&owner, &id); err != nil {
			return nil, err
		}
		byOwner[owner] = append(byOwner[owner], id)
	}
	return byOwner, rows.Err()
}

// medianOf calls call repeat times and returns the median of the durations it reports.
func medianOf(repeat int, call func() (time.Duration, error)) (time.Duration, error) {
	samples := make([]time.Duration, 0, repeat)
	for range repeat {
		took, err := call()
		if err != nil {
			return 0, err
		}
		samples = append(samples, took)
	}
	return median(samples), nil
}

// timed runs do and says how long it took.
func timed(do func() error) (time.Duration, error) {
	start := time.Now()
	err := do()
	return time.Since(start), err
}

// rawDashboard runs the baseline: the aggregate as one query, every row scanned.
func rawDashboard(ctx context.Context, db *postgres.DB, f fixture) error {
	rows, err := db.Pool.Query(ctx, dashboardQuery, f.org.ID, f.plan.ID, ptacycle.DateOf(time.Now().UTC()), ptacycle.NationalRegion)
	if err != nil {
		return err
	}
	var kind, key string
	var planned, done, cancelled, points, overdue int64
	n, err := pgx.ForEachRow(rows, []any{&kind, &key, &planned, &done, &cancelled, &points, &overdue}, func() error { return nil })
	if err == nil && n.RowsAffected() == 0 {
		err = errors.New("the raw dashboard query found no activity")
	}
	return err
}

// runDashboard measures the dashboard of f's plan: alone, then under readers.
func runDashboard(ctx context.Context, s *Stack, f fixture, cfg Config) (DashboardResult, error) {
	r := DashboardResult{Activities: cfg.Activities, Repeat: cfg.Repeat, Readers: cfg.Readers, LoadFor: cfg.ReadFor}
	path := fmt.Sprintf("/cycles/%d/dashboard", f.plan.Year)
	coordinator := f.as(f.org.Coordinator, s.URL)
	getDashboard := func() (time.Duration, error) {
		status, took, err := coordinator.call(ctx, "GET", path, nil, nil)
		if err == nil && status != http.StatusOK {
			err = fmt.Errorf("GET %s: status %d", path, status)
		}
		return took, err
	}
	var err error
	if r.Query, err = medianOf(cfg.Repeat, func() (time.Duration, error) {
		return timed(func() error { return rawDashboard(ctx, s.DB, f) })
	}); err != nil {
		return r, err
	}
	if r.Overdue, err = medianOf(cfg.Repeat, func() (time.Duration, error) {
		return timed(func() error {
			_, err := s.DB.Activities(ctx, f.org.ID, postgres.ActivityFilter{PlanID: f.plan.ID, OverdueAsOf: ptacycle.DateOf(time.Now().UTC()), Limit: 50})
			return err
		})
	}); err != nil {
		return r, err
	}

	// After a change: an owner reports progress (whatever the server keeps must be forgotten), then the dashboard is asked for.
	owner := f.as(f.org.Owners[0], s.URL)
	mine, err := ownerActivities(ctx, s.DB, f.plan.ID)
	if err != nil {
		return r, err
	}
	var act ptacycle.Activity
	if status, _, err := owner.call(ctx, "GET", fmt.Sprintf("/activities/%d", mine[f.org.Owners[0].ID][0]), nil, &act); err != nil || status != http.StatusOK {
		return r, fmt.Errorf("GET activity: %d %v", status, err)
	}
	before := readServerTime(s.Metrics, "GET", dashboardRoute)
	if r.Cold, err = medianOf(cfg.Repeat, func() (time.Duration, error) {
		body := progressBody{Version: act.Version, Status: ptacycle.StatusInProgress, Progress: (act.Progress + 1) % 100}
		if status, _, err := owner.call(ctx, "POST", fmt.Sprintf("/activities/%d/progress", act.ID), body, &act); err != nil || status != http.StatusOK {
			return 0, fmt.Errorf("progress: %d %v", status, err)
		}
		return getDashboard()
	}); err != nil {
		return r, err
	}
	r.ColdServer = readServerTime(s.Metrics, "GET", dashboardRoute).meanSince(before)
	before = readServerTime(s.Metrics, "GET", dashboardRoute)
	if r.Warm, err = medianOf(cfg.Repeat, getDashboard); err != nil {
		return r, err
	}
	r.WarmServer = readServerTime(s.Metrics, "GET", dashboardRoute).meanSince(before)
	body, err := get(ctx, &http.Client{Transport: rawTransport()}, s.URL+"/api/v1"+path, "Bearer "+f.tokens[f.org.Coordinator.ID])
	if err != nil {
		return r, err
	}
	r.Bytes = len(body)

	// Readers: each one an owner with their own token, asking again as soon as answered.
	transport := newTransport(cfg.Readers)
	defer transport.CloseIdleConnections()
	readers := make([]apiClient, cfg.Readers)
	for i := range readers {
		readers[i] = f.as(f.org.Owners[i%len(f.org.Owners)], s.URL)
		readers[i].http = &http.Client{Transport: transport, Timeout: time.Minute}
	}
	before = readServerTime(s.Metrics, "GET", dashboardRoute)
	cpu := sampleCPU(s.pgDataDir())
	load := closedLoop(cfg.Readers, cfg.ReadFor, func(w int) (time.Duration, bool) {
		status, took, err := readers[w].call(ctx, "GET", path, nil, nil)
		return took, err == nil && status == http.StatusOK
	})
	r.CPU = cpuBetween(cpu, sampleCPU(s.pgDataDir()), load.OK+load.Failed)
	r.LoadServer = readServerTime(s.Metrics, "GET", dashboardRoute).meanSince(before)
	r.Requests, r.Errors = load.OK, load.Failed
	r.P50, r.P99 = percentile(load.Latencies, 50), percentile(load.Latencies, 99)
	r.Throughput = load.Throughput()
	return r, nil
}

// progressBody is POST /activities/{id}/progress's body.
type progressBody struct {
	Version  int                     `json:"version"`
	Status   ptacycle.ActivityStatus `json:"status"`
	Progress int                     `json:"progress"`
}

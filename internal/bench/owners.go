package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/workflows"
)

// progressRoute is the route the server's request histogram labels progress reports with.
const progressRoute = "/api/v1/activities/:id/progress"

// OwnersResult is owners reporting progress concurrently through the API,
// next to the same writes made directly with pgx, and the check that no
// accepted report was lost.
type OwnersResult struct {
	Owners     int
	Activities int // the owners' activities, all updated in turn
	Duration   time.Duration
	Writes
	Server time.Duration // the server's own time per report (mean)

	Baseline Writes // the same transaction through pgx plus one bare signal, as many goroutines, as long

	// The check, activity by activity, of the reports the API accepted.
	Checked int // activities compared with the client's tally
	Lost    int // accepted reports missing from activity_updates or the audit log
	Stale   int // activities whose final version or progress is not the last accepted one
	Unknown int // rows the client got no answer for (its call failed after the commit)
}

// Writes is what one closed-loop run of writers measured.
type Writes struct {
	Accepted   int
	Conflicts  int // refused as stale (409): the writer reads again
	Errors     int
	Throughput float64 // accepted writes per second
	P50, P99   time.Duration
}

// Ratio is what a report through the API costs next to the raw transaction, by throughput.
func (r OwnersResult) Ratio() float64 { return r.Baseline.Throughput / r.Throughput }

// known is the activity as its writer last saw it.
type known struct {
	read     bool
	version  int
	progress int
	status   ptacycle.ActivityStatus
}

// tally is what the writer knows was accepted.
type tally struct {
	accepted int
	last     known
}

// writer is one owner's loop state: their activities, taken in turn.
type writer struct {
	activities []int64
	next       int
	seen       map[int64]known
	tallies    map[int64]*tally
	conflicts  int
	errors     int
}

func newWriters(owners []ptacycle.User, byOwner map[int64][]int64) ([]*writer, error) {
	writers := make([]*writer, len(owners))
	for i, o := range owners {
		if len(byOwner[o.ID]) == 0 {
			return nil, fmt.Errorf("owner %s has no activity", o.Email)
		}
		writers[i] = &writer{activities: byOwner[o.ID], seen: map[int64]known{}, tallies: map[int64]*tally{}}
	}
	return writers, nil
}

func (w *writer) pick() int64 {
	id := w.activities[w.next%len(w.activities)]
	w.next++
	return id
}

// runOwners has every owner of f report progress on their activities for
// cfg.OwnersFor, then checks the database against what was accepted, then
// runs the raw baseline on the same activities.
func runOwners(ctx context.Context, s *Stack, f fixture, cfg Config) (OwnersResult, error) {
	r := OwnersResult{Owners: len(f.org.Owners), Duration: cfg.OwnersFor}
	byOwner, err := ownerActivities(ctx, s.DB, f.plan.ID)
	if err != nil {
		return r, err
	}
	writers, err := newWriters(f.org.Owners, byOwner)
	if err != nil {
		return r, err
	}
	var ids []int64
	for _, w := range writers {
		ids = append(ids, w.activities...)
	}
	r.Activities = len(ids)
	before, err := snapshot(ctx, s.DB, f.org.ID, ids)
	if err != nil {
		return r, err
	}
	// Each activity's follow-up is running, as during execution, so that the
	// API's signal and the baseline's reach a running workflow: a stand-in
	// under the follow-up's id, on a task queue no worker polls.
	if err := eachBare(len(ids), func(i int) error {
		_, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: ptacycle.FollowUpWorkflowID(f.org.Slug, f.plan.Year, ids[i]),
			TaskQueue: "bench-bare"}, noop)
		return err
	}); err != nil {
		return r, fmt.Errorf("the follow-ups' stand-ins: %w", err)
	}
	defer func() {
		_ = eachBare(len(ids), func(i int) error {
			return s.Temporal.TerminateWorkflow(context.WithoutCancel(ctx), ptacycle.FollowUpWorkflowID(f.org.Slug, f.plan.Year, ids[i]), "", "bench done")
		})
	}()

	transport := newTransport(len(writers))
	clients := make([]apiClient, len(writers))
	for i, o := range f.org.Owners {
		clients[i] = f.as(o, s.URL)
		clients[i].http = &http.Client{Transport: transport, Timeout: time.Minute}
	}
	// No context deadline on the calls: one cancelled mid-flight would leave its outcome unknown.
	server := readServerTime(s.Metrics, "POST", progressRoute)
	load := closedLoop(len(writers), cfg.OwnersFor, func(i int) (time.Duration, bool) { return writers[i].report(ctx, clients[i]) })
	transport.CloseIdleConnections()
	r.Server = readServerTime(s.Metrics, "POST", progressRoute).meanSince(server)
	r.Writes = writesOf(load, writers)

	after, err := snapshot(ctx, s.DB, f.org.ID, ids)
	if err != nil {
		return r, err
	}
	r.check(writers, before, after)
	r.Baseline, err = rawWrites(ctx, s.DB, s.Temporal, f.org, f.plan.Year, byOwner, cfg.OwnersFor)
	return r, err
}

// report reads one of the writer's activities if it must, then reports
// progress on it through the API; it returns the report's round trip and
// whether it was accepted.
func (w *writer) report(ctx context.Context, c apiClient) (time.Duration, bool) {
	id := w.pick()
	k := w.seen[id]
	if !k.read {
		var a ptacycle.Activity
		if status, _, err := c.call(ctx, "GET", fmt.Sprintf("/activities/%d", id), nil, &a); err != nil || status != http.StatusOK {
			w.errors++
			return 0, false
		}
		k = known{read: true, version: a.Version, progress: a.Progress, status: a.Status}
	}
	var a ptacycle.Activity
	status, took, err := c.call(ctx, "POST", fmt.Sprintf("/activities/%d/progress", id),
		progressBody{Version: k.version, Status: ptacycle.StatusInProgress, Progress: (k.progress + 1) % 100}, &a)
	switch {
	case err == nil && status == http.StatusOK:
		k = known{read: true, version: a.Version, progress: a.Progress, status: a.Status}
		w.seen[id] = k
		t := w.tallies[id]
		if t == nil {
			t = &tally{}
			w.tallies[id] = t
		}
		t.accepted++
		t.last = k
		return took, true
	case err == nil && status == http.StatusConflict:
		w.conflicts++
	default:
		w.errors++
	}
	delete(w.seen, id) // read it again before the next report
	return took, false
}

// check compares each writer's tally with what the database holds after the run.
func (r *OwnersResult) check(writers []*writer, before, after map[int64]stored) {
	for _, w := range writers {
		for _, id := range w.activities {
			b, a := before[id], after[id]
			t := w.tallies[id]
			if t == nil {
				t = &tally{last: known{version: b.version, progress: b.progress}}
			}
			r.Checked++
			r.Lost += max(t.accepted-(a.updates-b.updates), 0) + max(t.accepted-(a.audits-b.audits), 0)
			r.Unknown += max((a.updates-b.updates)-t.accepted, 0)
			if a.version != b.version+t.accepted || a.version != t.last.version || a.progress != t.last.progress {
				r.Stale++
			}
		}
	}
}

func writesOf(load loadResult, writers []*writer) Writes {
	wr := Writes{Accepted: load.OK, Throughput: load.Throughput(),
		P50: percentile(load.Latencies, 50), P99: percentile(load.Latencies, 99)}
	for _, w := range writers {
		wr.Conflicts += w.conflicts
		wr.Errors += w.errors
	}
	return wr
}

// stored is an activity as the database holds it, with its history counted.
type stored struct {
	version, progress int
	updates, audits   int
}

// snapshot reads the activities with how many progress updates and audit entries each has.
func snapshot(ctx context.Context, db *postgres.DB, org int64, ids []int64) (map[int64]stored, error) {
	out := map[int64]stored{}
	rows, err := db.Pool.Query(ctx, `
		SELECT a.id, a.version, a.progress, count(u.id)
		FROM activities a LEFT JOIN activity_updates u ON u.activity_id = a.id
		WHERE a.id = ANY($1) GROUP BY a.id`, ids)
	if err != nil {
		return nil, err
	}
	var id int64
	var s stored
	if _, err := pgx.ForEachRow(rows, []any{&id, &s.version, &s.progress, &s.updates}, func() error {
		out[id] = s
		return nil
	}); err != nil {
		return nil, err
	}
	// The audit log has no index by entity: one pass over the organisation's entries.
	rows, err = db.Pool.Query(ctx, `
		SELECT entity_id, count(*) FROM audit_log
		WHERE organisation_id = $1 AND entity = 'activity' AND action = 'progress' GROUP BY entity_id`, org)
	if err != nil {
		return nil, err
	}
	var entity string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&entity, &n}, func() error {
		id, err := strconv.ParseInt(entity, 10, 64)
		if s, ok := out[id]; ok && err == nil {
			s.audits = n
			out[id] = s
		}
		return nil
	})
	return out, err
}

// rawWrites is the baseline: each owner's goroutine makes the write the API
// makes — the version-checked UPDATE of the activity, its history row, its
// audit entry, in one transaction — straight through the same pgx pool,
// then one bare signal to the activity's (stand-in) follow-up.
func rawWrites(ctx context.Context, db *postgres.DB, tc client.Client, org Org, year int, byOwner map[int64][]int64, d time.Duration) (Writes, error) {
	writers, err := newWriters(org.Owners, byOwner)
	if err != nil {
		return Writes{}, err
	}
	load := closedLoop(len(writers), d, func(i int) (time.Duration, bool) {
		w, owner := writers[i], org.Owners[i]
		id := w.pick()
		k := w.seen[id]
		if !k.read {
			if err := db.Pool.QueryRow(ctx, `SELECT version, progress, status FROM activities WHERE id = $1`, id).
				Scan(&k.version, &k.progress, &k.status); err != nil {
				w.errors++
				return 0, false
			}
			k.read = true
		}
		start := time.Now()
		next, err := rawWrite(ctx, db, owner, id, k)
		if err == nil {
			err = tc.SignalWorkflow(ctx, ptacycle.FollowUpWorkflowID(org.Slug, year, id), "", workflows.SignalActivityChanged, nil)
		}
		took := time.Since(start)
		switch {
		case err == nil:
			w.seen[id] = next
			return took, true
		case errors.Is(err, errStale):
			w.conflicts++
		default:
			w.errors++
		}
		delete(w.seen, id)
		return took, false
	})
	return writesOf(load, writers), nil
}

var errStale = errors.New("stale version")

func rawWrite(ctx context.Context, db *postgres.DB, owner ptacycle.User, id int64, k known) (known, error) {
	next := known{read: true, progress: (k.progress + 1) % 100, status: ptacycle.StatusInProgress}
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return k, err
	}
	defer tx.Rollback(ctx)
	err = tx.QueryRow(ctx, `UPDATE activities SET status = $2, progress = $3, version = version + 1, updated_at = now()
		WHERE id = $1 AND version = $4 RETURNING version`, id, next.status, next.progress, k.version).Scan(&next.version)
	if errors.Is(err, pgx.ErrNoRows) {
		return k, errStale
	}
	if err != nil {
		return k, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO activity_updates (activity_id, user_id, status_before, status_after, progress_before, progress_after)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, owner.ID, k.status, next.status, k.progress, next.progress); err != nil {
		return k, err
	}
	before, _ := json.Marshal(map[string]any{"status": k.status, "progress": k.progress})
	after, _ := json.Marshal(map[string]any{"status": next.status, "progress": next.progress})
	if _, err := tx.Exec(ctx, `INSERT INTO audit_log (organisation_id, actor_id, actor_label, action, entity, entity_id, before, after)
		VALUES ($1, $2, $3, 'progress', 'activity', $4, $5, $6)`, owner.OrganisationID, owner.ID, owner.FullName, fmt.Sprint(id), before, after); err != nil {
		return k, err
	}
	return next, tx.Commit(ctx)
}

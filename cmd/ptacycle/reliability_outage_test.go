package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/internal/pgcluster"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/workflows"
)

// apiSession is a signed-in client of the JSON API.
type apiSession struct {
	base string
	c    *http.Client
}

// apiAnswer is an API response: its status, its body and, for an error, its code and message.
type apiAnswer struct {
	Status  int
	Body    string
	Code    string
	Message string
}

func mustSignIn(f failer, appURL, email string) *apiSession {
	f.Helper()
	jar, _ := cookiejar.New(nil)
	a := &apiSession{base: appURL + "/api/v1", c: &http.Client{Jar: jar, Timeout: time.Minute}}
	if ans, err := a.call("POST", "/session", map[string]string{"email": email, "password": demo.Password}, nil); err != nil || ans.Status != http.StatusOK {
		f.Fatalf("sign in as %s: %+v %v", email, ans, err)
	}
	return a
}

// call sends body as JSON and decodes a 2xx answer into out, when given.
func (a *apiSession) call(method, path string, body, out any) (apiAnswer, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return apiAnswer{}, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, r)
	if err != nil {
		return apiAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.c.Do(req)
	if err != nil {
		return apiAnswer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ans := apiAnswer{Status: resp.StatusCode, Body: string(b)}
	if err != nil {
		return ans, err
	}
	if resp.StatusCode >= 300 {
		var e struct{ Code, Message string }
		_ = json.Unmarshal(b, &e)
		ans.Code, ans.Message = e.Code, e.Message
		return ans, nil
	}
	if out != nil {
		err = json.Unmarshal(b, out)
	}
	return ans, err
}

// mustCall is call for a step that must succeed.
func (a *apiSession) mustCall(f failer, method, path string, body, out any) {
	f.Helper()
	ans, err := a.call(method, path, body, out)
	if err != nil || ans.Status >= 300 {
		f.Fatalf("%s %s: %d %s %v", method, path, ans.Status, ans.Body, err)
	}
}

// cycleAnswer is the API's view of a cycle: its row and the workflow's status.
type cycleAnswer struct {
	Cycle       ptacycle.Cycle         `json:"cycle"`
	Status      *workflows.CycleStatus `json:"status"`
	StatusError string                 `json:"statusError"`
}

func (a *apiSession) cycle(f failer, year int) cycleAnswer {
	f.Helper()
	var c cycleAnswer
	a.mustCall(f, "GET", fmt.Sprintf("/cycles/%d", year), nil, &c)
	return c
}

var temporalLine = regexp.MustCompile(`Temporal    : (\S+) \(namespace`)

// temporalOf dials the Temporal server of a running `ptacycle dev`.
func temporalOf(t *testing.T, dev *devProcess) client.Client {
	t.Helper()
	m := temporalLine.FindStringSubmatch(dev.output.String())
	if m == nil {
		t.Fatalf("no Temporal address in dev's output:\n%s", dev.output)
	}
	c, err := client.Dial(client.Options{HostPort: m[1], Logger: quietSDKLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// pendingTimers are the timers a workflow's latest run has started and neither
// fired nor cancelled, by id, with the instant each is due to fire.
func pendingTimers(t *testing.T, tc client.Client, workflowID string) map[string]time.Time {
	t.Helper()
	pending := map[string]time.Time{}
	it := tc.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", workflowID, err)
		}
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_TIMER_STARTED:
			a := e.GetTimerStartedEventAttributes()
			pending[a.GetTimerId()] = e.GetEventTime().AsTime().Add(a.GetStartToFireTimeout().AsDuration())
		case enumspb.EVENT_TYPE_TIMER_FIRED:
			delete(pending, e.GetTimerFiredEventAttributes().GetTimerId())
		case enumspb.EVENT_TYPE_TIMER_CANCELED:
			delete(pending, e.GetTimerCanceledEventAttributes().GetTimerId())
		}
	}
	return pending
}

// processCounts counts what a restart must not write twice: the cycles'
// reminders, the plan versions, the decisions, the audit log.
func processCounts(t *testing.T, dbURL string) map[string]int {
	t.Helper()
	db, err := postgres.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts := map[string]int{}
	for name, sql := range map[string]string{
		"cycle reminders":   `SELECT count(*) FROM reminders WHERE key LIKE 'cycle/%'`,
		"execution notices": `SELECT count(*) FROM reminders WHERE kind = 'execution_open'`,
		"plan versions":     `SELECT count(*) FROM plan_versions`,
		"decisions":         `SELECT count(*) FROM decisions`,
		"audit entries":     `SELECT count(*) FROM audit_log`,
		"cycles":            `SELECT count(*) FROM cycles`,
	} {
		counts[name] = count(t, db, sql)
	}
	return counts
}

// TestDevKilledMidExecution kills `ptacycle dev` and its PostgreSQL with
// SIGKILL while years are in execution — the demo's 2024, and the current
// year launched through the API with a follow-up workflow for its activity —
// starts it again on the same folder (PostgreSQL then finds a stale
// postmaster.pid), and checks that every cycle answers where it was, that
// the cycle and the follow-up still wait on the very timers they waited on,
// that nothing was written twice, that the follow-up still reacts to a
// progress report and that an update still goes through.
func TestDevKilledMidExecution(t *testing.T) {
	reliabilityTest(t)
	dir, err := os.MkdirTemp("", "ptacycle-dev-kill-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // the private PostgreSQL runs as the postgres user
		t.Fatal(err)
	}
	t.Cleanup(func() { // stops a PostgreSQL a failed test leaves behind
		_ = pgcluster.Remove(context.Background(), filepath.Join(dir, "postgres"))
		os.RemoveAll(dir)
	})

	dev := mustStartDev(t, dir)
	year := time.Now().Year()
	coord := mustSignIn(t, dev.appURL, "coordonnateur@cnltp.demo")
	var owner ptacycle.User
	mustSignIn(t, dev.appURL, "responsable.tonkpi@cnltp.demo").mustCall(t, "GET", "/me", nil, &owner)
	overdue := ptacycle.DateOf(time.Now().AddDate(0, 0, -10))
	coord.mustCall(t, "POST", "/cycles", map[string]any{"year": year,
		"deadlines": ptacycle.Deadlines{Bilan: overdue, Recommendations: overdue, Submission: overdue}}, nil)
	waitFor(t, time.Minute, "the new cycle to open", func() (bool, string) {
		c := coord.cycle(t, year)
		return c.Status != nil && c.Status.Opened, fmt.Sprintf("%+v", c)
	})
	coord.mustCall(t, "POST", fmt.Sprintf("/cycles/%d/bilan/close", year), nil, nil)
	coord.mustCall(t, "POST", fmt.Sprintf("/cycles/%d/recommendations/adopt", year), map[string]any{"recommendationIds": []int64{}}, nil)
	var action ptacycle.Action
	coord.mustCall(t, "POST", fmt.Sprintf("/cycles/%d/plan/actions", year), map[string]any{"code": "9.1", "title": "Suivre les cas signalés"}, &action)
	var activity ptacycle.Activity
	coord.mustCall(t, "POST", fmt.Sprintf("/cycles/%d/plan/activities", year), map[string]any{"actionId": action.ID, "code": "9.1.1",
		"title": "Tenir la base des cas signalés (illustrative)", "illustrative": true, "responsibleUnitId": owner.UnitID, "ownerId": owner.ID,
		"startDate": ptacycle.NewDate(year, time.January, 1), "dueDate": ptacycle.NewDate(year, time.December, 31)}, &activity)
	coord.mustCall(t, "POST", fmt.Sprintf("/cycles/%d/plan/submit", year), nil, nil)
	mustSignIn(t, dev.appURL, "valideur@cnltp.demo").mustCall(t, "POST", fmt.Sprintf("/cycles/%d/decisions", year),
		map[string]any{"level": 1, "version": 1, "outcome": ptacycle.OutcomeApproved}, nil)
	waitFor(t, time.Minute, "the follow-up to start", func() (bool, string) {
		c := coord.cycle(t, year)
		return c.Status != nil && c.Status.FollowUps == 1, fmt.Sprintf("%+v", c)
	})
	// The follow-up started, the owner is told of the approved plan right after: wait for that too.
	waitFor(t, time.Minute, "the owner's notice of execution", func() (bool, string) {
		n := processCounts(t, dev.dbURL)["execution notices"]
		return n > 0, fmt.Sprintf("%d notices", n)
	})
	before := processCounts(t, dev.dbURL)
	// The timers the year waits on: the cycle's year end, the follow-up's next reminder.
	waiting := map[string]string{"cycle": ptacycle.CycleWorkflowID(demo.Slug, year), "follow-up": ptacycle.FollowUpWorkflowID(demo.Slug, year, activity.ID)}
	tc := temporalOf(t, dev)
	timersBefore := map[string]map[string]time.Time{}
	for name, id := range waiting {
		waitFor(t, time.Minute, "the "+name+" to wait on a timer", func() (bool, string) {
			timersBefore[name] = pendingTimers(t, tc, id)
			return len(timersBefore[name]) > 0, id + " waits on no timer"
		})
	}

	// The kill: dev, then its PostgreSQL (which pg_ctl detached into a session of its own), as a power cut would.
	pidFile := filepath.Join(dir, "postgres", "data", "postmaster.pid")
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	postmaster, err := strconv.Atoi(strings.SplitN(string(b), "\n", 2)[0])
	if err != nil {
		t.Fatalf("postmaster.pid: %v", err)
	}
	if err := dev.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = dev.cmd.Wait()
	if err := syscall.Kill(postmaster, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "PostgreSQL to die", func() (bool, string) {
		return syscall.Kill(postmaster, 0) != nil, "postmaster still alive"
	})
	if _, err := os.Stat(pidFile); err != nil {
		t.Fatalf("no stale postmaster.pid after the kill (%v): the restart would not be tested against one", err)
	}

	again := mustStartDev(t, dir)
	if after := processCounts(t, again.dbURL); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("the restart wrote again: before the kill %v, after the restart %v", before, after)
	}
	tc = temporalOf(t, again)
	for name, id := range waiting {
		if after := pendingTimers(t, tc, id); !maps.Equal(after, timersBefore[name]) {
			t.Errorf("the %s's pending timers: before the kill %v, after the restart %v", name, timersBefore[name], after)
		}
	}
	coord = mustSignIn(t, again.appURL, "coordonnateur@cnltp.demo")
	if c := coord.cycle(t, 2023); c.Cycle.Stage != ptacycle.StageClosed {
		t.Errorf("2023 after the restart: %+v", c.Cycle)
	}
	// Each cycle answers again once a worker has replayed it (the first query
	// after a restart may outlast the server's 5 s while the worker catches up).
	waitFor(t, time.Minute, "the 2024 cycle to answer in execution", func() (bool, string) {
		c := coord.cycle(t, 2024)
		return c.Status != nil && c.Status.Stage == ptacycle.StageExecution, fmt.Sprintf("%+v", c)
	})
	waitFor(t, time.Minute, fmt.Sprintf("the %d cycle to answer in execution with its follow-up", year), func() (bool, string) {
		c := coord.cycle(t, year)
		return c.Status != nil && c.Status.Stage == ptacycle.StageExecution && c.Status.FollowUps == 1, fmt.Sprintf("%+v", c)
	})

	t.Run("FollowUpStillReacts", func(t *testing.T) {
		followUp := ptacycle.FollowUpWorkflowID(demo.Slug, year, activity.ID)
		mustSignIn(t, again.appURL, "responsable.tonkpi@cnltp.demo").mustCall(t, "POST", fmt.Sprintf("/activities/%d/progress", activity.ID),
			map[string]any{"version": activity.Version, "status": ptacycle.StatusDone, "progress": 100, "comment": "Base à jour"}, nil)
		waitFor(t, time.Minute, "the follow-up to end once its activity is done", func() (bool, string) {
			d, err := tc.DescribeWorkflowExecution(context.Background(), followUp, "")
			if err != nil {
				return false, err.Error()
			}
			st := d.GetWorkflowExecutionInfo().GetStatus()
			return st == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, st.String()
		})
	})
	t.Run("UpdateStillWorks", func(t *testing.T) {
		var st workflows.CycleStatus
		coord.mustCall(t, "POST", fmt.Sprintf("/cycles/%d/close", year), nil, &st)
		if st.Stage != ptacycle.StageClosed {
			t.Fatalf("closing after the restart answered %+v", st)
		}
		waitFor(t, time.Minute, "the next year's cycle to open", func() (bool, string) {
			ans, err := coord.call("GET", fmt.Sprintf("/cycles/%d", year+1), nil, nil)
			return err == nil && ans.Status == http.StatusOK, fmt.Sprintf("%+v %v", ans, err)
		})
	})
	again.stop(t)
}

// TestPostgresStoppedUnderLoad stops PostgreSQL for 20 s while owners report
// progress and others read through the `ptacycle server` binary, with a
// `ptacycle worker` running. During the outage the API answers 503 with code
// unavailable and a French message, /readyz fails, nothing answers 500; a
// plan revision and a follow-up's signal sent meanwhile retry their
// activities and complete once PostgreSQL is back; every accepted progress
// report is in the database once, with its audit entry.
func TestPostgresStoppedUnderLoad(t *testing.T) {
	reliabilityTest(t)
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ptacycle-pg-outage-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = pgcluster.Remove(context.Background(), filepath.Join(dir, "postgres"))
		os.RemoveAll(dir)
	})
	pgDir := filepath.Join(dir, "postgres")
	cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: pgDir})
	if err != nil {
		t.Fatal(err)
	}
	if err := ensureDatabase(ctx, cluster.URL("postgres"), "ptacycle"); err != nil {
		t.Fatal(err)
	}
	db, err := postgres.Open(ctx, cluster.URL("ptacycle"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s := newStack(t, cluster.URL("ptacycle"), "")
	s.start(t)
	s.toExecution()
	server := startServer(t, s)
	owner := mustSignIn(t, server, "responsable.tonkpi@cnltp.demo")
	reader := mustSignIn(t, server, "partenaire@cnltp.demo")
	plan, err := s.db.Plan(ctx, s.org.ID, s.year)
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.db.Activities(ctx, s.org.ID, postgres.ActivityFilter{PlanID: plan.ID})
	if err != nil || len(list) != 2 {
		t.Fatalf("activities %v %v", list, err)
	}
	reported, signalled := list[0], list[1]

	load := startLoad(server, owner, reader, s.year, reported.ID)
	began := time.Now()
	waitFor(t, 30*time.Second, "ten requests answered before the outage", func() (bool, string) {
		n := load.count(func(r loadResult) bool {
			return r.err == nil && r.status >= 200 && r.status < 300 && r.start.After(began)
		})
		return n >= 10, fmt.Sprintf("%d answered", n)
	})
	// The second activity is done, but its follow-up will hear of it only during the outage.
	if _, err := s.db.ReportProgress(ctx, ptacycle.UserActor(s.owner), postgres.Progress{ActivityID: signalled.ID, Version: signalled.Version,
		Status: ptacycle.StatusDone, Comment: "Fait avant la panne"}); err != nil {
		t.Fatal(err)
	}

	if err := cluster.Stop(); err != nil {
		t.Fatal(err)
	}
	load.mark("stopped")
	followUp := ptacycle.FollowUpWorkflowID(demo.Slug, s.year, signalled.ID)
	if err := s.tc.SignalWorkflow(ctx, followUp, "", workflows.SignalActivityChanged, nil); err != nil {
		t.Fatal(err)
	}
	revised := make(chan error, 1)
	go func() {
		uctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		_, err := workflows.UpdateCycle(uctx, s.tc, demo.Slug, s.year, "revise-during-outage", workflows.UpdateRevisePlan,
			workflows.RevisePlanRequest{UserID: s.coord.ID})
		revised <- err
	}()
	// Down until the load has met the outage enough to judge it (see check).
	waitFor(t, 2*time.Minute, "twenty requests and ten /readyz during the outage", func() (bool, string) {
		stopped := load.at("stopped")
		during := func(readyz bool) func(loadResult) bool {
			return func(r loadResult) bool { return r.start.After(stopped) && (r.what == "GET /readyz") == readyz }
		}
		down, ready := load.count(during(false)), load.count(during(true))
		return down >= 20 && ready >= 10, fmt.Sprintf("%d requests, %d /readyz", down, ready)
	})
	load.mark("restarting")
	// Started again on its folder and port; the test's cleanup stops it.
	if _, err := pgcluster.Start(ctx, pgcluster.Options{Dir: pgDir, Port: cluster.Port()}); err != nil {
		t.Fatal(err)
	}
	load.mark("restarted")

	select {
	case err := <-revised:
		if err != nil {
			t.Errorf("the revision sent during the outage: %v", err)
		}
	case <-time.After(90 * time.Second):
		t.Error("the revision sent during the outage has not completed 90 s after PostgreSQL came back")
	}
	waitFor(t, 90*time.Second, "the follow-up signalled during the outage to end", func() (bool, string) {
		d, err := s.tc.DescribeWorkflowExecution(ctx, followUp, "")
		if err != nil {
			return false, err.Error()
		}
		st := d.GetWorkflowExecutionInfo().GetStatus()
		return st == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, st.String()
	})
	waitFor(t, time.Minute, "twenty requests after PostgreSQL came back", func() (bool, string) {
		after := load.at("restarted").Add(5 * time.Second)
		n := load.count(func(r loadResult) bool { return r.start.After(after) })
		return n >= 20, fmt.Sprintf("%d requests", n)
	})
	results := load.stop()
	load.check(t)

	t.Run("NothingLostNorDuplicated", func(t *testing.T) {
		accepted := 0
		for _, r := range results {
			if r.comment == "" {
				continue
			}
			rows := count(t, s.db, `SELECT count(*) FROM activity_updates WHERE comment = $1`, r.comment)
			audits := count(t, s.db, `SELECT count(*) FROM audit_log WHERE entity = 'activity' AND action = 'progress' AND after->>'comment' = $1`, r.comment)
			switch {
			case r.status == http.StatusOK:
				accepted++
				if rows != 1 || audits != 1 {
					t.Errorf("accepted report %q: %d row(s), %d audit entrie(s)", r.comment, rows, audits)
				}
			case rows > 1 || audits > 1 || rows != audits:
				t.Errorf("refused report %q (%d): %d row(s), %d audit entrie(s)", r.comment, r.status, rows, audits)
			}
		}
		if accepted < 10 {
			t.Errorf("only %d progress reports accepted", accepted)
		}
		if n := count(t, s.db, `SELECT count(*) FROM audit_log WHERE entity = 'plan' AND action = 'revise'`); n != 1 {
			t.Errorf("%d revision(s) in the audit log, want 1", n)
		}
		if st, err := s.status(s.year); err != nil || !st.Revising {
			t.Errorf("after the revision: %+v %v", st, err)
		}
	})
}

// startServer runs `ptacycle server` against the stack and returns its URL.
func startServer(t *testing.T, s *stack) string {
	t.Helper()
	p, err := startChild([]string{"DATABASE_URL=" + s.dbURL, "TEMPORAL_ADDRESS=" + s.temporal.Address(), "TEMPORAL_NAMESPACE=default",
		"LISTEN_ADDR=127.0.0.1:0", "LOG_LEVEL=info", "LOG_FORMAT=text"}, "server")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.kill)
	ready := regexp.MustCompile(`server ready" addr=(\S+)`)
	var addr string
	waitFor(t, 30*time.Second, "the server to be ready", func() (bool, string) {
		if m := ready.FindStringSubmatch(p.output.String()); m != nil {
			addr = m[1]
			return true, ""
		}
		return p.done(), p.output.String()
	})
	if addr == "" {
		t.Fatalf("the server exited:\n%s", p.output)
	}
	return "http://" + addr
}

// loadResult is one request of the load.
type loadResult struct {
	what          string
	start, end    time.Time
	status        int
	code, message string
	comment       string // a progress report's, to find it in the database
	err           error
}

// load is a few users reading and reporting progress while the test breaks things.
type load struct {
	stopped chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	results []loadResult
	marks   map[string]time.Time
}

func startLoad(server string, owner, reader *apiSession, year int, activityID int64) *load {
	l := &load{stopped: make(chan struct{}), marks: map[string]time.Time{}}
	record := func(r loadResult) {
		l.mu.Lock()
		l.results = append(l.results, r)
		l.mu.Unlock()
	}
	every := func(pause time.Duration, do func(n int)) {
		l.wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-l.stopped:
					return
				case <-time.After(pause):
				}
				do(n)
			}
		})
	}
	apiRequest := func(a *apiSession, what, method, path string, body, out any, comment string) loadResult {
		r := loadResult{what: what, start: time.Now(), comment: comment}
		ans, err := a.call(method, path, body, out)
		r.end, r.status, r.code, r.message, r.err = time.Now(), ans.Status, ans.Code, ans.Message, err
		return r
	}
	reads := []string{fmt.Sprintf("/cycles/%d/plan", year), fmt.Sprintf("/activities?year=%d", year), fmt.Sprintf("/cycles/%d/dashboard", year),
		fmt.Sprintf("/cycles/%d/bilan", year), fmt.Sprintf("/cycles/%d", year)}
	every(50*time.Millisecond, func(n int) {
		path := reads[n%len(reads)]
		record(apiRequest(reader, "GET "+path, "GET", path, nil, nil, ""))
	})
	version := 0 // the last version the owner read: the report is sent even when the read failed
	every(100*time.Millisecond, func(n int) {
		var a ptacycle.Activity
		r := apiRequest(owner, "GET activity", "GET", fmt.Sprintf("/activities/%d", activityID), nil, &a, "")
		record(r)
		if r.status == http.StatusOK {
			version = a.Version
		}
		comment := fmt.Sprintf("Avancement %d (charge)", n)
		record(apiRequest(owner, "POST progress", "POST", fmt.Sprintf("/activities/%d/progress", activityID),
			map[string]any{"version": version, "status": ptacycle.StatusInProgress, "progress": n % 100, "comment": comment}, nil, comment))
	})
	every(300*time.Millisecond, func(int) {
		r := loadResult{what: "GET /readyz", start: time.Now()}
		resp, err := http.Get(server + "/readyz")
		if err == nil {
			r.status = resp.StatusCode
			resp.Body.Close()
		}
		r.end, r.err = time.Now(), err
		record(r)
	})
	return l
}

// mark notes when a phase of the test began.
func (l *load) mark(phase string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.marks[phase] = time.Now()
}

// at is when phase was marked.
func (l *load) at(phase string) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.marks[phase]
}

// count counts the results so far that match.
func (l *load) count(match func(loadResult) bool) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.results {
		if match(r) {
			n++
		}
	}
	return n
}

func (l *load) stop() []loadResult {
	close(l.stopped)
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.results
}

// check holds the load to the rules: never a 500 nor a transport error; while
// PostgreSQL is down, 503 unavailable with a French message and a failing
// /readyz; once it is back (a few seconds for the connections to come
// back), only successes.
func (l *load) check(t *testing.T) {
	t.Helper()
	stopped, restarting, restarted := l.marks["stopped"], l.marks["restarting"], l.marks["restarted"]
	var down, up, readyDown int
	for _, r := range l.results {
		switch {
		case r.err != nil:
			t.Errorf("%s at %s: %v", r.what, r.start.Format(time.TimeOnly), r.err)
		case r.status >= 500 && r.status != http.StatusServiceUnavailable:
			t.Errorf("%s at %s answered %d %s", r.what, r.start.Format(time.TimeOnly), r.status, r.message)
		case r.start.After(stopped) && r.end.Before(restarting):
			if r.what == "GET /readyz" {
				if r.status == http.StatusOK {
					t.Errorf("/readyz answered 200 while PostgreSQL was down")
				}
				readyDown++
				continue
			}
			down++
			if r.status != http.StatusServiceUnavailable || r.code != ptacycle.EUNAVAILABLE || !strings.Contains(r.message, "base de données") {
				t.Errorf("%s while PostgreSQL was down answered %d %q %q", r.what, r.status, r.code, r.message)
			}
		case r.start.After(restarted.Add(5 * time.Second)):
			up++
			if r.status != http.StatusOK {
				t.Errorf("%s once PostgreSQL was back answered %d %s", r.what, r.status, r.message)
			}
		}
	}
	if down < 20 || readyDown < 10 || up < 20 {
		t.Errorf("too few requests to judge: %d during the outage (%d /readyz), %d after", down, readyDown, up)
	}
}

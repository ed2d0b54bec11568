package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	serverlog "go.temporal.io/server/common/log"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/internal/devtemporal"
	"github.com/ptacycle/ptacycle/internal/pgcluster"
	"github.com/ptacycle/ptacycle/internal/searchattrs"
	"github.com/ptacycle/ptacycle/internal/stacktest"
	"github.com/ptacycle/ptacycle/notify/smtptest"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/postgres/pgtest"
	"github.com/ptacycle/ptacycle/workflows"
)

// This file holds the reliability tests of the real stack: the worker killed
// as a process at precise points, `ptacycle dev` killed with SIGKILL,
// PostgreSQL stopped under load. Every wait is bounded and says what it waited for.

// syncBuffer collects a child process's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// failer is what a scenario needs of its test: a *testing.T, or a
// scenarioFailer when it runs beside others.
type failer interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// scenarioFailer stands for the test in a scenario's own goroutine: a failure
// is recorded and ends that goroutine; the test reports it afterwards.
type scenarioFailer struct{ failure string }

func (*scenarioFailer) Helper() {}

func (f *scenarioFailer) Fatal(args ...any) {
	f.failure = fmt.Sprint(args...)
	runtime.Goexit()
}

func (f *scenarioFailer) Fatalf(format string, args ...any) {
	f.failure = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// concurrently runs each scenario in its own goroutine and waits for all:
// they mostly wait (for Temporal's activity timeouts), which t.Parallel would
// limit to GOMAXPROCS at a time. It returns each scenario's failure, or "".
func concurrently(scenarios []func(f failer)) []string {
	failers := make([]*scenarioFailer, len(scenarios))
	var wg sync.WaitGroup
	for i, play := range scenarios {
		failers[i] = &scenarioFailer{}
		wg.Go(func() { play(failers[i]) })
	}
	wg.Wait()
	failures := make([]string, len(scenarios))
	for i, f := range failers {
		failures[i] = f.failure
	}
	return failures
}

// waitFor polls cond until it holds, failing after timeout with what it waited
// for and the last state cond described.
func waitFor(f failer, timeout time.Duration, what string, cond func() (bool, string)) {
	f.Helper()
	stacktest.EventuallySays(f, timeout, what, cond)
}

func quietSDKLogger() sdklog.Logger { return sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)) }

// childProcess is the binary running as a child process, its output kept.
type childProcess struct {
	cmd    *exec.Cmd
	output *syncBuffer
	exited chan struct{}
}

// startChild runs the binary with args and the environment extended by env.
func startChild(env []string, args ...string) (*childProcess, error) {
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	p := &childProcess{cmd: cmd, output: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.output, p.output
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// kill ends the process, if it still runs, and waits for it.
func (p *childProcess) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

func (p *childProcess) done() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// reliabilityTest starts a test that kills or stops real processes: it runs
// in parallel with the others, needs PostgreSQL's binaries, and is left out
// of the fast tier (-short) for the full run.
func reliabilityTest(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: kills real processes (runs in go test ./...)")
	}
	t.Parallel()
	if _, err := pgcluster.FindBinaries(); err != nil {
		t.Skip(err)
	}
}

// stack is one year of one organisation on its own database, embedded
// Temporal server and SMTP server, played by worker processes of the real binary.
type stack struct {
	f        failer
	crash    string // the crash point, "" for none
	dbURL    string
	dataDir  string
	db       *postgres.DB
	temporal *devtemporal.Server
	tc       client.Client
	smtp     *smtptest.Server
	org      ptacycle.Organisation
	year     int
	coord    ptacycle.User
	approver ptacycle.User
	owner    ptacycle.User
	snap     map[string][]string
	frontend string // the address the workers dial for Temporal, when not the server's own (a proxy)

	mu       sync.Mutex
	workers  []*childProcess
	stopping bool
	hooked   *childProcess
	restart  error
}

// newStack prepares a stack on the database at dbURL with an SMTP server;
// start does the rest, possibly in a scenario's goroutine.
func newStack(t *testing.T, dbURL, crash string) *stack {
	t.Helper()
	s := &stack{crash: crash, dbURL: dbURL, dataDir: t.TempDir(), smtp: smtptest.Start(t), year: time.Now().Year() + 1}
	t.Cleanup(s.close)
	return s
}

func (s *stack) start(f failer) {
	f.Helper()
	s.f = f
	ctx := context.Background()
	var err error
	if s.db, err = postgres.Open(ctx, s.dbURL); err != nil {
		f.Fatal(err)
	}
	if s.temporal, err = devtemporal.Start(devtemporal.Options{DatabaseFile: filepath.Join(s.dataDir, "temporal.db"),
		SearchAttributes: searchattrs.Types(), Logger: serverlog.NewNoopLogger()}); err != nil {
		f.Fatal(err)
	}
	if s.tc, err = client.Dial(client.Options{HostPort: s.temporal.Address(), Logger: quietSDKLogger()}); err != nil {
		f.Fatal(err)
	}
	if _, err := demo.LoadOrganisation(ctx, s.db); err != nil {
		f.Fatal(err)
	}
	if s.org, err = s.db.OrganisationBySlug(ctx, demo.Slug); err != nil {
		f.Fatal(err)
	}
	for email, into := range map[string]*ptacycle.User{"coordonnateur@cnltp.demo": &s.coord, "valideur@cnltp.demo": &s.approver,
		"responsable.tonkpi@cnltp.demo": &s.owner} {
		if *into, _, err = s.db.UserByEmail(ctx, email); err != nil {
			f.Fatal(err)
		}
	}
}

// close stops the workers, then the client, Temporal and the database.
func (s *stack) close() {
	s.mu.Lock()
	s.stopping = true
	workers := s.workers
	s.mu.Unlock()
	for _, w := range workers {
		w.kill()
	}
	if s.tc != nil {
		s.tc.Close()
	}
	if s.temporal != nil {
		_ = s.temporal.Stop()
	}
	if s.db != nil {
		s.db.Close()
	}
}

// launchWorker starts `ptacycle worker` against the stack, with the crash hook set to crashAfter ("" for none).
func (s *stack) launchWorker(crashAfter string) (*childProcess, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return nil, fmt.Errorf("stack stopping")
	}
	frontend := s.frontend
	if frontend == "" {
		frontend = s.temporal.Address()
	}
	w, err := startChild([]string{"DATABASE_URL=" + s.dbURL, "TEMPORAL_ADDRESS=" + frontend, "TEMPORAL_NAMESPACE=default",
		"SMTP_HOST=127.0.0.1", fmt.Sprintf("SMTP_PORT=%d", s.smtp.Port), "SMTP_TLS=none", "SMTP_FROM=ptacycle@cnltp.test",
		"SMTP_USERNAME=", "SMTP_PASSWORD=", "WEBHOOK_URL=", "LISTEN_ADDR=127.0.0.1:0", "LOG_LEVEL=warn", "LOG_FORMAT=text",
		crashAfterVariable + "=" + crashAfter}, "worker")
	if err != nil {
		return nil, err
	}
	s.workers = append(s.workers, w)
	return w, nil
}

// startWorkers runs the year's first worker: with the crash hook, and a
// fresh one without it as soon as the first dies, as a supervisor would.
func (s *stack) startWorkers() {
	s.f.Helper()
	w, err := s.launchWorker(s.crash)
	if err != nil {
		s.f.Fatal(err)
	}
	if s.crash == "" {
		return
	}
	s.hooked = w
	go func() {
		<-w.exited
		if _, err := s.launchWorker(""); err != nil {
			s.mu.Lock()
			s.restart = err
			s.mu.Unlock()
		}
	}()
}

// output is what the stack's workers wrote, one after the other.
func (s *stack) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out strings.Builder
	for _, w := range s.workers {
		out.WriteString(w.output.String())
	}
	return out.String()
}

// checkKilled asserts that the hooked worker died by SIGKILL at its crash point.
func (s *stack) checkKilled(t *testing.T) {
	t.Helper()
	select {
	case <-s.hooked.exited:
	case <-time.After(10 * time.Second):
		t.Fatalf("the worker with %s=%s still runs at the end: the crash point was never reached", crashAfterVariable, s.crash)
	}
	ws, _ := s.hooked.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGKILL || !strings.Contains(s.hooked.output.String(), "killed after") {
		t.Fatalf("the hooked worker ended with %v, not killed at its crash point:\n%s", s.hooked.cmd.ProcessState, s.hooked.output)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.restart != nil {
		t.Fatalf("restarting the worker: %v", s.restart)
	}
}

func count(f failer, db *postgres.DB, sql string, args ...any) int {
	f.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		f.Fatal(err)
	}
	return n
}

// update takes a human step, waiting long enough for a killed worker's activity to time out and be retried.
func (s *stack) update(id, name string, arg any) workflows.CycleStatus {
	s.f.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := workflows.UpdateCycle(ctx, s.tc, demo.Slug, s.year, id, name, arg)
	if err != nil {
		s.f.Fatalf("update %s: %v", id, err)
	}
	return st
}

func (s *stack) status(year int) (workflows.CycleStatus, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return workflows.QueryCycle(ctx, s.tc, demo.Slug, year)
}

// staleAfter is how long notify.Sender leaves a claimed reminder before taking it again (its default).
const staleAfter = 10 * time.Minute

// awaitOutbox waits until every e-mail written so far has been delivered and
// recorded. After a crash between delivery and record, the reminder stays
// "sending" until the sender's stale delay: the test moves its claim back by
// that delay, as if the ten minutes had passed.
func (s *stack) awaitOutbox() {
	s.f.Helper()
	waitFor(s.f, 90*time.Second, "the outbox to be delivered", func() (bool, string) {
		if s.crash == crashEmail && s.hooked.done() {
			if _, err := s.db.Pool.Exec(context.Background(), `UPDATE reminders SET claimed_at = claimed_at - $1::interval
				WHERE status = 'sending' AND claimed_at > now() - $1::interval`, staleAfter.String()); err != nil {
				s.f.Fatal(err)
			}
		}
		n := count(s.f, s.db, `SELECT count(*) FROM reminders WHERE channel = 'email' AND status <> 'sent'`)
		return n == 0, fmt.Sprintf("%d e-mail reminder(s) not sent", n)
	})
}

// awaitStepReminders waits until the first reminders of a cycle step are
// written (the workflow's main loop got there) and delivered: for the bilan,
// overdue from the opening, its escalation; for a later step, begun after
// its deadline and so given its grace, the reminder that it is due soon.
func (s *stack) awaitStepReminders(step string) {
	s.f.Helper()
	prefix := ptacycle.CycleWorkflowID(demo.Slug, s.year) + "/" + step + "/"
	kind := activities.KindDueSoon
	if step == "bilan" {
		kind = activities.KindEscalation
	}
	waitFor(s.f, 90*time.Second, "the reminders of step "+step, func() (bool, string) {
		n := count(s.f, s.db, `SELECT count(*) FROM reminders WHERE key LIKE $1 || '%' AND kind = $2`, prefix, kind)
		return n > 0, "no " + kind + " reminder yet"
	})
	s.awaitOutbox()
}

// previousYear records last year's plan straight in the database (three
// activities: two done, one not started) so that the bilan has a rate to compute.
func (s *stack) previousYear() {
	f, ctx := s.f, context.Background()
	last := s.year - 1
	cy, err := s.db.CreateCycle(ctx, ptacycle.UserActor(s.coord), ptacycle.Cycle{Year: last, Stage: ptacycle.StageDrafting,
		WorkflowID: ptacycle.CycleWorkflowID(demo.Slug, last), Deadlines: ptacycle.DefaultDeadlines(last)})
	if err != nil {
		f.Fatal(err)
	}
	s.addActivities(last, "Former les acteurs de la chaîne pénale", 3)
	if _, err := s.db.Pool.Exec(ctx, `UPDATE activities a SET status = 'done', progress = 100 FROM plans p
		WHERE p.id = a.plan_id AND p.year = $1 AND a.code <> '1.1.3'`, last); err != nil {
		f.Fatal(err)
	}
	if _, err := s.db.Pool.Exec(ctx, `UPDATE cycles SET stage = 'closed', closed_at = now() WHERE id = $1`, cy.ID); err != nil {
		f.Fatal(err)
	}
}

// addActivities adds action 1.1 and n activities owned by the Tonkpi cell to year's draft plan.
func (s *stack) addActivities(year int, title string, n int) ptacycle.Action {
	f, ctx := s.f, context.Background()
	actor := ptacycle.UserActor(s.coord)
	plan, err := s.db.Plan(ctx, s.org.ID, year)
	if err != nil {
		f.Fatal(err)
	}
	action, err := s.db.CreateAction(ctx, actor, ptacycle.Action{PlanID: plan.ID, Code: "1.1", Title: title})
	if err != nil {
		f.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if _, err := s.db.CreateActivity(ctx, actor, ptacycle.Activity{ActionID: action.ID, Code: fmt.Sprintf("1.1.%d", i),
			Title: fmt.Sprintf("Activité %d (illustrative)", i), Illustrative: true, ResponsibleUnitID: s.owner.UnitID, OwnerID: &s.owner.ID,
			StartDate: ptacycle.NewDate(year, time.January, 15), DueDate: ptacycle.NewDate(year, time.December, 15)}); err != nil {
			f.Fatal(err)
		}
	}
	return action
}

// playYear takes next year's cycle from its launch to its closing, waiting at
// each step for what the cycle does by itself (reminders, their e-mails), so
// that a run with a crash and a run without have the same story. It ends
// with the snapshot of the database.
func (s *stack) playYear() {
	s.toExecution()
	s.closeYear()
	s.snap = s.snapshot()
}

// toExecution launches next year's cycle and takes it to execution: bilan,
// one recommendation, a plan of two activities, its approval.
func (s *stack) toExecution() {
	f, ctx := s.f, context.Background()
	s.previousYear()
	s.startWorkers()
	overdue := ptacycle.DateOf(time.Now().AddDate(0, 0, -10)) // every deadline past: see awaitStepReminders
	if _, err := s.tc.ExecuteWorkflow(ctx, workflows.CycleStartOptions(demo.Slug, s.year), ptacycle.CycleWorkflowName,
		workflows.CycleInput{OrganisationID: s.org.ID, OrganisationSlug: demo.Slug, Year: s.year,
			Deadlines: ptacycle.Deadlines{Bilan: overdue, Recommendations: overdue, Submission: overdue}, LaunchedBy: &s.coord.ID}); err != nil {
		f.Fatal(err)
	}
	s.awaitStepReminders("bilan")
	s.update("close-bilan", workflows.UpdateCloseBilan, workflows.CloseBilanRequest{UserID: s.coord.ID})

	cycle, err := s.db.Cycle(ctx, s.org.ID, s.year)
	if err != nil {
		f.Fatal(err)
	}
	rec, err := s.db.CreateRecommendation(ctx, ptacycle.UserActor(s.coord), ptacycle.Recommendation{CycleID: cycle.ID,
		Text: "Impliquer la société civile pour renforcer le signalement des cas de traite", Priority: ptacycle.PriorityHigh})
	if err != nil {
		f.Fatal(err)
	}
	s.awaitStepReminders("recommendations")
	s.update("adopt", workflows.UpdateAdoptRecommendations, workflows.AdoptRecommendationsRequest{UserID: s.coord.ID, RecommendationIDs: []int64{rec.ID}})

	s.awaitStepReminders("submission/v0")
	action := s.addActivities(s.year, "Sensibiliser les communautés", 2)
	if err := s.db.LinkRecommendation(ctx, ptacycle.UserActor(s.coord), rec.ID, []int64{action.ID}); err != nil {
		f.Fatal(err)
	}
	plan, err := s.db.Plan(ctx, s.org.ID, s.year)
	if err != nil {
		f.Fatal(err)
	}
	content, err := s.db.PlanContent(ctx, s.org.ID, plan.ID)
	if err != nil {
		f.Fatal(err)
	}
	if st := s.update("submit", workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: s.coord.ID, Problems: ptacycle.CheckPlan(content)}); st.Stage != ptacycle.StageValidation || st.Version != 1 {
		f.Fatalf("after the submission: %+v", st)
	}
	s.awaitOutbox()
	if st := s.update("approve", workflows.UpdateDecide, workflows.DecideRequest{UserID: s.approver.ID, Level: 1, Version: 1,
		Outcome: ptacycle.OutcomeApproved, Comment: "PTA conforme à la stratégie"}); st.Stage != ptacycle.StageExecution {
		f.Fatalf("after the approval: %+v", st)
	}
	waitFor(f, 90*time.Second, "the follow-ups to start", func() (bool, string) {
		st, err := s.status(s.year)
		return err == nil && st.FollowUps == 2, fmt.Sprintf("%+v, %v", st, err)
	})
}

// closeYear reports every activity done and closes the year, which starts the next.
func (s *stack) closeYear() {
	f, ctx := s.f, context.Background()
	plan, err := s.db.Plan(ctx, s.org.ID, s.year)
	if err != nil {
		f.Fatal(err)
	}
	list, err := s.db.Activities(ctx, s.org.ID, postgres.ActivityFilter{PlanID: plan.ID})
	if err != nil {
		f.Fatal(err)
	}
	for _, a := range list {
		if _, err := s.db.ReportProgress(ctx, ptacycle.UserActor(s.owner), postgres.Progress{ActivityID: a.ID, Version: a.Version,
			Status: ptacycle.StatusDone, Progress: 100, Comment: "Réalisée"}); err != nil {
			f.Fatal(err)
		}
	}
	if st := s.update("close", workflows.UpdateCloseCycle, workflows.CloseCycleRequest{UserID: s.coord.ID}); st.Stage != ptacycle.StageClosed {
		f.Fatalf("after closing: %+v", st)
	}
	waitFor(f, 90*time.Second, "next year's cycle to compute its bilan", func() (bool, string) {
		st, err := s.status(s.year + 1)
		return err == nil && st.Rates != nil, fmt.Sprintf("%+v, %v", st, err)
	})
	s.awaitOutbox()
}

// snapshot is what a year leaves in the database, without ids and times:
// one sorted list of rows per table.
func (s *stack) snapshot() map[string][]string {
	queries := map[string]string{
		"cycles": `SELECT year || ' ' || stage || ' ' || coalesce(final_rate::text, '-') || ' ' || (closed_at IS NOT NULL) FROM cycles`,
		"bilans": `SELECT c.year || ' ' || b.reviewed_year || ' ' || coalesce(b.rates::text, '-') || ' ' || (b.closed_at IS NOT NULL)
			FROM bilans b JOIN cycles c ON c.id = b.cycle_id`,
		"plans": `SELECT year || ' ' || status || ' v' || current_version FROM plans`,
		"plan_versions": `SELECT p.year || ' v' || v.number || ' ' || v.status || ' ' || v.content_hash
			FROM plan_versions v JOIN plans p ON p.id = v.plan_id`,
		"decisions": `SELECT p.year || ' v' || v.number || ' l' || d.level || ' ' || d.outcome || ' ' || u.email || ' ' || d.comment
			FROM decisions d JOIN plan_versions v ON v.id = d.plan_version_id JOIN plans p ON p.id = v.plan_id JOIN users u ON u.id = d.approver_id`,
		"recommendations":  `SELECT text || ' ' || adopted FROM recommendations`,
		"activities":       `SELECT p.year || ' ' || a.code || ' ' || a.status || ' ' || a.progress || ' v' || a.version FROM activities a JOIN plans p ON p.id = a.plan_id`,
		"activity_updates": `SELECT a.code || ' ' || u.status_after || ' ' || u.comment FROM activity_updates u JOIN activities a ON a.id = u.activity_id`,
		// The weekly digest depends on the hour the test runs, not on the cycle.
		"reminders": `SELECT r.key || ' ' || r.channel || ' ' || r.kind || ' ' || r.status || ' ' || u.email
			FROM reminders r JOIN users u ON u.id = r.recipient_id WHERE r.kind <> 'digest'`,
		"audit_log": `SELECT entity || ' ' || action || ' ' || actor_label || ' ×' || count(*) FROM audit_log GROUP BY entity, action, actor_label`,
	}
	snap := map[string][]string{}
	for table, sql := range queries {
		rows, err := s.db.Pool.Query(context.Background(), sql+` ORDER BY 1`)
		if err != nil {
			s.f.Fatalf("%s: %v", table, err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				s.f.Fatal(err)
			}
			snap[table] = append(snap[table], line)
		}
		if err := rows.Err(); err != nil {
			s.f.Fatal(err)
		}
	}
	return snap
}

// checkOneMailPerReminder checks that every e-mail reminder reached the SMTP
// server once, but for duplicates: messages delivered again with the same Message-ID.
func (s *stack) checkOneMailPerReminder(t *testing.T, duplicates int) {
	t.Helper()
	sent := count(t, s.db, `SELECT count(*) FROM reminders WHERE channel = 'email' AND status = 'sent'`)
	keys := count(t, s.db, `SELECT count(DISTINCT key) FROM reminders WHERE channel = 'email'`)
	perMessageID := map[string]int{}
	for _, m := range s.smtp.Mails() {
		perMessageID[m.Header.Get("Message-Id")]++
	}
	twice := 0
	for id, n := range perMessageID {
		switch {
		case n == 2:
			twice++
		case n != 1:
			t.Errorf("message %s received %d times", id, n)
		}
	}
	if sent == 0 || sent != keys || len(perMessageID) != sent || twice != duplicates {
		t.Errorf("%d e-mail reminders sent (%d keys), %d distinct messages received, %d received twice (want %d)",
			sent, keys, len(perMessageID), twice, duplicates)
	}
}

// TestWorkerKilledMidStep kills `ptacycle worker` (SIGKILL, by its test hook)
// right after the bilan computation, the plan freezing, the approval, the
// writing of a reminder and the delivery of an e-mail, restarts it, and checks
// that each year ends with the same rows as a year without crash, and with one
// e-mail per reminder (but the one duplicate, under the same Message-ID, that
// a crash between delivery and its record causes). The runs are concurrent:
// each crash waits out the 30 s activity timeout after which Temporal retries
// on the new worker.
func TestWorkerKilledMidStep(t *testing.T) {
	reliabilityTest(t)
	crashes := []string{"", "ComputeBilan", "Remind", "FreezePlan", "RecordDecision", crashEmail}
	stacks := make([]*stack, len(crashes))
	plays := make([]func(failer), len(crashes))
	for i, crash := range crashes {
		stacks[i] = newStack(t, pgtest.MustURL(t), crash)
		plays[i] = func(f failer) {
			stacks[i].start(f)
			stacks[i].playYear()
		}
	}
	failures := concurrently(plays)
	clean := stacks[0]
	if failures[0] != "" {
		t.Fatalf("the year without crash failed: %s\nworker output:\n%s", failures[0], clean.output())
	}
	clean.checkOneMailPerReminder(t, 0)
	for i, s := range stacks[1:] {
		t.Run("CrashAfter"+strings.ToUpper(s.crash[:1])+s.crash[1:], func(t *testing.T) {
			if failure := failures[i+1]; failure != "" {
				t.Fatalf("%s\nworkers' output:\n%s", failure, s.output())
			}
			s.checkKilled(t)
			for table, rows := range clean.snap {
				if !reflect.DeepEqual(rows, s.snap[table]) {
					t.Errorf("%s after the crash differs from the year without crash:\nwithout crash:\n  %s\nwith crash:\n  %s",
						table, strings.Join(rows, "\n  "), strings.Join(s.snap[table], "\n  "))
				}
			}
			duplicates := 0
			if s.crash == crashEmail {
				duplicates = 1
			}
			s.checkOneMailPerReminder(t, duplicates)
		})
	}
}

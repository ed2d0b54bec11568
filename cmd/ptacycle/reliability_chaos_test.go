package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/internal/searchattrs"
	"github.com/ptacycle/ptacycle/postgres/pgtest"
	"github.com/ptacycle/ptacycle/workflows"
)

// This file holds the chaos test of the launch of execution: ten thousand
// follow-ups started while the Temporal frontend fails and the worker is killed.

const (
	startMethod  = "/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution"
	cancelMethod = "/temporal.api.workflowservice.v1.WorkflowService/RequestCancelWorkflowExecution"
	// maxFrame is the largest message the proxy passes, the Temporal SDK's own limit.
	maxFrame = 128 << 20
	// burstAfter is how many starts and cancellations the armed proxy lets
	// through before its burst of errors that reach the caller.
	burstAfter = 1000
)

// burstCodes are the errors of the burst, answered together to calls in
// flight together: the SDK retries none of them, so each reaches its
// goroutine of StartFollowUps, and two types at once made the old atomic.Value panic.
var burstCodes = []codes.Code{codes.DeadlineExceeded, codes.Internal, codes.DeadlineExceeded, codes.Internal}

// rawFrame is one gRPC message as it travels: the proxy forwards bytes.
type rawFrame struct{ data []byte }

// rawCodec passes rawFrames through; it is named "proto" so that the
// frontend reads them as the protobuf messages they are.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return v.(*rawFrame).data, nil }

func (rawCodec) Unmarshal(data []byte, v any) error {
	v.(*rawFrame).data = append([]byte(nil), data...) // gRPC reuses data's buffer
	return nil
}

func (rawCodec) Name() string { return "proto" }

// frontendProxy is what the workers take for the Temporal frontend. It
// forwards every call (all of the frontend's are unary) and, while armed,
// answers some starts and cancellations of workflows with errors (see inject).
type frontendProxy struct {
	addr    string
	backend *grpc.ClientConn

	mu       sync.Mutex
	armed    bool
	calls    int                // starts and cancellations received while armed
	burstees []chan error       // calls of the burst waiting for it
	burst    bool               // the burst was answered
	injected map[codes.Code]int // errors answered, by code
	started  map[string]bool    // follow-ups whose start the frontend acknowledged
	starts   int                // starts of follow-ups acknowledged, a retry's again
}

func startFrontendProxy(t *testing.T, frontend string) *frontendProxy {
	t.Helper()
	backend, err := grpc.NewClient(frontend, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{}), grpc.MaxCallRecvMsgSize(maxFrame)))
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &frontendProxy{addr: lis.Addr().String(), backend: backend, injected: map[codes.Code]int{}, started: map[string]bool{}}
	srv := grpc.NewServer(grpc.UnknownServiceHandler(p.forward), grpc.ForceServerCodec(rawCodec{}), grpc.MaxRecvMsgSize(maxFrame),
		// The SDK pings every 30 s, idle or not; gRPC's default policy would hang up on it.
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: time.Second, PermitWithoutStream: true}))
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(func() {
		srv.Stop()
		backend.Close()
	})
	return p
}

func (p *frontendProxy) forward(_ any, stream grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(stream)
	var req rawFrame
	if err := stream.RecvMsg(&req); err != nil {
		return err
	}
	if err := p.inject(method); err != nil {
		return err
	}
	in, _ := metadata.FromIncomingContext(stream.Context())
	out := metadata.MD{}
	for k, v := range in { // the caller's headers, without those gRPC sets itself
		if !strings.HasPrefix(k, ":") && !strings.HasPrefix(k, "grpc-") && k != "content-type" && k != "user-agent" {
			out[k] = v
		}
	}
	var resp rawFrame
	var header, trailer metadata.MD
	err := p.backend.Invoke(metadata.NewOutgoingContext(stream.Context(), out), method, &req, &resp, grpc.Header(&header), grpc.Trailer(&trailer))
	stream.SetTrailer(trailer)
	if err != nil {
		return err
	}
	if method == startMethod {
		p.acknowledged(req)
	}
	if err := stream.SendHeader(header); err != nil {
		return err
	}
	return stream.SendMsg(&resp)
}

// inject decides the answer to a start or cancellation while the proxy is
// armed: every tenth call fails with an error the SDK retries by itself
// (Unavailable and ResourceExhausted in turn); after burstAfter calls, the
// next four in flight at once are held and fail together with burstCodes. A
// burst that cannot gather four calls within a second lets them through and
// tries again. It returns nil for a call to forward.
func (p *frontendProxy) inject(method string) error {
	if method != startMethod && method != cancelMethod {
		return nil
	}
	p.mu.Lock()
	if !p.armed {
		p.mu.Unlock()
		return nil
	}
	p.calls++
	if p.calls%10 == 0 {
		code := []codes.Code{codes.Unavailable, codes.ResourceExhausted}[p.calls/10%2]
		p.injected[code]++
		p.mu.Unlock()
		return status.Errorf(code, "chaos test: the frontend answers %s", code)
	}
	if p.burst || p.calls <= burstAfter {
		p.mu.Unlock()
		return nil
	}
	answer := make(chan error, 1)
	p.burstees = append(p.burstees, answer)
	if len(p.burstees) == len(burstCodes) {
		for i, held := range p.burstees {
			p.injected[burstCodes[i]]++
			held <- status.Errorf(burstCodes[i], "chaos test: the frontend answers %s", burstCodes[i])
		}
		p.burstees, p.burst = nil, true
	}
	p.mu.Unlock()
	select {
	case err := <-answer:
		return err
	case <-time.After(time.Second):
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if i := slices.Index(p.burstees, answer); i >= 0 {
		p.burstees = slices.Delete(p.burstees, i, i+1)
		return nil
	}
	return <-answer // answered by the burst meanwhile
}

// acknowledged records the follow-up a start the frontend accepted was for.
func (p *frontendProxy) acknowledged(req rawFrame) {
	var start workflowservice.StartWorkflowExecutionRequest
	if proto.Unmarshal(req.data, &start) != nil || start.GetWorkflowType().GetName() != ptacycle.FollowUpWorkflowName {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.started[start.GetWorkflowId()] = true
	p.starts++
}

func (p *frontendProxy) arm(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.armed = on
}

// followUpsStarted counts the follow-ups whose start the frontend acknowledged.
func (p *frontendProxy) followUpsStarted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.started)
}

// startsAcknowledged counts the starts of follow-ups the frontend acknowledged, a retry's again.
func (p *frontendProxy) startsAcknowledged() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.starts
}

// injections counts the errors the proxy answered, by code.
func (p *frontendProxy) injections() map[codes.Code]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.injected)
}

// The chaos test's plan: 10,000 unfinished activities (not started, in
// progress, postponed) and, among them, 1,000 finished ones (done,
// cancelled) that must get no follow-up.
const (
	chaosUnfinished = 10_000
	chaosFinished   = 1_000
)

// loadChaosPlan copies the plan's activities into year's draft plan in bulk
// (COPY), all owned by the Tonkpi cell, due over the year, and returns the
// ids of the unfinished ones.
func (s *stack) loadChaosPlan(year int) map[int64]bool {
	f, ctx := s.f, context.Background()
	plan, err := s.db.Plan(ctx, s.org.ID, year)
	if err != nil {
		f.Fatal(err)
	}
	action, err := s.db.CreateAction(ctx, ptacycle.UserActor(s.coord), ptacycle.Action{PlanID: plan.ID, Code: "1.1",
		Title: "Sensibiliser les communautés de chaque localité"})
	if err != nil {
		f.Fatal(err)
	}
	jan1, dec31 := ptacycle.NewDate(year, time.January, 1), ptacycle.NewDate(year, time.December, 31)
	rows := make([][]any, chaosUnfinished+chaosFinished)
	for i := range rows {
		start := jan1.AddDays(i % 300)
		due := start.AddDays(30 + i%60)
		if due.After(dec31) {
			due = dec31
		}
		status, progress, postponed := ptacycle.StatusNotStarted, 0, ptacycle.Date{}
		switch {
		case i%11 == 10 && i%2 == 0:
			status, progress = ptacycle.StatusDone, 100
		case i%11 == 10:
			status = ptacycle.StatusCancelled
		case i%3 == 1:
			status, progress = ptacycle.StatusInProgress, 40
		case i%7 == 2:
			status, postponed = ptacycle.StatusPostponed, due.AddDays(45)
		}
		rows[i] = []any{s.org.ID, plan.ID, action.ID, fmt.Sprintf("1.1.%d", i+1), fmt.Sprintf("Séance de sensibilisation n° %d (illustrative)", i+1),
			true, *s.owner.UnitID, s.owner.ID, start, due, string(status), progress, postponed}
	}
	if _, err := s.db.Pool.CopyFrom(ctx, pgx.Identifier{"activities"}, []string{"organisation_id", "plan_id", "action_id", "code", "title",
		"illustrative", "responsible_unit_id", "owner_id", "start_date", "due_date", "status", "progress", "postponed_to"}, pgx.CopyFromRows(rows)); err != nil {
		f.Fatal(err)
	}
	list, err := s.db.Pool.Query(ctx, `SELECT id FROM activities WHERE plan_id = $1 AND status NOT IN ('done', 'cancelled')`, plan.ID)
	if err != nil {
		f.Fatal(err)
	}
	ids, err := pgx.CollectRows(list, pgx.RowTo[int64])
	if err != nil || len(ids) != chaosUnfinished {
		f.Fatalf("%d unfinished activities loaded, want %d (%v)", len(ids), chaosUnfinished, err)
	}
	unfinished := map[int64]bool{}
	for _, id := range ids {
		unfinished[id] = true
	}
	return unfinished
}

// toApproval records last year, launches next year's cycle with its usual
// deadlines on one worker and takes it through the bilan, the
// recommendations and the submission of the chaos plan, up to the approval
// that will launch execution. It returns the ids of the plan's unfinished activities.
func (s *stack) toApproval() map[int64]bool {
	f, ctx := s.f, context.Background()
	s.previousYear()
	if _, err := s.launchWorker(""); err != nil {
		f.Fatal(err)
	}
	if _, err := s.tc.ExecuteWorkflow(ctx, workflows.CycleStartOptions(demo.Slug, s.year), ptacycle.CycleWorkflowName,
		workflows.CycleInput{OrganisationID: s.org.ID, OrganisationSlug: demo.Slug, Year: s.year, LaunchedBy: &s.coord.ID}); err != nil {
		f.Fatal(err)
	}
	waitFor(f, time.Minute, "the cycle to open", func() (bool, string) {
		st, err := s.status(s.year)
		return err == nil && st.Opened, fmt.Sprintf("%+v, %v", st, err)
	})
	s.update("close-bilan", workflows.UpdateCloseBilan, workflows.CloseBilanRequest{UserID: s.coord.ID})
	s.update("adopt", workflows.UpdateAdoptRecommendations, workflows.AdoptRecommendationsRequest{UserID: s.coord.ID, RecommendationIDs: []int64{}})
	unfinished := s.loadChaosPlan(s.year)
	plan, err := s.db.Plan(ctx, s.org.ID, s.year)
	if err != nil {
		f.Fatal(err)
	}
	content, err := s.db.PlanContent(ctx, s.org.ID, plan.ID)
	if err != nil {
		f.Fatal(err)
	}
	if st := s.update("submit", workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: s.coord.ID, Problems: ptacycle.CheckPlan(content)}); st.Stage != ptacycle.StageValidation {
		f.Fatalf("after the submission: %+v", st)
	}
	return unfinished
}

// pendingLaunch is the cycle's StartFollowUps activity while it is pending, nil otherwise.
func (s *stack) pendingLaunch() (*workflowpb.PendingActivityInfo, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := s.tc.DescribeWorkflowExecution(ctx, ptacycle.CycleWorkflowID(demo.Slug, s.year), "")
	if err != nil {
		return nil, err
	}
	for _, a := range d.GetPendingActivities() {
		if a.GetActivityType().GetName() == "StartFollowUps" {
			return a, nil
		}
	}
	return nil, nil
}

// runsOn says whether the pending activity a is running on worker w (the
// SDK's identity of a worker starts with its pid).
func runsOn(a *workflowpb.PendingActivityInfo, w *childProcess) bool {
	return a.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED && strings.HasPrefix(a.GetLastWorkerIdentity(), strconv.Itoa(w.cmd.Process.Pid)+"@")
}

// killDuringLaunch SIGKILLs worker w while its StartFollowUps runs, once at
// least started follow-ups exist, and starts another worker. Temporal would
// retry the killed attempt after its heartbeat timeout, a minute; the test
// fails that attempt at once instead, as if the minute had passed.
func (s *stack) killDuringLaunch(t *testing.T, proxy *frontendProxy, w *childProcess, started int) *childProcess {
	t.Helper()
	waitFor(t, 3*time.Minute, fmt.Sprintf("%d follow-ups started, StartFollowUps running on worker %d", started, w.cmd.Process.Pid), func() (bool, string) {
		s.checkAlive(t, w)
		n := proxy.followUpsStarted()
		a, err := s.pendingLaunch()
		return n >= started && runsOn(a, w), fmt.Sprintf("%d follow-ups started, StartFollowUps attempt %d %s on %q, last failure %q (%v)",
			n, a.GetAttempt(), a.GetState(), a.GetLastWorkerIdentity(), a.GetLastFailure().GetMessage(), err)
	})
	w.kill()
	if n := proxy.followUpsStarted(); n >= chaosUnfinished {
		t.Fatalf("every follow-up was started before the kill: the kill tests nothing")
	}
	a, err := s.pendingLaunch()
	if err != nil {
		t.Fatal(err)
	}
	if runsOn(a, w) {
		if err := s.tc.CompleteActivityByID(context.Background(), "default", ptacycle.CycleWorkflowID(demo.Slug, s.year), "", a.GetActivityId(),
			nil, errors.New("chaos test: the worker running this attempt was killed")); err != nil {
			t.Fatal(err)
		}
	}
	next, err := s.launchWorker("")
	if err != nil {
		t.Fatal(err)
	}
	return next
}

// checkAlive fails the test at once if worker w ended by itself.
func (s *stack) checkAlive(f failer, w *childProcess) {
	f.Helper()
	if w.done() {
		f.Fatalf("the worker ended with %v:\n%s", w.cmd.ProcessState, w.output)
	}
}

// launchOutcome is what the cycle's history says of its StartFollowUps.
type launchOutcome struct {
	attempts  int // of the last attempt started
	completed bool
	followUps int // the count it returned
}

func (s *stack) launchOutcome(f failer) launchOutcome {
	f.Helper()
	var out launchOutcome
	launch := int64(0)
	it := s.tc.GetWorkflowHistory(context.Background(), ptacycle.CycleWorkflowID(demo.Slug, s.year), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			f.Fatal(err)
		}
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			if e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == "StartFollowUps" {
				launch = e.GetEventId()
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			if a := e.GetActivityTaskStartedEventAttributes(); a.GetScheduledEventId() == launch {
				out.attempts = int(a.GetAttempt())
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			if a := e.GetActivityTaskCompletedEventAttributes(); a.GetScheduledEventId() == launch {
				out.completed = true
				if err := converter.GetDefaultDataConverter().FromPayloads(a.GetResult(), &out.followUps); err != nil {
					f.Fatal(err)
				}
			}
		}
	}
	return out
}

// runningFollowUps lists by visibility the running follow-ups of the stack's
// organisation and year: how many times each workflow id is listed.
func (s *stack) runningFollowUps() (map[string]int, error) {
	query := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running' AND %s = '%s' AND %s = %d", ptacycle.FollowUpWorkflowName,
		searchattrs.Organisation.GetName(), demo.Slug, searchattrs.Year.GetName(), s.year)
	listed := map[string]int{}
	var page []byte
	for {
		// Temporal's SQLite has one connection: a page waits behind the follow-ups' writes.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		resp, err := s.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: "default", PageSize: 1000, Query: query, NextPageToken: page})
		cancel()
		if err != nil {
			return nil, err
		}
		for _, e := range resp.GetExecutions() {
			listed[e.GetExecution().GetWorkflowId()]++
		}
		if page = resp.GetNextPageToken(); len(page) == 0 {
			return listed, nil
		}
	}
}

// followUpsDiff compares the running follow-ups listed with those of the
// unfinished activities: "" when each has exactly one and there is no other.
func (s *stack) followUpsDiff(listed map[string]int, unfinished map[int64]bool) string {
	var missing, twice []int64
	expected := map[string]bool{}
	for id := range unfinished {
		wid := ptacycle.FollowUpWorkflowID(demo.Slug, s.year, id)
		expected[wid] = true
		switch listed[wid] {
		case 0:
			missing = append(missing, id)
		case 1:
		default:
			twice = append(twice, id)
		}
	}
	var extra []string
	for wid := range listed {
		if !expected[wid] {
			extra = append(extra, wid)
		}
	}
	if len(missing)+len(twice)+len(extra) == 0 {
		return ""
	}
	slices.Sort(missing)
	slices.Sort(twice)
	slices.Sort(extra)
	return fmt.Sprintf("%d running follow-ups listed for %d unfinished activities: %d without (%v), %d listed more than once (%v), %d not of an unfinished activity (%v)",
		len(listed), len(unfinished), len(missing), firstOf(missing), len(twice), firstOf(twice), len(extra), firstOf(extra))
}

// firstOf is the start of a long list, enough to investigate.
func firstOf[E any](list []E) []E {
	return list[:min(len(list), 10)]
}

// memoryDir is a temporary folder in memory (/dev/shm) where the system has
// one, else on disk. Temporal's SQLite file commits there without waiting on
// the disk the machine's other tests share, which would otherwise bound the
// starts; the test kills workers, never the server, so the file's
// durability is not under test.
func memoryDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/dev/shm", "ptacycle-chaos-")
	if err != nil {
		return t.TempDir()
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// TestChaosLaunchOfExecution approves a plan of 10,000 unfinished activities
// (and 1,000 finished) while the Temporal frontend the worker talks to fails
// calls with mixed errors: Unavailable and ResourceExhausted, which the SDK
// retries, and a burst of DeadlineExceeded and Internal at once, which reach
// StartFollowUps. During the launch the worker is SIGKILLed twice and
// started again. Afterwards the cycle answers in execution, StartFollowUps
// has started 10,000 follow-ups, visibility lists exactly one running
// follow-up per unfinished activity and none other, and no worker panicked.
func TestChaosLaunchOfExecution(t *testing.T) {
	reliabilityTest(t)
	began := time.Now()
	dir := memoryDir(t)
	s := newStack(t, pgtest.MustURL(t), "")
	s.dataDir = dir
	s.start(t)
	proxy := startFrontendProxy(t, s.temporal.Address())
	s.frontend = proxy.addr
	unfinished := s.toApproval()
	t.Logf("plan of %d activities submitted in %s", len(unfinished)+chaosFinished, time.Since(began).Round(time.Second))

	proxy.arm(true)
	launched := time.Now()
	if st := s.update("approve", workflows.UpdateDecide, workflows.DecideRequest{UserID: s.approver.ID, Level: 1, Version: 1,
		Outcome: ptacycle.OutcomeApproved, Comment: "PTA conforme à la stratégie"}); st.Stage != ptacycle.StageExecution {
		t.Fatalf("after the approval: %+v", st)
	}
	s.mu.Lock()
	w := s.workers[len(s.workers)-1]
	s.mu.Unlock()
	for _, started := range []int{chaosUnfinished * 3 / 10, chaosUnfinished * 6 / 10} {
		w = s.killDuringLaunch(t, proxy, w, started)
		t.Logf("worker killed with %d follow-ups started, %s after the approval", proxy.followUpsStarted(), time.Since(launched).Round(time.Second))
	}
	proxy.arm(false)

	// Asked while the launch ends, the cycle answers at once: once the launch
	// has ended, its next workflow task waits on the task queue behind the
	// first one of every follow-up the worker has not run yet (minutes here).
	waitFor(t, time.Minute, "the cycle to answer in execution on the last worker", func() (bool, string) {
		s.checkAlive(t, w)
		st, err := s.status(s.year)
		return err == nil && st.Stage == ptacycle.StageExecution, fmt.Sprintf("%+v, %v", st, err)
	})
	t.Logf("the cycle answered in execution %s after the approval", time.Since(launched).Round(time.Second))
	var launch launchOutcome
	waitFor(t, 4*time.Minute, "StartFollowUps to complete", func() (bool, string) {
		s.checkAlive(t, w)
		launch = s.launchOutcome(t)
		return launch.completed, fmt.Sprintf("%d follow-ups started, attempt %d", proxy.followUpsStarted(), launch.attempts)
	})
	t.Logf("launch completed in %d attempts, %s after the approval: %d starts acknowledged for %d follow-ups; errors answered: %v",
		launch.attempts, time.Since(launched).Round(time.Second), proxy.startsAcknowledged(), proxy.followUpsStarted(), proxy.injections())
	waitFor(t, 3*time.Minute, "visibility to list one running follow-up per unfinished activity", func() (bool, string) {
		listed, err := s.runningFollowUps()
		if err != nil {
			return false, err.Error()
		}
		diff := s.followUpsDiff(listed, unfinished)
		return diff == "", diff
	})
	t.Logf("visibility listed one running follow-up per unfinished activity %s after the approval", time.Since(launched).Round(time.Second))

	if launch.followUps != chaosUnfinished {
		t.Errorf("StartFollowUps returned %d follow-ups, want %d", launch.followUps, chaosUnfinished)
	}
	if launch.attempts < 4 { // the burst, two kills, the attempt that completed
		t.Errorf("StartFollowUps completed at attempt %d, want at least 4: the chaos missed it", launch.attempts)
	}
	injected := proxy.injections()
	for _, code := range append([]codes.Code{codes.Unavailable, codes.ResourceExhausted}, burstCodes...) {
		if injected[code] == 0 {
			t.Errorf("the proxy answered no %s: %v", code, injected)
		}
	}
	ctx := context.Background()
	if cycle, err := s.db.Cycle(ctx, s.org.ID, s.year); err != nil || cycle.Stage != ptacycle.StageExecution {
		t.Errorf("the cycle's row after the launch: %+v %v", cycle, err)
	}
	if d, err := s.tc.DescribeWorkflowExecution(ctx, ptacycle.CycleWorkflowID(demo.Slug, s.year), ""); err != nil ||
		d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Errorf("the cycle's workflow after the launch: %v %v", d.GetWorkflowExecutionInfo().GetStatus(), err)
	}
	s.checkAlive(t, w)
	s.mu.Lock()
	workers := slices.Clone(s.workers)
	s.mu.Unlock()
	for _, k := range workers[:len(workers)-1] {
		if ws, _ := k.cmd.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Errorf("a killed worker ended with %v", k.cmd.ProcessState)
		}
	}
	if out := s.output(); strings.Contains(out, "panic:") {
		t.Errorf("a worker panicked:\n%s", out)
	}
	t.Logf("chaos test done in %s", time.Since(began).Round(time.Second))
}

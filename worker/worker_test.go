package worker_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/internal/searchattrs"
	"github.com/ptacycle/ptacycle/internal/stacktest"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/postgres/pgtest"
	"github.com/ptacycle/ptacycle/workflows"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// crashAfterWrite makes the first run of some activities fail after their
// work is committed, as a worker killed before reporting completion would:
// the retry must change nothing more.
type crashAfterWrite struct {
	interceptor.WorkerInterceptorBase
	names   map[string]bool
	crashed sync.Map
}

func (c *crashAfterWrite) InterceptActivity(_ context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &crashingActivity{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, root: c}
}

type crashingActivity struct {
	interceptor.ActivityInboundInterceptorBase
	root *crashAfterWrite
}

func (i *crashingActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	res, err := i.Next.ExecuteActivity(ctx, in)
	name := activity.GetInfo(ctx).ActivityType.Name
	if err == nil && i.root.names[name] {
		if _, done := i.root.crashed.LoadOrStore(name, true); !done {
			return nil, errors.New("simulated crash after the write")
		}
	}
	return res, err
}

// stack is the real product without its HTTP side: PostgreSQL, Temporal, the
// worker (stacktest's), with the crash interceptor on every worker it starts.
type stack struct {
	*stacktest.Stack
	db      *postgres.DB
	c       client.Client
	acts    *activities.Activities
	crashes *crashAfterWrite
}

func mustStack(t *testing.T) *stack {
	t.Helper()
	crashes := &crashAfterWrite{names: map[string]bool{"Remind": true, "FreezePlan": true, "RecordDecision": true, "CloseBilan": true}}
	st := stacktest.Start(t, stacktest.Options{WorkerOptions: sdkworker.Options{Interceptors: []interceptor.WorkerInterceptor{crashes}}})
	return &stack{Stack: st, db: st.DB, c: st.Temporal, acts: st.Acts, crashes: crashes}
}

func (s *stack) update(t *testing.T, wfID, id, name string, arg any) (workflows.CycleStatus, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var status workflows.CycleStatus
	h, err := s.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wfID, UpdateID: id, UpdateName: name,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err == nil {
		err = h.Get(ctx, &status)
	}
	return status, workflows.AsDomainError(err)
}

func (s *stack) mustUpdate(t *testing.T, wfID, id, name string, arg any) workflows.CycleStatus {
	t.Helper()
	status, err := s.update(t, wfID, id, name, arg)
	if err != nil {
		t.Fatalf("update %s: %v", id, err)
	}
	return status
}

// eventually waits up to a minute for cond: the worker's tests run side by
// side, each with its Temporal server, and a retried activity (the crash
// interceptor fails some first runs) waits its backoff.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	stacktest.Eventually(t, time.Minute, what, cond)
}

func (s *stack) status(t *testing.T, wfID string) workflows.CycleStatus {
	t.Helper()
	var st workflows.CycleStatus
	v, err := s.c.QueryWorkflow(context.Background(), wfID, "", workflows.QueryStatus)
	if err == nil {
		err = v.Get(&st)
	}
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func count(t *testing.T, db *postgres.DB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCycleOnRealStack runs a (small) year on the real Temporal server with the
// real activities and PostgreSQL: send-back, second version, two-level approval
// with a delegate, a worker restart while approval is pending, execution with
// follow-ups, early closing and the next year's bilan. It checks the database.
func TestCycleOnRealStack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := mustStack(t)
	if _, err := demo.LoadOrganisation(ctx, s.db); err != nil {
		t.Fatal(err)
	}
	org, _ := s.db.OrganisationBySlug(ctx, demo.Slug)
	actor := ptacycle.SystemActor(org.ID)
	user := func(email string) ptacycle.User {
		u, _, err := s.db.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	coordinator, ministry, owner := user("coordonnateur@cnltp.demo"), user("valideur@cnltp.demo"), user("responsable.tonkpi@cnltp.demo")
	hash, _ := ptacycle.HashPassword("mot-de-passe-solide")
	plenary, err := s.db.CreateUser(ctx, actor, ptacycle.User{Email: "pleniere@cnltp.demo", FullName: "Président de la plénière", Role: ptacycle.RoleApprover}, hash)
	if err != nil {
		t.Fatal(err)
	}
	deputy, err := s.db.CreateUser(ctx, actor, ptacycle.User{Email: "adjoint@cnltp.demo", FullName: "Adjoint du ministère", Role: ptacycle.RoleApprover}, hash)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.SetApprovalChain(ctx, actor, []ptacycle.ApprovalLevel{
		{Level: 1, Name: "Plénière du comité", ApproverID: plenary.ID, DeadlineDays: 10},
		{Level: 2, Name: "Ministère", ApproverID: ministry.ID, DeadlineDays: 10},
	}); err != nil {
		t.Fatal(err)
	}

	year := time.Now().Year()
	wfID := ptacycle.CycleWorkflowID(demo.Slug, year)
	overdue := ptacycle.DateOf(time.Now().AddDate(0, 0, -10))
	// Deadlines 10 days past: the bilan, possible from the opening, sends an
	// overdue reminder and its escalation at once; the later steps, which
	// nobody could take by their deadlines, get their grace instead.
	_, err = s.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wfID, TaskQueue: ptacycle.TaskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(searchattrs.Organisation.ValueSet(demo.Slug),
			searchattrs.Year.ValueSet(int64(year)), searchattrs.Stage.ValueSet(string(ptacycle.StageBilan)))},
		ptacycle.CycleWorkflowName, workflows.CycleInput{OrganisationID: org.ID, OrganisationSlug: demo.Slug, Year: year,
			Deadlines: ptacycle.Deadlines{Bilan: overdue, Recommendations: overdue, Submission: overdue}, LaunchedBy: &coordinator.ID})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the cycle to open", func() bool { return s.status(t, wfID).Opened })
	cycle, err := s.db.Cycle(ctx, org.ID, year)
	if err != nil {
		t.Fatal(err)
	}
	plan, _ := s.db.Plan(ctx, org.ID, year)

	t.Run("ErrWrongStageLeavesNoHistory", func(t *testing.T) {
		_, err := s.update(t, wfID, "too-early", workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: coordinator.ID})
		var e *ptacycle.Error
		if !errors.As(err, &e) || e.Code != ptacycle.ECONFLICT || !strings.Contains(e.Message, "étape « Bilan »") || e.English == "" {
			t.Fatalf("err = %#v", err)
		}
		iter := s.c.GetWorkflowHistory(ctx, wfID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for iter.HasNext() {
			ev, err := iter.Next()
			if err != nil {
				t.Fatal(err)
			}
			if a := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes(); a != nil && a.GetAcceptedRequest().GetMeta().GetUpdateId() == "too-early" {
				t.Fatal("a rejected update was written to the history")
			}
		}
	})

	eventually(t, "the overdue bilan's escalation", func() bool {
		return count(t, s.db, `SELECT count(*) FROM reminders WHERE cycle_id = $1 AND kind = 'escalation'`, cycle.ID) > 0
	})
	s.mustUpdate(t, wfID, "close-bilan", workflows.UpdateCloseBilan, workflows.CloseBilanRequest{UserID: coordinator.ID})
	coordActor := ptacycle.UserActor(coordinator)
	var recs []ptacycle.Recommendation
	for _, text := range []string{
		"Répartir les ressources humaines du CNLTP selon le volume des activités",
		"Impliquer la société civile pour renforcer le signalement des cas de traite",
		"Doter le CNLTP d'un budget de fonctionnement",
	} {
		r, err := s.db.CreateRecommendation(ctx, coordActor, ptacycle.Recommendation{CycleID: cycle.ID, Text: text, Priority: ptacycle.PriorityHigh})
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	s.mustUpdate(t, wfID, "adopt", workflows.UpdateAdoptRecommendations,
		workflows.AdoptRecommendationsRequest{UserID: coordinator.ID, RecommendationIDs: []int64{recs[0].ID, recs[1].ID, recs[2].ID}})

	// A small plan: 2 actions, 4 activities owned by the Tonkpi cell.
	units, _ := s.db.Units(ctx, org.ID)
	var tonkpi int64
	for _, u := range units {
		if u.Name == "CRLTP Tonkpi" {
			tonkpi = u.ID
		}
	}
	act1, err := s.db.CreateAction(ctx, coordActor, ptacycle.Action{PlanID: plan.ID, Code: "1.1", Title: "Renforcer les capacités de la chaîne pénale"})
	if err != nil {
		t.Fatal(err)
	}
	act2, _ := s.db.CreateAction(ctx, coordActor, ptacycle.Action{PlanID: plan.ID, Code: "2.1", Title: "Sensibiliser les communautés"})
	var acts []ptacycle.Activity
	for i, action := range []ptacycle.Action{act1, act1, act2, act2} {
		a, err := s.db.CreateActivity(ctx, coordActor, ptacycle.Activity{ActionID: action.ID, Code: fmt.Sprintf("%s.%d", action.Code, i+1),
			Title: fmt.Sprintf("Activité %d (illustrative)", i+1), Illustrative: true, ResponsibleUnitID: &tonkpi, OwnerID: &owner.ID,
			StartDate: ptacycle.NewDate(year, time.January, 15), DueDate: ptacycle.NewDate(year, time.December, 15)})
		if err != nil {
			t.Fatal(err)
		}
		acts = append(acts, a)
	}
	check := func() []ptacycle.FieldError {
		content, err := s.db.PlanContent(ctx, org.ID, plan.ID)
		if err != nil {
			t.Fatal(err)
		}
		return ptacycle.CheckPlan(content)
	}
	t.Run("ErrUnansweredRecommendation", func(t *testing.T) {
		problems := check()
		if len(problems) != 3 {
			t.Fatalf("problems = %v, want the three unanswered recommendations", problems)
		}
		_, err := s.update(t, wfID, "submit-invalid", workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: coordinator.ID, Problems: problems})
		var e *ptacycle.Error
		if !errors.As(err, &e) || e.Code != ptacycle.EINVALID || len(e.Fields) != 3 || !strings.Contains(e.Message, "n'est traitée par aucune action") {
			t.Fatalf("err = %#v", err)
		}
	})
	for i, r := range recs {
		action := act1.ID
		if i == 1 {
			action = act2.ID
		}
		if err := s.db.LinkRecommendation(ctx, coordActor, r.ID, []int64{action}); err != nil {
			t.Fatal(err)
		}
	}
	v1 := s.mustUpdate(t, wfID, "submit-1", workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: coordinator.ID, Problems: check()})
	if v1.Version != 1 || v1.Stage != ptacycle.StageValidation {
		t.Fatalf("after submission: %+v", v1)
	}
	// The plenary hears at once that version 1 awaits it, in the application and by e-mail.
	eventually(t, "the announcement to the plenary", func() bool {
		rs, err := s.db.Reminders(ctx, org.ID, postgres.ReminderFilter{RecipientID: plenary.ID, Kind: activities.KindStepOpen})
		return err == nil && len(rs) == 2 && strings.Contains(rs[0].Key, "/approval/v1/l1/open/") && strings.Contains(rs[0].Subject, "À faire : la validation du PTA")
	})
	s.mustUpdate(t, wfID, "send-back", workflows.UpdateDecide, workflows.DecideRequest{UserID: plenary.ID, Level: 1, Version: 1,
		Outcome: ptacycle.OutcomeSentBack, Comment: "Préciser les cibles de l'action 2.1"})
	// The coordinator reads the plenary's comment at once.
	eventually(t, "the send-back notice to the coordinator", func() bool {
		rs, err := s.db.Reminders(ctx, org.ID, postgres.ReminderFilter{RecipientID: coordinator.ID, Kind: activities.KindSentBack})
		return err == nil && len(rs) == 2 && strings.Contains(rs[0].Body, "« Préciser les cibles de l'action 2.1 »")
	})
	edit := acts[2]
	edit.Target = "500 leaders communautaires sensibilisés"
	if _, err := s.db.UpdateActivity(ctx, coordActor, edit); err != nil {
		t.Fatalf("the plan sent back is not editable: %v", err)
	}
	v2 := s.mustUpdate(t, wfID, "submit-2", workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: coordinator.ID, Problems: check()})
	if v2.Version != 2 {
		t.Fatalf("second submission is version %d", v2.Version)
	}
	s.mustUpdate(t, wfID, "plenary-approves", workflows.UpdateDecide, workflows.DecideRequest{UserID: plenary.ID, Level: 1, Version: 2, Outcome: ptacycle.OutcomeApproved})
	s.mustUpdate(t, wfID, "delegate", workflows.UpdateDelegate, workflows.DelegateRequest{UserID: ministry.ID, Level: 2, To: deputy.ID, Until: time.Now().Add(48 * time.Hour)})
	stacktest.EventuallySays(t, time.Minute, "the deputy's notice", func() (bool, string) {
		rs, err := s.db.Reminders(ctx, org.ID, postgres.ReminderFilter{RecipientID: deputy.ID, Kind: activities.KindStepOpen})
		if err != nil {
			return false, err.Error()
		}
		keys := make([]string, len(rs))
		for i, r := range rs {
			keys[i] = r.Key
		}
		return slices.ContainsFunc(keys, func(k string) bool { return strings.Contains(k, "/approval/v2/l2/delegated/") }), fmt.Sprint(keys)
	})

	t.Run("WorkerRestartLosesNothing", func(t *testing.T) {
		s.RestartWorker(t, nil)
		approved := s.mustUpdate(t, wfID, "deputy-approves", workflows.UpdateDecide, workflows.DecideRequest{UserID: deputy.ID, Level: 2, Version: 2,
			Outcome: ptacycle.OutcomeApproved, Comment: "Approuvé par délégation"})
		if approved.Stage != ptacycle.StageExecution {
			t.Fatalf("after the last approval: %+v", approved)
		}
	})

	followUp := func(a ptacycle.Activity) string { return ptacycle.FollowUpWorkflowID(demo.Slug, year, a.ID) }
	eventually(t, "the follow-ups to start", func() bool { return s.status(t, wfID).FollowUps == len(acts) })
	// The Tonkpi owner hears what the approved plan gives their unit.
	eventually(t, "the owner's notice of execution", func() bool {
		rs, err := s.db.Reminders(ctx, org.ID, postgres.ReminderFilter{RecipientID: owner.ID, Kind: activities.KindExecution})
		return err == nil && len(rs) == 2 && strings.Contains(rs[0].Subject, fmt.Sprintf("PTA %d approuvé : %d activité(s) pour CRLTP Tonkpi", year, len(acts)))
	})
	for _, a := range acts {
		d, err := s.c.DescribeWorkflowExecution(ctx, followUp(a), "")
		if err != nil || d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			t.Fatalf("follow-up of %s: %v %v", a.Code, d.GetWorkflowExecutionInfo().GetStatus(), err)
		}
	}

	t.Run("ErrCloseWithUnfinished", func(t *testing.T) {
		_, err := s.update(t, wfID, "close-too-early", workflows.UpdateCloseCycle, workflows.CloseCycleRequest{UserID: coordinator.ID})
		if ptacycle.ErrorCode(err) != ptacycle.ECONFLICT || !strings.Contains(err.Error(), "4 activité(s)") {
			t.Fatalf("err = %v", err)
		}
	})
	ownerActor := ptacycle.UserActor(owner)
	for i, a := range acts {
		status := ptacycle.StatusDone
		if i == 3 {
			status = ptacycle.StatusCancelled
		}
		current, _ := s.db.Activity(ctx, org.ID, a.ID)
		if _, err := s.db.ReportProgress(ctx, ownerActor, postgres.Progress{ActivityID: a.ID, Version: current.Version, Status: status, Comment: "Fait"}); err != nil {
			t.Fatal(err)
		}
		if i < 3 { // the last one's signal is lost: its follow-up finds out by itself
			if err := s.c.SignalWorkflow(ctx, followUp(a), "", workflows.SignalActivityChanged, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, a := range acts[:3] {
		var res workflows.FollowUpResult
		if err := s.c.GetWorkflow(ctx, followUp(a), "").Get(ctx, &res); err != nil || !res.Status.Finished() {
			t.Fatalf("follow-up of %s ended with %+v, %v", a.Code, res, err)
		}
	}
	closed := s.mustUpdate(t, wfID, "close", workflows.UpdateCloseCycle, workflows.CloseCycleRequest{UserID: coordinator.ID})
	if closed.Stage != ptacycle.StageClosed {
		t.Fatalf("close answered %+v", closed)
	}
	var result workflows.CycleResult
	if err := s.c.GetWorkflow(ctx, wfID, "").Get(ctx, &result); err != nil {
		t.Fatal(err)
	}
	if result.FinalRate.Planned != 3 || result.FinalRate.Done != 3 || result.FinalRate.Cancelled != 1 || result.FinalRate.Rounded != 100 {
		t.Errorf("final rate %+v", result.FinalRate)
	}
	d, err := s.c.DescribeWorkflowExecution(ctx, followUp(acts[3]), "")
	if err != nil || d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Errorf("the follow-up whose signal was lost still runs after closing: %v", err)
	}

	t.Run("Database", func(t *testing.T) {
		versions, _ := s.db.PlanVersions(ctx, org.ID, plan.ID)
		if len(versions) != 2 || versions[0].Status != "sent_back" || versions[1].Status != "approved" || versions[0].ContentHash == versions[1].ContentHash {
			t.Errorf("versions = %+v", versions)
		}
		decisions, _ := s.db.Decisions(ctx, org.ID, plan.ID)
		if len(decisions) != 3 {
			t.Fatalf("decisions = %+v, want 3 (one per level and version, despite the simulated crash)", decisions)
		}
		if d := decisions[2]; d.ApproverID != deputy.ID || d.OnBehalfOfID == nil || *d.OnBehalfOfID != ministry.ID {
			t.Errorf("delegated decision = %+v", d)
		}
		stages := count(t, s.db, `SELECT count(*) FROM audit_log WHERE entity = 'cycle' AND entity_id = $1 AND action = 'stage'`, fmt.Sprint(cycle.ID))
		if stages != 6 { // recommendations, drafting, validation, drafting, validation, execution
			t.Errorf("%d stage changes in the audit log, want 6", stages)
		}
		if n := count(t, s.db, `SELECT count(*) FROM audit_log WHERE action = 'delegate'`); n != 1 {
			t.Errorf("%d delegation entries", n)
		}
		reminders := count(t, s.db, `SELECT count(*) FROM reminders WHERE cycle_id = $1`, cycle.ID)
		keys := count(t, s.db, `SELECT count(DISTINCT key) FROM reminders WHERE cycle_id = $1`, cycle.ID)
		if reminders == 0 || reminders != keys {
			t.Errorf("%d reminders for %d keys", reminders, keys)
		}
		if n := count(t, s.db, `SELECT count(*) FROM reminders WHERE cycle_id = $1 AND kind = 'escalation'`, cycle.ID); n == 0 {
			t.Error("no escalation although the bilan's deadline was past")
		}
		if n := count(t, s.db, `SELECT count(*) FROM reminders WHERE cycle_id = $1 AND kind = 'escalation' AND key LIKE $2 AND key NOT LIKE $3`,
			cycle.ID, wfID+"/%", wfID+"/bilan/%"); n != 0 {
			t.Errorf("%d escalations for steps begun after their deadlines", n)
		}
		var crashed []string
		s.crashes.crashed.Range(func(k, _ any) bool { crashed = append(crashed, k.(string)); return true })
		if len(crashed) != 4 {
			t.Errorf("simulated crashes in %v, want Remind, FreezePlan, RecordDecision and CloseBilan", crashed)
		}
		c, _ := s.db.Cycle(ctx, org.ID, year)
		if c.Stage != ptacycle.StageClosed || c.ClosedAt == nil {
			t.Errorf("cycle row = %+v", c)
		}
	})

	t.Run("NextYearReviewsThisPlan", func(t *testing.T) {
		next := ptacycle.CycleWorkflowID(demo.Slug, year+1)
		eventually(t, "next year's cycle to open", func() bool {
			_, err := s.db.Cycle(ctx, org.ID, year+1)
			return err == nil
		})
		c, _ := s.db.Cycle(ctx, org.ID, year+1)
		eventually(t, "next year's bilan rates", func() bool {
			b, err := s.db.Bilan(ctx, org.ID, c.ID)
			return err == nil && b.Rates != nil
		})
		b, _ := s.db.Bilan(ctx, org.ID, c.ID)
		if b.ReviewedYear != year || b.Rates.Overall.Done != 3 || b.Rates.Overall.Cancelled != 1 || b.Rates.Overall.Rounded != 100 {
			t.Errorf("bilan of %d = %+v, overall %+v", year+1, b, b.Rates.Overall)
		}
		st := s.status(t, next)
		if st.Stage != ptacycle.StageBilan || st.Year != year+1 || st.Rates == nil {
			t.Errorf("next cycle status = %+v", st)
		}
		if err := s.c.TerminateWorkflow(ctx, next, "", "end of test"); err != nil {
			t.Fatal(err)
		}
	})

	if os.Getenv("PTACYCLE_RECORD_HISTORIES") != "" {
		recordHistory(t, s.c, wfID, "cycle.json")
		recordHistory(t, s.c, followUp(acts[0]), "followup-done.json")
		recordHistory(t, s.c, followUp(acts[3]), "followup-cancelled.json")
	}
}

// recordHistory writes a workflow's history under workflows/testdata for the replay tests.
func recordHistory(t *testing.T, c client.Client, wfID, file string) {
	t.Helper()
	recordRun(t, c, wfID, "", file)
}

// recordRun writes one run's history (the latest when runID is empty).
func recordRun(t *testing.T, c client.Client, wfID, runID, file string) {
	t.Helper()
	ctx := context.Background()
	iter := c.GetWorkflowHistory(ctx, wfID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	hist, err := client.HistoryFromJSON(strings.NewReader(`{"events":[]}`), client.HistoryJSONOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		hist.Events = append(hist.Events, ev)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "workflows", "testdata", file), b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d events of %s into workflows/testdata/%s", len(hist.Events), wfID, file)
}

package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/workflows"
)

var a *activities.Activities

// Users of the scenario.
const (
	coordinator = int64(1)
	plenary     = int64(20) // level 1: the committee's plenary
	ministry    = int64(21) // level 2: the ministry's representative
	deputy      = int64(22) // the ministry's delegate
)

const underTest = "CycleUnderTest"

var start = time.Date(2024, time.January, 2, 9, 0, 0, 0, time.UTC)

func day(month time.Month, d int) time.Time { return time.Date(2024, month, d, 10, 0, 0, 0, time.UTC) }

// fakeDB stands for PostgreSQL behind the mocked activities: it records what
// the workflow asked and answers as the real activities would.
type fakeDB struct {
	mu          sync.Mutex
	stages      []ptacycle.Stage
	versions    int
	decisions   []ptacycle.Decision
	reminders   map[string]activities.RemindInput
	calls       map[string]int
	followUps   activities.FollowUpsInput
	announced   []activities.AnnounceExecutionInput
	closeChecks []activities.CloseCheckInput
	failing     map[string]bool // activities that fail for good
	failures    []activities.FailureInput
	info        workflows.CycleInfo // what OpenCycle answers
	onOpen      func()              // runs inside OpenCycle, when set
}

// errForGood is what an activity failing for good returns: a foreign key
// violation maps to EINVALID, which no retry fixes.
var errForGood = temporal.NewNonRetryableApplicationError("Donnée refusée", ptacycle.EINVALID, nil)

// fails says whether activity name is set to fail for good.
func (f *fakeDB) fails(name string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failing[name]
}

func (f *fakeDB) called(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[name]++
}

func (f *fakeDB) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[name]
}

func info() workflows.CycleInfo {
	return workflows.CycleInfo{
		CycleID: 100, PlanID: 200, PreviousPlanID: 199, Timezone: "UTC",
		BilanDue: day(time.February, 15), RecommendationsDue: day(time.February, 28), SubmissionDue: day(time.March, 15),
		YearEnd: time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC),
		Chain: []ptacycle.ApprovalLevel{
			{Level: 1, Name: "Plénière du comité", ApproverID: plenary, DeadlineDays: 10},
			{Level: 2, Name: "Ministère", ApproverID: ministry, DeadlineDays: 5},
		},
		Reminders: workflows.ReminderPolicy{StepBeforeDays: 3, ActivityOffsets: []int{14, 3, 0}, OverdueEvery: 7 * 24 * time.Hour, EscalateAfter: 2, ReminderHourOfDay: 8},
	}
}

// mustEnv returns a test environment whose activities are served by a fakeDB.
func mustEnv(t *testing.T, failing ...string) (*testsuite.TestWorkflowEnvironment, *fakeDB) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	// The cycle under test runs under another name: its child, next year's
	// cycle, is whatever each test registers as ptacycle.CycleWorkflowName.
	env.RegisterWorkflowWithOptions(workflows.Cycle, workflow.RegisterOptions{Name: underTest})
	env.RegisterActivity(a)
	f := &fakeDB{reminders: map[string]activities.RemindInput{}, calls: map[string]int{}, failing: map[string]bool{}, info: info()}
	for _, name := range failing {
		f.failing[name] = true
	}
	env.OnActivity(a.RecordFailure, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.FailureInput) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.failures = append(f.failures, in)
		return nil
	})
	env.OnActivity(a.OpenCycle, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.OpenCycleInput) (workflows.CycleInfo, error) {
		f.called("OpenCycle")
		f.mu.Lock()
		onOpen := f.onOpen
		f.mu.Unlock()
		if onOpen != nil {
			onOpen()
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.info, nil
	})
	env.OnActivity(a.RecordStage, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.RecordStageInput) error {
		if f.fails("RecordStage") {
			return errForGood
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.stages = append(f.stages, in.Stage)
		return nil
	})
	env.OnActivity(a.ComputeBilan, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ComputeBilanInput) (*ptacycle.RateBreakdown, error) {
		f.called("ComputeBilan")
		if in.PreviousPlanID != 199 {
			t.Errorf("bilan computed from plan %d, want last year's 199", in.PreviousPlanID)
		}
		return &ptacycle.RateBreakdown{Overall: ptacycle.Rate{Planned: 60, Done: 40, Rounded: 67}}, nil
	})
	for name, fn := range map[string]any{
		"CloseBilan":       a.CloseBilan,
		"ReopenPlan":       a.ReopenPlan,
		"RecordDelegation": nil,
	} {
		if fn == nil {
			continue
		}
		env.OnActivity(fn, mock.Anything, mock.Anything).Return(func(context.Context, activities.StepInput) error { f.called(name); return nil })
	}
	env.OnActivity(a.CheckClosable, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.CloseCheckInput) error {
		f.called("CheckClosable")
		f.mu.Lock()
		defer f.mu.Unlock()
		f.closeChecks = append(f.closeChecks, in)
		return nil
	})
	env.OnActivity(a.RecordDelegation, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.DelegationInput) error {
		f.called("RecordDelegation")
		return nil
	})
	env.OnActivity(a.AdoptRecommendations, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.AdoptInput) error {
		f.called("AdoptRecommendations")
		return nil
	})
	env.OnActivity(a.FreezePlan, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.StepInput) (activities.SubmittedPlan, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.versions++
		return activities.SubmittedPlan{Version: ptacycle.PlanVersion{ID: int64(300 + f.versions), Number: f.versions}, Chain: info().Chain}, nil
	})
	env.OnActivity(a.RecordDecision, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.DecisionInput) (ptacycle.Decision, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.decisions = append(f.decisions, in.Decision)
		return in.Decision, nil
	})
	env.OnActivity(a.Remind, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.RemindInput) (int, error) {
		if f.fails("Remind") {
			return 0, errForGood
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, dup := f.reminders[in.Key]; dup {
			t.Errorf("reminder %s asked twice", in.Key)
		}
		f.reminders[in.Key] = in
		return 1, nil
	})
	env.OnActivity(a.StartFollowUps, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.FollowUpsInput) (int, error) {
		f.called("StartFollowUps")
		f.mu.Lock()
		defer f.mu.Unlock()
		f.followUps = in
		return 82, nil
	})
	env.OnActivity(a.AnnounceExecution, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.AnnounceExecutionInput) (int, error) {
		if f.fails("AnnounceExecution") {
			return 0, errForGood
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.announced = append(f.announced, in)
		return 1, nil
	})
	env.OnActivity(a.WorkingDay, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.WorkingDayInput) (time.Time, error) {
		if f.fails("WorkingDay") {
			return time.Time{}, errForGood
		}
		return activities.PreviousWorkingDay(in.At, nil), nil
	})
	env.OnActivity(a.ApprovalDue, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ApprovalDueInput) (time.Time, error) {
		d := activities.AddWorkingDays(ptacycle.DateOf(in.Since), in.WorkingDays, nil).Time()
		return time.Date(d.Year(), d.Month(), d.Day(), in.Hour, 0, 0, 0, time.UTC), nil
	})
	env.OnActivity(a.StopFollowUps, mock.Anything, mock.Anything).Return(func(context.Context, activities.FollowUpsInput) error {
		f.called("StopFollowUps")
		return nil
	})
	env.OnActivity(a.FinalizeCycle, mock.Anything, mock.Anything).Return(func(context.Context, activities.StepInput) (ptacycle.Rate, error) {
		f.called("FinalizeCycle")
		return ptacycle.Rate{Planned: 81, Done: 70, Cancelled: 1, Rounded: 86}, nil
	})
	return env, f
}

// updates records the outcome of every update sent through send.
type updates struct {
	mu       sync.Mutex
	rejected map[string]error
	results  map[string]workflows.CycleStatus
	failed   map[string]error
}

func newUpdates() *updates {
	return &updates{rejected: map[string]error{}, results: map[string]workflows.CycleStatus{}, failed: map[string]error{}}
}

// send schedules update name (recorded as id) at the given time.
func (u *updates) send(env *testsuite.TestWorkflowEnvironment, at time.Time, id, name string, arg any) {
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, id, &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) {
				u.mu.Lock()
				defer u.mu.Unlock()
				u.rejected[id] = err
			},
			OnComplete: func(result any, err error) {
				u.mu.Lock()
				defer u.mu.Unlock()
				if err != nil {
					u.failed[id] = err
					return
				}
				u.results[id] = result.(workflows.CycleStatus)
			},
		}, arg)
	}, at.Sub(start))
}

// wantRejected checks that update id was refused by its validator with code and a message containing text.
func (u *updates) wantRejected(t *testing.T, id, code, text string) {
	t.Helper()
	err, ok := u.rejected[id]
	if !ok {
		t.Errorf("update %s was not rejected (result %+v, failure %v)", id, u.results[id], u.failed[id])
		return
	}
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != code || !strings.Contains(app.Message(), text) {
		t.Errorf("update %s rejected with %v, want %s mentioning %q", id, err, code, text)
	}
}

func (u *updates) wantAccepted(t *testing.T, id string) workflows.CycleStatus {
	t.Helper()
	s, ok := u.results[id]
	if !ok {
		t.Errorf("update %s did not complete: rejected %v, failed %v", id, u.rejected[id], u.failed[id])
	}
	return s
}

// TestCycleYear walks a whole year with time skipping: every stage, each
// refused submission, a send-back, a two-level approval with a delegated
// decision, execution, closing and the start of the next year's cycle.
func TestCycleYear(t *testing.T) {
	env, f := mustEnv(t)
	var next workflows.CycleInput
	env.RegisterWorkflowWithOptions(func(_ workflow.Context, in workflows.CycleInput) (workflows.CycleResult, error) {
		next = in
		return workflows.CycleResult{}, nil
	}, workflow.RegisterOptions{Name: ptacycle.CycleWorkflowName})
	u := newUpdates()
	unanswered := []ptacycle.FieldError{{Field: "recommendations[2]", Message: "La recommandation n° 2 adoptée n'est traitée par aucune action : « Impliquer la société civile »"}}

	u.send(env, day(time.January, 10), "early-submit", workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: coordinator})
	u.send(env, day(time.February, 20), "close-bilan", workflows.UpdateCloseBilan, workflows.CloseBilanRequest{UserID: coordinator})
	u.send(env, day(time.February, 21), "close-bilan-again", workflows.UpdateCloseBilan, workflows.CloseBilanRequest{UserID: coordinator})
	u.send(env, day(time.February, 22), "adopt", workflows.UpdateAdoptRecommendations, workflows.AdoptRecommendationsRequest{UserID: coordinator, RecommendationIDs: []int64{1, 2, 3}})
	for i, problem := range []ptacycle.FieldError{
		{Field: "activities", Message: "Le PTA ne compte aucune activité"},
		{Field: "activities[1.1.1].responsibleUnitId", Message: "Activité 1.1.1 : structure responsable manquante"},
		{Field: "activities[1.1.1].dueDate", Message: "Activité 1.1.1 : échéance manquante"},
		{Field: "activities[1.1.1].dueDate", Message: "Activité 1.1.1 : l'échéance 15/01/2025 est hors de l'année 2024"},
		unanswered[0],
	} {
		u.send(env, day(time.March, 1).Add(time.Duration(i)*time.Minute), fmt.Sprintf("invalid-%d", i), workflows.UpdateSubmitPlan,
			workflows.SubmitPlanRequest{UserID: coordinator, Problems: []ptacycle.FieldError{problem}})
	}
	u.send(env, day(time.March, 2), "submit-v1", workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: coordinator})
	u.send(env, day(time.March, 4), "ministry-too-early", workflows.UpdateDecide, workflows.DecideRequest{UserID: ministry, Level: 2, Version: 1, Outcome: ptacycle.OutcomeApproved})
	u.send(env, day(time.March, 4).Add(time.Minute), "wrong-approver", workflows.UpdateDecide, workflows.DecideRequest{UserID: coordinator, Level: 1, Version: 1, Outcome: ptacycle.OutcomeApproved})
	u.send(env, day(time.March, 4).Add(2*time.Minute), "send-back-no-comment", workflows.UpdateDecide, workflows.DecideRequest{UserID: plenary, Level: 1, Version: 1, Outcome: ptacycle.OutcomeSentBack})
	u.send(env, day(time.March, 5), "send-back", workflows.UpdateDecide, workflows.DecideRequest{UserID: plenary, Level: 1, Version: 1, Outcome: ptacycle.OutcomeSentBack,
		Comment: "Préciser les indicateurs de l'axe 2"})
	u.send(env, day(time.March, 8), "submit-v2", workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: coordinator})
	u.send(env, day(time.March, 9), "stale-version", workflows.UpdateDecide, workflows.DecideRequest{UserID: plenary, Level: 1, Version: 1, Outcome: ptacycle.OutcomeApproved})
	u.send(env, day(time.March, 10), "plenary-approves", workflows.UpdateDecide, workflows.DecideRequest{UserID: plenary, Level: 1, Version: 2, Outcome: ptacycle.OutcomeApproved})
	u.send(env, day(time.March, 11), "delegate", workflows.UpdateDelegate, workflows.DelegateRequest{UserID: ministry, Level: 2, To: deputy, Until: day(time.April, 30)})
	u.send(env, day(time.March, 25), "deputy-approves", workflows.UpdateDecide, workflows.DecideRequest{UserID: deputy, Level: 2, Version: 2, Outcome: ptacycle.OutcomeApproved,
		Comment: "Approuvé par délégation"})
	u.send(env, day(time.June, 1), "close-bilan-in-execution", workflows.UpdateCloseBilan, workflows.CloseBilanRequest{UserID: coordinator})
	u.send(env, day(time.June, 2), "close-early", workflows.UpdateCloseCycle, workflows.CloseCycleRequest{UserID: coordinator, Unfinished: 12})

	var midYear workflows.CycleStatus
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(workflows.QueryStatus)
		if err != nil {
			t.Error(err)
			return
		}
		_ = v.Get(&midYear)
	}, day(time.July, 1).Sub(start))

	env.ExecuteWorkflow(underTest, workflows.CycleInput{OrganisationID: 7, OrganisationSlug: "cnltp", Year: 2024})
	if !env.IsWorkflowCompleted() {
		t.Fatal("the cycle did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var result workflows.CycleResult
	if err := env.GetWorkflowResult(&result); err != nil || result.Year != 2024 || result.FinalRate.Rounded != 86 {
		t.Errorf("result = %+v, %v", result, err)
	}

	t.Run("Stages", func(t *testing.T) {
		want := []ptacycle.Stage{ptacycle.StageBilan, ptacycle.StageRecommendations, ptacycle.StageDrafting, ptacycle.StageValidation,
			ptacycle.StageDrafting, ptacycle.StageValidation, ptacycle.StageExecution}
		if len(f.stages) != len(want) {
			t.Fatalf("stages = %v, want %v", f.stages, want)
		}
		for i := range want {
			if f.stages[i] != want[i] {
				t.Errorf("stage %d = %s, want %s", i, f.stages[i], want[i])
			}
		}
	})
	t.Run("ErrWrongStage", func(t *testing.T) {
		u.wantRejected(t, "early-submit", ptacycle.ECONFLICT, "Action impossible à l'étape « Bilan »")
		u.wantRejected(t, "close-bilan-again", ptacycle.ECONFLICT, "à l'étape « Recommandations »")
		u.wantRejected(t, "close-bilan-in-execution", ptacycle.ECONFLICT, "à l'étape « Exécution »")
		if n := f.count("CloseBilan"); n != 1 {
			t.Errorf("CloseBilan ran %d times, want once: a rejected update must run nothing", n)
		}
	})
	t.Run("ErrInvalidPlan", func(t *testing.T) {
		for _, text := range []string{"aucune activité", "structure responsable manquante", "échéance manquante", "hors de l'année 2024", "n'est traitée par aucune action"} {
			found := false
			for id, err := range u.rejected {
				if strings.HasPrefix(id, "invalid-") && strings.Contains(err.Error(), text) {
					found = true
					var app *temporal.ApplicationError
					if !errors.As(err, &app) || app.Type() != ptacycle.EINVALID {
						t.Errorf("%s: rejected with %v, want EINVALID", text, err)
					}
				}
			}
			if !found {
				t.Errorf("no submission refused for %q; rejected: %v", text, u.rejected)
			}
		}
		if f.versions != 2 {
			t.Errorf("%d plan versions frozen, want 2 (the refused submissions freeze nothing)", f.versions)
		}
	})
	t.Run("Approval", func(t *testing.T) {
		u.wantRejected(t, "ministry-too-early", ptacycle.ECONFLICT, "C'est au niveau 1 de décider")
		u.wantRejected(t, "wrong-approver", ptacycle.EFORBIDDEN, "pas le valideur du niveau 1")
		u.wantRejected(t, "send-back-no-comment", ptacycle.EINVALID, "commentaire")
		u.wantRejected(t, "stale-version", ptacycle.ECONFLICT, "version 1")
		sentBack := u.wantAccepted(t, "send-back")
		if sentBack.Stage != ptacycle.StageDrafting {
			t.Errorf("after the send-back: stage %s", sentBack.Stage)
		}
		v2 := u.wantAccepted(t, "submit-v2")
		if v2.Version != 2 || v2.Level != 1 || v2.Stage != ptacycle.StageValidation {
			t.Errorf("second submission: %+v", v2)
		}
		// Submitted on Friday 8 March, 10 working days: due Friday 22 March at the usual hour.
		if due := time.Date(2024, time.March, 22, 8, 0, 0, 0, time.UTC); v2.Pending == nil || !v2.Pending.Due.Equal(due) {
			t.Errorf("level 1 of version 2 is due %v, want %v", v2.Pending, due)
		}
		if len(f.decisions) != 3 {
			t.Fatalf("decisions = %+v, want send-back, plenary approval, delegated approval", f.decisions)
		}
		if d := f.decisions[0]; d.Outcome != ptacycle.OutcomeSentBack || d.PlanVersionID != 301 || d.Comment != "Préciser les indicateurs de l'axe 2" {
			t.Errorf("send-back = %+v", d)
		}
		if d := f.decisions[2]; d.ApproverID != deputy || d.OnBehalfOfID == nil || *d.OnBehalfOfID != ministry || d.Level != 2 || d.PlanVersionID != 302 {
			t.Errorf("delegated decision = %+v, want the deputy on behalf of the ministry on version 2", d)
		}
		approved := u.wantAccepted(t, "deputy-approves")
		if approved.Stage != ptacycle.StageExecution || len(approved.Decisions) != 3 {
			t.Errorf("after the last approval: %+v", approved)
		}
	})
	t.Run("Reminders", func(t *testing.T) {
		id := "default-test-workflow-id/"
		for key, kind := range map[string]string{
			"bilan/0":                     activities.KindDueSoon, // 12 February, to the coordinators
			"bilan/1":                     activities.KindDueToday,
			"approval/v2/l2/0":            activities.KindDueSoon, // level 2 due 15 March, decided 25 March
			"approval/v2/l2/1":            activities.KindDueToday,
			"approval/v2/l2/2":            activities.KindOverdue,
			"approval/v2/l2/2/escalation": activities.KindEscalation,
		} {
			r, ok := f.reminders[id+key]
			if !ok {
				t.Errorf("no reminder %s; sent: %v", key, keys(f.reminders))
				continue
			}
			if r.Kind != kind {
				t.Errorf("%s: kind %s, want %s", key, r.Kind, kind)
			}
		}
		if r := f.reminders[id+"approval/v2/l2/0"]; len(r.UserIDs) != 2 || r.UserIDs[1] != deputy {
			t.Errorf("level-2 reminder went to %v, want the ministry and its deputy", r.UserIDs)
		}
		if r := f.reminders[id+"approval/v2/l2/2/escalation"]; len(r.Roles) != 1 || r.Roles[0] != ptacycle.RoleCoordinator {
			t.Errorf("approval escalation went to %v", r.Roles)
		}
		if _, ok := f.reminders[id+"bilan/2"]; ok {
			t.Error("an overdue reminder for the bilan was sent although it closed on 20 February")
		}
		// The ministry's deputy heard at once that level 2 was delegated to them.
		if r, ok := f.reminders[id+"approval/v2/l2/delegated/22"]; !ok || r.Kind != activities.KindStepOpen || len(r.UserIDs) != 1 || r.UserIDs[0] != deputy {
			t.Errorf("delegation notice = %+v (sent: %v; all: %v)", r, ok, keys(f.reminders))
		}
		// The send-back reached the coordinators at once, with its comment.
		if r, ok := f.reminders[id+"sent-back/v1"]; !ok || r.Kind != activities.KindSentBack || r.Comment != "Préciser les indicateurs de l'axe 2" ||
			len(r.Roles) != 1 || r.Roles[0] != ptacycle.RoleCoordinator {
			t.Errorf("send-back notice = %+v (sent: %v)", r, ok)
		}
		// Each level that opened, on each version, was announced at once to its approvers.
		for _, d := range f.decisions {
			key := fmt.Sprintf("approval/v%d/l%d/open", d.PlanVersionID-300, d.Level)
			if r, ok := f.reminders[id+key]; !ok || r.Kind != activities.KindStepOpen || len(r.UserIDs) == 0 || r.UserIDs[0] != []int64{plenary, ministry}[d.Level-1] {
				t.Errorf("announcement %s = %+v (sent: %v)", key, r, ok)
			}
		}
		for key := range f.reminders {
			if strings.HasSuffix(key, "/open") || strings.Contains(key, "sent-back") || strings.Contains(key, "/delegated/") {
				continue
			}
			if strings.Contains(key, "approval/v1/") || strings.Contains(key, "/l1/") {
				t.Errorf("reminder %s sent, but level 1 always decided before its reminders were due", key)
			}
		}
		if _, ok := f.reminders[id+"recommendations/0"]; ok {
			t.Error("a reminder for the recommendations was sent although they were adopted early")
		}
	})
	t.Run("Execution", func(t *testing.T) {
		if f.count("StartFollowUps") != 1 || f.followUps.PlanID != 200 || f.followUps.Year != 2024 {
			t.Errorf("follow-ups started %d times for %+v", f.count("StartFollowUps"), f.followUps)
		}
		if len(f.announced) != 1 || f.announced[0].PlanID != 200 || f.announced[0].Version != 2 || !strings.HasSuffix(f.announced[0].Key, "/execution/v2") {
			t.Errorf("the owners were told %+v, want once, of version 2", f.announced)
		}
		if midYear.Stage != ptacycle.StageExecution || midYear.FollowUps != 82 || midYear.Pending == nil || midYear.Rates.Overall.Rounded != 67 {
			t.Errorf("status in July = %+v", midYear)
		}
		u.wantRejected(t, "close-early", ptacycle.ECONFLICT, "12 activité(s)")
	})
	t.Run("Closing", func(t *testing.T) {
		if f.count("StopFollowUps") != 1 || f.count("FinalizeCycle") != 1 {
			t.Errorf("closing: StopFollowUps %d, FinalizeCycle %d", f.count("StopFollowUps"), f.count("FinalizeCycle"))
		}
		if next.Year != 2025 || next.OrganisationSlug != "cnltp" || next.OrganisationID != 7 {
			t.Errorf("next year's cycle started with %+v", next)
		}
	})
}

// TestCycleClosedEarlyAndRevised closes a cycle once every activity is
// finished, after a mid-year revision went through validation again.
func TestCycleClosedEarlyAndRevised(t *testing.T) {
	env, f := mustEnv(t)
	var nextStarted bool
	env.RegisterWorkflowWithOptions(func(_ workflow.Context, in workflows.CycleInput) (workflows.CycleResult, error) {
		nextStarted = in.Year == 2025
		return workflows.CycleResult{}, nil
	}, workflow.RegisterOptions{Name: ptacycle.CycleWorkflowName})
	u := newUpdates()
	u.send(env, day(time.January, 5), "close-bilan", workflows.UpdateCloseBilan, workflows.CloseBilanRequest{UserID: coordinator})
	u.send(env, day(time.January, 6), "adopt-none", workflows.UpdateAdoptRecommendations, workflows.AdoptRecommendationsRequest{UserID: coordinator})
	u.send(env, day(time.January, 7), "submit", workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: coordinator})
	u.send(env, day(time.January, 8), "l1", workflows.UpdateDecide, workflows.DecideRequest{UserID: plenary, Level: 1, Version: 1, Outcome: ptacycle.OutcomeApproved})
	u.send(env, day(time.January, 9), "l2", workflows.UpdateDecide, workflows.DecideRequest{UserID: ministry, Level: 2, Version: 1, Outcome: ptacycle.OutcomeApproved})
	u.send(env, day(time.June, 1), "revise", workflows.UpdateRevisePlan, workflows.RevisePlanRequest{UserID: coordinator})
	u.send(env, day(time.June, 2), "resubmit", workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: coordinator})
	u.send(env, day(time.June, 3), "l1-v2", workflows.UpdateDecide, workflows.DecideRequest{UserID: plenary, Level: 1, Version: 2, Outcome: ptacycle.OutcomeApproved})
	u.send(env, day(time.June, 4), "l2-v2", workflows.UpdateDecide, workflows.DecideRequest{UserID: ministry, Level: 2, Version: 2, Outcome: ptacycle.OutcomeApproved})
	u.send(env, day(time.November, 20), "close", workflows.UpdateCloseCycle, workflows.CloseCycleRequest{UserID: coordinator})

	env.ExecuteWorkflow(underTest, workflows.CycleInput{OrganisationID: 7, OrganisationSlug: "cnltp", Year: 2024})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	closed := u.wantAccepted(t, "close")
	if closed.Stage != ptacycle.StageClosed {
		t.Errorf("close answered stage %s", closed.Stage)
	}
	if revised := u.wantAccepted(t, "revise"); !revised.Revising || revised.Stage != ptacycle.StageDrafting {
		t.Errorf("revision: %+v", revised)
	}
	if f.count("StartFollowUps") != 2 || f.count("ReopenPlan") != 1 || f.count("CheckClosable") != 1 {
		t.Errorf("StartFollowUps %d (want once per approved version), ReopenPlan %d, CheckClosable %d",
			f.count("StartFollowUps"), f.count("ReopenPlan"), f.count("CheckClosable"))
	}
	if now := env.Now(); now.After(day(time.November, 21)) {
		t.Errorf("the cycle closed on %s, not right after the request", now)
	}
	if !nextStarted {
		t.Error("the 2025 cycle was not started")
	}
	for key := range f.reminders {
		if strings.Contains(key, "submission/v1") {
			t.Errorf("a revision sent a submission reminder: %s", key)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestRetroactiveCycle: a year recorded after it ended sends no reminders,
// starts no follow-ups and waits for the coordinator to close it.
func TestRetroactiveCycle(t *testing.T) {
	env, f := mustEnv(t)
	later := time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)
	env.SetStartTime(later)
	var next workflows.CycleInput
	env.RegisterWorkflowWithOptions(func(_ workflow.Context, in workflows.CycleInput) (workflows.CycleResult, error) {
		next = in
		return workflows.CycleResult{}, nil
	}, workflow.RegisterOptions{Name: ptacycle.CycleWorkflowName})
	u := newUpdates()
	step := func(after time.Duration, id, name string, arg any) { // after the workflow starts
		u.send(env, start.Add(after), id, name, arg) // send measures delays from start
	}
	step(time.Hour, "close-bilan", workflows.UpdateCloseBilan, workflows.CloseBilanRequest{UserID: coordinator})
	step(2*time.Hour, "adopt", workflows.UpdateAdoptRecommendations, workflows.AdoptRecommendationsRequest{UserID: coordinator})
	step(3*time.Hour, "submit", workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: coordinator})
	step(4*time.Hour, "l1", workflows.UpdateDecide, workflows.DecideRequest{UserID: plenary, Level: 1, Version: 1, Outcome: ptacycle.OutcomeApproved})
	step(5*time.Hour, "l2", workflows.UpdateDecide, workflows.DecideRequest{UserID: ministry, Level: 2, Version: 1, Outcome: ptacycle.OutcomeApproved})
	var inExecution workflows.CycleStatus
	env.RegisterDelayedCallback(func() {
		v, _ := env.QueryWorkflow(workflows.QueryStatus)
		_ = v.Get(&inExecution)
	}, 90*24*time.Hour)
	// The year is over: what was not done stays not done, and the year closes as it was executed.
	step(120*24*time.Hour, "close", workflows.UpdateCloseCycle, workflows.CloseCycleRequest{UserID: coordinator, Unfinished: 10})

	env.ExecuteWorkflow(underTest, workflows.CycleInput{OrganisationID: 7, OrganisationSlug: "cnltp", Year: 2024})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if !inExecution.Retroactive || inExecution.Stage != ptacycle.StageExecution {
		t.Errorf("90 days after approval: %+v, want a retroactive cycle still in execution", inExecution)
	}
	if len(f.reminders) != 0 || f.count("StartFollowUps") != 0 || f.count("StopFollowUps") != 0 {
		t.Errorf("reminders %v, follow-ups started %d, stopped %d: a retroactive cycle reminds nobody", keys(f.reminders), f.count("StartFollowUps"), f.count("StopFollowUps"))
	}
	if closed := u.wantAccepted(t, "close"); closed.Stage != ptacycle.StageClosed {
		t.Errorf("close: %+v", closed)
	}
	if len(f.closeChecks) != 1 || !f.closeChecks[0].YearOver {
		t.Errorf("close checks %+v, want one for a year already over", f.closeChecks)
	}
	if next.Year != 2025 {
		t.Errorf("next cycle %+v", next)
	}
}

// TestCycleSurvivesFailedSideEffects makes each side effect of the year fail
// for good — every reminder, every working-day look-up, the owners'
// announcement, every projection of a stage — with a sent-back version and
// late steps: the year still runs to its end, closes and starts the next,
// and each failure is recorded for the coordinators.
func TestCycleSurvivesFailedSideEffects(t *testing.T) {
	for _, name := range []string{"Remind", "WorkingDay", "AnnounceExecution", "RecordStage"} {
		t.Run(name, func(t *testing.T) {
			env, f := mustEnv(t, name)
			var next workflows.CycleInput
			env.RegisterWorkflowWithOptions(func(_ workflow.Context, in workflows.CycleInput) (workflows.CycleResult, error) {
				next = in
				return workflows.CycleResult{}, nil
			}, workflow.RegisterOptions{Name: ptacycle.CycleWorkflowName})
			u := newUpdates()
			// The bilan closes late (reminders due), the plan is sent back once.
			u.send(env, day(time.February, 20), "close-bilan", workflows.UpdateCloseBilan, workflows.CloseBilanRequest{UserID: coordinator})
			u.send(env, day(time.February, 21), "adopt", workflows.UpdateAdoptRecommendations, workflows.AdoptRecommendationsRequest{UserID: coordinator})
			u.send(env, day(time.March, 1), "submit-1", workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: coordinator})
			u.send(env, day(time.March, 20), "send-back", workflows.UpdateDecide, workflows.DecideRequest{UserID: plenary, Level: 1, Version: 1,
				Outcome: ptacycle.OutcomeSentBack, Comment: "Préciser les cibles"})
			u.send(env, day(time.March, 25), "submit-2", workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: coordinator})
			u.send(env, day(time.March, 26), "l1", workflows.UpdateDecide, workflows.DecideRequest{UserID: plenary, Level: 1, Version: 2, Outcome: ptacycle.OutcomeApproved})
			u.send(env, day(time.March, 27), "l2", workflows.UpdateDecide, workflows.DecideRequest{UserID: ministry, Level: 2, Version: 2, Outcome: ptacycle.OutcomeApproved})

			env.ExecuteWorkflow(underTest, workflows.CycleInput{OrganisationID: 7, OrganisationSlug: "cnltp", Year: 2024})
			if !env.IsWorkflowCompleted() {
				t.Fatal("the year did not end")
			}
			if err := env.GetWorkflowError(); err != nil {
				t.Fatalf("the year failed with %s failing: %v", name, err)
			}
			for _, id := range []string{"close-bilan", "adopt", "submit-1", "send-back", "submit-2", "l1", "l2"} {
				u.wantAccepted(t, id)
			}
			if f.count("FinalizeCycle") != 1 || next.Year != 2025 {
				t.Errorf("FinalizeCycle %d times, next year %+v: the year did not close and open the next", f.count("FinalizeCycle"), next)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if len(f.failures) == 0 {
				t.Fatalf("no failure of %s recorded", name)
			}
			keys := map[string]bool{}
			for _, fl := range f.failures {
				if fl.ErrorCode != ptacycle.EINVALID || fl.Key == "" || fl.CycleID != 100 || fl.OrganisationID != 7 {
					t.Errorf("failure recorded as %+v", fl)
				}
				if keys[fl.Key] {
					t.Errorf("two failures share the key %s", fl.Key)
				}
				keys[fl.Key] = true
			}
		})
	}
}

// TestStepReminderAfterAWeekend begins the bilan on a Saturday, due the next
// day: its J−3 reminder (Thursday) and its J0 reminder (Sunday, moved to
// Friday) are both past. Only the latest goes out, once — not both back to back.
func TestStepReminderAfterAWeekend(t *testing.T) {
	env, f := mustEnv(t)
	saturday := time.Date(2024, time.February, 17, 9, 0, 0, 0, time.UTC)
	env.SetStartTime(saturday)
	f.info.BilanDue = time.Date(2024, time.February, 18, 8, 0, 0, 0, time.UTC)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(workflows.QueryStatus)
		var st workflows.CycleStatus
		if err == nil {
			err = v.Get(&st)
		}
		if err != nil || st.Stage != ptacycle.StageBilan {
			t.Errorf("status %+v, %v", st, err)
		}
		env.CancelWorkflow()
	}, time.Hour)
	env.ExecuteWorkflow(underTest, workflows.CycleInput{OrganisationID: 7, OrganisationSlug: "cnltp", Year: 2024})
	f.mu.Lock()
	defer f.mu.Unlock()
	var bilan []string
	for key := range f.reminders {
		if strings.Contains(key, "/bilan/") {
			bilan = append(bilan, key)
		}
	}
	if len(bilan) != 1 || !strings.HasSuffix(bilan[0], "/bilan/1") {
		t.Errorf("bilan reminders %v in the first hour, want only the one of the day (bilan/1)", bilan)
	}
}

// TestStepRightAfterLaunch closes the bilan while the cycle is still opening
// (its first activity running): the step waits for the opening instead of
// being refused with « en cours d'ouverture ».
func TestStepRightAfterLaunch(t *testing.T) {
	env, f := mustEnv(t)
	opening := make(chan struct{})
	f.mu.Lock()
	f.onOpen = func() { <-opening }
	f.mu.Unlock()
	u := newUpdates()
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.UpdateCloseBilan, "close-bilan", &testsuite.TestUpdateCallback{
			OnAccept: func() { close(opening) },
			OnReject: func(err error) {
				u.mu.Lock()
				u.rejected["close-bilan"] = err
				u.mu.Unlock()
				close(opening)
			},
			OnComplete: func(result any, err error) {
				u.mu.Lock()
				defer u.mu.Unlock()
				if err != nil {
					u.failed["close-bilan"] = err
					return
				}
				u.results["close-bilan"] = result.(workflows.CycleStatus)
				env.CancelWorkflow()
			},
		}, workflows.CloseBilanRequest{UserID: coordinator})
	}, 0)
	env.ExecuteWorkflow(underTest, workflows.CycleInput{OrganisationID: 7, OrganisationSlug: "cnltp", Year: 2024})
	if st := u.wantAccepted(t, "close-bilan"); st.Stage != ptacycle.StageRecommendations || !st.Opened {
		t.Errorf("after closing the bilan during the opening: %+v", st)
	}
	if n := f.count("CloseBilan"); n != 1 {
		t.Errorf("CloseBilan ran %d times", n)
	}
}

// TestOnePersonOneLevel: nobody approves two levels of one version — not by
// receiving a second level's delegation while holding another level, and not
// by deciding a level after deciding another. Failed before: the level-2
// approver, delegated level 1, approved both levels.
func TestOnePersonOneLevel(t *testing.T) {
	env, _ := mustEnv(t)
	u := newUpdates()
	u.send(env, day(time.February, 20), "close-bilan", workflows.UpdateCloseBilan, workflows.CloseBilanRequest{UserID: coordinator})
	u.send(env, day(time.February, 22), "adopt", workflows.UpdateAdoptRecommendations, workflows.AdoptRecommendationsRequest{UserID: coordinator, RecommendationIDs: []int64{1}})
	u.send(env, day(time.March, 2), "submit", workflows.UpdateSubmitPlan, workflows.SubmitPlanRequest{UserID: coordinator})
	u.send(env, day(time.March, 3), "level-1-to-level-2", workflows.UpdateDelegate, workflows.DelegateRequest{UserID: plenary, Level: 1, To: ministry, Until: day(time.April, 30)})
	u.send(env, day(time.March, 3).Add(time.Minute), "level-1-to-deputy", workflows.UpdateDelegate, workflows.DelegateRequest{UserID: plenary, Level: 1, To: deputy, Until: day(time.March, 6)})
	u.send(env, day(time.March, 4), "level-2-to-deputy-too", workflows.UpdateDelegate, workflows.DelegateRequest{UserID: ministry, Level: 2, To: deputy, Until: day(time.April, 30)})
	u.send(env, day(time.March, 5), "deputy-approves-1", workflows.UpdateDecide, workflows.DecideRequest{UserID: deputy, Level: 1, Version: 1, Outcome: ptacycle.OutcomeApproved})
	u.send(env, day(time.March, 7), "level-2-to-deputy", workflows.UpdateDelegate, workflows.DelegateRequest{UserID: ministry, Level: 2, To: deputy, Until: day(time.April, 30)})
	u.send(env, day(time.March, 8), "deputy-approves-2", workflows.UpdateDecide, workflows.DecideRequest{UserID: deputy, Level: 2, Version: 1, Outcome: ptacycle.OutcomeApproved})
	u.send(env, day(time.March, 9), "ministry-approves-2", workflows.UpdateDecide, workflows.DecideRequest{UserID: ministry, Level: 2, Version: 1, Outcome: ptacycle.OutcomeApproved})
	env.RegisterDelayedCallback(env.CancelWorkflow, day(time.March, 10).Sub(start))
	env.ExecuteWorkflow(underTest, workflows.CycleInput{OrganisationID: 7, OrganisationSlug: "cnltp", Year: 2024})

	u.wantRejected(t, "level-1-to-level-2", ptacycle.EINVALID, "valide déjà le niveau 2")
	u.wantAccepted(t, "level-1-to-deputy")
	u.wantRejected(t, "level-2-to-deputy-too", ptacycle.EINVALID, "valide déjà le niveau 1")
	u.wantAccepted(t, "deputy-approves-1")
	u.wantAccepted(t, "level-2-to-deputy") // the level-1 delegation ended on 6 March
	u.wantRejected(t, "deputy-approves-2", ptacycle.EFORBIDDEN, "déjà décidé au niveau 1")
	if st := u.wantAccepted(t, "ministry-approves-2"); st.Stage != ptacycle.StageExecution {
		t.Errorf("after the ministry's approval: stage %s", st.Stage)
	}
}

// TestLateStepIsGivenItsGrace closes the bilan on 10 March, after the
// recommendations' deadline (28 February): the recommendations step, which
// nobody could take before, is due three days after it began, and in its
// first day the coordinators hear that it is due soon — not that it is
// late, and the ministry hears nothing (before: an overdue reminder and an
// escalation at once).
func TestLateStepIsGivenItsGrace(t *testing.T) {
	env, f := mustEnv(t)
	u := newUpdates()
	closed := day(time.March, 10)
	u.send(env, closed, "close-bilan", workflows.UpdateCloseBilan, workflows.CloseBilanRequest{UserID: coordinator})
	var st workflows.CycleStatus
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(workflows.QueryStatus)
		if err == nil {
			err = v.Get(&st)
		}
		if err != nil {
			t.Error(err)
		}
		env.CancelWorkflow()
	}, closed.Add(23*time.Hour).Sub(start))
	env.ExecuteWorkflow(underTest, workflows.CycleInput{OrganisationID: 7, OrganisationSlug: "cnltp", Year: 2024})
	u.wantAccepted(t, "close-bilan")
	if st.Stage != ptacycle.StageRecommendations || st.Pending == nil || !st.Pending.Due.Equal(closed.Add(72*time.Hour)) {
		t.Fatalf("a day after the late bilan: %+v (pending %+v), want recommendations due %s", st, st.Pending, closed.Add(72*time.Hour))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var recs []string
	for key, r := range f.reminders {
		if strings.Contains(key, "/recommendations/") {
			recs = append(recs, key+" "+r.Kind)
			if r.Kind == activities.KindOverdue || r.Kind == activities.KindEscalation {
				t.Errorf("reminder %s is %s the day the step became possible", key, r.Kind)
			}
		}
	}
	if len(recs) != 1 {
		t.Errorf("recommendations reminders in the step's first day: %v, want one (due soon)", recs)
	}
}

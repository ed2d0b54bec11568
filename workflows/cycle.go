package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/internal/searchattrs"
)

// Labels of the steps a cycle waits for, used in reminders and the status query.
var (
	stepBilan           = ptacycle.Label{FR: "la clôture du bilan", EN: "closing the review"}
	stepRecommendations = ptacycle.Label{FR: "l'adoption des recommandations", EN: "adopting the recommendations"}
	stepSubmission      = ptacycle.Label{FR: "la soumission du PTA", EN: "submitting the work plan"}
	stepApproval        = ptacycle.Label{FR: "la validation du PTA", EN: "approving the work plan"}
	stepExecution       = ptacycle.Label{FR: "le suivi de l'exécution", EN: "following the execution"}
)

// cycleRun is the state of one cycle workflow; update handlers and the main
// loop share it (workflow coroutines never run in parallel).
type cycleRun struct {
	in             CycleInput
	info           CycleInfo
	opened         bool
	stage          ptacycle.Stage
	busy           bool // an update handler is running: others wait their turn
	revising       bool
	chain          []ptacycle.ApprovalLevel
	version        int
	versionID      int64
	level          int
	levelSince     time.Time
	decisions      []DecisionRecord
	delegations    []Delegation
	rates          *ptacycle.RateBreakdown
	followUpsFor   int // the plan version whose follow-ups are started
	followUps      int
	yearEnded      bool
	closeRequested bool
	closedBy       int64
	finalRate      ptacycle.Rate
	calendar       workflow.Version // 1: reminders move off weekends and holidays
	retroactive    bool             // launched after its year ended: recorded by hand, no reminders, no year-end closing
	levelDue       time.Time        // when the level under review is due; zero: counted as before (calendar days from levelSince)
	failures       int              // side effects that failed for good so far: numbers their records
	stepDue        time.Time        // the due time of the step awaited, when it was moved (changeLateStep); zero: its deadline
}

// Cycle drives an organisation's year: bilan → recommendations → drafting →
// validation → execution → closing, then starts the next year's cycle. Every
// human step is an update whose validator refuses a wrong stage before
// anything is written to history; every deadline is a timer that sends reminders.
func Cycle(ctx workflow.Context, in CycleInput) (CycleResult, error) {
	c := &cycleRun{in: in, stage: ptacycle.StageBilan}
	ctx = withActivityOptions(ctx)
	if err := c.register(ctx); err != nil {
		return CycleResult{}, err
	}
	c.calendar = workflow.GetVersion(ctx, "business-calendar", workflow.DefaultVersion, 1)
	open := activities.OpenCycleInput{OrganisationID: in.OrganisationID, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
		Year: in.Year, Deadlines: in.Deadlines, LaunchedBy: in.LaunchedBy}
	if err := workflow.ExecuteActivity(ctx, a.OpenCycle, open).Get(ctx, &c.info); err != nil {
		return CycleResult{}, err
	}
	c.chain = c.info.Chain
	if err := c.setStage(ctx, ptacycle.StageBilan); err != nil {
		return CycleResult{}, err
	}
	c.opened = true // from now on a step recorded by a handler cannot race the bilan's own
	bilan := activities.ComputeBilanInput{OrganisationID: in.OrganisationID, CycleID: c.info.CycleID, PreviousPlanID: c.info.PreviousPlanID}
	if err := c.sideEffect(ctx, activities.OpComputeBilan, func(ctx workflow.Context) error {
		return workflow.ExecuteActivity(ctx, a.ComputeBilan, bilan).Get(ctx, &c.rates)
	}); err != nil {
		return CycleResult{}, err
	}
	// A year recorded after it ended (history entered afterwards, the seed's
	// 2024 in a later year) has nobody to remind and closes when the
	// coordinator says so; cycles started before this rule keep the old one.
	if workflow.GetVersion(ctx, "retroactive-cycles", workflow.DefaultVersion, 1) == 1 && !workflow.Now(ctx).Before(c.info.YearEnd) {
		c.retroactive = true
	} else {
		workflow.Go(ctx, func(ctx workflow.Context) {
			if workflow.Sleep(ctx, c.info.YearEnd.Sub(workflow.Now(ctx))) == nil {
				c.yearEnded = true
			}
		})
	}

	for !c.yearEnded && !c.closeRequested {
		if err := c.runStage(ctx); err != nil {
			return CycleResult{}, err
		}
	}
	return c.close(ctx)
}

// runStage waits for the current stage to end, reminding whoever must act.
func (c *cycleRun) runStage(ctx workflow.Context) error {
	stage := c.stage
	left := func() bool { return c.stage != stage || c.yearEnded || c.closeRequested }
	coordinatorStep := func(key string, label ptacycle.Label, due time.Time) step {
		s := step{key: key, label: label, due: due, roles: []ptacycle.Role{ptacycle.RoleCoordinator}}
		if len(c.chain) > 0 { // the ministry hears of a committee's late step
			s.escalateUsers = []int64{c.chain[0].ApproverID}
		}
		return s
	}
	switch stage {
	case ptacycle.StageBilan:
		return c.awaitStep(ctx, coordinatorStep("bilan", stepBilan, c.info.BilanDue), left)
	case ptacycle.StageRecommendations:
		return c.awaitStep(ctx, coordinatorStep("recommendations", stepRecommendations, c.info.RecommendationsDue), left)
	case ptacycle.StageDrafting:
		if c.revising { // a mid-year revision has no deadline of its own
			c.details(ctx, fmt.Sprintf("Mid-year revision of the %d plan: waiting for the coordinators to submit it again", c.in.Year))
			return workflow.Await(ctx, left)
		}
		s := coordinatorStep(fmt.Sprintf("submission/v%d", c.version), stepSubmission, c.info.SubmissionDue)
		if err := c.announceSendBack(ctx, s); err != nil {
			return err
		}
		return c.awaitStep(ctx, s, left)
	case ptacycle.StageValidation:
		level, version := c.level, c.version
		moved := func() bool { return left() || c.level != level || c.version != version }
		s := c.approvalStep(ctx)
		// The approvers of the level hear at once that a version awaits them, not
		// only days later when its deadline nears. (Cycles started before this
		// change replay without it.)
		if !c.retroactive && workflow.GetVersion(ctx, changeAnnounceApproval, workflow.DefaultVersion, 1) == 1 {
			if err := c.remind(ctx, s, announcement, activities.KindStepOpen); err != nil {
				return err
			}
		}
		return c.awaitStep(ctx, s, moved)
	case ptacycle.StageExecution:
		if c.followUpsFor != c.version && !c.retroactive {
			in := activities.FollowUpsInput{OrganisationID: c.in.OrganisationID, OrganisationSlug: c.in.OrganisationSlug, Year: c.in.Year,
				CycleID: c.info.CycleID, PlanID: c.info.PlanID, Policy: c.info.Reminders}
			if err := c.sideEffect(ctx, activities.OpStartFollowUps, func(ctx workflow.Context) error {
				return workflow.ExecuteActivity(withBatchOptions(ctx), a.StartFollowUps, in).Get(ctx, &c.followUps)
			}); err != nil {
				return err
			}
			c.followUpsFor = c.version
			// The owners hear at once what the approved plan gives their unit to do.
			// (Cycles started before this change replay without it.)
			if workflow.GetVersion(ctx, changeAnnounceExecution, workflow.DefaultVersion, 1) == 1 {
				announce := activities.AnnounceExecutionInput{Key: fmt.Sprintf("%s/execution/v%d", workflow.GetInfo(ctx).WorkflowExecution.ID, c.version),
					OrganisationID: c.in.OrganisationID, CycleID: c.info.CycleID, PlanID: c.info.PlanID, Year: c.in.Year, Version: c.version}
				if err := c.sideEffect(ctx, activities.OpAnnounceExecution, func(ctx workflow.Context) error {
					return workflow.ExecuteActivity(ctx, a.AnnounceExecution, announce).Get(ctx, nil)
				}); err != nil {
					return err
				}
			}
		}
		c.details(ctx, fmt.Sprintf("Execution of the %d plan (version %d): %d follow-ups started; closes at the year's end, %s, or when the coordinators close it",
			c.in.Year, c.version, c.followUps, c.info.YearEnd.Format(time.RFC3339)))
		return workflow.Await(ctx, left)
	}
	return fmt.Errorf("cycle: unexpected stage %q", stage)
}

// approvalStep is the reminder schedule of the level under review: its
// approver (and delegate) must act; the coordinators and the next level's approver hear of a delay.
func (c *cycleRun) approvalStep(ctx workflow.Context) step {
	s := step{key: fmt.Sprintf("approval/v%d/l%d", c.version, c.level), label: stepApproval, level: c.level,
		due: c.levelDueAt(), escalateRoles: []ptacycle.Role{ptacycle.RoleCoordinator}}
	if c.level < len(c.chain) {
		s.escalateUsers = []int64{c.chain[c.level].ApproverID}
	}
	return s
}

// approversOf returns who may decide at level now: its approver and an active delegate.
func (c *cycleRun) approversOf(ctx workflow.Context, level int) []int64 {
	ids := []int64{c.chain[level-1].ApproverID}
	if d := c.delegation(ctx, level); d != nil {
		ids = append(ids, d.To)
	}
	return ids
}

func (c *cycleRun) delegation(ctx workflow.Context, level int) *Delegation {
	now := workflow.Now(ctx)
	for i := len(c.delegations) - 1; i >= 0; i-- {
		if d := c.delegations[i]; d.Level == level && now.Before(d.Until) {
			return &c.delegations[i]
		}
	}
	return nil
}

// step is a human step with a deadline: who must act, who hears of a delay.
type step struct {
	key           string
	level         int // an approval level: its approver and current delegate must act
	label         ptacycle.Label
	due           time.Time
	roles         []ptacycle.Role
	userIDs       []int64
	escalateRoles []ptacycle.Role
	escalateUsers []int64
}

// stepReminder is the n-th reminder of a step due at due: before, on the day, then while overdue.
func stepReminder(due time.Time, p ReminderPolicy, n int) (time.Time, string) {
	switch n {
	case 0:
		return due.Add(-days(p.StepBeforeDays)), activities.KindDueSoon
	case 1:
		return due, activities.KindDueToday
	}
	return due.Add(time.Duration(n-1) * p.OverdueEvery), activities.KindOverdue
}

// awaitStep waits until done, sending the step's reminders as their times
// come. Reminders whose time passed before the wait began are collapsed into
// the latest one, sent at once. Each time is counted in the organisation's
// time zone and moved off weekends and holidays before it is compared with
// now; steps begun before that change keep their schedule (awaitStepBefore).
func (c *cycleRun) awaitStep(ctx workflow.Context, s step, done func() bool) error {
	if c.retroactive {
		return workflow.Await(ctx, done)
	}
	if workflow.GetVersion(ctx, changeStepSchedule, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return c.awaitStepBefore(ctx, s, done)
	}
	if workflow.GetVersion(ctx, changeLateStep, workflow.DefaultVersion, 1) == 1 {
		// The bilan is possible from the opening, whose deadlines OpenCycle
		// already moved; a later step begun after its deadline gets the grace.
		if begun := workflow.Now(ctx); s.key != "bilan" && s.due.Before(begun) {
			s.due = begun.Add(days(max(c.info.Reminders.StepBeforeDays, 1)))
			c.stepDue = s.due
			defer func() { c.stepDue = time.Time{} }()
		}
	}
	when, kind, err := c.reminderAt(ctx, s, 0)
	if err != nil {
		return err
	}
	for n := 0; !done(); n++ {
		next, nextKind, err := c.reminderAt(ctx, s, n+1)
		if err != nil {
			return err
		}
		if now := workflow.Now(ctx); next.After(now) {
			c.details(ctx, fmt.Sprintf("Waiting for %s (%s), due %s; next reminder (%s) at %s",
				s.label.EN, s.key, s.due.Format(time.RFC3339), kind, when.Format(time.RFC3339)))
			if when.After(now) {
				ok, err := workflow.AwaitWithTimeout(ctx, when.Sub(now), done)
				if err != nil || ok {
					return err
				}
			}
			if err := c.remind(ctx, s, n, kind); err != nil {
				return err
			}
		}
		when, kind = next, nextKind
	}
	return nil
}

// reminderAt is when the n-th reminder of step s goes out: its time counted
// from the deadline on the organisation's calendar, moved to the working day
// before if it falls on a weekend or holiday (as it is when that cannot be known).
func (c *cycleRun) reminderAt(ctx workflow.Context, s step, n int) (time.Time, string, error) {
	at, kind := stepReminder(s.due, c.info.Reminders, n)
	in := activities.WorkingDayInput{OrganisationID: c.in.OrganisationID, At: at, Due: s.due}
	when := at
	err := c.sideEffect(ctx, activities.OpWorkingDay, func(ctx workflow.Context) error {
		return workflow.ExecuteActivity(ctx, a.WorkingDay, in).Get(ctx, &when)
	})
	return when, kind, err
}

// awaitStepBefore is awaitStep as cycles started before changeStepSchedule
// run it: it skips a reminder on unadjusted times but waits on adjusted ones.
func (c *cycleRun) awaitStepBefore(ctx workflow.Context, s step, done func() bool) error {
	for n := 0; !done(); n++ {
		when, kind := stepReminder(s.due, c.info.Reminders, n)
		now := workflow.Now(ctx)
		if next, _ := stepReminder(s.due, c.info.Reminders, n+1); !next.After(now) {
			continue
		}
		if c.calendar == 1 {
			in := activities.WorkingDayInput{OrganisationID: c.in.OrganisationID, At: when}
			if err := c.sideEffect(ctx, activities.OpWorkingDay, func(ctx workflow.Context) error {
				return workflow.ExecuteActivity(ctx, a.WorkingDay, in).Get(ctx, &when)
			}); err != nil {
				return err
			}
		}
		if when.After(now) {
			ok, err := workflow.AwaitWithTimeout(ctx, when.Sub(now), done)
			if err != nil || ok {
				return err
			}
		}
		if err := c.remind(ctx, s, n, kind); err != nil {
			return err
		}
	}
	return nil
}

// changeAnnounceApproval versions the announcement of a version to its approvers.
const changeAnnounceApproval = "announce-approval"

// changeAnnounceDelegation versions the notice to the delegate of the level under review.
const changeAnnounceDelegation = "announce-delegation"

// changeAnnounceExecution versions the notice of an approved plan to the owners.
const changeAnnounceExecution = "announce-execution"

// changeAnnounceSendBack versions the notice of a send-back to the coordinators.
const changeAnnounceSendBack = "announce-send-back"

// changeStepSchedule versions the steps' reminder times counted in the
// organisation's zone and compared with now once moved off weekends and holidays.
const changeStepSchedule = "step-schedule"

// changeApprovalWorkingDays versions approval deadlines counted in working
// days at the organisation's usual hour.
const changeApprovalWorkingDays = "approval-working-days"

// changeLateStep versions the grace of a step that becomes possible only
// after its deadline (the bilan closed late, a plan sent back after the
// submission deadline): it is due StepBeforeDays after it began, so that
// nobody, the ministry least of all, is told at once that a step nobody
// could take yet is late.
const changeLateStep = "late-step-grace"

// announceSendBack tells the coordinators at once that the version they
// submitted was sent back, with the approver's comment, when that is why
// the plan is being drafted again.
func (c *cycleRun) announceSendBack(ctx workflow.Context, s step) error {
	if c.retroactive || len(c.decisions) == 0 {
		return nil
	}
	last := c.decisions[len(c.decisions)-1]
	if last.Outcome != ptacycle.OutcomeSentBack || last.Version != c.version ||
		workflow.GetVersion(ctx, changeAnnounceSendBack, workflow.DefaultVersion, 1) != 1 {
		return nil
	}
	in := activities.RemindInput{Key: fmt.Sprintf("%s/sent-back/v%d", workflow.GetInfo(ctx).WorkflowExecution.ID, c.version),
		OrganisationID: c.in.OrganisationID, CycleID: c.info.CycleID, Kind: activities.KindSentBack, Step: s.label, Due: s.due,
		Roles: s.roles, Comment: last.Comment}
	return c.sendReminder(ctx, in)
}

// announcement is the number of the reminder that announces a step as it opens.
const announcement = -1

func (c *cycleRun) remind(ctx workflow.Context, s step, n int, kind string) error {
	key := fmt.Sprintf("%s/%s/%d", workflow.GetInfo(ctx).WorkflowExecution.ID, s.key, n)
	if n == announcement {
		key = fmt.Sprintf("%s/%s/open", workflow.GetInfo(ctx).WorkflowExecution.ID, s.key)
	}
	in := activities.RemindInput{Key: key, OrganisationID: c.in.OrganisationID, CycleID: c.info.CycleID, Kind: kind,
		Step: s.label, Due: s.due, Roles: s.roles, UserIDs: s.userIDs}
	if s.level > 0 { // a delegation made since the level began counts
		in.UserIDs = c.approversOf(ctx, s.level)
	}
	if err := c.sendReminder(ctx, in); err != nil {
		return err
	}
	if kind != activities.KindOverdue || (len(s.escalateRoles) == 0 && len(s.escalateUsers) == 0) {
		return nil
	}
	in.Key, in.Kind, in.Roles, in.UserIDs = key+"/escalation", activities.KindEscalation, s.escalateRoles, s.escalateUsers
	return c.sendReminder(ctx, in)
}

// sendReminder writes a reminder (a side effect: a failure is recorded, and the cycle goes on).
func (c *cycleRun) sendReminder(ctx workflow.Context, in activities.RemindInput) error {
	return c.sideEffectOf(ctx, activities.FailureInput{Operation: activities.OpRemind, ReminderKind: in.Kind}, func(ctx workflow.Context) error {
		return workflow.ExecuteActivity(ctx, a.Remind, in).Get(ctx, nil)
	})
}

// setStage moves to stage s at once (the main loop and the validators see it
// with the rest of the handler's state), then records it in the search
// attributes and in PostgreSQL; a projection that fails for good is recorded
// and the next stage's projection catches up.
func (c *cycleRun) setStage(ctx workflow.Context, s ptacycle.Stage) error {
	c.stage = s
	if err := workflow.UpsertTypedSearchAttributes(ctx, searchattrs.Stage.ValueSet(string(s))); err != nil {
		return err
	}
	in := activities.RecordStageInput{OrganisationID: c.in.OrganisationID, CycleID: c.info.CycleID, Stage: s}
	return c.sideEffect(ctx, activities.OpRecordStage, func(ctx workflow.Context) error {
		return workflow.ExecuteActivity(ctx, a.RecordStage, in).Get(ctx, nil)
	})
}

// close stops the follow-ups, stores the final rate, closes the cycle and
// starts next year's cycle, whose bilan reviews the plan just closed.
func (c *cycleRun) close(ctx workflow.Context) (CycleResult, error) {
	// Wait for a handler in flight (a decision being recorded) before closing under it.
	if err := workflow.Await(ctx, func() bool { return !c.busy }); err != nil {
		return CycleResult{}, err
	}
	c.busy = true
	steps := activities.StepInput{OrganisationID: c.in.OrganisationID, CycleID: c.info.CycleID, PlanID: c.info.PlanID, UserID: c.closedBy}
	if c.followUpsFor > 0 { // a follow-up also ends by itself, at its next reminder, once the cycle is closed
		in := activities.FollowUpsInput{OrganisationID: c.in.OrganisationID, OrganisationSlug: c.in.OrganisationSlug, Year: c.in.Year,
			CycleID: c.info.CycleID, PlanID: c.info.PlanID}
		if err := c.sideEffect(ctx, activities.OpStopFollowUps, func(ctx workflow.Context) error {
			return workflow.ExecuteActivity(withBatchOptions(ctx), a.StopFollowUps, in).Get(ctx, nil)
		}); err != nil {
			return CycleResult{}, err
		}
	}
	if err := workflow.ExecuteActivity(ctx, a.FinalizeCycle, steps).Get(ctx, &c.finalRate); err != nil {
		return CycleResult{}, err
	}
	c.stage = ptacycle.StageClosed
	if err := workflow.UpsertTypedSearchAttributes(ctx, searchattrs.Stage.ValueSet(string(ptacycle.StageClosed))); err != nil {
		return CycleResult{}, err
	}
	c.busy = false
	c.details(ctx, fmt.Sprintf("Closed with an execution rate of %d %%; starting the %d cycle", c.finalRate.Rounded, c.in.Year+1))
	if err := c.sideEffect(ctx, activities.OpStartNextYear, c.startNextYear); err != nil {
		return CycleResult{}, err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return CycleResult{}, err
	}
	return CycleResult{Year: c.in.Year, FinalRate: c.finalRate}, nil
}

// startNextYear starts year+1's cycle as an abandoned child: it outlives this
// one, under its own id (the id names the year, which continue-as-new would
// keep). A next year already launched by hand, running or closed, is left as it is.
func (c *cycleRun) startNextYear(ctx workflow.Context) error {
	next := c.in.Year + 1
	opts := workflow.ChildWorkflowOptions{
		WorkflowID:        ptacycle.CycleWorkflowID(c.in.OrganisationSlug, next),
		TaskQueue:         ptacycle.TaskQueue,
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		// A next year that already ran (recorded out of order, or this year reset) is never started again.
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(searchattrs.Organisation.ValueSet(c.in.OrganisationSlug),
			searchattrs.Year.ValueSet(int64(next)), searchattrs.Stage.ValueSet(string(ptacycle.StageBilan))),
	}
	child := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, opts), ptacycle.CycleWorkflowName,
		CycleInput{OrganisationID: c.in.OrganisationID, OrganisationSlug: c.in.OrganisationSlug, Year: next})
	err := child.GetChildWorkflowExecution().Get(ctx, nil)
	if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return nil
	}
	return err
}

// status answers the status query and every update.
func (c *cycleRun) status(ctx workflow.Context) CycleStatus {
	s := CycleStatus{Opened: c.opened, Retroactive: c.retroactive, Year: c.in.Year, Stage: c.stage, CycleID: c.info.CycleID, PlanID: c.info.PlanID, Revising: c.revising,
		Version: c.version, VersionID: c.versionID, Level: c.level, Decisions: c.decisions, Delegations: c.delegations,
		Rates: c.rates, FollowUps: c.followUps,
		Deadlines: map[string]time.Time{"bilan": c.info.BilanDue, "recommendations": c.info.RecommendationsDue,
			"submission": c.info.SubmissionDue, "yearEnd": c.info.YearEnd}}
	coordinators := []ptacycle.Role{ptacycle.RoleCoordinator}
	switch c.stage {
	case ptacycle.StageBilan:
		s.Pending = &PendingStep{Step: "closeBilan", Label: stepBilan, Roles: coordinators, Due: c.info.BilanDue}
	case ptacycle.StageRecommendations:
		s.Pending = &PendingStep{Step: "adoptRecommendations", Label: stepRecommendations, Roles: coordinators, Due: c.info.RecommendationsDue}
	case ptacycle.StageDrafting:
		s.Pending = &PendingStep{Step: "submitPlan", Label: stepSubmission, Roles: coordinators}
		if !c.revising {
			s.Pending.Due = c.info.SubmissionDue
		}
	case ptacycle.StageValidation:
		if c.level > 0 && c.level <= len(c.chain) {
			s.Pending = &PendingStep{Step: "decide", Label: stepApproval, Roles: []ptacycle.Role{ptacycle.RoleApprover},
				UserIDs: c.approversOf(ctx, c.level), Level: c.level, Due: c.levelDueAt()}
		}
	case ptacycle.StageExecution:
		s.Pending = &PendingStep{Step: "execution", Label: stepExecution, Roles: []ptacycle.Role{ptacycle.RoleOwner, ptacycle.RoleCoordinator}}
		if !c.retroactive { // a year recorded afterwards ends when the coordinator closes it
			s.Pending.Due = c.info.YearEnd
		}
	}
	if s.Pending != nil && !c.stepDue.IsZero() { // a step begun after its deadline is due after its grace
		s.Pending.Due = c.stepDue
	}
	return s
}

// startLevel opens approval level n of the version under review, now: its
// deadline is its chain's number of working days later, at the organisation's
// usual hour (levels begun before that change count calendar days from their
// start, see levelDueAt).
func (c *cycleRun) startLevel(ctx workflow.Context, n int) {
	c.level, c.levelSince, c.levelDue = n, workflow.Now(ctx), time.Time{}
	if workflow.GetVersion(ctx, changeApprovalWorkingDays, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	in := activities.ApprovalDueInput{OrganisationID: c.in.OrganisationID, Since: c.levelSince, WorkingDays: c.chain[n-1].DeadlineDays,
		Hour: c.info.Reminders.ReminderHourOfDay, Until: c.info.YearEnd}
	var due time.Time
	if err := workflow.ExecuteActivity(ctx, a.ApprovalDue, in).Get(ctx, &due); err == nil {
		c.levelDue = due
	} else {
		workflow.GetLogger(ctx).Warn("approval deadline counted in calendar days", "level", n, "error", err)
	}
}

// levelDueAt is when the level under review is due.
func (c *cycleRun) levelDueAt() time.Time {
	if !c.levelDue.IsZero() {
		return c.levelDue
	}
	return c.levelSince.Add(days(c.chain[c.level-1].DeadlineDays))
}

// details says in words, in Temporal's tools, what the cycle waits for.
func (c *cycleRun) details(ctx workflow.Context, what string) {
	workflow.SetCurrentDetails(ctx, fmt.Sprintf("%s — cycle %d of %s, stage %s", what, c.in.Year, c.in.OrganisationSlug, c.stage))
}

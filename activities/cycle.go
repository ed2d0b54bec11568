package activities

import (
	"context"
	"time"

	"github.com/ptacycle/ptacycle"
)

// ReminderPolicy says when reminders go out.
type ReminderPolicy struct {
	StepBeforeDays    int           // cycle steps: a reminder this many days before the deadline, and one on the day
	ActivityOffsets   []int         // activities: days before the due date (J−14, J−3, J0)
	OverdueEvery      time.Duration // then every so often while overdue
	EscalateAfter     int           // activities: escalate to the coordinators from this overdue reminder on
	ReminderHourOfDay int           // local hour at which dated reminders go out
}

// DefaultReminderPolicy is J−14, J−3, J0, then weekly, escalating from the second overdue reminder.
func DefaultReminderPolicy() ReminderPolicy {
	return ReminderPolicy{StepBeforeDays: 3, ActivityOffsets: []int{14, 3, 0}, OverdueEvery: 7 * 24 * time.Hour, EscalateAfter: 2, ReminderHourOfDay: 8}
}

// OpenCycleInput opens an organisation's cycle of a year.
type OpenCycleInput struct {
	OrganisationID int64
	WorkflowID     string
	Year           int
	Deadlines      ptacycle.Deadlines
	LaunchedBy     *int64
}

// CycleInfo is what the workflow learns from the database when a cycle opens.
type CycleInfo struct {
	CycleID        int64
	PlanID         int64
	PreviousPlanID int64 // 0 when no plan of the year before exists
	Timezone       string
	// Instants at which each step is due: the deadline day at the reminder hour, local time.
	BilanDue           time.Time
	RecommendationsDue time.Time
	SubmissionDue      time.Time
	YearEnd            time.Time // 1 January of the next year, 00:00 local time
	Chain              []ptacycle.ApprovalLevel
	Reminders          ReminderPolicy
}

// orgZone is the organisation's time zone, UTC when it names none known.
func orgZone(org ptacycle.Organisation) *time.Location {
	loc, err := time.LoadLocation(org.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// OpenCycle creates the cycle's rows if missing (a retry finds them) and returns
// its ids, deadlines as instants, and a snapshot of the approval chain.
func (a *Activities) OpenCycle(ctx context.Context, in OpenCycleInput) (CycleInfo, error) {
	org, err := a.DB.Organisation(ctx, in.OrganisationID)
	if err != nil {
		return CycleInfo{}, domainError(err)
	}
	// A year opened late moves its usual deadlines after its opening (see FromOpening).
	deadlines := org.DeadlineDays.FromOpening(in.Year, ptacycle.DateOf(a.Clock().In(orgZone(org))))
	if !in.Deadlines.Bilan.IsZero() {
		deadlines.Bilan = in.Deadlines.Bilan
	}
	if !in.Deadlines.Recommendations.IsZero() {
		deadlines.Recommendations = in.Deadlines.Recommendations
	}
	if !in.Deadlines.Submission.IsZero() {
		deadlines.Submission = in.Deadlines.Submission
	}
	actor := ptacycle.SystemActor(org.ID)
	if in.LaunchedBy != nil {
		if actor, err = a.actor(ctx, org.ID, *in.LaunchedBy); err != nil {
			return CycleInfo{}, domainError(err)
		}
	}
	var strategyID *int64
	if s, err := a.DB.StrategyForYear(ctx, org.ID, in.Year); err == nil {
		strategyID = &s.ID
	}
	cycle, err := a.DB.EnsureCycle(ctx, actor, ptacycle.Cycle{Year: in.Year, WorkflowID: in.WorkflowID, Deadlines: deadlines, StrategyID: strategyID})
	if err != nil {
		return CycleInfo{}, domainError(err)
	}
	if cycle.Stage == ptacycle.StageClosed { // a closed year is never reopened, by a reset or a duplicate start
		return CycleInfo{}, domainError(ptacycle.Errorf(ptacycle.ECONFLICT, "Le cycle %d est clôturé : il ne peut pas être rouvert",
			"The %d cycle is closed: it cannot be reopened", in.Year))
	}
	plan, err := a.DB.Plan(ctx, org.ID, in.Year)
	if err != nil {
		return CycleInfo{}, domainError(err)
	}
	chain, err := a.DB.ApprovalChain(ctx, org.ID)
	if err != nil {
		return CycleInfo{}, domainError(err)
	}
	loc := orgZone(org)
	policy := DefaultReminderPolicy()
	info := CycleInfo{
		CycleID:            cycle.ID,
		PlanID:             plan.ID,
		Timezone:           loc.String(),
		BilanDue:           at(cycle.Deadlines.Bilan, policy.ReminderHourOfDay, loc),
		RecommendationsDue: at(cycle.Deadlines.Recommendations, policy.ReminderHourOfDay, loc),
		SubmissionDue:      at(cycle.Deadlines.Submission, policy.ReminderHourOfDay, loc),
		YearEnd:            time.Date(in.Year+1, time.January, 1, 0, 0, 0, 0, loc),
		Chain:              chain,
		Reminders:          policy,
	}
	if previous, err := a.DB.Plan(ctx, org.ID, in.Year-1); err == nil {
		info.PreviousPlanID = previous.ID
	}
	return info, nil
}

// at returns day d at hour h in loc.
func at(d ptacycle.Date, h int, loc *time.Location) time.Time {
	y, m, day := d.Time().Date()
	return time.Date(y, m, day, h, 0, 0, 0, loc)
}

// ComputeBilanInput names the plan under review.
type ComputeBilanInput struct {
	OrganisationID int64
	CycleID        int64
	PreviousPlanID int64
}

// ComputeBilan computes the execution rate of last year's plan, overall and by
// axis, unit and region, and stores it in the bilan. Without a plan of last
// year it stores nothing: the coordinator fills in the bilan by hand.
func (a *Activities) ComputeBilan(ctx context.Context, in ComputeBilanInput) (*ptacycle.RateBreakdown, error) {
	if in.PreviousPlanID == 0 {
		return nil, nil
	}
	items, err := a.DB.RateItems(ctx, in.OrganisationID, in.PreviousPlanID)
	if err != nil {
		return nil, domainError(err)
	}
	rates := ptacycle.ComputeBreakdown(items)
	if err := a.DB.StoreBilanRates(ctx, ptacycle.SystemActor(in.OrganisationID), in.CycleID, rates); err != nil {
		return nil, domainError(err)
	}
	return &rates, nil
}

// StepInput names a cycle and the user taking a step.
type StepInput struct {
	OrganisationID int64
	CycleID        int64
	PlanID         int64
	UserID         int64
}

// CloseBilan marks the bilan closed.
func (a *Activities) CloseBilan(ctx context.Context, in StepInput) error {
	actor, err := a.actor(ctx, in.OrganisationID, in.UserID)
	if err != nil {
		return domainError(err)
	}
	return domainError(a.DB.CloseBilan(ctx, actor, in.CycleID))
}

// AdoptInput lists the recommendations adopted.
type AdoptInput struct {
	StepInput
	RecommendationIDs []int64
}

// AdoptRecommendations marks the listed recommendations adopted, freezing the list.
func (a *Activities) AdoptRecommendations(ctx context.Context, in AdoptInput) error {
	actor, err := a.actor(ctx, in.OrganisationID, in.UserID)
	if err != nil {
		return domainError(err)
	}
	return domainError(a.DB.AdoptRecommendations(ctx, actor, in.CycleID, in.RecommendationIDs))
}

// SubmittedPlan is a frozen version and the approval chain it goes through.
type SubmittedPlan struct {
	Version ptacycle.PlanVersion
	Chain   []ptacycle.ApprovalLevel
}

// FreezePlan checks the draft plan in the database and freezes it as the next
// version, returning it with the organisation's current approval chain. An
// invalid plan gives a non-retryable EINVALID listing the problems; an
// organisation without approval chain, ECONFLICT.
func (a *Activities) FreezePlan(ctx context.Context, in StepInput) (SubmittedPlan, error) {
	actor, err := a.actor(ctx, in.OrganisationID, in.UserID)
	if err != nil {
		return SubmittedPlan{}, domainError(err)
	}
	chain, err := a.DB.ApprovalChain(ctx, in.OrganisationID)
	if err != nil {
		return SubmittedPlan{}, domainError(err)
	}
	if len(chain) == 0 {
		return SubmittedPlan{}, domainError(ptacycle.Errorf(ptacycle.ECONFLICT,
			"Aucune chaîne de validation n'est configurée : l'administrateur doit désigner au moins un valideur",
			"No approval chain is configured: the administrator must name at least one approver"))
	}
	v, err := a.DB.FreezePlan(ctx, actor, in.PlanID)
	return SubmittedPlan{Version: v, Chain: chain}, domainError(err)
}

// DelegationInput records that an approver handed their level to another.
type DelegationInput struct {
	OrganisationID int64
	CycleID        int64
	Level          int
	From, To       int64
	Until          time.Time
}

// RecordDelegation writes the delegation to the audit log, as the approver who delegates.
func (a *Activities) RecordDelegation(ctx context.Context, in DelegationInput) error {
	actor, err := a.actor(ctx, in.OrganisationID, in.From)
	if err != nil {
		return domainError(err)
	}
	if _, err := a.DB.User(ctx, in.OrganisationID, in.To); err != nil {
		return domainError(err)
	}
	return domainError(a.DB.RecordEvent(ctx, actor, "delegate", "cycle", in.CycleID,
		map[string]any{"level": in.Level, "to": in.To, "until": in.Until}))
}

// DecisionInput is an approver's decision to record.
type DecisionInput struct {
	OrganisationID int64
	Decision       ptacycle.Decision
	Final          bool // the last level of the chain: approval approves the plan
}

// RecordDecision stores the decision and its effect on the plan.
func (a *Activities) RecordDecision(ctx context.Context, in DecisionInput) (ptacycle.Decision, error) {
	actor, err := a.actor(ctx, in.OrganisationID, in.Decision.ApproverID)
	if err != nil {
		return in.Decision, domainError(err)
	}
	d, err := a.DB.RecordDecision(ctx, actor, in.Decision, in.Final)
	return d, domainError(err)
}

// ReopenPlan makes the approved plan a draft again for a mid-year revision.
func (a *Activities) ReopenPlan(ctx context.Context, in StepInput) error {
	actor, err := a.actor(ctx, in.OrganisationID, in.UserID)
	if err != nil {
		return domainError(err)
	}
	return domainError(a.DB.ReopenPlan(ctx, actor, in.PlanID))
}

// CloseCheckInput asks whether a cycle may close now.
type CloseCheckInput struct {
	StepInput
	YearOver bool // the year is over (a cycle recorded afterwards): unfinished activities stay unfinished
}

// CheckClosable refuses to close a cycle early while activities are unfinished.
func (a *Activities) CheckClosable(ctx context.Context, in CloseCheckInput) error {
	if in.YearOver {
		return nil
	}
	n, err := a.DB.UnfinishedActivities(ctx, in.OrganisationID, in.PlanID)
	if err != nil {
		return domainError(err)
	}
	if n > 0 {
		return domainError(ptacycle.Errorf(ptacycle.ECONFLICT,
			"%d activité(s) ne sont ni réalisées ni annulées : le cycle se clôturera le 31 décembre",
			"%d activities are neither done nor cancelled: the cycle will close on 31 December", n))
	}
	return nil
}

// FinalizeCycle computes the plan's final execution rate, stores it and closes the cycle.
func (a *Activities) FinalizeCycle(ctx context.Context, in StepInput) (ptacycle.Rate, error) {
	items, err := a.DB.RateItems(ctx, in.OrganisationID, in.PlanID)
	if err != nil {
		return ptacycle.Rate{}, domainError(err)
	}
	rate := ptacycle.ComputeRate(items)
	actor, err := a.actor(ctx, in.OrganisationID, in.UserID)
	if err != nil {
		return rate, domainError(err)
	}
	return rate, domainError(a.DB.CloseCycle(ctx, actor, in.CycleID, rate.Percent))
}

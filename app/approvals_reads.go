package app

import (
	"context"
	"slices"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/workflows"
)

// ValidationData is the approval page's: the chain, the plan's versions and
// the decisions taken, the latest version with its content and what changed
// since the one before, who decides now, and what the actor may do there.
type ValidationData struct {
	YearPlan
	StatusError string // why the workflow did not answer; Level is then deduced from the decisions
	Directory
	Chain     []ptacycle.ApprovalLevel
	Versions  []ptacycle.PlanVersion // oldest first
	Decisions []ptacycle.Decision    // oldest first
	Latest    *ptacycle.PlanVersion  // nil before the first submission
	Content   ptacycle.PlanSnapshot  // the latest version's
	Changes   []ptacycle.PlanChange  // from the version before the latest, if any
	Axes      []ptacycle.Axis        // of the strategy covering the year, which Changes may name
	// Level is the approval level awaited (0 outside validation), which
	// Deciders may decide by Due.
	Level       int
	Deciders    []int64
	Due         time.Time
	Delegations []workflows.Delegation
	CanDecide   bool // the actor is one of the Deciders
	// MayDelegate: the actor is an approver and the plan is not approved
	// yet; Delegates are the other active approvers they may hand a level to.
	MayDelegate bool
	Delegates   []ptacycle.User
}

// Page reads the approval of the actor's plan of year for its page: from
// PostgreSQL, and from the workflow who decides now; when Temporal does not
// answer, the level awaited is deduced from the decisions stored.
func (p Approvals) Page(ctx context.Context, a Actor, year int) (ValidationData, error) {
	yp, err := Plans(p).Of(ctx, a, year)
	if err != nil {
		return ValidationData{}, err
	}
	org, planID := yp.Org.ID, yp.Plan.ID
	view := p.view(ctx, yp.Org, yp.Cycle)
	data := ValidationData{YearPlan: yp, StatusError: view.StatusError}
	if data.Directory, err = p.directory(ctx, org); err != nil {
		return data, err
	}
	if data.Chain, err = p.db.ApprovalChain(ctx, org); err != nil {
		return data, err
	}
	if data.Versions, err = p.db.PlanVersions(ctx, org, planID); err != nil {
		return data, err
	}
	if data.Decisions, err = p.db.Decisions(ctx, org, planID); err != nil {
		return data, err
	}
	if len(data.Versions) > 0 {
		if err := p.latest(ctx, &data); err != nil {
			return data, err
		}
	}
	if st := view.Status; st != nil {
		data.Delegations = st.Delegations
		if st.Stage == ptacycle.StageValidation && st.Pending != nil {
			data.Level, data.Deciders, data.Due = st.Level, st.Pending.UserIDs, st.Pending.Due
		}
	} else if yp.Cycle.Stage == ptacycle.StageValidation && data.Latest != nil {
		data.Level = 1 // the levels approve in order: the next one after those that approved this version
		for _, d := range data.Decisions {
			if d.PlanVersionID == data.Latest.ID && d.Outcome == ptacycle.OutcomeApproved && d.Level >= data.Level {
				data.Level = d.Level + 1
			}
		}
		if data.Level <= len(data.Chain) {
			data.Deciders = []int64{data.Chain[data.Level-1].ApproverID}
		}
	}
	approver := a.User.Role == ptacycle.RoleApprover
	data.CanDecide = data.Level > 0 && approver && slices.Contains(data.Deciders, a.User.ID)
	// Delegating serves the approval: offered until the plan is approved.
	data.MayDelegate = approver && yp.Cycle.Stage != ptacycle.StageExecution && yp.Cycle.Stage != ptacycle.StageClosed
	if data.MayDelegate {
		data.Delegates, err = p.delegates(ctx, a)
	}
	return data, err
}

// latest reads the latest version's content and its changes since the one before.
func (p Approvals) latest(ctx context.Context, data *ValidationData) error {
	v := data.Versions[len(data.Versions)-1]
	org, planID := data.Org.ID, data.Plan.ID
	_, content, err := p.db.VersionSnapshot(ctx, org, planID, v.Number)
	if err != nil {
		return err
	}
	data.Latest, data.Content = &v, content
	if v.Number < 2 {
		return nil
	}
	_, previous, err := p.db.VersionSnapshot(ctx, org, planID, v.Number-1)
	if err != nil {
		return err
	}
	data.Changes = ptacycle.DiffPlans(previous, content)
	if strategy, err := p.db.StrategyForYear(ctx, org, data.Plan.Year); err == nil { // without it, axes go unnamed
		data.Axes = strategy.Axes
	}
	return nil
}

// delegates are the organisation's active approvers but the actor.
func (p Approvals) delegates(ctx context.Context, a Actor) ([]ptacycle.User, error) {
	approvers, err := p.db.Users(ctx, a.org(), ptacycle.RoleApprover)
	return slices.DeleteFunc(approvers, func(u ptacycle.User) bool { return !u.Active || u.ID == a.User.ID }), err
}

// Approver reads an approver of the actor's organisation, for an approver
// (to name whom they delegated to). ENOTFOUND for anyone else.
func (p Approvals) Approver(ctx context.Context, a Actor, id int64) (ptacycle.User, error) {
	if err := a.may(Decide); err != nil {
		return ptacycle.User{}, err
	}
	u, err := p.db.User(ctx, a.org(), id)
	if err == nil && u.Role != ptacycle.RoleApprover {
		return ptacycle.User{}, ptacycle.Errorf(ptacycle.ENOTFOUND, "Aucun valideur n°%d", "No approver #%d", id)
	}
	return u, err
}

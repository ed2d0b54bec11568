package app

import (
	"context"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/workflows"
)

// Approvals are an approver's steps on a submitted plan: decide, delegate.
// Which approver may decide which level of which version is the workflow's
// rule (its validator knows the chain, the delegations and the decisions
// taken); the layer checks the role and what the request says by itself.
type Approvals struct{ *core }

// Decision is an approver's verdict on the version under review at their level.
type Decision struct {
	Level   int
	Version int
	Outcome ptacycle.Outcome
	Comment string
}

// Decide records the actor's decision on the plan of year.
func (p Approvals) Decide(ctx context.Context, a Actor, year int, d Decision, request string) (workflows.CycleStatus, error) {
	return p.step(ctx, a, Decide, year, workflows.UpdateDecide, request, func(Year) (any, error) {
		// The workflow's validator checks the same; checking first words it
		// on the fields and works while Temporal is away.
		if err := (ptacycle.Decision{Outcome: d.Outcome, Comment: d.Comment, Level: d.Level}).Validate(); err != nil {
			return nil, err
		}
		return workflows.DecideRequest{UserID: a.User.ID, Level: d.Level, Version: d.Version, Outcome: d.Outcome, Comment: d.Comment}, nil
	})
}

// Delegation hands the actor's approval level to another approver until a day (included).
type Delegation struct {
	Level int
	To    int64
	Until ptacycle.Date
}

// Delegate records the actor's delegation on the plan of year. The delegate
// is an active approver of the organisation; the workflow refuses one who
// holds another level.
func (p Approvals) Delegate(ctx context.Context, a Actor, year int, d Delegation, request string) (workflows.CycleStatus, error) {
	return p.step(ctx, a, Decide, year, workflows.UpdateDelegate, request, func(y Year) (any, error) {
		var v ptacycle.Validation
		if d.To <= 0 {
			v.Add("to", "Choisissez le valideur à qui déléguer", "Choose the approver to delegate to")
		} else if to, err := p.db.User(ctx, y.Org.ID, d.To); err != nil || to.Role != ptacycle.RoleApprover || !to.Active {
			v.Add("to", "La délégation se fait à un valideur actif de l'organisation", "Delegate to an active approver of the organisation")
		}
		if d.Until.IsZero() {
			v.Add("until", "Indiquez jusqu'à quelle date la délégation vaut", "Say until when the delegation holds")
		}
		if err := v.Err(); err != nil {
			return nil, err
		}
		return workflows.DelegateRequest{UserID: a.User.ID, Level: d.Level, To: d.To, Until: d.Until.AddDays(1).Time()}, nil
	})
}

// Decisions lists the decisions taken on year's plan, oldest first.
func (p Approvals) Decisions(ctx context.Context, a Actor, year int) ([]ptacycle.Decision, error) {
	y, err := Cycles(p).Of(ctx, a, year)
	if err != nil {
		return nil, err
	}
	plan, err := p.db.Plan(ctx, y.Org.ID, y.Year)
	if err != nil {
		return nil, err
	}
	return p.db.Decisions(ctx, y.Org.ID, plan.ID)
}

package app

import (
	"context"
	"errors"
	"strings"

	"go.temporal.io/api/serviceerror"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/workflows"
)

// The human steps of a cycle are updates of its workflow, whose validators
// hold the stage rules of the process (the workflow is where the stage
// lives). Each step here checks who may take it, builds what the workflow
// needs from the database, and sends it under an id made of the
// organisation, the user, the step and the caller's request id
// (workflows.StepID): sent again, a step is taken once, and nobody else's
// request can answer it. A step accepted but still running after
// Deps.StepWait comes back as *workflows.StepRunning.

// CloseBilan closes the bilan of year: its rates are computed and frozen.
func (c Cycles) CloseBilan(ctx context.Context, a Actor, year int, request string) (workflows.CycleStatus, error) {
	return c.step(ctx, a, EditBilan, year, workflows.UpdateCloseBilan, request, func(Year) (any, error) {
		return workflows.CloseBilanRequest{UserID: a.User.ID}, nil
	})
}

// CloseBilanWith closes the bilan of year after saving typed, the record
// the editor's form still held, where it differs from the stored one: a
// close never discards what was typed. A record refused, or typed over an
// older version, leaves the bilan open and unchanged.
func (c Cycles) CloseBilanWith(ctx context.Context, a Actor, year int, typed ptacycle.Bilan, request string) (workflows.CycleStatus, error) {
	stored, err := c.Bilan(ctx, a, year)
	if err != nil {
		return workflows.CycleStatus{}, err
	}
	if !typed.SameRecord(stored) {
		if _, err := c.SaveBilan(ctx, a, year, typed); err != nil {
			return workflows.CycleStatus{}, err
		}
	}
	return c.CloseBilan(ctx, a, year, request)
}

// Adopt adopts the listed recommendations of year; the others are not retained.
func (c Cycles) Adopt(ctx context.Context, a Actor, year int, ids []int64, request string) (workflows.CycleStatus, error) {
	return c.step(ctx, a, EditRecommendations, year, workflows.UpdateAdoptRecommendations, request, func(Year) (any, error) {
		if ids == nil {
			ids = []int64{}
		}
		return workflows.AdoptRecommendationsRequest{UserID: a.User.ID, RecommendationIDs: ids}, nil
	})
}

// Submit submits the draft plan of year for approval; the workflow refuses
// it, before touching its history, while the plan has problems.
func (c Cycles) Submit(ctx context.Context, a Actor, year int, request string) (workflows.CycleStatus, error) {
	return c.step(ctx, a, SubmitPlan, year, workflows.UpdateSubmitPlan, request, func(y Year) (any, error) {
		plan, err := c.db.Plan(ctx, y.Org.ID, y.Year)
		if err != nil {
			return nil, err
		}
		content, err := c.db.PlanContent(ctx, y.Org.ID, plan.ID)
		if err != nil {
			return nil, err
		}
		return workflows.SubmitPlanRequest{UserID: a.User.ID, Problems: ptacycle.CheckPlan(content)}, nil
	})
}

// Revise takes a sent-back plan of year back to drafting.
func (c Cycles) Revise(ctx context.Context, a Actor, year int, request string) (workflows.CycleStatus, error) {
	return c.step(ctx, a, SubmitPlan, year, workflows.UpdateRevisePlan, request, func(Year) (any, error) {
		return workflows.RevisePlanRequest{UserID: a.User.ID}, nil
	})
}

// Close closes the year early; the workflow's validator weighs the unfinished activities.
func (c Cycles) Close(ctx context.Context, a Actor, year int, request string) (workflows.CycleStatus, error) {
	return c.step(ctx, a, SubmitPlan, year, workflows.UpdateCloseCycle, request, func(y Year) (any, error) {
		plan, err := c.db.Plan(ctx, y.Org.ID, y.Year)
		if err != nil {
			return nil, err
		}
		n, err := c.db.UnfinishedActivities(ctx, y.Org.ID, plan.ID)
		return workflows.CloseCycleRequest{UserID: a.User.ID, Unfinished: n}, err
	})
}

// StepResult is the outcome of a step the actor took under request: the
// status after it, or *workflows.StepRunning while it runs. ENOTFOUND for a
// step nobody asked for.
func (c Cycles) StepResult(ctx context.Context, a Actor, year int, name, request string) (workflows.CycleStatus, error) {
	if err := a.may(ReadCycle); err != nil {
		return workflows.CycleStatus{}, err
	}
	if !ptacycle.ValidRequestID(request) || !workflows.IsStep(name) {
		return workflows.CycleStatus{}, ptacycle.Errorf(ptacycle.ENOTFOUND, "Aucune étape %q n'a été demandée", "No step %q was asked for", name)
	}
	y, err := c.year(ctx, a, year)
	if err != nil {
		return workflows.CycleStatus{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, acceptTimeout)
	defer cancel()
	id := workflows.StepID(y.Org.Slug, a.User.ID, name, request)
	status, err := workflows.StepResult(ctx, c.temporal, y.Org.Slug, y.Year, id, max(c.stepWait/3, minResultWait))
	var running *workflows.StepRunning
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &running):
	case errors.As(err, &notFound) && !strings.Contains(err.Error(), "workflow execution already completed"):
		err = ptacycle.Errorf(ptacycle.ENOTFOUND, "Aucune étape %q n'a été demandée sous cet identifiant", "No step %q was asked for under this id", name)
	case err != nil:
		err = processError(err, y.Year)
	}
	return status, err
}

// step takes the step name on the actor's cycle of year: the permission p,
// then the request build makes from the cycle, then the update.
func (c *core) step(ctx context.Context, a Actor, p Permission, year int, name, request string, build func(Year) (any, error)) (workflows.CycleStatus, error) {
	if err := a.may(p); err != nil {
		return workflows.CycleStatus{}, err
	}
	y, err := c.year(ctx, a, year)
	if err != nil {
		return workflows.CycleStatus{}, err
	}
	arg, err := build(y)
	if err != nil {
		return workflows.CycleStatus{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, acceptTimeout+c.stepWait)
	defer cancel()
	id := workflows.StepID(y.Org.Slug, a.User.ID, name, request)
	status, err := workflows.TakeStep(ctx, c.temporal, y.Org.Slug, y.Year, id, name, arg, c.stepWait)
	var running *workflows.StepRunning
	if errors.As(err, &running) {
		return status, err
	}
	return status, processError(err, y.Year)
}

// ProcessError turns what the Temporal client says into a coded error for people.
func ProcessError(err error, year int) error { return processError(err, year) }

func processError(err error, year int) error {
	if err == nil {
		return nil
	}
	if domain := workflows.AsDomainError(err); ptacycle.ErrorCode(domain) != ptacycle.EINTERNAL {
		return domain
	}
	var stopped *workflows.CycleStopped
	if errors.As(err, &stopped) {
		state := strings.ToLower(strings.TrimPrefix(stopped.Status.String(), "WORKFLOW_EXECUTION_STATUS_"))
		return ptacycle.Errorf(ptacycle.ECONFLICT,
			"Le cycle %d s'est arrêté sur une erreur (workflow %s : %s) : aucune étape ne le fera plus avancer. L'équipe technique peut le reprendre (temporal workflow reset)",
			"The %d cycle stopped on an error (workflow %s: %s): no step will move it any more. The technical team can resume it (temporal workflow reset)",
			year, stopped.WorkflowID, state)
	}
	var notFound *serviceerror.NotFound
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	switch {
	case strings.Contains(err.Error(), "workflow execution already completed"):
		// A NotFound too, but the cycle exists: its workflow has ended.
		return ptacycle.Errorf(ptacycle.ECONFLICT, "Le cycle %d est clôturé : il n'accepte plus d'étape", "The %d cycle is closed: it takes no more steps", year)
	case errors.As(err, &notFound):
		return ptacycle.Errorf(ptacycle.ENOTFOUND, "Aucun cycle %d n'est en cours", "No %d cycle is running", year)
	case errors.As(err, &unavailable), strings.Contains(err.Error(), "connection refused"), strings.Contains(err.Error(), "Unavailable"):
		return ptacycle.Errorf(ptacycle.EUNAVAILABLE,
			"Le moteur de processus (Temporal) est momentanément injoignable : rien n'a été modifié, réessayez dans un instant",
			"The process engine (Temporal) is unreachable for now: nothing was changed, try again in a moment")
	case errors.As(err, &deadline), errors.Is(err, context.DeadlineExceeded):
		// The step may have reached the cycle: sent again with the same
		// id (a form sent again, a client's same X-Request-ID), it is taken once.
		return ptacycle.Errorf(ptacycle.EUNAVAILABLE,
			"Le moteur de processus (Temporal) est momentanément injoignable : réessayez dans un instant ; une étape envoyée à nouveau n'est jamais faite deux fois",
			"The process engine (Temporal) is unreachable for now: try again in a moment; a step sent again is never taken twice")
	}
	return err
}

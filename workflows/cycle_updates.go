package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
)

// register installs the query and the update handlers before the workflow's first blocking call.
func (c *cycleRun) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (CycleStatus, error) { return c.status(ctx), nil }); err != nil {
		return err
	}
	updates := []struct {
		name      string
		handler   any
		validator any
	}{
		{UpdateCloseBilan, c.closeBilan, c.validateCloseBilan},
		{UpdateAdoptRecommendations, c.adoptRecommendations, c.validateAdopt},
		{UpdateSubmitPlan, c.submitPlan, c.validateSubmit},
		{UpdateDecide, c.decide, c.validateDecide},
		{UpdateDelegate, c.delegate, c.validateDelegate},
		{UpdateRevisePlan, c.revisePlan, c.validateRevise},
		{UpdateCloseCycle, c.closeCycle, c.validateCloseCycle},
	}
	for _, u := range updates {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler, workflow.UpdateHandlerOptions{Validator: u.validator}); err != nil {
			return err
		}
	}
	return nil
}

// expect refuses an update unless the cycle is idle and at stage. A step of
// the first stage taken while the cycle opens is accepted: it waits for the
// opening (see run), so that a launch followed at once by a step never fails.
func (c *cycleRun) expect(stage ptacycle.Stage) error {
	switch {
	case c.busy:
		return reject(ptacycle.ECONFLICT, "Une autre action sur ce cycle est en cours : réessayez dans un instant", "Another action on this cycle is under way: try again in a moment")
	case c.stage != stage:
		return reject(ptacycle.ECONFLICT, "Action impossible à l'étape « %s » : elle se fait à l'étape « %s »",
			"Not possible at stage “%s”: it belongs to stage “%s”", c.stage.Label().FR, stage.Label().FR)
	}
	return nil
}

// run waits until the cycle is open and idle, checks again that the step
// may be taken (check: the state may have moved while it waited), then marks
// the cycle busy while fn works, so that concurrent updates are refused, not
// interleaved. Handlers get the raw workflow context: fn receives it with
// the activity options set.
func (c *cycleRun) run(ctx workflow.Context, check func() error, fn func(ctx workflow.Context) error) (CycleStatus, error) {
	if err := workflow.Await(ctx, func() bool { return c.opened && !c.busy }); err != nil {
		return c.status(ctx), err
	}
	if err := check(); err != nil {
		return c.status(ctx), err
	}
	c.busy = true
	err := fn(withActivityOptions(ctx))
	c.busy = false
	if err != nil {
		return c.status(ctx), rejectError(err)
	}
	return c.status(ctx), nil
}

// at is the check of run for a step of stage.
func (c *cycleRun) at(stage ptacycle.Stage) func() error {
	return func() error { return c.expect(stage) }
}

func (c *cycleRun) stepInput(userID int64) activities.StepInput {
	return activities.StepInput{OrganisationID: c.in.OrganisationID, CycleID: c.info.CycleID, PlanID: c.info.PlanID, UserID: userID}
}

func (c *cycleRun) validateCloseBilan(CloseBilanRequest) error { return c.expect(ptacycle.StageBilan) }

func (c *cycleRun) closeBilan(ctx workflow.Context, req CloseBilanRequest) (CycleStatus, error) {
	return c.run(ctx, c.at(ptacycle.StageBilan), func(ctx workflow.Context) error {
		if err := workflow.ExecuteActivity(ctx, a.CloseBilan, c.stepInput(req.UserID)).Get(ctx, nil); err != nil {
			return err
		}
		return c.setStage(ctx, ptacycle.StageRecommendations)
	})
}

func (c *cycleRun) validateAdopt(AdoptRecommendationsRequest) error {
	return c.expect(ptacycle.StageRecommendations)
}

func (c *cycleRun) adoptRecommendations(ctx workflow.Context, req AdoptRecommendationsRequest) (CycleStatus, error) {
	return c.run(ctx, c.at(ptacycle.StageRecommendations), func(ctx workflow.Context) error {
		if len(req.RecommendationIDs) > 0 {
			in := activities.AdoptInput{StepInput: c.stepInput(req.UserID), RecommendationIDs: req.RecommendationIDs}
			if err := workflow.ExecuteActivity(ctx, a.AdoptRecommendations, in).Get(ctx, nil); err != nil {
				return err
			}
		}
		return c.setStage(ctx, ptacycle.StageDrafting)
	})
}

func (c *cycleRun) validateSubmit(req SubmitPlanRequest) error {
	if err := c.expect(ptacycle.StageDrafting); err != nil {
		return err
	}
	return rejectError(ptacycle.PlanProblems(req.Problems))
}

func (c *cycleRun) submitPlan(ctx workflow.Context, req SubmitPlanRequest) (CycleStatus, error) {
	return c.run(ctx, c.at(ptacycle.StageDrafting), func(ctx workflow.Context) error {
		var submitted activities.SubmittedPlan
		if err := workflow.ExecuteActivity(ctx, a.FreezePlan, c.stepInput(req.UserID)).Get(ctx, &submitted); err != nil {
			return err
		}
		c.chain = submitted.Chain
		c.version, c.versionID = submitted.Version.Number, submitted.Version.ID
		c.startLevel(ctx, 1)
		return c.setStage(ctx, ptacycle.StageValidation)
	})
}

func (c *cycleRun) validateDecide(ctx workflow.Context, req DecideRequest) error {
	if err := c.expect(ptacycle.StageValidation); err != nil {
		return err
	}
	switch {
	case req.Version != c.version:
		return reject(ptacycle.ECONFLICT, "La décision porte sur la version %d du PTA, mais c'est la version %d qui est en validation",
			"The decision is about plan version %d, but version %d is under review", req.Version, c.version)
	case req.Level != c.level:
		return reject(ptacycle.ECONFLICT, "C'est au niveau %d de décider, pas au niveau %d", "Level %d decides now, not level %d", c.level, req.Level)
	case !contains(c.approversOf(ctx, c.level), req.UserID):
		return reject(ptacycle.EFORBIDDEN, "Vous n'êtes pas le valideur du niveau %d (ni son délégué)", "You are not the approver of level %d (nor their delegate)", c.level)
	}
	for _, d := range c.decisions {
		if d.Version == c.version && d.Level != req.Level && d.ApproverID == req.UserID {
			return reject(ptacycle.EFORBIDDEN, "Vous avez déjà décidé au niveau %d de cette version : le niveau %d revient à une autre personne",
				"You already decided level %d of this version: level %d is for someone else", d.Level, req.Level)
		}
	}
	return rejectError(ptacycle.Decision{Outcome: req.Outcome, Comment: req.Comment, Level: req.Level}.Validate())
}

func (c *cycleRun) decide(ctx workflow.Context, req DecideRequest) (CycleStatus, error) {
	return c.run(ctx, c.at(ptacycle.StageValidation), func(ctx workflow.Context) error {
		d := ptacycle.Decision{PlanVersionID: c.versionID, Level: req.Level, ApproverID: req.UserID, Outcome: req.Outcome, Comment: req.Comment}
		if holder := c.chain[req.Level-1].ApproverID; holder != req.UserID {
			d.OnBehalfOfID = &holder
		}
		final := req.Level == len(c.chain)
		in := activities.DecisionInput{OrganisationID: c.in.OrganisationID, Decision: d, Final: final}
		if err := workflow.ExecuteActivity(ctx, a.RecordDecision, in).Get(ctx, &d); err != nil {
			return err
		}
		c.decisions = append(c.decisions, DecisionRecord{Version: c.version, Level: d.Level, ApproverID: d.ApproverID,
			OnBehalfOfID: d.OnBehalfOfID, Outcome: d.Outcome, Comment: d.Comment, At: workflow.Now(ctx)})
		switch {
		case d.Outcome == ptacycle.OutcomeSentBack:
			c.level = 0
			return c.setStage(ctx, ptacycle.StageDrafting)
		case final:
			c.level, c.revising = 0, false
			return c.setStage(ctx, ptacycle.StageExecution)
		}
		c.startLevel(ctx, c.level+1)
		return nil
	})
}

func (c *cycleRun) validateDelegate(ctx workflow.Context, req DelegateRequest) error {
	if !c.opened || c.stage == ptacycle.StageClosed {
		return reject(ptacycle.ECONFLICT, "Ce cycle n'accepte plus de délégation", "This cycle accepts no delegation")
	}
	switch {
	case req.Level < 1 || req.Level > len(c.chain):
		return reject(ptacycle.EINVALID, "Niveau de validation %d inconnu", "Unknown approval level %d", req.Level)
	case c.chain[req.Level-1].ApproverID != req.UserID:
		return reject(ptacycle.EFORBIDDEN, "Seul le valideur du niveau %d peut le déléguer", "Only the approver of level %d can delegate it", req.Level)
	case req.To == 0 || req.To == req.UserID:
		return reject(ptacycle.EINVALID, "Choisissez un autre valideur à qui déléguer", "Choose another approver to delegate to")
	case !req.Until.After(workflow.Now(ctx)):
		return reject(ptacycle.EINVALID, "La délégation doit se terminer dans le futur", "The delegation must end in the future")
	}
	for level := 1; level <= len(c.chain); level++ {
		if level != req.Level && contains(c.approversOf(ctx, level), req.To) {
			return reject(ptacycle.EINVALID, "Cette personne valide déjà le niveau %d : elle ne peut pas recevoir aussi le niveau %d",
				"This person already approves level %d: they cannot take level %d as well", level, req.Level)
		}
	}
	return nil
}

func (c *cycleRun) delegate(ctx workflow.Context, req DelegateRequest) (CycleStatus, error) {
	return c.run(ctx, func() error { return c.delegationOpen(ctx) }, func(ctx workflow.Context) error {
		in := activities.DelegationInput{OrganisationID: c.in.OrganisationID, CycleID: c.info.CycleID, Level: req.Level,
			From: req.UserID, To: req.To, Until: req.Until}
		if err := workflow.ExecuteActivity(ctx, a.RecordDelegation, in).Get(ctx, nil); err != nil {
			return err
		}
		c.delegations = append(c.delegations, Delegation{Level: req.Level, From: req.UserID, To: req.To, Until: req.Until})
		// The delegate of the level under review hears at once that a version awaits them.
		if c.stage != ptacycle.StageValidation || req.Level != c.level || c.retroactive ||
			workflow.GetVersion(ctx, changeAnnounceDelegation, workflow.DefaultVersion, 1) != 1 {
			return nil
		}
		s := c.approvalStep(ctx)
		announce := activities.RemindInput{Key: fmt.Sprintf("%s/%s/delegated/%d", workflow.GetInfo(ctx).WorkflowExecution.ID, s.key, req.To),
			OrganisationID: c.in.OrganisationID, CycleID: c.info.CycleID, Kind: activities.KindStepOpen, Step: s.label, Due: s.due, UserIDs: []int64{req.To}}
		return workflow.ExecuteActivity(ctx, a.Remind, announce).Get(ctx, nil)
	})
}

// changeDelegateAfterClose versions refusing a delegation that waited for
// the closing to finish (it was recorded after the close).
const changeDelegateAfterClose = "delegate-after-close"

// delegationOpen refuses a delegation once the cycle closes or is closing.
func (c *cycleRun) delegationOpen(ctx workflow.Context) error {
	if (c.stage == ptacycle.StageClosed || c.closeRequested || c.yearEnded) &&
		workflow.GetVersion(ctx, changeDelegateAfterClose, workflow.DefaultVersion, 1) == 1 {
		return reject(ptacycle.ECONFLICT, "Ce cycle n'accepte plus de délégation", "This cycle accepts no delegation")
	}
	return nil
}

func (c *cycleRun) validateRevise(RevisePlanRequest) error { return c.expect(ptacycle.StageExecution) }

func (c *cycleRun) revisePlan(ctx workflow.Context, req RevisePlanRequest) (CycleStatus, error) {
	return c.run(ctx, c.at(ptacycle.StageExecution), func(ctx workflow.Context) error {
		if err := workflow.ExecuteActivity(ctx, a.ReopenPlan, c.stepInput(req.UserID)).Get(ctx, nil); err != nil {
			return err
		}
		c.revising = true
		return c.setStage(ctx, ptacycle.StageDrafting)
	})
}

func (c *cycleRun) validateCloseCycle(req CloseCycleRequest) error {
	if err := c.expect(ptacycle.StageExecution); err != nil {
		return err
	}
	if req.Unfinished > 0 && !c.retroactive { // a year already over closes as it was executed
		return reject(ptacycle.ECONFLICT, "%d activité(s) ne sont ni réalisées ni annulées : le cycle se clôturera le 31 décembre",
			"%d activities are neither done nor cancelled: the cycle will close on 31 December", req.Unfinished)
	}
	return nil
}

func (c *cycleRun) closeCycle(ctx workflow.Context, req CloseCycleRequest) (CycleStatus, error) {
	status, err := c.run(ctx, c.at(ptacycle.StageExecution), func(ctx workflow.Context) error {
		in := activities.CloseCheckInput{StepInput: c.stepInput(req.UserID), YearOver: c.retroactive}
		return workflow.ExecuteActivity(ctx, a.CheckClosable, in).Get(ctx, nil)
	})
	if err != nil {
		return status, err
	}
	c.closeRequested, c.closedBy = true, req.UserID
	if err := workflow.Await(ctx, func() bool { return c.stage == ptacycle.StageClosed }); err != nil {
		return c.status(ctx), err
	}
	return c.status(ctx), nil
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/workflows"
)

// Cycles are the operations on a year's cycle: launch it, read where it
// stands, take its human steps.
type Cycles struct{ *core }

// acceptTimeout bounds how long a step waits for the cycle to accept or
// refuse it; defaultStepWait how long it then waits for the step to finish
// before saying that it is under way (closing a year stops every follow-up
// first, which may take longer). Asked again for a step's outcome, it waits
// a third of that, but at least minResultWait: enough for the answer that
// nobody asked for that step, which comes at once, to arrive under load.
const (
	acceptTimeout   = 20 * time.Second
	defaultStepWait = 15 * time.Second
	minResultWait   = time.Second
)

// Year is an organisation's cycle of a year, as the database has it.
type Year struct {
	Org   ptacycle.Organisation
	Year  int
	Cycle ptacycle.Cycle
}

// Of reads the actor's organisation and its cycle of year, for a reader of
// cycles. ENOTFOUND says to launch the year first.
func (c Cycles) Of(ctx context.Context, a Actor, year int) (Year, error) {
	if err := a.may(ReadCycle); err != nil {
		return Year{}, err
	}
	return c.year(ctx, a, year)
}

// year reads the actor's organisation and its cycle of year, with no permission check.
func (c *core) year(ctx context.Context, a Actor, year int) (Year, error) {
	o, err := c.db.Organisation(ctx, a.org())
	if err != nil {
		return Year{}, err
	}
	cy, err := c.db.Cycle(ctx, o.ID, year)
	if ptacycle.ErrorCode(err) == ptacycle.ENOTFOUND {
		err = ptacycle.Errorf(ptacycle.ENOTFOUND, "Aucun cycle %d : lancez d'abord l'année", "No %d cycle: launch the year first", year)
	}
	if err != nil {
		return Year{}, err
	}
	return Year{Org: o, Year: year, Cycle: cy}, nil
}

// List is the actor's organisation's cycles, newest first.
func (c Cycles) List(ctx context.Context, a Actor) ([]ptacycle.Cycle, error) {
	if err := a.may(ReadCycle); err != nil {
		return nil, err
	}
	return c.db.Cycles(ctx, a.org())
}

// View is a cycle as the database knows it, with the workflow's status when Temporal answers.
type View struct {
	Cycle       ptacycle.Cycle         `json:"cycle"`
	Status      *workflows.CycleStatus `json:"status,omitempty"`
	StatusError string                 `json:"statusError,omitempty"`
	// Stopped: the cycle's workflow ended on an error; StatusError says so.
	Stopped bool `json:"stopped,omitempty"`
	// SentBack is why the plan is being drafted again: the approver's
	// send-back of the version last submitted, until the next submission.
	SentBack *SentBack `json:"sentBack,omitempty"`
}

// SentBack is an approver's send-back of a plan version.
type SentBack struct {
	Version    int       `json:"version"`
	Level      int       `json:"level"`
	Comment    string    `json:"comment"`
	By         string    `json:"by"`                   // the approver's name
	OnBehalfOf string    `json:"onBehalfOf,omitempty"` // whom they decided for, by delegation
	At         time.Time `json:"at"`
}

// Get is the actor's organisation's cycle of year with its workflow's status.
func (c Cycles) Get(ctx context.Context, a Actor, year int) (View, error) {
	y, err := c.Of(ctx, a, year)
	if err != nil {
		return View{}, err
	}
	return c.view(ctx, y.Org, y.Cycle), nil
}

// Launch starts the actor's organisation's cycle of year, with its deadlines
// (empty ones take the organisation's usual ones), and answers once the
// cycle has its row. EINVALID, ECONFLICT (the year is taken), EUNAVAILABLE (Temporal down).
func (c Cycles) Launch(ctx context.Context, a Actor, year int, deadlines ptacycle.Deadlines) (View, error) {
	if err := a.may(LaunchCycle); err != nil {
		return View{}, err
	}
	o, err := c.db.Organisation(ctx, a.org())
	if err != nil {
		return View{}, err
	}
	check := ptacycle.Cycle{Year: year, Stage: ptacycle.StageBilan, WorkflowID: ptacycle.CycleWorkflowID(o.Slug, year), Deadlines: deadlines}
	if err := check.Validate(); err != nil {
		return View{}, err
	}
	if _, err := c.db.Cycle(ctx, o.ID, year); err == nil {
		return View{}, yearTaken(year)
	}
	userID := a.User.ID
	_, err = c.temporal.ExecuteWorkflow(ctx, workflows.CycleStartOptions(o.Slug, year), ptacycle.CycleWorkflowName,
		workflows.CycleInput{OrganisationID: o.ID, OrganisationSlug: o.Slug, Year: year, Deadlines: deadlines, LaunchedBy: &userID})
	if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return View{}, yearTaken(year)
	}
	if err != nil {
		return View{}, processError(err, year)
	}
	return c.viewOnceOpen(ctx, o, year), nil
}

// yearTaken refuses launching a year twice, on the year field.
func yearTaken(year int) error {
	e := ptacycle.Errorf(ptacycle.ECONFLICT, "Le cycle %d a déjà été lancé", "The %d cycle has already been launched", year)
	e.Fields = []ptacycle.FieldError{{Field: "year", Message: e.Message, English: e.English}}
	return e
}

// viewOnceOpen waits a few seconds for a new cycle's workflow to create its row.
func (c *core) viewOnceOpen(ctx context.Context, o ptacycle.Organisation, year int) View {
	deadline := time.Now().Add(5 * time.Second)
	for {
		cy, err := c.db.Cycle(ctx, o.ID, year)
		if err == nil || time.Now().After(deadline) {
			return c.view(ctx, o, cy)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// view adds the workflow's status to a cycle row; a Temporal outage leaves the row readable.
func (c *core) view(ctx context.Context, o ptacycle.Organisation, cy ptacycle.Cycle) View {
	v := View{Cycle: cy}
	if cy.Stage == ptacycle.StageClosed {
		return v
	}
	if cy.Stage == ptacycle.StageDrafting {
		var err error
		if v.SentBack, err = c.sentBack(ctx, o.ID, cy.Year); err != nil { // the page still shows the rest
			c.logger.Warn("send-back not read", "err", err, "organisation", o.Slug, "year", cy.Year)
		}
	}
	status, err := c.status(ctx, o, cy.Year)
	if err != nil {
		var stopped *workflows.CycleStopped
		v.StatusError, v.Stopped = frenchText(processError(err, cy.Year)), errors.As(err, &stopped)
		return v
	}
	v.Status = &status
	return v
}

// frenchText is an error's French text (issue 17 makes it a key).
func frenchText(err error) string {
	if e, ok := err.(*ptacycle.Error); ok {
		return e.Message
	}
	return err.Error()
}

// Status asks the cycle's workflow where it stands. A workflow that ended
// on an error comes back as *workflows.CycleStopped, for the caller to tell
// apart (ProcessError words it).
func (c Cycles) Status(ctx context.Context, a Actor, year int) (workflows.CycleStatus, error) {
	if err := a.may(ReadCycle); err != nil {
		return workflows.CycleStatus{}, err
	}
	o, err := c.db.Organisation(ctx, a.org())
	if err != nil {
		return workflows.CycleStatus{}, err
	}
	return c.status(ctx, o, year)
}

func (c *core) status(ctx context.Context, o ptacycle.Organisation, year int) (workflows.CycleStatus, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	status, err := workflows.QueryCycle(ctx, c.temporal, o.Slug, year)
	var stopped *workflows.CycleStopped
	if errors.As(err, &stopped) {
		return status, err
	}
	return status, processError(err, year)
}

// requireStage refuses a change outside the stage it belongs to, with both stages named.
func requireStage(cy ptacycle.Cycle, stages ...ptacycle.Stage) error {
	for _, st := range stages {
		if cy.Stage == st {
			return nil
		}
	}
	return ptacycle.Errorf(ptacycle.ECONFLICT, "Action impossible à l'étape « %s » : elle se fait à l'étape « %s »",
		"Not possible at stage “%s”: it belongs to stage “%s”", cy.Stage.Label().FR, stages[0].Label().FR)
}

// sentBack is the send-back of org's plan of year that it is being drafted
// again for: its latest version's, while no newer one was submitted; nil otherwise.
func (c *core) sentBack(ctx context.Context, org int64, year int) (*SentBack, error) {
	plan, err := c.db.Plan(ctx, org, year)
	if err != nil {
		return nil, err
	}
	versions, err := c.db.PlanVersions(ctx, org, plan.ID)
	if err != nil || len(versions) == 0 {
		return nil, err
	}
	last := versions[len(versions)-1]
	if last.Status != "sent_back" {
		return nil, nil
	}
	decisions, err := c.db.Decisions(ctx, org, plan.ID)
	if err != nil {
		return nil, err
	}
	for _, d := range slices.Backward(decisions) {
		if d.PlanVersionID != last.ID || d.Outcome != ptacycle.OutcomeSentBack {
			continue
		}
		sb := &SentBack{Version: last.Number, Level: d.Level, Comment: d.Comment, At: d.DecidedAt}
		names, err := c.fullNames(ctx, org, []int64{d.ApproverID})
		if err != nil {
			return nil, err
		}
		sb.By = strings.Join(names, "")
		if d.OnBehalfOfID != nil {
			if names, err = c.fullNames(ctx, org, []int64{*d.OnBehalfOfID}); err != nil {
				return nil, err
			}
			sb.OnBehalfOf = strings.Join(names, "")
		}
		return sb, nil
	}
	return nil, nil
}

// Package app is ptacycle's command layer: every operation the pages and the
// JSON API offer, written once with its rules — who may do it, on which
// organisation's data, at which stage of the cycle, on which unit's
// activities — and its side effects (the audit entry the store writes, the
// signal to an activity's follow-up). server/ decodes a request, makes one
// call here and encodes or renders the answer; it holds no rule of its own.
//
// Every method takes the acting person first (an Actor): the organisation
// scoping and the permission check come from it, never from the request.
package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

// Deps are what the layer needs, built once by main.
type Deps struct {
	DB       *postgres.DB
	Temporal client.Client
	Logger   *slog.Logger
	// StepWait is how long a step waits for the cycle to finish it before
	// answering that it is under way (*workflows.StepRunning); 0: 15 s.
	StepWait time.Duration
	// PublicURL is the address people reach the server at, for the links
	// sent by e-mail (invitations, password resets); empty disables them.
	PublicURL string
	// Clock is the time of the sign-in and reset limits (nil: time.Now).
	Clock func() time.Time
	// Memo keeps what is costly to compute for a short while (nil: nothing
	// is kept); the server passes one that forgets on each of its changes.
	Memo Memo
}

// App groups the operations by what they act on.
type App struct {
	Cycles          Cycles
	Plans           Plans
	Recommendations Recommendations
	Execution       Execution
	Approvals       Approvals
	Organisation    Organisation
	Account         Account
	Dashboard       Dashboard
	// Limits count sign-ins and password-reset requests (limits.go).
	Limits *Limits

	core *core
}

// core is what every group shares.
type core struct {
	db        *postgres.DB
	temporal  client.Client
	logger    *slog.Logger
	stepWait  time.Duration
	publicURL string
	memo      Memo

	// What never changes once made, kept after its first read: an
	// organisation's slug (its workflows' ids are made of it) and a plan's year.
	slugs sync.Map // organisation id → slug
	years sync.Map // plan id → year
}

// names are the year of plan planID and the slug of organisation org, read once each.
func (c *core) names(ctx context.Context, org, planID int64) (year int, slug string, err error) {
	if v, ok := c.years.Load(planID); ok {
		year = v.(int)
	} else {
		plan, err := c.db.PlanByID(ctx, org, planID)
		if err != nil {
			return 0, "", err
		}
		year = plan.Year
		c.years.Store(planID, year)
	}
	if v, ok := c.slugs.Load(org); ok {
		return year, v.(string), nil
	}
	o, err := c.db.Organisation(ctx, org)
	if err != nil {
		return 0, "", err
	}
	c.slugs.Store(org, o.Slug)
	return year, o.Slug, nil
}

// New builds the layer.
func New(d Deps) *App {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.StepWait <= 0 {
		d.StepWait = defaultStepWait
	}
	if d.Memo == nil {
		d.Memo = noMemo{}
	}
	if d.Clock == nil {
		d.Clock = time.Now
	}
	c := &core{db: d.DB, temporal: d.Temporal, logger: d.Logger, stepWait: d.StepWait, publicURL: d.PublicURL, memo: d.Memo}
	return &App{Cycles: Cycles{c}, Plans: Plans{c}, Recommendations: Recommendations{c}, Execution: Execution{c}, Approvals: Approvals{c},
		Organisation: Organisation{c}, Account: Account{c}, Dashboard: Dashboard{c}, Limits: newLimits(d.DB, d.Clock), core: c}
}

// Actor is who acts: a signed-in user, or an owner through the one-click
// link of a reminder (Link), whom the audit log names as such.
type Actor struct {
	User ptacycle.User
	Link bool
}

// As is the signed-in user u acting.
func As(u *ptacycle.User) Actor { return Actor{User: *u} }

// org is the actor's organisation: every read and write is scoped to it.
func (a Actor) org() int64 { return a.User.OrganisationID }

// audit is how the audit log names the actor.
func (a Actor) audit() ptacycle.Actor {
	actor := ptacycle.UserActor(a.User)
	if a.Link {
		actor.Label = a.User.FullName + " (lien reçu par e-mail)"
	}
	return actor
}

// may refuses the operation to an actor whose role does not allow p, or
// whose account is disabled.
func (a Actor) may(p Permission) error {
	if !a.User.Active || !Allowed(a.User.Role, p) {
		return Forbidden(&a.User.Role)
	}
	return nil
}

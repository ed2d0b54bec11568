package app_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// signals is a Temporal client that records the signals it is sent; any
// other call panics (the layer's execution rules make none).
type signals struct {
	client.Client
	mu   sync.Mutex
	sent []string // workflow ids
}

func (s *signals) SignalWorkflow(_ context.Context, workflowID, _ string, _ string, _ any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, workflowID)
	return nil
}

func (s *signals) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.sent...)
}

// fixture is the demo organisation with its 2024 plan approved: two
// activities, one of the Tonkpi cell (whose owner is the demo's), one of
// another unit; and a second organisation with its own coordinator.
type fixture struct {
	db            *postgres.DB
	app           *app.App
	tc            *signals
	org           ptacycle.Organisation
	users         map[ptacycle.Role]ptacycle.User
	mine, another ptacycle.Activity
	stranger      ptacycle.User
}

func mustFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := pgtest.MustDB(t)
	if _, err := demo.LoadOrganisation(ctx, db); err != nil {
		t.Fatal(err)
	}
	o, err := db.OrganisationBySlug(ctx, demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, tc: &signals{}, org: o, users: map[ptacycle.Role]ptacycle.User{}}
	f.app = app.New(app.Deps{DB: db, Temporal: f.tc})
	users, err := db.Users(ctx, o.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if _, seen := f.users[u.Role]; !seen && u.Active {
			f.users[u.Role] = u
		}
	}
	owner := f.users[ptacycle.RoleOwner]
	units, err := db.Units(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	var other int64
	for _, u := range units {
		if u.ID != *owner.UnitID {
			other = u.ID
			break
		}
	}
	actor := ptacycle.SystemActor(o.ID)
	if _, err := db.CreateCycle(ctx, actor, ptacycle.Cycle{Year: 2024, Stage: ptacycle.StageDrafting, WorkflowID: "cycle/cnltp/2024",
		Deadlines: ptacycle.DefaultDeadlines(2024)}); err != nil {
		t.Fatal(err)
	}
	plan, err := db.Plan(ctx, o.ID, 2024)
	if err != nil {
		t.Fatal(err)
	}
	action, err := db.CreateAction(ctx, actor, ptacycle.Action{PlanID: plan.ID, Code: "1.1", Title: "Former"})
	if err != nil {
		t.Fatal(err)
	}
	activity := func(code string, unit int64) ptacycle.Activity {
		a, err := db.CreateActivity(ctx, actor, ptacycle.Activity{ActionID: action.ID, Code: code, Title: "Former 50 acteurs " + code,
			ResponsibleUnitID: &unit, StartDate: ptacycle.NewDate(2024, time.March, 1), DueDate: ptacycle.NewDate(2024, time.June, 30)})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	f.mine, f.another = activity("1.1.1", *owner.UnitID), activity("1.1.2", other)
	if _, err := db.FreezePlan(ctx, actor, plan.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE plan_versions SET status = 'approved' WHERE plan_id = $1`, plan.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE plans SET status = 'approved' WHERE id = $1`, plan.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE cycles SET stage = 'execution' WHERE organisation_id = $1`, o.ID); err != nil {
		t.Fatal(err)
	}
	elsewhere, err := db.CreateOrganisation(ctx, ptacycle.Actor{Label: "test"}, ptacycle.Organisation{Slug: "autre-comite", Name: "Autre comité"})
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := ptacycle.HashPassword("mot-de-passe-solide")
	if f.stranger, err = db.CreateUser(ctx, ptacycle.SystemActor(elsewhere.ID), ptacycle.User{Email: "coord@autre.ci", FullName: "Coordonnateur d'ailleurs",
		Role: ptacycle.RoleCoordinator}, hash); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestReportProgress: who may report on which activity, decided by the
// layer on the row the store locks; a report tells the activity's
// follow-up once; a refused one changes nothing and tells nothing.
func TestReportProgress(t *testing.T) {
	f := mustFixture(t)
	ctx := context.Background()
	report := func(u ptacycle.User, act ptacycle.Activity, version int) (ptacycle.Activity, error) {
		return f.app.Execution.ReportProgress(ctx, app.As(&u), app.Progress{ActivityID: act.ID, Version: version,
			Status: ptacycle.StatusInProgress, Progress: 30, Comment: "Atelier tenu"})
	}
	owner := f.users[ptacycle.RoleOwner]
	refusals := []struct {
		name string
		who  ptacycle.User
		act  ptacycle.Activity
		code string
	}{
		{"ErrPartner", f.users[ptacycle.RolePartner], f.mine, ptacycle.EFORBIDDEN},
		{"ErrApprover", f.users[ptacycle.RoleApprover], f.mine, ptacycle.EFORBIDDEN},
		{"ErrOwnerOfAnotherUnit", owner, f.another, ptacycle.EFORBIDDEN},
		{"ErrAnotherOrganisation", f.stranger, f.mine, ptacycle.ENOTFOUND},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			_, err := report(tt.who, tt.act, tt.act.Version)
			if ptacycle.ErrorCode(err) != tt.code {
				t.Errorf("report: %v, want %s", err, tt.code)
			}
		})
	}
	t.Run("ErrStaleReportOnAnotherUnit", func(t *testing.T) {
		// Stale and not theirs: refused for the unit, without the stored activity.
		_, err := report(owner, f.another, f.another.Version+1)
		if ptacycle.ErrorCode(err) != ptacycle.EFORBIDDEN {
			t.Fatalf("report: %v, want %s", err, ptacycle.EFORBIDDEN)
		}
		if e := err.(*ptacycle.Error); e.Current != nil {
			t.Errorf("the refusal carries the stored activity: %+v", e.Current)
		}
	})
	if sent := f.tc.list(); len(sent) != 0 {
		t.Fatalf("refused reports signalled %v", sent)
	}
	var stored ptacycle.Activity
	if err := f.db.Pool.QueryRow(ctx, `SELECT version, status FROM activities WHERE id = $1`, f.another.ID).Scan(&stored.Version, &stored.Status); err != nil {
		t.Fatal(err)
	}
	if stored.Version != f.another.Version || stored.Status != ptacycle.StatusNotStarted {
		t.Errorf("a refused report changed the activity: version %d, %s", stored.Version, stored.Status)
	}

	updated, err := report(owner, f.mine, f.mine.Version)
	if err != nil {
		t.Fatal(err)
	}
	if updated.Status != ptacycle.StatusInProgress || updated.Progress != 30 || updated.Version != f.mine.Version+1 {
		t.Errorf("after the report: %+v", updated)
	}
	coordinator := f.users[ptacycle.RoleCoordinator]
	if _, err := report(coordinator, f.another, f.another.Version); err != nil {
		t.Errorf("the coordinator's report on any unit's activity: %v", err)
	}
	want := []string{ptacycle.FollowUpWorkflowID(demo.Slug, 2024, f.mine.ID), ptacycle.FollowUpWorkflowID(demo.Slug, 2024, f.another.ID)}
	if sent := f.tc.list(); len(sent) != 2 || sent[0] != want[0] || sent[1] != want[1] {
		t.Errorf("signals sent %v, want one to each follow-up %v", sent, want)
	}
	var entries int
	if err := f.db.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE organisation_id = $1 AND entity = 'activity' AND action = 'progress'`,
		f.org.ID).Scan(&entries); err != nil {
		t.Fatal(err)
	}
	if entries != 2 {
		t.Errorf("%d audit entries of progress, want 2", entries)
	}
}

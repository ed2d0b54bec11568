package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// fixture is a small organisation: a region, a regional cell, a coordinator,
// an owner, a cycle with its draft plan, one action and one activity.
type fixture struct {
	db          *postgres.DB
	org         ptacycle.Organisation
	actor       ptacycle.Actor
	region      ptacycle.Region
	unit        ptacycle.Unit
	coordinator ptacycle.User
	owner       ptacycle.User
	cycle       ptacycle.Cycle
	plan        ptacycle.Plan
	action      ptacycle.Action
	activity    ptacycle.Activity
}

// testHash is a valid argon2id hash, computed once (hashing costs ~30 ms).
var testHash = func() string {
	h, err := ptacycle.HashPassword("mot-de-passe-de-test")
	if err != nil {
		panic(err)
	}
	return h
}()

func mustFixture(t *testing.T, slug string, db ...*postgres.DB) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{}
	if len(db) > 0 {
		f.db = db[0]
	} else {
		f.db = pgtest.MustDB(t)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var err error
	f.org, err = f.db.CreateOrganisation(ctx, ptacycle.Actor{Label: "test"}, ptacycle.Organisation{Slug: slug, Name: "Comité " + slug})
	must(err)
	f.actor = ptacycle.SystemActor(f.org.ID)
	f.region, err = f.db.CreateRegion(ctx, f.actor, "Tonkpi")
	must(err)
	f.unit, err = f.db.CreateUnit(ctx, f.actor, ptacycle.Unit{Name: "CRLTP Tonkpi", Kind: ptacycle.UnitRegionalCell, RegionID: &f.region.ID})
	must(err)
	f.coordinator, err = f.db.CreateUser(ctx, f.actor, ptacycle.User{Email: "coord@" + slug + ".ci", FullName: "Coordonnateur", Role: ptacycle.RoleCoordinator}, testHash)
	must(err)
	f.owner, err = f.db.CreateUser(ctx, f.actor, ptacycle.User{Email: "owner@" + slug + ".ci", FullName: "Responsable", Role: ptacycle.RoleOwner, UnitID: &f.unit.ID}, testHash)
	must(err)
	f.cycle, err = f.db.CreateCycle(ctx, f.actor, ptacycle.Cycle{Year: 2024, WorkflowID: "cycle/" + slug + "/2024", Deadlines: ptacycle.DefaultDeadlines(2024)})
	must(err)
	f.plan, err = f.db.Plan(ctx, f.org.ID, 2024)
	must(err)
	f.action, err = f.db.CreateAction(ctx, f.actor, ptacycle.Action{PlanID: f.plan.ID, Code: "1.1", Title: "Renforcer les capacités"})
	must(err)
	f.activity, err = f.db.CreateActivity(ctx, f.actor, ptacycle.Activity{
		ActionID: f.action.ID, Code: "1.1.1", Title: "Former les acteurs de la chaîne pénale",
		ResponsibleUnitID: &f.unit.ID, OwnerID: &f.owner.ID, RegionIDs: []int64{f.region.ID},
		StartDate: ptacycle.NewDate(2024, time.March, 1), DueDate: ptacycle.NewDate(2024, time.June, 30), BudgetXOF: 5_000_000,
	})
	must(err)
	return f
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := ptacycle.ErrorCode(err); got != code {
		t.Fatalf("err = %v (code %q), want code %q", err, got, code)
	}
}

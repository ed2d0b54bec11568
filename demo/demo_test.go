package demo_test

import (
	"context"
	"testing"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func count(t *testing.T, db *postgres.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLoadIsIdempotent(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustDB(t)
	logins, err := demo.Load(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	tables := []string{"organisations", "regions", "units", "users", "strategies", "axes", "approval_levels", "audit_log"}
	before := map[string]int{}
	for _, table := range tables {
		before[table] = count(t, db, table)
	}
	if _, err := demo.Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		if after := count(t, db, table); after != before[table] {
			t.Errorf("%s: %d rows after the first load, %d after the second", table, before[table], after)
		}
	}

	org, err := db.OrganisationBySlug(ctx, demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	units, _ := db.Units(ctx, org.ID)
	kinds := map[ptacycle.UnitKind]int{}
	for _, u := range units {
		kinds[u.Kind]++
	}
	if kinds[ptacycle.UnitMinistry] != 1 || kinds[ptacycle.UnitRegionalCell] != 5 || kinds[ptacycle.UnitPartner] != 1 {
		t.Errorf("units by kind = %v, want the ministry, five regional cells and the partner", kinds)
	}
	roles := map[ptacycle.Role]bool{}
	for _, l := range logins {
		u, hash, err := db.UserByEmail(ctx, l.Email)
		if err != nil || !ptacycle.CheckPassword(hash, demo.Password) {
			t.Errorf("demo login %s does not work: %v", l.Email, err)
		}
		roles[u.Role] = true
	}
	for _, r := range ptacycle.Roles {
		if !roles[r] {
			t.Errorf("no demo user with role %s", r)
		}
	}
	chain, _ := db.ApprovalChain(ctx, org.ID)
	if len(chain) != 1 {
		t.Errorf("approval chain has %d levels, want the ministry's one", len(chain))
	}
}

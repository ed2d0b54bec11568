package postgres_test

import (
	"context"
	"testing"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres/pgtest"
)

// TestAuditNames: the objects audit entries name, by kind, in one query;
// another organisation's are not named, whatever id is asked.
func TestAuditNames(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustDB(t)
	f, other := mustFixture(t, "noms", db), mustFixture(t, "autres", db)
	refs := []ptacycle.AuditRef{{Kind: "user", ID: f.owner.ID}, {Kind: "unit", ID: f.unit.ID}, {Kind: "region", ID: f.region.ID},
		{Kind: "activity", ID: f.activity.ID}, {Kind: "action", ID: f.action.ID}, {Kind: "plan", ID: f.plan.ID}, {Kind: "cycle", ID: f.cycle.ID},
		{Kind: "organisation", ID: f.org.ID}, {Kind: "user", ID: other.owner.ID}, {Kind: "activity", ID: other.activity.ID}, {Kind: "organisation", ID: other.org.ID}}
	names, err := f.db.AuditNames(ctx, f.org.ID, refs)
	if err != nil {
		t.Fatal(err)
	}
	want := map[ptacycle.AuditRef]ptacycle.AuditName{
		refs[0]: {Name: "Responsable"}, refs[1]: {Name: "CRLTP Tonkpi"}, refs[2]: {Name: "Tonkpi"},
		refs[3]: {Code: "1.1.1", Name: "Former les acteurs de la chaîne pénale"}, refs[4]: {Code: "1.1", Name: "Renforcer les capacités"},
		refs[5]: {Year: 2024}, refs[6]: {Year: 2024}, refs[7]: {Name: "Comité noms"},
	}
	if len(names) != len(want) {
		t.Errorf("%d names, want %d: %v", len(names), len(want), names)
	}
	for r, n := range want {
		if names[r] != n {
			t.Errorf("%v named %+v, want %+v", r, names[r], n)
		}
	}
}

package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

// TestConstraintWords: every CHECK and unique constraint of the schema, when
// violated, reaches a person in words and never by its name; a check on one
// column names its field.
func TestConstraintWords(t *testing.T) {
	f := mustFixture(t, "cnltp")
	ctx := context.Background()
	rows, err := f.db.Pool.Query(ctx, `SELECT c.conname, c.contype::text, t.relname, cardinality(c.conkey)
		FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = c.connamespace
		WHERE n.nspname = 'public' AND c.contype IN ('c', 'u') AND t.relname <> 'goose_db_version'`)
	if err != nil {
		t.Fatal(err)
	}
	type constraint struct {
		name, kind, table string
		columns           int
	}
	var all []constraint
	for rows.Next() {
		var c constraint
		if err := rows.Scan(&c.name, &c.kind, &c.table, &c.columns); err != nil {
			t.Fatal(err)
		}
		all = append(all, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(all) < 100 {
		t.Fatalf("%d constraints read from the catalogue", len(all))
	}
	for _, c := range all {
		code := "23514"
		if c.kind == "u" {
			code = "23505"
		}
		err := postgres.MapError(&pgconn.PgError{Code: code, ConstraintName: c.name, TableName: c.table, Message: "violation"})
		e, ok := err.(*ptacycle.Error)
		if !ok {
			t.Errorf("%s: %v is not a coded error", c.name, err)
			continue
		}
		texts := []string{e.Message, e.English}
		for _, fe := range e.Fields {
			texts = append(texts, fe.Message, fe.English)
		}
		for _, s := range texts {
			if strings.Contains(s, c.name) || strings.Contains(s, "_") || strings.Contains(s, "%!") {
				t.Errorf("%s (%s): %q shows a name or a broken format", c.name, c.table, s)
			}
		}
		if c.kind == "c" && c.columns == 1 && strings.HasSuffix(c.name, "_check") && !strings.HasSuffix(c.name, "s_check") &&
			c.name != c.table+"_check" && len(e.Fields) == 0 {
			t.Errorf("%s: a check on one column names no field: %+v", c.name, e)
		}
	}

	// A real violation, as a buggy handler would make it: the code of an activity left blank.
	_, err = f.db.Pool.Exec(ctx, `UPDATE activities SET code = ' ' WHERE id = $1`, f.activity.ID)
	e, ok := postgres.MapError(err).(*ptacycle.Error)
	if !ok || e.Code != ptacycle.EINVALID || len(e.Fields) != 1 || e.Fields[0].Field != "code" || !strings.Contains(e.Message, "Code") {
		t.Errorf("a blank activity code: %+v", postgres.MapError(err))
	}
}

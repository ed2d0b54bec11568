package demo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/internal/stacktest"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/postgres/pgtest"
	"github.com/ptacycle/ptacycle/server"
	"github.com/ptacycle/ptacycle/ui"
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

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestLoad plays the seed scenario on the real parts — PostgreSQL, Temporal,
// the worker — then checks it from the database and from the dashboard API,
// and that loading it again changes nothing.
func TestLoad(t *testing.T) {
	ctx := context.Background()
	st := stacktest.Start(t, stacktest.Options{})
	db, tc := st.DB, st.Temporal

	logins, err := demo.Load(ctx, db, tc)
	must(t, err)
	org, err := db.OrganisationBySlug(ctx, demo.Slug)
	must(t, err)

	t.Run("Organisation", func(t *testing.T) {
		units, err := db.Units(ctx, org.ID)
		must(t, err)
		cells := 0
		for _, u := range units {
			if u.Kind == ptacycle.UnitRegionalCell {
				cells++
			}
		}
		if cells != 5 {
			t.Errorf("%d regional cells, want the five of the article", cells)
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
	})

	t.Run("Year2023", func(t *testing.T) {
		cy, err := db.Cycle(ctx, org.ID, 2023)
		must(t, err)
		plan, err := db.Plan(ctx, org.ID, 2023)
		must(t, err)
		items, err := db.RateItems(ctx, org.ID, plan.ID)
		must(t, err)
		if r := ptacycle.ComputeRate(items); cy.Stage != ptacycle.StageClosed || r.Rounded != 67 || r.Planned != 30 {
			t.Errorf("2023: stage %s, rate %+v, want closed at 67 %% of 30 activities", cy.Stage, r)
		}
	})

	t.Run("Year2024", func(t *testing.T) {
		cy, err := db.Cycle(ctx, org.ID, 2024)
		must(t, err)
		if cy.Stage != ptacycle.StageExecution {
			t.Errorf("2024 stage %s, want execution", cy.Stage)
		}
		b, err := db.Bilan(ctx, org.ID, cy.ID)
		must(t, err)
		if b.WorkshopPlace != "Grand-Bassam" || b.WorkshopStart != ptacycle.NewDate(2024, time.February, 6) ||
			b.WorkshopEnd != ptacycle.NewDate(2024, time.February, 7) || b.Rates == nil || b.Rates.Overall.Rounded != 67 {
			t.Errorf("2024 bilan = %+v, want the Grand-Bassam workshop of 6–7 February reviewing 2023 at 67 %%", b)
		}
		recs, err := db.Recommendations(ctx, org.ID, cy.ID)
		must(t, err)
		adopted := 0
		for _, r := range recs {
			if r.Adopted && len(r.ActionIDs) > 0 {
				adopted++
			} else {
				t.Errorf("recommendation %q: adopted %v, answered by actions %v", r.Text, r.Adopted, r.ActionIDs)
			}
		}
		if adopted != 3 {
			t.Errorf("%d recommendations adopted and answered, want the article's 3", adopted)
		}
		plan, err := db.Plan(ctx, org.ID, 2024)
		must(t, err)
		actions, err := db.Actions(ctx, org.ID, plan.ID)
		must(t, err)
		n, err := db.CountActivities(ctx, org.ID, postgres.ActivityFilter{PlanID: plan.ID})
		must(t, err)
		if len(actions) != 48 || n != 82 {
			t.Errorf("2024 PTA: %d actions, %d activities, want 48 and 82", len(actions), n)
		}
		if plan.Status != ptacycle.PlanApproved {
			t.Errorf("2024 PTA status %s, want approved", plan.Status)
		}
		// What is done comes with its attendance sheet, a PDF the store serves back as it was attached.
		done, err := db.Activities(ctx, org.ID, postgres.ActivityFilter{PlanID: plan.ID, Status: ptacycle.StatusDone, Limit: 1})
		must(t, err)
		if len(done) == 0 {
			t.Fatal("no 2024 activity done")
		}
		history, err := db.ActivityHistory(ctx, org.ID, done[0].ID)
		must(t, err)
		if len(history) != 1 || history[0].EvidenceFile == nil || history[0].EvidenceFile.Name != "liste-de-presence-"+done[0].Code+".pdf" {
			t.Fatalf("the report of %s carries no attendance sheet: %+v", done[0].Code, history)
		}
		_, content, err := db.EvidenceFile(ctx, org.ID, history[0].EvidenceFile.ID)
		if err != nil || !bytes.HasPrefix(content, []byte("%PDF-1.4")) || !bytes.Contains(content, []byte("illustratif")) {
			t.Errorf("attendance sheet: %d bytes, %v", len(content), err)
		}
	})

	t.Run("DashboardAPI", func(t *testing.T) {
		renderer, err := ui.New()
		must(t, err)
		s := server.New(server.Deps{DB: db, Temporal: tc, UI: renderer, Logger: slog.New(slog.DiscardHandler)})
		t.Cleanup(s.Close)
		srv := httptest.NewServer(s.Handler())
		t.Cleanup(srv.Close)
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		body, _ := json.Marshal(map[string]string{"email": "valideur@cnltp.demo", "password": demo.Password})
		res, err := c.Post(srv.URL+"/api/v1/session", "application/json", bytes.NewReader(body))
		must(t, err)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("login: %d", res.StatusCode)
		}
		for year, want := range map[int]struct{ rounded, planned int }{2023: {67, 30}, 2024: {0, 82}} {
			res, err := c.Get(srv.URL + "/api/v1/cycles/" + strconv.Itoa(year) + "/dashboard")
			must(t, err)
			var d struct {
				Rates ptacycle.RateBreakdown `json:"rates"`
			}
			err = json.NewDecoder(res.Body).Decode(&d)
			res.Body.Close()
			must(t, err)
			if year == 2023 && (d.Rates.Overall.Rounded != want.rounded || d.Rates.Overall.Planned != want.planned) {
				t.Errorf("2023 dashboard rate %+v, want 67 %% of 30", d.Rates.Overall)
			}
			if year == 2024 && (d.Rates.Overall.Planned != want.planned || d.Rates.Overall.Done == 0) {
				t.Errorf("2024 dashboard rate %+v, want 82 planned with some done", d.Rates.Overall)
			}
		}
		// The home page says why 2024, recorded after the fact, sends no reminder.
		res, err = c.Get(srv.URL + "/")
		must(t, err)
		home, err := io.ReadAll(res.Body)
		res.Body.Close()
		must(t, err)
		if res.StatusCode != http.StatusOK || !strings.Contains(string(home), `data-testid="retroactive"`) || !strings.Contains(string(home), "Année 2024 saisie après coup") {
			t.Errorf("home page of the demo's 2024: %d, no retroactive notice", res.StatusCode)
		}
	})

	t.Run("Idempotent", func(t *testing.T) {
		tables := []string{"organisations", "regions", "units", "users", "strategies", "axes", "approval_levels", "cycles", "bilans", "recommendation_actions", "activity_partners", "activity_regions", "reminders",
			"recommendations", "plans", "plan_versions", "actions", "activities", "activity_updates", "decisions", "audit_log", "holidays", "evidence_files"}
		before := map[string]int{}
		for _, table := range tables {
			before[table] = count(t, db, table)
		}
		_, err := demo.Load(ctx, db, tc)
		must(t, err)
		for _, table := range tables {
			if after := count(t, db, table); after != before[table] {
				t.Errorf("%s: %d rows after the first load, %d after the second", table, before[table], after)
			}
		}
	})
}

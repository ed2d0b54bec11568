package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

// The writes of the workflow's activities: each is run again by a retry, so
// each must change nothing the second time, and refuse a bad request unchanged.

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// auditCount counts the audit entries recording action on one entity.
func auditCount(t *testing.T, f fixture, entity string, id int64, action string) int {
	t.Helper()
	entries, err := f.db.Audit(context.Background(), f.org.ID, postgres.AuditFilter{Entity: entity, EntityID: itoa(id), Limit: 500})
	must(t, err)
	n := 0
	for _, e := range entries {
		if e.Action == action {
			n++
		}
	}
	return n
}

func groupKeys(groups []ptacycle.GroupRate) []string {
	keys := make([]string, len(groups))
	for i, g := range groups {
		keys[i] = g.Key
	}
	return keys
}

func fieldNames(err error) []string {
	var e *ptacycle.Error
	if !errors.As(err, &e) {
		return nil
	}
	names := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		names[i] = f.Field
	}
	return names
}

func TestEnsureCycle(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t, "cnltp")
	in := ptacycle.Cycle{Year: 2025, WorkflowID: "cycle/cnltp/2025", Deadlines: ptacycle.DefaultDeadlines(2025)}
	created, err := f.db.EnsureCycle(ctx, f.actor, in)
	must(t, err)
	bilan, err := f.db.Bilan(ctx, f.org.ID, created.ID)
	if err != nil || bilan.ReviewedYear != 2024 || bilan.Version != 1 || bilan.ClosedAt != nil {
		t.Errorf("Bilan = %+v, %v", bilan, err)
	}
	plan, err := f.db.Plan(ctx, f.org.ID, 2025)
	if err != nil || plan.CycleID != created.ID || plan.Status != ptacycle.PlanDraft || plan.CurrentVersion != 0 {
		t.Errorf("Plan = %+v, %v", plan, err)
	}

	again, err := f.db.EnsureCycle(ctx, f.actor, in) // a retried activity
	must(t, err)
	if again.ID != created.ID || again.WorkflowID != in.WorkflowID {
		t.Errorf("second call returned %+v, want cycle %d", again, created.ID)
	}
	if n := auditCount(t, f, "cycle", created.ID, "create"); n != 1 {
		t.Errorf("%d create entries in the audit log, want 1", n)
	}

	t.Run("ErrOtherWorkflowSameYear", func(t *testing.T) {
		_, err := f.db.EnsureCycle(ctx, f.actor, ptacycle.Cycle{Year: 2025, WorkflowID: "cycle/cnltp/2025-bis"})
		wantCode(t, err, ptacycle.ECONFLICT)
		if !strings.Contains(err.Error(), "existe déjà") || !strings.Contains(err.Error(), "cycle/cnltp/2025") {
			t.Errorf("message %q", err)
		}
		if cycles, _ := f.db.Cycles(ctx, f.org.ID); len(cycles) != 2 {
			t.Errorf("%d cycles after a refused start, want 2", len(cycles))
		}
	})
	t.Run("ErrWorkflowIDOfAnotherCycle", func(t *testing.T) {
		// Bounded: a store that kept retrying the insert would otherwise never return.
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_, err := f.db.EnsureCycle(ctx, f.actor, ptacycle.Cycle{Year: 2026, WorkflowID: "cycle/cnltp/2025"})
		wantCode(t, err, ptacycle.ECONFLICT)
		if !strings.Contains(err.Error(), "cycle/cnltp/2025") {
			t.Errorf("message %q does not name the workflow", err)
		}
		_, err = f.db.Cycle(ctx, f.org.ID, 2026)
		wantCode(t, err, ptacycle.ENOTFOUND)
	})
}

func TestBilan(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t, "cnltp")
	strategy, err := f.db.CreateStrategy(ctx, f.actor, ptacycle.Strategy{Title: "Stratégie nationale 2024-2028", StartYear: 2024, EndYear: 2028,
		Axes: []ptacycle.Axis{{Code: "A1", Title: "Prévention"}}})
	must(t, err)
	action, err := f.db.CreateAction(ctx, f.actor, ptacycle.Action{PlanID: f.plan.ID, AxisID: &strategy.Axes[0].ID, Code: "2.1", Title: "Prévenir la traite"})
	must(t, err)
	bounkani, err := f.db.CreateRegion(ctx, f.actor, "Bounkani")
	must(t, err)
	dap, err := f.db.CreateUnit(ctx, f.actor, ptacycle.Unit{Name: "Direction des affaires pénales", Kind: ptacycle.UnitDirectorate})
	must(t, err)
	// With the fixture's activity (no axis, CRLTP Tonkpi, Tonkpi, not started): 3 planned, 1 done, 1 cancelled.
	for _, a := range []ptacycle.Activity{
		{ActionID: action.ID, Code: "2.1.1", Title: "Campagne de sensibilisation", ResponsibleUnitID: &f.unit.ID,
			RegionIDs: []int64{f.region.ID, bounkani.ID}, Status: ptacycle.StatusDone, Progress: 100},
		{ActionID: action.ID, Code: "2.1.2", Title: "Guide national", ResponsibleUnitID: &dap.ID, Status: ptacycle.StatusInProgress, Progress: 50},
		{ActionID: action.ID, Code: "2.1.3", Title: "Colloque", Status: ptacycle.StatusCancelled},
	} {
		created, err := f.db.CreateActivity(ctx, f.actor, a)
		must(t, err)
		setExecution(t, f.db, created.ID, a.Status, a.Progress)
	}
	other := mustFixture(t, "autre", f.db)
	if items, err := f.db.RateItems(ctx, f.org.ID, other.plan.ID); err != nil || len(items) != 0 {
		t.Errorf("RateItems of another organisation's plan = %v, %v", items, err)
	}

	items, err := f.db.RateItems(ctx, f.org.ID, f.plan.ID)
	must(t, err)
	if len(items) != 4 {
		t.Fatalf("%d rate items, want 4: %+v", len(items), items)
	}
	for _, it := range items {
		if it.Unit == dap.Name && len(it.Regions) != 0 {
			t.Errorf("a national activity has regions %q, want none", it.Regions)
		}
	}
	rates := ptacycle.ComputeBreakdown(items)
	if o := rates.Overall; o.Planned != 3 || o.Done != 1 || o.Cancelled != 1 || o.AverageProgress != 50 {
		t.Errorf("overall = %+v", o)
	}
	if got, want := groupKeys(rates.ByAxis), []string{"A1 — Prévention", "Sans axe"}; !slices.Equal(got, want) {
		t.Errorf("axis keys %q, want %q", got, want)
	}
	if got, want := groupKeys(rates.ByUnit), []string{"CRLTP Tonkpi", "Direction des affaires pénales", "Sans structure"}; !slices.Equal(got, want) {
		t.Errorf("unit keys %q, want %q", got, want)
	}
	if got, want := groupKeys(rates.ByRegion), []string{"Bounkani", ptacycle.NationalRegion, "Tonkpi"}; !slices.Equal(got, want) {
		t.Fatalf("region keys %q, want %q", got, want)
	}
	if national, tonkpi := rates.ByRegion[1], rates.ByRegion[2]; national.Planned != 1 || national.Cancelled != 1 || tonkpi.Planned != 2 || tonkpi.Done != 1 {
		t.Errorf("National %+v, Tonkpi %+v", national, tonkpi)
	}

	for range 2 { // the second call is a retried activity
		must(t, f.db.StoreBilanRates(ctx, f.actor, f.cycle.ID, rates))
	}
	stored, err := f.db.Bilan(ctx, f.org.ID, f.cycle.ID)
	must(t, err)
	if stored.Rates == nil || !reflect.DeepEqual(*stored.Rates, rates) {
		t.Errorf("stored rates %+v, want %+v", stored.Rates, rates)
	}
	if n := auditCount(t, f, "bilan", f.cycle.ID, "compute_rates"); n != 1 {
		t.Errorf("%d compute_rates entries in the audit log, want 1", n)
	}

	edit := stored
	edit.WorkshopStart, edit.WorkshopEnd = ptacycle.NewDate(2024, time.February, 6), ptacycle.NewDate(2024, time.February, 7)
	edit.WorkshopPlace = "Man"
	edit.Lessons = []string{"Impliquer les cellules régionales dès janvier"}
	updated, err := f.db.UpdateBilan(ctx, f.actor, edit)
	must(t, err)
	if updated.Version != stored.Version+1 || updated.WorkshopPlace != "Man" || len(updated.Lessons) != 1 || updated.Rates == nil {
		t.Errorf("after an edit: %+v", updated)
	}
	t.Run("ErrStaleEdit", func(t *testing.T) {
		stale := stored // still at the version read before the edit
		stale.WorkshopPlace = "Abidjan"
		_, err := f.db.UpdateBilan(ctx, f.actor, stale)
		wantCode(t, err, ptacycle.ECONFLICT)
		if !strings.Contains(err.Error(), "rechargez") {
			t.Errorf("message %q", err)
		}
		var e *ptacycle.Error
		errors.As(err, &e)
		current, ok := e.Current.(ptacycle.Bilan)
		if !ok || current.WorkshopPlace != "Man" || current.Version != updated.Version {
			t.Errorf("the conflict does not carry the stored bilan: %+v", e.Current)
		}
		if now, _ := f.db.Bilan(ctx, f.org.ID, f.cycle.ID); now.WorkshopPlace != "Man" || now.Version != updated.Version {
			t.Errorf("after the refused edit: %+v", now)
		}
	})
	t.Run("ErrWorkshopEndsBeforeStart", func(t *testing.T) {
		bad := updated
		bad.WorkshopEnd = ptacycle.NewDate(2024, time.February, 5)
		_, err := f.db.UpdateBilan(ctx, f.actor, bad)
		wantCode(t, err, ptacycle.EINVALID)
		if got := fieldNames(err); !slices.Equal(got, []string{"workshopEnd"}) || !strings.Contains(err.Error(), "précède") {
			t.Errorf("fields %q, message %q", got, err)
		}
		if now, _ := f.db.Bilan(ctx, f.org.ID, f.cycle.ID); now.Version != updated.Version {
			t.Errorf("a refused edit changed the version to %d", now.Version)
		}
	})

	for range 2 {
		must(t, f.db.CloseBilan(ctx, f.actor, f.cycle.ID))
	}
	if n := auditCount(t, f, "bilan", f.cycle.ID, "close"); n != 1 {
		t.Errorf("%d close entries in the audit log, want 1", n)
	}
	t.Run("ErrClosedBilan", func(t *testing.T) {
		closed, _ := f.db.Bilan(ctx, f.org.ID, f.cycle.ID)
		if closed.ClosedAt == nil {
			t.Fatal("CloseBilan did not record when")
		}
		closed.WorkshopPlace = "Yamoussoukro"
		_, err := f.db.UpdateBilan(ctx, f.actor, closed)
		wantCode(t, err, ptacycle.ECONFLICT)
		if !strings.Contains(err.Error(), "clôturé") {
			t.Errorf("message %q", err)
		}
		if now, _ := f.db.Bilan(ctx, f.org.ID, f.cycle.ID); now.WorkshopPlace != "Man" {
			t.Errorf("a closed bilan was edited: %+v", now)
		}
	})
}

func TestRecommendations(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t, "cnltp")
	// Another organisation's list comes first: positions are numbered per cycle.
	other := mustFixture(t, "autre", f.db)
	ofOther, err := f.db.CreateRecommendation(ctx, other.actor, ptacycle.Recommendation{CycleID: other.cycle.ID, Text: "Recommandation d'ailleurs"})
	must(t, err)
	var recs []ptacycle.Recommendation
	for _, text := range []string{"Former les magistrats", "Créer une ligne verte", "Financer les cellules régionales"} {
		r, err := f.db.CreateRecommendation(ctx, f.actor, ptacycle.Recommendation{CycleID: f.cycle.ID, Text: text, UnitID: &f.unit.ID})
		must(t, err)
		recs = append(recs, r)
	}
	for i, r := range recs {
		if r.Position != i+1 || r.Priority != ptacycle.PriorityMedium {
			t.Errorf("recommendation %d: position %d, priority %q", i, r.Position, r.Priority)
		}
	}

	nextYear, err := f.db.CreateCycle(ctx, f.actor, ptacycle.Cycle{Year: 2025, WorkflowID: "cycle/cnltp/2025"})
	must(t, err)
	ofNextYear, err := f.db.CreateRecommendation(ctx, f.actor, ptacycle.Recommendation{CycleID: nextYear.ID, Text: "Évaluer la ligne verte"})
	must(t, err)
	adopted := func() []int64 {
		t.Helper()
		list, err := f.db.Recommendations(ctx, f.org.ID, f.cycle.ID)
		must(t, err)
		var ids []int64
		for _, r := range list {
			if r.Adopted {
				ids = append(ids, r.ID)
			}
		}
		return ids
	}
	for name, foreign := range map[string]int64{"ErrAdoptOtherCycle": ofNextYear.ID, "ErrAdoptOtherOrganisation": ofOther.ID} {
		t.Run(name, func(t *testing.T) {
			err := f.db.AdoptRecommendations(ctx, f.actor, f.cycle.ID, []int64{recs[0].ID, foreign})
			wantCode(t, err, ptacycle.EINVALID)
			if !strings.Contains(err.Error(), "inconnue") {
				t.Errorf("message %q", err)
			}
			if ids := adopted(); len(ids) != 0 {
				t.Errorf("a refused adoption adopted %v", ids)
			}
		})
	}

	chosen := []int64{recs[0].ID, recs[1].ID}
	must(t, f.db.AdoptRecommendations(ctx, f.actor, f.cycle.ID, chosen))
	first, err := f.db.Recommendations(ctx, f.org.ID, f.cycle.ID)
	must(t, err)
	must(t, f.db.AdoptRecommendations(ctx, f.actor, f.cycle.ID, chosen)) // a retried activity
	second, err := f.db.Recommendations(ctx, f.org.ID, f.cycle.ID)
	must(t, err)
	if !slices.Equal(adopted(), chosen) || first[0].AdoptedAt == nil || !second[0].AdoptedAt.Equal(*first[0].AdoptedAt) {
		t.Errorf("adopted %v (want %v), adopted at %v then %v", adopted(), chosen, first[0].AdoptedAt, second[0].AdoptedAt)
	}
	if n := auditCount(t, f, "recommendations", f.cycle.ID, "adopt"); n != 1 {
		t.Errorf("%d adopt entries in the audit log, want 1", n)
	}
	t.Run("ErrCreateAfterAdoption", func(t *testing.T) {
		_, err := f.db.CreateRecommendation(ctx, f.actor, ptacycle.Recommendation{CycleID: f.cycle.ID, Text: "Trop tard"})
		wantCode(t, err, ptacycle.ECONFLICT)
		if !strings.Contains(err.Error(), "figée") {
			t.Errorf("message %q", err)
		}
		if list, _ := f.db.Recommendations(ctx, f.org.ID, f.cycle.ID); len(list) != 3 {
			t.Errorf("%d recommendations after a refused creation, want 3", len(list))
		}
	})

	hotline, err := f.db.CreateAction(ctx, f.actor, ptacycle.Action{PlanID: f.plan.ID, Code: "1.2", Title: "Ouvrir une ligne verte"})
	must(t, err)
	nextYearPlan, err := f.db.Plan(ctx, f.org.ID, 2025)
	must(t, err)
	ofNextYearPlan, err := f.db.CreateAction(ctx, f.actor, ptacycle.Action{PlanID: nextYearPlan.ID, Code: "1.1", Title: "Évaluer"})
	must(t, err)
	for name, foreign := range map[string]int64{"ErrLinkOtherOrganisation": other.action.ID, "ErrLinkOtherCyclePlan": ofNextYearPlan.ID} {
		t.Run(name, func(t *testing.T) {
			err := f.db.LinkRecommendation(ctx, f.actor, recs[0].ID, []int64{f.action.ID, foreign})
			wantCode(t, err, ptacycle.EINVALID)
			if !strings.Contains(err.Error(), "Action inconnue") {
				t.Errorf("message %q", err)
			}
			if list, _ := f.db.Recommendations(ctx, f.org.ID, f.cycle.ID); len(list[0].ActionIDs) != 0 {
				t.Errorf("a refused link stored actions %v", list[0].ActionIDs)
			}
		})
	}
	t.Run("ErrLinkOtherOrganisationsRecommendation", func(t *testing.T) {
		err := f.db.LinkRecommendation(ctx, f.actor, ofOther.ID, []int64{f.action.ID})
		wantCode(t, err, ptacycle.ENOTFOUND)
	})
	must(t, f.db.LinkRecommendation(ctx, f.actor, recs[0].ID, []int64{hotline.ID, f.action.ID}))
	must(t, f.db.LinkRecommendation(ctx, f.actor, recs[1].ID, []int64{hotline.ID}))
	must(t, f.db.LinkRecommendation(ctx, f.actor, recs[1].ID, []int64{f.action.ID})) // replaces the links
	list, err := f.db.Recommendations(ctx, f.org.ID, f.cycle.ID)
	must(t, err)
	if want := []int64{f.action.ID, hotline.ID}; !slices.Equal(list[0].ActionIDs, want) {
		t.Errorf("recommendation 1 answered by %v, want %v", list[0].ActionIDs, want)
	}
	if want := []int64{f.action.ID}; !slices.Equal(list[1].ActionIDs, want) || len(list[2].ActionIDs) != 0 {
		t.Errorf("recommendation 2 answered by %v (want %v), 3 by %v", list[1].ActionIDs, want, list[2].ActionIDs)
	}
}

func TestPlanApproval(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t, "cnltp")
	coordinator := ptacycle.UserActor(f.coordinator)
	approver := func(email, name string) ptacycle.User {
		t.Helper()
		u, err := f.db.CreateUser(ctx, f.actor, ptacycle.User{Email: email, FullName: name, Role: ptacycle.RoleApprover}, testHash)
		must(t, err)
		return u
	}
	plenary, ministry, deputy := approver("pleniere@cnltp.ci", "Président de la plénière"), approver("ministere@cnltp.ci", "Ministre"), approver("suppleant@cnltp.ci", "Suppléant")

	unassigned, err := f.db.CreateActivity(ctx, f.actor, ptacycle.Activity{ActionID: f.action.ID, Code: "1.1.2", Title: "Équiper les cellules",
		DueDate: ptacycle.NewDate(2024, time.September, 30)})
	must(t, err)
	rec, err := f.db.CreateRecommendation(ctx, f.actor, ptacycle.Recommendation{CycleID: f.cycle.ID, Text: "Former les magistrats"})
	must(t, err)
	must(t, f.db.AdoptRecommendations(ctx, f.actor, f.cycle.ID, []int64{rec.ID}))

	t.Run("ErrInvalidPlan", func(t *testing.T) {
		_, err := f.db.FreezePlan(ctx, coordinator, f.plan.ID)
		wantCode(t, err, ptacycle.EINVALID)
		want := []string{"activities[1.1.2].responsibleUnitId", "recommendations[1]"}
		if got := fieldNames(err); !slices.Equal(got, want) {
			t.Errorf("fields %q, want %q", got, want)
		}
		if !strings.Contains(err.Error(), "ne peut pas être soumis : 2 point(s)") {
			t.Errorf("message %q", err)
		}
		if versions, _ := f.db.PlanVersions(ctx, f.org.ID, f.plan.ID); len(versions) != 0 {
			t.Errorf("a refused submission wrote versions %+v", versions)
		}
		if plan, _ := f.db.PlanByID(ctx, f.org.ID, f.plan.ID); plan.Status != ptacycle.PlanDraft || plan.CurrentVersion != 0 {
			t.Errorf("after a refused submission: %+v", plan)
		}
	})

	unassigned.ResponsibleUnitID = &f.unit.ID
	unassigned, err = f.db.UpdateActivity(ctx, f.actor, unassigned)
	must(t, err)
	must(t, f.db.LinkRecommendation(ctx, f.actor, rec.ID, []int64{f.action.ID}))
	v1, err := f.db.FreezePlan(ctx, coordinator, f.plan.ID)
	must(t, err)
	content, err := f.db.PlanContent(ctx, f.org.ID, f.plan.ID)
	must(t, err)
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(v1.ContentHash) || v1.ContentHash != content.Snapshot().Hash() {
		t.Errorf("content hash %q, want the snapshot's %q", v1.ContentHash, content.Snapshot().Hash())
	}
	if v1.Number != 1 || v1.Status != "submitted" || v1.SubmittedBy == nil || *v1.SubmittedBy != f.coordinator.ID {
		t.Errorf("version = %+v", v1)
	}
	again, err := f.db.FreezePlan(ctx, coordinator, f.plan.ID) // a retried activity
	must(t, err)
	if again.ID != v1.ID || again.Number != 1 || again.ContentHash != v1.ContentHash {
		t.Errorf("second freeze = %+v, want version %+v", again, v1)
	}
	if versions, _ := f.db.PlanVersions(ctx, f.org.ID, f.plan.ID); len(versions) != 1 {
		t.Errorf("%d versions after two freezes, want 1", len(versions))
	}
	if n := auditCount(t, f, "plan", f.plan.ID, "submit"); n != 1 {
		t.Errorf("%d submit entries in the audit log, want 1", n)
	}
	if plan, _ := f.db.PlanByID(ctx, f.org.ID, f.plan.ID); plan.Status != ptacycle.PlanSubmitted || plan.CurrentVersion != 1 {
		t.Errorf("after submission: %+v", plan)
	}
	t.Run("ErrDraftEditAfterSubmission", func(t *testing.T) {
		_, err := f.db.CreateActivity(ctx, f.actor, ptacycle.Activity{ActionID: f.action.ID, Code: "1.1.3", Title: "Trop tard"})
		wantCode(t, err, ptacycle.ECONFLICT)
		edit := unassigned
		edit.Title = "Écrasement"
		_, err = f.db.UpdateActivity(ctx, f.actor, edit)
		wantCode(t, err, ptacycle.ECONFLICT)
		if !strings.Contains(err.Error(), "soumis") {
			t.Errorf("message %q", err)
		}
	})

	decide := func(d ptacycle.Decision, final bool) (ptacycle.Decision, error) {
		return f.db.RecordDecision(ctx, f.actor, d, final)
	}
	versionStatus := func(number int) string {
		t.Helper()
		versions, err := f.db.PlanVersions(ctx, f.org.ID, f.plan.ID)
		must(t, err)
		return versions[number-1].Status
	}
	planStatus := func() ptacycle.PlanStatus {
		t.Helper()
		plan, err := f.db.PlanByID(ctx, f.org.ID, f.plan.ID)
		must(t, err)
		return plan.Status
	}
	t.Run("ErrSendBackWithoutComment", func(t *testing.T) {
		_, err := decide(ptacycle.Decision{PlanVersionID: v1.ID, Level: 1, ApproverID: plenary.ID, Outcome: ptacycle.OutcomeSentBack, Comment: "  "}, false)
		wantCode(t, err, ptacycle.EINVALID)
		if got := fieldNames(err); !slices.Equal(got, []string{"comment"}) {
			t.Errorf("fields %q", got)
		}
		if decisions, _ := f.db.Decisions(ctx, f.org.ID, f.plan.ID); len(decisions) != 0 || versionStatus(1) != "submitted" {
			t.Errorf("a refused decision left %+v, version %s", decisions, versionStatus(1))
		}
	})
	_, err = decide(ptacycle.Decision{PlanVersionID: v1.ID, Level: 1, ApproverID: plenary.ID, Outcome: ptacycle.OutcomeSentBack,
		Comment: "Budget de l'activité 1.1.2 à préciser"}, false)
	must(t, err)
	if versionStatus(1) != "sent_back" || planStatus() != ptacycle.PlanDraft {
		t.Errorf("after a send-back: version %s, plan %s", versionStatus(1), planStatus())
	}

	unassigned.BudgetXOF = 2_500_000
	_, err = f.db.UpdateActivity(ctx, f.actor, unassigned)
	must(t, err)
	v2, err := f.db.FreezePlan(ctx, coordinator, f.plan.ID)
	must(t, err)
	if v2.Number != 2 || v2.ContentHash == v1.ContentHash {
		t.Errorf("resubmission = %+v (first hash %s)", v2, v1.ContentHash)
	}

	onBehalf := ptacycle.Decision{PlanVersionID: v2.ID, Level: 1, ApproverID: deputy.ID, OnBehalfOfID: &plenary.ID, Outcome: ptacycle.OutcomeApproved}
	level1, err := decide(onBehalf, false)
	must(t, err)
	if versionStatus(2) != "submitted" || planStatus() != ptacycle.PlanSubmitted {
		t.Errorf("after a non-final approval: version %s, plan %s", versionStatus(2), planStatus())
	}
	retried, err := decide(onBehalf, false)
	must(t, err)
	if retried.ID != level1.ID || !retried.DecidedAt.Equal(level1.DecidedAt) {
		t.Errorf("retried decision %+v, want the stored %+v", retried, level1)
	}
	if n := auditCount(t, f, "plan_version", v2.ID, "approved"); n != 1 {
		t.Errorf("%d approved entries in the audit log, want 1", n)
	}
	t.Run("ErrDecisionOnSentBackVersion", func(t *testing.T) {
		_, err := decide(ptacycle.Decision{PlanVersionID: v1.ID, Level: 2, ApproverID: ministry.ID, Outcome: ptacycle.OutcomeApproved}, true)
		wantCode(t, err, ptacycle.ECONFLICT)
		if !strings.Contains(err.Error(), "n'est plus en validation") {
			t.Errorf("message %q", err)
		}
		if versionStatus(1) != "sent_back" || planStatus() != ptacycle.PlanSubmitted {
			t.Errorf("after a refused decision: version 1 %s, plan %s", versionStatus(1), planStatus())
		}
	})
	_, err = decide(ptacycle.Decision{PlanVersionID: v2.ID, Level: 2, ApproverID: ministry.ID, Outcome: ptacycle.OutcomeApproved}, true)
	must(t, err)
	if versionStatus(2) != "approved" || planStatus() != ptacycle.PlanApproved {
		t.Errorf("after the final approval: version %s, plan %s", versionStatus(2), planStatus())
	}
	decisions, err := f.db.Decisions(ctx, f.org.ID, f.plan.ID)
	must(t, err)
	if len(decisions) != 3 {
		t.Fatalf("%d decisions stored, want 3: %+v", len(decisions), decisions)
	}
	if d := decisions[1]; d.PlanVersionID != v2.ID || d.ApproverID != deputy.ID || d.OnBehalfOfID == nil || *d.OnBehalfOfID != plenary.ID {
		t.Errorf("decision on behalf = %+v", d)
	}
	t.Run("ErrFreezeApprovedPlan", func(t *testing.T) {
		_, err := f.db.FreezePlan(ctx, coordinator, f.plan.ID)
		wantCode(t, err, ptacycle.ECONFLICT)
		if !strings.Contains(err.Error(), "déjà approuvé") {
			t.Errorf("message %q", err)
		}
	})

	for range 2 {
		must(t, f.db.ReopenPlan(ctx, coordinator, f.plan.ID))
	}
	if planStatus() != ptacycle.PlanDraft || versionStatus(2) != "approved" {
		t.Errorf("after reopening: plan %s, version %s", planStatus(), versionStatus(2))
	}
	if n := auditCount(t, f, "plan", f.plan.ID, "revise"); n != 1 {
		t.Errorf("%d revise entries in the audit log, want 1", n)
	}
	done, err := f.db.ReportProgress(ctx, ptacycle.UserActor(f.owner), postgres.Progress{ActivityID: f.activity.ID, Version: f.activity.Version,
		Status: ptacycle.StatusInProgress, Progress: 40})
	must(t, err)
	if done.Progress != 40 || done.Version != f.activity.Version+1 {
		t.Errorf("progress during a revision: %+v", done)
	}
}

func TestReminders(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t, "cnltp")
	due := ptacycle.Reminder{Key: "due/cnltp/2024/" + itoa(f.activity.ID), RecipientID: f.owner.ID, Channel: ptacycle.ChannelEmail, Kind: "due",
		Subject: "Échéance proche", Address: "owner@cnltp.ci", ActivityID: &f.activity.ID, CycleID: &f.cycle.ID}
	for i, want := range []bool{true, false} { // the second call is a retried activity
		created, err := f.db.CreateReminder(ctx, f.org.ID, due)
		must(t, err)
		if created != want {
			t.Errorf("call %d: created = %v, want %v", i+1, created, want)
		}
	}
	all, err := f.db.Reminders(ctx, f.org.ID, postgres.ReminderFilter{})
	must(t, err)
	if len(all) != 1 || all[0].Key != due.Key || all[0].Status != "pending" || all[0].Subject != "Échéance proche" {
		t.Fatalf("reminders = %+v", all)
	}

	for _, r := range []ptacycle.Reminder{
		{Key: "bilan/cnltp/2024", RecipientID: f.owner.ID, Channel: ptacycle.ChannelInApp, Kind: "bilan", CycleID: &f.cycle.ID},
		{Key: "overdue/cnltp/2024/" + itoa(f.activity.ID), RecipientID: f.coordinator.ID, Channel: ptacycle.ChannelEmail, Kind: "overdue", ActivityID: &f.activity.ID, Address: "coord@cnltp.ci"},
	} {
		_, err := f.db.CreateReminder(ctx, f.org.ID, r)
		must(t, err)
	}
	count := func(filter postgres.ReminderFilter) int {
		t.Helper()
		list, err := f.db.Reminders(ctx, f.org.ID, filter)
		must(t, err)
		return len(list)
	}
	for name, tt := range map[string]struct {
		filter postgres.ReminderFilter
		want   int
	}{
		"All":                  {postgres.ReminderFilter{}, 3},
		"Recipient":            {postgres.ReminderFilter{RecipientID: f.owner.ID}, 2},
		"Activity":             {postgres.ReminderFilter{ActivityID: f.activity.ID}, 2},
		"RecipientAndActivity": {postgres.ReminderFilter{RecipientID: f.coordinator.ID, ActivityID: f.activity.ID}, 1},
		"Kind":                 {postgres.ReminderFilter{Kind: "bilan"}, 1},
		"Limit":                {postgres.ReminderFilter{Limit: 2}, 2},
	} {
		if got := count(tt.filter); got != tt.want {
			t.Errorf("%s: %d reminders, want %d", name, got, tt.want)
		}
	}
	other := mustFixture(t, "autre", f.db)
	if list, _ := f.db.Reminders(ctx, other.org.ID, postgres.ReminderFilter{}); len(list) != 0 {
		t.Errorf("another organisation sees %d reminders", len(list))
	}
}

func TestCloseCycle(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t, "cnltp")
	for _, a := range []ptacycle.Activity{
		{ActionID: f.action.ID, Code: "1.1.2", Title: "Réalisée", Status: ptacycle.StatusDone, Progress: 100},
		{ActionID: f.action.ID, Code: "1.1.3", Title: "Annulée", Status: ptacycle.StatusCancelled},
		{ActionID: f.action.ID, Code: "1.1.4", Title: "En cours", Status: ptacycle.StatusInProgress, Progress: 70},
	} {
		created, err := f.db.CreateActivity(ctx, f.actor, a)
		must(t, err)
		setExecution(t, f.db, created.ID, a.Status, a.Progress)
	}
	other := mustFixture(t, "autre", f.db)
	n, err := f.db.UnfinishedActivities(ctx, f.org.ID, f.plan.ID)
	if err != nil || n != 2 { // the fixture's, not started, and the one in progress
		t.Errorf("UnfinishedActivities = %d, %v; want 2", n, err)
	}
	if n, _ := f.db.UnfinishedActivities(ctx, f.org.ID, other.plan.ID); n != 0 {
		t.Errorf("%d unfinished activities counted in another organisation's plan", n)
	}

	must(t, f.db.CloseCycle(ctx, f.actor, f.cycle.ID, 62.5))
	must(t, f.db.CloseCycle(ctx, f.actor, f.cycle.ID, 80)) // a retry changes nothing
	closed, err := f.db.Cycle(ctx, f.org.ID, 2024)
	must(t, err)
	var finalRate float64
	must(t, f.db.Pool.QueryRow(ctx, `SELECT final_rate FROM cycles WHERE id = $1`, f.cycle.ID).Scan(&finalRate))
	if closed.Stage != ptacycle.StageClosed || closed.ClosedAt == nil || finalRate != 62.5 {
		t.Errorf("after closing: stage %s, closed at %v, final rate %v", closed.Stage, closed.ClosedAt, finalRate)
	}
	if n := auditCount(t, f, "cycle", f.cycle.ID, "close"); n != 1 {
		t.Errorf("%d close entries in the audit log, want 1", n)
	}
	t.Run("ErrClosedCycleStage", func(t *testing.T) {
		// A year closed is never reopened: no stage change, no new bilan rates, whoever asks.
		err := f.db.SetStage(ctx, f.actor, f.cycle.ID, ptacycle.StageBilan)
		if ptacycle.ErrorCode(err) != ptacycle.ECONFLICT || !strings.Contains(err.Error(), "clôturé") {
			t.Errorf("SetStage on a closed cycle: %v, want ECONFLICT", err)
		}
		must(t, f.db.SetStage(ctx, f.actor, f.cycle.ID, ptacycle.StageClosed)) // the stage it has: a retry
		err = f.db.StoreBilanRates(ctx, f.actor, f.cycle.ID, ptacycle.ComputeBreakdown([]ptacycle.RateItem{{Status: ptacycle.StatusDone, Progress: 100}}))
		if ptacycle.ErrorCode(err) != ptacycle.ECONFLICT {
			t.Errorf("StoreBilanRates on a closed cycle: %v, want ECONFLICT", err)
		}
		c, _ := f.db.Cycle(ctx, f.org.ID, 2024)
		b, _ := f.db.Bilan(ctx, f.org.ID, f.cycle.ID)
		if c.Stage != ptacycle.StageClosed || c.ClosedAt == nil || !c.ClosedAt.Equal(*closed.ClosedAt) || b.Rates != nil {
			t.Errorf("the closed cycle changed: stage %s, closed at %v (was %v), rates %+v", c.Stage, c.ClosedAt, closed.ClosedAt, b.Rates)
		}
	})
	t.Run("OtherOrganisationsCycle", func(t *testing.T) {
		must(t, f.db.CloseCycle(ctx, f.actor, other.cycle.ID, 10))
		if c, _ := f.db.Cycle(ctx, other.org.ID, 2024); c.Stage == ptacycle.StageClosed {
			t.Error("an organisation closed another's cycle")
		}
	})
}

func TestRecordEvent(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t, "cnltp")
	until := time.Date(2024, time.April, 30, 18, 0, 0, 0, time.UTC)
	delegation := map[string]any{"level": 1, "to": f.owner.ID, "until": until}
	for range 2 { // the second call is a retried activity
		must(t, f.db.RecordEvent(ctx, ptacycle.UserActor(f.coordinator), "delegate", "cycle", f.cycle.ID, delegation))
	}
	if n := auditCount(t, f, "cycle", f.cycle.ID, "delegate"); n != 1 {
		t.Errorf("%d delegate entries after the same event twice, want 1", n)
	}
	must(t, f.db.RecordEvent(ctx, ptacycle.UserActor(f.coordinator), "delegate", "cycle", f.cycle.ID,
		map[string]any{"level": 2, "to": f.owner.ID, "until": until}))
	if n := auditCount(t, f, "cycle", f.cycle.ID, "delegate"); n != 2 {
		t.Errorf("%d delegate entries after a second, different event, want 2", n)
	}
}

// setExecution puts an activity where a year of execution left it (drafts start not started).
func setExecution(t *testing.T, db *postgres.DB, id int64, status ptacycle.ActivityStatus, progress int) {
	t.Helper()
	if _, err := db.Pool.Exec(context.Background(), `UPDATE activities SET status = $2, progress = $3 WHERE id = $1`, id, status, progress); err != nil {
		t.Fatal(err)
	}
}

// TestPlanRates checks the SQL aggregate against ComputeBreakdown over the
// same activities: every group, the regions counted once per region, the
// cancelled left out, and the overdue count.
func TestPlanRates(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t, "cnltp") // activity 1.1.1: Tonkpi cell, owner, region Tonkpi, due 30 June 2024
	empty, overdue, err := f.db.PlanRates(ctx, f.org.ID, f.plan.ID+1000, ptacycle.NewDate(2024, time.July, 1))
	must(t, err)
	if empty.Overall.Planned != 0 || overdue != 0 || len(empty.ByAxis) != 0 {
		t.Errorf("rates of a plan without activities = %+v, %d overdue", empty, overdue)
	}
	nawa, err := f.db.CreateRegion(ctx, f.actor, "Nawa")
	must(t, err)
	specs := []struct {
		status   ptacycle.ActivityStatus
		progress int
		unit     *int64
		regions  []int64
		due      time.Month
	}{
		{ptacycle.StatusDone, 100, &f.unit.ID, []int64{f.region.ID, nawa.ID}, time.March},
		{ptacycle.StatusInProgress, 40, nil, nil, time.May},
		{ptacycle.StatusCancelled, 0, &f.unit.ID, []int64{nawa.ID}, time.April},
		{ptacycle.StatusNotStarted, 0, nil, []int64{nawa.ID}, time.September},
	}
	for i, sp := range specs {
		a, err := f.db.CreateActivity(ctx, f.actor, ptacycle.Activity{ActionID: f.action.ID, Code: fmt.Sprintf("1.1.%d", i+2), Title: "Activité",
			ResponsibleUnitID: sp.unit, RegionIDs: sp.regions, DueDate: ptacycle.NewDate(2024, sp.due, 28)})
		must(t, err)
		setExecution(t, f.db, a.ID, sp.status, sp.progress)
	}
	items, err := f.db.RateItems(ctx, f.org.ID, f.plan.ID)
	must(t, err)
	want := ptacycle.ComputeBreakdown(items)
	got, overdue, err := f.db.PlanRates(ctx, f.org.ID, f.plan.ID, ptacycle.NewDate(2024, time.July, 1))
	must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PlanRates = %+v\nComputeBreakdown = %+v", got, want)
	}
	if got.Overall.Planned != 4 || got.Overall.Done != 1 || len(got.ByRegion) != 3 {
		t.Errorf("overall %+v, regions %+v: want 4 planned (one cancelled left out), 1 done, Tonkpi, Nawa and National", got.Overall, got.ByRegion)
	}
	// Due before 1 July and unfinished: 1.1.1 (30 June) and 1.1.3 (28 May); 1.1.2 is done, 1.1.4 cancelled.
	if overdue != 2 {
		t.Errorf("%d overdue, want 2", overdue)
	}
}

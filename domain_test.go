package ptacycle_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
)

func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	var e *ptacycle.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *ptacycle.Error", err)
	}
	if e.Code != ptacycle.EINVALID {
		t.Fatalf("code = %q, want %q", e.Code, ptacycle.EINVALID)
	}
	out := map[string]string{}
	for _, f := range e.Fields {
		out[f.Field] = f.Message
	}
	return out
}

func TestActivityValidate(t *testing.T) {
	good := ptacycle.Activity{Title: "Former 50 acteurs de la chaîne pénale", Status: ptacycle.StatusNotStarted,
		StartDate: ptacycle.NewDate(2024, time.March, 1), DueDate: ptacycle.NewDate(2024, time.June, 30)}
	if err := good.Validate(); err != nil {
		t.Fatalf("a good activity is refused: %v", err)
	}
	tests := []struct {
		name   string
		change func(*ptacycle.Activity)
		field  string
		text   string
	}{
		{"ErrTitleMissing", func(a *ptacycle.Activity) { a.Title = "  " }, "title", "champ obligatoire"},
		{"ErrNegativeBudget", func(a *ptacycle.Activity) { a.BudgetXOF = -1 }, "budgetXof", "négatif"},
		{"ErrDueBeforeStart", func(a *ptacycle.Activity) { a.DueDate = ptacycle.NewDate(2024, time.January, 2) }, "dueDate", "02/01/2024"},
		{"ErrProgressAbove100", func(a *ptacycle.Activity) { a.Progress = 101 }, "progress", "entre 0 et 100"},
		{"ErrDoneNotFull", func(a *ptacycle.Activity) { a.Status, a.Progress = ptacycle.StatusDone, 80 }, "progress", "100 %"},
		{"ErrPostponedWithoutDate", func(a *ptacycle.Activity) { a.Status = ptacycle.StatusPostponed }, "postponedTo", "nouvelle date"},
		{"ErrUnknownStatus", func(a *ptacycle.Activity) { a.Status = "finished" }, "status", "inconnu"},
		{"ErrEvidenceNotALink", func(a *ptacycle.Activity) { a.EvidenceURL = "javascript:alert(1)" }, "evidenceUrl", "https://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := good
			tt.change(&a)
			fields := fieldsOf(t, a.Validate())
			if msg, ok := fields[tt.field]; !ok || !strings.Contains(msg, tt.text) {
				t.Errorf("fields = %v, want %s mentioning %q", fields, tt.field, tt.text)
			}
		})
	}
	t.Run("AllFieldsReportedAtOnce", func(t *testing.T) {
		bad := ptacycle.Activity{Status: "x", Progress: -1, BudgetXOF: -5}
		fields := fieldsOf(t, bad.Validate())
		if len(fields) != 4 {
			t.Errorf("fields = %v, want title, budget, status and progress", fields)
		}
	})
}

func TestUserValidate(t *testing.T) {
	unit := int64(1)
	good := ptacycle.User{Email: "awa@cnltp.ci", FullName: "Awa Koné", Role: ptacycle.RoleOwner, UnitID: &unit, Language: "fr"}
	if err := good.Validate(); err != nil {
		t.Fatalf("a good user is refused: %v", err)
	}
	bad := ptacycle.User{Email: "awa", Role: ptacycle.RoleOwner, Language: "de"}
	fields := fieldsOf(t, bad.Validate())
	for _, f := range []string{"email", "fullName", "unitId", "language"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("field %s not reported: %v", f, fields)
		}
	}
}

func TestDecisionValidate(t *testing.T) {
	t.Run("ErrSendBackWithoutComment", func(t *testing.T) {
		fields := fieldsOf(t, ptacycle.Decision{Outcome: ptacycle.OutcomeSentBack, Level: 1}.Validate())
		if !strings.Contains(fields["comment"], "commentaire") {
			t.Errorf("fields = %v", fields)
		}
	})
	if err := (ptacycle.Decision{Outcome: ptacycle.OutcomeApproved, Level: 1}).Validate(); err != nil {
		t.Errorf("an approval without comment is refused: %v", err)
	}
}

func TestDateJSON(t *testing.T) {
	var v struct {
		D ptacycle.Date `json:"d"`
		E ptacycle.Date `json:"e"`
	}
	if err := json.Unmarshal([]byte(`{"d":"2024-02-06","e":null}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.D != ptacycle.NewDate(2024, time.February, 6) || !v.E.IsZero() {
		t.Errorf("got %v %v", v.D, v.E)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"d":"2024-02-06","e":null}` {
		t.Errorf("round trip = %s", b)
	}
	if v.D.French() != "06/02/2024" {
		t.Errorf("French() = %s", v.D.French())
	}
	t.Run("ErrInvalidDate", func(t *testing.T) {
		err := json.Unmarshal([]byte(`{"d":"2024-02-31"}`), &v)
		if ptacycle.ErrorCode(err) != ptacycle.EINVALID || !strings.Contains(err.Error(), "2024-02-31") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestCheckPlan(t *testing.T) {
	unit := int64(7)
	action := ptacycle.Action{ID: 1, Code: "1.1", Title: "Renforcer les capacités"}
	good := ptacycle.Activity{ID: 10, ActionID: 1, Code: "1.1.1", Title: "Former", ResponsibleUnitID: &unit, DueDate: ptacycle.NewDate(2024, time.June, 30)}
	plan := ptacycle.PlanContent{Year: 2024, Actions: []ptacycle.Action{action}, Activities: []ptacycle.Activity{good},
		Recommendations: []ptacycle.Recommendation{{Position: 1, Text: "Budget de fonctionnement", Adopted: true, ActionIDs: []int64{1}}, {Position: 2, Text: "Non adoptée"}}}
	if problems := ptacycle.CheckPlan(plan); len(problems) != 0 {
		t.Fatalf("a good plan has problems: %v", problems)
	}
	tests := []struct {
		name   string
		change func(*ptacycle.PlanContent)
		want   string
	}{
		{"ErrNoActivity", func(p *ptacycle.PlanContent) { p.Activities = nil }, "aucune activité"},
		{"ErrNoUnit", func(p *ptacycle.PlanContent) { p.Activities[0].ResponsibleUnitID = nil }, "Activité 1.1.1 : structure responsable manquante"},
		{"ErrNoDueDate", func(p *ptacycle.PlanContent) { p.Activities[0].DueDate = ptacycle.Date{} }, "Activité 1.1.1 : échéance manquante"},
		{"ErrDueOutsideYear", func(p *ptacycle.PlanContent) { p.Activities[0].DueDate = ptacycle.NewDate(2025, time.January, 15) }, "15/01/2025 est hors de l'année 2024"},
		{"ErrRecommendationUnanswered", func(p *ptacycle.PlanContent) { p.Recommendations[0].ActionIDs = nil }, "n° 1 adoptée n'est traitée par aucune action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := plan
			p.Activities = append([]ptacycle.Activity(nil), plan.Activities...)
			p.Recommendations = append([]ptacycle.Recommendation(nil), plan.Recommendations...)
			tt.change(&p)
			problems := ptacycle.CheckPlan(p)
			if len(problems) != 1 || !strings.Contains(problems[0].Message, tt.want) {
				t.Fatalf("problems = %v, want one mentioning %q", problems, tt.want)
			}
			err := ptacycle.PlanProblems(problems)
			if ptacycle.ErrorCode(err) != ptacycle.EINVALID || !strings.Contains(err.Error(), "ne peut pas être soumis") {
				t.Errorf("PlanProblems = %v", err)
			}
		})
	}
}

func TestPlanSnapshotHash(t *testing.T) {
	unit := int64(7)
	actions := []ptacycle.Action{{ID: 1, Code: "1.1", Title: "A"}, {ID: 2, Code: "1.2", Title: "B"}}
	activities := []ptacycle.Activity{
		{ID: 10, ActionID: 2, Code: "1.2.1", Title: "X", ResponsibleUnitID: &unit, Version: 3, Status: ptacycle.StatusDone},
		{ID: 11, ActionID: 1, Code: "1.1.1", Title: "Y", BudgetXOF: 1000},
	}
	a := ptacycle.PlanContent{Year: 2024, Actions: actions, Activities: activities}
	// Same content, other order, other row ids and execution fields: same hash.
	b := ptacycle.PlanContent{Year: 2024, Actions: []ptacycle.Action{{ID: 5, Code: "1.2", Title: "B"}, {ID: 4, Code: "1.1", Title: "A"}},
		Activities: []ptacycle.Activity{{ID: 20, ActionID: 4, Code: "1.1.1", Title: "Y", BudgetXOF: 1000}, {ID: 21, ActionID: 5, Code: "1.2.1", Title: "X", ResponsibleUnitID: &unit}}}
	if a.Snapshot().Hash() != b.Snapshot().Hash() {
		t.Error("the same plan in another order gives another hash")
	}
	if h := a.Snapshot().Hash(); len(h) != 64 {
		t.Errorf("hash %q is not 64 hex digits", h)
	}
	b.Activities[0].BudgetXOF = 1001
	if a.Snapshot().Hash() == b.Snapshot().Hash() {
		t.Error("a changed budget keeps the same hash")
	}
	if got := a.Snapshot().Actions[1].Activities[0].Code; got != "1.2.1" {
		t.Errorf("activity filed under the wrong action: %s", got)
	}
}

func TestDiffPlans(t *testing.T) {
	unit, other := int64(1), int64(2)
	v1 := ptacycle.PlanSnapshot{Year: 2024, Actions: []ptacycle.SnapshotAction{
		{Code: "1.1", Title: "Former", Activities: []ptacycle.SnapshotActivity{
			{Code: "1.1.1", Title: "Former 50 magistrats", ResponsibleUnitID: &unit, BudgetXOF: 1000},
			{Code: "1.1.2", Title: "Retirée"},
		}},
		{Code: "2.1", Title: "Sensibiliser", Activities: []ptacycle.SnapshotActivity{{Code: "2.1.1", Title: "Campagne"}}},
	}}
	v2 := ptacycle.PlanSnapshot{Year: 2024, Actions: []ptacycle.SnapshotAction{
		{Code: "1.1", Title: "Former les acteurs", Activities: []ptacycle.SnapshotActivity{
			{Code: "1.1.1", Title: "Former 50 magistrats", ResponsibleUnitID: &other, BudgetXOF: 2000},
			{Code: "2.1.1", Title: "Campagne"},
		}},
		{Code: "3.1", Title: "Coordonner"},
	}}
	got := map[string]ptacycle.PlanChange{}
	for _, c := range ptacycle.DiffPlans(v1, v2) {
		got[c.Kind+" "+c.Entity+" "+c.Code] = c
	}
	want := []string{"changed action 1.1", "removed action 2.1", "added action 3.1", "changed activity 1.1.1", "removed activity 1.1.2", "changed activity 2.1.1"}
	if len(got) != len(want) {
		t.Errorf("changes = %v, want %v", got, want)
	}
	for _, w := range want {
		if _, ok := got[w]; !ok {
			t.Errorf("missing change %q in %v", w, got)
		}
	}
	fields := map[string]ptacycle.FieldChange{}
	for _, f := range got["changed activity 1.1.1"].Fields {
		fields[f.Field] = f
	}
	if len(fields) != 2 || fields["budgetXof"].Before != int64(1000) || fields["budgetXof"].After != int64(2000) || fields["responsibleUnitId"].After != other {
		t.Errorf("fields of 1.1.1 = %+v", fields)
	}
	if f := got["changed activity 2.1.1"].Fields; len(f) != 1 || f[0].Field != "action" || f[0].Before != "2.1" || f[0].After != "1.1" {
		t.Errorf("move of 2.1.1 = %+v", f)
	}
	if len(ptacycle.DiffPlans(v2, v2)) != 0 {
		t.Error("a version differs from itself")
	}
}

func TestRecommendationsFrozen(t *testing.T) {
	proposed := []ptacycle.Recommendation{{Position: 1}, {Position: 2}}
	adopted := []ptacycle.Recommendation{{Position: 1, Adopted: true}, {Position: 2}}
	for _, c := range []struct {
		stage ptacycle.Stage
		recs  []ptacycle.Recommendation
		want  bool
	}{
		{ptacycle.StageBilan, proposed, false},
		{ptacycle.StageRecommendations, proposed, false},
		{ptacycle.StageRecommendations, nil, false},
		{ptacycle.StageRecommendations, adopted, true},
		{ptacycle.StageDrafting, proposed, true}, // adopted with none retained
		{ptacycle.StageClosed, nil, true},
	} {
		if got := ptacycle.RecommendationsFrozen(c.stage, c.recs); got != c.want {
			t.Errorf("RecommendationsFrozen(%s, %d adopted of %d) = %v, want %v", c.stage, countAdopted(c.recs), len(c.recs), got, c.want)
		}
	}
}

func countAdopted(recs []ptacycle.Recommendation) (n int) {
	for _, r := range recs {
		if r.Adopted {
			n++
		}
	}
	return n
}

func TestStrategyAxesValidate(t *testing.T) {
	ok := ptacycle.Strategy{Title: "Stratégie 2026–2029", StartYear: 2026, EndYear: 2029,
		Axes: []ptacycle.Axis{{Code: "A1", Title: "Prévention"}, {Code: "A2", Title: "Protection"}}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("a good strategy: %v", err)
	}
	for name, axes := range map[string][]ptacycle.Axis{
		"DuplicateCode": {{Code: "A1", Title: "Prévention"}, {Code: "a1", Title: "Protection"}},
		"NoTitle":       {{Code: "A1"}},
		"LongCode":      {{Code: strings.Repeat("X", 21), Title: "Prévention"}},
		"TooMany":       make([]ptacycle.Axis, 21),
	} {
		bad := ok
		bad.Axes = axes
		if e, isErr := bad.Validate().(*ptacycle.Error); !isErr || e.Fields[0].Field != "axes" {
			t.Errorf("%s: %v", name, bad.Validate())
		}
	}
}

// TestChainOfDistinctApprovers: a chain naming one person on two levels is
// refused on the second level's approver. Failed before: it was accepted,
// and that person approved the whole plan alone.
func TestChainOfDistinctApprovers(t *testing.T) {
	err := ptacycle.ValidateChain([]ptacycle.ApprovalLevel{
		{Level: 1, Name: "Plénière", ApproverID: 7, DeadlineDays: 10},
		{Level: 2, Name: "Ministère", ApproverID: 7, DeadlineDays: 10},
	})
	e, ok := err.(*ptacycle.Error)
	if !ok || len(e.Fields) != 1 || e.Fields[0].Field != "levels[1].approverId" || !strings.Contains(e.Fields[0].Message, "valide déjà le niveau 1") {
		t.Fatalf("a chain with one approver on two levels: %v", err)
	}
	if err := ptacycle.ValidateChain([]ptacycle.ApprovalLevel{
		{Level: 1, Name: "Plénière", ApproverID: 7, DeadlineDays: 10},
		{Level: 2, Name: "Ministère", ApproverID: 8, DeadlineDays: 10},
	}); err != nil {
		t.Errorf("a chain of two approvers: %v", err)
	}
}

// TestActionCodeShape: an action's code is a short identifier (1.2, A1,
// OS1.2), never a title typed in its field (« Action 5 »).
func TestActionCodeShape(t *testing.T) {
	for code, ok := range map[string]bool{"1": true, "1.2": true, "A1": true, "OS1.2": true, "R-3": true, "2.1.4": true,
		"Action 5": false, "1. 2": false, "1..2": false, ".1": false, "1.": false, "Renforcer la coordination": false} {
		err := ptacycle.Action{Code: code, Title: "Coordonner"}.Validate()
		if (err == nil) != ok {
			t.Errorf("action code %q: %v, want accepted %v", code, err, ok)
		}
	}
}

package ptacycle_test

import (
	"testing"

	"github.com/ptacycle/ptacycle"
)

func TestNewBilanReport(t *testing.T) {
	unit := int64(3)
	plan := ptacycle.PlanContent{
		Actions: []ptacycle.Action{{ID: 10, Code: "1.1"}, {ID: 11, Code: "1.2"}, {ID: 12, Code: "5.1"}},
		Activities: []ptacycle.Activity{
			{ActionID: 10, Status: ptacycle.StatusDone, Progress: 100},
			{ActionID: 10, Status: ptacycle.StatusInProgress, Progress: 50},
			{ActionID: 11, Status: ptacycle.StatusDone, Progress: 100},
			{ActionID: 12, Status: ptacycle.StatusCancelled},
		},
		Recommendations: []ptacycle.Recommendation{
			{ID: 1, Text: "Impliquer la société civile", UnitID: &unit, ActionIDs: []int64{10}},
			{ID: 2, Text: "Budget de fonctionnement", ActionIDs: []int64{12}},
			{ID: 3, Text: "Sans réponse"},
		},
	}
	r := ptacycle.NewBilanReport(ptacycle.Organisation{Acronym: "CNLTP"}, 2024, ptacycle.Bilan{ReviewedYear: 2023}, plan,
		[]ptacycle.Unit{{ID: 3, Name: "CNLTP"}})
	if len(r.Recommendations) != 3 {
		t.Fatalf("%d recommendations, want 3", len(r.Recommendations))
	}
	first := r.Recommendations[0]
	if first.Unit != "CNLTP" || len(first.Actions) != 1 || first.Actions[0].Code != "1.1" || first.Rate.Planned != 2 || first.Rate.Done != 1 {
		t.Errorf("first follow-up = %+v, want action 1.1 with 1 of its 2 activities done, addressed to CNLTP", first)
	}
	if second := r.Recommendations[1]; second.Rate.Planned != 0 || second.Rate.Cancelled != 1 {
		t.Errorf("second follow-up rate = %+v, want its one activity counted as cancelled", second.Rate)
	}
	if third := r.Recommendations[2]; len(third.Actions) != 0 || third.Unit != "" {
		t.Errorf("unanswered recommendation = %+v", third)
	}
}

package ptacycle_test

import (
	"testing"

	"github.com/ptacycle/ptacycle"
)

func items(status ptacycle.ActivityStatus, progress, n int) []ptacycle.RateItem {
	out := make([]ptacycle.RateItem, n)
	for i := range out {
		out[i] = ptacycle.RateItem{Status: status, Progress: progress}
	}
	return out
}

func concat(parts ...[]ptacycle.RateItem) []ptacycle.RateItem {
	var out []ptacycle.RateItem
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestComputeRate(t *testing.T) {
	tests := []struct {
		name        string
		items       []ptacycle.RateItem
		planned     int
		done        int
		cancelled   int
		rounded     int
		percent     float64
		avgProgress float64
	}{
		{name: "EmptyPlan", items: nil},
		{name: "FortyOfSixtyIs67", items: concat(items(ptacycle.StatusDone, 100, 40), items(ptacycle.StatusInProgress, 50, 20)),
			planned: 60, done: 40, rounded: 67, percent: 200.0 / 3, avgProgress: 83.3},
		{name: "CancelledExcluded", items: concat(items(ptacycle.StatusDone, 100, 2), items(ptacycle.StatusCancelled, 0, 2), items(ptacycle.StatusNotStarted, 0, 2)),
			planned: 4, done: 2, cancelled: 2, rounded: 50, percent: 50, avgProgress: 50},
		{name: "AllCancelled", items: items(ptacycle.StatusCancelled, 0, 3), cancelled: 3},
		{name: "HalfRoundsUp", items: concat(items(ptacycle.StatusDone, 100, 1), items(ptacycle.StatusPostponed, 0, 7)),
			planned: 8, done: 1, rounded: 13, percent: 12.5, avgProgress: 12.5},
		{name: "PostponedCountsAsPlanned", items: concat(items(ptacycle.StatusDone, 100, 1), items(ptacycle.StatusPostponed, 30, 1)),
			planned: 2, done: 1, rounded: 50, percent: 50, avgProgress: 65},
		{name: "DoneCountsAsFullProgress", items: items(ptacycle.StatusDone, 0, 3),
			planned: 3, done: 3, rounded: 100, percent: 100, avgProgress: 100},
		{name: "ProgressOutOfRangeIsClamped", items: []ptacycle.RateItem{{Status: ptacycle.StatusInProgress, Progress: 250}, {Status: ptacycle.StatusInProgress, Progress: -10}},
			planned: 2, avgProgress: 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ptacycle.ComputeRate(tt.items)
			if got.Planned != tt.planned || got.Done != tt.done || got.Cancelled != tt.cancelled {
				t.Fatalf("counts = planned %d done %d cancelled %d, want %d %d %d", got.Planned, got.Done, got.Cancelled, tt.planned, tt.done, tt.cancelled)
			}
			if got.Rounded != tt.rounded {
				t.Errorf("Rounded = %d, want %d", got.Rounded, tt.rounded)
			}
			if diff := got.Percent - tt.percent; diff > 1e-9 || diff < -1e-9 {
				t.Errorf("Percent = %v, want %v", got.Percent, tt.percent)
			}
			if got.AverageProgress != tt.avgProgress {
				t.Errorf("AverageProgress = %v, want %v", got.AverageProgress, tt.avgProgress)
			}
		})
	}
}

func TestComputeBreakdown(t *testing.T) {
	in := []ptacycle.RateItem{
		{Status: ptacycle.StatusDone, Axis: "Axe 1", Unit: "CNLTP", Regions: []string{"Tonkpi", "Nawa"}},
		{Status: ptacycle.StatusInProgress, Progress: 40, Axis: "Axe 1", Unit: "CRLTP Tonkpi", Regions: []string{"Tonkpi"}},
		{Status: ptacycle.StatusCancelled, Axis: "Axe 2", Unit: "CNLTP"},
		{Status: ptacycle.StatusNotStarted, Axis: "Axe 2", Unit: "CNLTP"},
	}
	got := ptacycle.ComputeBreakdown(in)
	if got.Overall.Planned != 3 || got.Overall.Done != 1 || got.Overall.Rounded != 33 {
		t.Errorf("Overall = %+v, want 1 of 3 done (33 %%)", got.Overall)
	}
	want := map[string]map[string][2]int{ // group → key → {planned, done}
		"axis":   {"Axe 1": {2, 1}, "Axe 2": {1, 0}},
		"unit":   {"CNLTP": {2, 1}, "CRLTP Tonkpi": {1, 0}},
		"region": {"Nawa": {1, 1}, "Tonkpi": {2, 1}, ptacycle.NationalRegion: {1, 0}},
	}
	for name, groups := range map[string][]ptacycle.GroupRate{"axis": got.ByAxis, "unit": got.ByUnit, "region": got.ByRegion} {
		if len(groups) != len(want[name]) {
			t.Errorf("%s: %d groups, want %d", name, len(groups), len(want[name]))
		}
		for i, g := range groups {
			if i > 0 && groups[i-1].Key >= g.Key {
				t.Errorf("%s: groups not sorted: %q before %q", name, groups[i-1].Key, g.Key)
			}
			w, ok := want[name][g.Key]
			if !ok {
				t.Errorf("%s: unexpected group %q", name, g.Key)
				continue
			}
			if g.Planned != w[0] || g.Done != w[1] {
				t.Errorf("%s %q: planned %d done %d, want %d %d", name, g.Key, g.Planned, g.Done, w[0], w[1])
			}
		}
	}
}

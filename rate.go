package ptacycle

import (
	"math"
	"sort"
)

// RateFormula states on screen how the execution rate is computed.
var RateFormula = Label{
	FR: "Taux d'exécution = activités réalisées ÷ activités prévues (les activités annulées ne comptent pas) ; avancement moyen = moyenne des pourcentages d'avancement des activités prévues.",
	EN: "Execution rate = activities done ÷ activities planned (cancelled activities are left out); average progress = mean progress of the planned activities.",
}

// RateItem is what the rate computation needs of one activity.
type RateItem struct {
	Status   ActivityStatus
	Progress int
	Axis     string
	Unit     string
	Owner    string
	Regions  []string // none means a national activity
}

// Rate is the execution of a set of activities.
type Rate struct {
	Planned         int     `json:"planned"` // cancelled ones excluded
	Done            int     `json:"done"`
	Cancelled       int     `json:"cancelled"`
	Percent         float64 `json:"percent"` // done ÷ planned × 100, 0 when nothing is planned
	Rounded         int     `json:"rounded"` // Percent to the nearest whole number, halves up
	AverageProgress float64 `json:"averageProgress"`
}

// Headline is the rate as pages show it in large, gauge and text alike:
// Rounded, so that the two never read 20,7 % beside 21 %.
func (r Rate) Headline() float64 { return float64(r.Rounded) }

// GroupRate is the execution of the activities sharing one axis, unit or region.
type GroupRate struct {
	Key string `json:"key"`
	Rate
}

// RateBreakdown is the execution rate overall and by axis, unit and region.
type RateBreakdown struct {
	Overall  Rate        `json:"overall"`
	ByAxis   []GroupRate `json:"byAxis"`
	ByUnit   []GroupRate `json:"byUnit"`
	ByRegion []GroupRate `json:"byRegion"`
	ByOwner  []GroupRate `json:"byOwner"`
}

// NationalRegion is the region key of activities that name no region.
const NationalRegion = "National"

// RateCounts are the sums a rate is computed from: what ComputeRate adds up
// activity by activity, and what a SQL aggregate returns per group.
type RateCounts struct {
	Planned, Done, Cancelled int
	ProgressSum              int // 100 per done activity, its progress (0–100) per other planned one
}

func (a *RateCounts) add(it RateItem) {
	switch {
	case it.Status == StatusCancelled:
		a.Cancelled++
		return
	case it.Status == StatusDone:
		a.Done++
		a.ProgressSum += 100
	default:
		a.ProgressSum += min(max(it.Progress, 0), 100)
	}
	a.Planned++
}

// Rate takes the ratios of the counts.
func (a RateCounts) Rate() Rate {
	r := Rate{Planned: a.Planned, Done: a.Done, Cancelled: a.Cancelled}
	if a.Planned == 0 {
		return r
	}
	r.Percent = float64(a.Done) * 100 / float64(a.Planned)
	r.Rounded = int(math.Floor(r.Percent + 0.5))
	r.AverageProgress = math.Round(float64(a.ProgressSum)*10/float64(a.Planned)) / 10
	return r
}

// ComputeRate returns the execution rate of items.
func ComputeRate(items []RateItem) Rate {
	var acc RateCounts
	for _, it := range items {
		acc.add(it)
	}
	return acc.Rate()
}

// BreakdownCounts are the counts of a breakdown before the ratios are taken.
type BreakdownCounts struct {
	Overall                           RateCounts
	ByAxis, ByUnit, ByRegion, ByOwner map[string]*RateCounts
}

// NewBreakdownCounts is an empty breakdown to add groups to.
func NewBreakdownCounts() BreakdownCounts {
	return BreakdownCounts{ByAxis: map[string]*RateCounts{}, ByUnit: map[string]*RateCounts{},
		ByRegion: map[string]*RateCounts{}, ByOwner: map[string]*RateCounts{}}
}

// Group returns the counts of key in m, adding them if missing.
func Group(m map[string]*RateCounts, key string) *RateCounts {
	if m[key] == nil {
		m[key] = &RateCounts{}
	}
	return m[key]
}

// Breakdown takes the ratios of every group; groups are sorted by key.
func (b BreakdownCounts) Breakdown() RateBreakdown {
	return RateBreakdown{
		Overall:  b.Overall.Rate(),
		ByAxis:   sortedGroups(b.ByAxis),
		ByUnit:   sortedGroups(b.ByUnit),
		ByRegion: sortedGroups(b.ByRegion),
		ByOwner:  sortedGroups(b.ByOwner),
	}
}

// ComputeBreakdown returns the execution rate overall and by axis, unit,
// region and owner; groups are sorted by key. An activity in several regions counts in each.
func ComputeBreakdown(items []RateItem) RateBreakdown {
	b := NewBreakdownCounts()
	for _, it := range items {
		b.Overall.add(it)
		Group(b.ByAxis, it.Axis).add(it)
		Group(b.ByUnit, it.Unit).add(it)
		Group(b.ByOwner, it.Owner).add(it)
		if len(it.Regions) == 0 {
			Group(b.ByRegion, NationalRegion).add(it)
		}
		for _, r := range it.Regions {
			Group(b.ByRegion, r).add(it)
		}
	}
	return b.Breakdown()
}

func sortedGroups(m map[string]*RateCounts) []GroupRate {
	out := make([]GroupRate, 0, len(m))
	for k, acc := range m {
		out = append(out, GroupRate{Key: k, Rate: acc.Rate()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

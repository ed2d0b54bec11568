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

// rateAccumulator sums activities before the ratios are taken.
type rateAccumulator struct {
	planned, done, cancelled, progressSum int
}

func (a *rateAccumulator) add(it RateItem) {
	switch {
	case it.Status == StatusCancelled:
		a.cancelled++
		return
	case it.Status == StatusDone:
		a.done++
		a.progressSum += 100
	default:
		a.progressSum += min(max(it.Progress, 0), 100)
	}
	a.planned++
}

func (a rateAccumulator) rate() Rate {
	r := Rate{Planned: a.planned, Done: a.done, Cancelled: a.cancelled}
	if a.planned == 0 {
		return r
	}
	r.Percent = float64(a.done) * 100 / float64(a.planned)
	r.Rounded = int(math.Floor(r.Percent + 0.5))
	r.AverageProgress = math.Round(float64(a.progressSum)*10/float64(a.planned)) / 10
	return r
}

// ComputeRate returns the execution rate of items.
func ComputeRate(items []RateItem) Rate {
	var acc rateAccumulator
	for _, it := range items {
		acc.add(it)
	}
	return acc.rate()
}

// ComputeBreakdown returns the execution rate overall and by axis, unit,
// region and owner; groups are sorted by key. An activity in several regions counts in each.
func ComputeBreakdown(items []RateItem) RateBreakdown {
	var overall rateAccumulator
	byAxis := map[string]*rateAccumulator{}
	byUnit := map[string]*rateAccumulator{}
	byRegion := map[string]*rateAccumulator{}
	byOwner := map[string]*rateAccumulator{}
	group := func(m map[string]*rateAccumulator, key string) *rateAccumulator {
		if m[key] == nil {
			m[key] = &rateAccumulator{}
		}
		return m[key]
	}
	for _, it := range items {
		overall.add(it)
		group(byAxis, it.Axis).add(it)
		group(byUnit, it.Unit).add(it)
		group(byOwner, it.Owner).add(it)
		if len(it.Regions) == 0 {
			group(byRegion, NationalRegion).add(it)
		}
		for _, r := range it.Regions {
			group(byRegion, r).add(it)
		}
	}
	return RateBreakdown{
		Overall:  overall.rate(),
		ByAxis:   sortedGroups(byAxis),
		ByUnit:   sortedGroups(byUnit),
		ByRegion: sortedGroups(byRegion),
		ByOwner:  sortedGroups(byOwner),
	}
}

func sortedGroups(m map[string]*rateAccumulator) []GroupRate {
	out := make([]GroupRate, 0, len(m))
	for k, acc := range m {
		out = append(out, GroupRate{Key: k, Rate: acc.rate()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

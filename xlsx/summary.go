package xlsx

import "github.com/ptacycle/ptacycle"

// AxisCount is what an import creates under one axis; AxisCode is "" for the actions without axis.
type AxisCount struct {
	AxisCode   string `json:"axisCode"`
	AxisTitle  string `json:"axisTitle"`
	Actions    int    `json:"actions"`
	Activities int    `json:"activities"`
}

// Summarize counts the actions and activities of an import by axis, for the
// preview shown before it is confirmed: axes in the strategy's order, those
// without anything to import left out, the actions without axis last ("Sans axe").
func Summarize(in ptacycle.PlanImport, ref Reference) []AxisCount {
	byAxis := map[int64]*AxisCount{}
	for _, a := range ref.Axes {
		byAxis[a.ID] = &AxisCount{AxisCode: a.Code, AxisTitle: a.Title}
	}
	none := &AxisCount{AxisTitle: noAxis}
	countOf := func(axisID *int64) *AxisCount {
		if axisID != nil && byAxis[*axisID] != nil {
			return byAxis[*axisID]
		}
		return none
	}
	actionCount := map[string]*AxisCount{}
	for _, a := range in.Actions {
		count := countOf(a.AxisID)
		count.Actions++
		actionCount[a.Code] = count
	}
	for _, a := range in.Activities {
		if count := actionCount[a.ActionCode]; count != nil {
			count.Activities++
		} else {
			none.Activities++
		}
	}
	var counts []AxisCount
	for _, a := range sortedAxes(ref) {
		if count := byAxis[a.ID]; count.Actions+count.Activities > 0 {
			counts = append(counts, *count)
		}
	}
	if none.Actions+none.Activities > 0 {
		counts = append(counts, *none)
	}
	return counts
}

package ptacycle

import (
	"reflect"
	"sort"
)

// PlanChange is one difference between two versions of a plan.
type PlanChange struct {
	Kind   string        `json:"kind"`   // added, removed, changed
	Entity string        `json:"entity"` // action, activity
	Code   string        `json:"code"`
	Title  string        `json:"title"`
	Fields []FieldChange `json:"fields,omitempty"`
}

// FieldChange is a field whose value changed between two versions.
type FieldChange struct {
	Field  string `json:"field"`
	Before any    `json:"before"`
	After  any    `json:"after"`
}

// activityFields are the compared fields of an activity, by their JSON names.
var activityFields = []struct {
	name string
	get  func(SnapshotActivity) any
}{
	{"title", func(a SnapshotActivity) any { return a.Title }},
	{"responsibleUnitId", func(a SnapshotActivity) any { return derefOrNil(a.ResponsibleUnitID) }},
	{"ownerId", func(a SnapshotActivity) any { return derefOrNil(a.OwnerID) }},
	{"partnerUnitIds", func(a SnapshotActivity) any { return nonEmpty(a.PartnerUnitIDs) }},
	{"regionIds", func(a SnapshotActivity) any { return nonEmpty(a.RegionIDs) }},
	{"startDate", func(a SnapshotActivity) any { return a.StartDate.String() }},
	{"dueDate", func(a SnapshotActivity) any { return a.DueDate.String() }},
	{"budgetXof", func(a SnapshotActivity) any { return a.BudgetXOF }},
	{"fundingSource", func(a SnapshotActivity) any { return a.FundingSource }},
	{"indicator", func(a SnapshotActivity) any { return a.Indicator }},
	{"target", func(a SnapshotActivity) any { return a.Target }},
	{"deliverable", func(a SnapshotActivity) any { return a.Deliverable }},
}

// DiffPlans lists what changed from one frozen version of a plan to another:
// actions and activities (matched by code) added, removed or changed, field by field.
func DiffPlans(from, to PlanSnapshot) []PlanChange {
	var changes []PlanChange
	fromActions, toActions := map[string]SnapshotAction{}, map[string]SnapshotAction{}
	fromActs, toActs := map[string]SnapshotActivity{}, map[string]SnapshotActivity{}
	actionOf := map[string]string{} // activity code → action code, in the new version
	fromActionOf := map[string]string{}
	for _, a := range from.Actions {
		fromActions[a.Code] = a
		for _, act := range a.Activities {
			fromActs[act.Code], fromActionOf[act.Code] = act, a.Code
		}
	}
	for _, a := range to.Actions {
		toActions[a.Code] = a
		for _, act := range a.Activities {
			toActs[act.Code], actionOf[act.Code] = act, a.Code
		}
	}
	for _, code := range unionKeys(fromActions, toActions) {
		before, inFrom := fromActions[code]
		after, inTo := toActions[code]
		switch {
		case !inFrom:
			changes = append(changes, PlanChange{Kind: "added", Entity: "action", Code: code, Title: after.Title})
		case !inTo:
			changes = append(changes, PlanChange{Kind: "removed", Entity: "action", Code: code, Title: before.Title})
		default:
			var fields []FieldChange
			if before.Title != after.Title {
				fields = append(fields, FieldChange{"title", before.Title, after.Title})
			}
			if !reflect.DeepEqual(derefOrNil(before.AxisID), derefOrNil(after.AxisID)) {
				fields = append(fields, FieldChange{"axisId", derefOrNil(before.AxisID), derefOrNil(after.AxisID)})
			}
			if len(fields) > 0 {
				changes = append(changes, PlanChange{Kind: "changed", Entity: "action", Code: code, Title: after.Title, Fields: fields})
			}
		}
	}
	for _, code := range unionKeys(fromActs, toActs) {
		before, inFrom := fromActs[code]
		after, inTo := toActs[code]
		switch {
		case !inFrom:
			changes = append(changes, PlanChange{Kind: "added", Entity: "activity", Code: code, Title: after.Title})
		case !inTo:
			changes = append(changes, PlanChange{Kind: "removed", Entity: "activity", Code: code, Title: before.Title})
		default:
			var fields []FieldChange
			if fromActionOf[code] != actionOf[code] {
				fields = append(fields, FieldChange{"action", fromActionOf[code], actionOf[code]})
			}
			for _, f := range activityFields {
				if b, a := f.get(before), f.get(after); !reflect.DeepEqual(b, a) {
					fields = append(fields, FieldChange{f.name, b, a})
				}
			}
			if len(fields) > 0 {
				changes = append(changes, PlanChange{Kind: "changed", Entity: "activity", Code: code, Title: after.Title, Fields: fields})
			}
		}
	}
	return changes
}

func unionKeys[V any](a, b map[string]V) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func derefOrNil(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func nonEmpty(ids []int64) any {
	if len(ids) == 0 {
		return nil
	}
	return ids
}

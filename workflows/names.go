// Package workflows defines ptacycle's Temporal workflows: the annual cycle
// of an organisation and the follow-up of each activity during execution.
// Workflow code is deterministic: no clock, no I/O, no map iteration, no
// goroutines; everything that touches the world is an activity.
package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// Search attributes set on every cycle workflow, so that "all cycles in
// validation" is a Temporal list filter.
var (
	OrganisationAttribute = temporal.NewSearchAttributeKeyKeyword("OrganisationSlug")
	YearAttribute         = temporal.NewSearchAttributeKeyInt64("CycleYear")
	StageAttribute        = temporal.NewSearchAttributeKeyKeyword("CycleStage")
)

// SearchAttributeTypes lists the custom search attributes to register on the namespace.
func SearchAttributeTypes() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		OrganisationAttribute.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		YearAttribute.GetName():         enumspb.INDEXED_VALUE_TYPE_INT,
		StageAttribute.GetName():        enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	}
}

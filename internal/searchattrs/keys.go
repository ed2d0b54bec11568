package searchattrs

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// The custom search attributes of ptacycle's workflows: every cycle and
// follow-up names its organisation and year, and a cycle its stage, so that
// "all cycles in validation" or "CNLTP's follow-ups" is a Temporal list filter.
var (
	Organisation = temporal.NewSearchAttributeKeyKeyword("OrganisationSlug")
	Year         = temporal.NewSearchAttributeKeyInt64("CycleYear")
	Stage        = temporal.NewSearchAttributeKeyKeyword("CycleStage")
)

// Types lists the custom search attributes to register on the namespace.
func Types() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		Organisation.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		Year.GetName():         enumspb.INDEXED_VALUE_TYPE_INT,
		Stage.GetName():        enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	}
}

// Package searchattrs registers the custom search attributes ptacycle's
// workflows set, on the embedded dev server and on a production cluster alike.
package searchattrs

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
)

// Ensure adds the attributes of want that the namespace lacks (a namespace
// created before they were added to the product, a fresh production cluster);
// an attribute that exists with another type is an error.
func Ensure(ctx context.Context, c client.Client, namespace string, want map[string]enumspb.IndexedValueType) error {
	if len(want) == 0 {
		return nil
	}
	resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("attributs de recherche Temporal / Temporal search attributes: %w", err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range want {
		have, ok := resp.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = typ
		case have != typ:
			return fmt.Errorf("l'attribut de recherche %s est de type %s dans le namespace, %s attendu / search attribute %s is %s in the namespace, want %s",
				name, have, typ, name, have, typ)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        namespace,
		SearchAttributes: missing,
	}); err != nil {
		return fmt.Errorf("attributs de recherche Temporal / Temporal search attributes: %w", err)
	}
	return nil
}

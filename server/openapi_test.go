package server_test

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// parseDocument reads the answer to GET /api/v1/openapi.yaml and validates the document.
func parseDocument(resp *http.Response) (*openapi3.T, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/yaml" {
		return nil, fmt.Errorf("GET /api/v1/openapi.yaml: %d %s: %.500s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		return nil, fmt.Errorf("loading the OpenAPI document: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("the OpenAPI document is invalid: %w", err)
	}
	return doc, nil
}

// loadDocument is the valid OpenAPI document in resp.
func loadDocument(t *testing.T, resp *http.Response) *openapi3.T {
	t.Helper()
	doc, err := parseDocument(resp)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestOpenAPI(t *testing.T) {
	t.Parallel()
	a := mustApp(t, unreachableTemporal(t))
	resp, err := http.Get(a.srv.URL + "/api/v1/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := loadDocument(t, resp)
	schemas := doc.Components.Schemas
	operation := func(t *testing.T, method, path string) *openapi3.Operation {
		t.Helper()
		item := doc.Paths.Value(path)
		if item == nil || item.GetOperation(method) == nil {
			t.Fatalf("%s %s is not in the document", method, path)
		}
		return item.GetOperation(method)
	}

	t.Run("Info", func(t *testing.T) {
		if doc.OpenAPI != "3.0.3" || doc.Info.Title != "ptacycle API" || doc.Info.Version != "1" || doc.Servers[0].URL != "/api/v1" {
			t.Errorf("openapi %s, info %+v, servers %v", doc.OpenAPI, doc.Info, doc.Servers[0])
		}
		session, bearer := doc.Components.SecuritySchemes["session"].Value, doc.Components.SecuritySchemes["bearer"].Value
		if session.Type != "apiKey" || session.In != "cookie" || session.Name != "ptacycle_session" || bearer.Type != "http" || bearer.Scheme != "bearer" {
			t.Errorf("security schemes: %+v %+v", session, bearer)
		}
	})

	t.Run("EveryOperationIsServed", func(t *testing.T) {
		c := newAPIClient(t, a.srv.URL)
		param := regexp.MustCompile(`\{\w+\}`)
		count := 0
		for path, item := range doc.Paths.Map() {
			for method := range item.Operations() {
				count++
				res := c.doRaw(method, param.ReplaceAllString(path, "1"), "", nil)
				if res.Status == http.StatusNotFound || res.Status == http.StatusMethodNotAllowed {
					t.Errorf("%s %s: %d, the server has no such route", method, path, res.Status)
				}
			}
		}
		if count < 50 {
			t.Errorf("%d operations", count)
		}
	})

	t.Run("Operations", func(t *testing.T) {
		decide := operation(t, "POST", "/cycles/{year}/decisions")
		year := decide.Parameters.GetByInAndName("path", "year")
		if decide.OperationID != "postCyclesYearDecisions" || decide.Summary == "" || year == nil || !year.Required || !year.Schema.Value.Type.Is("integer") {
			t.Errorf("POST /cycles/{year}/decisions: %+v, year %+v", decide, year)
		}
		if !decide.RequestBody.Value.Required || decide.RequestBody.Value.Content.Get("application/json") == nil || decide.Security != nil {
			t.Errorf("POST /cycles/{year}/decisions: body %+v, security %v", decide.RequestBody.Value, decide.Security)
		}
		if ok := decide.Responses.Status(200).Value.Content.Get("application/json").Schema.Ref; ok != "#/components/schemas/CycleStatus" {
			t.Errorf("POST /cycles/{year}/decisions answers %s", ok)
		}
		for _, status := range []int{400, 401, 403, 404, 409, 413, 422, 429, 500, 503} {
			if r := decide.Responses.Status(status); r == nil || r.Value.Content.Get("application/json").Schema.Ref != "#/components/schemas/Error" {
				t.Errorf("POST /cycles/{year}/decisions: no error answer %d", status)
			}
		}
		if login := operation(t, "POST", "/session"); login.Security == nil || len(*login.Security) != 0 {
			t.Errorf("POST /session is public, security %v", login.Security)
		}
		if revoke := operation(t, "DELETE", "/me/tokens/{id}"); len(revoke.Responses.Status(204).Value.Content) != 0 {
			t.Errorf("DELETE /me/tokens/{id} answers 204 with content")
		}
		list := operation(t, "GET", "/activities")
		page, status := list.Parameters.GetByInAndName("query", "page"), list.Parameters.GetByInAndName("query", "status")
		if page == nil || !page.Schema.Value.Type.Is("integer") || status == nil || len(status.Schema.Value.Enum) != 5 {
			t.Errorf("GET /activities: page %+v, status %+v", page, status)
		}
		if ref := list.Responses.Status(200).Value.Content.Get("application/json").Schema.Ref; ref != "#/components/schemas/PageActivity" {
			t.Errorf("GET /activities answers %s", ref)
		}
	})

	t.Run("Activity", func(t *testing.T) {
		activity := schemas["Activity"].Value
		budget, due, owner := activity.Properties["budgetXof"].Value, activity.Properties["dueDate"].Value, activity.Properties["ownerId"].Value
		if !budget.Type.Is("integer") || budget.Format != "int64" {
			t.Errorf("budgetXof: %+v", budget)
		}
		if !due.Type.Is("string") || due.Format != "date" || !due.Nullable {
			t.Errorf("dueDate: %+v", due)
		}
		if !owner.Nullable || !owner.Type.Is("integer") {
			t.Errorf("ownerId: %+v", owner)
		}
		if status := activity.Properties["status"]; status.Ref != "#/components/schemas/ActivityStatus" || len(status.Value.Enum) != 5 {
			t.Errorf("status: %s %v", status.Ref, status.Value.Enum)
		}
		if updated := activity.Properties["updatedAt"].Value; updated.Format != "date-time" {
			t.Errorf("updatedAt: %+v", updated)
		}
		if ids := activity.Properties["regionIds"].Value; !ids.Type.Is("array") || !ids.Nullable || !ids.Items.Value.Type.Is("integer") {
			t.Errorf("regionIds: %+v", ids)
		}
		if !slices.Contains(activity.Required, "budgetXof") || slices.Contains(activity.Required, "ownerId") {
			t.Errorf("required: %v", activity.Required)
		}
		if has := activity.AdditionalProperties.Has; has == nil || *has {
			t.Errorf("Activity allows other properties")
		}
		// What a client sends: no field the server sets, the required ones marked.
		input, edit := schemas["ActivityInput"].Value, schemas["ActivityEdit"].Value
		for _, owned := range []string{"id", "planId", "status", "progress", "comment", "evidenceUrl", "postponedTo", "carriedOverFrom", "updatedAt"} {
			if input.Properties[owned] != nil || edit.Properties[owned] != nil {
				t.Errorf("%s, set by the server, is in ActivityInput or ActivityEdit", owned)
			}
		}
		if !slices.Equal(input.Required, []string{"actionId", "title"}) || input.Properties["version"] != nil || input.Properties["illustrative"] == nil {
			t.Errorf("ActivityInput: required %v, properties %v", input.Required, slices.Sorted(maps.Keys(input.Properties)))
		}
		if !slices.Equal(edit.Required, []string{"actionId", "title", "version"}) || edit.Properties["illustrative"] != nil {
			t.Errorf("ActivityEdit: required %v, properties %v", edit.Required, slices.Sorted(maps.Keys(edit.Properties)))
		}
		create := operation(t, "POST", "/cycles/{year}/plan/activities").RequestBody.Value.Content.Get("application/json").Schema.Ref
		update := operation(t, "PUT", "/activities/{id}").RequestBody.Value.Content.Get("application/json").Schema.Ref
		if create != "#/components/schemas/ActivityInput" || update != "#/components/schemas/ActivityEdit" {
			t.Errorf("activities are created with %s and changed with %s", create, update)
		}
		if kind := schemas["UnitInput"].Value.Properties["kind"]; kind.Ref != "#/components/schemas/UnitKind" || len(kind.Value.Enum) == 0 {
			t.Errorf("UnitInput.kind is not the closed set of kinds: %+v", kind)
		}
	})

	t.Run("Types", func(t *testing.T) {
		group := schemas["GroupRate"].Value
		if _, ok := group.Properties["Rate"]; ok || group.Properties["key"] == nil || group.Properties["planned"] == nil || !slices.Contains(group.Required, "planned") {
			t.Errorf("GroupRate does not flatten its embedded Rate: %v", group.Properties)
		}
		if percent := schemas["Rate"].Value.Properties["percent"].Value; !percent.Type.Is("number") {
			t.Errorf("Rate.percent: %+v", percent)
		}
		if items := schemas["PageActivity"].Value.Properties["items"].Value; items.Items.Ref != "#/components/schemas/Activity" {
			t.Errorf("PageActivity.items: %+v", items)
		}
		if before := schemas["FieldChange"].Value.Properties["before"]; before.Ref != "#/components/schemas/AnyValue" || len(before.Value.AnyOf) != 5 {
			t.Errorf("FieldChange.before takes any value: %s %+v", before.Ref, before.Value)
		}
		rates := schemas["Bilan"].Value.Properties["rates"].Value
		if !rates.Nullable || !rates.Type.Is("object") || len(rates.AllOf) != 1 || rates.AllOf[0].Ref != "#/components/schemas/RateBreakdown" {
			t.Errorf("Bilan.rates: %+v", rates)
		}
		if audit := schemas["AuditEntry"].Value.Properties["before"].Value; audit.Type != nil || audit.Format == "byte" {
			t.Errorf("AuditEntry.before (JSON, any value): %+v", audit)
		}
		deadlines := schemas["CycleStatus"].Value.Properties["deadlines"].Value
		if !deadlines.Type.Is("object") || deadlines.AdditionalProperties.Schema.Value.Format != "date-time" {
			t.Errorf("CycleStatus.deadlines: %+v", deadlines)
		}
		if e := schemas["Error"].Value; !slices.Equal(e.Required, []string{"code", "message"}) || e.Properties["fields"] == nil || e.Properties["current"] == nil {
			t.Errorf("Error: %+v", e)
		}
	})
}

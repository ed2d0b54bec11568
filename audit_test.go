package ptacycle_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/ptacycle/ptacycle"
)

func TestAuditChanges(t *testing.T) {
	fields := func(e ptacycle.AuditEntry) []string {
		var out []string
		for _, c := range e.Changes() {
			out = append(out, c.Field)
		}
		return out
	}
	t.Run("Creation", func(t *testing.T) { // blank fields and the object's own id are left out, nested objects are paths
		e := ptacycle.AuditEntry{Entity: "cycle", EntityID: "4", After: json.RawMessage(`{"id":4,"organisationId":1,"year":2024,"strategyId":null,
			"deadlines":{"bilan":"2024-02-15","submission":null},"closedAt":null,"workflowId":""}`)}
		if got, want := fields(e), []string{"deadlines.bilan", "year"}; !reflect.DeepEqual(got, want) {
			t.Errorf("fields %v, want %v", got, want)
		}
	})
	t.Run("Update", func(t *testing.T) { // no list then an empty one is no change; a file is one value
		e := ptacycle.AuditEntry{Entity: "activity", EntityID: "7", Before: json.RawMessage(`{"status":"not_started","regionIds":null,"progress":0}`),
			After: json.RawMessage(`{"status":"in_progress","regionIds":[],"progress":0,"comment":"","evidenceFile":{"id":3,"name":"a.pdf","size":10}}`)}
		if got, want := fields(e), []string{"evidenceFile", "status"}; !reflect.DeepEqual(got, want) {
			t.Errorf("fields %v, want %v", got, want)
		}
	})
	t.Run("Decision", func(t *testing.T) { // the plan version a decision is about is the entry's object already
		e := ptacycle.AuditEntry{Entity: "plan_version", EntityID: "3", After: json.RawMessage(`{"planVersionId":3,"approverId":5,"outcome":"approved"}`)}
		if got, want := fields(e), []string{"approverId", "outcome"}; !reflect.DeepEqual(got, want) {
			t.Errorf("fields %v, want %v", got, want)
		}
	})
	t.Run("List", func(t *testing.T) { // the recommendations adopted are named after what they are
		e := ptacycle.AuditEntry{Entity: "recommendations", EntityID: "4", After: json.RawMessage(`[11,12]`)}
		want := []ptacycle.AuditRef{{Kind: "cycle", ID: 4}, {Kind: "recommendation", ID: 11}, {Kind: "recommendation", ID: 12}}
		if got := e.References(); !reflect.DeepEqual(got, want) {
			t.Errorf("references %v, want %v", got, want)
		}
	})
	t.Run("References", func(t *testing.T) { // ids in lists of objects too
		e := ptacycle.AuditEntry{Entity: "approval_chain", EntityID: "1", After: json.RawMessage(`[{"level":1,"approverId":5}]`)}
		want := []ptacycle.AuditRef{{Kind: "organisation", ID: 1}, {Kind: "user", ID: 5}}
		if got := e.References(); !reflect.DeepEqual(got, want) {
			t.Errorf("references %v, want %v", got, want)
		}
	})
	t.Run("ObjectName", func(t *testing.T) { // a deleted activity is named as it was
		e := ptacycle.AuditEntry{Entity: "activity", EntityID: "7", Before: json.RawMessage(`{"code":"1.1.4","title":"Former"}`)}
		if got, want := e.ObjectName(), (ptacycle.AuditName{Code: "1.1.4", Name: "Former"}); got != want {
			t.Errorf("name %+v, want %+v", got, want)
		}
	})
}

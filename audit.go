package ptacycle

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// AuditRef is an object an audit entry names: its kind, an audit entity
// ("user", "unit", "activity", "plan_version"…), and its id.
type AuditRef struct {
	Kind string
	ID   int64
}

// AuditName is how people know an object: an activity's, action's or axis's
// code and title, a unit's or person's name, the year of a cycle or plan,
// the number of a plan version or recommendation.
type AuditName struct {
	Code, Name   string
	Year, Number int
}

// AuditChange is one field an audit entry changed, its values decoded from
// JSON (numbers as json.Number). Field is a path: a nested object's fields
// are "deadlines.bilan". A value the entry does not hold on one side is
// absent there (HasBefore or HasAfter false).
type AuditChange struct {
	Field               string
	Before, After       any
	HasBefore, HasAfter bool
}

// auditEntityKinds are the entities whose id is another kind's: a bilan and
// a cycle's list of recommendations are known by their cycle, the approval
// chain by its organisation.
var auditEntityKinds = map[string]string{"bilan": "cycle", "recommendations": "cycle", "approval_chain": "organisation"}

// auditFieldKinds are the fields that hold ids of other objects, and the kind of these objects.
var auditFieldKinds = map[string]string{
	"ownerId": "user", "approverId": "user", "onBehalfOfId": "user", "submittedBy": "user", "userId": "user", "to": "user",
	"unitId": "unit", "responsibleUnitId": "unit", "partnerUnitIds": "unit", "parentId": "unit",
	"regionId": "region", "regionIds": "region",
	"activityId": "activity", "carriedOverFrom": "activity",
	"actionId": "action", "actionIds": "action", "recommendationIds": "recommendation",
	"planId": "plan", "planVersionId": "plan_version", "cycleId": "cycle", "strategyId": "strategy", "axisId": "axis",
}

// AuditFieldKind is the kind of object whose ids field holds (its last
// segment, for a path), "" when it holds no ids.
func AuditFieldKind(field string) string {
	return auditFieldKinds[field[strings.LastIndex(field, ".")+1:]]
}

// auditListFields name what an entry holds when it is a list rather than an
// object: the recommendations adopted, the actions answering a
// recommendation, the levels of the approval chain.
var auditListFields = map[string]string{"recommendations": "recommendationIds", "recommendation": "actionIds", "approval_chain": "levels"}

// auditHidden are the fields that say nothing to people: the object's own id
// and organisation, its version counter and last change time, and the origin
// of a carried-over activity, which it holds as carriedOverFrom.
var auditHidden = map[string]bool{"id": true, "organisationId": true, "version": true, "updatedAt": true, "from": true}

// AuditShownFields are the fields of an object that people read, in alphabetical order.
func AuditShownFields(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if !auditHidden[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// auditWhole are the nested objects read as one value (a file: its name and size) rather than field by field.
var auditWhole = map[string]bool{"evidenceFile": true}

// Object is the object the entry is about, when its id is a number.
func (e AuditEntry) Object() (AuditRef, bool) {
	id, err := strconv.ParseInt(e.EntityID, 10, 64)
	if err != nil {
		return AuditRef{}, false
	}
	kind := e.Entity
	if k, ok := auditEntityKinds[kind]; ok {
		kind = k
	}
	return AuditRef{Kind: kind, ID: id}, true
}

// Changes lists what the entry changed, by field in alphabetical order: the
// fields whose values differ before and after, without those only one side
// holds and leaves empty (the blank fields of a creation or a deletion),
// those blank on both sides (no list, then an empty one), and those that
// name the entry's own object.
func (e AuditEntry) Changes() []AuditChange {
	before, after := e.fields(e.Before), e.fields(e.After)
	keys := make([]string, 0, len(before)+len(after))
	for k := range before {
		keys = append(keys, k)
	}
	for k := range after {
		if _, seen := before[k]; !seen {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	object, _ := e.Object()
	var out []AuditChange
	for _, k := range keys {
		b, bHas := before[k]
		a, aHas := after[k]
		switch {
		case reflect.DeepEqual(b, a) && bHas == aHas, namesItself(object, k, b, a): // unchanged, or no news
		case !bHas && auditEmpty(a), !aHas && auditEmpty(b), auditBlank(b) && auditBlank(a): // nothing on either side
		default:
			out = append(out, AuditChange{Field: k, Before: b, After: a, HasBefore: bHas, HasAfter: aHas})
		}
	}
	return out
}

// namesItself reports whether field k holds, wherever it has a value, the id
// of the entry's own object (a decision's plan version): no news.
func namesItself(object AuditRef, k string, values ...any) bool {
	if kind := AuditFieldKind(k); kind == "" || kind != object.Kind {
		return false
	}
	for _, v := range values {
		n, isNumber := v.(json.Number)
		id, err := n.Int64()
		if v != nil && (!isNumber || err != nil || id != object.ID) {
			return false
		}
	}
	return true
}

// References are the objects the entry names: its own, and those its changed fields refer to.
func (e AuditEntry) References() []AuditRef {
	var refs []AuditRef
	if r, ok := e.Object(); ok {
		refs = append(refs, r)
	}
	for _, c := range e.Changes() {
		for _, v := range []any{c.Before, c.After} {
			refs = appendAuditRefs(refs, c.Field, v)
		}
	}
	return refs
}

// ObjectName is the name the entry itself gives its object (its code and
// title or name, as written before or after), for one no longer there.
func (e AuditEntry) ObjectName() AuditName {
	var n AuditName
	for _, raw := range []json.RawMessage{e.After, e.Before} {
		var o struct{ Code, Title, Name, FullName string }
		if json.Unmarshal(raw, &o) != nil {
			continue
		}
		if n.Code == "" {
			n.Code = o.Code
		}
		for _, s := range []string{o.Title, o.Name, o.FullName} {
			if n.Name == "" {
				n.Name = s
			}
		}
	}
	return n
}

func appendAuditRefs(refs []AuditRef, field string, v any) []AuditRef {
	switch v := v.(type) {
	case json.Number:
		if id, err := v.Int64(); err == nil && AuditFieldKind(field) != "" {
			refs = append(refs, AuditRef{Kind: AuditFieldKind(field), ID: id})
		}
	case []any:
		for _, item := range v {
			refs = appendAuditRefs(refs, field, item)
		}
	case map[string]any:
		for k, item := range v {
			refs = appendAuditRefs(refs, k, item)
		}
	}
	return refs
}

// fields decodes an entry's before or after into its fields, nested objects
// flattened into paths; a list is one field, named after what it lists.
func (e AuditEntry) fields(raw json.RawMessage) map[string]any {
	out := map[string]any{}
	if len(raw) == 0 {
		return out
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return out
	}
	m, ok := v.(map[string]any)
	if !ok {
		name := auditListFields[e.Entity]
		if name == "" {
			name = "value"
		}
		m = map[string]any{name: v}
	}
	flattenAudit(out, "", m)
	return out
}

func flattenAudit(out map[string]any, prefix string, m map[string]any) {
	for k, v := range m {
		if prefix == "" && auditHidden[k] {
			continue
		}
		if nested, ok := v.(map[string]any); ok && !auditWhole[k] {
			flattenAudit(out, prefix+k+".", nested)
			continue
		}
		out[prefix+k] = v
	}
}

func auditEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case bool:
		return !v
	case json.Number:
		return v == "0"
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// auditBlank reports whether v holds nothing at all: no value, no text, an empty list or object (unlike 0 or false).
func auditBlank(v any) bool {
	switch v.(type) {
	case nil, string, []any, map[string]any:
		return auditEmpty(v)
	}
	return false
}

package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/ptacycle/ptacycle"
)

// A request body's shape comes from its Go type and one struct tag, read both
// by the OpenAPI document and by bind, so that what the document says a client
// may send is what the server takes:
//
//	api:"server"    set by the server: never in a request body
//	api:"required"  every request body that carries the type has it
//	api:"create"    sent when creating (POST) only
//	api:"edit"      sent when changing (PUT) only, and required there (the version read)
//
// Fields without the tag may be sent or left out.
type bodyMode int

const (
	replyBody  bodyMode = iota // what the server answers
	createBody                 // a POST body
	editBody                   // a PUT body
)

// modeOf is the mode of a request body sent with method.
func modeOf(method string) bodyMode {
	if method == http.MethodPut || method == http.MethodPatch {
		return editBody
	}
	return createBody
}

// suffix names a domain type's variant in requests: ActivityInput, ActivityEdit.
func (m bodyMode) suffix() string {
	switch m {
	case createBody:
		return "Input"
	case editBody:
		return "Edit"
	}
	return ""
}

// sent says whether a client may send f in a body of mode m.
func (f jsonField) sent(m bodyMode) bool {
	switch f.api {
	case "server":
		return m == replyBody
	case "create":
		return m != editBody
	case "edit":
		return m != createBody
	}
	return true
}

// requiredIn says whether a body of mode m must carry f.
func (f jsonField) requiredIn(m bodyMode) bool {
	switch m {
	case replyBody:
		return f.required
	case editBody:
		return f.api == "required" || f.api == "edit"
	}
	return f.api == "required"
}

// describedAsObject says whether t is written as a JSON object of its fields
// (and not through its own marshalling), as schema describes it.
func describedAsObject(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t != timeType && t != dateType &&
		!t.Implements(jsonMarshalerType) && !t.Implements(textMarshalerType) && enums[t] == nil
}

// checkShape adds to v every field of body (JSON of type t) that a client may
// not send in mode m, and every required field it lacks; at names the place
// of body in the request ("" at the top, "axes[0]." below).
func checkShape(body json.RawMessage, t reflect.Type, m bodyMode, at string, v *ptacycle.Validation) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case string(body) == "null":
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8, t.Kind() == reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(body, &items) == nil {
			for i, item := range items {
				checkShape(item, t.Elem(), m, fmt.Sprintf("%s[%d]", strings.TrimSuffix(at, "."), i)+".", v)
			}
		}
	case describedAsObject(t):
		var fields map[string]json.RawMessage
		if json.Unmarshal(body, &fields) != nil {
			return
		}
		for _, f := range jsonFields(t) {
			value, present := fields[f.name]
			switch {
			case present && !f.sent(m):
				v.Add(at+f.name, "Champ « %s » : fixé par le serveur, à ne pas envoyer ici", "Field “%s”: set by the server, not to be sent here", at+f.name)
			case !present && f.requiredIn(m):
				v.Add(at+f.name, "Champ « %s » obligatoire", "Field “%s” is required", at+f.name)
			case present:
				checkShape(value, f.typ, m, at+f.name+".", v)
			}
		}
	}
}

// shapeError is checkShape's verdict on a whole request body.
func shapeError(body []byte, t reflect.Type, method string) error {
	var v ptacycle.Validation
	checkShape(body, t, modeOf(method), "", &v)
	return v.Err()
}

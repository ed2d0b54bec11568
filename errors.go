package ptacycle

import (
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"
)

// Error codes: each maps to one HTTP status in server/.
const (
	EINVALID      = "invalid"      // bad input: a missing field, a value out of range
	ENOTFOUND     = "not_found"    // no such thing, or not visible to this user
	ECONFLICT     = "conflict"     // a stale edit, a duplicate, a wrong stage
	EFORBIDDEN    = "forbidden"    // the role or organisation may not do this
	EUNAUTHORIZED = "unauthorized" // not signed in, or bad credentials
	EUNAVAILABLE  = "unavailable"  // PostgreSQL or Temporal cannot be reached now
	ETOOLARGE     = "too_large"    // a request body over the limit
	EMEDIATYPE    = "media_type"   // a body of a type the route does not take (JSON sent as text/plain)
	ETOOMANY      = "too_many"     // too many attempts: wait before trying again
	EINTERNAL     = "internal"     // a bug: logged with detail, shown as a generic message
)

// Error is the one error type meant for a person. Message is French (the
// product's first language), English its translation; Fields point at the
// inputs at fault so a form can show each message next to its field.
type Error struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	English string       `json:"english,omitempty"`
	Fields  []FieldError `json:"fields,omitempty"`
	// Current is what is stored now, returned with a stale edit's ECONFLICT so the editor sees it.
	Current any `json:"current,omitempty"`
}

// FieldError says what is wrong with one input.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	English string `json:"english,omitempty"`
}

func (e *Error) Error() string { return e.Message }

// Text returns the message in lang ("en" for English, French otherwise).
func (e *Error) Text(lang string) string {
	if lang == "en" && e.English != "" {
		return e.English
	}
	return e.Message
}

// Text returns the field's message in lang ("en" for English, French otherwise).
func (f FieldError) Text(lang string) string {
	if lang == "en" && f.English != "" {
		return f.English
	}
	return f.Message
}

// Errorf builds an *Error; args fill the verbs of both the French and the English format.
func Errorf(code, french, english string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(french, args...), English: fmt.Sprintf(english, args...)}
}

// ErrorCode returns the code of err, EINTERNAL when err carries none, "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// Validation collects field errors so that a form reports all of them at once.
type Validation struct {
	fields []FieldError
}

// Add records that field is wrong.
func (v *Validation) Add(field, french, english string, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Message: fmt.Sprintf(french, args...), English: fmt.Sprintf(english, args...)})
}

// Require records field as missing when value is blank.
func (v *Validation) Require(field, value, frenchLabel, englishLabel string) {
	if isBlank(value) {
		v.fields = append(v.fields, FieldError{Field: field, Message: frenchLabel + " : champ obligatoire", English: englishLabel + ": required"})
	}
}

// MaxLen records field as too long when value has more than max characters.
func (v *Validation) MaxLen(field, value string, max int, frenchLabel, englishLabel string) {
	if n := utf8.RuneCountInString(value); n > max {
		v.fields = append(v.fields, FieldError{Field: field,
			Message: fmt.Sprintf("%s : %d caractères au plus (%d saisis)", frenchLabel, max, n),
			English: fmt.Sprintf("%s: at most %d characters (%d given)", englishLabel, max, n)})
	}
}

// Err returns nil when nothing was recorded, else an EINVALID *Error listing every field.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	e := &Error{Code: EINVALID, Fields: v.fields}
	// Counted as the form marks them: a field with two problems is one field to correct.
	if n := countFields(v.fields); n == 1 {
		e.Message, e.English = v.fields[0].Message, v.fields[0].English
	} else {
		e.Message = fmt.Sprintf("%d champs sont à corriger : %s", n, v.fields[0].Message)
		e.English = fmt.Sprintf("%d fields need fixing: %s", n, v.fields[0].English)
	}
	return e
}

// Invalid is the EINVALID error listing fields, worded as Validation words it.
func Invalid(fields ...FieldError) error {
	v := Validation{fields: fields}
	return v.Err()
}

// countFields counts the distinct fields of a list of problems.
func countFields(fields []FieldError) int {
	seen := map[string]bool{}
	for _, f := range fields {
		seen[f.Field] = true
	}
	return len(seen)
}

// JoinValidation merges the field errors of a and b into one EINVALID error,
// so that a form shows every problem at once; any other error wins as is,
// a's first. Nil when both are.
func JoinValidation(a, b error) error {
	var ea, eb *Error
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case !errors.As(a, &ea) || ea.Code != EINVALID || len(ea.Fields) == 0:
		return a
	case !errors.As(b, &eb) || eb.Code != EINVALID || len(eb.Fields) == 0:
		return b
	}
	v := Validation{fields: append(slices.Clone(ea.Fields), eb.Fields...)}
	return v.Err()
}

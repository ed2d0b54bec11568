package server

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/ui"
)

// auditText writes audit entries for people in the page's language, the page
// and its CSV file alike: the catalogue's labels for fields and values, names
// and codes for ids, dates as dates, amounts as amounts.
type auditText struct {
	p     ui.Page
	names map[ptacycle.AuditRef]ptacycle.AuditName
}

// object is what an entry is about, as people know it: « Activité 1.1.1 — Former 50 acteurs ».
func (t auditText) object(e ptacycle.AuditEntry) string {
	label := labelOr(t.p, "audit.entity."+e.Entity, e.Entity)
	if name := t.name(e); name != "" {
		return label + " " + name
	}
	return label
}

// name is the name of the object an entry is about; "" for the
// organisation's approval chain, which is one.
func (t auditText) name(e ptacycle.AuditEntry) string {
	r, ok := e.Object()
	switch {
	case e.Entity == "approval_chain":
		return ""
	case !ok:
		return e.EntityID
	}
	return t.ref(r)
}

// ref names an object: « 1.1.1 — Former 50 acteurs », a person's name, « n° 2 (2024) ».
func (t auditText) ref(r ptacycle.AuditRef) string {
	n, ok := t.names[r]
	switch {
	case !ok:
		return t.p.T("audit.ref.missing", "ID", r.ID)
	case n.Number != 0:
		return t.p.T("audit.ref.numbered", "Number", n.Number, "Year", n.Year)
	case n.Year != 0:
		return fmt.Sprint(n.Year)
	case n.Code != "" && n.Name != "":
		return n.Code + " — " + n.Name
	case n.Code != "":
		return n.Code
	}
	return n.Name
}

// changes are an entry's changes, one a line, whole, in the alphabetical
// order of their labels: « Statut : Non démarrée → En cours ».
func (t auditText) changes(e ptacycle.AuditEntry) []string {
	changes := e.Changes()
	out := make([]string, len(changes))
	for i, c := range changes {
		field := t.field(c.Field)
		switch {
		case !c.HasBefore:
			out[i] = t.p.T("audit.set", "Field", field, "Value", t.value(e, c.Field, c.After))
		case !c.HasAfter && len(e.After) == 0: // a deletion: what there was
			out[i] = t.p.T("audit.set", "Field", field, "Value", t.value(e, c.Field, c.Before))
		default:
			out[i] = t.p.T("audit.changed", "Field", field, "Before", t.value(e, c.Field, c.Before), "After", t.value(e, c.Field, c.After))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return ptacycle.FoldName(out[i]) < ptacycle.FoldName(out[j]) }) // each begins with its label
	return out
}

// field labels a field, a nested one by its parent's label and its own:
// « Échéances — Bilan ». A field the catalogue lacks keeps its name.
func (t auditText) field(path string) string {
	id := "audit.field." + path
	if label := t.p.T(id); label != id {
		return label
	}
	if i := strings.LastIndex(path, "."); i >= 0 {
		return t.field(path[:i]) + " — " + t.field(path[i+1:])
	}
	return path
}

// value writes one value of field for people; "—" is none.
func (t auditText) value(e ptacycle.AuditEntry, field string, v any) string {
	switch v := v.(type) {
	case nil:
		return "—"
	case bool:
		if v {
			return t.p.T("audit.yes")
		}
		return t.p.T("audit.no")
	case json.Number:
		return t.number(field, v)
	case string:
		return t.text(e.Entity, field[strings.LastIndex(field, ".")+1:], v)
	case []any:
		if len(v) == 0 {
			return "—"
		}
		items := make([]string, len(v))
		for i, item := range v {
			items[i] = t.value(e, field, item)
		}
		return strings.Join(items, " ; ")
	case map[string]any:
		if field == "evidenceFile" {
			return t.file(v)
		}
		var parts []string
		for _, k := range ptacycle.AuditShownFields(v) {
			parts = append(parts, t.p.T("audit.set", "Field", t.field(k), "Value", t.value(e, k, v[k])))
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

// auditPercents are the fields that hold percentages.
var auditPercents = map[string]bool{"progress": true, "percent": true, "rounded": true, "averageProgress": true, "finalRate": true, "manualRate": true}

// number writes a number: the name of the object it is the id of, an amount, a percentage, an hour.
func (t auditText) number(field string, n json.Number) string {
	name := field[strings.LastIndex(field, ".")+1:]
	whole, err := n.Int64()
	switch kind := ptacycle.AuditFieldKind(field); {
	case kind != "" && err == nil:
		return t.ref(ptacycle.AuditRef{Kind: kind, ID: whole})
	case name == "budgetXof" && err == nil:
		return ui.FormatMoney(whole)
	case name == "quietFrom" || name == "quietTo":
		return t.p.T("audit.hour", "Hour", n.String())
	case auditPercents[name]:
		if f, err := n.Float64(); err == nil {
			return ui.FormatPercent(f, t.p.Lang)
		}
	}
	if t.p.Lang != "en" {
		return strings.Replace(n.String(), ".", ",", 1)
	}
	return n.String()
}

// auditValueMessages are the catalogue's messages for the values of some
// fields: the value is appended to each prefix in turn, until one is a message.
var auditValueMessages = map[string][]string{
	"status":        {"plan.status.", "validation.outcome."}, // a plan's or plan version's; an activity's is ptacycle.ActivityStatus
	"outcome":       {"validation.outcome."},
	"notifyChannel": {"account.channel."},
	"language":      {"account.lang."},
	"operation":     {"reminders.op."},
	"reminderKind":  {"reminders.kind."},
}

var (
	isoDay   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	monthDay = regexp.MustCompile(`^\d{2}-\d{2}$`)
)

// text writes a string value of field name: a code as its label, a day or a moment as a date.
func (t auditText) text(entity, name, s string) string {
	if label := t.label(entity, name, s); label != "" {
		return label
	}
	switch {
	case isoDay.MatchString(s):
		if d, err := ptacycle.ParseDate(s); err == nil {
			return ui.FormatDate(d, t.p.Lang)
		}
	case monthDay.MatchString(s):
		if d, err := ptacycle.ParseMonthDay(s); err == nil {
			return d.Words(t.p.Lang)
		}
	}
	if at, err := time.Parse(time.RFC3339Nano, s); err == nil {
		if h, m, sec := at.UTC().Clock(); h == 0 && m == 0 && sec == 0 && at.Nanosecond() == 0 {
			return ui.FormatDate(ptacycle.DateOf(at.UTC()), t.p.Lang) // a day (a delegation's end), kept as midnight UTC
		}
		return ui.FormatDateTime(at, t.p.Lang)
	}
	if s == "" {
		return "—"
	}
	return s
}

// label is the label of code s as a value of field name, "" when it has none.
func (t auditText) label(entity, name, s string) string {
	var l ptacycle.Label
	switch {
	case name == "status" && entity == "activity":
		l = ptacycle.ActivityStatus(s).Label()
	case name == "role":
		l = ptacycle.Role(s).Label()
	case name == "kind":
		l = ptacycle.UnitKind(s).Label()
	case name == "stage":
		l = ptacycle.Stage(s).Label()
	case name == "priority":
		l = ptacycle.Priority(s).Label()
	default:
		for _, prefix := range auditValueMessages[name] {
			if label := t.p.T(prefix + s); label != prefix+s {
				return label
			}
		}
	}
	return t.p.L(l)
}

// file names an evidence file by its name and size: « rapport.pdf (120 Ko) ».
func (t auditText) file(f map[string]any) string {
	name, _ := f["name"].(string)
	n, _ := f["size"].(json.Number)
	size, err := n.Int64()
	if err != nil {
		return name
	}
	return t.p.T("audit.file", "Name", name, "Size", ui.FormatFileSize(int(size), t.p.Lang))
}

// auditLine is a change as the page shows it: Short is its beginning when it
// is long (the page opens the whole on demand), "" when it is not.
type auditLine struct {
	Text, Short string
}

// auditShortLen bounds a change the page shows without opening it, in characters.
const auditShortLen = 160

func newAuditLine(text string) auditLine {
	if utf8.RuneCountInString(text) <= auditShortLen {
		return auditLine{Text: text}
	}
	return auditLine{Text: text, Short: string([]rune(text)[:auditShortLen-10]) + "…"}
}

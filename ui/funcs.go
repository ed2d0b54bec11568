package ui

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ptacycle/ptacycle"
)

var funcs = template.FuncMap{
	"date":     FormatDate,
	"datetime": FormatDateTime,
	"money":    FormatMoney,
	"pct":      FormatPercent,
	"dict":     dict,
	"list":     func(v ...any) []any { return v },
	"add":      func(a, b int) int { return a + b },
	"dash":     dashArray,
	"barWidth": func(percent float64) string {
		return strconv.FormatFloat(math.Max(0, math.Min(100, percent)), 'f', 1, 64)
	},
	"lines": func(s []string) string { return strings.Join(s, "\n") },
	"has":   func(ids []int64, id int64) bool { return containsID(ids, id) },
	"deref": func(p *int64) int64 { return derefID(p) },
	"asset": AssetURL,
	// evidenceAccept is a file input's accept list for evidence: the extensions, and the photo types that let phones offer the camera.
	"evidenceAccept": func() string {
		return strings.Join(append(ptacycle.EvidenceExtensions(), "image/jpeg", "image/png", "image/webp", "image/heic"), ",")
	},
	"evidenceMaxBytes": func() int { return ptacycle.MaxEvidenceSize },
	"fileSize":         FormatFileSize,
	"stepID":           stepID,
	"links":            withLinks,
}

// webAddress is an http(s) address in a text, up to a space or a character
// that cannot end one; a final full stop, comma or bracket is the sentence's.
var webAddress = regexp.MustCompile(`https?://[^\s<>"«»]+[^\s<>"«».,;:!?)\]]`)

// withLinks is text, escaped, with its web addresses made links: a
// reminder's e-mail text shown on a page keeps its links clickable.
func withLinks(text string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range webAddress.FindAllStringIndex(text, -1) {
		b.WriteString(template.HTMLEscapeString(text[last:m[0]]))
		addr := template.HTMLEscapeString(text[m[0]:m[1]])
		fmt.Fprintf(&b, `<a href="%s" rel="noopener noreferrer">%s</a>`, addr, addr)
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(text[last:]))
	return template.HTML(b.String())
}

// assetVersions are the content hashes of the static files, computed once,
// so that their URLs change when they do and browsers may cache them for a year.
var assetVersions = func() map[string]string {
	out := map[string]string{}
	_ = fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
	return out
}()

// AssetURL is the versioned URL of a static file.
func AssetURL(name string) string { return "/static/" + name + "?v=" + assetVersions[name] }

// FormatDate writes a day as people in the seed's countries do (06/02/2024); "—" for none.
func FormatDate(d ptacycle.Date, lang string) string {
	if d.IsZero() {
		return "—"
	}
	if lang == "en" {
		return d.String()
	}
	return d.French()
}

// FormatDateTime writes a moment in UTC as people read it: 06/02/2024 à 09h30 UTC; "—" for none.
func FormatDateTime(t time.Time, lang string) string {
	if t.IsZero() {
		return "—"
	}
	t = t.UTC()
	if lang == "en" {
		return t.Format("2006-01-02 15:04 UTC")
	}
	return t.Format("02/01/2006 à 15h04 UTC")
}

// FormatMoney writes an amount in CFA francs with spaces between thousands: 2 500 000 FCFA.
func FormatMoney(amount int64) string {
	s := strconv.FormatInt(amount, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u202f')
		}
		b.WriteRune(r)
	}
	out := b.String() + "\u00a0FCFA"
	if neg {
		out = "-" + out
	}
	return out
}

// FormatFileSize writes a size as people read it: 850 octets, 12 Ko, 2,4 Mo (850 B, 12 KB, 2.4 MB).
func FormatFileSize(n int, lang string) string {
	units := []string{"octets", "Ko", "Mo"}
	if lang == "en" {
		units = []string{"B", "KB", "MB"}
	}
	switch {
	case n < 1000:
		return strconv.Itoa(n) + "\u00a0" + units[0]
	case n < 1000*1000:
		return strconv.Itoa((n+999)/1000) + "\u00a0" + units[1]
	}
	s := strconv.FormatFloat(math.Round(float64(n)/1e5)/10, 'f', -1, 64)
	if lang != "en" {
		s = strings.ReplaceAll(s, ".", ",")
	}
	return s + "\u00a0" + units[2]
}

// FormatPercent writes a percentage with one decimal when it has one: 66,7 % in French.
func FormatPercent(p float64, lang string) string {
	s := strconv.FormatFloat(math.Round(p*10)/10, 'f', -1, 64)
	if lang == "en" {
		return s + "%"
	}
	return strings.ReplaceAll(s, ".", ",") + "\u00a0%"
}

// dashArray is the stroke-dasharray drawing percent of a circle of radius r.
func dashArray(percent, r float64) string {
	c := 2 * math.Pi * r
	filled := math.Max(0, math.Min(100, percent)) / 100 * c
	return fmt.Sprintf("%.2f %.2f", filled, c)
}

// dict builds a map from name, value pairs, for passing several values to a partial.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func derefID(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// Errors are a form's problems: the general message and one per field.
type Errors struct {
	Message string
	Fields  map[string]string
}

// FormErrors turns err into what a form shows: a *ptacycle.Error's fields
// next to their inputs, its message on top; nil gives no errors.
func FormErrors(err error, lang string) *Errors {
	if err == nil {
		return nil
	}
	var e *ptacycle.Error
	if !errors.As(err, &e) {
		return &Errors{Message: err.Error()}
	}
	out := &Errors{Message: e.Text(lang), Fields: map[string]string{}}
	for _, f := range e.Fields {
		if _, seen := out.Fields[f.Field]; !seen {
			out.Fields[f.Field] = f.Text(lang)
		}
	}
	return out
}

// For returns the message of field name, or "".
func (e *Errors) For(name string) string {
	if e == nil {
		return ""
	}
	return e.Fields[name]
}

// stepID draws the id of a step form as it is rendered (its hidden "step"
// field): sent twice, by a double click or again after a time-out, the form
// is one step, since the server makes it the step's update id.
func stepID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Package ui holds the HTML templates, static assets and the French and
// English messages of the web interface, embedded in the binary. Templates
// are parsed once, at start; each page is the layout, the shared partials
// and its own file.
package ui

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/ptacycle/ptacycle"
)

//go:embed templates locales/*.json static
var files embed.FS

// Static is the folder of CSS, scripts and images served under /static/.
func Static() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err)
	}
	return sub
}

// Languages are the interface's languages, French first.
var Languages = []string{"fr", "en"}

// Renderer renders pages and fragments in the user's language.
type Renderer struct {
	pages  map[string]*template.Template
	bundle *i18n.Bundle
}

// New parses every template and loads every message file
// (locales/<area>.<lang>.json); an error here is a bug in ui/.
func New() (*Renderer, error) {
	bundle := i18n.NewBundle(language.French)
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	locales, err := fs.Glob(files, "locales/*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range locales {
		if _, err := bundle.LoadMessageFileFS(files, name); err != nil {
			return nil, fmt.Errorf("ui: %s: %w", name, err)
		}
	}
	r := &Renderer{pages: map[string]*template.Template{}, bundle: bundle}
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		base := path.Base(name)
		if base == "layout.html" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/partials/*.html", name)
		if err != nil {
			return nil, fmt.Errorf("ui: %s: %w", name, err)
		}
		r.pages[strings.TrimSuffix(base, ".html")] = t
	}
	return r, nil
}

// Render writes page (a file of templates/ without .html) with data, whose
// root must embed Page. A fragment is rendered alone, without the layout, by
// naming its template: "page#fragment".
func (r *Renderer) Render(w io.Writer, page string, data any) error {
	name, fragment, _ := strings.Cut(page, "#")
	t, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("ui: no page %q", name)
	}
	if fragment != "" {
		return t.ExecuteTemplate(w, fragment, data)
	}
	return t.ExecuteTemplate(w, "layout", data)
}

// Pages lists the names of the parsed pages.
func (r *Renderer) Pages() []string {
	var out []string
	for name := range r.pages {
		out = append(out, name)
	}
	return out
}

// NavItem is an entry of the navigation bar.
type NavItem struct {
	Href, Label string
	Active      bool
}

// Page is what every page needs: the language, the signed-in user, the
// title, the navigation, a message from the previous request.
type Page struct {
	Lang         string
	User         *ptacycle.User
	Organisation string
	Title        string
	Flash        string
	Nav          []NavItem
	Path         string
	localizer    *i18n.Localizer
}

// NewPage returns the Page for lang ("en" for English, French otherwise).
func (r *Renderer) NewPage(lang string, user *ptacycle.User, titleID string) Page {
	if lang != "en" {
		lang = "fr"
	}
	p := Page{Lang: lang, User: user, localizer: i18n.NewLocalizer(r.bundle, lang, "fr")}
	if titleID != "" {
		p.Title = p.T(titleID)
	}
	return p
}

// T translates message id; args are name, value pairs for the message's placeholders.
func (p Page) T(id string, args ...any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(args); i += 2 {
		data[fmt.Sprint(args[i])] = args[i+1]
	}
	s, err := p.localizer.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// L returns a domain label in the page's language.
func (p Page) L(l ptacycle.Label) string { return l.In(p.Lang) }

// E returns an error's message in the page's language.
func (p Page) E(err error) string {
	if e, ok := err.(*ptacycle.Error); ok {
		return e.Text(p.Lang)
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// OtherLang is the language the switch offers.
func (p Page) OtherLang() string {
	if p.Lang == "en" {
		return "fr"
	}
	return "en"
}

// Can reports whether the page's user holds one of roles.
func (p Page) Can(roles ...ptacycle.Role) bool {
	if p.User == nil {
		return false
	}
	for _, r := range roles {
		if p.User.Role == r {
			return true
		}
	}
	return false
}

package ui_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/ui"
)

func TestTemplatesParse(t *testing.T) {
	r, err := ui.New()
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Pages()) < 2 {
		t.Fatalf("pages = %v", r.Pages())
	}
	var buf bytes.Buffer
	page := r.NewPage("fr", nil, "login.title")
	if err := r.Render(&buf, "login", struct {
		ui.Page
		Error, Email, Next string
	}{page, "", "<script>x</script>", "/"}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "<script>x") {
		t.Error("user input is not escaped")
	}
	if err := r.Render(&buf, "nope", nil); err == nil {
		t.Error("rendering a missing page succeeded")
	}
}

var messageUse = regexp.MustCompile(`\.T "([a-zA-Z0-9_.]+)"`)

// TestMessagesComplete checks that every area defines the same messages in
// French and English, and that every message a template asks for exists.
func TestMessagesComplete(t *testing.T) {
	load := func(path string) map[string]string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return m
	}
	all := map[string]bool{}
	frFiles, _ := filepath.Glob("locales/*.fr.json")
	if len(frFiles) == 0 {
		t.Fatal("no French messages")
	}
	for _, frPath := range frFiles {
		fr, en := load(frPath), load(strings.TrimSuffix(frPath, ".fr.json")+".en.json")
		for id := range fr {
			all[id] = true
			if _, ok := en[id]; !ok {
				t.Errorf("%s: %s has no English message", frPath, id)
			}
		}
		for id := range en {
			if _, ok := fr[id]; !ok {
				t.Errorf("%s: %s has no French message", frPath, id)
			}
		}
	}
	err := fs.WalkDir(os.DirFS("templates"), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(filepath.Join("templates", path))
		for _, m := range messageUse.FindAllStringSubmatch(string(b), -1) {
			if !all[m[1]] {
				t.Errorf("%s asks for message %q, defined nowhere", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := ui.New()
	if got := r.NewPage("en", &ptacycle.User{}, "").T("home.welcome", "Name", "Awa"); got != "Hello Awa" {
		t.Errorf("T with a placeholder = %q", got)
	}
}

// inlineCode finds what the Content-Security-Policy would block in a
// template: inline scripts, event handler attributes (htmx's hx-on too),
// javascript: URLs, style attributes and style elements.
var inlineCode = regexp.MustCompile(`<script\b[^>]*>\s*[^<\s]|\s(on[a-z]+|hx-on[:\w-]*)\s*=|javascript:|\sstyle\s*=|<style\b`)

// TestTemplatesHoldNoInlineCode keeps the templates within the server's
// Content-Security-Policy: behaviour goes in static/app.js, looks in static/app.css.
func TestTemplatesHoldNoInlineCode(t *testing.T) {
	err := fs.WalkDir(os.DirFS("templates"), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(filepath.Join("templates", path))
		if err != nil {
			return err
		}
		for _, m := range inlineCode.FindAllString(string(b), -1) {
			t.Errorf("%s: %q is blocked by the Content-Security-Policy; use static/app.js or static/app.css", path, strings.TrimSpace(m))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFormErrors(t *testing.T) {
	err := ptacycle.Errorf(ptacycle.EINVALID, "Budget négatif", "Negative budget")
	err.Fields = []ptacycle.FieldError{{Field: "budgetXof", Message: "négatif", English: "negative"}}
	e := ui.FormErrors(err, "fr")
	if e.Message != "Budget négatif" || e.For("budgetXof") != "négatif" || e.For("title") != "" {
		t.Errorf("FormErrors = %+v", e)
	}
	if ui.FormErrors(nil, "fr").For("x") != "" {
		t.Error("no errors should give no message")
	}
}

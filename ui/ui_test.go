package ui_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
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

// TestMessagesComplete checks that French and English define the same messages.
func TestMessagesComplete(t *testing.T) {
	load := func(lang string) map[string]string {
		b, err := os.ReadFile("locales/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	fr, en := load("fr"), load("en")
	for id := range fr {
		if _, ok := en[id]; !ok {
			t.Errorf("%s has no English message", id)
		}
	}
	for id := range en {
		if _, ok := fr[id]; !ok {
			t.Errorf("%s has no French message", id)
		}
	}
	// Every message a template asks for exists.
	templates, _ := fs.Glob(os.DirFS("templates"), "*.html")
	for _, name := range templates {
		b, _ := os.ReadFile("templates/" + name)
		for _, part := range strings.Split(string(b), `.T "`)[1:] {
			id, _, _ := strings.Cut(part, `"`)
			if _, ok := fr[id]; !ok {
				t.Errorf("%s asks for message %q, defined nowhere", name, id)
			}
		}
	}
	r, _ := ui.New()
	if got := r.NewPage("en", &ptacycle.User{}, "").T("home.welcome", "Name", "Awa"); got != "Hello Awa" {
		t.Errorf("T with a placeholder = %q", got)
	}
}

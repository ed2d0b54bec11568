package notify

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/ptacycle/ptacycle"
)

//go:embed templates/*.txt templates/*.html
var templateFiles embed.FS

// Content is what a reminder or a digest says; the templates lay it out.
type Content struct {
	Kind          string // due_soon, due_today, overdue, escalation, step_open, sent_back, digest, password_reset, account_invite
	Lang          string // fr or en
	Organisation  string
	RecipientName string
	Step          string // a cycle step ("la clôture du bilan"); empty for an activity
	ActivityCode  string
	ActivityTitle string
	ActionTitle   string
	AxisTitle     string
	UnitName      string
	OwnerName     string
	Due           ptacycle.Date
	Today         ptacycle.Date // the day it is written, in the organisation's time zone: a due date is past or to come
	Status        string        // the activity's status, in the recipient's language
	Progress      int
	Contact       string // who to contact: the coordinators, with their e-mails
	UpdateLink    string // the one-click link to report progress, when the recipient owns the activity
	ResetLink     string // the link to choose a new password (password_reset, account_invite)
	Login         string // the address a new account signs in with (account_invite)
	Comment       string // the approver's comment on a plan sent back (sent_back)
	Count         int    // the activities of the recipient's unit (execution_open)
	Year          int    // the plan's year (execution_open)
	Version       int    // the approved version (execution_open)
	PageLink      string // the page in the application
	Overdue       []DigestLine
	Pending       []string
}

// DigestLine is an overdue activity in a coordinator's weekly summary.
type DigestLine struct {
	Code, Title, Unit string
	Due               ptacycle.Date
	DaysLate          int
}

var (
	textTemplates = texttemplate.Must(texttemplate.New("").Funcs(texttemplate.FuncMap{"date": renderDate}).ParseFS(templateFiles, "templates/*.txt"))
	htmlTemplates = htmltemplate.Must(htmltemplate.New("").Funcs(htmltemplate.FuncMap{"date": renderDate}).ParseFS(templateFiles, "templates/*.html"))
)

func renderDate(d ptacycle.Date, lang string) string {
	if lang == "en" {
		return d.String()
	}
	return d.French()
}

// Render writes c's subject, plain text and HTML from the templates of its kind and language.
func Render(c Content) (subject, text, html string, err error) {
	if c.Lang != "en" {
		c.Lang = "fr"
	}
	base := "reminder"
	switch c.Kind {
	case "digest":
		base = "digest"
	case "password_reset":
		base = "reset"
	case "account_invite":
		base = "invite"
	}
	name := base + "." + c.Lang
	var b bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&b, name+".subject", c); err != nil {
		return "", "", "", fmt.Errorf("notify: subject %s: %w", name, err)
	}
	subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err := textTemplates.ExecuteTemplate(&b, name+".txt", c); err != nil {
		return "", "", "", fmt.Errorf("notify: text %s: %w", name, err)
	}
	text = b.String()
	b.Reset()
	if err := htmlTemplates.ExecuteTemplate(&b, name+".html", c); err != nil {
		return "", "", "", fmt.Errorf("notify: html %s: %w", name, err)
	}
	return subject, text, b.String(), nil
}

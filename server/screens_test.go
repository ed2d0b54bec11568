package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/postgres"
)

// narrowPhone is the narrowest phone an owner in the regions is likely to hold.
const narrowPhone, narrowPhoneHeight = 360, 740

// TestEveryRoleScreens signs in as each role in Chromium, on a desktop and
// on a 360-pixel phone, and visits that role's pages during execution: each
// is screenshotted (test-artifacts/screenshots/TestEveryRoleScreens_…/), and
// on the phone no page is wider than the screen (nothing to scroll sideways
// for but the tables that scroll inside their own frame).
func TestEveryRoleScreens(t *testing.T) {
	skipBrowserInShort(t)
	f := mustAccessFixture(t)
	approvePlan(t, f)
	// One report, so that the activity's page has a history to read.
	ctx := context.Background()
	owner, _, err := f.app.db.UserByEmail(ctx, demoLogins["owner"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.db.ReportProgress(ctx, ptacycle.UserActor(owner), postgres.Progress{ActivityID: f.activity.ID, Version: f.activity.Version,
		Status: ptacycle.StatusInProgress, Progress: 40, Comment: "Deux sessions sur cinq tenues à Man, la troisième attend les formateurs"}); err != nil {
		t.Fatal(err)
	}
	activity := fmt.Sprintf("/activites/%d", f.activity.ID)
	year := fmt.Sprintf("/cycles/%d", f.year)
	pages := map[string][]string{
		"coordinator": {"/", year + "/bilan", year + "/recommandations", year + "/pta", year + "/validation", year + "/execution",
			activity, "/relances", "/journal", "/strategie", "/compte"},
		"approver": {"/", year + "/validation", year + "/pta"},
		"owner":    {"/", "/mes-activites", activity, "/compte"},
		"partner":  {"/", year + "/execution"},
		"admin":    {"/", "/admin", "/journal", "/strategie"},
	}
	for _, device := range []struct {
		name          string
		width, height int
	}{{"desktop", desktopWidth, desktopHeight}, {"phone", narrowPhone, narrowPhoneHeight}} {
		for _, role := range []string{"coordinator", "approver", "owner", "partner", "admin"} {
			t.Run(device.name+"/"+role, func(t *testing.T) {
				t.Parallel()
				b := mustChrome(t, f.app.srv.URL, device.width, device.height)
				b.login(demoLogins[role], demo.Password)
				for _, path := range pages[role] {
					b.visit(path)
					b.shot(path)
					if device.name != "phone" {
						continue
					}
					var wide struct {
						Width int    `json:"width"`
						What  string `json:"what"`
					}
					b.evalInto(`(() => {
						const insideScroller = (el) => {
							for (let p = el.parentElement; p; p = p.parentElement) {
								if (["auto", "scroll", "hidden"].includes(getComputedStyle(p).overflowX)) return true;
							}
							return false;
						};
						const w = document.documentElement.clientWidth;
						let what = "";
						for (const el of document.body.querySelectorAll("*")) {
							const r = el.getBoundingClientRect();
							if (r.right > w + 1 && !insideScroller(el)) {
								what = el.tagName.toLowerCase() + (el.className ? "." + el.className : "") + " (" + Math.round(r.right) + " px)";
								break;
							}
						}
						return JSON.stringify({width: document.documentElement.scrollWidth, what});
					})()`, &wide)
					if wide.Width > device.width {
						t.Errorf("%s is %d px wide on a %d px phone: %s sticks out", path, wide.Width, device.width, wide.What)
					}
					// Every menu entry is on the screen, none hidden in a strip to scroll.
					var hidden []string
					b.evalInto(`JSON.stringify([...document.querySelectorAll("nav.menu a")].filter(a => {
						const r = a.getBoundingClientRect();
						return r.left < 0 || r.right > document.documentElement.clientWidth + 1;
					}).map(a => a.textContent.trim()))`, &hidden)
					if len(hidden) > 0 {
						t.Errorf("%s on a %d px phone: menu entries off the screen: %v", path, device.width, hidden)
					}
					// A table marked to stack needs no sideways scroll either.
					var scrolled []string
					b.evalInto(`JSON.stringify([...document.querySelectorAll("table.stack")].filter(t => t.scrollWidth > t.parentElement.clientWidth + 1).map(t => t.dataset.testid))`, &scrolled)
					// Read for sure (eval answers false when the page cannot answer).
					var history struct {
						Stacked bool   `json:"stacked"`
						Title   string `json:"title"`
					}
					b.evalInto(`JSON.stringify({stacked: !!document.querySelector('table.stack[data-testid=history]'), title: document.title})`, &history)
					if strings.Contains(path, "/activites/") && !history.Stacked {
						t.Errorf("%s: no stacked history table on the page « %s »", path, history.Title)
					}
					if len(scrolled) > 0 {
						t.Errorf("%s on a %d px phone: tables wider than the screen: %v", path, device.width, scrolled)
					}
				}
				if role == "owner" {
					ownerComesFirst(t, b, f.activity.ID)
				}
			})
		}
	}
}

// evalInto runs a JavaScript expression that answers JSON, decoded into v.
func (b *chrome) evalInto(expr string, v any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err == nil {
		err = json.Unmarshal([]byte(s), v)
	}
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// ownerComesFirst checks an owner's landing and « Mes activités »: their
// overdue activities before the organisation's figures, and a compact card
// whose report form opens on demand.
func ownerComesFirst(t *testing.T, b *chrome, id int64) {
	t.Helper()
	b.visit("/")
	if !b.is(`(() => {
		const overdue = document.querySelector("[data-testid=overdue]"), rates = document.querySelector("[data-testid=rates]");
		return !!overdue && !!rates && overdue.getBoundingClientRect().top < rates.getBoundingClientRect().top;
	})()`) {
		t.Errorf("the owner's landing does not show their overdue activities before the organisation's figures")
	}
	b.visit("/mes-activites")
	form := fmt.Sprintf("progress-form-%d", id)
	if b.is(fmt.Sprintf(`document.querySelector("[data-testid=%s]").checkVisibility()`, form)) {
		t.Errorf("the report form of activity %d is open before the owner asks", id)
	}
	b.click(fmt.Sprintf("report-open-%d", id))
	b.waitFor(form)
}

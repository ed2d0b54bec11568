package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ptacycle/ptacycle/demo"
)

// narrowPhone is the narrowest phone an owner in the regions is likely to hold.
const narrowPhone, narrowPhoneHeight = 360, 740

// TestEveryRoleScreens signs in as each role in Chromium, on a desktop and
// on a 360-pixel phone, and visits that role's pages during execution: each
// is screenshotted (test-artifacts/screenshots/TestEveryRoleScreens_…/), and
// on the phone no page is wider than the screen (nothing to scroll sideways
// for but the tables that scroll inside their own frame).
func TestEveryRoleScreens(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no browser")
	}
	f := mustAccessFixture(t)
	approvePlan(t, f)
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

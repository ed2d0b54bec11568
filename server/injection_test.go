package server_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// injections are values an attacker puts in a filter: SQL, an oversized
// number, bytes PostgreSQL refuses in text (a NUL, invalid UTF-8).
var injections = []string{
	"1 OR 1=1",
	"' OR '1'='1",
	"'; DROP TABLE activities;--",
	"1)) UNION SELECT id, email, password_hash FROM users--",
	"1; SELECT pg_sleep(5)",
	"99999999999999999999",
	"9223372036854775807",
	"-1",
	"a\x00b",
	"\xff\xfe",
}

// TestInjectedFilters sends each injection in every query parameter of the
// API and the pages: each answer is a clear refusal or an ordinary result,
// never a server error, and the database is as it was.
func TestInjectedFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := mustAccessFixture(t)
	approvePlan(t, f)
	db, base := f.app.db, f.app.srv.URL
	api := f.signIn(t, "coordinator")
	pages := signInAs(t, base, "coordinator")
	snapshot := func() string {
		t.Helper()
		var s string
		if err := db.Pool.QueryRow(ctx, `SELECT concat_ws('/', (SELECT count(*) FROM activities), (SELECT count(*) FROM actions),
			(SELECT count(*) FROM users), (SELECT count(*) FROM units), (SELECT count(*) FROM audit_log), (SELECT count(*) FROM plan_versions),
			to_regclass('activities') IS NOT NULL AND to_regclass('users') IS NOT NULL)`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := snapshot()

	apiParams := map[string][]string{
		"/activities":                {"year", "unit", "region", "axis", "partner", "status", "owner", "overdue", "page", "pageSize"},
		"/audit":                     {"entity", "entityId", "actor", "since", "before", "limit"},
		"/me/reminders":              {"unread", "limit"},
		"/reminders/failures":        {"limit"},
		"/users":                     {"role"},
		"/cycles/2024/plan/diff":     {"from", "to"},
		"/cycles/2024/dashboard":     {"year", "overdue"},
		"/cycles/2024/plan/versions": {"number"},
	}
	t.Run("API", func(t *testing.T) {
		for path, params := range apiParams {
			for _, param := range params {
				for _, payload := range injections {
					q := url.Values{param: {payload}}
					if strings.HasSuffix(path, "/diff") {
						q.Set(map[string]string{"from": "to", "to": "from"}[param], "1")
					}
					res := api.doRaw("GET", path+"?"+q.Encode(), "", nil)
					if res.Status >= 500 {
						t.Errorf("GET %s?%s=%q: %d %s", path, param, payload, res.Status, res.Body)
					} else if res.Status >= 400 {
						if e := res.err(t); e.Message == "" {
							t.Errorf("GET %s?%s=%q: %d without a message", path, param, payload, res.Status)
						}
					}
				}
			}
		}
		for _, payload := range injections {
			res := api.doRaw("DELETE", fmt.Sprintf("/activities/%d?version=%s", f.activity.ID, url.QueryEscape(payload)), "", nil)
			if res.Status < 400 || res.Status >= 500 {
				t.Errorf("DELETE with version %q: %d %s", payload, res.Status, res.Body)
			}
		}
	})

	pageParams := map[string][]string{
		"/cycles/2024/execution": {"status", "unit", "region", "axis", "partner", "overdue", "page"},
		"/cycles/2024/pta":       {"page", "part"},
		"/journal":               {"entity", "since", "before"},
		"/journal.csv":           {"entity", "since"},
		"/relances":              {"unread", "before"},
		"/mes-activites":         {"page"},
		"/":                      {"year"},
		"/login":                 {"next"},
	}
	t.Run("Pages", func(t *testing.T) {
		for path, params := range pageParams {
			for _, param := range params {
				for _, payload := range injections {
					status, body := get(t, pages, base+path+"?"+url.Values{param: {payload}}.Encode())
					if status >= 500 {
						t.Errorf("GET %s?%s=%q: %d\n%s", path, param, payload, status, execExcerpt(body))
					}
				}
			}
		}
		for _, payload := range injections {
			for _, path := range []string{"/activites/" + url.PathEscape(payload), "/cycles/" + url.PathEscape(payload) + "/pta"} {
				if status, body := get(t, pages, base+path); status < 400 || status >= 500 {
					t.Errorf("GET %s: %d, want a refusal\n%s", path, status, execExcerpt(body))
				}
			}
		}
	})

	if after := snapshot(); after != before {
		t.Errorf("the database changed: %s → %s", before, after)
	}
}

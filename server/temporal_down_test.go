package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/server"
)

// silentTemporal is a client whose server accepts connections and never
// answers, as a host behind a dropped route would.
func silentTemporal(t testing.TB) client.Client {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	c, err := client.NewLazyClient(client.Options{HostPort: l.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// temporalDownBound is how long any request may take while Temporal is unreachable.
const temporalDownBound = 10 * time.Second

// TestTemporalUnreachable checks, with a Temporal that refuses connections and
// with one that never answers, that the reads of the API and the pages still
// work from PostgreSQL, and that every call changing the process answers 503
// with code unavailable and a message saying nothing changed — each within
// temporalDownBound, all sent at once. (The forms' own 503 pages are tested
// with each page.)
func TestTemporalUnreachable(t *testing.T) {
	t.Parallel()
	for name, temporal := range map[string]func(testing.TB) client.Client{"Refused": unreachableTemporal, "Silent": silentTemporal} {
		t.Run(name, func(t *testing.T) {
			tc := temporal(t)
			f := mustAccessFixtureWith(t, func(d *server.Deps) { d.Temporal = tc })
			base := f.app.srv.URL
			coordinator, approver := f.signIn(t, "coordinator").http, f.signIn(t, "approver").http
			page := signInAs(t, base, "coordinator")
			y := fmt.Sprintf("/api/v1/cycles/%d", f.year)
			calls := []temporalDownCall{
				{who: coordinator, method: "GET", path: y + "/plan", status: 200, want: `"activityCount":1`},
				{who: coordinator, method: "GET", path: fmt.Sprintf("/api/v1/activities?year=%d", f.year), status: 200, want: "Former 50 acteurs"},
				{who: coordinator, method: "GET", path: y + "/dashboard", status: 200},
				{who: coordinator, method: "GET", path: y + "/bilan", status: 200},
				{who: coordinator, method: "GET", path: y + "/recommendations", status: 200, want: "Doter le CNLTP"},
				{who: coordinator, method: "GET", path: y, status: 200, want: `"statusError":"Le moteur de processus (Temporal) est momentanément injoignable`},
				{who: page, method: "GET", path: "/", status: 200},
				{who: page, method: "GET", path: fmt.Sprintf("/cycles/%d/pta", f.year), status: 200, want: "Former 50 acteurs"},
				{who: page, method: "GET", path: fmt.Sprintf("/cycles/%d/bilan", f.year), status: 200},
				{who: page, method: "GET", path: fmt.Sprintf("/cycles/%d/recommandations", f.year), status: 200, want: "Doter le CNLTP"},
				{who: page, method: "GET", path: fmt.Sprintf("/cycles/%d/validation", f.year), status: 200},
				{who: page, method: "GET", path: fmt.Sprintf("/cycles/%d/execution", f.year), status: 200},
				{who: coordinator, method: "POST", path: "/api/v1/cycles", input: map[string]any{"year": f.year + 1}, status: 503},
				{who: coordinator, method: "POST", path: y + "/bilan/close", status: 503},
				{who: coordinator, method: "POST", path: y + "/recommendations/adopt", input: map[string]any{"recommendationIds": []int64{f.rec.ID}}, status: 503},
				{who: coordinator, method: "POST", path: y + "/plan/submit", status: 503},
				{who: approver, method: "POST", path: y + "/decisions", input: map[string]any{"level": 1, "version": 1, "outcome": "approved"}, status: 503},
				{who: coordinator, method: "POST", path: y + "/plan/revise", status: 503},
				{who: coordinator, method: "POST", path: y + "/close", status: 503},
			}
			var wg sync.WaitGroup
			for i := range calls {
				wg.Go(func() { calls[i].send(base) })
			}
			wg.Wait()
			for _, c := range calls {
				what := c.method + " " + c.path
				switch {
				case c.err != nil:
					t.Errorf("%s: %v", what, c.err)
				case c.took > temporalDownBound:
					t.Errorf("%s took %s", what, c.took)
				case c.got != c.status:
					t.Errorf("%s = %d, want %d: %.300s", what, c.got, c.status, c.answer)
				case c.want != "" && !strings.Contains(c.answer, c.want):
					t.Errorf("%s lacks %q: %.300s", what, c.want, c.answer)
				case c.status == 503:
					var e struct{ Code, Message string }
					if err := json.Unmarshal([]byte(c.answer), &e); err != nil || e.Code != ptacycle.EUNAVAILABLE ||
						!strings.Contains(e.Message, "Temporal") || !strings.Contains(e.Message, "réessayez dans un instant") {
						t.Errorf("%s answered %s", what, c.answer)
					}
				}
			}
			if n := planCount(t, f, `SELECT count(*) FROM cycles WHERE organisation_id = $1`, f.demoOrg.ID); n != 1 {
				t.Errorf("%d cycles after the refused launch", n)
			}
			if n := planCount(t, f, `SELECT count(*) FROM plan_versions`); n != 0 {
				t.Errorf("%d plan versions after the refused submission", n)
			}
		})
	}
}

// temporalDownCall is one request of TestTemporalUnreachable and what it must answer.
type temporalDownCall struct {
	who          *http.Client
	method, path string
	input        any // sent as JSON
	status       int
	want         string // in the answer

	got    int
	answer string
	took   time.Duration
	err    error
}

func (c *temporalDownCall) send(base string) {
	var body io.Reader
	if c.input != nil {
		b, err := json.Marshal(c.input)
		if err != nil {
			c.err = err
			return
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(c.method, base+c.path, body)
	if err != nil {
		c.err = err
		return
	}
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := c.who.Do(req)
	c.took = time.Since(start)
	if err != nil {
		c.err = err
		return
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	c.got, c.answer, c.err = resp.StatusCode, string(b), err
}

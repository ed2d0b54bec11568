package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/sync/singleflight"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/postgres"
)

// freshFor bounds how long an answer computed by this server is served
// again: a change made through another server process, or by the worker on
// a timer, shows within it. A change made through this server shows at once.
const freshFor = 2 * time.Second

// readCache keeps answers for freshFor, so that 200 people reading one
// dashboard cost one computation every freshFor, not 200. Any change made
// through this server (any request but GET, HEAD, OPTIONS) forgets every
// entry of every cache at once: whoever just reported progress sees it
// counted, whoever revoked a token or deactivated an account is obeyed.
type readCache[K comparable, V any] struct {
	writes *atomic.Uint64 // bumped by every change made through this server
	now    func() time.Time

	mu      sync.Mutex
	entries map[K]cached[V]
	flight  singleflight.Group // one load per key at a time, however many readers wait
}

type cached[V any] struct {
	value  V
	writes uint64
	at     time.Time
}

// maxCached bounds a cache: past it, stale entries are dropped when one is stored.
const maxCached = 4096

func newReadCache[K comparable, V any](writes *atomic.Uint64, now func() time.Time) *readCache[K, V] {
	return &readCache[K, V]{writes: writes, now: now, entries: map[K]cached[V]{}}
}

// get returns key's value from the cache while fresh, else from load (whose
// errors are returned, never kept).
func (c *readCache[K, V]) get(key K, load func() (V, error)) (V, error) {
	writes := c.writes.Load()
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && c.fresh(e, writes) {
		return e.value, nil
	}
	v, err, _ := c.flight.Do(fmt.Sprintf("%v/%d", key, writes), func() (any, error) {
		at := c.now()
		value, err := load()
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if len(c.entries) >= maxCached {
			for k, old := range c.entries {
				if !c.fresh(old, writes) {
					delete(c.entries, k)
				}
			}
		}
		c.entries[key] = cached[V]{value: value, writes: writes, at: at}
		return value, nil
	})
	if err != nil {
		var zero V
		return zero, err
	}
	return v.(V), nil
}

func (c *readCache[K, V]) fresh(e cached[V], writes uint64) bool {
	return e.writes == writes && c.now().Sub(e.at) < freshFor
}

// readCaches are the server's caches, forgotten together.
type readCaches struct {
	writes     atomic.Uint64
	rates      *readCache[ratesKey, planRates]
	dashboards *readCache[dashboardKey, encoded]
	tokens     *readCache[[sha256.Size]byte, ptacycle.User]
}

type ratesKey struct {
	plan int64
	asOf ptacycle.Date
}

type planRates struct {
	rates   ptacycle.RateBreakdown
	overdue int
}

type dashboardKey struct {
	org  int64
	year int
	asOf ptacycle.Date
}

func newReadCaches(now func() time.Time) *readCaches {
	c := &readCaches{}
	c.rates = newReadCache[ratesKey, planRates](&c.writes, now)
	c.dashboards = newReadCache[dashboardKey, encoded](&c.writes, now)
	c.tokens = newReadCache[[sha256.Size]byte, ptacycle.User](&c.writes, now)
	return c
}

// forget drops every entry: something may have changed.
func (c *readCaches) forget() { c.writes.Add(1) }

// forgetOnWrite empties the caches after any request that may have changed
// data: coarse, but writes are rare next to reads, and no handler can forget to.
func (s *Server) forgetOnWrite(c *gin.Context) {
	c.Next()
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		s.cache.forget()
	}
}

// planRates is DB.PlanRates through the cache: over 10,000 activities the
// aggregate takes about 10 ms of a core.
func (s *Server) planRates(ctx context.Context, org, planID int64, asOf ptacycle.Date) (ptacycle.RateBreakdown, int, error) {
	r, err := s.cache.rates.get(ratesKey{planID, asOf}, func() (planRates, error) {
		rates, overdue, err := s.deps.DB.PlanRates(context.WithoutCancel(ctx), org, planID, asOf)
		return planRates{rates, overdue}, err
	})
	return r.rates, r.overdue, err
}

// tokenUser is the user a personal API token authenticates (EUNAUTHORIZED),
// through the cache: scripts and dashboards polling with a token cost one
// query every freshFor.
func (s *Server) tokenUser(ctx context.Context, secret string) (ptacycle.User, error) {
	return s.cache.tokens.get(sha256.Sum256([]byte(secret)), func() (ptacycle.User, error) {
		return s.deps.DB.UserByToken(context.WithoutCancel(ctx), secret)
	})
}

// encoded is a JSON answer, as is and gzipped: a cached answer is compressed once, not once per reader.
type encoded struct {
	json, gzip []byte
}

func encode(v any) (encoded, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return encoded{}, err
	}
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	_, _ = w.Write(b) // writes to a bytes.Buffer do not fail
	if err := w.Close(); err != nil {
		return encoded{}, err
	}
	return encoded{json: b, gzip: z.Bytes()}, nil
}

// write answers 200 with the JSON, gzipped if the client accepts it (the
// compression middleware leaves an answer with a Content-Encoding alone).
func (e encoded) write(c *gin.Context) {
	c.Header("Vary", "Accept-Encoding")
	if acceptsGzip(c.GetHeader("Accept-Encoding")) {
		c.Header("Content-Encoding", "gzip")
		c.Data(http.StatusOK, "application/json; charset=utf-8", e.gzip)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", e.json)
}

// acceptsGzip reports whether an Accept-Encoding header takes gzip (not refused with q=0).
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		if coding = strings.TrimSpace(coding); coding != "gzip" && coding != "*" {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// dashboardAnswer is the API's dashboard of the organisation's year,
// encoded, through the cache: the answer itself is kept, not only the rates,
// so that a reader costs no query past authentication.
func (s *Server) dashboardAnswer(ctx context.Context, a app.Actor, year int, asOf ptacycle.Date) (encoded, error) {
	org := a.User.OrganisationID
	return s.cache.dashboards.get(dashboardKey{org, year, asOf}, func() (encoded, error) {
		ctx := context.WithoutCancel(ctx)
		cc, err := s.app.Cycles.Of(ctx, a, year)
		if err != nil {
			return encoded{}, err
		}
		plan, err := s.deps.DB.Plan(ctx, org, year)
		if err != nil {
			return encoded{}, err
		}
		rates, n, err := s.planRates(ctx, org, plan.ID, asOf)
		if err != nil {
			return encoded{}, err
		}
		overdue := []ptacycle.Activity{}
		if n > 0 {
			if overdue, err = s.deps.DB.Activities(ctx, org, postgres.ActivityFilter{PlanID: plan.ID, OverdueAsOf: asOf, Limit: 50}); err != nil {
				return encoded{}, err
			}
		}
		return encode(dashboard{Year: cc.Year, AsOf: asOf, Formula: ptacycle.RateFormula, Rates: rates, Overdue: n, OverdueList: overdue})
	})
}

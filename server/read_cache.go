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
	rates      *readCache[ratesKey, app.Rates]
	dashboards *readCache[dashboardKey, encoded]
	tokens     *readCache[[sha256.Size]byte, ptacycle.User]
}

type ratesKey struct {
	plan int64
	asOf ptacycle.Date
}

type dashboardKey struct {
	org  int64
	year int
	asOf ptacycle.Date
}

func newReadCaches(now func() time.Time) *readCaches {
	c := &readCaches{}
	c.rates = newReadCache[ratesKey, app.Rates](&c.writes, now)
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

// Rates keeps the layer's rates of a plan (app.Memo): over 10,000
// activities the aggregate takes about 10 ms of a core.
func (c *readCaches) Rates(planID int64, asOf ptacycle.Date, load func() (app.Rates, error)) (app.Rates, error) {
	return c.rates.get(ratesKey{planID, asOf}, load)
}

// tokenUser is the user a personal API token authenticates (EUNAUTHORIZED),
// through the cache: scripts and dashboards polling with a token cost one
// query every freshFor.
func (s *Server) tokenUser(ctx context.Context, secret string) (ptacycle.User, error) {
	return s.cache.tokens.get(sha256.Sum256([]byte(secret)), func() (ptacycle.User, error) {
		return s.app.Account.TokenUser(context.WithoutCancel(ctx), secret)
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
// so that a reader costs no query past authentication. It is kept per
// organisation, and its route lets only those who may read it reach it
// (the permission the layer checks when it computes the answer).
func (s *Server) dashboardAnswer(ctx context.Context, a app.Actor, year int, asOf ptacycle.Date) (encoded, error) {
	return s.cache.dashboards.get(dashboardKey{a.User.OrganisationID, year, asOf}, func() (encoded, error) {
		d, err := s.app.Dashboard.Year(context.WithoutCancel(ctx), a, year, asOf)
		if err != nil {
			return encoded{}, err
		}
		return encode(dashboard{Year: d.Year, AsOf: d.AsOf, Formula: ptacycle.RateFormula, Rates: d.Rates, Overdue: d.Overdue.Count, OverdueList: d.Overdue.First})
	})
}

package server

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/sync/singleflight"

	"github.com/ptacycle/ptacycle"
)

// ratesTTL bounds how long a plan's rates computed by this server are served
// again: a change made through another server shows within it.
const ratesTTL = 2 * time.Second

// ratesCache keeps each plan's execution rates for a moment, so that 200
// people reading one dashboard cost one aggregate query every ratesTTL, not
// 200 (over 10,000 activities the query takes about 10 ms of a core). Any
// change made through this server forgets every entry at once, so whoever
// just reported progress sees it counted.
type ratesCache struct {
	mu         sync.Mutex
	entries    map[int64]ratesEntry // by plan
	generation atomic.Uint64        // bumped by every change made through this server
	flight     singleflight.Group   // one query per plan at a time, however many readers wait
	now        func() time.Time
}

type ratesEntry struct {
	rates      ptacycle.RateBreakdown
	overdue    int
	asOf       ptacycle.Date
	generation uint64
	at         time.Time
}

func newRatesCache(now func() time.Time) *ratesCache {
	return &ratesCache{entries: map[int64]ratesEntry{}, now: now}
}

// forget drops every entry: something may have changed.
func (c *ratesCache) forget() { c.generation.Add(1) }

// get returns the plan's rates as of asOf, from the cache while fresh, else from load.
func (c *ratesCache) get(planID int64, asOf ptacycle.Date, load func() (ptacycle.RateBreakdown, int, error)) (ptacycle.RateBreakdown, int, error) {
	generation := c.generation.Load()
	c.mu.Lock()
	e, ok := c.entries[planID]
	c.mu.Unlock()
	if ok && e.generation == generation && e.asOf == asOf && c.now().Sub(e.at) < ratesTTL {
		return e.rates, e.overdue, nil
	}
	v, err, _ := c.flight.Do(fmt.Sprintf("%d/%s/%d", planID, asOf, generation), func() (any, error) {
		at := c.now()
		rates, overdue, err := load()
		if err != nil {
			return nil, err
		}
		e := ratesEntry{rates: rates, overdue: overdue, asOf: asOf, generation: generation, at: at}
		c.mu.Lock()
		c.entries[planID] = e
		c.mu.Unlock()
		return e, nil
	})
	if err != nil {
		return ptacycle.RateBreakdown{}, 0, err
	}
	e = v.(ratesEntry)
	return e.rates, e.overdue, nil
}

// planRates is DB.PlanRates through the cache.
func (s *Server) planRates(ctx context.Context, org, planID int64, asOf ptacycle.Date) (ptacycle.RateBreakdown, int, error) {
	return s.rates.get(planID, asOf, func() (ptacycle.RateBreakdown, int, error) {
		return s.deps.DB.PlanRates(context.WithoutCancel(ctx), org, planID, asOf)
	})
}

// forgetRatesOnWrite empties the rates cache after any request that may have
// changed data: coarse, but writes are rare next to reads, and no handler can forget to.
func (s *Server) forgetRatesOnWrite(c *gin.Context) {
	c.Next()
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		s.rates.forget()
	}
}

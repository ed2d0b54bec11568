package server

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
)

func TestRatesCache(t *testing.T) {
	now := time.Date(2024, time.June, 3, 9, 0, 0, 0, time.UTC)
	c := newRatesCache(func() time.Time { return now })
	day := ptacycle.DateOf(now)
	var loads atomic.Int32
	load := func() (ptacycle.RateBreakdown, int, error) {
		n := int(loads.Add(1))
		return ptacycle.RateBreakdown{Overall: ptacycle.Rate{Done: n}}, n, nil
	}
	get := func(plan int64, asOf ptacycle.Date) int {
		t.Helper()
		r, overdue, err := c.get(plan, asOf, load)
		if err != nil || r.Overall.Done != overdue {
			t.Fatalf("get = %+v, %d, %v", r, overdue, err)
		}
		return overdue
	}
	if get(1, day) != 1 || get(1, day) != 1 {
		t.Errorf("a fresh entry was loaded again (%d loads)", loads.Load())
	}
	if get(2, day) != 2 {
		t.Errorf("another plan shares the entry")
	}
	c.forget()
	if get(1, day) != 3 {
		t.Errorf("a change through this server did not reload")
	}
	if get(1, day.AddDays(1)) != 4 {
		t.Errorf("the next day's overdue count came from yesterday's entry")
	}
	now = now.Add(ratesTTL)
	if get(1, day.AddDays(1)) != 5 {
		t.Errorf("an entry older than %s was served", ratesTTL)
	}

	// Readers arriving together share one query.
	c.forget()
	before := loads.Load()
	slow := func() (ptacycle.RateBreakdown, int, error) {
		time.Sleep(50 * time.Millisecond)
		return load()
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { _, _, _ = c.get(1, day, slow) })
	}
	wg.Wait()
	if n := loads.Load() - before; n != 1 {
		t.Errorf("50 readers at once ran %d queries, want 1", n)
	}
}

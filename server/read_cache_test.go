package server

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestReadCache(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, time.June, 3, 9, 0, 0, 0, time.UTC)
	var writes atomic.Uint64
	c := newReadCache[string, int](&writes, func() time.Time { return now })
	var loads atomic.Int32
	load := func() (int, error) { return int(loads.Add(1)), nil }
	get := func(key string) int {
		t.Helper()
		v, err := c.get(key, load)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	first, again := get("a"), get("a")
	if first != 1 || again != 1 {
		t.Errorf("a fresh entry was loaded again (%d loads)", loads.Load())
	}
	if get("b") != 2 {
		t.Errorf("another key shares the entry")
	}
	writes.Add(1)
	first, again = get("a"), get("a")
	if first != 3 || again != 3 {
		t.Errorf("a change through this server did not reload once")
	}
	now = now.Add(freshFor)
	if get("a") != 4 {
		t.Errorf("an entry older than %s was served", freshFor)
	}

	// Errors are returned and never kept.
	refused := errors.New("refused")
	if _, err := c.get("c", func() (int, error) { return 0, refused }); err != refused {
		t.Errorf("load error = %v, want %v", err, refused)
	}
	if get("c") != 5 {
		t.Errorf("a failed load was kept")
	}

	// Readers arriving together share one load.
	writes.Add(1)
	before := loads.Load()
	// The load waits for every reader to have started: they join it, or,
	// arriving after it ended, find what it stored.
	var started, wg sync.WaitGroup
	started.Add(50)
	slow := func() (int, error) {
		started.Wait()
		return load()
	}
	for range 50 {
		wg.Go(func() {
			started.Done()
			_, _ = c.get("a", slow)
		})
	}
	wg.Wait()
	if n := loads.Load() - before; n != 1 {
		t.Errorf("50 readers at once ran %d loads, want 1", n)
	}

	// Past maxCached entries, stale ones are dropped when one is stored.
	for i := range maxCached {
		_, _ = c.get(string(rune('A'+i%26))+time.Duration(i).String(), load)
	}
	now = now.Add(freshFor)
	_ = get("fresh")
	c.mu.Lock()
	n := len(c.entries)
	c.mu.Unlock()
	if n != 1 {
		t.Errorf("%d entries kept after the stale ones were due to go, want 1", n)
	}
}

func TestAcceptsGzip(t *testing.T) {
	t.Parallel()
	for header, want := range map[string]bool{
		"": false, "gzip": true, "gzip, deflate, br": true, "br, gzip;q=0.8": true, "deflate": false,
		"gzip;q=0": false, "gzip; q=0.0": false, "*": true, "identity": false, "x-gzip": false,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

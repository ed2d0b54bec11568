package bench

import (
	"sync"
	"time"
)

// loadResult is what a closed-loop run measured.
type loadResult struct {
	Latencies []time.Duration // of the calls that succeeded
	OK        int
	Failed    int
	Elapsed   time.Duration // until the last call in flight returned
}

// Throughput is successful calls per second.
func (r loadResult) Throughput() float64 { return float64(r.OK) / r.Elapsed.Seconds() }

// closedLoop runs workers callers for d, each calling call again as soon as
// it returns (a closed loop: like people who click again once the page is
// there). call reports its latency and success. Calls in flight at the end
// are waited for, not cancelled, so that none ends in an unknown state.
func closedLoop(workers int, d time.Duration, call func(worker int) (time.Duration, bool)) loadResult {
	var mu sync.Mutex
	var r loadResult
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for w := range workers {
		wg.Go(func() {
			var mine []time.Duration
			failed := 0
			for time.Now().Before(deadline) {
				latency, ok := call(w)
				if !ok {
					failed++
					continue
				}
				mine = append(mine, latency)
			}
			mu.Lock()
			r.Latencies = append(r.Latencies, mine...)
			r.OK += len(mine)
			r.Failed += failed
			mu.Unlock()
		})
	}
	wg.Wait()
	r.Elapsed = time.Since(start)
	return r
}

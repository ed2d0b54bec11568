package bench

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// percentile returns the p-th percentile (0 < p ≤ 100) of durations, nearest rank.
func percentile(durations []time.Duration, p float64) time.Duration {
	if len(durations) == 0 {
		return 0
	}
	sorted := slices.Clone(durations)
	slices.Sort(sorted)
	rank := int(float64(len(sorted))*p/100+0.5) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

func median(durations []time.Duration) time.Duration { return percentile(durations, 50) }

// ms renders a duration in milliseconds, with the precision it deserves.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64) + " ms"
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(v, 'f', 2, 64) + " ms"
}

// cpuSample is the CPU time spent so far by the machine (all processes,
// from /proc/stat), by this process and by PostgreSQL's processes (the
// private cluster's postmaster and its children, from /proc); zero where it
// cannot be read.
type cpuSample struct {
	at       time.Time
	machine  time.Duration
	process  time.Duration
	postgres time.Duration
	known    bool // postgres was read
}

// userHZ is the unit of /proc's CPU times on Linux.
const userHZ = time.Second / 100

func sampleCPU(pgDataDir string) cpuSample {
	s := cpuSample{at: time.Now()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.process = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		fields := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal …
		if len(fields) > 8 && fields[0] == "cpu" {
			var busy int64
			for i, f := range fields[1:9] {
				if i == 3 || i == 4 { // idle, iowait
					continue
				}
				n, _ := strconv.ParseInt(f, 10, 64)
				busy += n
			}
			s.machine = time.Duration(busy) * userHZ
		}
	}
	s.postgres, s.known = postgresCPU(pgDataDir)
	return s
}

// postgresCPU adds up the CPU time of the postmaster whose data folder is
// dataDir and of its children (the backends serving the pool).
func postgresCPU(dataDir string) (time.Duration, bool) {
	if dataDir == "" {
		return 0, false
	}
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	first, _, _ := strings.Cut(string(b), "\n")
	postmaster, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		return 0, false
	}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var total time.Duration
	found := false
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		// pid (comm) state ppid … utime stime: fields 1, 4, 14 and 15, counted after the command's closing parenthesis.
		end := strings.LastIndexByte(string(b), ')')
		pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), " ", 2)[0]))
		if end < 0 {
			continue
		}
		fields := strings.Fields(string(b)[end+1:])
		if len(fields) < 13 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		if pid != postmaster && ppid != postmaster {
			continue
		}
		utime, _ := strconv.ParseInt(fields[11], 10, 64)
		stime, _ := strconv.ParseInt(fields[12], 10, 64)
		total += time.Duration(utime+stime) * userHZ
		found = pid == postmaster || found
	}
	return total, found
}

// CPUUse is the CPU spent between two samples, per request served.
type CPUUse struct {
	Cores       int
	Busy        float64       // the machine's cores busy on average, whoever used them
	Others      float64       // of which processes that are neither this one nor PostgreSQL: another load on the machine
	PerRequest  time.Duration // this process and PostgreSQL, per request
	ProcessPer  time.Duration // this process: server, load generator, Temporal
	PostgresPer time.Duration // PostgreSQL (or, when its processes are unknown, everything but this process)
}

func cpuBetween(a, b cpuSample, requests int) CPUUse {
	u := CPUUse{Cores: runtime.NumCPU()}
	wall := b.at.Sub(a.at)
	if requests == 0 || wall <= 0 {
		return u
	}
	machine, process, postgres := b.machine-a.machine, b.process-a.process, b.postgres-a.postgres
	if !a.known || !b.known {
		postgres = max(machine-process, 0)
	}
	u.Busy = float64(machine) / float64(wall)
	u.Others = max(float64(machine-process-postgres)/float64(wall), 0)
	u.ProcessPer = process / time.Duration(requests)
	u.PostgresPer = postgres / time.Duration(requests)
	u.PerRequest = u.ProcessPer + u.PostgresPer
	return u
}

// serverTime reads the server's own request-duration histogram for one
// route: how many requests it answered and their total time.
type serverTime struct {
	count uint64
	sum   float64
}

func readServerTime(reg *prometheus.Registry, method, route string) serverTime {
	families, err := reg.Gather()
	if err != nil {
		return serverTime{}
	}
	for _, f := range families {
		if f.GetName() != "ptacycle_http_request_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["method"] == method && labels["route"] == route {
				return serverTime{count: m.GetHistogram().GetSampleCount(), sum: m.GetHistogram().GetSampleSum()}
			}
		}
	}
	return serverTime{}
}

// meanSince is the mean server time of the requests answered since earlier.
func (t serverTime) meanSince(earlier serverTime) time.Duration {
	n := t.count - earlier.count
	if n == 0 {
		return 0
	}
	return time.Duration((t.sum - earlier.sum) / float64(n) * float64(time.Second))
}

// Command slowest reads `go test -json` on its standard input, writes what
// `go test` would have written without -json (each package's result, the
// output of the tests that failed), then the ten slowest top-level tests.
// It exits 1 when a test or a build failed. CI runs it as
//
//	set -o pipefail; go test -json ./... | go run ./internal/slowest
package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json), with the fields used here.
type event struct {
	Action     string
	Package    string
	ImportPath string // of build-output events
	Test       string
	Elapsed    float64
	Output     string
}

// timing is how long a top-level test took.
type timing struct {
	pkg, test string
	seconds   float64
}

// report follows the events of a run: it holds each running test's output
// until the test passes (dropped) or fails (written).
type report struct {
	out     io.Writer
	held    map[string][]string // by package and test
	timings []timing
	failed  bool
}

func main() {
	r := &report{out: os.Stdout, held: map[string][]string{}}
	if err := r.read(os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "slowest:", err)
		os.Exit(2)
	}
	r.writeSlowest(10)
	if r.failed {
		os.Exit(1)
	}
}

// read handles every line of in; a line that is not an event is written as it is.
func (r *report) read(in io.Reader) error {
	scanner := bufio.NewScanner(in)
	scanner.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for scanner.Scan() {
		line := scanner.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Fprintf(r.out, "%s\n", line)
			continue
		}
		r.handle(e)
	}
	return scanner.Err()
}

func (r *report) handle(e event) {
	key := e.Package + " " + e.Test
	switch {
	case e.Action == "build-output":
		fmt.Fprint(r.out, e.Output)
	case e.Action == "build-fail":
		r.failed = true
	case e.Test == "" && e.Action == "output":
		// The package's own lines: its result ("ok", "FAIL"), a panic outside
		// any test; not the binary's "PASS", which go test shows only with -v.
		if e.Output != "PASS\n" {
			fmt.Fprint(r.out, e.Output)
		}
	case e.Test == "" && e.Action == "fail":
		r.failed = true
		r.writeUnfinished(e.Package)
	case e.Test == "":
		// The package started, passed, or had no tests.
	case e.Action == "output":
		if !isProgress(e.Output) {
			r.held[key] = append(r.held[key], e.Output)
		}
	case e.Action == "pass" || e.Action == "skip" || e.Action == "fail":
		if e.Action == "fail" {
			r.failed = true
			fmt.Fprint(r.out, strings.Join(r.held[key], ""))
		}
		delete(r.held, key)
		if !strings.Contains(e.Test, "/") {
			r.timings = append(r.timings, timing{e.Package, e.Test, e.Elapsed})
		}
	}
}

// isProgress reports the lines only -v writes (-json implies it): a test started, paused, resumed.
func isProgress(line string) bool {
	for _, p := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// writeUnfinished writes the output of pkg's tests that never ended (the
// binary panicked or timed out), so that a failure is never silent.
func (r *report) writeUnfinished(pkg string) {
	var keys []string
	for key := range r.held {
		if strings.HasPrefix(key, pkg+" ") {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	for _, key := range keys {
		fmt.Fprint(r.out, strings.Join(r.held[key], ""))
		delete(r.held, key)
	}
}

// writeSlowest writes the n slowest top-level tests, slowest first.
func (r *report) writeSlowest(n int) {
	slices.SortStableFunc(r.timings, func(a, b timing) int { return cmp.Compare(b.seconds, a.seconds) })
	if len(r.timings) == 0 {
		return
	}
	fmt.Fprintf(r.out, "\nSlowest %d tests:\n", min(n, len(r.timings)))
	for _, t := range r.timings[:min(n, len(r.timings))] {
		fmt.Fprintf(r.out, "%8.2fs  %s %s\n", t.seconds, t.pkg, t.test)
	}
}

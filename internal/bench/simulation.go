package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The whole-year simulation is the workflow package's own tests — the cycle
// through every stage with a send-back and a two-level approval, and the 82
// activities' follow-ups with their reminders and escalations — run with time
// skipping against mocked activities. They stay tests (their fakes assert
// what the workflows ask), so the benchmark runs them with the go tool and
// reads their wall time from `go test -json`; a binary without the source
// tree says so instead.

// simulationTests are the tests that play a whole simulated year.
var simulationTests = []string{"TestCycleYear", "TestFollowUps"}

// SimulationResult is the wall time of the simulated year.
type SimulationResult struct {
	Skipped string                   // why it did not run
	Elapsed map[string]time.Duration // by test, as go test reports it
	Failed  []string                 // tests that failed
}

// Total is the simulated year's wall time: the tests' times added up.
func (r SimulationResult) Total() time.Duration {
	var t time.Duration
	for _, d := range r.Elapsed {
		t += d
	}
	return t
}

const modulePath = "github.com/ptacycle/ptacycle"

// findSource returns the module's root, looking up from dir, or "" when dir is not inside it.
func findSource(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil {
			if strings.HasPrefix(string(b), "module "+modulePath+"\n") {
				if _, err := os.Stat(filepath.Join(d, "workflows", "cycle_test.go")); err == nil {
					return d
				}
			}
			return ""
		}
		if d == filepath.Dir(d) {
			return ""
		}
	}
}

// runSimulation runs the simulation's tests in the source tree at root ("" to look from the working directory).
func runSimulation(ctx context.Context, root string) (SimulationResult, error) {
	r := SimulationResult{Elapsed: map[string]time.Duration{}}
	if root == "" {
		wd, err := os.Getwd()
		if err != nil {
			return r, err
		}
		root = findSource(wd)
	}
	goBin, err := exec.LookPath("go")
	if root == "" || err != nil {
		r.Skipped = "needs the source tree and the go tool"
		return r, nil
	}
	cmd := exec.CommandContext(ctx, goBin, "test", "-run", "^("+strings.Join(simulationTests, "|")+")$", "-count=1", "-json", "./workflows/")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	scanner := bufio.NewScanner(bytes.NewReader(out))
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		var ev struct {
			Action  string
			Test    string
			Elapsed float64
		}
		if json.Unmarshal(scanner.Bytes(), &ev) != nil || (ev.Action != "pass" && ev.Action != "fail") {
			continue
		}
		for _, t := range simulationTests {
			if ev.Test == t {
				r.Elapsed[t] = time.Duration(ev.Elapsed * float64(time.Second))
				if ev.Action == "fail" {
					r.Failed = append(r.Failed, t)
				}
			}
		}
	}
	if runErr != nil || len(r.Elapsed) != len(simulationTests) {
		return r, fmt.Errorf("go test %v: %v %s", simulationTests, runErr, strings.TrimSpace(stderr.String()))
	}
	return r, nil
}

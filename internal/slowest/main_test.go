package main

import (
	"os"
	"strings"
	"testing"
)

// run feeds a recorded `go test -json` (testdata/, from a package with a
// passing, a failing and a skipped test) to a report.
func run(t *testing.T, file string) (string, *report) {
	t.Helper()
	in, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var out strings.Builder
	r := &report{out: &out, held: map[string][]string{}}
	if err := r.read(in); err != nil {
		t.Fatal(err)
	}
	r.writeSlowest(10)
	return out.String(), r
}

func TestReport(t *testing.T) {
	t.Run("Failure", func(t *testing.T) {
		out, r := run(t, "testdata/fail.json")
		if !r.failed {
			t.Error("a failed test is not reported as a failure")
		}
		for _, want := range []string{"s_test.go:10: the sub-case broke\n", "--- FAIL: TestFails (0.00s)\n", "FAIL\tsample\t0.027s\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		for _, unwanted := range []string{"quiet when it passes", "--- PASS", "not here", "=== RUN"} {
			if strings.Contains(out, unwanted) {
				t.Errorf("output has %q, which go test without -json does not write:\n%s", unwanted, out)
			}
		}
		slowest := out[strings.Index(out, "Slowest"):]
		if want := "Slowest 3 tests:\n    0.02s  sample TestPasses\n    0.00s  sample TestFails\n    0.00s  sample TestSkipped\n"; slowest != want {
			t.Errorf("slowest =\n%s\nwant (top-level tests only, slowest first)\n%s", slowest, want)
		}
	})
	t.Run("Success", func(t *testing.T) {
		out, r := run(t, "testdata/pass.json")
		if r.failed {
			t.Errorf("a passing run is reported as a failure:\n%s", out)
		}
		if !strings.HasPrefix(out, "ok  \tsample\t") {
			t.Errorf("output does not start with the package's result:\n%s", out)
		}
	})
	t.Run("TextLinesKept", func(t *testing.T) {
		var out strings.Builder
		r := &report{out: &out, held: map[string][]string{}}
		if err := r.read(strings.NewReader("# github.com/x/y\nnot json {\n")); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); got != "# github.com/x/y\nnot json {\n" {
			t.Errorf("lines that are not events = %q, want them as they came", got)
		}
	})
}

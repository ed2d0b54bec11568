package stacktest_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle/internal/stacktest"
	"github.com/ptacycle/ptacycle/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestStart: the stack's server answers ready, PostgreSQL and Temporal both
// reached, and its worker polls the product's task queue.
func TestStart(t *testing.T) {
	s := stacktest.Start(t, stacktest.Options{HTTP: true})
	resp, err := http.Get(s.HTTP.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"temporal":"ok"`) || !strings.Contains(string(body), `"postgres":"ok"`) {
		t.Errorf("/readyz = %d %s", resp.StatusCode, body)
	}
	if s.Worker == nil || s.Namespace == "" || s.Acts.DB != s.DB || s.Acts.Temporal != s.Temporal {
		t.Errorf("stack %+v", s)
	}
}

// failures records what Eventually reports instead of ending the test.
type failures struct{ said []string }

func (f *failures) Helper() {}

func (f *failures) Fatalf(format string, args ...any) {
	f.said = append(f.said, fmt.Sprintf(format, args...))
}

// TestEventually: it returns once the condition holds, and otherwise fails
// after its deadline, saying what was awaited and how things stood.
func TestEventually(t *testing.T) {
	var calls atomic.Int32
	f := &failures{}
	stacktest.Eventually(f, time.Second, "the third try", func() bool { return calls.Add(1) == 3 })
	if len(f.said) != 0 || calls.Load() != 3 {
		t.Errorf("a condition met on the third try: %d tries, failures %q", calls.Load(), f.said)
	}
	stacktest.EventuallySays(f, 50*time.Millisecond, "a reminder", func() (bool, string) { return false, "0 sent" })
	if len(f.said) != 1 || !strings.Contains(f.said[0], "a reminder did not happen within 50ms: 0 sent") {
		t.Errorf("a condition never met: %q", f.said)
	}
}

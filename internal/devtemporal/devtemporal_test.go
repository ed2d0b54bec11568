package devtemporal_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/ptacycle/ptacycle/internal/devtemporal"
	"github.com/ptacycle/ptacycle/internal/stacktest"
)

const (
	taskQueue      = "devtemporal-test"
	workflowID     = "approval-cnltp-2026"
	approveSignal  = "approve"
	firstRunEnvVar = "DEVTEMPORAL_TEST_FIRST_RUN_FILE"
)

var (
	organisationKey = temporal.NewSearchAttributeKeyKeyword("OrganisationSlug")
	yearKey         = temporal.NewSearchAttributeKeyInt64("CycleYear")
	stageKey        = temporal.NewSearchAttributeKeyKeyword("CycleStage")
)

// productAttributes are the search attributes the product registers.
func productAttributes() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		"OrganisationSlug": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		"CycleYear":        enumspb.INDEXED_VALUE_TYPE_INT,
		"CycleStage":       enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	}
}

// Approval waits for the approve signal, or gives up after an hour.
func Approval(ctx workflow.Context) (string, error) {
	var approver string
	timedOut := false
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(workflow.GetSignalChannel(ctx, approveSignal), func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, &approver)
	})
	sel.AddFuture(workflow.NewTimer(ctx, time.Hour), func(workflow.Future) { timedOut = true })
	sel.Select(ctx)
	if timedOut {
		return "timed out", nil
	}
	return "approved by " + approver, nil
}

// MustStart starts a server on file and stops it when the test ends.
func MustStart(tb testing.TB, file string, attributes map[string]enumspb.IndexedValueType) *devtemporal.Server {
	tb.Helper()
	began := time.Now()
	srv, err := devtemporal.Start(devtemporal.Options{DatabaseFile: file, SearchAttributes: attributes})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Logf("server ready on %s in %s", srv.Address(), time.Since(began).Round(time.Millisecond))
	tb.Cleanup(func() {
		began := time.Now()
		if err := srv.Stop(); err != nil {
			tb.Error(err)
		}
		tb.Logf("server stopped in %s", time.Since(began).Round(time.Millisecond))
	})
	return srv
}

// MustClient dials srv and closes the client when the test ends.
func MustClient(tb testing.TB, srv *devtemporal.Server) client.Client {
	tb.Helper()
	c, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: srv.Namespace()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c
}

// MustWorker runs Approval on taskQueue until the test ends.
func MustWorker(tb testing.TB, c client.Client) {
	tb.Helper()
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflow(Approval)
	if err := w.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(w.Stop)
}

func TestPersistsAcrossRestart(t *testing.T) {
	if file := os.Getenv(firstRunEnvVar); file != "" {
		startApproval(t, file)
		return
	}
	file := filepath.Join(t.TempDir(), "temporal.db")

	// The SQLite plugin keeps its connection for the life of the process, so
	// the first server runs in a child process: the second one really reads the file.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestPersistsAcrossRestart$", "-test.v")
	cmd.Env = append(os.Environ(), firstRunEnvVar+"="+file)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("first run: %v\n%s", err, out)
	}
	if testing.Verbose() {
		t.Logf("first run:\n%s", out)
	}

	t.Run("UsesWAL", func(t *testing.T) {
		// Bytes 18 and 19 of the SQLite header are 2 once journal_mode=wal was applied.
		header := make([]byte, 20)
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.ReadAt(header, 0); err != nil {
			t.Fatal(err)
		}
		if header[18] != 2 || header[19] != 2 {
			t.Errorf("file format versions = %d, %d, want 2, 2 (WAL)", header[18], header[19])
		}
	})

	// A later version of the product adds an attribute: the existing namespace must get it.
	attributes := productAttributes()
	attributes["AssignedUnit"] = enumspb.INDEXED_VALUE_TYPE_KEYWORD
	srv := MustStart(t, file, attributes)
	c := MustClient(t, srv)

	t.Run("StillRunning", func(t *testing.T) {
		desc, err := c.DescribeWorkflowExecution(ctx, workflowID, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := desc.GetWorkflowExecutionInfo().GetStatus(); got != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			t.Fatalf("status = %s, want running", got)
		}
	})
	t.Run("FoundByVisibilityQuery", func(t *testing.T) {
		query := "OrganisationSlug = 'cnltp' AND CycleYear = 2026 AND CycleStage = 'validation'"
		stacktest.EventuallySays(t, 5*time.Second, "the cycle found by "+query, func() (bool, string) {
			resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: srv.Namespace(), Query: query})
			if err != nil {
				t.Fatal(err)
			}
			ids := executionIDs(resp)
			return len(ids) == 1 && ids[0] == workflowID, fmt.Sprintf("found %v, want [%s]", ids, workflowID)
		})
	})
	t.Run("AddsMissingSearchAttribute", func(t *testing.T) {
		resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: srv.Namespace()})
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range attributes {
			if got := resp.GetCustomAttributes()[name]; got != want {
				t.Errorf("search attribute %s = %s, want %s", name, got, want)
			}
		}
	})
	t.Run("CompletesOnSignal", func(t *testing.T) {
		MustWorker(t, c)
		if err := c.SignalWorkflow(ctx, workflowID, "", approveSignal, "directrice"); err != nil {
			t.Fatal(err)
		}
		var result string
		if err := c.GetWorkflow(ctx, workflowID, "").Get(ctx, &result); err != nil {
			t.Fatal(err)
		}
		if want := "approved by directrice"; result != want {
			t.Errorf("result = %q, want %q", result, want)
		}
	})
}

// startApproval is the first run: it starts Approval on a new file and stops
// once the workflow's timer is recorded.
func startApproval(t *testing.T, file string) {
	srv := MustStart(t, file, productAttributes())
	c := MustClient(t, srv)
	MustWorker(t, c)
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        workflowID,
		TaskQueue: taskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			organisationKey.ValueSet("cnltp"),
			yearKey.ValueSet(2026),
			stageKey.ValueSet("validation"),
		),
	}, Approval)
	if err != nil {
		t.Fatal(err)
	}
	for !timerStarted(ctx, t, c) {
		select {
		case <-ctx.Done():
			t.Fatal("the workflow's timer was never started")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// timerStarted reports whether the history of workflowID holds a started timer.
func timerStarted(ctx context.Context, t *testing.T, c client.Client) bool {
	t.Helper()
	events := c.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for events.HasNext() {
		event, err := events.Next()
		if err != nil {
			t.Fatal(err)
		}
		if event.GetEventType() == enumspb.EVENT_TYPE_TIMER_STARTED {
			return true
		}
	}
	return false
}

func executionIDs(resp *workflowservice.ListWorkflowExecutionsResponse) []string {
	var ids []string
	for _, e := range resp.GetExecutions() {
		ids = append(ids, e.GetExecution().GetWorkflowId())
	}
	return ids
}

func TestErrPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	file := filepath.Join(t.TempDir(), "temporal.db")

	srv, err := devtemporal.Start(devtemporal.Options{DatabaseFile: file, Port: port})
	if err == nil {
		srv.Stop()
		t.Fatal("Start succeeded on a taken port")
	}
	if !errors.As(err, new(devtemporal.ErrPortInUse)) {
		t.Errorf("error %T, want devtemporal.ErrPortInUse", err)
	}
	if msg := err.Error(); !strings.Contains(msg, strconv.Itoa(port)) || !strings.Contains(msg, "déjà utilisé") || strings.Contains(msg, "\n") {
		t.Errorf("message %q should say in one line that port %d is déjà utilisé", msg, port)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the database file should not be created when the port is taken: %v", err)
	}
}

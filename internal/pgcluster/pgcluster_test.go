package pgcluster_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"

	"github.com/ptacycle/ptacycle/internal/pgcluster"
)

// mustDir returns a fresh folder the postgres user can reach (t.TempDir's parent is private to root).
func mustDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pgcluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func TestStartStopRestart(t *testing.T) {
	if _, err := pgcluster.FindBinaries(); err != nil {
		t.Skip(err)
	}
	ctx := context.Background()
	dir := mustDir(t)
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	listening := func() bool {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", c.Port()))
		if err == nil {
			conn.Close()
		}
		return err == nil
	}
	if !listening() {
		t.Fatal("server not listening after Start")
	}

	t.Run("TakesOverAServerLeftRunning", func(t *testing.T) {
		// As after a SIGKILL of `ptacycle dev`: the old server still runs on the folder.
		again, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		c = again
		if !listening() {
			t.Fatal("server not listening after the second Start")
		}
	})
	t.Run("ErrPortInUse", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		_, err = pgcluster.Start(ctx, pgcluster.Options{Dir: mustDir(t), Port: l.Addr().(*net.TCPAddr).Port})
		var inUse pgcluster.ErrPortInUse
		if !errors.As(err, &inUse) {
			t.Fatalf("err = %v, want ErrPortInUse", err)
		}
	})
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if listening() {
		t.Error("server still listening after Stop")
	}
}

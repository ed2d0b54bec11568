// Package pgtest gives each test its own migrated PostgreSQL database. When
// DATABASE_URL is unset it starts one private cluster per test binary from the
// installed binaries; each test then gets a copy of a migrated template database.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ptacycle/ptacycle/internal/pgcluster"
	"github.com/ptacycle/ptacycle/postgres"
)

var (
	once     sync.Once
	setupErr error
	cluster  *pgcluster.Cluster
	dataDir  string
	admin    *url.URL // the server's maintenance database
	template string
	counter  atomic.Int64
)

// Main runs the package's tests and stops the private cluster, if one was started.
// Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	teardown()
	os.Exit(code)
}

func setup() error {
	ctx := context.Background()
	raw := os.Getenv("DATABASE_URL")
	if raw == "" {
		reapOrphans(ctx)
		dir, err := os.MkdirTemp("", "ptacycle-pgtest-")
		if err != nil {
			return err
		}
		dataDir = dir
		if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
			return err
		}
		if cluster, err = pgcluster.Start(ctx, pgcluster.Options{Dir: dir}); err != nil {
			return err
		}
		raw = cluster.URL("postgres")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("pgtest: DATABASE_URL must be a postgres:// URL")
	}
	admin = u
	template = fmt.Sprintf("ptacycle_tpl_%d", os.Getpid())
	if err := exec(ctx, "CREATE DATABASE "+template); err != nil {
		return err
	}
	db, err := postgres.Open(ctx, withDatabase(template))
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Migrate(ctx)
}

// ownerFile holds the pid of the test binary that started a private cluster.
const ownerFile = "owner.pid"

// reapOrphans stops the clusters of test binaries that died without stopping
// theirs (killed by a timeout), so they do not pile up on a CI machine.
func reapOrphans(ctx context.Context) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "ptacycle-pgtest-*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(string(b))
		if err != nil || processAlive(pid) {
			continue
		}
		_ = pgcluster.Remove(ctx, dir)
	}
}

// processAlive reports whether process pid runs; a zombie (dead, not yet
// reaped, as under a container's init) does not.
func processAlive(pid int) bool {
	if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && i+2 < len(stat) {
			return stat[i+2] != 'Z'
		}
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func teardown() {
	if admin != nil && template != "" {
		_ = exec(context.Background(), "DROP DATABASE IF EXISTS "+template+" WITH (FORCE)")
	}
	if cluster != nil {
		_ = cluster.Stop()
		os.RemoveAll(dataDir)
	}
}

func withDatabase(name string) string {
	u := *admin
	u.Path = "/" + name
	return u.String()
}

// exec runs one statement on the maintenance database (CREATE/DROP DATABASE cannot run in a transaction).
func exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// MustURL returns the URL of a fresh, migrated database, dropped when tb ends.
func MustURL(tb testing.TB) string {
	tb.Helper()
	once.Do(func() { setupErr = setup() })
	if setupErr != nil {
		tb.Fatalf("pgtest: %v", setupErr)
	}
	name := fmt.Sprintf("%s_%d", template, counter.Add(1))
	if err := exec(context.Background(), "CREATE DATABASE "+name+" TEMPLATE "+template); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() {
		if err := exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Logf("pgtest: %v", err)
		}
	})
	return withDatabase(name)
}

// MustDB returns the store on a fresh, migrated database, closed and dropped when tb ends.
func MustDB(tb testing.TB) *postgres.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), MustURL(tb))
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(db.Close)
	return db
}

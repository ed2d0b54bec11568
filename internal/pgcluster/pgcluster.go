// Package pgcluster starts a private PostgreSQL cluster from the binaries
// installed on the machine (initdb, pg_ctl), for `ptacycle dev` and for tests.
// No Go library can start PostgreSQL as root, so when the process is root the
// cluster runs as the system's postgres user.
package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrNoBinaries is returned when initdb and pg_ctl cannot be found.
var ErrNoBinaries = errors.New("initdb introuvable : installez PostgreSQL (paquet Debian postgresql) ou définissez DATABASE_URL / initdb not found: install PostgreSQL or set DATABASE_URL")

// Options configure a cluster.
type Options struct {
	Dir   string // holds data/ and postgres.log; created if missing
	Port  int    // TCP port on 127.0.0.1; 0 picks a free one
	Fsync bool   // false for tests: faster, and a crash only loses throwaway data
}

// Cluster is a running PostgreSQL server listening on 127.0.0.1.
type Cluster struct {
	dir   string
	port  int
	bin   string
	owner *syscall.Credential
}

// BinDirVariable names the environment variable that points at the folder of initdb and pg_ctl.
const BinDirVariable = "PTACYCLE_PG_BIN"

// FindBinaries returns the folder holding initdb and pg_ctl: $PTACYCLE_PG_BIN
// if set, else the one on PATH, else the newest /usr/lib/postgresql/<version>/bin.
func FindBinaries() (string, error) {
	if dir := os.Getenv(BinDirVariable); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err != nil {
			return "", ErrNoBinaries
		}
		return dir, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", ErrNoBinaries
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// Start initialises the cluster in opts.Dir if needed and starts it. A server
// left running on that folder by a killed process is stopped first.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	bin, err := FindBinaries()
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, port: opts.Port, bin: bin}
	if os.Geteuid() == 0 {
		if c.owner, err = postgresUser(); err != nil {
			return nil, err
		}
	}
	if c.port == 0 {
		if c.port, err = freePort(); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("dossier de données %s : %w", dir, err)
	}
	if c.owner != nil {
		if err := os.Chown(dir, int(c.owner.Uid), int(c.owner.Gid)); err != nil {
			return nil, err
		}
		if err := reachableByOthers(filepath.Dir(dir)); err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(filepath.Join(c.DataDir(), "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := c.initdb(ctx, opts.Fsync); err != nil {
			return nil, err
		}
	}
	if c.running(ctx) {
		if err := c.Stop(); err != nil {
			return nil, fmt.Errorf("arrêt du PostgreSQL resté actif sur %s : %w", c.DataDir(), err)
		}
	}
	if err := portFree(c.port); err != nil {
		return nil, err
	}
	if _, err := c.pgctl(ctx, "start", "-w", "-t", "60", "-l", c.LogFile(), "-o", fmt.Sprintf("-p %d", c.port)); err != nil {
		return nil, fmt.Errorf("démarrage de PostgreSQL (journal : %s) : %w", c.LogFile(), err)
	}
	return c, nil
}

// DataDir is PGDATA.
func (c *Cluster) DataDir() string { return filepath.Join(c.dir, "data") }

// LogFile is where the server writes its log.
func (c *Cluster) LogFile() string { return filepath.Join(c.dir, "postgres.log") }

// Port is the TCP port the server listens on.
func (c *Cluster) Port() int { return c.port }

// URL returns a connection string to database on this cluster, as superuser.
func (c *Cluster) URL(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, database)
}

// Stop shuts the server down (fast mode: open transactions are rolled back).
func (c *Cluster) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, err := c.pgctl(ctx, "stop", "-w", "-m", "fast")
	return err
}

func (c *Cluster) initdb(ctx context.Context, fsync bool) error {
	data := c.DataDir()
	out, err := c.run(ctx, filepath.Join(c.bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
		"--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions")
	if err != nil {
		return fmt.Errorf("initdb : %w\n%s", err, out)
	}
	conf := []string{
		"listen_addresses = '127.0.0.1'",
		"unix_socket_directories = ''",
		"max_connections = 300",
		"shared_buffers = 64MB",
	}
	if !fsync {
		conf = append(conf, "fsync = off", "synchronous_commit = off", "full_page_writes = off")
	}
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = fmt.Fprintf(f, "\n# ptacycle\n%s\n", strings.Join(conf, "\n"))
	return err
}

func (c *Cluster) running(ctx context.Context) bool {
	if _, err := os.Stat(filepath.Join(c.DataDir(), "postmaster.pid")); err != nil {
		return false
	}
	_, err := c.pgctl(ctx, "status")
	return err == nil
}

func (c *Cluster) pgctl(ctx context.Context, args ...string) (string, error) {
	out, err := c.run(ctx, filepath.Join(c.bin, "pg_ctl"), append([]string{"-D", c.DataDir()}, args...)...)
	if err != nil {
		return out, fmt.Errorf("pg_ctl %s : %w : %s", args[0], err, strings.TrimSpace(out))
	}
	return out, nil
}

func (c *Cluster) run(ctx context.Context, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = c.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C.UTF-8", "TZ=UTC"}
	if c.owner != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.owner}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// pg_ctl start leaves the server holding our pipes; don't wait for them to close.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if errors.Is(err, exec.ErrWaitDelay) {
		err = nil
	}
	return out.String(), err
}

func postgresUser() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL refuse de tourner en root et l'utilisateur système postgres est introuvable : créez-le (useradd postgres) ou définissez DATABASE_URL / running as root needs a postgres system user")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// reachableByOthers checks that the postgres user can walk down to dir.
func reachableByOthers(dir string) error {
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("l'utilisateur postgres ne peut pas traverser %s : choisissez un dossier de données ailleurs ou faites chmod o+x %s / the postgres user cannot reach %s", d, d, d)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ErrPortInUse is returned when the cluster's port is taken by another program.
type ErrPortInUse struct{ Port int }

func (e ErrPortInUse) Error() string {
	return fmt.Sprintf("le port %d de PostgreSQL est déjà utilisé : choisissez-en un autre avec --pg-port / PostgreSQL port %d is in use: pick another with --pg-port", e.Port, e.Port)
}

func portFree(port int) error {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return ErrPortInUse{Port: port}
	}
	return l.Close()
}

// Remove stops a cluster left running in dir by a process that died (a test
// binary killed by its timeout) and deletes the folder.
func Remove(ctx context.Context, dir string) error {
	bin, err := FindBinaries()
	if err != nil {
		return err
	}
	c := &Cluster{dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		if c.owner, err = postgresUser(); err != nil {
			return err
		}
	}
	if c.running(ctx) {
		if _, err := c.pgctl(ctx, "stop", "-w", "-m", "immediate"); err != nil {
			return err
		}
	}
	return os.RemoveAll(dir)
}

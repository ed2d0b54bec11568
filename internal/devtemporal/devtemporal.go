// Package devtemporal runs a Temporal server inside the process, persisted to
// a SQLite file, for `ptacycle dev`: stopping and starting again on the same
// file resumes every workflow and timer.
package devtemporal

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"

	"github.com/ptacycle/ptacycle/internal/searchattrs"
)

const (
	defaultIP        = "127.0.0.1"
	defaultNamespace = "default"
	clusterName      = "active"
	// startTimeout bounds the wait for the frontend to answer after the services start.
	startTimeout = 30 * time.Second
)

// Options configure a server.
type Options struct {
	DatabaseFile     string                              // SQLite file; created with the schema if missing
	IP               string                              // default 127.0.0.1
	Port             int                                 // frontend gRPC port; 0 picks a free one
	Namespace        string                              // default "default"; registered at start (idempotent on restart)
	SearchAttributes map[string]enumspb.IndexedValueType // custom search attributes registered on the namespace
	Logger           log.Logger                          // nil: a quiet logger (warn level and above to stderr)
}

// Server is a running Temporal server: frontend, history, matching and worker
// services in this process.
type Server struct {
	server    temporal.Server
	address   string
	namespace string
	stopping  atomic.Bool // set by Stop: the logger then turns warnings into debug
	stopOnce  sync.Once
	stopErr   error
}

// ErrPortInUse is returned when the frontend port is taken by another program.
type ErrPortInUse struct{ Port int }

func (e ErrPortInUse) Error() string {
	return fmt.Sprintf("le port %d de Temporal est déjà utilisé : choisissez-en un autre avec --temporal-port / Temporal port %d is in use: pick another with --temporal-port", e.Port, e.Port)
}

// Start creates the database file if missing, registers the namespace and its
// search attributes, starts the server and waits until the frontend answers.
// It returns ErrPortInUse when opts.Port is taken.
func Start(opts Options) (*Server, error) {
	if opts.DatabaseFile == "" {
		return nil, errors.New("fichier SQLite de Temporal manquant / missing Temporal SQLite file")
	}
	if opts.IP == "" {
		opts.IP = defaultIP
	}
	if opts.Namespace == "" {
		opts.Namespace = defaultNamespace
	}
	if opts.Logger == nil {
		opts.Logger = log.NewZapLogger(log.BuildZapLogger(log.Config{Level: "warn", Format: "console"}))
	}
	if opts.Port == 0 {
		port, err := freePort(opts.IP)
		if err != nil {
			return nil, err
		}
		opts.Port = port
	} else if err := portFree(opts.IP, opts.Port); err != nil {
		return nil, err
	}

	s := &Server{address: net.JoinHostPort(dialHost(opts.IP), strconv.Itoa(opts.Port)), namespace: opts.Namespace}
	logger := newStopLogger(opts.Logger, &s.stopping)

	sqlConfig, err := openDatabase(opts)
	if err != nil {
		return nil, err
	}
	conf, hosts, err := serverConfig(opts, sqlConfig)
	if err != nil {
		return nil, err
	}
	authorizer, err := authorization.GetAuthorizerFromConfig(&conf.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("autorisations Temporal / Temporal authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&conf.Global.Authorization, logger)
	if err != nil {
		return nil, fmt.Errorf("autorisations Temporal / Temporal claim mapper: %w", err)
	}
	s.server, err = temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dynamicConfig()),
	)
	if err != nil {
		return nil, fmt.Errorf("serveur Temporal / Temporal server: %w", err)
	}
	if err := s.server.Start(); err != nil {
		_ = s.Stop()
		return nil, fmt.Errorf("démarrage de Temporal impossible / cannot start Temporal: %w", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := s.ready(ctx, opts); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// Address returns the host:port of the frontend.
func (s *Server) Address() string { return s.address }

// Namespace returns the namespace registered at start.
func (s *Server) Namespace() string { return s.namespace }

// Stop stops every service; calling it again does nothing.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.stopping.Store(true)
		s.stopErr = s.server.Stop()
	})
	return s.stopErr
}

// openDatabase creates the file with the schema when missing, and registers the namespace.
func openDatabase(opts Options) (*config.SQL, error) {
	// The SQLite plugin shares one connection per DSN for the life of the
	// process, so the same file must always be named the same way.
	file, err := filepath.Abs(opts.DatabaseFile)
	if err != nil {
		return nil, fmt.Errorf("fichier SQLite de Temporal / Temporal SQLite file: %w", err)
	}
	sqlConfig := &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: file,
		// Keys other than SQLite URI parameters become pragmas. WAL lets
		// readers run beside the writer; synchronous=FULL fsyncs each commit
		// so a crash or power cut loses no acknowledged workflow step.
		ConnectAttributes: map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",
			"synchronous":  "2",
		},
	}
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Dir(file)); err != nil {
			return nil, fmt.Errorf("dossier du fichier SQLite de Temporal / Temporal SQLite folder: %w", err)
		}
		if err := sqliteschema.SetupSchema(sqlConfig); err != nil {
			// A half-made file would be taken as complete on the next start.
			for _, suffix := range []string{"", "-wal", "-shm"} {
				_ = os.Remove(file + suffix)
			}
			return nil, fmt.Errorf("schéma SQLite de Temporal / Temporal SQLite schema: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("fichier SQLite de Temporal / Temporal SQLite file: %w", err)
	}

	// CreateNamespaces leaves an existing namespace as it is: search attributes
	// added since are registered once the server runs (see ensureSearchAttributes).
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, opts.Namespace, false, opts.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("espace de noms Temporal %q / Temporal namespace %q: %w", opts.Namespace, opts.Namespace, err)
	}
	if err := sqliteschema.CreateNamespaces(sqlConfig, ns); err != nil {
		return nil, fmt.Errorf("espace de noms Temporal %q / Temporal namespace %q: %w", opts.Namespace, opts.Namespace, err)
	}
	return sqlConfig, nil
}

// serverConfig returns the configuration of a one-machine cluster and the
// addresses of its services, which replace ringpop membership.
func serverConfig(opts Options, sqlConfig *config.SQL) (*config.Config, map[primitives.ServiceName]static.Hosts, error) {
	frontend := net.JoinHostPort(dialHost(opts.IP), strconv.Itoa(opts.Port))
	// The frontend's HTTP API (and Nexus) gets a free port: without one the server warns at every start.
	httpPort, err := freePort(opts.IP)
	if err != nil {
		return nil, nil, err
	}
	conf := &config.Config{}
	conf.Persistence = config.Persistence{
		DefaultStore:     sqliteplugin.PluginName,
		VisibilityStore:  sqliteplugin.PluginName,
		NumHistoryShards: 1,
		DataStores:       map[string]config.DataStore{sqliteplugin.PluginName: {SQL: sqlConfig}},
	}
	conf.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontend,
				HTTPAddress:            net.JoinHostPort(dialHost(opts.IP), strconv.Itoa(httpPort)),
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = frontend
	// Global.Metrics stays nil (no metrics listener) and Global.PProf.Port 0 (no pprof).

	conf.Services = map[string]config.Service{
		string(primitives.FrontendService): {RPC: config.RPC{GRPCPort: opts.Port, HTTPPort: httpPort, BindOnIP: opts.IP}},
	}
	hosts := map[primitives.ServiceName]static.Hosts{
		primitives.FrontendService: static.SingleLocalHost(frontend),
	}
	for _, name := range []primitives.ServiceName{primitives.HistoryService, primitives.MatchingService, primitives.WorkerService} {
		port, err := freePort(defaultIP)
		if err != nil {
			return nil, nil, err
		}
		conf.Services[string(name)] = config.Service{RPC: config.RPC{GRPCPort: port, BindOnIP: defaultIP}}
		hosts[name] = static.SingleLocalHost(net.JoinHostPort(defaultIP, strconv.Itoa(port)))
	}
	return conf, hosts, nil
}

// dynamicConfig keeps the server's defaults but for what makes a one-machine server responsive.
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		// Search attributes added at start are usable at once, not after the cache expires.
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): true,
		// The default 10 list/count requests per second is quickly reached by a page of dashboards.
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		// 8k cached executions instead of 128k: plenty for dev, much less memory.
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key(): 8096,
	}
}

// ready waits until the frontend answers for the namespace, then registers
// the search attributes the namespace lacks.
func (s *Server) ready(ctx context.Context, opts Options) error {
	var c client.Client
	var err error
	for {
		c, err = client.DialContext(ctx, client.Options{
			HostPort:  s.address,
			Namespace: s.namespace,
			Logger:    log.NewSdkLogger(opts.Logger),
		})
		if err == nil {
			_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
		}
		if err == nil {
			_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: s.namespace})
		}
		if err == nil {
			break
		}
		if c != nil {
			c.Close()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("le serveur Temporal ne répond pas sur %s / the Temporal server does not answer on %s: %w", s.address, s.address, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	defer c.Close()
	return searchattrs.Ensure(ctx, c, s.namespace, opts.SearchAttributes)
}

// dialHost returns the address clients dial to reach a listener bound on ip.
func dialHost(ip string) string {
	if addr := net.ParseIP(ip); addr != nil && addr.IsUnspecified() {
		return defaultIP
	}
	return ip
}

func freePort(ip string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return 0, fmt.Errorf("aucun port libre / no free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func portFree(ip string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return ErrPortInUse{Port: port}
	}
	return l.Close()
}

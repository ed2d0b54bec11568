// Package server is the HTTP side of ptacycle: the gin engine serving the
// JSON API and the HTML interface, authentication, and the mapping of domain
// errors to HTTP answers.
package server

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"
	"github.com/klauspost/compress/gzhttp"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"

	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/ui"
)

// Deps are what the server needs, built once by main.
type Deps struct {
	DB       *postgres.DB
	Temporal client.Client
	UI       *ui.Renderer
	Logger   *slog.Logger
	// Metrics is the registry /metrics serves; nil makes one with the Go and process collectors.
	Metrics *prometheus.Registry
	// SecureCookies marks the cookies Secure and sends Strict-Transport-Security:
	// set it when users reach the server over TLS.
	SecureCookies bool
	// PublicURL is the address users reach the server at, for the links sent
	// by e-mail (password reset); empty disables them.
	PublicURL string
	// StepWait is how long a step waits for the cycle to finish it before
	// answering that it is under way (202; a page says « en cours… »); 0: 15 s.
	StepWait time.Duration
	// TrustedProxies are the reverse proxies (IP addresses or CIDR blocks)
	// whose X-Forwarded-For names the client; empty: none, the peer is the client.
	TrustedProxies []string
	// Clock is the time the sign-in and reset limits and the device cookies
	// read; nil: time.Now.
	Clock func() time.Time
}

// Server is the HTTP handler of the product.
type Server struct {
	deps     Deps
	app      *app.App // every operation, with its rules: handlers decode, call it, answer
	sessions *scs.SessionManager
	store    *pgxstore.PostgresStore
	engine   *gin.Engine
	metrics  *httpMetrics
	cache    *readCaches
	// resetLinks looks up the accounts of password-reset requests, and sends their links, after the answer.
	resetLinks *workQueue
}

// New builds the server; Close releases the session cleaner.
func New(deps Deps) *Server {
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Metrics == nil {
		deps.Metrics = NewMetricsRegistry()
	}
	if deps.Clock == nil {
		deps.Clock = time.Now
	}
	s := &Server{deps: deps, metrics: newHTTPMetrics(deps.Metrics), cache: newReadCaches(time.Now)}
	s.app = app.New(app.Deps{DB: deps.DB, Temporal: deps.Temporal, Logger: deps.Logger, StepWait: deps.StepWait, PublicURL: deps.PublicURL, Memo: s.cache, Clock: deps.Clock})
	s.store = pgxstore.NewWithCleanupInterval(deps.DB.Pool, 30*time.Minute)
	s.sessions = scs.New()
	s.sessions.Store = s.store
	s.sessions.Lifetime = 12 * time.Hour
	s.sessions.IdleTimeout = 4 * time.Hour
	s.sessions.Cookie.Name = "ptacycle_session"
	s.sessions.Cookie.HttpOnly = true
	s.sessions.Cookie.SameSite = http.SameSiteLaxMode
	s.sessions.Cookie.Secure = deps.SecureCookies
	s.sessions.ErrorFunc = sessionUnavailable(deps.Logger)
	gin.SetMode(gin.ReleaseMode)
	s.engine = gin.New()
	// c.ClientIP() is the peer's address unless the peer is a trusted proxy:
	// then the last address of X-Forwarded-For that no trusted proxy added.
	s.engine.RemoteIPHeaders = []string{"X-Forwarded-For"}
	if err := s.engine.SetTrustedProxies(deps.TrustedProxies); err != nil {
		deps.Logger.Error("TRUSTED_PROXIES illisible : aucun proxy n'est cru / unreadable: no proxy is trusted", "err", err)
		_ = s.engine.SetTrustedProxies(nil)
	}
	s.resetLinks = newWorkQueue(resetQueueSize)
	s.routes()
	return s
}

// Handler is the whole HTTP handler: security headers, compression (owners
// read pages over slow links), cross-origin protection, sessions, then the
// routes. gzhttp is the gzip handler of klauspost/compress, already in the
// module graph.
func (s *Server) Handler() http.Handler {
	return securityHeaders(gzhttp.GzipHandler(http.NewCrossOriginProtection().Handler(s.sessions.LoadAndSave(s.engine))), s.deps.SecureCookies)
}

// Close sends the password-reset links still queued, then stops the
// background session cleaner. Call it once the HTTP server has stopped.
func (s *Server) Close() {
	s.resetLinks.close()
	s.store.StopCleanup()
}

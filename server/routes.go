package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle/ui"
)

// routes lists every route of the product in one place.
func (s *Server) routes() {
	r := s.engine
	r.Use(s.observe)
	r.Use(s.requestID, s.recover, s.language)

	health := gin.WrapH(HealthHandler(s.deps.DB, s.deps.Temporal))
	r.GET("/healthz", health)
	r.GET("/readyz", health)
	r.GET("/metrics", gin.WrapH(MetricsHandler(s.deps.Metrics)))
	r.StaticFS("/static", http.FS(ui.Static()))

	r.GET("/login", s.loginPage)
	r.POST("/login", s.login)
	r.POST("/logout", s.logout)

	s.registerAPI(r)

	pages := r.Group("/", s.requireUser)
	pages.GET("", s.home)

	r.NoRoute(s.notFound)
}

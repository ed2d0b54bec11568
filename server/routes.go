package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle/ui"
)

// cacheStatic lets browsers keep versioned static files (see ui.AssetURL) for a year.
func cacheStatic(c *gin.Context) {
	if c.Query("v") != "" {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	}
	c.Next()
}

// fileRoutes are the routes whose form takes a file (multipart): each reads
// it only once it knows the sender (readFiles, after its authentication and
// permission), and every other route refuses one unread.
var fileRoutes = map[string]bool{
	"POST /r/:token":                        true,
	"POST /cycles/:year/pta/import":         true,
	"POST /activites/:id/avancement":        true,
	"POST /api/v1/cycles/:year/plan/import": true,
	"POST /api/v1/activities/:id/evidence":  true,
}

// routes lists every route of the product in one place.
func (s *Server) routes() {
	r := s.engine
	r.Use(s.observe)
	r.Use(s.requestID, s.recover, s.language, s.forgetOnWrite)
	r.Use(s.refuseUnstorableText)

	health := gin.WrapH(HealthHandler(s.deps.DB, s.deps.Temporal))
	r.GET("/healthz", health)
	r.GET("/readyz", health)
	r.GET("/metrics", gin.WrapH(MetricsHandler(s.deps.Metrics)))
	r.Group("/static", cacheStatic).StaticFS("", http.FS(ui.Static()))

	// One-click links from reminders: no sign-in, the signed token is the key.
	r.GET("/r/:token", s.linkForm)
	r.POST("/r/:token", s.checkLinkToken, s.readFiles, s.linkSave)

	r.GET("/login", s.loginPage)
	r.POST("/login", s.login)
	r.POST("/logout", s.logout)
	r.GET("/mot-de-passe-oublie", s.forgotForm)
	r.POST("/mot-de-passe-oublie", s.forgotSend)
	r.GET("/reinitialiser/:token", s.resetForm)
	r.POST("/reinitialiser/:token", s.resetSave)

	s.registerAPI(r)

	// The pages: French paths, each behind sign-in and its permission.
	pages := r.Group("/", s.requireUser)
	pages.GET("", s.home)
	pages.POST("cycles", s.authorize(actLaunchCycle), s.uiLaunch)
	pages.GET("compte", s.uiAccount)
	pages.POST("compte/mot-de-passe", s.uiChangePassword)
	pages.POST("compte/preferences", s.uiSetPreferences)
	pages.GET("relances", s.uiReminders)
	pages.POST("relances/:id/lue", s.uiReadReminder)
	pages.GET("journal", s.authorize(actReadAudit), s.uiAudit)
	pages.GET("journal.csv", s.authorize(actReadAudit), s.uiAuditCSV)

	pages.GET("cycles/:year/bilan", s.authorize(actReadCycle), s.uiBilan)
	pages.POST("cycles/:year/bilan", s.authorize(actEditBilan), s.uiSaveBilan)
	pages.GET("cycles/:year/bilan/rapport", s.authorize(actReadCycle), s.uiBilanReport)
	pages.GET("cycles/:year/bilan/rapport.xlsx", s.authorize(actReadCycle), s.bilanReportXLSX)
	pages.POST("cycles/:year/bilan/cloture", s.authorize(actEditBilan), s.uiCloseBilan)
	pages.GET("cycles/:year/recommandations", s.authorize(actReadCycle), s.uiRecommendations)
	pages.POST("cycles/:year/recommandations", s.authorize(actEditRecommendations), s.uiAddRecommendation)
	pages.POST("recommandations/:id/supprimer", s.authorize(actEditRecommendations), s.uiDeleteRecommendation)
	pages.POST("cycles/:year/recommandations/adoption", s.authorize(actEditRecommendations), s.uiAdopt)
	pages.POST("recommandations/:id/actions", s.authorize(actEditPlan), s.uiLinkRecommendation)

	pages.GET("cycles/:year/pta", s.authorize(actReadCycle), s.uiPlan)
	pages.POST("cycles/:year/pta/actions", s.authorize(actEditPlan), s.uiAddAction)
	pages.GET("cycles/:year/pta/activites/nouvelle", s.authorize(actEditPlan), s.uiNewActivity)
	pages.POST("cycles/:year/pta/activites", s.authorize(actEditPlan), s.uiCreateActivity)
	pages.GET("activites/:id/modifier", s.authorize(actEditPlan), s.uiEditActivity)
	pages.POST("activites/:id/modifier", s.authorize(actEditPlan), s.uiUpdateActivity)
	pages.POST("activites/:id/supprimer", s.authorize(actEditPlan), s.uiDeleteActivity)
	pages.POST("cycles/:year/pta/reprise", s.authorize(actEditPlan), s.uiCarryOver)
	pages.GET("cycles/:year/pta/modele.xlsx", s.authorize(actReadCycle), s.planTemplate)
	pages.GET("cycles/:year/pta/export.xlsx", s.authorize(actReadCycle), s.exportPlan)
	pages.GET("cycles/:year/execution.xlsx", s.authorize(actReadCycle), s.exportExecution)
	pages.POST("cycles/:year/pta/import", s.authorize(actEditPlan), s.readFiles, s.uiCheckImport)
	pages.POST("cycles/:year/pta/import/:id", s.authorize(actEditPlan), s.uiConfirmImport)
	pages.POST("cycles/:year/pta/soumission", s.authorize(actSubmitPlan), s.uiSubmit)
	pages.POST("cycles/:year/pta/revision", s.authorize(actSubmitPlan), s.uiRevise)
	pages.POST("cycles/:year/cloture", s.authorize(actSubmitPlan), s.uiCloseCycle)

	pages.GET("cycles/:year/validation", s.authorize(actReadCycle), s.uiValidation)
	pages.POST("cycles/:year/decision", s.authorize(actDecide), s.uiDecide)
	pages.POST("cycles/:year/delegation", s.authorize(actDecide), s.uiDelegate)

	pages.GET("mes-activites", s.authorize(actReportProgress), s.uiMyActivities)
	pages.POST("activites/:id/avancement", s.authorize(actReportProgress), s.readFiles, s.uiReportProgress)
	pages.GET("cycles/:year/execution", s.authorize(actReadCycle), s.uiExecution)
	pages.GET("activites/:id", s.authorize(actReadCycle), s.uiActivity)
	pages.GET("preuves/:id", s.authorize(actReadCycle), s.downloadEvidence)

	pages.GET("strategie", s.authorize(actReadOrganisation), s.uiStrategies)
	pages.POST("strategie", s.authorize(actManageStrategy), s.uiCreateStrategy)
	pages.POST("strategie/axes/:id", s.authorize(actManageStrategy), s.uiRenameAxis)
	pages.GET("admin", s.authorize(actManageUsers), s.uiAdmin)
	pages.POST("admin/utilisateurs", s.authorize(actManageUsers), s.uiCreateUser)
	pages.POST("admin/utilisateurs/:id", s.authorize(actManageUsers), s.uiUpdateUser)
	pages.POST("admin/utilisateurs/:id/invitation", s.authorize(actManageUsers), s.uiInviteUser)
	pages.POST("admin/structures", s.authorize(actManageUnits), s.uiCreateUnit)
	pages.POST("admin/regions", s.authorize(actManageUnits), s.uiCreateRegion)
	pages.POST("admin/chaine", s.authorize(actManageChain), s.uiSetChain)
	pages.POST("admin/feries", s.authorize(actManageUnits), s.uiSetHoliday)
	pages.POST("admin/echeances", s.authorize(actManageChain), s.uiSetDeadlineDays)
	pages.POST("admin/feries/:day/supprimer", s.authorize(actManageUnits), s.uiDeleteHoliday)

	r.NoRoute(s.notFound)
}

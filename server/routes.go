package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle/app"
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

	health := gin.WrapH(HealthHandler(s.app.ReadinessChecks()))
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
	pages.POST("cycles", s.authorize(app.LaunchCycle), s.uiLaunch)
	pages.GET("compte", s.uiAccount)
	pages.POST("compte/mot-de-passe", s.uiChangePassword)
	pages.POST("compte/preferences", s.uiSetPreferences)
	pages.GET("relances", s.uiReminders)
	pages.POST("relances/:id/lue", s.uiReadReminder)
	pages.GET("journal", s.authorize(app.ReadAudit), s.uiAudit)
	pages.GET("journal.csv", s.authorize(app.ReadAudit), s.uiAuditCSV)

	pages.GET("cycles/:year/bilan", s.authorize(app.ReadCycle), s.uiBilan)
	pages.POST("cycles/:year/bilan", s.authorize(app.EditBilan), s.uiSaveBilan)
	pages.GET("cycles/:year/bilan/rapport", s.authorize(app.ReadCycle), s.uiBilanReport)
	pages.GET("cycles/:year/bilan/rapport.xlsx", s.authorize(app.ReadCycle), s.bilanReportXLSX)
	pages.POST("cycles/:year/bilan/cloture", s.authorize(app.EditBilan), s.uiCloseBilan)
	pages.GET("cycles/:year/recommandations", s.authorize(app.ReadCycle), s.uiRecommendations)
	pages.POST("cycles/:year/recommandations", s.authorize(app.EditRecommendations), s.uiAddRecommendation)
	pages.POST("recommandations/:id/supprimer", s.authorize(app.EditRecommendations), s.uiDeleteRecommendation)
	pages.POST("cycles/:year/recommandations/adoption", s.authorize(app.EditRecommendations), s.uiAdopt)
	pages.POST("recommandations/:id/actions", s.authorize(app.EditPlan), s.uiLinkRecommendation)

	pages.GET("cycles/:year/pta", s.authorize(app.ReadCycle), s.uiPlan)
	pages.POST("cycles/:year/pta/actions", s.authorize(app.EditPlan), s.uiAddAction)
	pages.POST("cycles/:year/pta/actions/:id", s.authorize(app.EditPlan), s.uiEditAction)
	pages.POST("cycles/:year/pta/actions/:id/supprimer", s.authorize(app.EditPlan), s.uiDeleteAction)
	pages.GET("cycles/:year/pta/activites/nouvelle", s.authorize(app.EditPlan), s.uiNewActivity)
	pages.POST("cycles/:year/pta/activites", s.authorize(app.EditPlan), s.uiCreateActivity)
	pages.GET("activites/:id/modifier", s.authorize(app.EditPlan), s.uiEditActivity)
	pages.POST("activites/:id/modifier", s.authorize(app.EditPlan), s.uiUpdateActivity)
	pages.POST("activites/:id/supprimer", s.authorize(app.EditPlan), s.uiDeleteActivity)
	pages.POST("cycles/:year/pta/reprise", s.authorize(app.EditPlan), s.uiCarryOver)
	pages.GET("cycles/:year/pta/modele.xlsx", s.authorize(app.ReadCycle), s.planTemplate)
	pages.GET("cycles/:year/pta/export.xlsx", s.authorize(app.ReadCycle), s.exportPlan)
	pages.GET("cycles/:year/execution.xlsx", s.authorize(app.ReadCycle), s.exportExecution)
	pages.POST("cycles/:year/pta/import", s.authorize(app.EditPlan), s.readFiles, s.uiCheckImport)
	pages.POST("cycles/:year/pta/import/:id", s.authorize(app.EditPlan), s.uiConfirmImport)
	pages.POST("cycles/:year/pta/soumission", s.authorize(app.SubmitPlan), s.uiSubmit)
	pages.POST("cycles/:year/pta/revision", s.authorize(app.SubmitPlan), s.uiRevise)
	pages.POST("cycles/:year/cloture", s.authorize(app.SubmitPlan), s.uiCloseCycle)

	pages.GET("cycles/:year/validation", s.authorize(app.ReadCycle), s.uiValidation)
	pages.POST("cycles/:year/decision", s.authorize(app.Decide), s.uiDecide)
	pages.POST("cycles/:year/delegation", s.authorize(app.Decide), s.uiDelegate)

	pages.GET("mes-activites", s.authorize(app.ReportProgress), s.uiMyActivities)
	pages.POST("activites/:id/avancement", s.authorize(app.ReportProgress), s.readFiles, s.uiReportProgress)
	pages.GET("cycles/:year/execution", s.authorize(app.ReadCycle), s.uiExecution)
	pages.GET("activites/:id", s.authorize(app.ReadCycle), s.uiActivity)
	pages.GET("preuves/:id", s.authorize(app.ReadCycle), s.downloadEvidence)

	pages.GET("strategie", s.authorize(app.ReadOrganisation), s.uiStrategies)
	pages.POST("strategie", s.authorize(app.ManageStrategy), s.uiCreateStrategy)
	pages.POST("strategie/axes/:id", s.authorize(app.ManageStrategy), s.uiRenameAxis)
	pages.GET("admin", s.authorize(app.ManageUsers), s.uiAdmin)
	pages.POST("admin/utilisateurs", s.authorize(app.ManageUsers), s.uiCreateUser)
	pages.POST("admin/utilisateurs/:id", s.authorize(app.ManageUsers), s.uiUpdateUser)
	pages.POST("admin/utilisateurs/:id/invitation", s.authorize(app.ManageUsers), s.uiInviteUser)
	pages.POST("admin/structures", s.authorize(app.ManageUnits), s.uiCreateUnit)
	pages.POST("admin/regions", s.authorize(app.ManageUnits), s.uiCreateRegion)
	pages.POST("admin/chaine", s.authorize(app.ManageChain), s.uiSetChain)
	pages.POST("admin/feries", s.authorize(app.ManageUnits), s.uiSetHoliday)
	pages.POST("admin/echeances", s.authorize(app.ManageChain), s.uiSetDeadlineDays)
	pages.POST("admin/feries/:day/supprimer", s.authorize(app.ManageUnits), s.uiDeleteHoliday)

	r.NoRoute(s.notFound)
}

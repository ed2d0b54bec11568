package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/workflows"
)

// route is one endpoint of the JSON API: what it does, who may call it, and
// the shapes the OpenAPI document describes.
type route struct {
	method  string
	path    string // gin syntax: /cycles/:year
	action  app.Permission
	summary string // French, then English
	in      any    // the JSON body's type (a zero value), nil when none
	out     any    // the success body's type, nil for 204
	status  int    // success status
	query   []string
	handle  gin.HandlerFunc
}

// Page is a page of a list.
type Page[T any] struct {
	Items    []T `json:"items"`
	Total    int `json:"total"`
	Page     int `json:"page"`
	PageSize int `json:"pageSize"`
}

// apiRoutes lists every route of /api/v1; routes.go registers them, openapi.go documents them.
func (s *Server) apiRoutes() []route {
	return []route{
		// Session and account
		{"POST", "/session", app.Public, "Ouvrir une session / Sign in", loginRequest{}, ptacycle.User{}, http.StatusOK, nil, s.apiLogin},
		{"DELETE", "/session", app.Self, "Fermer la session / Sign out", nil, nil, http.StatusNoContent, nil, s.apiLogout},
		{"GET", "/me", app.Self, "Mon compte / My account", nil, ptacycle.User{}, http.StatusOK, nil, s.me},
		{"PUT", "/me/password", app.Self, "Changer mon mot de passe / Change my password", passwordRequest{}, nil, http.StatusNoContent, nil, s.changePassword},
		{"GET", "/me/tokens", app.Self, "Mes jetons d'API / My API tokens", nil, []ptacycle.APIToken{}, http.StatusOK, nil, s.listTokens},
		{"POST", "/me/tokens", app.Self, "Créer un jeton d'API / Create an API token", tokenRequest{}, tokenCreated{}, http.StatusCreated, nil, s.createToken},
		{"DELETE", "/me/tokens/:id", app.Self, "Révoquer un jeton / Revoke a token", nil, nil, http.StatusNoContent, nil, s.revokeToken},
		{"PUT", "/me/preferences", app.Self, "Mes préférences de relance / My reminder preferences", preferencesRequest{}, ptacycle.User{}, http.StatusOK, nil, s.setPreferences},
		{"GET", "/reminders/failures", app.ReadDeliveries, "Relances non délivrées / Undelivered reminders", nil, []ptacycle.Reminder{}, http.StatusOK, []string{"limit"}, s.deliveryFailures},
		{"GET", "/process-failures", app.ReadDeliveries, "Ce que les cycles n'ont pas pu faire et sans quoi ils ont continué (relance, annonce, enregistrement d'étape) / What the cycles could not do and went on without (a reminder, an announcement, a stage record)", nil, []ptacycle.ProcessFailure{}, http.StatusOK, []string{"limit"}, s.processFailures},
		{"GET", "/me/reminders", app.Self, "Mes relances / My reminders", nil, remindersPage{}, http.StatusOK, []string{"unread", "limit"}, s.myReminders},
		{"POST", "/me/reminders/:id/read", app.Self, "Marquer une relance comme lue / Mark a reminder read", nil, nil, http.StatusNoContent, nil, s.readReminder},

		// Organisation
		{"GET", "/units", app.ReadOrganisation, "Structures / Units", nil, []ptacycle.Unit{}, http.StatusOK, nil, s.listUnits},
		{"POST", "/units", app.ManageUnits, "Créer une structure / Create a unit", ptacycle.Unit{}, ptacycle.Unit{}, http.StatusCreated, nil, s.createUnit},
		{"PUT", "/units/:id", app.ManageUnits, "Modifier une structure / Update a unit", ptacycle.Unit{}, ptacycle.Unit{}, http.StatusOK, nil, s.updateUnit},
		{"GET", "/regions", app.ReadOrganisation, "Régions / Regions", nil, []ptacycle.Region{}, http.StatusOK, nil, s.listRegions},
		{"POST", "/regions", app.ManageUnits, "Créer une région / Create a region", regionRequest{}, ptacycle.Region{}, http.StatusCreated, nil, s.createRegion},
		{"GET", "/holidays", app.ReadOrganisation, "Jours fériés d'une année (year, défaut : l'année en cours) ; une relance qui y tombe part la veille ouvrée / Public holidays of a year (year, default: this one); a reminder due on one goes out the working day before", nil, []ptacycle.Holiday{}, http.StatusOK, []string{"year"}, s.listHolidays},
		{"PUT", "/holidays/:day", app.ManageUnits, "Déclarer ou renommer un jour férié / Set or rename a public holiday", holidayRequest{}, ptacycle.Holiday{}, http.StatusOK, nil, s.putHoliday},
		{"DELETE", "/holidays/:day", app.ManageUnits, "Retirer un jour férié / Remove a public holiday", nil, nil, http.StatusNoContent, nil, s.deleteHoliday},
		{"GET", "/users", app.ReadUsers, "Utilisateurs / Users", nil, []ptacycle.User{}, http.StatusOK, []string{"role"}, s.listUsers},
		{"POST", "/users", app.ManageUsers, "Créer un utilisateur / Create a user", userRequest{}, ptacycle.User{}, http.StatusCreated, nil, s.createUser},
		{"PUT", "/users/:id", app.ManageUsers, "Modifier un utilisateur / Update a user", userUpdate{}, ptacycle.User{}, http.StatusOK, nil, s.updateUser},
		{"POST", "/users/:id/invitation", app.ManageUsers, "Envoyer à nouveau le lien pour choisir son mot de passe (7 jours) / Send again the link to choose a password (7 days)", nil, ptacycle.User{}, http.StatusOK, nil, s.inviteUser},
		{"GET", "/strategies", app.ReadOrganisation, "Stratégies et axes / Strategies and axes", nil, []ptacycle.Strategy{}, http.StatusOK, nil, s.listStrategies},
		{"PUT", "/axes/:id", app.ManageStrategy, "Corriger l'intitulé d'un axe (son code reste) / Correct an axis's title (its code stays)", axisRename{}, ptacycle.Axis{}, http.StatusOK, nil, s.renameAxis},
		{"POST", "/strategies", app.ManageStrategy, "Créer une stratégie / Create a strategy", ptacycle.Strategy{}, ptacycle.Strategy{}, http.StatusCreated, nil, s.createStrategy},
		{"GET", "/approval-chain", app.ReadOrganisation, "Chaîne de validation / Approval chain", nil, []ptacycle.ApprovalLevel{}, http.StatusOK, nil, s.approvalChain},
		{"GET", "/default-deadlines", app.ReadOrganisation, "Échéances habituelles (jour-mois) que prend un lancement sans échéances / Usual deadlines (month-day) a launch without deadlines takes", nil, ptacycle.DeadlineDays{}, http.StatusOK, nil, s.getDeadlineDays},
		{"PUT", "/default-deadlines", app.ManageChain, "Définir les échéances habituelles / Set the usual deadlines", ptacycle.DeadlineDays{}, ptacycle.DeadlineDays{}, http.StatusOK, nil, s.putDeadlineDays},
		{"PUT", "/approval-chain", app.ManageChain, "Définir la chaîne de validation / Set the approval chain", []ptacycle.ApprovalLevel{}, []ptacycle.ApprovalLevel{}, http.StatusOK, nil, s.setApprovalChain},

		// Cycles
		{"GET", "/cycles", app.ReadCycle, "Cycles annuels / Annual cycles", nil, []ptacycle.Cycle{}, http.StatusOK, nil, s.listCycles},
		{"POST", "/cycles", app.LaunchCycle, "Lancer une année / Launch a year", launchRequest{}, cycleView{}, http.StatusCreated, nil, s.launchCycle},
		{"GET", "/cycles/:year", app.ReadCycle, "Un cycle, son étape et ce qu'il attend / A cycle, its stage and what it waits for", nil, cycleView{}, http.StatusOK, nil, s.getCycle},
		{"GET", "/cycles/:year/bilan", app.ReadCycle, "Bilan de l'année écoulée / Review of last year", nil, ptacycle.Bilan{}, http.StatusOK, nil, s.getBilan},
		{"PUT", "/cycles/:year/bilan", app.EditBilan, "Saisir l'atelier bilan / Record the review workshop", ptacycle.Bilan{}, ptacycle.Bilan{}, http.StatusOK, nil, s.putBilan},
		{"GET", "/cycles/:year/bilan/report", app.ReadCycle, "Rapport du bilan : taux, atelier, recommandations et leur suivi / Review report: rates, workshop, recommendations and their follow-up", nil, ptacycle.BilanReport{}, http.StatusOK, nil, s.getBilanReport},
		{"GET", "/cycles/:year/bilan/report.xlsx", app.ReadCycle, "Rapport du bilan en Excel / Review report as Excel", nil, workbook{}, http.StatusOK, nil, s.bilanReportXLSX},
		{"POST", "/cycles/:year/bilan/close", app.EditBilan, "Clôturer le bilan / Close the review", nil, workflows.CycleStatus{}, http.StatusOK, nil, s.closeBilan},
		{"GET", "/cycles/:year/recommendations", app.ReadCycle, "Recommandations / Recommendations", nil, []ptacycle.Recommendation{}, http.StatusOK, nil, s.listRecommendations},
		{"POST", "/cycles/:year/recommendations", app.EditRecommendations, "Ajouter une recommandation / Add a recommendation", ptacycle.Recommendation{}, ptacycle.Recommendation{}, http.StatusCreated, nil, s.createRecommendation},
		{"PUT", "/recommendations/:id", app.EditRecommendations, "Modifier une recommandation / Edit a recommendation", ptacycle.Recommendation{}, ptacycle.Recommendation{}, http.StatusOK, nil, s.updateRecommendation},
		{"DELETE", "/recommendations/:id", app.EditRecommendations, "Retirer une recommandation / Remove a recommendation", nil, nil, http.StatusNoContent, nil, s.deleteRecommendation},
		{"PUT", "/recommendations/:id/actions", app.EditPlan, "Actions qui répondent à une recommandation / Actions answering a recommendation", linkRequest{}, nil, http.StatusNoContent, nil, s.linkRecommendation},
		{"POST", "/cycles/:year/recommendations/adopt", app.EditRecommendations, "Adopter les recommandations / Adopt the recommendations", adoptRequest{}, workflows.CycleStatus{}, http.StatusOK, nil, s.adoptRecommendations},

		// Plan (drafting)
		{"GET", "/cycles/:year/plan", app.ReadCycle, "Le PTA et ce qui bloque sa soumission / The plan and what blocks its submission", nil, planView{}, http.StatusOK, nil, s.getPlan},
		{"POST", "/cycles/:year/plan/actions", app.EditPlan, "Ajouter une action / Add an action", ptacycle.Action{}, ptacycle.Action{}, http.StatusCreated, nil, s.createAction},
		{"PUT", "/actions/:id", app.EditPlan, "Modifier une action / Edit an action", ptacycle.Action{}, ptacycle.Action{}, http.StatusOK, nil, s.updateAction},
		{"DELETE", "/actions/:id", app.EditPlan, "Retirer une action sans activité / Remove an action without activities", nil, nil, http.StatusNoContent, nil, s.deleteAction},
		{"POST", "/cycles/:year/plan/activities", app.EditPlan, "Ajouter une activité / Add an activity", ptacycle.Activity{}, ptacycle.Activity{}, http.StatusCreated, nil, s.createActivity},
		{"POST", "/cycles/:year/plan/carry-over", app.EditPlan, "Reprendre des activités inachevées de l'année précédente / Carry over unfinished activities", carryOverRequest{}, []ptacycle.Activity{}, http.StatusCreated, nil, s.carryOver},
		{"GET", "/cycles/:year/plan/template.xlsx", app.ReadCycle, "Modèle Excel d'import du PTA / Excel import template of the plan", nil, workbook{}, http.StatusOK, nil, s.planTemplate},
		{"POST", "/cycles/:year/plan/import", app.EditPlan, "Importer le PTA depuis Excel, tout ou rien (dryRun=true : aperçu) / Import the plan from Excel, all or nothing (dryRun=true: preview)", workbook{}, importPreview{}, http.StatusOK, []string{"dryRun"}, s.importPlan},
		{"GET", "/cycles/:year/plan/export.xlsx", app.ReadCycle, "Le PTA en Excel (mêmes colonnes que le modèle) / The plan as Excel (the template's columns)", nil, workbook{}, http.StatusOK, nil, s.exportPlan},
		{"POST", "/cycles/:year/plan/submit", app.SubmitPlan, "Soumettre le PTA / Submit the plan", nil, workflows.CycleStatus{}, http.StatusOK, nil, s.submitPlan},
		{"POST", "/cycles/:year/plan/revise", app.SubmitPlan, "Réviser le PTA en cours d'année / Revise the plan mid-year", nil, workflows.CycleStatus{}, http.StatusOK, nil, s.revisePlan},
		{"GET", "/cycles/:year/plan/versions", app.ReadCycle, "Versions soumises / Submitted versions", nil, []ptacycle.PlanVersion{}, http.StatusOK, nil, s.listVersions},
		{"GET", "/cycles/:year/plan/versions/:number", app.ReadCycle, "Contenu d'une version / A version's content", nil, versionView{}, http.StatusOK, nil, s.getVersion},
		{"GET", "/cycles/:year/plan/diff", app.ReadCycle, "Différences entre deux versions / Differences between two versions", nil, []ptacycle.PlanChange{}, http.StatusOK, []string{"from", "to"}, s.diffVersions},

		// Validation
		{"GET", "/cycles/:year/decisions", app.ReadCycle, "Décisions / Decisions", nil, []ptacycle.Decision{}, http.StatusOK, nil, s.listDecisions},
		{"POST", "/cycles/:year/decisions", app.Decide, "Approuver ou renvoyer le PTA / Approve or send back the plan", decisionRequest{}, workflows.CycleStatus{}, http.StatusOK, nil, s.decide},
		{"POST", "/cycles/:year/delegations", app.Decide, "Déléguer mon niveau / Delegate my level", delegationRequest{}, workflows.CycleStatus{}, http.StatusOK, nil, s.delegate},
		{"GET", "/cycles/:year/steps/:step/:request", app.ReadCycle, "Issue d'une étape que j'ai demandée (202 tant qu'elle est en cours) / Outcome of a step I asked for (202 while it runs)", nil, workflows.CycleStatus{}, http.StatusOK, nil, s.getStep},
		{"POST", "/cycles/:year/close", app.SubmitPlan, "Clôturer le cycle / Close the cycle", nil, workflows.CycleStatus{}, http.StatusOK, nil, s.closeCycle},

		// Activities and execution
		{"GET", "/activities", app.ReadCycle, "Activités, filtrées et triées par échéance / Activities, filtered, by due date", nil, Page[ptacycle.Activity]{}, http.StatusOK,
			[]string{"year", "unit", "region", "axis", "partner", "status", "owner", "overdue", "page", "pageSize"}, s.listActivities},
		{"GET", "/activities/:id", app.ReadCycle, "Une activité / An activity", nil, ptacycle.Activity{}, http.StatusOK, nil, s.getActivity},
		{"PUT", "/activities/:id", app.EditPlan, "Modifier une activité du brouillon / Edit a draft activity", ptacycle.Activity{}, ptacycle.Activity{}, http.StatusOK, nil, s.updateActivity},
		{"DELETE", "/activities/:id", app.EditPlan, "Retirer une activité du brouillon / Remove a draft activity", nil, nil, http.StatusNoContent, []string{"version"}, s.deleteActivity},
		{"POST", "/activities/:id/progress", app.ReportProgress, "Déclarer l'avancement / Report progress", progressRequest{}, ptacycle.Activity{}, http.StatusOK, nil, s.reportProgress},
		{"POST", "/activities/:id/evidence", app.ReportProgress, "Joindre une preuve (fichier, 10 Mo au plus : PDF, photo, Word, Excel…), statut et avancement inchangés / Attach evidence (a file, at most 10 MB: PDF, photo, Word, Excel…), status and progress unchanged", evidenceUpload{}, ptacycle.Activity{}, http.StatusOK, nil, s.attachEvidence},
		{"GET", "/evidence/:id", app.ReadCycle, "Télécharger une preuve jointe à un avancement / Download evidence attached to a progress report", nil, evidenceDownload{}, http.StatusOK, nil, s.downloadEvidence},
		{"GET", "/activities/:id/history", app.ReadCycle, "Historique de l'activité / Activity history", nil, []ptacycle.ActivityUpdate{}, http.StatusOK, nil, s.activityHistory},

		// Follow-up
		{"GET", "/cycles/:year/execution.xlsx", app.ReadCycle, "État d'exécution en Excel, totaux par axe et structure / Execution status as Excel, totals by axis and unit", nil, workbook{}, http.StatusOK, nil, s.exportExecution},
		{"GET", "/cycles/:year/dashboard", app.ReadCycle, "Tableau de bord : taux d'exécution, retards / Dashboard: execution rate, overdue", nil, dashboard{}, http.StatusOK, nil, s.dashboard},
		{"GET", "/audit", app.ReadAudit, "Journal d'audit / Audit log", nil, []ptacycle.AuditEntry{}, http.StatusOK, []string{"entity", "entityId", "actor", "since", "before", "limit"}, s.listAudit},
	}
}

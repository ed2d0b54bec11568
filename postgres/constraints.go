package postgres

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ptacycle/ptacycle"
)

// A violated constraint that constraintMessages does not word still reaches
// a person in words, never by its name: the row's kind (its table), and the
// field when PostgreSQL's naming says which (<table>_<column>_check, or the
// column of a NOT NULL or too long value).

// tableLabels name each table's rows as people know them.
var tableLabels = map[string]ptacycle.Label{
	"activities": {FR: "activité", EN: "activity"}, "actions": {FR: "action", EN: "action"},
	"units": {FR: "structure", EN: "unit"}, "users": {FR: "utilisateur", EN: "user"}, "regions": {FR: "région", EN: "region"},
	"recommendations": {FR: "recommandation", EN: "recommendation"}, "strategies": {FR: "stratégie", EN: "strategy"},
	"axes": {FR: "axe stratégique", EN: "strategic axis"}, "approval_levels": {FR: "niveau de validation", EN: "approval level"},
	"holidays": {FR: "jour férié", EN: "public holiday"}, "bilans": {FR: "bilan", EN: "review"}, "cycles": {FR: "cycle", EN: "cycle"},
	"plans": {FR: "PTA", EN: "plan"}, "plan_versions": {FR: "version du PTA", EN: "plan version"},
	"organisations": {FR: "organisation", EN: "organisation"}, "api_tokens": {FR: "jeton d'API", EN: "API token"},
	"evidence_files": {FR: "justificatif", EN: "evidence file"}, "decisions": {FR: "décision", EN: "decision"},
	"activity_updates": {FR: "avancement déclaré", EN: "progress report"}, "reminders": {FR: "relance", EN: "reminder"},
	"plan_uploads": {FR: "fichier importé", EN: "uploaded file"}, "held_evidence": {FR: "justificatif gardé", EN: "kept evidence file"},
}

// columnLabels name the columns a form shows.
var columnLabels = map[string]ptacycle.Label{
	"code": {FR: "Code", EN: "Code"}, "title": {FR: "Intitulé", EN: "Title"}, "name": {FR: "Nom", EN: "Name"},
	"position": {FR: "Rang", EN: "Position"}, "progress": {FR: "Avancement", EN: "Progress"}, "status": {FR: "Statut", EN: "Status"},
	"budget_xof": {FR: "Budget", EN: "Budget"}, "evidence_url": {FR: "Lien de justificatif", EN: "Evidence link"},
	"email": {FR: "Adresse e-mail", EN: "E-mail address"}, "full_name": {FR: "Nom complet", EN: "Full name"},
	"phone": {FR: "Téléphone", EN: "Phone"}, "language": {FR: "Langue", EN: "Language"}, "role": {FR: "Rôle", EN: "Role"},
	"kind": {FR: "Type", EN: "Type"}, "text": {FR: "Texte", EN: "Text"}, "priority": {FR: "Priorité", EN: "Priority"},
	"level": {FR: "Niveau", EN: "Level"}, "deadline_days": {FR: "Délai en jours", EN: "Deadline in days"},
	"year": {FR: "Année", EN: "Year"}, "start_year": {FR: "Année de début", EN: "Start year"}, "end_year": {FR: "Année de fin", EN: "End year"},
	"outcome": {FR: "Décision", EN: "Decision"}, "manual_rate": {FR: "Taux saisi", EN: "Rate typed"},
	"reviewed_year": {FR: "Année revue", EN: "Year reviewed"}, "content_type": {FR: "Type de fichier", EN: "File type"},
	"content": {FR: "Contenu du fichier", EN: "File content"}, "slug": {FR: "Identifiant", EN: "Identifier"},
	"stage": {FR: "Étape", EN: "Stage"}, "quiet_from": {FR: "Début du silence", EN: "Quiet from"}, "quiet_to": {FR: "Fin du silence", EN: "Quiet until"},
	"notify_channel": {FR: "Canal de relance", EN: "Reminder channel"}, "final_rate": {FR: "Taux final", EN: "Final rate"},
	"due_days": {FR: "Échéances", EN: "Deadlines"},
}

// constraintError words a violated constraint PostgreSQL reported in e that
// constraintMessages does not know.
func constraintError(e *pgconn.PgError) error {
	what := tableLabels[e.TableName]
	if what.FR == "" {
		what = ptacycle.Label{FR: "donnée", EN: "record"}
	}
	column := e.ColumnName
	if column == "" {
		column = checkedColumn(e.TableName, e.ConstraintName)
	}
	if e.Code == "23505" {
		return &ptacycle.Error{Code: ptacycle.ECONFLICT, Message: fmt.Sprintf("Cet élément (%s) existe déjà", what.FR),
			English: fmt.Sprintf("This %s already exists", what.EN)}
	}
	if column == "" {
		return &ptacycle.Error{Code: ptacycle.EINVALID,
			Message: fmt.Sprintf("Valeurs refusées (%s) : elles ne sont pas cohérentes entre elles", what.FR),
			English: fmt.Sprintf("Values refused (%s): they do not agree with one another", what.EN)}
	}
	label, ok := columnLabels[column]
	if !ok {
		label = ptacycle.Label{FR: fieldName(column), EN: fieldName(column)}
	}
	e2 := &ptacycle.Error{Code: ptacycle.EINVALID,
		Message: fmt.Sprintf("« %s » (%s) : valeur refusée", label.FR, what.FR),
		English: fmt.Sprintf("“%s” (%s): value refused", label.EN, what.EN)}
	e2.Fields = []ptacycle.FieldError{{Field: fieldName(column), Message: e2.Message, English: e2.English}}
	return e2
}

// checkedColumn is the column a CHECK constraint named by PostgreSQL's
// convention (<table>_<column>_check) is on; "" for a check on several
// columns (<table>_check, <table>_check1).
func checkedColumn(table, constraint string) string {
	column, ok := strings.CutPrefix(constraint, table+"_")
	if !ok {
		return ""
	}
	column, ok = strings.CutSuffix(column, "_check")
	if !ok || column == "" {
		return ""
	}
	return column
}

// fieldName is a column's name as the forms and the API call the field: budget_xof → budgetXof.
func fieldName(column string) string {
	parts := strings.Split(column, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

package ptacycle

// Label is a text shown to users, French first, English second.
type Label struct {
	FR string `json:"fr"`
	EN string `json:"en"`
}

// In returns the label in lang ("en" for English, French otherwise).
func (l Label) In(lang string) string {
	if lang == "en" {
		return l.EN
	}
	return l.FR
}

// Role is what a user may do in their organisation.
type Role string

const (
	RoleCoordinator Role = "coordinator"
	RoleApprover    Role = "approver"
	RoleOwner       Role = "owner"
	RolePartner     Role = "partner"
	RoleAdmin       Role = "admin"
)

// Roles lists every role, in the order screens show them.
var Roles = []Role{RoleCoordinator, RoleApprover, RoleOwner, RolePartner, RoleAdmin}

var roleLabels = map[Role]Label{
	RoleCoordinator: {"Coordonnateur", "Coordinator"},
	RoleApprover:    {"Représentant du ministère (valideur)", "Ministry representative (approver)"},
	RoleOwner:       {"Responsable d'activité", "Activity owner"},
	RolePartner:     {"Partenaire technique et financier", "Technical and financial partner"},
	RoleAdmin:       {"Administrateur", "Administrator"},
}

// Label returns the role's name for people.
func (r Role) Label() Label { return roleLabels[r] }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := roleLabels[r]; return ok }

// UnitKind says what sort of body a unit is.
type UnitKind string

const (
	UnitMinistry     UnitKind = "ministry"
	UnitCommittee    UnitKind = "committee"
	UnitDirectorate  UnitKind = "directorate"
	UnitRegionalCell UnitKind = "regional_cell"
	UnitNGO          UnitKind = "ngo"
	UnitPartner      UnitKind = "partner"
	UnitOther        UnitKind = "other"
)

var unitKindLabels = map[UnitKind]Label{
	UnitMinistry:     {"Ministère", "Ministry"},
	UnitCommittee:    {"Comité", "Committee"},
	UnitDirectorate:  {"Direction", "Directorate"},
	UnitRegionalCell: {"Cellule régionale", "Regional cell"},
	UnitNGO:          {"ONG / société civile", "NGO / civil society"},
	UnitPartner:      {"Partenaire technique et financier", "Technical and financial partner"},
	UnitOther:        {"Autre structure", "Other body"},
}

// Label returns the kind's name for people.
func (k UnitKind) Label() Label { return unitKindLabels[k] }

// Valid reports whether k is a known kind.
func (k UnitKind) Valid() bool { _, ok := unitKindLabels[k]; return ok }

// Stage is where a cycle stands; stages follow each other in the order of Stages.
type Stage string

const (
	StageBilan           Stage = "bilan"
	StageRecommendations Stage = "recommendations"
	StageDrafting        Stage = "drafting"
	StageValidation      Stage = "validation"
	StageExecution       Stage = "execution"
	StageClosed          Stage = "closed"
)

// Stages lists the stages of a cycle in order.
var Stages = []Stage{StageBilan, StageRecommendations, StageDrafting, StageValidation, StageExecution, StageClosed}

var stageLabels = map[Stage]Label{
	StageBilan:           {"Bilan", "Review"},
	StageRecommendations: {"Recommandations", "Recommendations"},
	StageDrafting:        {"Élaboration du PTA", "Drafting the plan"},
	StageValidation:      {"Validation", "Approval"},
	StageExecution:       {"Exécution", "Execution"},
	StageClosed:          {"Clôture", "Closed"},
}

// Label returns the stage's name for people.
func (s Stage) Label() Label { return stageLabels[s] }

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool { _, ok := stageLabels[s]; return ok }

// ActivityStatus is where an activity stands during execution.
type ActivityStatus string

const (
	StatusNotStarted ActivityStatus = "not_started"
	StatusInProgress ActivityStatus = "in_progress"
	StatusDone       ActivityStatus = "done"
	StatusCancelled  ActivityStatus = "cancelled"
	StatusPostponed  ActivityStatus = "postponed"
)

// Statuses lists the activity statuses in the order screens show them.
var Statuses = []ActivityStatus{StatusNotStarted, StatusInProgress, StatusDone, StatusCancelled, StatusPostponed}

var statusLabels = map[ActivityStatus]Label{
	StatusNotStarted: {"Non démarrée", "Not started"},
	StatusInProgress: {"En cours", "In progress"},
	StatusDone:       {"Réalisée", "Done"},
	StatusCancelled:  {"Annulée", "Cancelled"},
	StatusPostponed:  {"Reportée", "Postponed"},
}

// Label returns the status's name for people.
func (s ActivityStatus) Label() Label { return statusLabels[s] }

// Valid reports whether s is a known status.
func (s ActivityStatus) Valid() bool { _, ok := statusLabels[s]; return ok }

// Finished reports whether no more work is expected on an activity in status s.
func (s ActivityStatus) Finished() bool { return s == StatusDone || s == StatusCancelled }

// Priority ranks recommendations.
type Priority string

const (
	PriorityHigh   Priority = "high"
	PriorityMedium Priority = "medium"
	PriorityLow    Priority = "low"
)

var priorityLabels = map[Priority]Label{
	PriorityHigh:   {"Haute", "High"},
	PriorityMedium: {"Moyenne", "Medium"},
	PriorityLow:    {"Basse", "Low"},
}

// Label returns the priority's name for people.
func (p Priority) Label() Label { return priorityLabels[p] }

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { _, ok := priorityLabels[p]; return ok }

// PlanStatus says whether a plan can be edited.
type PlanStatus string

const (
	PlanDraft     PlanStatus = "draft"     // editable by the coordinator
	PlanSubmitted PlanStatus = "submitted" // frozen as a version, awaiting decisions
	PlanApproved  PlanStatus = "approved"  // in execution
)

// Outcome is what an approver decides.
type Outcome string

const (
	OutcomeApproved Outcome = "approved"
	OutcomeSentBack Outcome = "sent_back"
)

// Channel is how a reminder reaches a person.
type Channel string

const (
	ChannelEmail   Channel = "email"
	ChannelInApp   Channel = "in_app"
	ChannelWebhook Channel = "webhook"
)

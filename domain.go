package ptacycle

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Organisation is one committee, ministry or NGO; it only ever sees its own data.
type Organisation struct {
	ID       int64  `json:"id"`
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	Acronym  string `json:"acronym"`
	Country  string `json:"country"`
	Timezone string `json:"timezone"`
	// DeadlineDays are the deadlines a year's launch takes when given none.
	DeadlineDays DeadlineDays `json:"deadlineDays"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

// Validate reports every missing or malformed field.
func (o Organisation) Validate() error {
	var v Validation
	if !slugPattern.MatchString(o.Slug) {
		v.Add("slug", "Identifiant : 2 à 63 caractères, minuscules, chiffres et tirets", "Identifier: 2 to 63 lowercase letters, digits and dashes")
	}
	v.Require("name", o.Name, "Nom", "Name")
	if o.Timezone != "" {
		if _, err := time.LoadLocation(o.Timezone); err != nil {
			v.Add("timezone", "Fuseau horaire %q inconnu", "Unknown time zone %q", o.Timezone)
		}
	}
	return v.Err()
}

// Region is an administrative region where regional cells and activities sit.
type Region struct {
	ID             int64  `json:"id"`
	OrganisationID int64  `json:"organisationId"`
	Name           string `json:"name"`
}

// Holiday is a public holiday of an organisation: a reminder due on it, as on
// a weekend, goes out on the working day before.
type Holiday struct {
	Day  Date   `json:"day"`
	Name string `json:"name"`
}

// Unit (structure) is a ministry, directorate, regional cell, NGO or partner.
type Unit struct {
	ID             int64    `json:"id" api:"server"`
	OrganisationID int64    `json:"organisationId" api:"server"`
	Name           string   `json:"name" api:"required"`
	Acronym        string   `json:"acronym"`
	Kind           UnitKind `json:"kind" api:"required"`
	RegionID       *int64   `json:"regionId,omitempty"`
	ParentID       *int64   `json:"parentId,omitempty"`
}

// Validate reports every missing or malformed field.
func (u Unit) Validate() error {
	var v Validation
	v.Require("name", u.Name, "Nom de la structure", "Unit name")
	v.MaxLen("name", u.Name, shortText, "Nom de la structure", "Unit name")
	v.MaxLen("acronym", u.Acronym, 30, "Sigle", "Acronym")
	if !u.Kind.Valid() {
		v.Add("kind", "Type de structure %q inconnu", "Unknown unit kind %q", string(u.Kind))
	}
	if u.Kind == UnitRegionalCell && u.RegionID == nil {
		v.Add("regionId", "Une cellule régionale doit avoir une région", "A regional cell needs a region")
	}
	return v.Err()
}

// User is a person who signs in; they belong to one organisation.
type User struct {
	ID             int64  `json:"id"`
	OrganisationID int64  `json:"organisationId"`
	Email          string `json:"email"`
	FullName       string `json:"fullName"`
	Role           Role   `json:"role"`
	UnitID         *int64 `json:"unitId,omitempty"`
	Language       string `json:"language"`
	Active         bool   `json:"active"`
	// LinkEpoch is signed into the user's one-click links; the store moves it
	// when their role, unit, activation or password changes, ending those links.
	LinkEpoch int32 `json:"-"`
	Preferences
}

// Preferences say how a person wants to be reminded.
type Preferences struct {
	NotifyChannel Channel `json:"notifyChannel"` // email (default), in_app only, or webhook (SMS/WhatsApp gateway)
	Phone         string  `json:"phone"`         // for the webhook gateway, international format
	Digest        bool    `json:"digest"`        // coordinators: a weekly summary instead of one e-mail per escalation
	QuietFrom     *int    `json:"quietFrom,omitempty"`
	QuietTo       *int    `json:"quietTo,omitempty"` // no e-mail from QuietFrom to QuietTo o'clock (local time)
}

var phonePattern = regexp.MustCompile(`^\+?[0-9 ]{6,20}$`)

// actionCodePattern is the shape of an action's code: letters and digits
// in groups joined by a dot or a hyphen (1.2, A1, OS1.2, R-3), as plans and
// their workbooks number them; no space, which a title typed there has.
var actionCodePattern = regexp.MustCompile(`^[\p{L}\p{N}]{1,10}([.-][\p{L}\p{N}]{1,10}){0,4}$`)

// Validate reports preferences that cannot be honoured.
func (p Preferences) Validate() error {
	var v Validation
	switch p.NotifyChannel {
	case "", ChannelEmail, ChannelInApp: // "" is the default, e-mail
	case ChannelWebhook:
		if p.Phone == "" {
			v.Add("phone", "Un numéro de téléphone est nécessaire pour les SMS", "A phone number is needed for text messages")
		}
	default:
		v.Add("notifyChannel", "Canal %q inconnu (email, in_app, webhook)", "Unknown channel %q (email, in_app, webhook)", string(p.NotifyChannel))
	}
	if p.Phone != "" && !phonePattern.MatchString(p.Phone) {
		v.Add("phone", "Numéro de téléphone invalide : %q (format +225 07 00 00 00 00)", "Invalid phone number: %q", p.Phone)
	}
	if (p.QuietFrom == nil) != (p.QuietTo == nil) {
		v.Add("quietTo", "Indiquez le début et la fin de la période de silence", "Give both ends of the quiet period")
	}
	for _, h := range []*int{p.QuietFrom, p.QuietTo} {
		if h != nil && (*h < 0 || *h > 23) {
			v.Add("quietFrom", "Heures de 0 à 23", "Hours from 0 to 23")
		}
	}
	return v.Err()
}

var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// Validate reports every missing or malformed field.
func (u User) Validate() error {
	var v Validation
	if !emailPattern.MatchString(u.Email) {
		v.Add("email", "Adresse e-mail invalide : %q", "Invalid e-mail address: %q", u.Email)
	}
	v.Require("fullName", u.FullName, "Nom complet", "Full name")
	v.MaxLen("fullName", u.FullName, 200, "Nom complet", "Full name")
	if !u.Role.Valid() {
		v.Add("role", "Rôle %q inconnu", "Unknown role %q", string(u.Role))
	}
	if u.Role == RoleOwner && u.UnitID == nil {
		v.Add("unitId", "Un responsable d'activité doit appartenir à une structure", "An activity owner must belong to a unit")
	}
	if u.Language != "fr" && u.Language != "en" {
		v.Add("language", "Langue %q non prise en charge (fr ou en)", "Unsupported language %q (fr or en)", u.Language)
	}
	if e, ok := u.Preferences.Validate().(*Error); ok {
		v.fields = append(v.fields, e.Fields...)
	}
	return v.Err()
}

// Strategy is a multi-year strategy (e.g. 2022–2025) whose axes group the plans' actions.
type Strategy struct {
	ID             int64  `json:"id" api:"server"`
	OrganisationID int64  `json:"organisationId" api:"server"`
	Title          string `json:"title" api:"required"`
	StartYear      int    `json:"startYear" api:"required"`
	EndYear        int    `json:"endYear" api:"required"`
	Axes           []Axis `json:"axes"`
}

// Validate reports every missing or malformed field.
func (s Strategy) Validate() error {
	var v Validation
	v.Require("title", s.Title, "Intitulé de la stratégie", "Strategy title")
	if !validYear(s.StartYear) {
		v.Add("startYear", "Année de début %d invalide", "Invalid start year %d", s.StartYear)
	}
	if s.EndYear < s.StartYear {
		v.Add("endYear", "L'année de fin (%d) précède l'année de début (%d)", "End year (%d) is before start year (%d)", s.EndYear, s.StartYear)
	}
	v.MaxLen("title", s.Title, shortText, "Intitulé de la stratégie", "Strategy title")
	if len(s.Axes) > maxAxes {
		v.Add("axes", "%d axes : %d au plus", "%d axes: at most %d", len(s.Axes), maxAxes)
	}
	codes := map[string]int{}
	for i, a := range s.Axes {
		n := i + 1
		if strings.TrimSpace(a.Code) == "" || strings.TrimSpace(a.Title) == "" {
			v.Add("axes", "Axe n° %d : code et intitulé obligatoires", "Axis no. %d: code and title required", n)
			continue
		}
		if len(a.Code) > 20 || utf8.RuneCountInString(a.Title) > shortText {
			v.Add("axes", "Axe n° %d : code de 20 caractères et intitulé de %d caractères au plus", "Axis no. %d: code of at most 20 characters and title of at most %d", n, shortText)
		}
		key := strings.ToLower(strings.TrimSpace(a.Code))
		if first, seen := codes[key]; seen {
			v.Add("axes", "Axe n° %d : le code « %s » est déjà celui de l'axe n° %d", "Axis no. %d: code “%s” is already axis no. %d's", n, a.Code, first)
		}
		codes[key] = n
	}
	return v.Err()
}

// maxAxes bounds a strategy's axes.
const maxAxes = 20

// Axis is a strategic axis (axe stratégique).
type Axis struct {
	ID         int64  `json:"id" api:"server"`
	StrategyID int64  `json:"strategyId" api:"server"`
	Position   int    `json:"position"`
	Code       string `json:"code" api:"required"`
	Title      string `json:"title" api:"required"`
}

// Cycle is one organisation's planning year.
type Cycle struct {
	ID             int64      `json:"id"`
	OrganisationID int64      `json:"organisationId"`
	Year           int        `json:"year"`
	Stage          Stage      `json:"stage"`
	StrategyID     *int64     `json:"strategyId,omitempty"`
	WorkflowID     string     `json:"workflowId"`
	Deadlines      Deadlines  `json:"deadlines"`
	StartedAt      time.Time  `json:"startedAt"`
	ClosedAt       *time.Time `json:"closedAt,omitempty"`
}

// Deadlines are the dates by which each human step of a cycle is due.
type Deadlines struct {
	Bilan           Date `json:"bilan"`
	Recommendations Date `json:"recommendations"`
	Submission      Date `json:"submission"`
}

// DefaultDeadlines are the usual dates (DefaultDeadlineDays) for year.
func DefaultDeadlines(year int) Deadlines { return DefaultDeadlineDays().In(year) }

// Validate reports every missing or malformed field.
func (c Cycle) Validate() error {
	var v Validation
	if !validYear(c.Year) {
		v.Add("year", "Année %d invalide", "Invalid year %d", c.Year)
	}
	if !c.Stage.Valid() {
		v.Add("stage", "Étape %q inconnue", "Unknown stage %q", string(c.Stage))
	}
	v.Require("workflowId", c.WorkflowID, "Identifiant du workflow", "Workflow id")
	d := c.Deadlines
	if !d.Bilan.IsZero() && !d.Recommendations.IsZero() && d.Recommendations.Before(d.Bilan) {
		v.Add("deadlines.recommendations", "L'échéance des recommandations précède celle du bilan", "The recommendations deadline is before the bilan's")
	}
	if !d.Recommendations.IsZero() && !d.Submission.IsZero() && d.Submission.Before(d.Recommendations) {
		v.Add("deadlines.submission", "L'échéance de soumission du PTA précède celle des recommandations", "The plan submission deadline is before the recommendations'")
	}
	return v.Err()
}

// Bilan is the review of year N−1's plan held at the start of cycle N.
type Bilan struct {
	CycleID       int64          `json:"cycleId" api:"server"`
	ReviewedYear  int            `json:"reviewedYear" api:"server"`
	WorkshopStart Date           `json:"workshopStart"`
	WorkshopEnd   Date           `json:"workshopEnd"`
	WorkshopPlace string         `json:"workshopPlace"`
	Participants  []string       `json:"participants"`
	Lessons       []string       `json:"lessons"`
	Difficulties  []string       `json:"difficulties"`
	Challenges    []string       `json:"challenges"`
	Rates         *RateBreakdown `json:"rates,omitempty" api:"server"`
	ManualRate    *float64       `json:"manualRate,omitempty"`
	ClosedAt      *time.Time     `json:"closedAt,omitempty" api:"server"`
	Version       int            `json:"version" api:"edit"`
}

// Validate reports every missing or malformed field.
func (b Bilan) Validate() error {
	var v Validation
	v.MaxLen("workshopPlace", b.WorkshopPlace, shortText, "Lieu de l'atelier", "Workshop place")
	lists := []struct {
		name string
		list []string
	}{{"participants", b.Participants}, {"lessons", b.Lessons}, {"difficulties", b.Difficulties}, {"challenges", b.Challenges}}
	for _, l := range lists {
		name, list := l.name, l.list
		for i, item := range list {
			v.MaxLen(fmt.Sprintf("%s[%d]", name, i), item, longText, "Élément", "Item")
		}
		if len(list) > 200 {
			v.Add(name, "200 éléments au plus", "At most 200 items")
		}
	}
	if !b.WorkshopStart.IsZero() && !b.WorkshopEnd.IsZero() && b.WorkshopEnd.Before(b.WorkshopStart) {
		v.Add("workshopEnd", "La fin de l'atelier (%s) précède son début (%s)", "The workshop ends (%s) before it starts (%s)", b.WorkshopEnd.French(), b.WorkshopStart.French())
	}
	if b.ManualRate != nil && (*b.ManualRate < 0 || *b.ManualRate > 100) {
		v.Add("manualRate", "Le taux d'exécution doit être entre 0 et 100 %%", "The execution rate must be between 0 and 100%%")
	}
	return v.Err()
}

// SameRecord reports whether b and o hold the same workshop record: what an
// editor types, whatever their versions, rates and closing.
func (b Bilan) SameRecord(o Bilan) bool {
	rate := func(r *float64) (float64, bool) {
		if r == nil {
			return 0, false
		}
		return *r, true
	}
	br, bok := rate(b.ManualRate)
	or, ook := rate(o.ManualRate)
	return b.WorkshopStart == o.WorkshopStart && b.WorkshopEnd == o.WorkshopEnd && b.WorkshopPlace == o.WorkshopPlace &&
		slices.Equal(b.Participants, o.Participants) && slices.Equal(b.Lessons, o.Lessons) &&
		slices.Equal(b.Difficulties, o.Difficulties) && slices.Equal(b.Challenges, o.Challenges) && br == or && bok == ook
}

// Recommendation is addressed to a unit at the bilan; once adopted, the plan must answer it.
type Recommendation struct {
	ID        int64      `json:"id" api:"server"`
	CycleID   int64      `json:"cycleId" api:"server"`
	Position  int        `json:"position"`
	Text      string     `json:"text" api:"required"`
	UnitID    *int64     `json:"unitId,omitempty"`
	Priority  Priority   `json:"priority"`
	Adopted   bool       `json:"adopted" api:"server"`
	ActionIDs []int64    `json:"actionIds" api:"server"`
	AdoptedAt *time.Time `json:"adoptedAt,omitempty" api:"server"`
}

// RecommendationsFrozen reports whether a cycle's list of recommendations no
// longer changes: some were adopted, or the cycle is past their stage. In a
// frozen list, a recommendation not adopted was not retained; before, it is
// only proposed.
func RecommendationsFrozen(stage Stage, recs []Recommendation) bool {
	if stage != StageBilan && stage != StageRecommendations {
		return true
	}
	return slices.ContainsFunc(recs, func(r Recommendation) bool { return r.Adopted })
}

// Validate reports every missing or malformed field.
func (r Recommendation) Validate() error {
	var v Validation
	v.Require("text", r.Text, "Texte de la recommandation", "Recommendation text")
	v.MaxLen("text", r.Text, longText, "Texte de la recommandation", "Recommendation text")
	if !r.Priority.Valid() {
		v.Add("priority", "Priorité %q inconnue (high, medium, low)", "Unknown priority %q (high, medium, low)", string(r.Priority))
	}
	return v.Err()
}

// Plan is a cycle's annual work plan (PTA).
type Plan struct {
	ID             int64      `json:"id"`
	CycleID        int64      `json:"cycleId"`
	OrganisationID int64      `json:"organisationId"`
	Year           int        `json:"year"`
	Status         PlanStatus `json:"status"`
	CurrentVersion int        `json:"currentVersion"`
}

// PlanVersion is a plan frozen at submission; decisions refer to it.
type PlanVersion struct {
	ID          int64     `json:"id"`
	PlanID      int64     `json:"planId"`
	Number      int       `json:"number"`
	ContentHash string    `json:"contentHash"`
	Status      string    `json:"status"`
	SubmittedBy *int64    `json:"submittedBy,omitempty"`
	SubmittedAt time.Time `json:"submittedAt"`
}

// Action groups activities of a plan under a strategic axis.
type Action struct {
	ID       int64  `json:"id" api:"server"`
	PlanID   int64  `json:"planId" api:"server"`
	AxisID   *int64 `json:"axisId,omitempty"`
	Code     string `json:"code" api:"required"`
	Title    string `json:"title" api:"required"`
	Position int    `json:"position"`
}

// Validate reports every missing or malformed field.
func (a Action) Validate() error {
	var v Validation
	v.Require("code", a.Code, "Code de l'action", "Action code")
	v.MaxLen("code", a.Code, 30, "Code de l'action", "Action code")
	if a.Code != "" && !actionCodePattern.MatchString(a.Code) {
		v.Add("code", "Le code d'une action est court, sans espace, par exemple 1.2 ou A1 (reçu « %s ») ; son intitulé a son propre champ",
			"An action's code is short, without spaces, such as 1.2 or A1 (got “%s”); its title has a field of its own", a.Code)
	}
	v.Require("title", a.Title, "Intitulé de l'action", "Action title")
	v.MaxLen("title", a.Title, shortText, "Intitulé de l'action", "Action title")
	return v.Err()
}

// Activity is the unit of work of a plan: who does what, by when, with what budget.
type Activity struct {
	ID                int64          `json:"id" api:"server"`
	PlanID            int64          `json:"planId" api:"server"`
	ActionID          int64          `json:"actionId" api:"required"`
	Code              string         `json:"code"`
	Title             string         `json:"title" api:"required"`
	Illustrative      bool           `json:"illustrative" api:"create"`
	ResponsibleUnitID *int64         `json:"responsibleUnitId,omitempty"`
	OwnerID           *int64         `json:"ownerId,omitempty"`
	PartnerUnitIDs    []int64        `json:"partnerUnitIds"`
	RegionIDs         []int64        `json:"regionIds"`
	StartDate         Date           `json:"startDate"`
	DueDate           Date           `json:"dueDate"`
	BudgetXOF         int64          `json:"budgetXof"`
	FundingSource     string         `json:"fundingSource"`
	Indicator         string         `json:"indicator"`
	Target            string         `json:"target"`
	Deliverable       string         `json:"deliverable"`
	Status            ActivityStatus `json:"status" api:"server"`
	Progress          int            `json:"progress" api:"server"`
	Comment           string         `json:"comment" api:"server"`
	EvidenceURL       string         `json:"evidenceUrl" api:"server"`
	PostponedTo       Date           `json:"postponedTo" api:"server"`
	CarriedOverFrom   *int64         `json:"carriedOverFrom,omitempty" api:"server"`
	Version           int            `json:"version" api:"edit"`
	UpdatedAt         time.Time      `json:"updatedAt" api:"server"`
}

// Validate reports every missing or malformed field of a draft activity.
func (a Activity) Validate() error {
	var v Validation
	v.Require("title", a.Title, "Intitulé de l'activité", "Activity title")
	v.MaxLen("title", a.Title, shortText, "Intitulé de l'activité", "Activity title")
	v.MaxLen("code", a.Code, 30, "Code de l'activité", "Activity code")
	v.MaxLen("fundingSource", a.FundingSource, shortText, "Source de financement", "Funding source")
	v.MaxLen("indicator", a.Indicator, longText, "Indicateur", "Indicator")
	v.MaxLen("target", a.Target, longText, "Cible", "Target")
	v.MaxLen("deliverable", a.Deliverable, longText, "Livrable", "Deliverable")
	v.MaxLen("comment", a.Comment, longText, "Commentaire", "Comment")
	v.MaxLen("evidenceUrl", a.EvidenceURL, 2000, "Lien de justificatif", "Evidence link")
	if a.BudgetXOF < 0 {
		v.Add("budgetXof", "Le budget ne peut pas être négatif (%d FCFA)", "The budget cannot be negative (%d XOF)", a.BudgetXOF)
	}
	if !a.StartDate.IsZero() && !a.DueDate.IsZero() && a.DueDate.Before(a.StartDate) {
		v.Add("dueDate", "L'échéance (%s) précède la date de début (%s)", "The due date (%s) is before the start date (%s)", a.DueDate.French(), a.StartDate.French())
	}
	if !a.Status.Valid() {
		v.Add("status", "Statut %q inconnu", "Unknown status %q", string(a.Status))
	}
	if a.Progress < 0 || a.Progress > 100 {
		v.Add("progress", "L'avancement doit être entre 0 et 100 %% (reçu %d)", "Progress must be between 0 and 100%% (got %d)", a.Progress)
	} else if a.Status == StatusDone && a.Progress != 100 {
		v.Add("progress", "Une activité réalisée est avancée à 100 %%", "A done activity is 100%% complete")
	}
	if a.Status == StatusPostponed && a.PostponedTo.IsZero() {
		v.Add("postponedTo", "Une activité reportée doit avoir une nouvelle date", "A postponed activity needs a new date")
	}
	if a.EvidenceURL != "" && !strings.HasPrefix(a.EvidenceURL, "https://") && !strings.HasPrefix(a.EvidenceURL, "http://") {
		v.Add("evidenceUrl", "Le lien de justificatif doit commencer par https://", "The evidence link must start with https://")
	}
	return v.Err()
}

// ActivityUpdate is one entry of an activity's history during execution.
type ActivityUpdate struct {
	ID             int64          `json:"id"`
	ActivityID     int64          `json:"activityId"`
	UserID         *int64         `json:"userId,omitempty"`
	At             time.Time      `json:"at"`
	StatusBefore   ActivityStatus `json:"statusBefore"`
	StatusAfter    ActivityStatus `json:"statusAfter"`
	ProgressBefore int            `json:"progressBefore"`
	ProgressAfter  int            `json:"progressAfter"`
	Comment        string         `json:"comment"`
	EvidenceURL    string         `json:"evidenceUrl"`
	EvidenceFile   *EvidenceFile  `json:"evidenceFile,omitempty"` // a file attached to this report
}

// Decision is an approver's verdict on one plan version at one level of the chain.
type Decision struct {
	ID            int64     `json:"id"`
	PlanVersionID int64     `json:"planVersionId"`
	Level         int       `json:"level"`
	ApproverID    int64     `json:"approverId"`
	OnBehalfOfID  *int64    `json:"onBehalfOfId,omitempty"`
	Outcome       Outcome   `json:"outcome"`
	Comment       string    `json:"comment"`
	DecidedAt     time.Time `json:"decidedAt"`
}

// Validate reports every missing or malformed field.
func (d Decision) Validate() error {
	var v Validation
	if d.Outcome != OutcomeApproved && d.Outcome != OutcomeSentBack {
		v.Add("outcome", "Décision %q inconnue (approved ou sent_back)", "Unknown outcome %q (approved or sent_back)", string(d.Outcome))
	}
	if d.Outcome == OutcomeSentBack && isBlank(d.Comment) {
		v.Add("comment", "Un renvoi doit être motivé par un commentaire", "Sending back needs a comment")
	}
	if d.Level < 1 {
		v.Add("level", "Niveau de validation %d invalide", "Invalid approval level %d", d.Level)
	}
	return v.Err()
}

// Reminder (relance) is a message due to a person; Key makes a retried send a no-op.
type Reminder struct {
	ID          int64      `json:"id"`
	Key         string     `json:"key"`
	RecipientID int64      `json:"recipientId"`
	Channel     Channel    `json:"channel"`
	Kind        string     `json:"kind"`
	Subject     string     `json:"subject"`
	Body        string     `json:"body"`
	ActivityID  *int64     `json:"activityId,omitempty"`
	CycleID     *int64     `json:"cycleId,omitempty"`
	Status      string     `json:"status"`
	CreatedAt   time.Time  `json:"createdAt"`
	SentAt      *time.Time `json:"sentAt,omitempty"`
	ReadAt      *time.Time `json:"readAt,omitempty"`
	// The outbox: where a channel other than in-app delivers, and how it went.
	Address       string    `json:"address,omitempty"`
	BodyHTML      string    `json:"-"`
	Attempts      int       `json:"attempts"`
	LastError     string    `json:"lastError,omitempty"`
	NextAttemptAt time.Time `json:"-"`
}

// ProcessFailure is a side effect of a cycle that failed for good — a
// reminder that could not be prepared, an announcement, the projection of a
// stage: the year went on without it, and the coordinators are told.
type ProcessFailure struct {
	ID           int64     `json:"id"`
	CycleID      *int64    `json:"cycleId,omitempty"`
	ActivityID   *int64    `json:"activityId,omitempty"`
	Key          string    `json:"-"` // one per side effect: recording it again writes nothing
	Operation    string    `json:"operation"`
	ReminderKind string    `json:"reminderKind,omitempty"`
	ErrorCode    string    `json:"errorCode"`
	ErrorDetail  string    `json:"errorDetail"`
	CreatedAt    time.Time `json:"createdAt"`
}

// Actor is who makes a change: a signed-in user, or the system (a workflow) when UserID is nil.
type Actor struct {
	UserID         *int64
	OrganisationID int64
	Label          string
}

// SystemActor is the workflow engine acting for organisation org.
func SystemActor(org int64) Actor { return Actor{OrganisationID: org, Label: "système"} }

// UserActor is user u acting.
func UserActor(u User) Actor {
	id := u.ID
	return Actor{UserID: &id, OrganisationID: u.OrganisationID, Label: u.FullName}
}

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	ID             int64           `json:"id"`
	OrganisationID int64           `json:"organisationId"`
	At             time.Time       `json:"at"`
	ActorID        *int64          `json:"actorId,omitempty"`
	ActorLabel     string          `json:"actorLabel"`
	Action         string          `json:"action"`
	Entity         string          `json:"entity"`
	EntityID       string          `json:"entityId"`
	Before         json.RawMessage `json:"before,omitempty"`
	After          json.RawMessage `json:"after,omitempty"`
}

// Lengths of free text: a title or a name, a paragraph.
const (
	shortText = 300
	longText  = 2000
)

func itoa(i int) string { return strconv.Itoa(i) }

func validYear(y int) bool { return y >= 2000 && y <= 2100 }

func isBlank(s string) bool { return strings.TrimSpace(s) == "" || !utf8.ValidString(s) }

// ApprovalLevel is one step of an organisation's approval chain; level 1 decides first.
type ApprovalLevel struct {
	Level        int    `json:"level" api:"required"`
	Name         string `json:"name"`
	ApproverID   int64  `json:"approverId" api:"required"`
	DeadlineDays int    `json:"deadlineDays"`
}

// ValidateChain reports an approval chain that is empty, has gaps, lacks names
// or approvers, or names one person on two levels.
func ValidateChain(levels []ApprovalLevel) error {
	var v Validation
	if len(levels) == 0 {
		v.Add("levels", "La chaîne de validation doit compter au moins un niveau", "The approval chain needs at least one level")
	}
	for i, l := range levels {
		field := func(name string) string { return "levels[" + itoa(i) + "]." + name }
		if l.Level != i+1 {
			v.Add(field("level"), "Niveau %d attendu, %d reçu", "Level %d expected, got %d", i+1, l.Level)
		}
		v.Require(field("name"), l.Name, "Nom du niveau", "Level name")
		if l.ApproverID == 0 {
			v.Add(field("approverId"), "Niveau %d : valideur obligatoire", "Level %d: approver required", i+1)
		}
		if l.DeadlineDays < 1 || l.DeadlineDays > 90 {
			v.Add(field("deadlineDays"), "Niveau %d : délai de 1 à 90 jours", "Level %d: 1 to 90 days", i+1)
		}
		for j := range i {
			if l.ApproverID != 0 && levels[j].ApproverID == l.ApproverID {
				v.Add(field("approverId"), "Niveau %d : cette personne valide déjà le niveau %d ; chaque niveau a son propre valideur",
					"Level %d: this person already approves level %d; each level has its own approver", i+1, j+1)
				break
			}
		}
	}
	return v.Err()
}

// APIToken is a personal token a user creates for scripts and integrations;
// only its hash is stored, the secret is shown once.
type APIToken struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"userId"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"` // the first characters, to recognise it in a list
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
	RevokedAt  *time.Time `json:"revokedAt,omitempty"`
}

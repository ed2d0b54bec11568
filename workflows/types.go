package workflows

import (
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
)

// Names of the cycle workflow's updates and query; the server uses these constants.
const (
	UpdateCloseBilan           = "closeBilan"
	UpdateAdoptRecommendations = "adoptRecommendations"
	UpdateSubmitPlan           = "submitPlan"
	UpdateDecide               = "decide"
	UpdateDelegate             = "delegate"
	UpdateRevisePlan           = "revisePlan"
	UpdateCloseCycle           = "closeCycle"
	QueryStatus                = "status"

	// SignalActivityChanged tells an activity's follow-up that the activity changed in the database.
	SignalActivityChanged = "activityChanged"
)

// IsStep says whether name is one of the cycle's human steps (an update).
func IsStep(name string) bool {
	switch name {
	case UpdateCloseBilan, UpdateAdoptRecommendations, UpdateSubmitPlan, UpdateDecide, UpdateDelegate, UpdateRevisePlan, UpdateCloseCycle:
		return true
	}
	return false
}

// CycleInput starts an organisation's cycle of one year.
type CycleInput struct {
	OrganisationID   int64
	OrganisationSlug string
	Year             int
	// Deadlines of the human steps; zero dates take ptacycle.DefaultDeadlines.
	Deadlines  ptacycle.Deadlines
	LaunchedBy *int64
}

// CycleResult is what a closed cycle leaves.
type CycleResult struct {
	Year      int
	FinalRate ptacycle.Rate
}

// ReminderPolicy, CycleInfo and FollowUpInput are shared with the activities that produce them.
type (
	ReminderPolicy = activities.ReminderPolicy
	CycleInfo      = activities.CycleInfo
	FollowUpInput  = activities.FollowUpInput
)

// CloseBilanRequest is the coordinator closing the bilan.
type CloseBilanRequest struct{ UserID int64 }

// AdoptRecommendationsRequest adopts the listed recommendations; the others are not retained.
type AdoptRecommendationsRequest struct {
	UserID            int64
	RecommendationIDs []int64
}

// SubmitPlanRequest is the coordinator submitting the draft plan. The server
// fills Problems from ptacycle.CheckPlan so that the validator can refuse an
// invalid plan without touching history; the freezing activity checks again.
type SubmitPlanRequest struct {
	UserID   int64
	Problems []ptacycle.FieldError
}

// DecideRequest is an approver's decision on the version under review at their level.
type DecideRequest struct {
	UserID  int64
	Level   int
	Version int
	Outcome ptacycle.Outcome
	Comment string
}

// DelegateRequest hands an approval level to another approver until a date.
type DelegateRequest struct {
	UserID int64 // the level's approver
	Level  int
	To     int64
	Until  time.Time
}

// RevisePlanRequest opens a mid-year revision of the approved plan.
type RevisePlanRequest struct{ UserID int64 }

// CloseCycleRequest closes the cycle before 31 December; the server counts the
// unfinished activities, and closing checks again.
type CloseCycleRequest struct {
	UserID     int64
	Unfinished int
}

// CycleStatus is the answer to the status query and to every update.
type CycleStatus struct {
	Opened      bool                    `json:"opened"`      // the cycle takes its human steps (its rows exist)
	Retroactive bool                    `json:"retroactive"` // launched after its year: no reminders, closed by the coordinator
	Year        int                     `json:"year"`
	Stage       ptacycle.Stage          `json:"stage"`
	CycleID     int64                   `json:"cycleId"`
	PlanID      int64                   `json:"planId"`
	Revising    bool                    `json:"revising"`
	Version     int                     `json:"version"`   // number of the plan version under review or approved, 0 before the first submission
	VersionID   int64                   `json:"versionId"` // its row id
	Level       int                     `json:"level"`     // approval level awaited, 0 outside validation
	Pending     *PendingStep            `json:"pending,omitempty"`
	Deadlines   map[string]time.Time    `json:"deadlines"`
	Decisions   []DecisionRecord        `json:"decisions"`
	Delegations []Delegation            `json:"delegations"`
	Rates       *ptacycle.RateBreakdown `json:"rates,omitempty"`
	FollowUps   int                     `json:"followUps"` // follow-up workflows started for the approved plan
}

// PendingStep says what the cycle waits for, from whom, by when.
type PendingStep struct {
	Step    string          `json:"step"`
	Label   ptacycle.Label  `json:"label"`
	Roles   []ptacycle.Role `json:"roles"`
	UserIDs []int64         `json:"userIds"`
	Level   int             `json:"level"`
	Due     time.Time       `json:"due"`
}

// DecisionRecord is a decision as the workflow keeps it.
type DecisionRecord struct {
	Version      int              `json:"version"`
	Level        int              `json:"level"`
	ApproverID   int64            `json:"approverId"`
	OnBehalfOfID *int64           `json:"onBehalfOfId,omitempty"`
	Outcome      ptacycle.Outcome `json:"outcome"`
	Comment      string           `json:"comment"`
	At           time.Time        `json:"at"`
}

// Delegation hands a level to another approver until a date.
type Delegation struct {
	Level int       `json:"level"`
	From  int64     `json:"from"`
	To    int64     `json:"to"`
	Until time.Time `json:"until"`
}

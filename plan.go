package ptacycle

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// PlanContent is what a submission checks and freezes: a plan's actions,
// their activities, and the recommendations the plan must answer.
type PlanContent struct {
	Year            int              `json:"year"`
	Actions         []Action         `json:"actions"`
	Activities      []Activity       `json:"activities"`
	Recommendations []Recommendation `json:"recommendations"`
}

// CheckPlan lists what keeps a plan from being submitted: no activity, an
// activity without responsible unit or due date, a due date outside the
// plan's year, an adopted recommendation that no action answers.
func CheckPlan(p PlanContent) []FieldError {
	var v Validation
	if len(p.Activities) == 0 {
		v.Add("activities", "Le PTA ne compte aucune activité", "The plan has no activity")
	}
	activities := append([]Activity(nil), p.Activities...)
	sort.Slice(activities, func(i, j int) bool { return activities[i].Code < activities[j].Code })
	for _, a := range activities {
		where := fmt.Sprintf("activities[%s]", a.Code)
		if a.ResponsibleUnitID == nil {
			v.Add(where+".responsibleUnitId", "Activité %s : structure responsable manquante", "Activity %s: no responsible unit", a.Code)
		}
		switch {
		case a.DueDate.IsZero():
			v.Add(where+".dueDate", "Activité %s : échéance manquante", "Activity %s: no due date", a.Code)
		case a.DueDate.Year() != p.Year:
			v.Add(where+".dueDate", "Activité %s : l'échéance %s est hors de l'année %d", "Activity %s: due date %s is outside %d", a.Code, a.DueDate.French(), p.Year)
		}
	}
	for _, r := range p.Recommendations {
		if r.Adopted && len(r.ActionIDs) == 0 {
			v.Add(fmt.Sprintf("recommendations[%d]", r.Position), "La recommandation n° %d adoptée n'est traitée par aucune action : « %s »",
				"Adopted recommendation no. %d is answered by no action: “%s”", r.Position, r.Text)
		}
	}
	return v.fields
}

// DueDateWarnings lists the activities due on a Saturday, a Sunday or one of
// holidays: allowed, but worth a second look, since nobody works that day
// and the reminders of the due day go out the working day before.
func DueDateWarnings(activities []Activity, holidays []Holiday) []FieldError {
	off := map[Date]string{}
	for _, h := range holidays {
		off[h.Day] = h.Name
	}
	sorted := append([]Activity(nil), activities...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Code < sorted[j].Code })
	var v Validation
	for _, a := range sorted {
		if a.DueDate.IsZero() {
			continue
		}
		where := fmt.Sprintf("activities[%s].dueDate", a.Code)
		name, holiday := off[a.DueDate]
		switch day := a.DueDate.Time().Weekday(); {
		case holiday:
			v.Add(where, "Activité %s : l'échéance du %s tombe un jour férié (%s)", "Activity %s: due on %s, a public holiday (%s)", a.Code, a.DueDate.French(), name)
		case day == time.Saturday:
			v.Add(where, "Activité %s : l'échéance du %s tombe un samedi", "Activity %s: due on %s, a Saturday", a.Code, a.DueDate.French())
		case day == time.Sunday:
			v.Add(where, "Activité %s : l'échéance du %s tombe un dimanche", "Activity %s: due on %s, a Sunday", a.Code, a.DueDate.French())
		}
	}
	return v.fields
}

// PlanProblems is the EINVALID error listing problems, or nil when there are none.
func PlanProblems(problems []FieldError) error {
	if len(problems) == 0 {
		return nil
	}
	v := Validation{fields: problems}
	err := v.Err().(*Error)
	err.Message = fmt.Sprintf("Le PTA ne peut pas être soumis : %d point(s) à corriger — %s", len(problems), problems[0].Message)
	err.English = fmt.Sprintf("The plan cannot be submitted: %d problem(s) — %s", len(problems), problems[0].English)
	return err
}

// PlanSnapshot is the content of a plan as frozen in a version: what the
// approvers approve, what the hash covers, what version diffs compare. Row
// ids, versions and execution fields are left out; actions and activities are
// ordered by code, so the same plan always gives the same snapshot.
type PlanSnapshot struct {
	Year    int              `json:"year"`
	Actions []SnapshotAction `json:"actions"`
}

// SnapshotAction is an action of a frozen plan with its activities.
type SnapshotAction struct {
	Code       string             `json:"code"`
	Title      string             `json:"title"`
	AxisID     *int64             `json:"axisId,omitempty"`
	Activities []SnapshotActivity `json:"activities"`
}

// SnapshotActivity is an activity of a frozen plan.
type SnapshotActivity struct {
	Code              string  `json:"code"`
	Title             string  `json:"title"`
	Illustrative      bool    `json:"illustrative,omitempty"`
	ResponsibleUnitID *int64  `json:"responsibleUnitId,omitempty"`
	OwnerID           *int64  `json:"ownerId,omitempty"`
	PartnerUnitIDs    []int64 `json:"partnerUnitIds,omitempty"`
	RegionIDs         []int64 `json:"regionIds,omitempty"`
	StartDate         Date    `json:"startDate"`
	DueDate           Date    `json:"dueDate"`
	BudgetXOF         int64   `json:"budgetXof"`
	FundingSource     string  `json:"fundingSource,omitempty"`
	Indicator         string  `json:"indicator,omitempty"`
	Target            string  `json:"target,omitempty"`
	Deliverable       string  `json:"deliverable,omitempty"`
}

// Snapshot returns the plan's content as it is frozen at submission.
func (p PlanContent) Snapshot() PlanSnapshot {
	s := PlanSnapshot{Year: p.Year, Actions: []SnapshotAction{}}
	index := map[int64]int{}
	actions := append([]Action(nil), p.Actions...)
	sort.Slice(actions, func(i, j int) bool { return actions[i].Code < actions[j].Code })
	for i, a := range actions {
		index[a.ID] = i
		s.Actions = append(s.Actions, SnapshotAction{Code: a.Code, Title: a.Title, AxisID: a.AxisID, Activities: []SnapshotActivity{}})
	}
	activities := append([]Activity(nil), p.Activities...)
	sort.Slice(activities, func(i, j int) bool { return activities[i].Code < activities[j].Code })
	for _, a := range activities {
		i, ok := index[a.ActionID]
		if !ok {
			continue
		}
		s.Actions[i].Activities = append(s.Actions[i].Activities, SnapshotActivity{
			Code: a.Code, Title: a.Title, Illustrative: a.Illustrative, ResponsibleUnitID: a.ResponsibleUnitID, OwnerID: a.OwnerID,
			PartnerUnitIDs: a.PartnerUnitIDs, RegionIDs: a.RegionIDs, StartDate: a.StartDate, DueDate: a.DueDate,
			BudgetXOF: a.BudgetXOF, FundingSource: a.FundingSource, Indicator: a.Indicator, Target: a.Target, Deliverable: a.Deliverable,
		})
	}
	return s
}

// Hash is the content hash of a frozen plan: SHA-256 of its snapshot's JSON.
func (s PlanSnapshot) Hash() string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // a snapshot is plain data and always marshals
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// PlanImport is a plan read from a file, before it is written: its actions
// (matched to existing ones by code) and activities, each naming its action by code.
type PlanImport struct {
	Actions    []Action           `json:"actions"`
	Activities []ImportedActivity `json:"activities"`
}

// ImportedActivity is an activity of an import, with the code of its action.
type ImportedActivity struct {
	ActionCode string `json:"actionCode"`
	Activity
}

// PlanReference is what the names of an imported plan are matched against:
// the organisation's axes for the plan's year, its units and regions, and
// the activity codes the plan already holds.
type PlanReference struct {
	Year                  int      `json:"year"`
	Axes                  []Axis   `json:"axes"`
	Units                 []Unit   `json:"units"`
	Regions               []Region `json:"regions"`
	ExistingActivityCodes []string `json:"existingActivityCodes"`
}

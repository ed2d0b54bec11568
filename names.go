package ptacycle

import "fmt"

// TaskQueue is the Temporal task queue of every workflow and activity of ptacycle.
const TaskQueue = "ptacycle"

// Registered names of the workflows: a cycle starts the next year's cycle by
// name, and the cycle's activities start follow-ups by name.
const (
	CycleWorkflowName        = "Cycle"
	FollowUpWorkflowName     = "FollowUp"
	WeeklyDigestWorkflowName = "WeeklyDigest"
)

// CycleWorkflowID is the id of the workflow driving organisation org's cycle of year.
func CycleWorkflowID(org string, year int) string { return fmt.Sprintf("cycle/%s/%d", org, year) }

// FollowUpWorkflowID is the id of the workflow following activity id of organisation org's plan of year.
func FollowUpWorkflowID(org string, year int, activityID int64) string {
	return fmt.Sprintf("followup/%s/%d/%d", org, year, activityID)
}

// LinkSecretName names the deployment's secret that signs one-click update links.
const LinkSecretName = "update-links"

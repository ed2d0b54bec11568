package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/ptacycle/ptacycle/activities"
)

// changeDigestPerOrganisation versions the weekly summary written one
// activity per organisation, each best effort, instead of one activity over
// them all (one organisation's failure no longer withholds the others').
const changeDigestPerOrganisation = "digest-per-organisation"

// WeeklyDigest writes the coordinators' weekly summaries; a Temporal schedule
// starts it every Monday morning (see worker.EnsureDigestSchedule). It
// returns how many it wrote; an organisation whose summary fails for good is
// recorded as a process failure and the others get theirs.
func WeeklyDigest(ctx workflow.Context) (int, error) {
	ctx = withActivityOptions(ctx)
	in := activities.DigestInput{At: workflow.Now(ctx)}
	var n int
	if workflow.GetVersion(ctx, changeDigestPerOrganisation, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		err := workflow.ExecuteActivity(ctx, a.SendDigests, in).Get(ctx, &n)
		return n, err
	}
	var orgs []int64
	if err := workflow.ExecuteActivity(ctx, a.DigestOrganisations, in).Get(ctx, &orgs); err != nil {
		return 0, err
	}
	run := workflow.GetInfo(ctx).WorkflowExecution
	for _, org := range orgs {
		var written int
		err := bestEffort(ctx, func(ctx workflow.Context) error {
			return workflow.ExecuteActivity(ctx, a.SendDigest, activities.OrganisationDigestInput{OrganisationID: org, At: in.At}).Get(ctx, &written)
		}, func() activities.FailureInput {
			return activities.FailureInput{Key: fmt.Sprintf("%s/%s/digest/%d", run.ID, run.RunID, org), OrganisationID: org,
				Operation: activities.OpSendDigest}
		})
		if err != nil {
			return n, err
		}
		n += written
	}
	return n, nil
}

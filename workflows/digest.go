package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/ptacycle/ptacycle/activities"
)

// WeeklyDigest writes the coordinators' weekly summaries; a Temporal schedule
// starts it every Monday morning (see worker.EnsureDigestSchedule).
func WeeklyDigest(ctx workflow.Context) (int, error) {
	ctx = withActivityOptions(ctx)
	var n int
	err := workflow.ExecuteActivity(ctx, a.SendDigests, activities.DigestInput{At: workflow.Now(ctx)}).Get(ctx, &n)
	return n, err
}

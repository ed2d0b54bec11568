package app

import (
	"context"

	"go.temporal.io/sdk/client"

	"github.com/ptacycle/ptacycle/postgres"
)

// Check says whether one of the engines answers.
type Check func(context.Context) error

// ReadinessChecks are the checks of the engines a process needs,
// PostgreSQL and Temporal, by name.
func ReadinessChecks(db *postgres.DB, tc client.Client) map[string]Check {
	return map[string]Check{
		"postgres": db.Ping,
		"temporal": func(ctx context.Context) error {
			_, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		},
	}
}

// ReadinessChecks are the layer's engines' checks.
func (a *App) ReadinessChecks() map[string]Check { return ReadinessChecks(a.core.db, a.core.temporal) }

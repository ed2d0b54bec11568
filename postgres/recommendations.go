package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/ptacycle/ptacycle"
)

const recommendationColumns = `r.id, r.cycle_id, r.position, r.text, r.unit_id, r.priority, r.adopted,
	COALESCE((SELECT array_agg(ra.action_id ORDER BY ra.action_id) FROM recommendation_actions ra WHERE ra.recommendation_id = r.id), '{}'),
	r.adopted_at`

func recommendations(ctx context.Context, q querier, org, cycleID int64) ([]ptacycle.Recommendation, error) {
	rows, err := q.Query(ctx, `SELECT `+recommendationColumns+` FROM recommendations r
		WHERE r.organisation_id = $1 AND r.cycle_id = $2 ORDER BY r.position`, org, cycleID)
	if err != nil {
		return nil, mapError(err)
	}
	recs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ptacycle.Recommendation])
	return recs, mapError(err)
}

// Recommendations lists a cycle's recommendations in order, with the actions answering them.
func (db *DB) Recommendations(ctx context.Context, org, cycleID int64) ([]ptacycle.Recommendation, error) {
	return recommendations(ctx, db.Pool, org, cycleID)
}

// YearOfRecommendation is the year of the cycle recommendation id belongs to. ENOTFOUND.
func (db *DB) YearOfRecommendation(ctx context.Context, org, id int64) (int, error) {
	var year int
	err := db.Pool.QueryRow(ctx, `SELECT c.year FROM recommendations r JOIN cycles c ON c.id = r.cycle_id
		WHERE r.organisation_id = $1 AND r.id = $2`, org, id).Scan(&year)
	return year, mapError(err)
}

// errRecommendationsFrozen is returned when the recommendations are changed after adoption.
var errRecommendationsFrozen = ptacycle.Errorf(ptacycle.ECONFLICT,
	"Les recommandations ont été adoptées : la liste est figée", "The recommendations have been adopted: the list is frozen")

// CreateRecommendation adds a recommendation at the end of a cycle's list, while it is not adopted.
// EINVALID, ECONFLICT (list adopted).
func (db *DB) CreateRecommendation(ctx context.Context, actor ptacycle.Actor, r ptacycle.Recommendation) (ptacycle.Recommendation, error) {
	if r.Priority == "" {
		r.Priority = ptacycle.PriorityMedium
	}
	if err := r.Validate(); err != nil {
		return r, err
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var adopted bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM recommendations WHERE cycle_id = c.id AND adopted)
			FROM cycles c WHERE c.organisation_id = $1 AND c.id = $2 FOR UPDATE`, actor.OrganisationID, r.CycleID).Scan(&adopted); err != nil {
			return err
		}
		if adopted {
			return errRecommendationsFrozen
		}
		if err := tx.QueryRow(ctx, `
			INSERT INTO recommendations (organisation_id, cycle_id, position, text, unit_id, priority)
			VALUES ($1, $2, (SELECT COALESCE(max(position), 0) + 1 FROM recommendations WHERE cycle_id = $2), $3, $4, $5)
			RETURNING id, position`, actor.OrganisationID, r.CycleID, r.Text, r.UnitID, r.Priority).Scan(&r.ID, &r.Position); err != nil {
			return err
		}
		r.ActionIDs = []int64{}
		return audit(ctx, tx, actor, "create", "recommendation", r.ID, nil, r)
	})
	return r, err
}

// AdoptRecommendations marks the listed recommendations of a cycle adopted;
// adoption freezes the list. Adopting again changes nothing. EINVALID (an id of another cycle).
func (db *DB) AdoptRecommendations(ctx context.Context, actor ptacycle.Actor, cycleID int64, ids []int64) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		var known int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM recommendations WHERE organisation_id = $1 AND cycle_id = $2 AND id = ANY($3)`,
			actor.OrganisationID, cycleID, ids).Scan(&known); err != nil {
			return err
		}
		if known != len(ids) {
			return ptacycle.Errorf(ptacycle.EINVALID, "Recommandation inconnue dans ce cycle", "Unknown recommendation in this cycle")
		}
		tag, err := tx.Exec(ctx, `UPDATE recommendations SET adopted = true, adopted_at = now()
			WHERE organisation_id = $1 AND cycle_id = $2 AND id = ANY($3) AND NOT adopted`, actor.OrganisationID, cycleID, ids)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return audit(ctx, tx, actor, "adopt", "recommendations", cycleID, nil, ids)
	})
}

// LinkRecommendation sets the actions of the cycle's plan that answer a recommendation. ENOTFOUND, EINVALID.
func (db *DB) LinkRecommendation(ctx context.Context, actor ptacycle.Actor, recommendationID int64, actionIDs []int64) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		var cycleID int64
		if err := tx.QueryRow(ctx, `SELECT cycle_id FROM recommendations WHERE organisation_id = $1 AND id = $2`,
			actor.OrganisationID, recommendationID).Scan(&cycleID); err != nil {
			return err
		}
		var known int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM actions a JOIN plans p ON p.id = a.plan_id
			WHERE p.organisation_id = $1 AND p.cycle_id = $2 AND a.id = ANY($3)`, actor.OrganisationID, cycleID, actionIDs).Scan(&known); err != nil {
			return err
		}
		if known != len(actionIDs) {
			return ptacycle.Errorf(ptacycle.EINVALID, "Action inconnue dans le PTA de ce cycle", "Unknown action in this cycle's plan")
		}
		if _, err := tx.Exec(ctx, `DELETE FROM recommendation_actions WHERE recommendation_id = $1`, recommendationID); err != nil {
			return err
		}
		for _, a := range actionIDs {
			if _, err := tx.Exec(ctx, `INSERT INTO recommendation_actions (recommendation_id, action_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, recommendationID, a); err != nil {
				return err
			}
		}
		return audit(ctx, tx, actor, "link", "recommendation", recommendationID, nil, actionIDs)
	})
}

// lockOpenRecommendation reads a recommendation for change and checks its cycle's list is not adopted yet.
func lockOpenRecommendation(ctx context.Context, tx pgx.Tx, org, id int64) (ptacycle.Recommendation, error) {
	var r ptacycle.Recommendation
	if err := tx.QueryRow(ctx, `SELECT `+recommendationColumns+` FROM recommendations r
		WHERE r.organisation_id = $1 AND r.id = $2 FOR UPDATE`, org, id).Scan(
		&r.ID, &r.CycleID, &r.Position, &r.Text, &r.UnitID, &r.Priority, &r.Adopted, &r.ActionIDs, &r.AdoptedAt); err != nil {
		return r, err
	}
	var adopted bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM recommendations WHERE cycle_id = $1 AND adopted)`, r.CycleID).Scan(&adopted); err != nil {
		return r, err
	}
	if adopted {
		return r, errRecommendationsFrozen
	}
	return r, nil
}

// UpdateRecommendation changes a recommendation's text, unit and priority while the list is open.
// EINVALID, ENOTFOUND, ECONFLICT (list adopted).
func (db *DB) UpdateRecommendation(ctx context.Context, actor ptacycle.Actor, r ptacycle.Recommendation) (ptacycle.Recommendation, error) {
	if err := r.Validate(); err != nil {
		return r, err
	}
	var after ptacycle.Recommendation
	err := db.tx(ctx, func(tx pgx.Tx) error {
		before, err := lockOpenRecommendation(ctx, tx, actor.OrganisationID, r.ID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE recommendations SET text = $2, unit_id = $3, priority = $4 WHERE id = $1`, r.ID, r.Text, r.UnitID, r.Priority); err != nil {
			return err
		}
		after = before
		after.Text, after.UnitID, after.Priority = r.Text, r.UnitID, r.Priority
		return audit(ctx, tx, actor, "update", "recommendation", r.ID, before, after)
	})
	return after, err
}

// DeleteRecommendation removes a recommendation while the list is open. ENOTFOUND, ECONFLICT (list adopted).
func (db *DB) DeleteRecommendation(ctx context.Context, actor ptacycle.Actor, id int64) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		before, err := lockOpenRecommendation(ctx, tx, actor.OrganisationID, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM recommendations WHERE id = $1`, id); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "delete", "recommendation", id, before, nil)
	})
}

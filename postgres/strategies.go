package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ptacycle/ptacycle"
)

// CreateStrategy stores s and its axes (numbered in order when positions are missing). EINVALID, ECONFLICT.
func (db *DB) CreateStrategy(ctx context.Context, actor ptacycle.Actor, s ptacycle.Strategy) (ptacycle.Strategy, error) {
	s.OrganisationID = actor.OrganisationID
	if err := s.Validate(); err != nil {
		return s, err
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `
			INSERT INTO strategies (organisation_id, title, start_year, end_year) VALUES ($1, $2, $3, $4) RETURNING id`,
			s.OrganisationID, s.Title, s.StartYear, s.EndYear).Scan(&s.ID); err != nil {
			return err
		}
		for i := range s.Axes {
			a := &s.Axes[i]
			a.StrategyID = s.ID
			if a.Position == 0 {
				a.Position = i + 1
			}
			if err := tx.QueryRow(ctx, `
				INSERT INTO axes (organisation_id, strategy_id, position, code, title) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
				s.OrganisationID, a.StrategyID, a.Position, a.Code, a.Title).Scan(&a.ID); err != nil {
				return err
			}
		}
		return audit(ctx, tx, actor, "create", "strategy", s.ID, nil, s)
	})
	return s, err
}

// Strategies lists the organisation's strategies, the latest first, with their axes.
func (db *DB) Strategies(ctx context.Context, org int64) ([]ptacycle.Strategy, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT id, organisation_id, title, start_year, end_year FROM strategies
		WHERE organisation_id = $1 ORDER BY start_year DESC, id`, org)
	if err != nil {
		return nil, mapError(err)
	}
	strategies, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ptacycle.Strategy, error) {
		var s ptacycle.Strategy
		err := r.Scan(&s.ID, &s.OrganisationID, &s.Title, &s.StartYear, &s.EndYear)
		return s, err
	})
	if err != nil {
		return nil, mapError(err)
	}
	for i := range strategies {
		if strategies[i].Axes, err = db.axes(ctx, strategies[i].ID); err != nil {
			return nil, err
		}
	}
	return strategies, nil
}

// StrategyForYear returns the organisation's strategy covering year. ENOTFOUND.
func (db *DB) StrategyForYear(ctx context.Context, org int64, year int) (ptacycle.Strategy, error) {
	var s ptacycle.Strategy
	err := db.Pool.QueryRow(ctx, `
		SELECT id, organisation_id, title, start_year, end_year FROM strategies
		WHERE organisation_id = $1 AND $2 BETWEEN start_year AND end_year
		ORDER BY start_year DESC LIMIT 1`, org, year).Scan(&s.ID, &s.OrganisationID, &s.Title, &s.StartYear, &s.EndYear)
	if err != nil {
		return s, mapError(err)
	}
	s.Axes, err = db.axes(ctx, s.ID)
	return s, err
}

func (db *DB) axes(ctx context.Context, strategyID int64) ([]ptacycle.Axis, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, strategy_id, position, code, title FROM axes WHERE strategy_id = $1 ORDER BY position`, strategyID)
	if err != nil {
		return nil, mapError(err)
	}
	axes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ptacycle.Axis])
	return axes, mapError(err)
}

// RenameAxis changes the title of an axis of the actor's organisation (its
// code, which plans and workbooks refer to, stays). EINVALID, ENOTFOUND.
func (db *DB) RenameAxis(ctx context.Context, actor ptacycle.Actor, axisID int64, title string) (ptacycle.Axis, error) {
	title = strings.TrimSpace(title)
	var v ptacycle.Validation
	v.Require("title", title, "Intitulé de l'axe", "Axis title")
	v.MaxLen("title", title, 300, "Intitulé de l'axe", "Axis title")
	if err := v.Err(); err != nil {
		return ptacycle.Axis{}, err
	}
	var before, after ptacycle.Axis
	err := db.tx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			SELECT a.id, a.strategy_id, a.position, a.code, a.title FROM axes a JOIN strategies s ON s.id = a.strategy_id
			WHERE a.id = $1 AND s.organisation_id = $2 FOR UPDATE OF a`, axisID, actor.OrganisationID).
			Scan(&before.ID, &before.StrategyID, &before.Position, &before.Code, &before.Title)
		if err != nil {
			return err
		}
		after = before
		after.Title = title
		if before.Title == title {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE axes SET title = $2 WHERE id = $1`, axisID, title); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "rename", "axis", axisID, before, after)
	})
	return after, err
}

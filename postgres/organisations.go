package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/ptacycle/ptacycle"
)

// CreateOrganisation stores o and returns it with its id. EINVALID, ECONFLICT (slug taken).
func (db *DB) CreateOrganisation(ctx context.Context, actor ptacycle.Actor, o ptacycle.Organisation) (ptacycle.Organisation, error) {
	if o.Timezone == "" {
		o.Timezone = "Africa/Abidjan"
	}
	if o.DeadlineDays == (ptacycle.DeadlineDays{}) {
		o.DeadlineDays = ptacycle.DefaultDeadlineDays()
	}
	if err := ptacycle.JoinValidation(o.Validate(), o.DeadlineDays.Validate()); err != nil {
		return o, err
	}
	d := o.DeadlineDays
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `
			INSERT INTO organisations (slug, name, acronym, country, timezone, bilan_due, recommendations_due, submission_due)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			o.Slug, o.Name, o.Acronym, o.Country, o.Timezone, d.Bilan.String(), d.Recommendations.String(), d.Submission.String()).Scan(&o.ID); err != nil {
			return err
		}
		actor.OrganisationID = o.ID
		return audit(ctx, tx, actor, "create", "organisation", o.ID, nil, o)
	})
	return o, err
}

const organisationColumns = `id, slug, name, acronym, country, timezone, bilan_due, recommendations_due, submission_due`

func scanOrganisation(r pgx.Row) (ptacycle.Organisation, error) {
	var o ptacycle.Organisation
	var bilan, recommendations, submission string
	err := r.Scan(&o.ID, &o.Slug, &o.Name, &o.Acronym, &o.Country, &o.Timezone, &bilan, &recommendations, &submission)
	if err != nil {
		return o, mapError(err)
	}
	d := &o.DeadlineDays
	for _, day := range []struct {
		text string
		dst  *ptacycle.MonthDay
	}{{bilan, &d.Bilan}, {recommendations, &d.Recommendations}, {submission, &d.Submission}} {
		if err := day.dst.UnmarshalText([]byte(day.text)); err != nil {
			return o, err
		}
	}
	return o, nil
}

// SetDeadlineDays records the organisation's usual deadlines. EINVALID.
func (db *DB) SetDeadlineDays(ctx context.Context, actor ptacycle.Actor, d ptacycle.DeadlineDays) error {
	if err := d.Validate(); err != nil {
		return err
	}
	return db.tx(ctx, func(tx pgx.Tx) error {
		before, err := scanOrganisation(tx.QueryRow(ctx, `SELECT `+organisationColumns+` FROM organisations WHERE id = $1 FOR UPDATE`, actor.OrganisationID))
		if err != nil || before.DeadlineDays == d {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE organisations SET bilan_due = $2, recommendations_due = $3, submission_due = $4 WHERE id = $1`,
			actor.OrganisationID, d.Bilan.String(), d.Recommendations.String(), d.Submission.String()); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "deadlines", "organisation", actor.OrganisationID, before.DeadlineDays, d)
	})
}

// Organisation returns the organisation with id. ENOTFOUND.
func (db *DB) Organisation(ctx context.Context, id int64) (ptacycle.Organisation, error) {
	return scanOrganisation(db.Pool.QueryRow(ctx, `SELECT `+organisationColumns+` FROM organisations WHERE id = $1`, id))
}

// OrganisationBySlug returns the organisation known by slug. ENOTFOUND.
func (db *DB) OrganisationBySlug(ctx context.Context, slug string) (ptacycle.Organisation, error) {
	return scanOrganisation(db.Pool.QueryRow(ctx, `SELECT `+organisationColumns+` FROM organisations WHERE slug = $1`, slug))
}

// CreateRegion stores a region of the actor's organisation. EINVALID, ECONFLICT (name taken).
func (db *DB) CreateRegion(ctx context.Context, actor ptacycle.Actor, name string) (ptacycle.Region, error) {
	r := ptacycle.Region{OrganisationID: actor.OrganisationID, Name: name}
	var v ptacycle.Validation
	v.Require("name", name, "Nom de la région", "Region name")
	if err := v.Err(); err != nil {
		return r, err
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO regions (organisation_id, name) VALUES ($1, $2) RETURNING id`,
			r.OrganisationID, r.Name).Scan(&r.ID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "create", "region", r.ID, nil, r)
	})
	return r, err
}

// Regions lists the organisation's regions by name.
func (db *DB) Regions(ctx context.Context, org int64) ([]ptacycle.Region, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, organisation_id, name FROM regions WHERE organisation_id = $1 ORDER BY name`, org)
	if err != nil {
		return nil, mapError(err)
	}
	regions, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ptacycle.Region])
	return regions, mapError(err)
}

const unitColumns = `id, organisation_id, name, acronym, kind, region_id, parent_id`

func scanUnit(r pgx.Row) (ptacycle.Unit, error) {
	var u ptacycle.Unit
	err := r.Scan(&u.ID, &u.OrganisationID, &u.Name, &u.Acronym, &u.Kind, &u.RegionID, &u.ParentID)
	return u, mapError(err)
}

// CreateUnit stores a unit of the actor's organisation. EINVALID, ECONFLICT (name taken).
func (db *DB) CreateUnit(ctx context.Context, actor ptacycle.Actor, u ptacycle.Unit) (ptacycle.Unit, error) {
	u.OrganisationID = actor.OrganisationID
	if err := u.Validate(); err != nil {
		return u, err
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `
			INSERT INTO units (organisation_id, name, acronym, kind, region_id, parent_id)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			u.OrganisationID, u.Name, u.Acronym, u.Kind, u.RegionID, u.ParentID).Scan(&u.ID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "create", "unit", u.ID, nil, u)
	})
	return u, err
}

// UpdateUnit changes a unit of the actor's organisation. EINVALID, ENOTFOUND, ECONFLICT.
func (db *DB) UpdateUnit(ctx context.Context, actor ptacycle.Actor, u ptacycle.Unit) (ptacycle.Unit, error) {
	u.OrganisationID = actor.OrganisationID
	if err := u.Validate(); err != nil {
		return u, err
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		before, err := scanUnit(tx.QueryRow(ctx, `SELECT `+unitColumns+` FROM units WHERE organisation_id = $1 AND id = $2 FOR UPDATE`, u.OrganisationID, u.ID))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE units SET name = $3, acronym = $4, kind = $5, region_id = $6, parent_id = $7
			WHERE organisation_id = $1 AND id = $2`,
			u.OrganisationID, u.ID, u.Name, u.Acronym, u.Kind, u.RegionID, u.ParentID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "update", "unit", u.ID, before, u)
	})
	return u, err
}

// Unit returns a unit of organisation org. ENOTFOUND.
func (db *DB) Unit(ctx context.Context, org, id int64) (ptacycle.Unit, error) {
	return scanUnit(db.Pool.QueryRow(ctx, `SELECT `+unitColumns+` FROM units WHERE organisation_id = $1 AND id = $2`, org, id))
}

// Units lists the organisation's units by name.
func (db *DB) Units(ctx context.Context, org int64) ([]ptacycle.Unit, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+unitColumns+` FROM units WHERE organisation_id = $1 ORDER BY name`, org)
	if err != nil {
		return nil, mapError(err)
	}
	units, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ptacycle.Unit, error) { return scanUnit(r) })
	return units, mapError(err)
}

// Organisations lists every organisation of the deployment, by slug (the weekly digests go to all).
func (db *DB) Organisations(ctx context.Context) ([]ptacycle.Organisation, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+organisationColumns+` FROM organisations ORDER BY slug`)
	if err != nil {
		return nil, mapError(err)
	}
	orgs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ptacycle.Organisation, error) { return scanOrganisation(r) })
	return orgs, mapError(err)
}

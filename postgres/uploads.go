package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/ptacycle/ptacycle"
)

// Upload is a workbook waiting between its preview and its import.
type Upload struct {
	ID       int64
	PlanID   int64
	FileName string
	Content  []byte
}

// SaveUpload keeps a workbook for the actor's confirmation and forgets
// uploads older than a day, confirmed or not.
func (db *DB) SaveUpload(ctx context.Context, org, userID, planID int64, fileName string, content []byte) (int64, error) {
	var id int64
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM plan_uploads WHERE created_at < now() - interval '1 day'`); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO plan_uploads (organisation_id, plan_id, user_id, file_name, content) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			org, planID, userID, fileName, content).Scan(&id)
	})
	return id, err
}

// Upload returns a workbook the user uploaded. ENOTFOUND (someone else's, imported, or over a day old).
func (db *DB) Upload(ctx context.Context, org, userID, id int64) (Upload, error) {
	u := Upload{ID: id}
	err := db.Pool.QueryRow(ctx, `SELECT plan_id, file_name, content FROM plan_uploads
		WHERE organisation_id = $1 AND user_id = $2 AND id = $3 AND created_at >= now() - interval '1 day'`, org, userID, id).
		Scan(&u.PlanID, &u.FileName, &u.Content)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, ptacycle.Errorf(ptacycle.ENOTFOUND, "Ce fichier n'est plus disponible (importé ou déposé il y a plus d'un jour) : déposez-le à nouveau",
			"This file is no longer available (imported, or uploaded over a day ago): upload it again")
	}
	return u, mapError(err)
}

// DeleteUpload forgets an upload once imported.
func (db *DB) DeleteUpload(ctx context.Context, org, id int64) error {
	_, err := db.Pool.Exec(ctx, `DELETE FROM plan_uploads WHERE organisation_id = $1 AND id = $2`, org, id)
	return err
}

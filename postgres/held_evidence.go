package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/ptacycle/ptacycle"
)

// HeldEvidence is a file of a refused progress report, kept for the next
// sending of the form: what the form shows of it.
type HeldEvidence struct {
	ID   int64
	Name string
	Size int
}

// heldEvidenceTTL is how long a held file waits, as an SQL interval.
const heldEvidenceTTL = "2 hours"

// HoldEvidence keeps e for the user's next report on the activity, in place
// of the one held before, and forgets held files older than two hours.
func (db *DB) HoldEvidence(ctx context.Context, org, userID, activityID int64, e ptacycle.EvidenceUpload) (HeldEvidence, error) {
	held := HeldEvidence{Name: e.Name, Size: len(e.Data)}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM held_evidence WHERE created_at < now() - interval '`+heldEvidenceTTL+`'`); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `
			INSERT INTO held_evidence (organisation_id, activity_id, user_id, name, content_type, content) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (organisation_id, activity_id, user_id) DO UPDATE
				SET name = EXCLUDED.name, content_type = EXCLUDED.content_type, content = EXCLUDED.content, created_at = now()
			RETURNING id`, org, activityID, userID, e.Name, e.ContentType, e.Data).Scan(&held.ID)
	})
	return held, mapError(err)
}

// HeldEvidenceOf describes the file id held for the user's report on the
// activity. ENOTFOUND once taken by a report, replaced or over two hours old.
func (db *DB) HeldEvidenceOf(ctx context.Context, org, userID, activityID, id int64) (HeldEvidence, error) {
	held := HeldEvidence{ID: id}
	err := db.Pool.QueryRow(ctx, `SELECT name, octet_length(content) FROM held_evidence
		WHERE organisation_id = $1 AND user_id = $2 AND activity_id = $3 AND id = $4 AND created_at >= now() - interval '`+heldEvidenceTTL+`'`,
		org, userID, activityID, id).Scan(&held.Name, &held.Size)
	if errors.Is(err, pgx.ErrNoRows) {
		return held, heldEvidenceGone()
	}
	return held, mapError(err)
}

// takeHeldEvidence removes the file id held for the user's report on the
// activity and returns it, in the report's transaction: the report stores
// it, or the rollback keeps it held.
func takeHeldEvidence(ctx context.Context, tx pgx.Tx, org, userID, activityID, id int64) (*ptacycle.EvidenceUpload, error) {
	var e ptacycle.EvidenceUpload
	err := tx.QueryRow(ctx, `DELETE FROM held_evidence
		WHERE organisation_id = $1 AND user_id = $2 AND activity_id = $3 AND id = $4 AND created_at >= now() - interval '`+heldEvidenceTTL+`'
		RETURNING name, content_type, content`, org, userID, activityID, id).Scan(&e.Name, &e.ContentType, &e.Data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, heldEvidenceGone()
	}
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// heldEvidenceGone is the field error of a held file no longer there.
func heldEvidenceGone() error {
	var v ptacycle.Validation
	v.Add("evidenceFile", "Preuve : le fichier joint n'est plus gardé (plus de deux heures) ; choisissez-le à nouveau",
		"Evidence: the attached file is no longer kept (over two hours); choose it again")
	return v.Err()
}

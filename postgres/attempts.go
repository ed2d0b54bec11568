package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// AttemptRule says how the attempts counted under one key space each other.
type AttemptRule struct {
	// Waits[n-1] is how long the n-th counted attempt makes the next one
	// wait; beyond the list, its last wait repeats.
	Waits []time.Duration
	// Forget is how long after its last counted attempt a key's count is forgotten.
	Forget time.Duration
}

// countAttempt counts the attempt when the key's wait is over or its count
// forgotten; otherwise it changes nothing and returns no row. One statement:
// concurrent attempts on a key (from any server process) are counted one
// after the other, each seeing the wait the last one set.
const countAttempt = `
	INSERT INTO sign_in_attempts AS a (kind, key, count, not_before, forget_at)
	VALUES ($1, $2, 1, $3::timestamptz + ($4::interval[])[1], $3::timestamptz + $5::interval)
	ON CONFLICT (kind, key) DO UPDATE SET
		count      = CASE WHEN a.forget_at <= $3 THEN 1 ELSE a.count + 1 END,
		not_before = $3 + $4[CASE WHEN a.forget_at <= $3 THEN 1 ELSE least(a.count + 1, cardinality($4)) END],
		forget_at  = $3 + $5
	WHERE a.not_before <= $3 OR a.forget_at <= $3
	RETURNING count`

// CountAttempt counts an attempt of kind ("sign_in", "reset") under key
// ("account:…", "device:…", "ip:…") at now, following rule. When the key
// must still wait it counts nothing and returns how long (at least a second).
func (db *DB) CountAttempt(ctx context.Context, kind, key string, rule AttemptRule, now time.Time) (time.Duration, error) {
	var count int
	err := db.Pool.QueryRow(ctx, countAttempt, kind, key, now, rule.Waits, rule.Forget).Scan(&count)
	if err == nil {
		return 0, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, mapError(err)
	}
	// Read after the refusal, so as to see the wait that refused it, not an older one.
	var notBefore time.Time
	err = db.Pool.QueryRow(ctx, `SELECT not_before FROM sign_in_attempts WHERE kind = $1 AND key = $2`, kind, key).Scan(&notBefore)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, mapError(err)
	}
	return max(time.Second, notBefore.Sub(now)), nil
}

// UncountAttempt gives back one attempt counted under key and lifts its wait:
// that attempt turned out to be no guess.
func (db *DB) UncountAttempt(ctx context.Context, kind, key string, now time.Time) error {
	_, err := db.Pool.Exec(ctx, `UPDATE sign_in_attempts SET count = count - 1, not_before = least(not_before, $3)
		WHERE kind = $1 AND key = $2 AND count > 0`, kind, key, now)
	return mapError(err)
}

// ForgetAttempts drops the count of key.
func (db *DB) ForgetAttempts(ctx context.Context, kind, key string) error {
	_, err := db.Pool.Exec(ctx, `DELETE FROM sign_in_attempts WHERE kind = $1 AND key = $2`, kind, key)
	return mapError(err)
}

// SweepAttempts deletes the counts forgotten by now and says how many.
func (db *DB) SweepAttempts(ctx context.Context, now time.Time) (int64, error) {
	tag, err := db.Pool.Exec(ctx, `DELETE FROM sign_in_attempts WHERE forget_at <= $1`, now)
	return tag.RowsAffected(), mapError(err)
}

// Package postgres stores ptacycle's data in PostgreSQL through pgx/v5. Every
// write runs in one transaction with its audit log entry; the schema is
// embedded and applied with goose.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/ptacycle/ptacycle"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the store: every method that changes data writes its audit entry in the same transaction.
type DB struct {
	Pool *pgxpool.Pool
	now  func() time.Time
}

// Open connects to url and checks that PostgreSQL answers. It returns
// EINVALID for a malformed url and EUNAVAILABLE when the server cannot be reached.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, ptacycle.Errorf(ptacycle.EINVALID,
			"DATABASE_URL illisible (attendu : postgres://utilisateur:motdepasse@hôte:5432/base)",
			"DATABASE_URL is malformed (expected postgres://user:password@host:5432/db)")
	}
	cfg.MaxConns = max(cfg.MaxConns, 20)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	db := &DB{Pool: pool, now: time.Now}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, ptacycle.Errorf(ptacycle.EUNAVAILABLE,
			"PostgreSQL injoignable à %s:%d (%v) : vérifiez DATABASE_URL et que le serveur tourne",
			"PostgreSQL unreachable at %s:%d (%v): check DATABASE_URL and that the server runs",
			cfg.ConnConfig.Host, cfg.ConnConfig.Port, shortError(err))
	}
	return db, nil
}

// Close releases the connections.
func (db *DB) Close() { db.Pool.Close() }

// Ping checks that PostgreSQL answers.
func (db *DB) Ping(ctx context.Context) error { return db.Pool.Ping(ctx) }

// Migrate applies the embedded migrations that are not applied yet.
func (db *DB) Migrate(ctx context.Context) error {
	sqlDB := stdlib.OpenDBFromPool(db.Pool)
	defer sqlDB.Close()
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, sub)
	if err != nil {
		return err
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("migrations : %w", err)
	}
	return nil
}

// tx runs fn in a transaction and commits it when fn succeeds.
func (db *DB) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return mapError(err)
	}
	defer tx.Rollback(ctx)
	if err := fn(tx); err != nil {
		return mapError(err)
	}
	return mapError(tx.Commit(ctx))
}

// constraintMessages turns a violated constraint into words for the person who caused it.
var constraintMessages = map[string]ptacycle.Label{
	"users_email_key":                  {FR: "Cette adresse e-mail est déjà utilisée", EN: "This e-mail address is already used"},
	"organisations_slug_key":           {FR: "Une organisation porte déjà cet identifiant", EN: "An organisation already has this identifier"},
	"units_organisation_id_name_key":   {FR: "Une structure porte déjà ce nom", EN: "A unit already has this name"},
	"regions_organisation_id_name_key": {FR: "Cette région existe déjà", EN: "This region already exists"},
	"cycles_organisation_id_year_key":  {FR: "Un cycle existe déjà pour cette année", EN: "A cycle already exists for this year"},
	"actions_plan_id_code_key":         {FR: "Une action porte déjà ce code dans ce PTA", EN: "An action already has this code in this plan"},
	"activities_plan_id_code_key":      {FR: "Une activité porte déjà ce code dans ce PTA", EN: "An activity already has this code in this plan"},
	"activities_check":                 {FR: "L'échéance précède la date de début", EN: "The due date is before the start date"},
	"activities_progress_check":        {FR: "L'avancement doit être entre 0 et 100 %", EN: "Progress must be between 0 and 100%"},
	"activities_budget_xof_check":      {FR: "Le budget ne peut pas être négatif", EN: "The budget cannot be negative"},
	"decisions_plan_version_id_level_key": {FR: "Ce niveau a déjà décidé sur cette version du PTA",
		EN: "This level has already decided on this plan version"},
	"strategies_organisation_id_title_key": {FR: "Une stratégie porte déjà cet intitulé", EN: "A strategy already has this title"},
	"actions_axis_fkey":                    {FR: "Cet axe n'existe pas dans votre organisation", EN: "This axis does not exist in your organisation"},
}

// constraintFields names the field a constraint's refusal is about, for the
// forms and the API to show it there.
var constraintFields = map[string]string{
	"actions_axis_fkey": "axisId", "users_email_key": "email",
}

// mapError turns PostgreSQL's errors into coded errors meant for people.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var coded *ptacycle.Error
	if errors.As(err, &coded) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return ptacycle.Errorf(ptacycle.ENOTFOUND, "Élément introuvable", "Not found")
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		label, known := constraintMessages[pgErr.ConstraintName]
		switch {
		case known && pgErr.Code == "23505":
			return &ptacycle.Error{Code: ptacycle.ECONFLICT, Message: label.FR, English: label.EN}
		case known:
			e := &ptacycle.Error{Code: ptacycle.EINVALID, Message: label.FR, English: label.EN}
			field, ok := constraintFields[pgErr.ConstraintName]
			if column := checkedColumn(pgErr.TableName, pgErr.ConstraintName); !ok && column != "" {
				field, ok = fieldName(column), true
			}
			if ok {
				e.Fields = []ptacycle.FieldError{{Field: field, Message: label.FR, English: label.EN}}
			}
			return e
		case pgErr.Code == "23503":
			return ptacycle.Errorf(ptacycle.EINVALID, "Référence inconnue ou d'une autre organisation", "Unknown reference, or one of another organisation")
		case strings.HasPrefix(pgErr.Code, "23"), pgErr.Code == "22001", pgErr.Code == "22003", pgErr.Code == "22007", pgErr.Code == "22008":
			return constraintError(pgErr)
		case strings.HasPrefix(pgErr.Code, "08"), pgErr.Code == "57P01", pgErr.Code == "57P03":
			return unavailable(err)
		}
		return err
	}
	var netErr net.Error
	var connectErr *pgconn.ConnectError
	if errors.As(err, &netErr) || errors.As(err, &connectErr) || pgconn.SafeToRetry(err) {
		return unavailable(err)
	}
	return err
}

func unavailable(err error) error {
	return ptacycle.Errorf(ptacycle.EUNAVAILABLE, "La base de données est momentanément indisponible (%s) : réessayez dans un instant",
		"The database is unavailable for now (%s): try again in a moment", shortError(err))
}

func shortError(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && len(s)-i < 120 {
		return s[i+2:]
	}
	return s
}

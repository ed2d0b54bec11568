package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestConstraints writes bad rows straight through SQL, as a buggy handler
// would, and checks that the schema refuses each one.
func TestConstraints(t *testing.T) {
	f := mustFixture(t, "cnltp")
	other := mustFixture(t, "autre", f.db)
	ids := map[string]any{
		"org": f.org.ID, "region": f.region.ID, "unit": f.unit.ID, "owner": f.owner.ID, "coord": f.coordinator.ID,
		"cycle": f.cycle.ID, "plan": f.plan.ID, "action": f.action.ID, "activity": f.activity.ID,
		"otherUnit": other.unit.ID, "otherUser": other.owner.ID, "otherRegion": other.region.ID,
	}
	tests := []struct {
		name string
		sql  string
		args []string
		code string // SQLSTATE
	}{
		{"OrganisationSlugFormat", `INSERT INTO organisations (slug, name) VALUES ('Pas Un Slug', 'x')`, nil, "23514"},
		{"OrganisationSlugUnique", `INSERT INTO organisations (slug, name) VALUES ('cnltp', 'x')`, nil, "23505"},
		{"OrganisationNameNotBlank", `INSERT INTO organisations (slug, name) VALUES ('vide', '  ')`, nil, "23514"},
		{"RegionNameUnique", `INSERT INTO regions (organisation_id, name) VALUES ($1, 'Tonkpi')`, []string{"org"}, "23505"},
		{"UnitKindEnum", `INSERT INTO units (organisation_id, name, kind) VALUES ($1, 'X', 'club')`, []string{"org"}, "23514"},
		{"RegionalCellNeedsRegion", `INSERT INTO units (organisation_id, name, kind) VALUES ($1, 'CRLTP Nawa', 'regional_cell')`, []string{"org"}, "23514"},
		{"UnitRegionOfOtherOrganisation", `INSERT INTO units (organisation_id, name, kind, region_id) VALUES ($1, 'CRLTP', 'regional_cell', $2)`, []string{"org", "otherRegion"}, "23503"},
		{"UnitNameUnique", `INSERT INTO units (organisation_id, name, kind) VALUES ($1, 'CRLTP Tonkpi', 'other')`, []string{"org"}, "23505"},
		{"UserRoleEnum", `INSERT INTO users (organisation_id, email, full_name, role, password_hash) VALUES ($1, 'a@b.ci', 'A', 'boss', '$argon2id$x')`, []string{"org"}, "23514"},
		{"UserEmailFormat", `INSERT INTO users (organisation_id, email, full_name, role, password_hash) VALUES ($1, 'pas-un-email', 'A', 'admin', '$argon2id$x')`, []string{"org"}, "23514"},
		{"UserEmailUniqueAnyCase", `INSERT INTO users (organisation_id, email, full_name, role, password_hash) VALUES ($1, 'COORD@cnltp.ci', 'A', 'admin', '$argon2id$x')`, []string{"org"}, "23505"},
		{"UserPasswordIsArgon2id", `INSERT INTO users (organisation_id, email, full_name, role, password_hash) VALUES ($1, 'a@b.ci', 'A', 'admin', 'secret')`, []string{"org"}, "23514"},
		{"OwnerNeedsUnit", `INSERT INTO users (organisation_id, email, full_name, role, password_hash) VALUES ($1, 'a@b.ci', 'A', 'owner', '$argon2id$x')`, []string{"org"}, "23514"},
		{"UserUnitOfOtherOrganisation", `INSERT INTO users (organisation_id, email, full_name, role, unit_id, password_hash) VALUES ($1, 'a@b.ci', 'A', 'owner', $2, '$argon2id$x')`, []string{"org", "otherUnit"}, "23503"},
		{"UserLanguageEnum", `INSERT INTO users (organisation_id, email, full_name, role, password_hash, language) VALUES ($1, 'a@b.ci', 'A', 'admin', '$argon2id$x', 'de')`, []string{"org"}, "23514"},
		{"StrategyYearsOrdered", `INSERT INTO strategies (organisation_id, title, start_year, end_year) VALUES ($1, 'S', 2025, 2022)`, []string{"org"}, "23514"},
		{"ApprovalLevelRange", `INSERT INTO approval_levels (organisation_id, level, name, approver_id) VALUES ($1, 0, 'Ministère', $2)`, []string{"org", "coord"}, "23514"},
		{"ApproverOfOtherOrganisation", `INSERT INTO approval_levels (organisation_id, level, name, approver_id) VALUES ($1, 1, 'Ministère', $2)`, []string{"org", "otherUser"}, "23503"},
		{"OneCyclePerYear", `INSERT INTO cycles (organisation_id, year, workflow_id) VALUES ($1, 2024, 'cycle/x/2024')`, []string{"org"}, "23505"},
		{"CycleYearRange", `INSERT INTO cycles (organisation_id, year, workflow_id) VALUES ($1, 1999, 'cycle/x/1999')`, []string{"org"}, "23514"},
		{"CycleStageEnum", `UPDATE cycles SET stage = 'done' WHERE id = $1`, []string{"cycle"}, "23514"},
		{"CycleClosedHasDate", `UPDATE cycles SET stage = 'closed' WHERE id = $1`, []string{"cycle"}, "23514"},
		{"CycleDeadlinesOrdered", `UPDATE cycles SET submission_due = '2024-01-01' WHERE id = $1`, []string{"cycle"}, "23514"},
		{"BilanWorkshopDatesOrdered", `UPDATE bilans SET workshop_start = '2024-02-07', workshop_end = '2024-02-06' WHERE cycle_id = $1`, []string{"cycle"}, "23514"},
		{"BilanManualRateRange", `UPDATE bilans SET manual_rate = 120 WHERE cycle_id = $1`, []string{"cycle"}, "23514"},
		{"RecommendationPriorityEnum", `INSERT INTO recommendations (organisation_id, cycle_id, position, text, priority) VALUES ($1, $2, 1, 'R', 'urgent')`, []string{"org", "cycle"}, "23514"},
		{"RecommendationAdoptedHasDate", `INSERT INTO recommendations (organisation_id, cycle_id, position, text, adopted) VALUES ($1, $2, 1, 'R', true)`, []string{"org", "cycle"}, "23514"},
		{"RecommendationUnitOfOtherOrganisation", `INSERT INTO recommendations (organisation_id, cycle_id, position, text, unit_id) VALUES ($1, $2, 1, 'R', $3)`, []string{"org", "cycle", "otherUnit"}, "23503"},
		{"PlanStatusEnum", `UPDATE plans SET status = 'final' WHERE id = $1`, []string{"plan"}, "23514"},
		{"SubmittedPlanHasVersion", `UPDATE plans SET status = 'submitted' WHERE id = $1`, []string{"plan"}, "23514"},
		{"PlanVersionHashFormat", `INSERT INTO plan_versions (plan_id, number, content_hash, content) VALUES ($1, 1, 'abc', '{}')`, []string{"plan"}, "23514"},
		{"PlanVersionNumberPositive", `INSERT INTO plan_versions (plan_id, number, content_hash, content) VALUES ($1, 0, repeat('a', 64), '{}')`, []string{"plan"}, "23514"},
		{"ActionCodeUnique", `INSERT INTO actions (organisation_id, plan_id, code, title) VALUES ($1, $2, '1.1', 'Doublon')`, []string{"org", "plan"}, "23505"},
		{"ActivityProgressAbove100", `UPDATE activities SET progress = 101 WHERE id = $1`, []string{"activity"}, "23514"},
		{"ActivityProgressNegative", `UPDATE activities SET progress = -1 WHERE id = $1`, []string{"activity"}, "23514"},
		{"ActivityBudgetNegative", `UPDATE activities SET budget_xof = -1 WHERE id = $1`, []string{"activity"}, "23514"},
		{"ActivityDueBeforeStart", `UPDATE activities SET due_date = '2024-01-01' WHERE id = $1`, []string{"activity"}, "23514"},
		{"ActivityStatusEnum", `UPDATE activities SET status = 'finished' WHERE id = $1`, []string{"activity"}, "23514"},
		{"ActivityDoneIsFull", `UPDATE activities SET status = 'done', progress = 90 WHERE id = $1`, []string{"activity"}, "23514"},
		{"ActivityPostponedHasDate", `UPDATE activities SET status = 'postponed' WHERE id = $1`, []string{"activity"}, "23514"},
		{"ActivityEvidenceIsLink", `UPDATE activities SET evidence_url = 'javascript:alert(1)' WHERE id = $1`, []string{"activity"}, "23514"},
		{"ActivityUnitOfOtherOrganisation", `UPDATE activities SET responsible_unit_id = $2 WHERE id = $1`, []string{"activity", "otherUnit"}, "23503"},
		{"ActivityOwnerOfOtherOrganisation", `UPDATE activities SET owner_id = $2 WHERE id = $1`, []string{"activity", "otherUser"}, "23503"},
		{"ActivityCodeUnique", `INSERT INTO activities (organisation_id, plan_id, action_id, code, title) VALUES ($1, $2, $3, '1.1.1', 'Doublon')`, []string{"org", "plan", "action"}, "23505"},
		{"ActivityVersionPositive", `UPDATE activities SET version = 0 WHERE id = $1`, []string{"activity"}, "23514"},
		{"ActivityRegionOfOtherOrganisation", `INSERT INTO activity_regions (activity_id, organisation_id, region_id) VALUES ($1, $2, $3)`, []string{"activity", "org", "otherRegion"}, "23503"},
		{"ActivityPartnerOfOtherOrganisation", `INSERT INTO activity_partners (activity_id, organisation_id, unit_id) VALUES ($1, $2, $3)`, []string{"activity", "org", "otherUnit"}, "23503"},
		{"UpdateProgressRange", `INSERT INTO activity_updates (activity_id, status_before, status_after, progress_before, progress_after) VALUES ($1, 'not_started', 'in_progress', 0, 150)`, []string{"activity"}, "23514"},
		{"ReminderChannelEnum", `INSERT INTO reminders (organisation_id, key, recipient_id, channel, kind) VALUES ($1, 'k1', $2, 'pigeon', 'due')`, []string{"org", "owner"}, "23514"},
		{"ReminderEmailHasAddress", `INSERT INTO reminders (organisation_id, key, recipient_id, channel, kind) VALUES ($1, 'k1', $2, 'email', 'due')`, []string{"org", "owner"}, "23514"},
		{"ReminderSendingHasClaim", `INSERT INTO reminders (organisation_id, key, recipient_id, channel, kind, address, status) VALUES ($1, 'k1', $2, 'email', 'due', 'a@b.ci', 'sending')`, []string{"org", "owner"}, "23514"},
		{"UserWebhookNeedsPhone", `UPDATE users SET notify_channel = 'webhook' WHERE id = $1`, []string{"owner"}, "23514"},
		{"UserQuietPeriodBothEnds", `UPDATE users SET quiet_from = 20 WHERE id = $1`, []string{"owner"}, "23514"},
		{"HolidayNeedsName", `INSERT INTO holidays (organisation_id, day, name) VALUES ($1, '2024-08-07', ' ')`, []string{"org"}, "23514"},
		{"ReminderSentHasDate", `INSERT INTO reminders (organisation_id, key, recipient_id, channel, kind, status) VALUES ($1, 'k1', $2, 'email', 'due', 'sent')`, []string{"org", "owner"}, "23514"},
		{"AuditNeedsAction", `INSERT INTO audit_log (organisation_id, actor_label, action, entity) VALUES ($1, 'x', '', 'cycle')`, []string{"org"}, "23514"},
		{"AuditLogNoUpdate", `UPDATE audit_log SET action = 'forged' WHERE organisation_id = $1`, []string{"org"}, "42501"},
		{"AuditLogNoDelete", `DELETE FROM audit_log WHERE organisation_id = $1`, []string{"org"}, "42501"},
		{"AuditLogNoTruncate", `TRUNCATE audit_log`, nil, "42501"},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := make([]any, len(tt.args))
			for i, name := range tt.args {
				v, ok := ids[name]
				if !ok {
					t.Fatalf("no fixture id %q", name)
				}
				args[i] = v
			}
			_, err := f.db.Pool.Exec(ctx, tt.sql, args...)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) {
				t.Fatalf("bad row accepted (err = %v)", err)
			}
			if pgErr.Code != tt.code {
				t.Fatalf("SQLSTATE %s (%s), want %s", pgErr.Code, pgErr.Message, tt.code)
			}
		})
	}
	t.Run("ReminderKeyUnique", func(t *testing.T) {
		insert := `INSERT INTO reminders (organisation_id, key, recipient_id, channel, kind, address) VALUES ($1, 'relance-1', $2, 'email', 'due', 'a@b.ci')`
		if _, err := f.db.Pool.Exec(ctx, insert, f.org.ID, f.owner.ID); err != nil {
			t.Fatal(err)
		}
		_, err := f.db.Pool.Exec(ctx, insert, f.org.ID, f.owner.ID)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
			t.Fatalf("second reminder with the same key: err = %v", err)
		}
	})
	t.Run("DecisionSendBackNeedsComment", func(t *testing.T) {
		var version int64
		err := f.db.Pool.QueryRow(ctx, `INSERT INTO plan_versions (plan_id, number, content_hash, content) VALUES ($1, 1, repeat('a', 64), '{}') RETURNING id`, f.plan.ID).Scan(&version)
		if err != nil {
			t.Fatal(err)
		}
		for name, sql := range map[string]string{
			"23514 no comment":        `INSERT INTO decisions (plan_version_id, level, approver_id, outcome) VALUES ($1, 1, $2, 'sent_back')`,
			"23514 bad outcome":       `INSERT INTO decisions (plan_version_id, level, approver_id, outcome) VALUES ($1, 1, $2, 'maybe')`,
			"23514 on behalf of self": `INSERT INTO decisions (plan_version_id, level, approver_id, outcome, on_behalf_of_id) VALUES ($1, 1, $2, 'approved', $2)`,
		} {
			_, err := f.db.Pool.Exec(ctx, sql, version, f.coordinator.ID)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || fmt.Sprint(pgErr.Code) != name[:5] {
				t.Errorf("%s: err = %v", name, err)
			}
		}
		ok := `INSERT INTO decisions (plan_version_id, level, approver_id, outcome) VALUES ($1, 1, $2, 'approved')`
		if _, err := f.db.Pool.Exec(ctx, ok, version, f.coordinator.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.Pool.Exec(ctx, ok, version, f.coordinator.ID)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
			t.Errorf("two decisions at one level of one version: err = %v", err)
		}
	})
}

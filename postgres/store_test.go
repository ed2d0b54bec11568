package postgres_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/postgres/pgtest"
)

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustDB(t)
	// The template is already migrated: a second run must find nothing to do and break nothing.
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var tables int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = ANY($1)`,
		[]string{"organisations", "units", "users", "cycles", "bilans", "recommendations", "plans", "plan_versions", "actions",
			"activities", "activity_updates", "decisions", "reminders", "audit_log", "sessions"}).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 15 {
		t.Errorf("%d of the 15 expected tables exist", tables)
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	t.Run("ErrMalformedURL", func(t *testing.T) {
		_, err := postgres.Open(ctx, "postgres://%zz")
		wantCode(t, err, ptacycle.EINVALID)
		if !strings.Contains(err.Error(), "DATABASE_URL") {
			t.Errorf("message %q does not name DATABASE_URL", err)
		}
	})
	t.Run("ErrUnreachable", func(t *testing.T) {
		_, err := postgres.Open(ctx, "postgres://nobody@127.0.0.1:1/none?connect_timeout=2")
		wantCode(t, err, ptacycle.EUNAVAILABLE)
		if !strings.Contains(err.Error(), "127.0.0.1:1") {
			t.Errorf("message %q does not say where", err)
		}
	})
}

func TestUsersAndUnits(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t, "cnltp")
	u, hash, err := f.db.UserByEmail(ctx, "  OWNER@cnltp.ci ")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != f.owner.ID || u.UnitID == nil || *u.UnitID != f.unit.ID || !ptacycle.CheckPassword(hash, "mot-de-passe-de-test") {
		t.Errorf("UserByEmail = %+v", u)
	}
	t.Run("ErrEmailTaken", func(t *testing.T) {
		_, err := f.db.CreateUser(ctx, f.actor, ptacycle.User{Email: "Coord@cnltp.ci", FullName: "Doublon", Role: ptacycle.RoleAdmin}, testHash)
		wantCode(t, err, ptacycle.ECONFLICT)
		if !strings.Contains(err.Error(), "déjà utilisée") {
			t.Errorf("message %q", err)
		}
	})
	t.Run("ErrInvalidUserWritesNothing", func(t *testing.T) {
		before, _ := f.db.Users(ctx, f.org.ID, "")
		_, err := f.db.CreateUser(ctx, f.actor, ptacycle.User{Email: "x", Role: ptacycle.RoleOwner}, testHash)
		wantCode(t, err, ptacycle.EINVALID)
		after, _ := f.db.Users(ctx, f.org.ID, "")
		if len(after) != len(before) {
			t.Errorf("%d users before, %d after a refused creation", len(before), len(after))
		}
	})
	owners, err := f.db.Users(ctx, f.org.ID, ptacycle.RoleOwner)
	if err != nil || len(owners) != 1 || owners[0].ID != f.owner.ID {
		t.Errorf("Users(owner) = %v, %v", owners, err)
	}
	newHash, _ := ptacycle.HashPassword("nouveau-mot-de-passe")
	if err := f.db.SetPassword(ctx, f.actor, f.owner.ID, newHash); err != nil {
		t.Fatal(err)
	}
	if _, hash, _ := f.db.UserByEmail(ctx, "owner@cnltp.ci"); !ptacycle.CheckPassword(hash, "nouveau-mot-de-passe") {
		t.Error("SetPassword did not replace the hash")
	}

	f.unit.Acronym = "CRLTP-T"
	if _, err := f.db.UpdateUnit(ctx, f.actor, f.unit); err != nil {
		t.Fatal(err)
	}
	got, err := f.db.Unit(ctx, f.org.ID, f.unit.ID)
	if err != nil || got.Acronym != "CRLTP-T" || got.RegionID == nil || *got.RegionID != f.region.ID {
		t.Errorf("Unit = %+v, %v", got, err)
	}
	t.Run("ErrOtherOrganisationsUnit", func(t *testing.T) {
		other := mustFixture(t, "autre", f.db)
		_, err := f.db.Unit(ctx, other.org.ID, f.unit.ID)
		wantCode(t, err, ptacycle.ENOTFOUND)
		_, err = f.db.CreateUser(ctx, other.actor, ptacycle.User{Email: "x@autre.ci", FullName: "X", Role: ptacycle.RoleOwner, UnitID: &f.unit.ID}, testHash)
		wantCode(t, err, ptacycle.EINVALID)
	})
}

func TestCycles(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t, "cnltp")
	got, err := f.db.Cycle(ctx, f.org.ID, 2024)
	if err != nil {
		t.Fatal(err)
	}
	if got.Stage != ptacycle.StageBilan || got.Deadlines.Submission != ptacycle.NewDate(2024, time.March, 15) || got.WorkflowID != "cycle/cnltp/2024" {
		t.Errorf("Cycle = %+v", got)
	}
	t.Run("ErrSecondCycleSameYear", func(t *testing.T) {
		_, err := f.db.CreateCycle(ctx, f.actor, ptacycle.Cycle{Year: 2024, WorkflowID: "cycle/cnltp/2024-bis"})
		wantCode(t, err, ptacycle.ECONFLICT)
		if !strings.Contains(err.Error(), "déjà pour cette année") {
			t.Errorf("message %q", err)
		}
	})
	for range 2 { // the second call is a retried activity: no change, no audit entry
		if err := f.db.SetStage(ctx, f.actor, f.cycle.ID, ptacycle.StageRecommendations); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := f.db.Audit(ctx, f.org.ID, postgres.AuditFilter{Entity: "cycle", EntityID: itoa(f.cycle.ID)})
	if err != nil {
		t.Fatal(err)
	}
	var stageChanges int
	for _, e := range entries {
		if e.Action == "stage" {
			stageChanges++
			if !strings.Contains(string(e.Before), "bilan") || !strings.Contains(string(e.After), "recommendations") {
				t.Errorf("stage entry before %s after %s", e.Before, e.After)
			}
		}
	}
	if stageChanges != 1 {
		t.Errorf("%d stage entries in the audit log, want 1", stageChanges)
	}
	if err := f.db.SetStage(ctx, f.actor, f.cycle.ID, ptacycle.StageClosed); err != nil {
		t.Fatal(err)
	}
	closed, _ := f.db.Cycle(ctx, f.org.ID, 2024)
	if closed.ClosedAt == nil {
		t.Error("closing a cycle did not record when")
	}

	approver, err := f.db.CreateUser(ctx, f.actor, ptacycle.User{Email: "ministere@cnltp.ci", FullName: "Représentante", Role: ptacycle.RoleApprover}, testHash)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("ErrApproverWithoutRole", func(t *testing.T) {
		err := f.db.SetApprovalChain(ctx, f.actor, []ptacycle.ApprovalLevel{{Level: 1, Name: "Ministère", ApproverID: f.owner.ID, DeadlineDays: 10}})
		wantCode(t, err, ptacycle.EINVALID)
	})
	plenary, err := f.db.CreateUser(ctx, f.actor, ptacycle.User{Email: "pleniere@cnltp.ci", FullName: "Président de la plénière", Role: ptacycle.RoleApprover}, testHash)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("ErrOneApproverOnTwoLevels", func(t *testing.T) {
		err := f.db.SetApprovalChain(ctx, f.actor, []ptacycle.ApprovalLevel{{Level: 1, Name: "Plénière", ApproverID: approver.ID, DeadlineDays: 10},
			{Level: 2, Name: "Ministère", ApproverID: approver.ID, DeadlineDays: 5}})
		wantCode(t, err, ptacycle.EINVALID)
	})
	chain := []ptacycle.ApprovalLevel{{Level: 1, Name: "Plénière du comité", ApproverID: plenary.ID, DeadlineDays: 10}, {Level: 2, Name: "Ministère", ApproverID: approver.ID, DeadlineDays: 5}}
	if err := f.db.SetApprovalChain(ctx, f.actor, chain); err != nil {
		t.Fatal(err)
	}
	stored, err := f.db.ApprovalChain(ctx, f.org.ID)
	if err != nil || len(stored) != 2 || stored[1] != chain[1] {
		t.Errorf("ApprovalChain = %+v, %v", stored, err)
	}
}

func TestActivities(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t, "cnltp")
	got, err := f.db.Activity(ctx, f.org.ID, f.activity.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 || got.BudgetXOF != 5_000_000 || len(got.RegionIDs) != 1 || got.DueDate != ptacycle.NewDate(2024, time.June, 30) {
		t.Errorf("Activity = %+v", got)
	}

	edit := got
	edit.Title = "Former 50 acteurs de la chaîne pénale"
	edit.PartnerUnitIDs = []int64{f.unit.ID}
	edit.RegionIDs = nil
	updated, err := f.db.UpdateActivity(ctx, f.actor, edit)
	if err != nil {
		t.Fatal(err)
	}
	if updated.Version != 2 {
		t.Errorf("version after an edit = %d, want 2", updated.Version)
	}
	t.Run("ErrStaleEdit", func(t *testing.T) {
		stale := got // still at version 1
		stale.Title = "Écrasement"
		_, err := f.db.UpdateActivity(ctx, f.actor, stale)
		wantCode(t, err, ptacycle.ECONFLICT)
		var e *ptacycle.Error
		errors.As(err, &e)
		current, ok := e.Current.(ptacycle.Activity)
		if !ok || current.Title != "Former 50 acteurs de la chaîne pénale" || current.Version != 2 {
			t.Errorf("the conflict does not carry the stored activity: %+v", e.Current)
		}
		now, _ := f.db.Activity(ctx, f.org.ID, f.activity.ID)
		if now.Title != "Former 50 acteurs de la chaîne pénale" || len(now.PartnerUnitIDs) != 1 || len(now.RegionIDs) != 0 {
			t.Errorf("after the refused edit: %+v", now)
		}
	})
	t.Run("ErrInvalidEdit", func(t *testing.T) {
		bad := updated
		bad.DueDate = ptacycle.NewDate(2024, time.January, 1)
		_, err := f.db.UpdateActivity(ctx, f.actor, bad)
		wantCode(t, err, ptacycle.EINVALID)
	})
	t.Run("ErrOtherOrganisation", func(t *testing.T) {
		other := mustFixture(t, "autre", f.db)
		_, err := f.db.Activity(ctx, other.org.ID, f.activity.ID)
		wantCode(t, err, ptacycle.ENOTFOUND)
		list, err := f.db.Activities(ctx, other.org.ID, postgres.ActivityFilter{})
		if err != nil || len(list) != 1 || list[0].ID != other.activity.ID {
			t.Errorf("the other organisation sees %v", list)
		}
		_, err = f.db.CreateActivity(ctx, other.actor, ptacycle.Activity{ActionID: f.action.ID, Code: "9", Title: "Intrusion"})
		wantCode(t, err, ptacycle.ENOTFOUND)
	})

	second, err := f.db.CreateActivity(ctx, f.actor, ptacycle.Activity{ActionID: f.action.ID, Code: "1.1.2", Title: "Sensibiliser",
		DueDate: ptacycle.NewDate(2024, time.February, 28)})
	if err != nil {
		t.Fatal(err)
	}
	list, err := f.db.Activities(ctx, f.org.ID, postgres.ActivityFilter{PlanID: f.plan.ID})
	if err != nil || len(list) != 2 || list[0].ID != second.ID {
		t.Errorf("activities not sorted by due date: %v, %v", list, err)
	}
	byUnit, _ := f.db.Activities(ctx, f.org.ID, postgres.ActivityFilter{UnitID: f.unit.ID})
	overdue, _ := f.db.Activities(ctx, f.org.ID, postgres.ActivityFilter{OverdueAsOf: ptacycle.NewDate(2024, time.March, 1)})
	if len(byUnit) != 1 || len(overdue) != 1 || overdue[0].ID != second.ID {
		t.Errorf("filters: by unit %d, overdue %d", len(byUnit), len(overdue))
	}
	byPartner, _ := f.db.Activities(ctx, f.org.ID, postgres.ActivityFilter{PartnerID: f.unit.ID})
	partnered, _ := f.db.CountActivities(ctx, f.org.ID, postgres.ActivityFilter{PartnerID: f.unit.ID})
	if len(byPartner) != 1 || byPartner[0].ID != f.activity.ID || partnered != 1 {
		t.Errorf("filter by partner: %d activities (%d counted), want the first one", len(byPartner), partnered)
	}

	t.Run("ErrProgressBeforeApproval", func(t *testing.T) {
		_, err := f.db.ReportProgress(ctx, f.actor, postgres.Progress{ActivityID: second.ID, Version: second.Version, Status: ptacycle.StatusInProgress, Progress: 10})
		wantCode(t, err, ptacycle.ECONFLICT)
	})
	// Approval comes with the cycle workflow; here the plan is approved by hand.
	if _, err := f.db.Pool.Exec(ctx, `INSERT INTO plan_versions (plan_id, number, content_hash, content, status) VALUES ($1, 1, repeat('a', 64), '{}', 'approved')`, f.plan.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Pool.Exec(ctx, `UPDATE plans SET status = 'approved', current_version = 1 WHERE id = $1`, f.plan.ID); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrDraftEditAfterApproval", func(t *testing.T) {
		_, err := f.db.CreateActivity(ctx, f.actor, ptacycle.Activity{ActionID: f.action.ID, Code: "1.1.3", Title: "Trop tard"})
		wantCode(t, err, ptacycle.ECONFLICT)
		if !strings.Contains(err.Error(), "soumis") {
			t.Errorf("message %q", err)
		}
	})
	owner := ptacycle.UserActor(f.owner)
	done, err := f.db.ReportProgress(ctx, owner, postgres.Progress{ActivityID: second.ID, Version: second.Version, Status: ptacycle.StatusDone,
		Comment: "Campagne menée à Man", EvidenceURL: "https://exemple.ci/rapport.pdf"})
	if err != nil {
		t.Fatal(err)
	}
	if done.Progress != 100 || done.Version != second.Version+1 {
		t.Errorf("after done: %+v", done)
	}
	t.Run("ErrStaleProgress", func(t *testing.T) {
		_, err := f.db.ReportProgress(ctx, owner, postgres.Progress{ActivityID: second.ID, Version: second.Version, Status: ptacycle.StatusInProgress, Progress: 20})
		wantCode(t, err, ptacycle.ECONFLICT)
	})
	history, err := f.db.ActivityHistory(ctx, f.org.ID, second.ID)
	if err != nil || len(history) != 1 || history[0].StatusAfter != ptacycle.StatusDone || *history[0].UserID != f.owner.ID {
		t.Errorf("history = %+v, %v", history, err)
	}
	entries, _ := f.db.Audit(ctx, f.org.ID, postgres.AuditFilter{Entity: "activity", EntityID: itoa(second.ID)})
	if len(entries) != 2 || entries[0].Action != "progress" || entries[0].ActorLabel != "Responsable" || *entries[0].ActorID != f.owner.ID {
		t.Errorf("audit = %+v", entries)
	}

	t.Run("Evidence", func(t *testing.T) {
		sheet, err := ptacycle.CheckEvidence("evidenceFile", "Liste de présence.pdf", []byte("%PDF-1.7 signée"))
		if err != nil {
			t.Fatal(err)
		}
		withFile, err := f.db.ReportProgress(ctx, owner, postgres.Progress{ActivityID: second.ID, Version: done.Version, Status: ptacycle.StatusDone,
			Comment: "La liste signée", Evidence: &sheet})
		if err != nil {
			t.Fatal(err)
		}
		history, err := f.db.ActivityHistory(ctx, f.org.ID, second.ID)
		if err != nil || len(history) != 2 || history[0].EvidenceFile != nil || history[1].EvidenceFile == nil {
			t.Fatalf("history = %+v, %v", history, err)
		}
		file := *history[1].EvidenceFile
		if file.Name != "Liste de présence.pdf" || file.ContentType != "application/pdf" || file.Size != len(sheet.Data) || file.ActivityID != second.ID {
			t.Errorf("evidence in the history = %+v", file)
		}
		if counts, err := f.db.EvidenceCounts(ctx, f.org.ID, f.plan.ID); err != nil || len(counts) != 1 || counts[second.ID] != 1 {
			t.Errorf("EvidenceCounts = %v, %v", counts, err)
		}
		got, content, err := f.db.EvidenceFile(ctx, f.org.ID, file.ID)
		if err != nil || string(content) != string(sheet.Data) || got != file {
			t.Errorf("EvidenceFile = %+v %q, %v; want %+v", got, content, err, file)
		}
		entries, _ := f.db.Audit(ctx, f.org.ID, postgres.AuditFilter{Entity: "activity", EntityID: itoa(second.ID)})
		if len(entries) != 3 || !strings.Contains(string(entries[0].After), `"name": "Liste de présence.pdf"`) {
			t.Errorf("audit of the report with evidence: %s", entries[0].After)
		}
		t.Run("ErrOtherOrganisation", func(t *testing.T) {
			_, _, err := f.db.EvidenceFile(ctx, f.org.ID+1000, file.ID)
			wantCode(t, err, ptacycle.ENOTFOUND)
		})
		t.Run("ErrStaleWritesNoFile", func(t *testing.T) {
			_, err := f.db.ReportProgress(ctx, owner, postgres.Progress{ActivityID: second.ID, Version: done.Version, Status: ptacycle.StatusDone, Evidence: &sheet})
			wantCode(t, err, ptacycle.ECONFLICT)
			var files int
			if err := f.db.Pool.QueryRow(ctx, `SELECT count(*) FROM evidence_files`).Scan(&files); err != nil || files != 1 {
				t.Errorf("%d evidence files after a refused report, want 1 (%v)", files, err)
			}
		})
		t.Run("ErrTooManyFiles", func(t *testing.T) {
			current, _ := f.db.Activity(ctx, f.org.ID, second.ID)
			for i := 1; i < ptacycle.MaxEvidenceFiles; i++ { // 1 stored already
				if current, err = f.db.ReportProgress(ctx, owner, postgres.Progress{ActivityID: second.ID, Version: current.Version, Status: ptacycle.StatusDone, Evidence: &sheet}); err != nil {
					t.Fatal(err)
				}
			}
			_, err := f.db.ReportProgress(ctx, owner, postgres.Progress{ActivityID: second.ID, Version: current.Version, Status: ptacycle.StatusDone, Evidence: &sheet})
			wantCode(t, err, ptacycle.EINVALID)
			if after, _ := f.db.Activity(ctx, f.org.ID, second.ID); after.Version != current.Version {
				t.Errorf("a refused file moved the activity to version %d", after.Version)
			}
		})
		t.Run("ErrConstraints", func(t *testing.T) { // the last line of defence: a file without content cannot be written
			_, err := f.db.Pool.Exec(ctx, `INSERT INTO evidence_files (organisation_id, activity_id, name, content_type, size, content, sha256)
				VALUES ($1, $2, 'vide.pdf', 'application/pdf', 0, '', repeat('a', 32)::bytea)`, f.org.ID, second.ID)
			if err == nil {
				t.Error("an empty evidence file was stored")
			}
		})
		if withFile.Version != done.Version+1 {
			t.Errorf("version after the report with evidence = %d, want %d", withFile.Version, done.Version+1)
		}
	})
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

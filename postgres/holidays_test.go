package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

func TestHolidays(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t, "cnltp")
	other := mustFixture(t, "autre", f.db)
	national := ptacycle.NewDate(2024, time.August, 7)
	peace := ptacycle.NewDate(2024, time.November, 15)
	auditCount := func() int {
		t.Helper()
		entries, err := f.db.Audit(ctx, f.org.ID, postgres.AuditFilter{Entity: "organisation", Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return len(entries)
	}
	for _, h := range []ptacycle.Holiday{{Day: peace, Name: "Journée nationale de la paix"}, {Day: national, Name: " Fête nationale "}} {
		if err := f.db.SetHoliday(ctx, f.actor, h.Day, h.Name); err != nil {
			t.Fatal(err)
		}
	}
	audited := auditCount()
	if err := f.db.SetHoliday(ctx, f.actor, national, "Fête nationale"); err != nil {
		t.Fatal(err)
	}
	if auditCount() != audited {
		t.Error("setting a holiday again as it is wrote to the audit log")
	}
	list, err := f.db.HolidayList(ctx, f.org.ID, ptacycle.NewDate(2024, time.January, 1), ptacycle.NewDate(2024, time.December, 31))
	if err != nil || len(list) != 2 || list[0] != (ptacycle.Holiday{Day: national, Name: "Fête nationale"}) || list[1].Day != peace {
		t.Fatalf("HolidayList = %+v, %v", list, err)
	}
	if theirs, _ := f.db.HolidayList(ctx, other.org.ID, ptacycle.NewDate(2024, time.January, 1), ptacycle.NewDate(2024, time.December, 31)); len(theirs) != 0 {
		t.Errorf("another organisation sees %d holidays", len(theirs))
	}

	t.Run("ErrInvalid", func(t *testing.T) {
		wantCode(t, f.db.SetHoliday(ctx, f.actor, national, "  "), ptacycle.EINVALID)
		wantCode(t, f.db.SetHoliday(ctx, f.actor, ptacycle.Date{}, "Sans date"), ptacycle.EINVALID)
	})
	t.Run("Delete", func(t *testing.T) {
		wantCode(t, f.db.DeleteHoliday(ctx, other.actor, national), ptacycle.ENOTFOUND) // not theirs
		if err := f.db.DeleteHoliday(ctx, f.actor, national); err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.db.DeleteHoliday(ctx, f.actor, national), ptacycle.ENOTFOUND)
		days, _ := f.db.Holidays(ctx, f.org.ID, national, peace)
		if len(days) != 1 || days[0] != peace {
			t.Errorf("holidays after the removal: %v", days)
		}
		if auditCount() != audited+1 {
			t.Errorf("the removal is not in the audit log")
		}
	})
}

func TestDeadlineDays(t *testing.T) {
	ctx := context.Background()
	f := mustFixture(t, "cnltp")
	if f.org.DeadlineDays != ptacycle.DefaultDeadlineDays() {
		t.Errorf("a new organisation's usual deadlines: %+v", f.org.DeadlineDays)
	}
	january := ptacycle.DeadlineDays{Bilan: ptacycle.MonthDay{Month: time.January, Day: 31}, Recommendations: ptacycle.MonthDay{Month: time.February, Day: 15},
		Submission: ptacycle.MonthDay{Month: time.March, Day: 1}}
	for range 2 { // the second time changes nothing, not even the audit log
		if err := f.db.SetDeadlineDays(ctx, f.actor, january); err != nil {
			t.Fatal(err)
		}
	}
	o, err := f.db.Organisation(ctx, f.org.ID)
	if err != nil || o.DeadlineDays != january {
		t.Errorf("stored deadlines: %+v, %v", o.DeadlineDays, err)
	}
	entries, _ := f.db.Audit(ctx, f.org.ID, postgres.AuditFilter{Entity: "organisation", Limit: 100})
	changes := 0
	for _, e := range entries {
		if e.Action == "deadlines" {
			changes++
		}
	}
	if changes != 1 {
		t.Errorf("%d audit entries for one change", changes)
	}
	t.Run("ErrOrder", func(t *testing.T) {
		late := january
		late.Bilan = ptacycle.MonthDay{Month: time.April, Day: 1}
		wantCode(t, f.db.SetDeadlineDays(ctx, f.actor, late), ptacycle.EINVALID)
		if o, _ := f.db.Organisation(ctx, f.org.ID); o.DeadlineDays != january {
			t.Errorf("a refused change was stored: %+v", o.DeadlineDays)
		}
	})
	t.Run("ErrConstraint", func(t *testing.T) { // the last line of defence
		if _, err := f.db.Pool.Exec(ctx, `UPDATE organisations SET bilan_due = '02-30x' WHERE id = $1`, f.org.ID); err == nil {
			t.Error("a malformed day was stored")
		}
	})
}

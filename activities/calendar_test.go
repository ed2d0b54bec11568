package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/internal/bench"
	"github.com/ptacycle/ptacycle/postgres/pgtest"
)

func TestPreviousWorkingDay(t *testing.T) {
	at := func(m time.Month, d int) time.Time { return time.Date(2024, m, d, 8, 0, 0, 0, time.UTC) }
	independence := ptacycle.NewDate(2024, time.August, 7) // a Wednesday in Côte d'Ivoire
	holidays := []ptacycle.Date{independence, ptacycle.NewDate(2024, time.August, 6)}
	tests := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"Working day unchanged", at(time.June, 12), at(time.June, 12)},
		{"Sunday to Friday", at(time.June, 30), at(time.June, 28)},
		{"Saturday to Friday", at(time.June, 29), at(time.June, 28)},
		{"Holidays to the day before", at(time.August, 7), at(time.August, 5)},
		{"Monday after a weekend stays", at(time.July, 1), at(time.July, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := activities.PreviousWorkingDay(tt.in, holidays); !got.Equal(tt.want) {
				t.Errorf("PreviousWorkingDay(%s) = %s, want %s", tt.in.Format("Mon 02/01"), got.Format("Mon 02/01"), tt.want.Format("Mon 02/01"))
			}
		})
	}
}

// TestShiftInZone: "14 days before" a deadline at 08:00 in Paris is at 08:00
// too, though the clocks changed in between (28 March 2027); counted in 24-hour
// days it drifted to 07:00.
func TestShiftInZone(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database")
	}
	due := time.Date(2027, time.April, 5, 8, 0, 0, 0, paris)
	tests := []struct {
		name  string
		shift time.Duration
		want  time.Time
	}{
		{"Days before, across the change", -14 * 24 * time.Hour, time.Date(2027, time.March, 22, 8, 0, 0, 0, paris)},
		{"Weeks after", 14 * 24 * time.Hour, time.Date(2027, time.April, 19, 8, 0, 0, 0, paris)},
		{"Hours stay hours", -90 * time.Minute, due.Add(-90 * time.Minute)},
		{"Days and hours", -(3*24*time.Hour + time.Hour), time.Date(2027, time.April, 2, 7, 0, 0, 0, paris)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := activities.ShiftInZone(due, tt.shift, paris); !got.Equal(tt.want) {
				t.Errorf("ShiftInZone(%v, %v) = %v, want %v", due, tt.shift, got.In(paris), tt.want)
			}
		})
	}
	if naive := due.Add(-14 * 24 * time.Hour).In(paris); naive.Hour() == 8 {
		t.Fatal("the example no longer crosses a change of time")
	}
}

func TestAddWorkingDays(t *testing.T) {
	friday := ptacycle.NewDate(2024, time.March, 8)
	easterMonday := ptacycle.NewDate(2024, time.April, 1)
	tests := []struct {
		name     string
		from     ptacycle.Date
		n        int
		holidays []ptacycle.Date
		want     ptacycle.Date
	}{
		{"Zero", friday, 0, nil, friday},
		{"Over a weekend", friday, 1, nil, ptacycle.NewDate(2024, time.March, 11)},
		{"Two weeks", friday, 10, nil, ptacycle.NewDate(2024, time.March, 22)},
		{"Over a holiday", ptacycle.NewDate(2024, time.March, 29), 1, []ptacycle.Date{easterMonday}, ptacycle.NewDate(2024, time.April, 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := activities.AddWorkingDays(tt.from, tt.n, tt.holidays); got != tt.want {
				t.Errorf("AddWorkingDays(%v, %d) = %v, want %v", tt.from, tt.n, got, tt.want)
			}
		})
	}
}

// TestApprovalDueWithinTheYear: a level begun in the year's last weeks is
// due by the year's end, not in the next year (the timeline showed the
// validation of a year due after it); begun in time, or after the year
// (recorded afterwards), it keeps its working days.
func TestApprovalDueWithinTheYear(t *testing.T) {
	ctx := context.Background()
	db := pgtest.MustDB(t)
	org, err := bench.LoadOrg(ctx, db, "echeance", 1)
	if err != nil {
		t.Fatal(err)
	}
	acts := &activities.Activities{DB: db, Clock: time.Now}
	loc, err := time.LoadLocation(org.Timezone)
	if err != nil {
		loc = time.UTC
	}
	yearEnd := time.Date(2027, time.January, 1, 0, 0, 0, 0, loc)
	tests := []struct {
		name  string
		since time.Time
		want  time.Time
	}{
		{"InTime", time.Date(2026, time.April, 1, 10, 0, 0, 0, loc), time.Date(2026, time.April, 15, 8, 0, 0, 0, loc)},
		{"InTheLastWeeks", time.Date(2026, time.December, 21, 10, 0, 0, 0, loc), yearEnd},
		{"AfterTheYear", time.Date(2027, time.January, 4, 10, 0, 0, 0, loc), time.Date(2027, time.January, 18, 8, 0, 0, 0, loc)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			due, err := acts.ApprovalDue(ctx, activities.ApprovalDueInput{OrganisationID: org.ID, Since: tt.since, WorkingDays: 10, Hour: 8, Until: yearEnd})
			if err != nil || !due.Equal(tt.want) {
				t.Errorf("ApprovalDue(since %s, 10 working days) = %s, %v; want %s", tt.since, due, err, tt.want)
			}
		})
	}
}

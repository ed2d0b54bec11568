package activities

import (
	"context"
	"time"

	"github.com/ptacycle/ptacycle"
)

// WorkingDayInput is a moment a reminder is due to go out: At, counted from
// the deadline Due (zero for workflows started before Due was sent).
type WorkingDayInput struct {
	OrganisationID int64
	At             time.Time
	Due            time.Time
}

// WorkingDay moves a reminder due on a weekend or a public holiday of the
// organisation to the same hour of the working day before. Its whole days
// from the deadline are counted on the organisation's calendar, so that
// "three days before" keeps the deadline's local hour across a change of
// daylight saving time.
func (a *Activities) WorkingDay(ctx context.Context, in WorkingDayInput) (time.Time, error) {
	_, loc, err := a.organisation(ctx, in.OrganisationID)
	if err != nil {
		return in.At, err
	}
	at := in.At
	if !in.Due.IsZero() {
		at = ShiftInZone(in.Due, in.At.Sub(in.Due), loc)
	}
	local := at.In(loc)
	day := ptacycle.DateOf(local)
	holidays, err := a.DB.Holidays(ctx, in.OrganisationID, day.AddDays(-31), day)
	if err != nil {
		return in.At, domainError(err)
	}
	return PreviousWorkingDay(local, holidays), nil
}

// PreviousWorkingDay returns t, or the same time of the closest earlier day
// that is neither a Saturday, a Sunday nor one of holidays.
func PreviousWorkingDay(t time.Time, holidays []ptacycle.Date) time.Time {
	off := map[ptacycle.Date]bool{}
	for _, h := range holidays {
		off[h] = true
	}
	for range 60 { // a bound: no calendar has two months of holidays
		wd := t.Weekday()
		if wd != time.Saturday && wd != time.Sunday && !off[ptacycle.DateOf(t)] {
			return t
		}
		t = t.AddDate(0, 0, -1)
	}
	return t
}

// ShiftInZone is due moved by shift, its whole days counted as calendar days
// in loc (a day is 23 or 25 hours when the clocks change) and the rest as a duration.
func ShiftInZone(due time.Time, shift time.Duration, loc *time.Location) time.Time {
	days := int(shift / (24 * time.Hour))
	rest := shift - time.Duration(days)*24*time.Hour
	return due.In(loc).AddDate(0, 0, days).Add(rest)
}

// ApprovalDueInput is the start of an approval level and its deadline in working days.
type ApprovalDueInput struct {
	OrganisationID int64
	Since          time.Time
	WorkingDays    int
	Hour           int       // the organisation's usual reminder hour, local time
	Until          time.Time // the year's end: a plan is approved within its year; zero for no bound
}

// ApprovalDue is when an approval level begun at Since is due: WorkingDays
// working days later (weekends and the organisation's holidays skipped), at
// the usual hour, in the organisation's time zone, like the other steps;
// never after Until, the year's end, for a level begun within the year.
func (a *Activities) ApprovalDue(ctx context.Context, in ApprovalDueInput) (time.Time, error) {
	_, loc, err := a.organisation(ctx, in.OrganisationID)
	if err != nil {
		return time.Time{}, err
	}
	start := ptacycle.DateOf(in.Since.In(loc))
	holidays, err := a.DB.Holidays(ctx, in.OrganisationID, start, start.AddDays(3*in.WorkingDays+62))
	if err != nil {
		return time.Time{}, domainError(err)
	}
	due := at(AddWorkingDays(start, in.WorkingDays, holidays), in.Hour, loc)
	if !in.Until.IsZero() && in.Since.Before(in.Until) && due.After(in.Until) {
		due = in.Until // a plan submitted in the year's last weeks is due by its end, not the next year
	}
	return due, nil
}

// AddWorkingDays is the day n working days after day (n ≥ 0): neither a
// Saturday, a Sunday nor one of holidays.
func AddWorkingDays(day ptacycle.Date, n int, holidays []ptacycle.Date) ptacycle.Date {
	off := map[ptacycle.Date]bool{}
	for _, h := range holidays {
		off[h] = true
	}
	for n > 0 {
		day = day.AddDays(1)
		if wd := day.Time().Weekday(); wd != time.Saturday && wd != time.Sunday && !off[day] {
			n--
		}
	}
	return day
}

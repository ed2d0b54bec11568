package activities

import (
	"context"
	"time"

	"github.com/ptacycle/ptacycle"
)

// WorkingDayInput is a moment a reminder is due to go out.
type WorkingDayInput struct {
	OrganisationID int64
	At             time.Time
}

// WorkingDay moves a reminder due on a weekend or a public holiday of the
// organisation to the same hour of the working day before.
func (a *Activities) WorkingDay(ctx context.Context, in WorkingDayInput) (time.Time, error) {
	_, loc, err := a.organisation(ctx, in.OrganisationID)
	if err != nil {
		return in.At, err
	}
	local := in.At.In(loc)
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

package activities_test

import (
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
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

package ptacycle_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
)

func TestParseMonthDay(t *testing.T) {
	for in, want := range map[string]string{"02-15": "02-15", "15/02": "02-15", " 1/3 ": "03-01", "29/02": "02-29", "31/12": "12-31"} {
		got, err := ptacycle.ParseMonthDay(in)
		if err != nil || got.String() != want {
			t.Errorf("ParseMonthDay(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "15", "30/02", "31/04", "00/01", "15/13", "fév", "15-02-2024"} {
		if _, err := ptacycle.ParseMonthDay(in); ptacycle.ErrorCode(err) != ptacycle.EINVALID {
			t.Errorf("ParseMonthDay(%q) = %v, want EINVALID", in, err)
		}
	}
	leap, _ := ptacycle.ParseMonthDay("29/02")
	if leap.In(2025) != ptacycle.NewDate(2025, time.February, 28) || leap.In(2024) != ptacycle.NewDate(2024, time.February, 29) {
		t.Errorf("29 February in 2025 = %s, in 2024 = %s", leap.In(2025), leap.In(2024))
	}
	if first, _ := ptacycle.ParseMonthDay("01/03"); first.French() != "1er mars" || first.English() != "1 March" || first.Short() != "01/03" {
		t.Errorf("1 March in words: %q, %q, %q", first.French(), first.English(), first.Short())
	}
}

func TestDeadlineDays(t *testing.T) {
	d := ptacycle.DefaultDeadlineDays()
	if err := d.Validate(); err != nil || d.In(2024) != ptacycle.DefaultDeadlines(2024) || d.In(2024).Bilan != ptacycle.NewDate(2024, time.February, 15) {
		t.Errorf("the default deadlines: %v, %+v", err, d.In(2024))
	}
	b, err := json.Marshal(d)
	if err != nil || string(b) != `{"bilan":"02-15","recommendations":"02-28","submission":"03-15"}` {
		t.Errorf("JSON = %s, %v", b, err)
	}
	var back ptacycle.DeadlineDays
	if err := json.Unmarshal([]byte(`{"bilan":"31/01","recommendations":"15/02","submission":"01/03"}`), &back); err != nil || back.Submission.French() != "1er mars" {
		t.Errorf("from JSON: %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"bilan":"31/02"}`), &back); err == nil {
		t.Error("31/02 was read")
	}

	swapped := d
	swapped.Recommendations, swapped.Submission = d.Submission, d.Recommendations
	e, ok := swapped.Validate().(*ptacycle.Error)
	if !ok || len(e.Fields) != 1 || e.Fields[0].Field != "submission" ||
		e.Fields[0].Message != "Échéance de soumission du PTA : le 28 février vient avant le 15 mars, échéance de l'étape précédente" ||
		!strings.HasPrefix(e.Fields[0].English, "Plan submission deadline: 28 February comes before 15 March") {
		t.Errorf("swapped deadlines: %+v", e)
	}
	if e, ok := (ptacycle.DeadlineDays{}).Validate().(*ptacycle.Error); !ok || len(e.Fields) != 3 {
		t.Errorf("no deadlines: %+v", e)
	}
}

// TestDeadlinesFromOpening: a year opened after its usual bilan deadline
// moves its three deadlines as late as it opened, keeping their spacing,
// within the year and leaving two weeks for the validation (shrunk when it
// opens too late for that, never past 31 December); a year opened in time,
// or recorded after it ended, keeps the usual ones.
func TestDeadlinesFromOpening(t *testing.T) {
	usual := ptacycle.DefaultDeadlineDays()
	tests := []struct {
		name   string
		opened ptacycle.Date
		want   ptacycle.Deadlines
	}{
		{"OnTime", ptacycle.NewDate(2027, time.January, 1), usual.In(2027)},
		{"BeforeTheYear", ptacycle.NewDate(2026, time.December, 3), usual.In(2027)},
		{"OnTheBilanDeadline", ptacycle.NewDate(2027, time.February, 15), usual.In(2027)},
		{"Late", ptacycle.NewDate(2026, time.June, 1), ptacycle.Deadlines{Bilan: ptacycle.NewDate(2026, time.July, 16),
			Recommendations: ptacycle.NewDate(2026, time.July, 29), Submission: ptacycle.NewDate(2026, time.August, 13)}},
		{"InItsLastMonth", ptacycle.NewDate(2026, time.December, 3), ptacycle.Deadlines{Bilan: ptacycle.NewDate(2026, time.December, 11),
			Recommendations: ptacycle.NewDate(2026, time.December, 14), Submission: ptacycle.NewDate(2026, time.December, 17)}},
		{"InItsLastDays", ptacycle.NewDate(2026, time.December, 26), ptacycle.Deadlines{Bilan: ptacycle.NewDate(2026, time.December, 29),
			Recommendations: ptacycle.NewDate(2026, time.December, 29), Submission: ptacycle.NewDate(2026, time.December, 31)}},
		{"OnItsLastDay", ptacycle.NewDate(2026, time.December, 31), ptacycle.Deadlines{Bilan: ptacycle.NewDate(2026, time.December, 31),
			Recommendations: ptacycle.NewDate(2026, time.December, 31), Submission: ptacycle.NewDate(2026, time.December, 31)}},
		{"RecordedAfterTheYear", ptacycle.NewDate(2026, time.December, 3), usual.In(2025)},
	}
	years := map[string]int{"OnTime": 2027, "BeforeTheYear": 2027, "OnTheBilanDeadline": 2027, "Late": 2026, "InItsLastMonth": 2026,
		"InItsLastDays": 2026, "OnItsLastDay": 2026, "RecordedAfterTheYear": 2025}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := usual.FromOpening(years[tt.name], tt.opened); got != tt.want {
				t.Errorf("FromOpening(%d, %s) = %+v, want %+v", years[tt.name], tt.opened, got, tt.want)
			}
		})
	}
}

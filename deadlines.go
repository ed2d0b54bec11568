package ptacycle

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MonthDay is a day of any year: 15 February. Its text is "02-15".
type MonthDay struct {
	Month time.Month
	Day   int
}

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// ParseMonthDay reads a day of the year as "MM-DD" or as people write it, "JJ/MM". EINVALID.
func ParseMonthDay(s string) (MonthDay, error) {
	s = strings.TrimSpace(s)
	var month, day string
	if m, d, ok := strings.Cut(s, "-"); ok {
		month, day = m, d
	} else if d, m, ok := strings.Cut(s, "/"); ok {
		month, day = m, d
	}
	m, merr := strconv.Atoi(month)
	d, derr := strconv.Atoi(day)
	md := MonthDay{Month: time.Month(m), Day: d}
	if merr != nil || derr != nil || m < 1 || m > 12 || d < 1 || d > md.length() {
		return MonthDay{}, Errorf(EINVALID, "Jour « %s » invalide : écrivez jour/mois, par exemple 15/02", "Invalid day “%s”: write day/month, e.g. 15/02", s)
	}
	return md, nil
}

// length is the number of days of the month in a leap year.
func (m MonthDay) length() int {
	return time.Date(2024, m.Month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func (m MonthDay) String() string { return fmt.Sprintf("%02d-%02d", int(m.Month), m.Day) }

// Short is the day as people write it: 15/02.
func (m MonthDay) Short() string { return fmt.Sprintf("%02d/%02d", m.Day, int(m.Month)) }

// French is the day in words: 15 février (1er mars).
func (m MonthDay) French() string {
	if m.Day == 1 {
		return "1er " + frenchMonths[m.Month-1]
	}
	return fmt.Sprintf("%d %s", m.Day, frenchMonths[m.Month-1])
}

// English is the day in words: 15 February.
func (m MonthDay) English() string { return fmt.Sprintf("%d %s", m.Day, m.Month) }

// Words is the day in words in lang ("en" or French).
func (m MonthDay) Words(lang string) string {
	if lang == "en" {
		return m.English()
	}
	return m.French()
}

// In is the day in year; 29 February is the 28th in a common year.
func (m MonthDay) In(year int) Date {
	last := time.Date(year, m.Month+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return NewDate(year, m.Month, min(m.Day, last))
}

func (m MonthDay) after(o MonthDay) bool {
	return m.Month > o.Month || m.Month == o.Month && m.Day > o.Day
}

// MarshalText writes "MM-DD".
func (m MonthDay) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads what ParseMonthDay reads.
func (m *MonthDay) UnmarshalText(b []byte) error {
	md, err := ParseMonthDay(string(b))
	if err != nil {
		return err
	}
	*m = md
	return nil
}

// DeadlineDays are an organisation's usual deadlines of the human steps,
// which a year's launch takes when it is given none.
type DeadlineDays struct {
	Bilan           MonthDay `json:"bilan" api:"required"`
	Recommendations MonthDay `json:"recommendations" api:"required"`
	Submission      MonthDay `json:"submission" api:"required"`
}

// DefaultDeadlineDays are the usual dates: bilan by 15 February,
// recommendations by 28 February, PTA submitted by 15 March.
func DefaultDeadlineDays() DeadlineDays {
	return DeadlineDays{Bilan: MonthDay{time.February, 15}, Recommendations: MonthDay{time.February, 28}, Submission: MonthDay{time.March, 15}}
}

// In are the deadlines of year.
func (d DeadlineDays) In(year int) Deadlines {
	return Deadlines{Bilan: d.Bilan.In(year), Recommendations: d.Recommendations.In(year), Submission: d.Submission.In(year)}
}

// FromOpening are the deadlines of year for a cycle opened on day opened.
// When the year opens after its usual bilan deadline (a year opened late,
// once earlier years were caught up), the three deadlines move by as many
// days as the opening is late after 1 January, keeping their spacing, so
// that nobody is reminded at once of steps nobody could take yet. They stay
// within the year, with ValidationReserveDays left for the ministry's
// validation before the year ends: a year opened too late for that has its
// steps' spacing shrunk to fit. A year opened after it ended (recorded
// afterwards) keeps its usual deadlines.
func (d DeadlineDays) FromOpening(year int, opened Date) Deadlines {
	usual := d.In(year)
	if opened.Year() != year || !usual.Bilan.Before(opened) {
		return usual
	}
	jan1, yearEnd := NewDate(year, time.January, 1), NewDate(year, time.December, 31)
	late := jan1.DaysUntil(opened)
	moved := Deadlines{Bilan: usual.Bilan.AddDays(late), Recommendations: usual.Recommendations.AddDays(late), Submission: usual.Submission.AddDays(late)}
	left := opened.DaysUntil(yearEnd)
	window := left - ValidationReserveDays
	if window < 3 { // no room for a validation period: the steps share what is left
		window = left
	}
	if opened.DaysUntil(moved.Submission) <= window {
		return moved
	}
	// The usual offsets of the three steps from 1 January, shrunk into the window from the opening.
	span := jan1.DaysUntil(usual.Submission)
	at := func(day Date) Date { return opened.AddDays(jan1.DaysUntil(day) * window / max(span, 1)) }
	return Deadlines{Bilan: at(usual.Bilan), Recommendations: at(usual.Recommendations), Submission: opened.AddDays(window)}
}

// ValidationReserveDays are the days a year opened late keeps for the
// ministry's validation between its submission deadline and its end.
const ValidationReserveDays = 14

// Validate checks each day and their order: bilan, then recommendations, then submission.
func (d DeadlineDays) Validate() error {
	var v Validation
	days := []struct {
		field, french, english string
		day                    MonthDay
	}{
		{"bilan", "Échéance du bilan", "Review deadline", d.Bilan},
		{"recommendations", "Échéance des recommandations", "Recommendations deadline", d.Recommendations},
		{"submission", "Échéance de soumission du PTA", "Plan submission deadline", d.Submission},
	}
	for i, x := range days {
		if _, err := ParseMonthDay(x.day.String()); err != nil {
			v.Add(x.field, "%[1]s : jour manquant ou invalide", "%[2]s: missing or invalid day", x.french, x.english)
			continue
		}
		if i > 0 && days[i-1].day.after(x.day) {
			prev := days[i-1].day
			v.Add(x.field, "%[1]s : le %[3]s vient avant le %[4]s, échéance de l'étape précédente", "%[2]s: %[5]s comes before %[6]s, the previous step's deadline",
				x.french, x.english, x.day.French(), prev.French(), x.day.English(), prev.English())
		}
	}
	return v.Err()
}

package demo

import (
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
)

func TestHolidays(t *testing.T) {
	for year, want := range map[int]ptacycle.Date{ // Easter Monday, as published
		2023: ptacycle.NewDate(2023, time.April, 10),
		2024: ptacycle.NewDate(2024, time.April, 1),
		2025: ptacycle.NewDate(2025, time.April, 21),
		2026: ptacycle.NewDate(2026, time.April, 6),
	} {
		got := map[string]ptacycle.Date{}
		for _, h := range Holidays(year) {
			got[h.Name] = h.Day
		}
		if got["Lundi de Pâques"] != want || got["Ascension"] != want.AddDays(38) || got["Lundi de Pentecôte"] != want.AddDays(49) {
			t.Errorf("%d: Easter Monday %s, Ascension %s, Whit Monday %s; want Easter Monday %s", year, got["Lundi de Pâques"], got["Ascension"], got["Lundi de Pentecôte"], want)
		}
		if got["Fête nationale"] != ptacycle.NewDate(year, time.August, 7) || len(got) != 10 {
			t.Errorf("%d: %v", year, got)
		}
	}
}

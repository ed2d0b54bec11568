package demo

import (
	"context"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

// holidayYears are the years whose public holidays the demo loads.
var holidayYears = []int{2023, 2024, 2025, 2026, 2027}

// Holidays are Côte d'Ivoire's public holidays of year that a calendar can
// compute: those of a fixed date, and those that follow Easter. The Muslim
// holidays (Korité, Tabaski, Maouloud, Nuit du Destin) are set each year by
// decree, once the moon is sighted: an administrator adds them when announced.
func Holidays(year int) []ptacycle.Holiday {
	fixed := func(m time.Month, d int, name string) ptacycle.Holiday {
		return ptacycle.Holiday{Day: ptacycle.NewDate(year, m, d), Name: name}
	}
	easter := easterSunday(year)
	return []ptacycle.Holiday{
		fixed(time.January, 1, "Jour de l'an"),
		{Day: easter.AddDays(1), Name: "Lundi de Pâques"},
		fixed(time.May, 1, "Fête du travail"),
		{Day: easter.AddDays(39), Name: "Ascension"},
		{Day: easter.AddDays(50), Name: "Lundi de Pentecôte"},
		fixed(time.August, 7, "Fête nationale"),
		fixed(time.August, 15, "Assomption"),
		fixed(time.November, 1, "Toussaint"),
		fixed(time.November, 15, "Journée nationale de la paix"),
		fixed(time.December, 25, "Noël"),
	}
}

// easterSunday is the date of Easter in the Gregorian calendar (the
// anonymous algorithm of Meeus, Jones and Butcher).
func easterSunday(year int) ptacycle.Date {
	a, b, c := year%19, year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return ptacycle.NewDate(year, time.Month(month), day)
}

// loadHolidays records the computable holidays of holidayYears; those
// already there are left as they are.
func loadHolidays(ctx context.Context, db *postgres.DB, actor ptacycle.Actor) error {
	for _, year := range holidayYears {
		for _, h := range Holidays(year) {
			if err := db.SetHoliday(ctx, actor, h.Day, h.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

package ptacycle_test

import (
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
)

func TestParseAmountXOF(t *testing.T) {
	for in, want := range map[string]int64{
		"": 0, "2500000": 2_500_000, "2 500 000": 2_500_000, "2\u00a0500\u202f000": 2_500_000, "2.500.000": 2_500_000,
		"2,500,000": 2_500_000, "2 500 000 FCFA": 2_500_000, "750000 F CFA": 750_000, "1000 XOF": 1000, "15 000 F": 15_000, "0": 0,
	} {
		if got, err := ptacycle.ParseAmountXOF(in); err != nil || got != want {
			t.Errorf("ParseAmountXOF(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, message := range map[string]string{
		"2,5":                  "montant 2,5 : les FCFA n'ont pas de décimales",
		"1.234,50":             "montant 1.234,50 : les FCFA n'ont pas de décimales",
		"-1 000":               "budget négatif (-1 000)",
		"deux millions":        "budget « deux millions » illisible : écrivez un nombre entier de FCFA",
		"12x":                  "budget « 12x » illisible : écrivez un nombre entier de FCFA",
		"99999999999999999999": "budget 99999999999999999999 trop élevé",
	} {
		_, err := ptacycle.ParseAmountXOF(in)
		if ptacycle.ErrorCode(err) != ptacycle.EINVALID || err.Error() != message {
			t.Errorf("ParseAmountXOF(%q) error = %v, want %q", in, err, message)
		}
	}
}

func TestQuarterDates(t *testing.T) {
	for q, want := range map[int][2]ptacycle.Date{
		1: {ptacycle.NewDate(2024, time.January, 1), ptacycle.NewDate(2024, time.March, 31)},
		2: {ptacycle.NewDate(2024, time.April, 1), ptacycle.NewDate(2024, time.June, 30)},
		4: {ptacycle.NewDate(2024, time.October, 1), ptacycle.NewDate(2024, time.December, 31)},
	} {
		if first, last := ptacycle.QuarterDates(2024, q); first != want[0] || last != want[1] {
			t.Errorf("QuarterDates(2024, %d) = %s, %s", q, first, last)
		}
	}
}

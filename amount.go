package ptacycle

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

var (
	wholeAmount     = regexp.MustCompile(`^\d+$`)
	groupedByDots   = regexp.MustCompile(`^\d{1,3}(\.\d{3})+$`)
	groupedByCommas = regexp.MustCompile(`^\d{1,3}(,\d{3})+$`)
	decimalAmount   = regexp.MustCompile(`^[\d.,]*\d[.,]\d+$`)
	currencySuffix  = regexp.MustCompile(`(?i)\s*(f\s*cfa|xof|cfa|f)$`)
)

// MaxAmountXOF is the largest amount accepted: what a spreadsheet's numbers hold exactly.
const MaxAmountXOF = 1 << 53

// ParseAmountXOF reads an amount in CFA francs as people type it: 2 500 000,
// 2.500.000, 2,500,000, 2500000 FCFA; "" is 0. The franc has no subunit, so
// decimals are refused, as are negative amounts. EINVALID, naming s.
func ParseAmountXOF(s string) (int64, error) {
	text := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, currencySuffix.ReplaceAllString(strings.TrimSpace(s), ""))
	if text == "" {
		return 0, nil
	}
	negative := strings.HasPrefix(text, "-") || strings.HasPrefix(text, "−")
	text = strings.TrimLeft(text, "-−")
	switch {
	case wholeAmount.MatchString(text):
	case groupedByDots.MatchString(text):
		text = strings.ReplaceAll(text, ".", "")
	case groupedByCommas.MatchString(text):
		text = strings.ReplaceAll(text, ",", "")
	case decimalAmount.MatchString(text):
		return 0, Errorf(EINVALID, "montant %s : les FCFA n'ont pas de décimales", "amount %s: XOF has no decimals", s)
	default:
		return 0, Errorf(EINVALID, "budget « %s » illisible : écrivez un nombre entier de FCFA", "unreadable budget “%s”: write a whole number of XOF", s)
	}
	amount, err := strconv.ParseInt(text, 10, 64)
	switch {
	case err != nil || amount > MaxAmountXOF:
		return 0, Errorf(EINVALID, "budget %s trop élevé", "budget %s is too large", s)
	case negative && amount > 0:
		return 0, Errorf(EINVALID, "budget négatif (%s)", "negative budget (%s)", s)
	}
	return amount, nil
}

// QuarterDates are the first and last days of quarter q (1–4) of year.
func QuarterDates(year, q int) (first, last Date) {
	return NewDate(year, time.Month(3*q-2), 1), NewDate(year, time.Month(3*q+1), 1).AddDays(-1)
}

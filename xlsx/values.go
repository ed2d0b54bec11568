package xlsx

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ptacycle/ptacycle"
)

// Dates outside these years are typing mistakes (a year typed as a number becomes 1905).
const (
	firstYear = 2000
	lastYear  = 2100
)

var (
	dayFirstDate = regexp.MustCompile(`^(\d{1,2})([/-])(\d{1,2})([/-])(\d{4})$`)
	// A cell typed as a date in the XML carries an ISO date, possibly with a time.
	isoDate = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.,Z+-]*)?$`)
)

// excelEpoch is day 0 of Excel's 1900 date system, for the dates after February 1900.
var excelEpoch = time.Date(1899, time.December, 30, 0, 0, 0, 0, time.UTC)

// excelSerial is the number Excel stores for d.
func excelSerial(d ptacycle.Date) int {
	return int(d.Time().Sub(excelEpoch).Hours() / 24)
}

// parseDate reads a date cell: an Excel serial number or a French or ISO date written as text.
func parseDate(s string, date1904 bool) (ptacycle.Date, error) {
	invalid := func(shown string) error {
		return ptacycle.Errorf(ptacycle.EINVALID, "date %s invalide", "invalid date %s", shown)
	}
	if serial, err := strconv.ParseFloat(s, 64); err == nil {
		if !(serial >= 1 && serial < 2958466) { // 2958466 is 1 January 10000
			return ptacycle.Date{}, invalid(s)
		}
		t, err := excelize.ExcelDateToTime(serial, date1904)
		if err != nil {
			return ptacycle.Date{}, invalid(s)
		}
		d := ptacycle.NewDate(t.Date())
		if d.Year() < firstYear || d.Year() > lastYear {
			return ptacycle.Date{}, invalid(d.French())
		}
		return d, nil
	}
	var y, m, d string
	if p := dayFirstDate.FindStringSubmatch(s); p != nil && p[2] == p[4] {
		d, m, y = p[1], p[3], p[5]
	} else if p := isoDate.FindStringSubmatch(s); p != nil {
		y, m, d = p[1], p[2], p[3]
	} else {
		return ptacycle.Date{}, ptacycle.Errorf(ptacycle.EINVALID, "date « %s » illisible : écrivez-la jj/mm/aaaa", "unreadable date “%s”: write it dd/mm/yyyy", s)
	}
	year, _ := strconv.Atoi(y) // the patterns hold digits only
	month, _ := strconv.Atoi(m)
	day, _ := strconv.Atoi(d)
	date := ptacycle.NewDate(year, time.Month(month), day)
	if date.Year() != year || int(date.Time().Month()) != month || date.Time().Day() != day || year < firstYear || year > lastYear {
		return ptacycle.Date{}, invalid(s)
	}
	return date, nil
}

// parseBudget reads an amount in FCFA: a number cell, or text whose thousands
// are separated by spaces, dots or commas. FCFA has no subunit, so decimals are refused.
func parseBudget(s string, numberCell bool) (int64, error) {
	if numberCell {
		unreadable := ptacycle.Errorf(ptacycle.EINVALID, "budget « %s » illisible : écrivez un nombre entier de FCFA", "unreadable budget “%s”: write a whole number of XOF", s)
		decimals := ptacycle.Errorf(ptacycle.EINVALID, "montant %s : les FCFA n'ont pas de décimales", "amount %s: XOF has no decimals", s)
		negative := ptacycle.Errorf(ptacycle.EINVALID, "budget négatif (%s)", "negative budget (%s)", s)
		tooLarge := ptacycle.Errorf(ptacycle.EINVALID, "budget %s trop élevé", "budget %s is too large", s)
		amount, err := strconv.ParseFloat(s, 64)
		switch {
		case (err != nil && !errors.Is(err, strconv.ErrRange)) || math.IsNaN(amount):
			return 0, unreadable
		case amount < 0:
			return 0, negative
		case math.Abs(amount) > ptacycle.MaxAmountXOF || err != nil:
			return 0, tooLarge
		case amount != math.Trunc(amount):
			return 0, decimals
		}
		return int64(amount), nil
	}
	return ptacycle.ParseAmountXOF(s)
}

var quarterPattern = regexp.MustCompile(`^(?:t|q|trimestre)?([1-4])(?:er|e|eme|nd)?(?:trimestre)?$`)

// parseQuarter reads T1 to T4, also written Q2, 1er trimestre, trimestre 3.
func parseQuarter(s string) (int, error) {
	p := quarterPattern.FindStringSubmatch(headerKey(s))
	if p == nil {
		return 0, ptacycle.Errorf(ptacycle.EINVALID, "trimestre « %s » inconnu (T1 à T4)", "unknown quarter “%s” (T1 to T4)", s)
	}
	return int(p[1][0] - '0'), nil
}

// parseYesNo reads the Illustratif column.
func parseYesNo(s string) (bool, error) {
	switch fold(s) {
	case "", "non", "no", "n", "0", "false", "faux":
		return false, nil
	case "oui", "yes", "o", "y", "x", "1", "true", "vrai":
		return true, nil
	}
	return false, ptacycle.Errorf(ptacycle.EINVALID, "valeur « %s » non reconnue : écrivez oui ou non", "unrecognised value “%s”: write oui or non", s)
}

// splitList cuts a cell listing several names; commas split only the pieces
// that are not a name themselves, since some names hold a comma.
func splitList(s string, isName func(string) bool) []string {
	var names []string
	for _, piece := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' || r == '\r' }) {
		piece = strings.TrimSpace(piece)
		switch {
		case piece == "":
		case isName(piece) || !strings.Contains(piece, ","):
			names = append(names, piece)
		default:
			for _, name := range strings.Split(piece, ",") {
				if name = strings.TrimSpace(name); name != "" {
					names = append(names, name)
				}
			}
		}
	}
	return names
}

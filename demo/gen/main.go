// Command gen writes the demo's plan workbooks (pta-2023.xlsx, pta-2024.xlsx)
// as a coordinator would fill them in Excel: some dates typed as text, some
// budgets with spaces, units by acronym. Run it with `go generate ./demo`.
//
// The article behind the seed scenario names the 2023 plan's main actions
// (the five regional cells, capacity building, awareness campaigns) and the
// three recommendations of the 2024 bilan, not the 2024 activities: every
// title it does not name is marked illustrative in the Illustratif column.
package main

import (
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

type activity struct {
	title, unit, partners, regions string
	quarter                        int
	budget                         int // millions of FCFA
	deliverable                    string
	named                          bool // named by the article: not illustrative
}

type action struct {
	axis, title string
	activities  []activity
}

var header = []string{"Axe", "Code action", "Action", "Code activité", "Activité", "Structure responsable", "Partenaires", "Régions",
	"Début", "Échéance", "Trimestre", "Budget (FCFA)", "Source de financement", "Indicateur", "Cible", "Livrable", "Illustratif"}

var quarterEnd = [5]string{"", "31/03", "30/06", "30/09", "15/12"}

func main() {
	for _, f := range []struct {
		name    string
		year    int
		actions []action
	}{{"pta-2023.xlsx", 2023, plan2023}, {"pta-2024.xlsx", 2024, plan2024}} {
		if err := write(f.name, f.year, f.actions); err != nil {
			log.Fatal(err)
		}
	}
}

func write(name string, year int, actions []action) error {
	x := excelize.NewFile()
	defer x.Close()
	const sheet = "PTA"
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	if err := x.SetSheetRow(sheet, "A1", &header); err != nil {
		return err
	}
	dateStyle, err := x.NewStyle(&excelize.Style{NumFmt: 14, CustomNumFmt: ptr("dd/mm/yyyy")})
	if err != nil {
		return err
	}
	row, n := 2, 0
	for i, ac := range actions {
		axisN := strings.TrimPrefix(ac.axis, "A")
		actionCode := fmt.Sprintf("%s.%d", axisN, countBefore(actions, i)+1)
		for j, a := range ac.activities {
			n++
			code := fmt.Sprintf("%s.%d", actionCode, j+1)
			funding := "État de Côte d'Ivoire"
			if strings.Contains(a.partners, "EF-ALTP") || a.unit == "EF-ALTP" {
				funding = "Expertise France (projet ALTP)"
			}
			illustrative := "oui"
			if a.named {
				illustrative = ""
			}
			cells := []any{ac.axis, actionCode, ac.title, code, a.title, a.unit, a.partners, a.regions,
				nil, nil, nil, nil, funding, "Activité réalisée et justifiée", "100 %", a.deliverable, illustrative}
			// A third of the rows carry a quarter only, a third text dates, a third Excel dates, as people type them.
			switch n % 3 {
			case 0:
				cells[10] = fmt.Sprintf("T%d", a.quarter)
			case 1:
				cells[8] = fmt.Sprintf("01/%02d/%d", 3*a.quarter-2, year)
				cells[9] = fmt.Sprintf("%s/%d", quarterEnd[a.quarter], year)
			}
			if n%4 == 0 {
				cells[11] = spaced(a.budget * 1_000_000)
			} else {
				cells[11] = a.budget * 1_000_000
			}
			cell, _ := excelize.CoordinatesToCellName(1, row)
			if err := x.SetSheetRow(sheet, cell, &cells); err != nil {
				return err
			}
			if n%3 == 2 {
				if err := excelDates(x, sheet, row, year, a.quarter, dateStyle); err != nil {
					return err
				}
			}
			row++
		}
	}
	return x.SaveAs(name)
}

func excelDates(x *excelize.File, sheet string, row, year, quarter, style int) error {
	start, _ := excelize.CoordinatesToCellName(9, row)
	due, _ := excelize.CoordinatesToCellName(10, row)
	var d, m int
	fmt.Sscanf(quarterEnd[quarter], "%d/%d", &d, &m)
	if err := x.SetCellValue(sheet, start, mustDate(year, 3*quarter-2, 1)); err != nil {
		return err
	}
	if err := x.SetCellValue(sheet, due, mustDate(year, m, d)); err != nil {
		return err
	}
	return x.SetCellStyle(sheet, start, due, style)
}

func countBefore(actions []action, i int) int {
	n := 0
	for _, a := range actions[:i] {
		if a.axis == actions[i].axis {
			n++
		}
	}
	return n
}

// spaced writes a budget as people type it: 2 500 000.
func spaced(v int) string {
	s := fmt.Sprint(v)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func ptr[T any](v T) *T { return &v }

func mustDate(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

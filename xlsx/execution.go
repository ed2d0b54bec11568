package xlsx

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/ptacycle/ptacycle"
)

// Sheets of the execution export.
const (
	ExecutionSheet = "Exécution"
	TotalsSheet    = "Totaux"
)

// Group names of the activities without axis or responsible unit.
const (
	noAxis = "Sans axe"
	noUnit = "Sans structure"
)

// executionColumns are the columns of the sheet Exécution.
var executionColumns = []struct {
	header string
	width  float64
	date   bool
}{
	{"Axe", 8, false}, {"Code action", 12, false}, {"Code activité", 12, false}, {"Activité", 50, false},
	{"Structure responsable", 28, false}, {"Échéance", 12, true}, {"Statut", 14, false}, {"Avancement (%)", 13, false},
	{"Dernière mise à jour", 14, true}, {"En retard", 10, false}, {"Justificatifs", 40, false},
}

var totalsHeaders = []any{"Prévues", "Réalisées", "Annulées", "Taux d'exécution", "Avancement moyen", "En retard"}

var (
	percentStyle = excelize.Style{NumFmt: 9} // 0%
	// Average progress keeps the dashboard's one decimal.
	progressStyle = excelize.Style{CustomNumFmt: ptr("0.0%")}
	boldStyle     = excelize.Style{Font: &excelize.Font{Bold: true}}
)

// lateCounts counts the overdue activities by axis, by unit, and in all.
type lateCounts struct {
	byAxis, byUnit map[string]int
	all            int
}

func (l *lateCounts) add(axis, unit string) {
	if l.byAxis == nil {
		l.byAxis, l.byUnit = map[string]int{}, map[string]int{}
	}
	l.byAxis[axis]++
	l.byUnit[unit]++
	l.all++
}

// overdue reports whether a is late on asOf: not finished, and its due date
// (the new one when postponed) is past.
func overdue(a ptacycle.Activity, asOf ptacycle.Date) bool {
	if a.Status.Finished() {
		return false
	}
	due := a.DueDate
	if a.Status == ptacycle.StatusPostponed && !a.PostponedTo.IsZero() {
		due = a.PostponedTo
	}
	return !due.IsZero() && due.Before(asOf)
}

// ExportExecution writes the plan's execution as of asOf, ready to print:
// the sheet Exécution lists every activity with its status and whether it is
// overdue; the sheet Totaux gives, by axis and by unit, the activities planned
// and done and the execution rate, computed as the dashboard computes them.
func ExportExecution(w io.Writer, ref Reference, asOf ptacycle.Date, actions []ptacycle.Action, activities []ptacycle.Activity, evidenceFiles map[int64]int) error {
	b := newBook(ExecutionSheet)
	b.newSheet(TotalsSheet)
	title := fmt.Sprintf("Exécution du PTA %d au %s", ref.Year, asOf.French())
	names := newNames(ref)
	lines := planLines(actions, activities)

	const sheet = ExecutionSheet
	b.row(sheet, 1, 1, title)
	b.check(b.SetCellStyle(sheet, "A1", "A1", b.style(&titleStyle)))
	text, date, header := b.style(&textStyle), b.style(&dateStyle), b.style(&headerStyle)
	for i, c := range executionColumns {
		b.width(sheet, i+1, c.width)
		style := text
		if c.date {
			style = date
		}
		b.check(b.SetColStyle(sheet, columnName(i+1), style))
		b.row(sheet, i+1, 2, c.header)
	}
	last := columnName(len(executionColumns))
	b.check(b.SetCellStyle(sheet, "A2", last+"2", header))
	items := make([]ptacycle.RateItem, 0, len(lines))
	var late lateCounts
	for i, line := range lines {
		a := line.activity
		axis, unit := names.axisLabel(line.action.AxisID), names.unitName(a.ResponsibleUnitID)
		if unit == "" {
			unit = noUnit
		}
		items = append(items, ptacycle.RateItem{Status: a.Status, Progress: a.Progress, Axis: axis, Unit: unit})
		lateMark := ""
		if overdue(a, asOf) {
			lateMark = "oui"
			late.add(axis, unit)
		}
		var updated any
		if !a.UpdatedAt.IsZero() {
			updated = excelSerial(ptacycle.DateOf(a.UpdatedAt))
		}
		b.row(sheet, 1, i+3, names.axisCode(line.action.AxisID), line.action.Code, a.Code, a.Title, names.unitName(a.ResponsibleUnitID),
			serialOrEmpty(a.DueDate), a.Status.Label().FR, a.Progress, updated, lateMark, evidenceCell(evidenceFiles[a.ID], a.EvidenceURL))
	}
	b.freezeRows(sheet, 2)
	b.check(b.AutoFilter(sheet, fmt.Sprintf("A2:%s%d", last, len(lines)+2), nil))
	b.check(b.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$1:$2", sheet), Scope: sheet}))
	b.printOnA4(sheet, "landscape")

	writeTotals(b, title, ref, ptacycle.ComputeBreakdown(items), late)
	return b.writeTo(w)
}

// axisLabel names an axis in the totals: its code and title, or noAxis.
func (n names) axisLabel(id *int64) string {
	if id == nil {
		return noAxis
	}
	a, ok := n.axes[*id]
	if !ok {
		return noAxis
	}
	return a.Code + " – " + a.Title
}

// writeTotals writes the rates by axis (in the strategy's order) and by unit (by name), each group without axis or unit last.
func writeTotals(b *book, title string, ref Reference, rates ptacycle.RateBreakdown, late lateCounts) {
	const sheet = TotalsSheet
	b.row(sheet, 1, 1, title)
	b.check(b.SetCellStyle(sheet, "A1", "A1", b.style(&titleStyle)))
	header, bold, percent, progress := b.style(&headerStyle), b.style(&boldStyle), b.style(&percentStyle), b.style(&progressStyle)
	for col, width := range []float64{50, 10, 10, 10, 14, 14, 10} {
		b.width(sheet, col+1, width)
	}
	b.check(b.SetColStyle(sheet, "E", percent))
	b.check(b.SetColStyle(sheet, "F", progress))

	axisOrder := map[string]int{}
	names := newNames(ref)
	for i, a := range sortedAxes(ref) {
		axisOrder[names.axisLabel(&a.ID)] = i
	}
	byAxis := slices.Clone(rates.ByAxis)
	slices.SortStableFunc(byAxis, func(x, y ptacycle.GroupRate) int {
		return cmp.Or(cmp.Compare(lastIf(x.Key, noAxis), lastIf(y.Key, noAxis)), cmp.Compare(axisOrder[x.Key], axisOrder[y.Key]))
	})
	byUnit := slices.Clone(rates.ByUnit)
	slices.SortStableFunc(byUnit, func(x, y ptacycle.GroupRate) int {
		return cmp.Or(cmp.Compare(lastIf(x.Key, noUnit), lastIf(y.Key, noUnit)), strings.Compare(fold(x.Key), fold(y.Key)))
	})

	row := 3
	table := func(heading, groupHeader string, groups []ptacycle.GroupRate, lateByGroup map[string]int) {
		b.row(sheet, 1, row, heading)
		b.check(b.SetCellStyle(sheet, fmt.Sprintf("A%d", row), fmt.Sprintf("A%d", row), bold))
		row++
		b.row(sheet, 1, row, append([]any{groupHeader}, totalsHeaders...)...)
		b.check(b.SetCellStyle(sheet, fmt.Sprintf("A%d", row), fmt.Sprintf("G%d", row), header))
		row++
		for _, g := range groups {
			writeRate(b, row, g.Key, g.Rate, lateByGroup[g.Key])
			row++
		}
		writeRate(b, row, "Total", rates.Overall, late.all)
		b.check(b.SetCellStyle(sheet, fmt.Sprintf("A%d", row), fmt.Sprintf("D%d", row), bold))
		row += 2
	}
	table("Par axe", "Axe", byAxis, late.byAxis)
	table("Par structure", "Structure responsable", byUnit, late.byUnit)
	b.row(sheet, 1, row, ptacycle.RateFormula.FR)
	b.printOnA4(sheet, "landscape")
}

func writeRate(b *book, row int, label string, r ptacycle.Rate, late int) {
	b.row(TotalsSheet, 1, row, label, r.Planned, r.Done, r.Cancelled, r.Percent/100, r.AverageProgress/100, late)
}

// lastIf sorts the group named last after the others.
func lastIf(key, last string) int {
	if key == last {
		return 1
	}
	return 0
}

// printOnA4 prints sheet across the width of A4 pages in orientation ("portrait", "landscape").
func (b *book) printOnA4(sheet, orientation string) {
	b.check(b.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: ptr(true)}))
	b.check(b.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Size:        ptr(9), // A4
		Orientation: ptr(orientation),
		FitToWidth:  ptr(1),
		FitToHeight: ptr(0), // as many pages down as needed
	}))
}

// evidenceCell says what backs an activity's report: the files attached in
// the application, and the latest link given.
func evidenceCell(files int, link string) string {
	var parts []string
	if files > 0 {
		parts = append(parts, fmt.Sprintf("%d fichier(s) dans ptacycle", files))
	}
	if link != "" {
		parts = append(parts, link)
	}
	return strings.Join(parts, " ; ")
}

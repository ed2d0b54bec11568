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

// Sheets of the import template besides the PTA sheet.
const (
	instructionsSheet = "Mode d'emploi"
	referenceSheet    = "Référentiels"
)

// book chains excelize calls on a workbook, keeping the first error.
type book struct {
	*excelize.File
	err error
}

func newBook(firstSheet string) *book {
	b := &book{File: excelize.NewFile()}
	b.check(b.SetSheetName(b.GetSheetName(0), firstSheet))
	return b
}

func (b *book) check(err error) {
	if b.err == nil {
		b.err = err
	}
}

func (b *book) newSheet(name string) {
	_, err := b.NewSheet(name)
	b.check(err)
}

func (b *book) style(s *excelize.Style) int {
	id, err := b.NewStyle(s)
	b.check(err)
	return id
}

// row writes values from cell (col, row) rightwards.
func (b *book) row(sheet string, col, row int, values ...any) {
	cell, err := excelize.CoordinatesToCellName(col, row)
	b.check(err)
	if err == nil {
		b.check(b.SetSheetRow(sheet, cell, &values))
	}
}

func (b *book) width(sheet string, col int, width float64) {
	name := columnName(col)
	b.check(b.SetColWidth(sheet, name, name, width))
}

// freezeRows keeps the first rows in view while scrolling.
func (b *book) freezeRows(sheet string, rows int) {
	topLeft, _ := excelize.CoordinatesToCellName(1, rows+1) // rows is a small constant
	b.check(b.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: rows, TopLeftCell: topLeft, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: topLeft, ActiveCell: topLeft, Pane: "bottomLeft"}}}))
}

// writeTo writes the workbook to w, unless an earlier call failed.
func (b *book) writeTo(w io.Writer) error {
	defer b.Close()
	if b.err != nil {
		return b.err
	}
	return b.Write(w)
}

var (
	headerStyle = excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F1"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"},
		Border:    []excelize.Border{{Type: "bottom", Color: "7F7F7F", Style: 1}},
	}
	titleStyle = excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}
	textStyle  = excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}
	dateStyle  = excelize.Style{CustomNumFmt: ptr("dd/mm/yyyy"), Alignment: &excelize.Alignment{Vertical: "top"}}
	// #,##0 shows the reader's thousands separator: a space in French.
	amountStyle = excelize.Style{CustomNumFmt: ptr("#,##0"), Alignment: &excelize.Alignment{Vertical: "top"}}
)

func ptr[T any](v T) *T { return &v }

// Template writes the empty import workbook for ref to w: the PTA sheet with
// its header, lists to pick axes, units and quarters from, and formats for
// dates and amounts; the instructions, with an example row; the reference
// lists. Its PTA sheet has no row: imported as is, it holds no activity.
func Template(w io.Writer, ref Reference) error {
	return newPlanBook(ref).writeTo(w)
}

// ExportPlan writes the plan with the template's sheets and columns, so that
// Parse reads back the same actions and activities. Rows follow the actions'
// positions (then codes), and the activities' codes within an action.
func ExportPlan(w io.Writer, ref Reference, actions []ptacycle.Action, activities []ptacycle.Activity) error {
	b := newPlanBook(ref)
	names := newNames(ref)
	for i, line := range planLines(actions, activities) {
		a, action := line.activity, line.action
		values := make([]any, columnCount)
		values[colAxis] = names.axisCode(action.AxisID)
		values[colActionCode], values[colActionTitle] = action.Code, action.Title
		values[colActivityCode], values[colActivityTitle] = a.Code, a.Title
		values[colResponsible] = names.unitName(a.ResponsibleUnitID)
		values[colPartners] = names.unitNames(a.PartnerUnitIDs)
		values[colRegions] = names.regionNames(a.RegionIDs)
		values[colStart], values[colDue] = serialOrEmpty(a.StartDate), serialOrEmpty(a.DueDate)
		values[colBudget] = a.BudgetXOF
		values[colFunding], values[colIndicator], values[colTarget], values[colDeliverable] = a.FundingSource, a.Indicator, a.Target, a.Deliverable
		if a.Illustrative {
			values[colIllustrative] = "oui"
		}
		b.row(SheetName, 1, i+2, values...)
	}
	return b.writeTo(w)
}

// serialOrEmpty is what a date cell holds: Excel's day number, which the column's format shows as jj/mm/aaaa.
func serialOrEmpty(d ptacycle.Date) any {
	if d.IsZero() {
		return nil
	}
	return excelSerial(d)
}

// planLine is an activity with its action, in the order exports list them.
type planLine struct {
	action   ptacycle.Action
	activity ptacycle.Activity
}

// planLines orders activities by their action's position and code, then by
// code; an activity whose action is not given comes last, without action.
func planLines(actions []ptacycle.Action, activities []ptacycle.Activity) []planLine {
	byID := map[int64]ptacycle.Action{}
	for _, a := range actions {
		byID[a.ID] = a
	}
	lines := make([]planLine, 0, len(activities))
	for _, a := range activities {
		lines = append(lines, planLine{action: byID[a.ActionID], activity: a})
	}
	slices.SortStableFunc(lines, func(x, y planLine) int {
		_, xKnown := byID[x.activity.ActionID]
		_, yKnown := byID[y.activity.ActionID]
		if xKnown != yKnown {
			if xKnown {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(x.action.Position, y.action.Position), cmp.Compare(x.action.Code, y.action.Code),
			cmp.Compare(x.activity.Code, y.activity.Code))
	})
	return lines
}

// names writes the organisation's axes, units and regions as the import reads them.
type names struct {
	axes    map[int64]ptacycle.Axis
	units   map[int64]ptacycle.Unit
	regions map[int64]string
}

func newNames(ref Reference) names {
	n := names{axes: map[int64]ptacycle.Axis{}, units: map[int64]ptacycle.Unit{}, regions: map[int64]string{}}
	for _, a := range ref.Axes {
		n.axes[a.ID] = a
	}
	for _, u := range ref.Units {
		n.units[u.ID] = u
	}
	for _, r := range ref.Regions {
		n.regions[r.ID] = r.Name
	}
	return n
}

func (n names) axisCode(id *int64) string {
	if id == nil {
		return ""
	}
	return n.axes[*id].Code
}

func (n names) unitName(id *int64) string {
	if id == nil {
		return ""
	}
	return n.units[*id].Name
}

func (n names) unitNames(ids []int64) string {
	list := make([]string, 0, len(ids))
	for _, id := range ids {
		if name := n.units[id].Name; name != "" {
			list = append(list, name)
		}
	}
	return strings.Join(list, "; ")
}

func (n names) regionNames(ids []int64) string {
	list := make([]string, 0, len(ids))
	for _, id := range ids {
		if name := n.regions[id]; name != "" {
			list = append(list, name)
		}
	}
	return strings.Join(list, "; ")
}

// sortedAxes are ref's axes in their strategy's order.
func sortedAxes(ref Reference) []ptacycle.Axis {
	axes := slices.Clone(ref.Axes)
	slices.SortStableFunc(axes, func(x, y ptacycle.Axis) int {
		return cmp.Or(cmp.Compare(x.Position, y.Position), cmp.Compare(x.Code, y.Code))
	})
	return axes
}

// newPlanBook is the template: the PTA sheet with its header, formats and lists, the instructions and the reference lists.
func newPlanBook(ref Reference) *book {
	b := newBook(SheetName)
	b.newSheet(instructionsSheet)
	b.newSheet(referenceSheet)
	lists := writeReferenceSheet(b, ref)
	writeInstructions(b, ref)

	text, date, amount := b.style(&textStyle), b.style(&dateStyle), b.style(&amountStyle)
	for c, spec := range columns {
		b.width(SheetName, c+1, spec.width)
		style := text
		switch column(c) {
		case colStart, colDue:
			style = date
		case colBudget:
			style = amount
		}
		letter := column(c).letter()
		b.check(b.SetColStyle(SheetName, letter, style))
	}
	headers := make([]any, columnCount)
	for c, spec := range columns {
		headers[c] = spec.header
	}
	b.row(SheetName, 1, 1, headers...)
	b.check(b.SetCellStyle(SheetName, "A1", colIllustrative.letter()+"1", b.style(&headerStyle)))
	b.check(b.SetRowHeight(SheetName, 1, 30))
	b.freezeRows(SheetName, 1)

	for c := range columnCount {
		source, ok := lists[c]
		if !ok {
			continue
		}
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(fmt.Sprintf("%s2:%s%d", c.letter(), c.letter(), MaxRows+1))
		dv.SetSqrefDropList(source)
		dv.SetError(excelize.DataValidationErrorStyleWarning, "Valeur hors liste",
			"Cette valeur n'est pas dans la feuille Référentiels : l'import la refusera si elle ne désigne aucun élément connu.")
		b.check(b.AddDataValidation(SheetName, dv))
	}
	yesNo := excelize.NewDataValidation(true)
	yesNo.SetSqref(fmt.Sprintf("%s2:%s%d", colIllustrative.letter(), colIllustrative.letter(), MaxRows+1))
	b.check(yesNo.SetDropList([]string{"oui", "non"}))
	b.check(b.AddDataValidation(SheetName, yesNo))
	b.SetActiveSheet(0)
	return b
}

// quarters are what the Trimestre column's list offers.
var quarters = []string{"T1", "T2", "T3", "T4"}

// writeReferenceSheet lists ref's axes, units, regions and the quarters, and
// returns, for the PTA columns that pick from them, the range of each
// non-empty list (a range, since inline lists stop at 255 characters).
func writeReferenceSheet(b *book, ref Reference) map[column]string {
	const sheet = referenceSheet
	header := b.style(&headerStyle)
	b.row(sheet, 1, 1, "Code axe", "Axe", nil, "Structure", "Sigle", nil, "Région", nil, "Trimestre")
	b.check(b.SetCellStyle(sheet, "A1", "I1", header))
	for col, width := range []float64{10, 50, 3, 45, 12, 3, 25, 3, 10} {
		b.width(sheet, col+1, width)
	}
	axes := sortedAxes(ref)
	for i, a := range axes {
		b.row(sheet, 1, i+2, a.Code, a.Title)
	}
	units := slices.Clone(ref.Units)
	slices.SortStableFunc(units, func(x, y ptacycle.Unit) int { return strings.Compare(fold(x.Name), fold(y.Name)) })
	for i, u := range units {
		b.row(sheet, 4, i+2, u.Name, u.Acronym)
	}
	regions := slices.Clone(ref.Regions)
	slices.SortStableFunc(regions, func(x, y ptacycle.Region) int { return strings.Compare(fold(x.Name), fold(y.Name)) })
	for i, r := range regions {
		b.row(sheet, 7, i+2, r.Name)
	}
	for i, q := range quarters {
		b.row(sheet, 9, i+2, q)
	}
	b.freezeRows(sheet, 1)
	lists := map[column]string{colQuarter: listRange("I", len(quarters))}
	if len(axes) > 0 {
		lists[colAxis] = listRange("A", len(axes))
	}
	if len(units) > 0 {
		lists[colResponsible] = listRange("D", len(units))
	}
	return lists
}

// listRange is the reference sheet's range of a list of n values in column letter, under its header.
func listRange(letter string, n int) string {
	return fmt.Sprintf("'%s'!$%s$2:$%s$%d", referenceSheet, letter, letter, n+1)
}

// writeInstructions explains each column, with an example row.
func writeInstructions(b *book, ref Reference) {
	const sheet = instructionsSheet
	b.row(sheet, 1, 1, fmt.Sprintf("Importer le PTA %d depuis Excel", ref.Year))
	b.check(b.SetCellStyle(sheet, "A1", "A1", b.style(&titleStyle)))
	rules := []string{
		"Remplissez la feuille PTA : une ligne par activité, à partir de la ligne 2 ; ne modifiez pas les en-têtes de la ligne 1 (l'ordre des colonnes est libre).",
		"Les lignes d'une même action répètent le code, l'intitulé et l'axe de l'action.",
		"Les axes, structures et régions s'écrivent comme dans la feuille Référentiels (majuscules et accents indifférents).",
		"Pas de formule (collez les valeurs) ni de cellule fusionnée.",
		fmt.Sprintf("%d activités et %d Mo au plus par fichier.", MaxRows, MaxFileSize>>20),
		"Tout ou rien : si le fichier contient une erreur, rien n'est importé et toutes les erreurs sont listées avec leur cellule.",
	}
	for i, rule := range rules {
		b.row(sheet, 1, i+2, rule)
	}
	top := len(rules) + 3
	b.row(sheet, 1, top, "Colonne", "Obligatoire", "Contenu", "Formats acceptés", "Exemple")
	b.check(b.SetCellStyle(sheet, fmt.Sprintf("A%d", top), fmt.Sprintf("E%d", top), b.style(&headerStyle)))
	example := exampleRow(ref)
	for c, spec := range columns {
		required := "non"
		if spec.required {
			required = "oui"
		}
		b.row(sheet, 1, top+1+c, spec.header, required, spec.content, spec.formats, example[c])
	}
	text := b.style(&textStyle)
	for col, width := range []float64{22, 12, 50, 60, 35} {
		b.width(sheet, col+1, width)
		b.check(b.SetColStyle(sheet, columnName(col+1), text))
	}
}

// exampleRow is an activity as it would be written, with ref's own names where it has some.
func exampleRow(ref Reference) [columnCount]string {
	axis, unit, partners, region := "1", "Direction de la planification", "", "Nord"
	if len(ref.Axes) > 0 {
		axis = sortedAxes(ref)[0].Code
	}
	if len(ref.Units) > 0 {
		unit = ref.Units[0].Name
	}
	if len(ref.Units) > 1 {
		partners = ref.Units[1].Name
	}
	if len(ref.Regions) > 0 {
		region = ref.Regions[0].Name
	}
	return [columnCount]string{
		colAxis: axis, colActionCode: "A1", colActionTitle: "Renforcer la coordination des interventions",
		colActivityCode: "A1.1", colActivityTitle: "Former 50 acteurs de la chaîne pénale", colResponsible: unit,
		colPartners: partners, colRegions: region, colStart: fmt.Sprintf("15/01/%d", ref.Year), colDue: fmt.Sprintf("30/06/%d", ref.Year),
		colQuarter: "T2", colBudget: "2 500 000", colFunding: "Budget de l'État", colIndicator: "Nombre d'acteurs formés",
		colTarget: "50", colDeliverable: "Rapport de formation", colIllustrative: "non",
	}
}

package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/ptacycle/ptacycle"
)

// Limits of an import; over them Parse returns ETOOLARGE.
const (
	MaxFileSize = 5 << 20 // bytes of the uploaded file
	MaxRows     = 5000    // data rows of the PTA sheet
	// maxUnzippedSize bounds what the file may hold once decompressed, against zip bombs.
	maxUnzippedSize = 50 << 20
	// maxListedProblems is how many problems an error lists; the rest are counted.
	maxListedProblems = 200
)

// SheetName is the name of the sheet holding the plan.
const SheetName = "PTA"

func errNotWorkbook() *ptacycle.Error {
	return fileProblem(ptacycle.EINVALID, "Ce fichier n'est pas un classeur Excel (.xlsx) : enregistrez-le au format .xlsx puis réessayez",
		"This file is not an Excel workbook (.xlsx): save it as .xlsx and try again")
}

// fileProblem is an error about the whole file, listed as its only problem.
func fileProblem(code, french, english string) *ptacycle.Error {
	return &ptacycle.Error{Code: code, Message: french, English: english, Fields: []ptacycle.FieldError{{Message: french, English: english}}}
}

// Parse reads a plan from a workbook made from Template (or by ExportPlan):
// the sheet PTA, or else the first sheet, one activity per row. It is all or
// nothing: on any problem it returns an empty PlanImport and an EINVALID
// *ptacycle.Error listing every problem with its cell, or ETOOLARGE when the
// file is over MaxFileSize, MaxRows or its decompressed size limit.
// An error reading r is returned as is.
func Parse(r io.Reader, ref Reference) (in ptacycle.PlanImport, err error) {
	defer func() {
		// Last resort: excelize may panic on inputs its authors did not foresee; such a file is not one we can read.
		if recover() != nil {
			in, err = ptacycle.PlanImport{}, errNotWorkbook()
		}
	}()
	return parse(r, ref)
}

func parse(r io.Reader, ref Reference) (ptacycle.PlanImport, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return ptacycle.PlanImport{}, err
	}
	if len(data) > MaxFileSize {
		return ptacycle.PlanImport{}, fileProblem(ptacycle.ETOOLARGE,
			fmt.Sprintf("Le fichier dépasse la taille maximale de %d Mo : allégez-le ou découpez-le", MaxFileSize>>20),
			fmt.Sprintf("The file is over the %d MB limit: make it lighter or split it", MaxFileSize>>20))
	}
	book, err := openWorkbook(data)
	if err != nil {
		return ptacycle.PlanImport{}, err
	}
	defer book.Close()
	sheet := planSheet(book.GetSheetList())
	if sheet == "" {
		return ptacycle.PlanImport{}, errNotWorkbook()
	}
	p := &parser{ref: ref, dir: newDirectory(ref), sheet: sheet, actions: map[string]*seenAction{},
		activityRows: map[string]int{}, existing: map[string]bool{}}
	for _, code := range ref.ExistingActivityCodes {
		p.existing[fold(code)] = true
	}
	if props, err := book.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		p.date1904 = *props.Date1904
	}
	sharedStrings, err := readSharedStrings(book)
	if err != nil {
		return ptacycle.PlanImport{}, errNotWorkbook()
	}
	sheetXML, err := worksheetXML(book, sheet)
	if err != nil {
		return ptacycle.PlanImport{}, errNotWorkbook()
	}
	rows, merges, err := p.readSheet(sheetXML, sharedStrings)
	var tooLarge *ptacycle.Error
	switch {
	case errors.As(err, &tooLarge):
		return ptacycle.PlanImport{}, tooLarge
	case err != nil && !errors.Is(err, errStopReading):
		return ptacycle.PlanImport{}, errNotWorkbook()
	}
	if len(p.problems) == 0 {
		p.checkMerges(merges)
		for _, row := range rows {
			p.readRow(row)
		}
	}
	if err := p.err(); err != nil {
		return ptacycle.PlanImport{}, err
	}
	return p.result, nil
}

// openWorkbook opens data as an XLSX workbook once its decompressed size is known to be sane.
func openWorkbook(data []byte) (*excelize.File, error) {
	archive, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errNotWorkbook()
	}
	var unzipped uint64
	for _, f := range archive.File {
		if unzipped += f.UncompressedSize64; f.UncompressedSize64 > maxUnzippedSize || unzipped > maxUnzippedSize {
			return nil, fileProblem(ptacycle.ETOOLARGE,
				fmt.Sprintf("Le classeur décompressé dépasse %d Mo : retirez-en les images et les feuilles inutiles", maxUnzippedSize>>20),
				fmt.Sprintf("The workbook is over %d MB once decompressed: remove its images and unneeded sheets", maxUnzippedSize>>20))
		}
	}
	// Both limits equal keep every part in memory, where readSheet reads it, rather than in temporary files.
	book, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzippedSize, UnzipXMLSizeLimit: maxUnzippedSize})
	if err != nil {
		if book != nil {
			_ = book.Close()
		}
		return nil, errNotWorkbook()
	}
	return book, nil
}

// planSheet is the sheet named PTA, whatever its case and accents, or else the first one.
func planSheet(names []string) string {
	for _, name := range names {
		if fold(name) == fold(SheetName) {
			return name
		}
	}
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

// problem is one thing wrong in the file; row and col order the list (0 for the whole sheet).
type problem struct {
	row, col int
	ptacycle.FieldError
}

// sheetRow is a data row's cells in the columns the import reads, trimmed.
type sheetRow struct {
	number int
	cells  [columnCount]string
	flags  [columnCount]cellFlags
}

// seenAction is an action met in the file, with what later rows must repeat.
type seenAction struct {
	code     string
	row      int
	titleKey string
	axisID   *int64
	axisText string
	axisOK   bool
}

type parser struct {
	ref      Reference
	dir      directory
	sheet    string
	date1904 bool

	columns  [columnCount]int // column of the file holding each column, 1-based, 0 when absent
	columnAt map[int]column   // the other way round

	actions      map[string]*seenAction // by folded code
	activityRows map[string]int         // row of each activity code met, by folded code
	existing     map[string]bool
	result       ptacycle.PlanImport
	problems     []problem
}

// readSheet reads the header and the non-empty rows, refusing more than
// MaxRows, and the merged ranges that touch them.
func (p *parser) readSheet(data []byte, sharedStrings []string) ([]sheetRow, []mergedRange, error) {
	var rows []sheetRow
	headerRead := false
	keep := func(row, col int) bool {
		_, read := p.columnAt[col]
		return read || row == 1 && !headerRead
	}
	onRow := func(number int, cells []sheetCell) error {
		if !headerRead {
			headerRead = true
			if number != 1 {
				cells = nil // no header row
			}
			if p.readHeader(cells); len(p.problems) > 0 {
				return errStopReading
			}
			if number == 1 {
				return nil
			}
		}
		row := sheetRow{number: number}
		empty := true
		for _, cell := range cells {
			c := p.columnAt[cell.col]
			row.cells[c], row.flags[c] = strings.TrimSpace(cell.text), cell.flags
			empty = empty && row.cells[c] == ""
		}
		if empty {
			return nil
		}
		if len(rows) == MaxRows {
			return fileProblem(ptacycle.ETOOLARGE,
				fmt.Sprintf("La feuille %s compte plus de %d activités : découpez-la en plusieurs fichiers", p.sheet, MaxRows),
				fmt.Sprintf("Sheet %s has more than %d activities: split it into several files", p.sheet, MaxRows))
		}
		rows = append(rows, row)
		return nil
	}
	keepMerge := func(m mergedRange) bool {
		return len(rows) > 0 && m.top <= rows[len(rows)-1].number && p.touchesColumnsRead(m)
	}
	merges, err := readSheet(data, sharedStrings, keep, onRow, keepMerge)
	if err == nil && len(rows) == 0 && len(p.problems) == 0 {
		p.addSheetProblem(fmt.Sprintf("La feuille %s ne contient aucune activité", p.sheet), fmt.Sprintf("Sheet %s holds no activity", p.sheet))
	}
	return rows, merges, err
}

// readHeader finds the columns by their headers, in any order; unknown headers are ignored.
func (p *parser) readHeader(cells []sheetCell) {
	p.columnAt = map[int]column{}
	for _, cell := range cells {
		c, ok := headerColumns[headerKey(cell.text)]
		if !ok {
			continue
		}
		if first := p.columns[c]; first != 0 {
			p.addSheetProblem(fmt.Sprintf("Colonne « %s » en double (colonnes %s et %s)", columns[c].header, columnName(first), columnName(cell.col)),
				fmt.Sprintf("Column “%s” appears twice (columns %s and %s)", columns[c].header, columnName(first), columnName(cell.col)))
			continue
		}
		p.columns[c] = cell.col
		p.columnAt[cell.col] = c
	}
	for c, spec := range columns {
		if spec.required && p.columns[c] == 0 {
			p.addSheetProblem(fmt.Sprintf("Colonne obligatoire « %s » absente de la feuille %s", spec.header, p.sheet),
				fmt.Sprintf("Required column “%s” is missing from sheet %s", spec.header, p.sheet))
		}
	}
}

func columnName(col int) string {
	name, _ := excelize.ColumnNumberToName(col) // col is a column of the file or of the template, so is valid
	return name
}

func (p *parser) touchesColumnsRead(m mergedRange) bool {
	for col := range p.columnAt {
		if m.left <= col && col <= m.end {
			return true
		}
	}
	return false
}

// checkMerges refuses merged cells: only their first cell holds the value.
func (p *parser) checkMerges(merges []mergedRange) {
	for _, m := range merges {
		p.problems = append(p.problems, problem{row: m.top, col: m.left, FieldError: ptacycle.FieldError{Field: p.sheet + "!" + m.ref,
			Message: fmt.Sprintf("Cellules fusionnées %s : défusionnez-les et répétez la valeur", m.ref),
			English: fmt.Sprintf("Merged cells %s: unmerge them and repeat the value", m.ref)}})
	}
}

func (p *parser) addSheetProblem(french, english string) {
	p.problems = append(p.problems, problem{FieldError: ptacycle.FieldError{Field: p.sheet, Message: french, English: english}})
}

// addCellProblem records a problem with cell c of row, prefixed with its position.
func (p *parser) addCellProblem(row int, c column, french, english string) {
	col := p.columns[c]
	cell, _ := excelize.CoordinatesToCellName(col, row) // row and col come from the file, so are valid
	p.problems = append(p.problems, problem{row: row, col: col, FieldError: ptacycle.FieldError{Field: p.sheet + "!" + cell,
		Message: fmt.Sprintf("Ligne %d, colonne %s : %s", row, columns[c].header, french),
		English: fmt.Sprintf("Row %d, column %s: %s", row, columns[c].header, english)}})
}

// rowReader reads the cells of one row, remembering which ones already have a problem.
type rowReader struct {
	p      *parser
	row    sheetRow
	faulty [columnCount]bool
}

// fail records err, an *ptacycle.Error from the value parsers, as the problem of cell c.
func (r *rowReader) fail(c column, err error) {
	var e *ptacycle.Error
	if errors.As(err, &e) {
		r.p.addCellProblem(r.row.number, c, e.Message, e.English)
	}
	r.faulty[c] = true
}

func (r *rowReader) value(c column) string {
	if r.faulty[c] {
		return ""
	}
	return r.row.cells[c]
}

// readRow turns a data row into an activity and, the first time its code is met, an action.
func (p *parser) readRow(row sheetRow) {
	r := &rowReader{p: p, row: row}
	for c := range columnCount {
		if p.columns[c] != 0 && r.row.flags[c]&cellFormula != 0 {
			r.fail(c, ptacycle.Errorf(ptacycle.EINVALID, "formule non acceptée, collez la valeur", "formulas are not accepted, paste the value"))
		}
	}
	for c, spec := range columns {
		if spec.required && !r.faulty[c] && row.cells[c] == "" {
			r.fail(column(c), ptacycle.Errorf(ptacycle.EINVALID, "cellule obligatoire vide", "required cell is empty"))
		}
	}
	actionCode := p.readAction(r)
	a := ptacycle.Activity{
		Code: r.value(colActivityCode), Title: r.value(colActivityTitle), FundingSource: r.value(colFunding),
		Indicator: r.value(colIndicator), Target: r.value(colTarget), Deliverable: r.value(colDeliverable),
		Status: ptacycle.StatusNotStarted, PartnerUnitIDs: []int64{}, RegionIDs: []int64{},
	}
	p.checkActivityCode(r, a.Code)
	if s := r.value(colResponsible); s != "" {
		if id, err := p.dir.unit(s); err != nil {
			r.fail(colResponsible, err)
		} else {
			a.ResponsibleUnitID = &id
		}
	}
	a.PartnerUnitIDs = readList(r, colPartners, p.dir.isUnit, p.dir.unit)
	a.RegionIDs = readList(r, colRegions, p.dir.isRegion, p.dir.region)
	a.StartDate, a.DueDate = p.readDates(r)
	if s := r.value(colBudget); s != "" {
		if budget, err := parseBudget(s, r.row.flags[colBudget]&cellNumber != 0); err != nil {
			r.fail(colBudget, err)
		} else {
			a.BudgetXOF = budget
		}
	}
	if illustrative, err := parseYesNo(r.value(colIllustrative)); err != nil {
		r.fail(colIllustrative, err)
	} else {
		a.Illustrative = illustrative
	}
	r.addValidation(a.Validate(), map[string]column{"code": colActivityCode, "title": colActivityTitle, "fundingSource": colFunding,
		"indicator": colIndicator, "target": colTarget, "deliverable": colDeliverable, "budgetXof": colBudget, "dueDate": colDue})
	p.result.Activities = append(p.result.Activities, ptacycle.ImportedActivity{ActionCode: actionCode, Activity: a})
}

// readAction registers the row's action the first time its code is met, and
// checks that later rows repeat its title and axis. It returns the action's
// code as first written, which the activity refers to.
func (p *parser) readAction(r *rowReader) string {
	code, title, axisText := r.value(colActionCode), r.value(colActionTitle), r.value(colAxis)
	var axisID *int64
	axisOK := !r.faulty[colAxis]
	if axisText != "" {
		if id, err := p.dir.axis(axisText); err != nil {
			r.fail(colAxis, err)
			axisOK = false
		} else {
			axisID = &id
		}
	}
	if code == "" || title == "" {
		return code
	}
	seen, ok := p.actions[fold(code)]
	if !ok {
		action := ptacycle.Action{AxisID: axisID, Code: code, Title: title, Position: len(p.result.Actions) + 1}
		r.addValidation(action.Validate(), map[string]column{"code": colActionCode, "title": colActionTitle})
		p.actions[fold(code)] = &seenAction{code: code, row: r.row.number, titleKey: fold(title), axisID: axisID, axisText: axisText, axisOK: axisOK}
		p.result.Actions = append(p.result.Actions, action)
		return code
	}
	if fold(title) != seen.titleKey {
		r.fail(colActionTitle, ptacycle.Errorf(ptacycle.EINVALID, "l'action %s porte déjà un autre intitulé ligne %d", "action %s already has another title on row %d", seen.code, seen.row))
	}
	if axisOK && seen.axisOK && !sameID(axisID, seen.axisID) {
		shown := seen.axisText
		if shown == "" {
			shown = "aucun"
		}
		r.fail(colAxis, ptacycle.Errorf(ptacycle.EINVALID, "l'action %s a l'axe « %s » ligne %d", "action %s has axis “%s” on row %d", seen.code, shown, seen.row))
	}
	return seen.code
}

func sameID(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// checkActivityCode refuses a code met on an earlier row or already in the plan.
func (p *parser) checkActivityCode(r *rowReader, code string) {
	if code == "" {
		return
	}
	key := fold(code)
	switch first, seen := p.activityRows[key]; {
	case seen:
		r.fail(colActivityCode, ptacycle.Errorf(ptacycle.EINVALID, "code %s en double : déjà utilisé ligne %d", "duplicate code %s: already used on row %d", code, first))
	case p.existing[key]:
		r.fail(colActivityCode, ptacycle.Errorf(ptacycle.EINVALID, "code %s déjà présent dans le plan", "code %s is already in the plan", code))
	default:
		p.activityRows[key] = r.row.number
	}
}

// readList reads the units or regions listed in cell c, reporting each unknown name.
func readList(r *rowReader, c column, isName func(string) bool, lookup func(string) (int64, error)) []int64 {
	ids := []int64{}
	for _, name := range splitList(r.value(c), isName) {
		id, err := lookup(name)
		if err != nil {
			r.fail(c, err)
			continue
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// readDates reads Début and Échéance; a quarter stands for them when they are empty.
func (p *parser) readDates(r *rowReader) (start, due ptacycle.Date) {
	for _, c := range []column{colStart, colDue} {
		s := r.value(c)
		if s == "" {
			continue
		}
		d, err := parseDate(s, p.date1904)
		if err != nil {
			r.fail(c, err)
			continue
		}
		if c == colStart {
			start = d
		} else {
			due = d
		}
	}
	text := r.value(colQuarter)
	if text == "" {
		return start, due
	}
	quarter, err := parseQuarter(text)
	if err != nil {
		r.fail(colQuarter, err)
		return start, due
	}
	first, last := ptacycle.QuarterDates(p.ref.Year, quarter)
	switch {
	case r.faulty[colDue] || r.faulty[colStart]:
	case due.IsZero():
		due = last
		if start.IsZero() {
			start = first
		}
	case due.Before(first) || due.After(last):
		r.fail(colQuarter, ptacycle.Errorf(ptacycle.EINVALID, "l'échéance %s n'est pas dans le trimestre T%d %d", "due date %s is not in quarter T%d %d",
			due.French(), quarter, p.ref.Year))
	}
	return start, due
}

// addValidation reports the domain's own checks at the cells they concern,
// unless that cell already has a problem.
func (r *rowReader) addValidation(err error, cells map[string]column) {
	var e *ptacycle.Error
	if !errors.As(err, &e) {
		return
	}
	for _, f := range e.Fields {
		c, ok := cells[f.Field]
		if !ok {
			c = colActivityCode
		}
		if !r.faulty[c] {
			r.p.addCellProblem(r.row.number, c, lowerFirst(f.Message), lowerFirst(f.English))
			r.faulty[c] = true
		}
	}
}

// lowerFirst fits a sentence after "Ligne 3, colonne Activité : ".
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	first, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(first)) + s[size:]
}

// err is nil when nothing is wrong, else the EINVALID error listing the problems in row then column order.
func (p *parser) err() error {
	if len(p.problems) == 0 {
		return nil
	}
	sort.SliceStable(p.problems, func(i, j int) bool {
		a, b := p.problems[i], p.problems[j]
		return a.row < b.row || a.row == b.row && a.col < b.col
	})
	n := len(p.problems)
	fields := make([]ptacycle.FieldError, 0, min(n, maxListedProblems)+1)
	for _, pb := range p.problems[:min(n, maxListedProblems)] {
		fields = append(fields, pb.FieldError)
	}
	if n > maxListedProblems {
		fields = append(fields, ptacycle.FieldError{Message: fmt.Sprintf("… et %d autres erreurs", n-maxListedProblems),
			English: fmt.Sprintf("… and %d more errors", n-maxListedProblems)})
	}
	french, english := "erreurs", "errors"
	if n == 1 {
		french, english = "erreur", "error"
	}
	return &ptacycle.Error{Code: ptacycle.EINVALID, Fields: fields,
		Message: fmt.Sprintf("Le fichier contient %d %s ; rien n'a été importé. %s", n, french, fields[0].Message),
		English: fmt.Sprintf("The file has %d %s; nothing was imported. %s", n, english, fields[0].English)}
}

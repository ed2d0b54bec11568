package xlsx_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/xlsx"
)

// MustReference is an organisation with three axes, five units (one whose
// name holds a comma, one an apostrophe) and four regions, two of them accented.
func MustReference(tb testing.TB) xlsx.Reference {
	tb.Helper()
	return xlsx.Reference{
		Year: 2024,
		Axes: []ptacycle.Axis{
			{ID: 1, Code: "1", Title: "Gouvernance et coordination", Position: 1},
			{ID: 2, Code: "2", Title: "Accès aux services", Position: 2},
			{ID: 3, Code: "A3", Title: "Suivi et évaluation", Position: 3},
		},
		Units: []ptacycle.Unit{
			{ID: 10, Name: "Direction de la planification et des études", Acronym: "DPE"},
			{ID: 11, Name: "Cellule régionale du Nord", Acronym: "CRN"},
			{ID: 12, Name: "ONG Solidarité, Santé et Développement", Acronym: "OSSD"},
			{ID: 13, Name: "Ministère de la Santé", Acronym: "MS"},
			{ID: 14, Name: "Agence d'exécution", Acronym: "AGEX"},
		},
		Regions: []ptacycle.Region{{ID: 20, Name: "Nord"}, {ID: 21, Name: "Bélier"}, {ID: 22, Name: "Gbêkê"}, {ID: 23, Name: "Centre-Est"}},
	}
}

func id(v int64) *int64 { return &v }

func date(m time.Month, d int) ptacycle.Date { return ptacycle.NewDate(2024, m, d) }

// MustPlan is a plan of five actions (one without axis) and twelve activities
// that fill every column between them.
func MustPlan(tb testing.TB) ([]ptacycle.Action, []ptacycle.Activity) {
	tb.Helper()
	actions := []ptacycle.Action{
		{ID: 100, AxisID: id(1), Code: "A1", Title: "Renforcer la coordination des interventions", Position: 1},
		{ID: 101, AxisID: id(1), Code: "A2", Title: "Élaborer le cadre légal", Position: 2},
		{ID: 102, AxisID: id(2), Code: "B1", Title: "Étendre l'accès aux services de santé", Position: 3},
		{ID: 103, AxisID: id(3), Code: "C1", Title: "Suivre et évaluer le PTA", Position: 4},
		{ID: 104, Code: "D1", Title: "Activités transversales", Position: 5},
	}
	activities := []ptacycle.Activity{
		{ActionID: 100, Code: "A1.1", Title: "Former 50 acteurs de la chaîne pénale", ResponsibleUnitID: id(10), PartnerUnitIDs: []int64{12, 13},
			RegionIDs: []int64{20, 21}, StartDate: date(time.January, 15), DueDate: date(time.March, 31), BudgetXOF: 2_500_000,
			FundingSource: "Budget de l'État", Indicator: "Nombre d'acteurs formés", Target: "50", Deliverable: "Rapport de formation"},
		{ActionID: 100, Code: "A1.2", Title: "Tenir la réunion trimestrielle de coordination", ResponsibleUnitID: id(10),
			StartDate: date(time.April, 1), DueDate: date(time.June, 30), BudgetXOF: 750_000, Illustrative: true},
		{ActionID: 100, Code: "A1.3", Title: "Publier l'annuaire des intervenants", ResponsibleUnitID: id(14), DueDate: date(time.December, 31)},
		{ActionID: 101, Code: "A2.1", Title: "Rédiger l'avant-projet de loi", ResponsibleUnitID: id(13), PartnerUnitIDs: []int64{10},
			StartDate: date(time.February, 1), DueDate: date(time.September, 30), BudgetXOF: 12_000_000, FundingSource: "Union européenne"},
		{ActionID: 101, Code: "A2.2", Title: "Valider le texte en atelier national", ResponsibleUnitID: id(13), RegionIDs: []int64{23},
			DueDate: date(time.November, 15), BudgetXOF: 4_300_500, Indicator: "Texte validé", Target: "1 atelier", Deliverable: "Compte rendu"},
		{ActionID: 102, Code: "B1.1", Title: "Équiper 12 centres de santé", ResponsibleUnitID: id(11), PartnerUnitIDs: []int64{12},
			RegionIDs: []int64{20}, StartDate: date(time.March, 1), DueDate: date(time.October, 31), BudgetXOF: 98_000_000,
			FundingSource: "Banque mondiale", Indicator: "Centres équipés", Target: "12", Deliverable: "PV de réception"},
		{ActionID: 102, Code: "B1.2", Title: "Recruter des agents de santé communautaire", ResponsibleUnitID: id(13), RegionIDs: []int64{21, 22},
			StartDate: date(time.July, 1), DueDate: date(time.September, 30), BudgetXOF: 15_000_000, Illustrative: true},
		{ActionID: 102, Code: "B1.3", Title: "Sensibiliser les ménages à l'hygiène", ResponsibleUnitID: id(12), PartnerUnitIDs: []int64{11, 14},
			RegionIDs: []int64{22}, DueDate: date(time.August, 31), BudgetXOF: 1_200_000, Target: "5 000 ménages"},
		{ActionID: 103, Code: "C1.1", Title: "Produire le rapport semestriel", ResponsibleUnitID: id(10), StartDate: date(time.June, 1),
			DueDate: date(time.July, 15), Deliverable: "Rapport semestriel « mi-parcours »"},
		{ActionID: 103, Code: "C1.2", Title: "Organiser la revue annuelle", ResponsibleUnitID: id(10), PartnerUnitIDs: []int64{11, 12, 13, 14},
			StartDate: date(time.October, 1), DueDate: date(time.December, 31), BudgetXOF: 6_000_000, Indicator: "Revue tenue\navec 3 régions"},
		{ActionID: 104, Code: "D1.1", Title: "Mettre à jour le site web", FundingSource: "Fonds propres", DueDate: date(time.May, 31)},
		{ActionID: 104, Code: "D1.2", Title: "Acquérir un véhicule de supervision", ResponsibleUnitID: id(14), BudgetXOF: 25_000_000,
			StartDate: date(time.January, 2), DueDate: date(time.February, 29), Illustrative: true},
	}
	return actions, activities
}

// MustImportOf is what importing the plan must give: its actions, in order, and its activities as drafts.
func MustImportOf(tb testing.TB, actions []ptacycle.Action, activities []ptacycle.Activity) ptacycle.PlanImport {
	tb.Helper()
	var in ptacycle.PlanImport
	codes := map[int64]string{}
	for i, a := range actions {
		codes[a.ID] = a.Code
		in.Actions = append(in.Actions, ptacycle.Action{AxisID: a.AxisID, Code: a.Code, Title: a.Title, Position: i + 1})
	}
	for _, a := range activities {
		draft := ptacycle.Activity{Code: a.Code, Title: a.Title, Illustrative: a.Illustrative, ResponsibleUnitID: a.ResponsibleUnitID,
			PartnerUnitIDs: append([]int64{}, a.PartnerUnitIDs...), RegionIDs: append([]int64{}, a.RegionIDs...),
			StartDate: a.StartDate, DueDate: a.DueDate, BudgetXOF: a.BudgetXOF, FundingSource: a.FundingSource,
			Indicator: a.Indicator, Target: a.Target, Deliverable: a.Deliverable, Status: ptacycle.StatusNotStarted}
		in.Activities = append(in.Activities, ptacycle.ImportedActivity{ActionCode: codes[a.ActionID], Activity: draft})
	}
	return in
}

// MustBytes is what write writes.
func MustBytes(tb testing.TB, write func(*bytes.Buffer) error) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// templateHeader is the header row of the template.
var templateHeader = []string{"Axe", "Code action", "Action", "Code activité", "Activité", "Structure responsable", "Partenaires", "Régions",
	"Début", "Échéance", "Trimestre", "Budget (FCFA)", "Source de financement", "Indicateur", "Cible", "Livrable", "Illustratif"}

// formula is a cell holding a formula rather than a value.
type formula string

// MustRow is a valid row of the template's columns, with the cells named in set changed.
func MustRow(tb testing.TB, set map[string]any) []any {
	tb.Helper()
	values := map[string]any{"Axe": "1", "Code action": "A1", "Action": "Renforcer la coordination", "Code activité": "A1.1",
		"Activité": "Former les acteurs", "Structure responsable": "DPE", "Début": "15/01/2024", "Échéance": "30/06/2024", "Budget (FCFA)": "2 500 000"}
	for name, v := range set {
		values[name] = v
	}
	row := make([]any, len(templateHeader))
	for i, name := range templateHeader {
		row[i] = values[name]
		delete(values, name)
	}
	if len(values) > 0 {
		tb.Fatalf("MustRow: unknown columns %v", values)
	}
	return row
}

// MustWorkbook writes a workbook whose sheet PTA holds header and rows, then
// applies edits; a string is written as text, a number as a number, a
// time.Time as a date, a formula as a formula, nil not at all.
func MustWorkbook(tb testing.TB, header []string, rows [][]any, edits ...func(*excelize.File) error) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "PTA"); err != nil {
		tb.Fatal(err)
	}
	set := func(col, row int, v any) error {
		cell, err := excelize.CoordinatesToCellName(col, row)
		if err != nil {
			return err
		}
		switch v := v.(type) {
		case nil:
			return nil
		case formula:
			return f.SetCellFormula("PTA", cell, string(v))
		case string:
			return f.SetCellStr("PTA", cell, v)
		default:
			return f.SetCellValue("PTA", cell, v)
		}
	}
	for i, h := range header {
		if err := set(i+1, 1, h); err != nil {
			tb.Fatal(err)
		}
	}
	for r, row := range rows {
		for i, v := range row {
			if err := set(i+1, r+2, v); err != nil {
				tb.Fatal(err)
			}
		}
	}
	for _, edit := range edits {
		if err := edit(f); err != nil {
			tb.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// MustParse is the import of data, which must have no problem.
func MustParse(tb testing.TB, data []byte, ref xlsx.Reference) ptacycle.PlanImport {
	tb.Helper()
	in, err := xlsx.Parse(bytes.NewReader(data), ref)
	if err != nil {
		tb.Fatalf("Parse: %v\n%s", err, problemList(err))
	}
	return in
}

// MustFail is the error of importing data, which must have code and import nothing.
func MustFail(tb testing.TB, data []byte, ref xlsx.Reference, code string) *ptacycle.Error {
	tb.Helper()
	in, err := xlsx.Parse(bytes.NewReader(data), ref)
	var e *ptacycle.Error
	if !errors.As(err, &e) {
		tb.Fatalf("Parse error = %v, want a *ptacycle.Error", err)
	}
	if e.Code != code {
		tb.Fatalf("Parse error code = %s (%v), want %s", e.Code, err, code)
	}
	if len(in.Actions) != 0 || len(in.Activities) != 0 {
		tb.Fatalf("Parse failed but imports %d actions and %d activities", len(in.Actions), len(in.Activities))
	}
	return e
}

func problemList(err error) string {
	var e *ptacycle.Error
	if !errors.As(err, &e) {
		return ""
	}
	var b bytes.Buffer
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "\t%s\t%s\n", f.Field, f.Message)
	}
	return b.String()
}

// MustPart is the content of part name in the workbook data.
func MustPart(tb testing.TB, data []byte, name string) []byte {
	tb.Helper()
	archive, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	r, err := archive.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	content, err := io.ReadAll(r)
	if err != nil {
		tb.Fatal(err)
	}
	return content
}

// MustReplacePart is the workbook data with part name replaced by content.
func MustReplacePart(tb testing.TB, data []byte, name string, content []byte) []byte {
	tb.Helper()
	archive, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, file := range archive.File {
		part, err := w.CreateHeader(&zip.FileHeader{Name: file.Name, Method: zip.Deflate})
		if err != nil {
			tb.Fatal(err)
		}
		if file.Name == name {
			_, err = part.Write(content)
		} else {
			_, err = part.Write(MustPart(tb, data, file.Name))
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

package xlsx_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/xlsx"
)

// MustExecution is a plan under way on 1 July 2024: each activity is a case of overdue or not.
func MustExecution(tb testing.TB) ([]ptacycle.Action, []ptacycle.Activity) {
	tb.Helper()
	actions := []ptacycle.Action{
		{ID: 100, AxisID: id(1), Code: "A1", Title: "Coordonner", Position: 1},
		{ID: 101, AxisID: id(2), Code: "B1", Title: "Étendre l'accès", Position: 2},
		{ID: 102, Code: "D1", Title: "Transversal", Position: 3},
	}
	updated := time.Date(2024, time.June, 20, 9, 30, 0, 0, time.UTC)
	activities := []ptacycle.Activity{
		{ActionID: 100, Code: "A1.1", Title: "Réalisée à temps", ResponsibleUnitID: id(10), DueDate: date(time.March, 31), Status: ptacycle.StatusDone, Progress: 100, UpdatedAt: updated},
		{ActionID: 100, Code: "A1.2", Title: "En cours, échéance passée", ResponsibleUnitID: id(10), DueDate: date(time.June, 30), Status: ptacycle.StatusInProgress, Progress: 50},
		{ActionID: 100, Code: "A1.3", Title: "Annulée", ResponsibleUnitID: id(13), DueDate: date(time.January, 31), Status: ptacycle.StatusCancelled},
		{ActionID: 101, Code: "B1.1", Title: "Reportée à plus tard", ResponsibleUnitID: id(11), DueDate: date(time.March, 31), Status: ptacycle.StatusPostponed, PostponedTo: date(time.September, 30)},
		{ActionID: 101, Code: "B1.2", Title: "Reportée, nouvelle date passée", ResponsibleUnitID: id(11), DueDate: date(time.March, 31), Status: ptacycle.StatusPostponed, PostponedTo: date(time.June, 15), Progress: 20},
		{ActionID: 101, Code: "B1.3", Title: "Échéance ce jour", ResponsibleUnitID: id(11), DueDate: date(time.July, 1), Status: ptacycle.StatusNotStarted},
		{ActionID: 102, Code: "D1.1", Title: "Sans structure, en retard", DueDate: date(time.May, 31), Status: ptacycle.StatusNotStarted},
		{ActionID: 102, Code: "D1.2", Title: "Sans échéance", Status: ptacycle.StatusInProgress, Progress: 10},
	}
	return actions, activities
}

func TestExportExecution(t *testing.T) {
	ref := MustReference(t)
	actions, activities := MustExecution(t)
	files := map[int64]int{}
	for i := range activities {
		activities[i].ID = int64(100 + i)
		if activities[i].Code == "B1.1" {
			files[activities[i].ID] = 2
		}
	}
	data := MustBytes(t, func(b *bytes.Buffer) error {
		return xlsx.ExportExecution(b, ref, date(time.July, 1), actions, activities, files)
	})
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	t.Run("Activities", func(t *testing.T) {
		rows, err := f.GetRows(xlsx.ExecutionSheet)
		if err != nil {
			t.Fatal(err)
		}
		if rows[0][0] != "Exécution du PTA 2024 au 01/07/2024" {
			t.Errorf("title = %q", rows[0][0])
		}
		wantHeader := []string{"Axe", "Code action", "Code activité", "Activité", "Structure responsable", "Échéance", "Statut", "Avancement (%)", "Dernière mise à jour", "En retard", "Justificatifs"}
		if !reflect.DeepEqual(rows[1], wantHeader) {
			t.Errorf("header = %q", rows[1])
		}
		late, evidence := map[string]string{}, map[string]string{}
		for _, row := range rows[2:] {
			row = append(row, make([]string, 11-len(row))...)
			late[row[2]], evidence[row[2]] = row[9], row[10]
		}
		if got := evidence["B1.1"]; !strings.HasPrefix(got, "2 fichier(s) dans ptacycle") || evidence["A1.1"] != "" {
			t.Errorf("evidence = %q, want B1.1's 2 files and nothing for A1.1", evidence)
		}
		wantLate := map[string]string{"A1.1": "", "A1.2": "oui", "A1.3": "", "B1.1": "", "B1.2": "oui", "B1.3": "", "D1.1": "oui", "D1.2": ""}
		if !reflect.DeepEqual(late, wantLate) {
			t.Errorf("overdue = %v, want %v", late, wantLate)
		}
		if want := []string{"1", "A1", "A1.1", "Réalisée à temps", "Direction de la planification et des études", "31/03/2024", "Réalisée", "100", "20/06/2024"}; !reflect.DeepEqual(rows[2], want) {
			t.Errorf("first row = %q, want %q", rows[2], want)
		}
		if rows[6][6] != "Reportée" {
			t.Errorf("status of B1.2 = %q", rows[6][6])
		}
	})

	t.Run("Totals", func(t *testing.T) {
		rows, err := f.GetRows(xlsx.TotalsSheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		var order []string
		for _, row := range rows[1:] {
			if len(row) == 7 && row[0] != "Axe" && row[0] != "Structure responsable" {
				got[row[0]] = row[1:]
				order = append(order, row[0])
			}
		}
		// planned, done, cancelled, rate, average progress, overdue
		want := map[string][]string{
			"1 – Gouvernance et coordination": {"2", "1", "1", "0.5", "0.75", "1"},
			"2 – Accès aux services":          {"3", "0", "0", "0", "0.067", "1"},
			"Sans axe":                        {"2", "0", "0", "0", "0.05", "1"},
			"Total":                           {"7", "1", "1", "0.142857142857142", "0.257", "3"},
			"Cellule régionale du Nord":       {"3", "0", "0", "0", "0.067", "1"},
			"Direction de la planification et des études": {"2", "1", "0", "0.5", "0.75", "1"},
			"Ministère de la Santé":                       {"0", "0", "1", "0", "0", "0"},
			"Sans structure":                              {"2", "0", "0", "0", "0.05", "1"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("totals =\n%v\nwant\n%v", got, want)
		}
		wantOrder := []string{"1 – Gouvernance et coordination", "2 – Accès aux services", "Sans axe", "Total",
			"Cellule régionale du Nord", "Direction de la planification et des études", "Ministère de la Santé", "Sans structure", "Total"}
		if !reflect.DeepEqual(order, wantOrder) {
			t.Errorf("order = %q, want %q", order, wantOrder)
		}
		rate := ptacycle.ComputeRate([]ptacycle.RateItem{{Status: ptacycle.StatusDone}, {Status: ptacycle.StatusInProgress}, {Status: ptacycle.StatusInProgress},
			{Status: ptacycle.StatusPostponed}, {Status: ptacycle.StatusPostponed}, {Status: ptacycle.StatusNotStarted}, {Status: ptacycle.StatusNotStarted}})
		if rate.Rounded != 14 {
			t.Errorf("dashboard rate = %d, the file shows 14%%", rate.Rounded)
		}
		shown, err := f.GetCellValue(xlsx.TotalsSheet, "E5")
		if err != nil || shown != "50%" {
			t.Errorf("E5 shows %q (%v), want 50%%", shown, err)
		}
	})

	t.Run("Printing", func(t *testing.T) {
		for _, sheet := range []string{xlsx.ExecutionSheet, xlsx.TotalsSheet} {
			layout, err := f.GetPageLayout(sheet)
			if err != nil {
				t.Fatal(err)
			}
			if *layout.Orientation != "landscape" || *layout.Size != 9 || *layout.FitToWidth != 1 {
				t.Errorf("%s layout = orientation %s, size %d, fit to width %d", sheet, *layout.Orientation, *layout.Size, *layout.FitToWidth)
			}
			props, err := f.GetSheetProps(sheet)
			if err != nil || props.FitToPage == nil || !*props.FitToPage {
				t.Errorf("%s does not fit to page (%v)", sheet, err)
			}
		}
		panes, err := f.GetPanes(xlsx.ExecutionSheet)
		if err != nil || !panes.Freeze || panes.YSplit != 2 || panes.TopLeftCell != "A3" {
			t.Errorf("panes = %+v (%v), want title and header frozen", panes, err)
		}
		names := map[string]string{}
		for _, n := range f.GetDefinedName() {
			names[n.Name] = n.RefersTo
		}
		if names["_xlnm.Print_Titles"] != "'Exécution'!$1:$2" {
			t.Errorf("print titles = %q", names["_xlnm.Print_Titles"])
		}
		if names["_xlnm._FilterDatabase"] != "'Exécution'!$A$2:$K$10" {
			t.Errorf("autofilter = %q", names["_xlnm._FilterDatabase"])
		}
	})
}

package xlsx_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/xlsx"
)

// MustPlan82 is a plan the size of the demo's: 48 actions, 82 activities.
func MustPlan82(tb testing.TB) ([]ptacycle.Action, []ptacycle.Activity) {
	tb.Helper()
	ref := MustReference(tb)
	var actions []ptacycle.Action
	var activities []ptacycle.Activity
	for i := range 48 {
		action := ptacycle.Action{ID: int64(100 + i), AxisID: id(ref.Axes[i%3].ID), Code: fmt.Sprintf("A%d", i+1),
			Title: fmt.Sprintf("Action n° %d : renforcer les capacités de coordination", i+1), Position: i + 1}
		actions = append(actions, action)
		perAction := 1
		if i < 34 { // 34 actions of two activities and 14 of one: 82
			perAction = 2
		}
		for j := range perAction {
			unit := ref.Units[(i+j)%len(ref.Units)].ID
			activities = append(activities, ptacycle.Activity{ActionID: action.ID, Code: fmt.Sprintf("%s.%d", action.Code, j+1),
				Title: "Former les acteurs régionaux à la planification", ResponsibleUnitID: &unit, PartnerUnitIDs: []int64{10, 12},
				RegionIDs: []int64{20, 22}, StartDate: date(time.January, 1+j), DueDate: date(time.Month(1+(i+j)%12), 28),
				BudgetXOF: int64(1_000_000 * (i + j + 1)), FundingSource: "Budget de l'État", Indicator: "Nombre d'acteurs formés",
				Target: "50", Deliverable: "Rapport", Illustrative: j == 1})
		}
	}
	if len(actions) != 48 || len(activities) != 82 {
		tb.Fatalf("plan of %d actions and %d activities", len(actions), len(activities))
	}
	return actions, activities
}

func BenchmarkParse82(b *testing.B) {
	ref := MustReference(b)
	actions, activities := MustPlan82(b)
	data := MustBytes(b, func(buf *bytes.Buffer) error { return xlsx.ExportPlan(buf, ref, actions, activities) })
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if in, err := xlsx.Parse(bytes.NewReader(data), ref); err != nil || len(in.Activities) != 82 {
			b.Fatal(err)
		}
	}
}

func BenchmarkExportPlan82(b *testing.B) {
	ref := MustReference(b)
	actions, activities := MustPlan82(b)
	for b.Loop() {
		if err := xlsx.ExportPlan(io.Discard, ref, actions, activities); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineOpenWorkbook is the cost of reading the same file at all:
// opening it with excelize and reading its rows.
func BenchmarkBaselineOpenWorkbook(b *testing.B) {
	ref := MustReference(b)
	actions, activities := MustPlan82(b)
	data := MustBytes(b, func(buf *bytes.Buffer) error { return xlsx.ExportPlan(buf, ref, actions, activities) })
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if rows, err := f.GetRows(xlsx.SheetName); err != nil || len(rows) != 83 {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

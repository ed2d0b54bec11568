package xlsx_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/xlsx"
)

// FuzzParse checks that no file makes Parse panic, and that it either refuses
// a file with an empty import or returns activities that pass validation
// under actions it returns.
func FuzzParse(f *testing.F) {
	ref := MustReference(f)
	actions, activities := MustPlan(f)
	template := MustBytes(f, func(b *bytes.Buffer) error { return xlsx.Template(b, ref) })
	plan := MustBytes(f, func(b *bytes.Buffer) error { return xlsx.ExportPlan(b, ref, actions, activities) })
	problems := MustWorkbook(f, templateHeader, [][]any{
		MustRow(f, map[string]any{"Échéance": "31/02/2024", "Budget (FCFA)": formula("1+1")}),
		MustRow(f, map[string]any{"Structure responsable": "?", "Trimestre": "T9"}),
	})
	for _, seed := range [][]byte{template, plan, problems, nil, []byte("PK\x03\x04"), []byte("Axe;Code action\n1;A1\n")} {
		f.Add(seed)
	}
	for _, seed := range [][]byte{plan, problems} {
		f.Add(seed[:len(seed)/2])
		flipped := slices.Clone(seed)
		flipped[len(flipped)/3] ^= 0xFF
		f.Add(flipped)
		f.Add(append(slices.Clone(seed), seed...))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := xlsx.ParseWithoutRecover(bytes.NewReader(data), ref)
		if err != nil {
			var e *ptacycle.Error
			if !errors.As(err, &e) || (e.Code != ptacycle.EINVALID && e.Code != ptacycle.ETOOLARGE) || len(e.Fields) == 0 {
				t.Fatalf("error %#v, want an EINVALID or ETOOLARGE *ptacycle.Error listing its problems", err)
			}
			if len(in.Actions) != 0 || len(in.Activities) != 0 {
				t.Fatalf("failed import holds %d actions and %d activities", len(in.Actions), len(in.Activities))
			}
			return
		}
		codes := map[string]bool{}
		for _, a := range in.Actions {
			if err := a.Validate(); err != nil {
				t.Fatalf("action %+v: %v", a, err)
			}
			codes[a.Code] = true
		}
		for _, a := range in.Activities {
			if err := a.Validate(); err != nil {
				t.Fatalf("activity %+v: %v", a, err)
			}
			if !codes[a.ActionCode] {
				t.Fatalf("activity %s names action %q, not imported", a.Code, a.ActionCode)
			}
		}
	})
}

// FuzzSheetXML fuzzes the PTA sheet's XML inside an otherwise valid
// workbook, where FuzzParse's mutations rarely get past the zip's checksums.
func FuzzSheetXML(f *testing.F) {
	ref := MustReference(f)
	actions, activities := MustPlan(f)
	plan := MustBytes(f, func(b *bytes.Buffer) error { return xlsx.ExportPlan(b, ref, actions, activities) })
	problems := MustWorkbook(f, templateHeader, [][]any{
		MustRow(f, map[string]any{"Échéance": "31/02/2024", "Budget (FCFA)": formula("1+1")}),
		MustRow(f, map[string]any{"Structure responsable": "?", "Trimestre": "T9", "Illustratif": true}),
	}, func(file *excelize.File) error { return file.MergeCell("PTA", "A2", "A3") })
	const sheetPart = "xl/worksheets/sheet1.xml"
	for _, workbook := range [][]byte{plan, problems} {
		f.Add(MustPart(f, workbook, sheetPart))
	}
	f.Add([]byte(`<worksheet><sheetData><row r="1"><c r="XFD1048576" t="inlineStr"><is><t>Code action</t></is></c></row></sheetData></worksheet>`))

	f.Fuzz(func(t *testing.T, sheet []byte) {
		data := MustReplacePart(t, plan, sheetPart, sheet)
		in, err := xlsx.ParseWithoutRecover(bytes.NewReader(data), ref)
		if err != nil {
			if len(in.Actions) != 0 || len(in.Activities) != 0 {
				t.Fatalf("failed import holds %d actions and %d activities", len(in.Actions), len(in.Activities))
			}
			return
		}
		for _, a := range in.Activities {
			if err := a.Validate(); err != nil {
				t.Fatalf("activity %+v: %v", a, err)
			}
		}
	})
}

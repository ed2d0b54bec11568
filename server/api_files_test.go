package server_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/xuri/excelize/v2"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/xlsx"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func init() { openapi3filter.RegisterBodyDecoder(xlsxType, openapi3filter.FileBodyDecoder) }

// mustWorkbook reads the demo's 2024 plan, a workbook typed as people type them (48 actions, 82 activities).
func mustWorkbook(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("../demo/pta-2024.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// multipartFile wraps data as the "file" field of a form.
func multipartFile(t *testing.T, name string, data []byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile("file", name)
	if err == nil {
		_, err = part.Write(data)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

// TestPlanFilesAPI imports the 82-activity workbook through the API (preview,
// import, refusals that write nothing), then downloads the template, the
// plan, the execution status and the bilan report.
func TestPlanFilesAPI(t *testing.T) {
	t.Parallel()
	r := mustRealStack(t)
	ctx := context.Background()
	coord := r.as(t, "coordonnateur@cnltp.demo", demo.Password)
	partner := r.as(t, "partenaire@cnltp.demo", demo.Password)
	want(t, coord.do("POST", "/cycles", map[string]any{"year": 2024}), 201, "launch 2024")
	want(t, coord.do("POST", "/cycles/2024/bilan/close", nil), 200, "close bilan")
	want(t, coord.do("POST", "/cycles/2024/recommendations/adopt", map[string]any{"recommendationIds": []int64{}}), 200, "adopt none")
	plan, err := r.db.Plan(ctx, r.org.ID, 2024)
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		t.Helper()
		n, err := r.db.CountActivities(ctx, r.org.ID, postgres.ActivityFilter{PlanID: plan.ID})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	file := mustWorkbook(t)

	t.Run("Template", func(t *testing.T) {
		res := want(t, partner.do("GET", "/cycles/2024/plan/template.xlsx", nil), 200, "template")
		if res.Header.Get("Content-Type") != xlsxType || !strings.Contains(res.Header.Get("Content-Disposition"), "modele-pta-2024.xlsx") {
			t.Errorf("template headers %v", res.Header)
		}
		f, err := excelize.OpenReader(bytes.NewReader(res.Body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if units, _ := f.GetRows("Référentiels"); !strings.Contains(strings.Join(flatten(units), "|"), "CRLTP Gbêkê") {
			t.Errorf("the template's reference lists lack the organisation's units: %q", units)
		}
	})

	t.Run("Preview", func(t *testing.T) {
		var p struct {
			DryRun                          bool
			Actions, NewActions, Activities int
			ByAxis                          []xlsx.AxisCount
			Warnings                        []ptacycle.FieldError
		}
		want(t, coord.send("POST", "/cycles/2024/plan/import?dryRun=true", xlsxType, file, false), 200, "preview").decode(t, &p)
		if !p.DryRun || p.Actions != 48 || p.NewActions != 48 || p.Activities != 82 || len(p.ByAxis) != 5 || p.ByAxis[0].AxisCode != "A1" || p.ByAxis[0].Actions != 12 || p.ByAxis[0].Activities != 21 {
			t.Errorf("preview = %+v", p)
		}
		if n := count(); n != 0 {
			t.Errorf("a preview wrote %d activities", n)
		}
		if !slices.ContainsFunc(p.Warnings, func(w ptacycle.FieldError) bool { return w.Field == "activities[1.5.1].dueDate" }) {
			t.Errorf("the preview does not say 1.5.1 is due on a Sunday: %+v", p.Warnings)
		}
	})

	t.Run("ErrBadCell", func(t *testing.T) {
		bad := mustBadDateWorkbook(t)
		contentType, body := multipartFile(t, "pta.xlsx", bad)
		res := want(t, coord.send("POST", "/cycles/2024/plan/import", contentType, body, false), 422, "bad date")
		e := res.err(t)
		if len(e.Fields) != 1 || e.Fields[0].Field != "PTA!J2" || e.Fields[0].Message != "Ligne 2, colonne Échéance : date 31/02/2024 invalide" {
			t.Errorf("bad date answer = %+v", e)
		}
		if n := count(); n != 0 {
			t.Errorf("a refused import wrote %d activities", n)
		}
	})
	t.Run("ErrNotWorkbook", func(t *testing.T) {
		res := want(t, coord.send("POST", "/cycles/2024/plan/import", xlsxType, []byte("Axe;Code action\n1;1.1\n"), false), 422, "csv")
		if e := res.err(t); !strings.Contains(e.Message, "n'est pas un classeur Excel") {
			t.Errorf("CSV answer = %+v", e)
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		res := coord.doRaw("POST", "/cycles/2024/plan/import", xlsxType, make([]byte, xlsx.MaxFileSize+128<<10))
		if res.Status != 413 || !strings.Contains(res.err(t).Message, "5 Mo") {
			t.Errorf("huge file: %d %s", res.Status, res.Body)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		want(t, partner.send("POST", "/cycles/2024/plan/import", xlsxType, file, false), 403, "partner import")
	})

	var done struct {
		DryRun                 bool
		NewActions, Activities int
	}
	want(t, coord.send("POST", "/cycles/2024/plan/import", xlsxType, file, false), 200, "import").decode(t, &done)
	if done.DryRun || done.NewActions != 48 || done.Activities != 82 || count() != 82 {
		t.Errorf("import = %+v, plan holds %d activities", done, count())
	}
	t.Run("ErrImportedTwice", func(t *testing.T) {
		res := want(t, coord.send("POST", "/cycles/2024/plan/import", xlsxType, file, false), 422, "second import")
		if e := res.err(t); len(e.Fields) < 82 && !strings.Contains(e.Message, "déjà présent") {
			t.Errorf("second import answer = %s", truncate(res.Body, 500))
		}
		if n := count(); n != 82 {
			t.Errorf("plan holds %d activities after a refused second import", n)
		}
	})

	t.Run("ExportRoundTrips", func(t *testing.T) {
		res := want(t, partner.do("GET", "/cycles/2024/plan/export.xlsx", nil), 200, "export")
		ref, err := r.db.PlanReference(ctx, r.org.ID, plan.ID)
		if err != nil {
			t.Fatal(err)
		}
		ref.ExistingActivityCodes = nil
		in, err := xlsx.Parse(bytes.NewReader(res.Body), ref)
		if err != nil || len(in.Actions) != 48 || len(in.Activities) != 82 {
			t.Errorf("the export parses back to %d actions and %d activities (%v)", len(in.Actions), len(in.Activities), err)
		}
	})
	t.Run("ExecutionAndReport", func(t *testing.T) {
		res := want(t, partner.do("GET", "/cycles/2024/execution.xlsx", nil), 200, "execution")
		f, err := excelize.OpenReader(bytes.NewReader(res.Body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if rows, _ := f.GetRows(xlsx.ExecutionSheet); len(rows) < 83 {
			t.Errorf("execution sheet has %d rows, want a header and 82 activities", len(rows))
		}
		var report ptacycle.BilanReport
		want(t, partner.do("GET", "/cycles/2024/bilan/report", nil), 200, "report").decode(t, &report)
		if report.Year != 2024 || report.Bilan.ReviewedYear != 2023 || report.Organisation.Slug != demo.Slug {
			t.Errorf("report = %+v", report)
		}
		want(t, partner.do("GET", "/cycles/2024/bilan/report.xlsx", nil), 200, "report xlsx")
	})
	t.Run("ErrWrongStage", func(t *testing.T) {
		want(t, coord.do("POST", "/cycles", map[string]any{"year": 2023}), 201, "launch 2023")
		res := want(t, coord.send("POST", "/cycles/2023/plan/import", xlsxType, file, false), 409, "import at the bilan stage")
		if e := res.err(t); !strings.Contains(e.Message, "Élaboration") && !strings.Contains(e.Message, "élaboration") {
			t.Errorf("wrong stage answer = %+v", e)
		}
	})
}

// mustBadDateWorkbook is a one-activity workbook due on 31 February.
func mustBadDateWorkbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "PTA"); err != nil {
		t.Fatal(err)
	}
	rows := [][]any{
		{"Axe", "Code action", "Action", "Code activité", "Activité", "Structure responsable", "Partenaires", "Régions", "Début", "Échéance"},
		{"A1", "1.1", "Sensibiliser", "1.1.1", "Campagne radio", "CNLTP", "", "", "01/02/2024", "31/02/2024"},
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("PTA", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

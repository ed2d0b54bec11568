package server_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ptacycle/ptacycle/demo"
)

// importFixture is the access fixture's 2024 draft plan emptied of its
// activity, so that the demo's workbook imports into it.
func importFixture(t *testing.T) *accessFixture {
	t.Helper()
	f := mustAccessFixture(t)
	if _, err := f.app.db.Pool.Exec(context.Background(), `DELETE FROM activities WHERE id = $1`, f.activity.ID); err != nil {
		t.Fatal(err)
	}
	return f
}

// importPost sends file as a browser's upload form does.
func importPost(t *testing.T, b *http.Client, u string, file []byte) (int, string) {
	t.Helper()
	contentType, body := multipartFile(t, "pta-2024.xlsx", file)
	resp, err := b.Post(u, contentType, strings.NewReader(string(body)))
	return read(t, resp, err)
}

var confirmAction = regexp.MustCompile(`action="(/cycles/2024/pta/import/\d+)"`)

func TestImportPages(t *testing.T) {
	t.Parallel()
	f := importFixture(t)
	base := f.app.srv.URL
	coord := signInDemo(t, base, "coordonnateur@cnltp.demo")
	activities := func() int {
		return planCount(t, f, `SELECT count(*) FROM activities WHERE organisation_id = $1`, f.demoOrg.ID)
	}

	status, body := get(t, coord, base+"/cycles/2024/pta")
	planHas(t, "the PTA page", body, planTestID("plan-import"), `href="/cycles/2024/pta/modele.xlsx"`, `href="/cycles/2024/pta/export.xlsx"`)
	if status != http.StatusOK {
		t.Fatalf("PTA page: %d", status)
	}

	t.Run("ErrBadCell", func(t *testing.T) {
		status, body := importPost(t, coord, base+"/cycles/2024/pta/import", mustBadDateWorkbook(t))
		if status != http.StatusUnprocessableEntity {
			t.Errorf("bad file: %d", status)
		}
		planHas(t, "the refused import", body, planTestID("import-problems"), "PTA!J2", "Ligne 2, colonne Échéance : date 31/02/2024 invalide", "Rien n&#39;a été importé")
		planLacks(t, "the refused import", body, planTestID("import-confirm"))
	})
	t.Run("ErrNotWorkbook", func(t *testing.T) {
		status, body := importPost(t, coord, base+"/cycles/2024/pta/import", []byte("%PDF-1.4"))
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "classeur Excel (.xlsx)") {
			t.Errorf("PDF upload: %d", status)
		}
	})
	t.Run("ErrNoFile", func(t *testing.T) {
		status, body := post(t, coord, base+"/cycles/2024/pta/import", nil)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Fichier Excel (.xlsx) : champ obligatoire") {
			t.Errorf("form without a file: %d", status)
		}
	})

	status, body = importPost(t, coord, base+"/cycles/2024/pta/import", mustWorkbook(t))
	planHas(t, "the preview", body, planTestID("import-preview"), "48 action(s) dans le fichier, dont 47 nouvelle(s), et 82 activité(s).",
		"A1 — Prévention et sensibilisation (illustratif)", planTestID("import-warnings"), "Activité 1.5.1 : l&#39;échéance du 31/03/2024 tombe un dimanche")
	m := confirmAction.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		t.Fatalf("preview: %d, confirm form found: %v", status, m != nil)
	}
	if n := activities(); n != 0 {
		t.Errorf("the preview wrote %d activities", n)
	}

	t.Run("ErrSomeoneElsesUpload", func(t *testing.T) {
		admin := signInDemo(t, base, "admin@cnltp.demo")
		if status, _ := post(t, admin, base+m[1], nil); status != http.StatusForbidden {
			t.Errorf("the administrator confirming: %d, want 403", status)
		}
	})

	status, location, _ := postFull(t, coord, base+m[1], nil)
	if status != http.StatusSeeOther || location != "/cycles/2024/pta" || activities() != 82 {
		t.Fatalf("confirm: %d → %q, %d activities", status, location, activities())
	}
	_, body = get(t, coord, base+"/cycles/2024/pta")
	planHas(t, "the PTA after the import", body, "Import terminé : 47 action(s) et 82 activité(s) ajoutées au PTA.", "48 action(s), 82 activité(s)")

	t.Run("ErrConfirmedTwice", func(t *testing.T) {
		status, body := post(t, coord, base+m[1], nil)
		if status != http.StatusNotFound || !strings.Contains(body, "n&#39;est plus disponible") {
			t.Errorf("second confirmation: %d", status)
		}
		if n := activities(); n != 82 {
			t.Errorf("%d activities after a second confirmation", n)
		}
	})

	t.Run("Report", func(t *testing.T) {
		status, body := get(t, signInDemo(t, base, "partenaire@cnltp.demo"), base+"/cycles/2024/bilan/rapport")
		if status != http.StatusOK {
			t.Fatalf("report: %d", status)
		}
		planHas(t, "the report", body, planTestID("report"), planTestID("report-recommendations"), "Rapport du bilan du PTA 2023",
			"Doter le CNLTP d&#39;un budget", `href="/cycles/2024/bilan/rapport.xlsx"`)
		if size := gzipSize(t, body); size > 100<<10 {
			t.Errorf("the report weighs %d bytes gzipped", size)
		}
	})
}

// TestImportBrowser imports a workbook the way a coordinator does, in
// Chromium: a refused file first, then the plan; and prints the bilan report.
func TestImportBrowser(t *testing.T) {
	f := importFixture(t)
	dir := t.TempDir()
	bad, good := filepath.Join(dir, "pta-erreur.xlsx"), filepath.Join(dir, "pta-2024.xlsx")
	if err := os.WriteFile(bad, mustBadDateWorkbook(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, mustWorkbook(t), 0o644); err != nil {
		t.Fatal(err)
	}
	b := mustChrome(t, f.app.srv.URL, desktopWidth, desktopHeight)
	b.login("coordonnateur@cnltp.demo", demo.Password)
	b.visit("/cycles/2024/pta")
	b.waitFor("plan-import")

	b.do(chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{bad}))
	b.submit("import-check")
	b.waitFor("import-problems")
	b.shot("import-refused")
	if got := b.text("import-problems"); !strings.Contains(got, "Ligne 2, colonne Échéance : date 31/02/2024 invalide") {
		t.Errorf("problems shown = %q", got)
	}

	b.do(chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{good}))
	b.submit("import-check")
	b.waitFor("import-preview")
	b.shot("import-preview")
	b.submit("import-confirm")
	b.waitFor("plan-counts")
	b.shot("import-done")
	if got := b.text("plan-counts"); !strings.Contains(got, "48 action(s), 82 activité(s)") {
		t.Errorf("plan counts after the import = %q", got)
	}

	b.visit("/cycles/2024/bilan/rapport")
	b.waitFor("report")
	b.shot("report")
	pdf := b.printPDF()
	if !strings.HasPrefix(string(pdf), "%PDF") || len(pdf) < 5000 {
		t.Errorf("printing the report gave %d bytes", len(pdf))
	}
	if err := os.WriteFile(filepath.Join(b.dir, "report.pdf"), pdf, 0o644); err != nil {
		t.Error(err)
	}

}

func ptr[T any](v T) *T { return &v }

package server_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/xlsx"
)

// multipartForm encodes fields and, when fileName is set, a file under "evidenceFile" (or fileField).
func multipartForm(t *testing.T, fields map[string]string, fileField, fileName string, file []byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if fileName != "" || file != nil {
		part, err := w.CreateFormFile(fileField, fileName)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := part.Write(file); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

// postMultipart posts a multipart body with a browser-like client; it returns the status, the Location and the body.
func postMultipart(t *testing.T, c *http.Client, u, contentType string, body []byte) (int, string, string) {
	t.Helper()
	resp, err := c.Post(u, contentType, bytes.NewReader(body))
	status, page := read(t, resp, err)
	return status, resp.Header.Get("Location"), page
}

var evidenceLink = regexp.MustCompile(`href="/preuves/(\d+)" download data-testid="evidence-\d+">([^<]+)<`)

// TestEvidenceFiles attaches files to progress reports through the pages, the
// one-click link and the API, downloads them as each role, and checks that a
// bad file, a file too large or a stale report writes nothing.
func TestEvidenceFiles(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	approvePlan(t, f)
	ctx := context.Background()
	db, base := f.app.db, f.app.srv.URL
	files := func() int {
		t.Helper()
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM evidence_files`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	current := func() ptacycle.Activity {
		t.Helper()
		a, err := db.Activity(ctx, f.demoOrg.ID, f.activity.ID)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	id := f.activity.ID
	page := fmt.Sprintf("/activites/%d", id)
	progressURL := fmt.Sprintf("%s/activites/%d/avancement", base, id)
	sheet := []byte("%PDF-1.7\nListe de présence signée, atelier de Man")
	owner := signInAs(t, base, "owner")

	form := func(comment string) map[string]string {
		return map[string]string{"version": strconv.Itoa(current().Version), "status": "in_progress", "progress": "40", "comment": comment, "next": page}
	}
	ct, body := multipartForm(t, form("Atelier tenu à Man"), "evidenceFile", "Liste de présence.pdf", sheet)
	status, location, _ := postMultipart(t, owner, progressURL, ct, body)
	if status != http.StatusSeeOther || location != page {
		t.Fatalf("progress with evidence: %d to %q", status, location)
	}
	status, activityPage := get(t, owner, base+page)
	m := evidenceLink.FindStringSubmatch(activityPage)
	if status != http.StatusOK || m == nil || m[2] != "Liste de présence.pdf" {
		t.Fatalf("the activity's history shows no evidence file:\n%s", execExcerpt(activityPage))
	}
	fileID := m[1]

	t.Run("Download", func(t *testing.T) {
		for _, role := range []string{"owner", "coordinator", "partner", "approver"} {
			resp, err := signInAs(t, base, role).Get(base + "/preuves/" + fileID)
			status, content := read(t, resp, err)
			if status != http.StatusOK || content != string(sheet) {
				t.Errorf("%s downloads %d, %d bytes, want 200 and %d bytes", role, status, len(content), len(sheet))
				continue
			}
			h := resp.Header
			if h.Get("Content-Type") != "application/pdf" || h.Get("Content-Disposition") != `attachment; filename*=utf-8''Liste%20de%20pr%C3%A9sence.pdf` ||
				!strings.HasPrefix(h.Get("Content-Security-Policy"), "sandbox") || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s's download headers: %v", role, h)
			}
		}
	})
	t.Run("ErrOtherOrganisation", func(t *testing.T) {
		other := f.signIn(t, "other")
		if res := other.doRaw("GET", "/evidence/"+fileID, "", nil); res.Status != http.StatusNotFound {
			t.Errorf("another organisation downloads the evidence: %d, want 404", res.Status)
		}
		ct, body := multipartForm(t, map[string]string{"version": strconv.Itoa(current().Version)}, "file", "intrusion.pdf", sheet)
		if res := other.doRaw("POST", fmt.Sprintf("/activities/%d/evidence", id), ct, body); res.Status != http.StatusNotFound {
			t.Errorf("another organisation attaches evidence: %d, want 404", res.Status)
		}
	})

	refused := []struct {
		name, file string
		data       []byte
		status     int
		message    string
	}{
		{"Script", "page.html", []byte("<script>alert(1)</script>"), http.StatusUnprocessableEntity, "type de fichier non accepté (« page.html »)"},
		{"Disguised", "rapport.pdf", []byte("<html><body>pas un PDF</body></html>"), http.StatusUnprocessableEntity, "ne correspond pas à son extension .pdf"},
		{"Empty", "vide.pdf", []byte{}, http.StatusUnprocessableEntity, "le fichier est vide"},
		{"TooLarge", "scan.pdf", append([]byte("%PDF-"), make([]byte, ptacycle.MaxEvidenceSize+512<<10)...), http.StatusUnprocessableEntity, "fichier trop volumineux (10 Mo au plus)"},
	}
	for _, c := range refused {
		t.Run("ErrPage"+c.name, func(t *testing.T) {
			before, version := files(), current().Version
			ct, body := multipartForm(t, form("Deuxième envoi"), "evidenceFile", c.file, c.data)
			status, _, page := postMultipart(t, owner, progressURL, ct, body)
			execExpect(t, c.name, status, page, c.status, []string{`data-testid="error-evidenceFile"`, c.message})
			if c.name != "TooLarge" && !strings.Contains(page, "Deuxième envoi") {
				t.Errorf("%s: the typed comment is lost", c.name)
			}
			if files() != before || current().Version != version {
				t.Errorf("%s: a refused report wrote something: %d files (was %d), version %d (was %d)", c.name, files(), before, current().Version, version)
			}
		})
	}

	t.Run("API", func(t *testing.T) {
		api := f.signIn(t, "owner")
		ct, body := multipartForm(t, map[string]string{"version": strconv.Itoa(current().Version), "comment": "Rapport final"}, "file", "rapport-final.docx", []byte("PK\x03\x04 rapport"))
		var a ptacycle.Activity
		want(t, api.send("POST", fmt.Sprintf("/activities/%d/evidence", id), ct, body, false), 200, "attach").decode(t, &a)
		if a.Status != ptacycle.StatusInProgress || a.Progress != 40 || a.Comment != "Rapport final" {
			t.Errorf("evidence changed the status or progress: %+v", a)
		}
		var history []ptacycle.ActivityUpdate
		want(t, api.do("GET", fmt.Sprintf("/activities/%d/history", id), nil), 200, "history").decode(t, &history)
		last := history[len(history)-1]
		if last.EvidenceFile == nil || last.EvidenceFile.Name != "rapport-final.docx" || last.StatusBefore != last.StatusAfter {
			t.Fatalf("history after the API's evidence: %+v", last)
		}
		res := want(t, api.send("GET", fmt.Sprintf("/evidence/%d", last.EvidenceFile.ID), "", nil, false), 200, "download")
		if string(res.Body) != "PK\x03\x04 rapport" || !strings.Contains(res.Header.Get("Content-Type"), "wordprocessingml") {
			t.Errorf("download through the API: %q, %s", res.Body, res.Header.Get("Content-Type"))
		}
		t.Run("ErrStale", func(t *testing.T) {
			before := files()
			ct, body := multipartForm(t, map[string]string{"version": "1"}, "file", "retard.pdf", sheet)
			want(t, api.send("POST", fmt.Sprintf("/activities/%d/evidence", id), ct, body, false), 409, "stale")
			if files() != before {
				t.Error("a stale report stored its file")
			}
		})
		t.Run("ErrNoFile", func(t *testing.T) {
			ct, body := multipartForm(t, map[string]string{"version": strconv.Itoa(current().Version)}, "", "", nil)
			if e := want(t, api.send("POST", fmt.Sprintf("/activities/%d/evidence", id), ct, body, true), 422, "no file").err(t); !strings.Contains(e.Message, "Fichier de preuve") {
				t.Errorf("without a file: %+v", e)
			}
		})
		t.Run("ErrPartner", func(t *testing.T) {
			ct, body := multipartForm(t, map[string]string{"version": strconv.Itoa(current().Version)}, "file", "x.pdf", sheet)
			want(t, f.signIn(t, "partner").send("POST", fmt.Sprintf("/activities/%d/evidence", id), ct, body, true), 403, "partner")
		})
	})

	t.Run("InTheExecutionWorkbook", func(t *testing.T) {
		res := want(t, f.signIn(t, "coordinator").send("GET", fmt.Sprintf("/cycles/%d/execution.xlsx", f.year), "", nil, false), 200, "export")
		wb, err := excelize.OpenReader(bytes.NewReader(res.Body))
		if err != nil {
			t.Fatal(err)
		}
		defer wb.Close()
		rows, _ := wb.GetRows(xlsx.ExecutionSheet)
		want := fmt.Sprintf("%d fichier(s) dans ptacycle", files())
		found := false
		for _, row := range rows[2:] {
			if len(row) == 11 && row[2] == f.activity.Code && strings.HasPrefix(row[10], want) {
				found = true
			}
		}
		if !found {
			t.Errorf("the execution workbook does not say %q for %s: %q", want, f.activity.Code, rows)
		}
	})
	t.Run("NameEscaped", func(t *testing.T) {
		ct, body := multipartForm(t, form("Nom piégé"), "evidenceFile", xssImage+".pdf", sheet)
		if status, _, _ := postMultipart(t, owner, progressURL, ct, body); status != http.StatusSeeOther {
			t.Fatalf("progress with a file named %q: %d", xssImage+".pdf", status)
		}
		xssCheck(t, owner, base, page, http.StatusOK)
	})
	t.Run("OneClickLink", func(t *testing.T) {
		u, _, _ := db.UserByEmail(ctx, demoLogins["owner"])
		secret, err := db.Secret(ctx, ptacycle.LinkSecretName, func() ([]byte, error) { return []byte(strings.Repeat("k", 32)), nil })
		if err != nil {
			t.Fatal(err)
		}
		link := base + "/r/" + ptacycle.SignLink(secret, ptacycle.UpdateLink{ActivityID: id, UserID: u.ID, Epoch: u.LinkEpoch, Expires: time.Now().Add(time.Hour)})
		ct, body := multipartForm(t, map[string]string{"version": strconv.Itoa(current().Version), "status": "in_progress", "progress": "60"},
			"evidenceFile", "photo-atelier.jpg", []byte("\xff\xd8\xff\xe0 photo de l'atelier"))
		status, _, page := postMultipart(t, browser(), link, ct, body)
		execExpect(t, "link with a photo", status, page, http.StatusOK, []string{`data-testid="link-saved"`})
		_, activityPage := get(t, owner, base+"/activites/"+strconv.FormatInt(id, 10))
		if !strings.Contains(activityPage, ">photo-atelier.jpg<") {
			t.Errorf("the photo sent through the link is not in the history")
		}
	})
}

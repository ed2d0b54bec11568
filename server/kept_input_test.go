package server_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
)

// TestRefusedReportKeepsFile: an owner on a phone attaches a photo to a
// report the server refuses (postponed without a new date); the page shows
// the photo as attached, and the corrected form, sent without choosing it
// again, stores it with the report. Before, the photo was dropped with the
// refused form and had to be sent again over the slow link.
func TestRefusedReportKeepsFile(t *testing.T) {
	ctx := context.Background()
	f := mustAccessFixture(t)
	approvePlan(t, f)
	id := f.activity.ID

	phone := mustChrome(t, f.app.srv.URL, phoneWidth, phoneHeight)
	phone.login(demoLogins["owner"], demo.Password)
	phone.visit("/mes-activites")
	phone.click(fmt.Sprintf("report-open-%d", id))
	phone.waitFor(fmt.Sprintf("progress-form-%d", id))
	phone.do(chromedp.Click(chromedp.ID(fmt.Sprintf("st-%d-postponed", id))))
	phone.fill("comment", "Reportée faute de salle")
	photo := filepath.Join(t.TempDir(), "courrier-report.jpg")
	if err := os.WriteFile(photo, []byte("\xff\xd8\xff\xe0 photo du courrier de report"), 0o644); err != nil {
		t.Fatal(err)
	}
	phone.do(chromedp.SetUploadFiles(chromedp.ID(fmt.Sprintf("ef-%d", id)), []string{photo}))
	phone.submit(fmt.Sprintf("progress-save-%d", id))

	phone.waitFor("error-postponedTo")
	held := fmt.Sprintf("held-evidence-%d", id)
	phone.waitFor(held)
	phone.shot("refused-file-kept")
	if text := phone.text(held); !strings.Contains(text, "courrier-report.jpg") || !strings.Contains(text, "Fichier déjà reçu") {
		t.Errorf("the refused form shows the kept file as %q", text)
	}
	if got := phone.value("comment"); got != "Reportée faute de salle" {
		t.Errorf("the refused form lost the comment: %q", got)
	}

	// Corrected without choosing the file again.
	phone.fill("postponedTo", "2024-10-15")
	phone.submit(fmt.Sprintf("progress-save-%d", id))
	phone.waitFor("flash")
	history, err := f.app.db.ActivityHistory(ctx, f.demoOrg.ID, id)
	if err != nil || len(history) == 0 {
		t.Fatalf("history %+v, %v", history, err)
	}
	last := history[len(history)-1]
	if last.StatusAfter != ptacycle.StatusPostponed || last.EvidenceFile == nil || last.EvidenceFile.Name != "courrier-report.jpg" {
		t.Errorf("the corrected report is %+v with evidence %+v; want postponed with courrier-report.jpg", last, last.EvidenceFile)
	}
	var waiting int
	if err := f.app.db.Pool.QueryRow(ctx, `SELECT count(*) FROM held_evidence`).Scan(&waiting); err != nil || waiting != 0 {
		t.Errorf("%d files still held after the report took its file (%v)", waiting, err)
	}

	// The file reached the server once and is stored once.
	files, _ := f.app.db.Pool.Query(ctx, `SELECT 1 FROM evidence_files WHERE activity_id = $1`, id)
	n := 0
	for files.Next() {
		n++
	}
	files.Close()
	if n != 1 {
		t.Errorf("%d evidence files stored, want 1", n)
	}
}

// TestImpossibleDateRefusedOnField: a workshop date typed as 31/02 is no
// date, which the browser sends as an empty field; the bilan form (sent
// without the browser's own checks, for its close button) dropped it while
// the page said « Bilan enregistré ». The field now refuses it where it is
// and nothing is sent.
func TestImpossibleDateRefusedOnField(t *testing.T) {
	ctx := context.Background()
	f := mustAccessFixture(t)
	cy := bilanSetStage(t, f, ptacycle.StageBilan)

	b := mustChrome(t, f.app.srv.URL, desktopWidth, desktopHeight)
	b.login(demoLogins["coordinator"], demo.Password)
	b.visit(fmt.Sprintf("/cycles/%d/bilan", f.year))
	b.waitFor("bilan-form")
	b.fill("workshopPlace", "Grand-Bassam")
	// Typed key by key, as a person does: the day, the month and the year
	// segments in the order of the browser's language.
	b.do(chromedp.Click(byName("workshopStart")), chromedp.SendKeys(byName("workshopStart"), "02312024"))
	if !b.is(`document.querySelector('[name=workshopStart]').validity.badInput`) {
		b.do(chromedp.SendKeys(byName("workshopStart"), "31022024"))
	}
	if !b.is(`document.querySelector('[name=workshopStart]').validity.badInput`) {
		t.Fatalf("the typed 31/02 is not an impossible date in this browser: value %q", b.value("workshopStart"))
	}
	b.click("bilan-save")
	b.waitFor("bad-date-workshopStart")
	b.shot("impossible-date")
	if text := b.text("bad-date-workshopStart"); !strings.Contains(text, "Cette date n'existe pas") {
		t.Errorf("the impossible date is refused with %q", text)
	}
	if b.is(`document.querySelector('[data-testid=flash]') !== null`) {
		t.Errorf("a flash shows after an impossible date: %q", b.text("flash"))
	}
	if !b.is(`document.activeElement && document.activeElement.name === 'workshopStart'`) {
		t.Errorf("the refused field does not have the focus")
	}
	bl, err := f.app.db.Bilan(ctx, f.demoOrg.ID, cy.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bl.Version != 1 || bl.WorkshopPlace != "" {
		t.Errorf("the refused form was saved: version %d, place %q", bl.Version, bl.WorkshopPlace)
	}

	// Corrected, it is saved, and the field's error goes.
	b.fill("workshopStart", "2024-02-06")
	b.submit("bilan-save")
	b.waitFor("flash")
	if b.is(`document.querySelector('[data-testid=bad-date-workshopStart]') !== null`) {
		t.Errorf("the date error stays after the correction")
	}
	if bl, _ = f.app.db.Bilan(ctx, f.demoOrg.ID, cy.ID); bl.WorkshopStart.String() != "2024-02-06" {
		t.Errorf("the corrected date is stored as %q", bl.WorkshopStart.String())
	}
}

var heldField = regexp.MustCompile(`name="heldEvidence" value="(\d+)"`)

// TestRefusedLinkReportKeepsFile: the one-click link's form keeps a file
// its refused sending brought, as the signed-in form does, and the file
// goes with the corrected report only; dropped on request, it does not.
func TestRefusedLinkReportKeepsFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := mustAccessFixture(t)
	approvePlan(t, f)
	db := f.app.db
	u, _, _ := db.UserByEmail(ctx, demoLogins["owner"])
	secret, err := db.Secret(ctx, ptacycle.LinkSecretName, func() ([]byte, error) { return []byte(strings.Repeat("k", 32)), nil })
	if err != nil {
		t.Fatal(err)
	}
	link := f.app.srv.URL + "/r/" + ptacycle.SignLink(secret, ptacycle.UpdateLink{ActivityID: f.activity.ID, UserID: u.ID, Epoch: u.LinkEpoch, Expires: time.Now().Add(time.Hour)})
	version := func() string {
		a, err := db.Activity(ctx, f.demoOrg.ID, f.activity.ID)
		if err != nil {
			t.Fatal(err)
		}
		return strconv.Itoa(a.Version)
	}
	files := func() int {
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM evidence_files WHERE activity_id = $1`, f.activity.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	refused := func(name string) string {
		t.Helper()
		ct, body := multipartForm(t, map[string]string{"version": version(), "status": "postponed"}, "evidenceFile", name, []byte("\xff\xd8\xff\xe0 "+name))
		status, _, page := postMultipart(t, browser(), link, ct, body)
		execExpect(t, "refused link report with a file", status, page, http.StatusUnprocessableEntity,
			[]string{`data-testid="error-postponedTo"`, "Fichier déjà reçu : " + name})
		m := heldField.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("the refused link form does not carry the kept file")
		}
		return m[1]
	}

	held := refused("feuille.jpg")
	ct, body := multipartForm(t, map[string]string{"version": version(), "status": "postponed", "postponedTo": "2024-11-04", "heldEvidence": held}, "", "", nil)
	status, _, page := postMultipart(t, browser(), link, ct, body)
	execExpect(t, "corrected link report", status, page, http.StatusOK, []string{`data-testid="link-saved"`})
	if n := files(); n != 1 {
		t.Errorf("%d evidence files after the corrected report, want 1", n)
	}
	// Taken: the same held file named again is gone, and said so on the field.
	ct, body = multipartForm(t, map[string]string{"version": version(), "status": "postponed", "postponedTo": "2024-11-04", "heldEvidence": held}, "", "", nil)
	status, _, page = postMultipart(t, browser(), link, ct, body)
	execExpect(t, "a held file sent twice", status, page, http.StatusUnprocessableEntity, []string{`data-testid="error-evidenceFile"`, "choisissez-le à nouveau"})

	held = refused("autre.jpg")
	ct, body = multipartForm(t, map[string]string{"version": version(), "status": "postponed", "postponedTo": "2024-11-05", "heldEvidence": held, "dropHeld": "1"}, "", "", nil)
	status, _, page = postMultipart(t, browser(), link, ct, body)
	execExpect(t, "corrected link report without the kept file", status, page, http.StatusOK, []string{`data-testid="link-saved"`})
	if n := files(); n != 1 {
		t.Errorf("%d evidence files after a report that dropped its kept file, want 1", n)
	}
}

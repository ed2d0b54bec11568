package server_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
)

// reportFixture is the demo organisation whose 2024 cycle carries a whole
// bilan report: the rates of the demo's 82-activity plan (imported from
// demo/pta-2024.xlsx, two thirds done), the workshop, and three recommendations
// answered by actions of the plan.
func reportFixture(t *testing.T) *accessFixture {
	t.Helper()
	f := importFixture(t)
	base := f.app.srv.URL
	coord := signInDemo(t, base, "coordonnateur@cnltp.demo")
	status, body := importPost(t, coord, base+"/cycles/2024/pta/import", mustWorkbook(t))
	m := confirmAction.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		t.Fatalf("import preview: %d", status)
	}
	if status, _ = post(t, coord, base+m[1], nil); status != http.StatusSeeOther {
		t.Fatalf("import confirm: %d", status)
	}

	ctx := context.Background()
	db, org := f.app.db, f.demoOrg.ID
	actor := ptacycle.SystemActor(org)
	plan, _ := db.Plan(ctx, org, 2024)
	cy, _ := db.Cycle(ctx, org, 2024)
	items, err := db.RateItems(ctx, org, plan.ID)
	if err != nil || len(items) != 82 {
		t.Fatalf("%d activities to rate: %v", len(items), err)
	}
	for i := range items {
		switch i % 6 {
		case 4:
			items[i].Status, items[i].Progress = ptacycle.StatusInProgress, 50
		case 5:
			items[i].Status = ptacycle.StatusNotStarted
		default:
			items[i].Status = ptacycle.StatusDone
		}
	}
	if err := db.StoreBilanRates(ctx, actor, cy.ID, ptacycle.ComputeBreakdown(items)); err != nil {
		t.Fatal(err)
	}

	b, _ := db.Bilan(ctx, org, cy.ID)
	b.WorkshopStart, b.WorkshopEnd, b.WorkshopPlace = ptacycle.NewDate(2024, 2, 6), ptacycle.NewDate(2024, 2, 7), "Grand-Bassam"
	b.Participants = []string{"Acteurs du CNLTP", "Représentante de la Ministre de la Cohésion Nationale, de la Solidarité et de la Lutte contre la Pauvreté",
		"Expertise France (projet ALTP)", "Cellules régionales (CRLTP)", "ONG et société civile"}
	b.Lessons = []string{"L'installation de cinq CRLTP rapproche la lutte des populations",
		"Les sessions de renforcement de capacités ont touché toute la chaîne pénale, les travailleurs sociaux, les ONG et la société civile"}
	b.Difficulties = []string{"Effectifs du CNLTP insuffisants au regard du volume des activités", "Absence de budget de fonctionnement propre au CNLTP"}
	b.Challenges = []string{"Renforcer le signalement des cas de traite", "Mettre en œuvre la deuxième phase du projet ALTP"}
	if _, err := db.UpdateBilan(ctx, actor, b); err != nil {
		t.Fatal(err)
	}

	// Recommendations are written at their stage, then adopted and answered by the plan's actions.
	if _, err := db.Pool.Exec(ctx, `UPDATE cycles SET stage = 'recommendations' WHERE id = $1`, cy.ID); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"Assurer une bonne répartition des ressources humaines du CNLTP par rapport au volume des activités",
		"Impliquer la société civile pour renforcer le signalement des cas de traite"} {
		if _, err := db.CreateRecommendation(ctx, actor, ptacycle.Recommendation{CycleID: cy.ID, Text: text, Priority: ptacycle.PriorityHigh}); err != nil {
			t.Fatal(err)
		}
	}
	recs, _ := db.Recommendations(ctx, org, cy.ID)
	actions, _ := db.Actions(ctx, org, plan.ID)
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
		if err := db.LinkRecommendation(ctx, actor, r.ID, []int64{actions[i].ID, actions[i+len(recs)].ID}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AdoptRecommendations(ctx, actor, cy.ID, ids); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE cycles SET stage = 'execution' WHERE id = $1`, cy.ID); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestReportPrint prints the bilan report of an 82-activity year to PDF in
// Chromium: the rates start on page 1, under the title, and the whole report
// takes two A4 pages at most.
func TestReportPrint(t *testing.T) {
	f := reportFixture(t)
	b := mustChrome(t, f.app.srv.URL, desktopWidth, desktopHeight)
	b.login("partenaire@cnltp.demo", demo.Password)
	b.visit("/cycles/2024/bilan/rapport")
	b.waitFor("report-print")
	b.shot("report")

	doc := b.printPDF()
	if err := os.WriteFile(filepath.Join(b.dir, "report.pdf"), doc, 0o644); err != nil {
		t.Error(err)
	}
	p := readPrintedPDF(t, doc)
	t.Logf("%d pages of %s points; outline %v", len(p.pages), p.size, p.outline)
	if p.size != "595x842" {
		t.Errorf("the report prints on pages of %s points, want A4 (595x842)", p.size)
	}
	if len(p.pages) > 2 {
		t.Errorf("the report prints on %d A4 pages, want 2 at most", len(p.pages))
	}
	for _, heading := range []string{"Rapport du bilan du PTA 2023", "Taux d'exécution du PTA 2023"} {
		page, ok := p.outline[heading]
		if !ok {
			t.Errorf("no %q in the PDF's outline %v", heading, p.outline)
		} else if page != 1 {
			t.Errorf("%q is on page %d, want page 1", heading, page)
		}
	}
}

// printedPDF is what a test reads of a PDF Chromium printed: its pages and
// their size, and the page (from 1) each heading of its outline starts on.
type printedPDF struct {
	pages   []string // object numbers of the pages, in order
	size    string   // of page 1, in points: "595x842" for A4
	outline map[string]int
}

var (
	pdfObject   = regexp.MustCompile(`(?s)(\d+) 0 obj\s*(.*?)endobj`)
	pdfRef      = regexp.MustCompile(`(\d+) 0 R`)
	pdfKids     = regexp.MustCompile(`/Kids\s*\[([^\]]*)\]`)
	pdfPageTree = regexp.MustCompile(`/Type\s*/Pages\b`)
	pdfRoot     = regexp.MustCompile(`(?s)/Type\s*/Catalog\b.*?/Pages\s+(\d+) 0 R|/Pages\s+(\d+) 0 R.*?/Type\s*/Catalog\b`)
	pdfMediaBox = regexp.MustCompile(`/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]`)
	pdfItem     = regexp.MustCompile(`(?s)/Title\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>).*?/Dest\s*\[\s*(\d+) 0 R`)
)

// readPrintedPDF reads the uncompressed object dictionaries Chromium writes:
// the page tree from the catalogue, and the outline items with their destination page.
func readPrintedPDF(t *testing.T, doc []byte) printedPDF {
	t.Helper()
	dicts := map[string]string{}
	for _, m := range pdfObject.FindAllSubmatch(doc, -1) {
		dict, _, _ := strings.Cut(string(m[2]), "stream")
		dicts[string(m[1])] = dict
	}
	var p printedPDF
	var walk func(id string)
	walk = func(id string) {
		dict := dicts[id]
		if !pdfPageTree.MatchString(dict) {
			p.pages = append(p.pages, id)
			return
		}
		if kids := pdfKids.FindStringSubmatch(dict); kids != nil {
			for _, k := range pdfRef.FindAllStringSubmatch(kids[1], -1) {
				walk(k[1])
			}
		}
	}
	for _, dict := range dicts {
		if m := pdfRoot.FindStringSubmatch(dict); m != nil {
			walk(m[1] + m[2])
		}
	}
	if len(p.pages) == 0 {
		t.Fatalf("no page in the printed PDF (%d bytes)", len(doc))
	}
	if m := pdfMediaBox.FindStringSubmatch(dicts[p.pages[0]]); m != nil {
		w, _ := strconv.ParseFloat(m[1], 64)
		h, _ := strconv.ParseFloat(m[2], 64)
		p.size = fmt.Sprintf("%.0fx%.0f", w, h)
	}
	p.outline = map[string]int{}
	for _, dict := range dicts {
		if m := pdfItem.FindStringSubmatch(dict); m != nil {
			p.outline[pdfText(m[1])] = slices.Index(p.pages, m[2]) + 1
		}
	}
	return p
}

// pdfText decodes a PDF text string: (literal) or <hex>, UTF-16BE when it starts with its byte order mark.
func pdfText(s string) string {
	var b []byte
	if strings.HasPrefix(s, "<") {
		hex := strings.Join(strings.Fields(strings.Trim(s, "<>")), "")
		for i := 0; i+1 < len(hex); i += 2 {
			v, _ := strconv.ParseUint(hex[i:i+2], 16, 8)
			b = append(b, byte(v))
		}
	} else {
		lit := s[1 : len(s)-1]
		for i := 0; i < len(lit); i++ {
			if lit[i] == '\\' && i+1 < len(lit) {
				i++
			}
			b = append(b, lit[i])
		}
	}
	if len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF {
		u := make([]uint16, 0, len(b)/2)
		for i := 2; i+1 < len(b); i += 2 {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		}
		return string(utf16.Decode(u))
	}
	return string(b)
}

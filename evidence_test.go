package ptacycle_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ptacycle/ptacycle"
)

func TestCheckEvidence(t *testing.T) {
	pdf := []byte("%PDF-1.7\n…")
	jpeg := []byte("\xff\xd8\xff\xe0 photo")
	docx := []byte("PK\x03\x04 word")
	for _, c := range []struct {
		name, file string
		data       []byte
		wantType   string // "" when refused
		wantName   string
		message    string
	}{
		{"PDF", "Liste de présence.pdf", pdf, "application/pdf", "Liste de présence.pdf", ""},
		{"PhotoUpperCase", "IMG_2041.JPG", jpeg, "image/jpeg", "IMG_2041.JPG", ""},
		{"Word", "rapport.docx", docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "rapport.docx", ""},
		{"Text", "notes.txt", []byte("Atelier tenu à Man"), "text/plain; charset=utf-8", "notes.txt", ""},
		{"WindowsPath", `C:\Users\awa\Documents\rapport.pdf`, pdf, "application/pdf", "rapport.pdf", ""},
		{"ControlCharacters", "rap\x00port\n.pdf", pdf, "application/pdf", "rapport.pdf", ""},
		{"LongName", strings.Repeat("é", 300) + ".pdf", pdf, "application/pdf", strings.Repeat("é", 196) + ".pdf", ""},
		{"ErrEmpty", "vide.pdf", nil, "", "", "Preuve : le fichier est vide"},
		{"ErrNoName", "", pdf, "", "", "Preuve : le fichier est vide"},
		{"ErrTooLarge", "scan.pdf", append(pdf, make([]byte, ptacycle.MaxEvidenceSize)...), "", "", "Preuve : « scan.pdf » est trop volumineux (10 Mo au plus)"},
		{"ErrHTML", "page.html", []byte("<script>alert(1)</script>"), "", "", "type de fichier non accepté (« page.html »)"},
		{"ErrSVG", "logo.svg", []byte("<svg/>"), "", "", "type de fichier non accepté"},
		{"ErrExecutable", "setup.exe", []byte("MZ"), "", "", "type de fichier non accepté"},
		{"ErrNoExtension", "rapport", pdf, "", "", "type de fichier non accepté"},
		{"ErrDisguised", "rapport.pdf", []byte("<html><script>alert(1)</script>"), "", "", "le contenu de « rapport.pdf » ne correspond pas à son extension .pdf"},
		{"ErrPhotoNotPhoto", "photo.png", pdf, "", "", "ne correspond pas à son extension .png"},
		{"ErrTextNotUTF8", "notes.txt", []byte("caf\xe9"), "", "", "n'est pas un texte UTF-8"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ptacycle.CheckEvidence("evidenceFile", c.file, c.data)
			if c.wantType == "" {
				e, ok := err.(*ptacycle.Error)
				if !ok || e.Code != ptacycle.EINVALID || len(e.Fields) != 1 || e.Fields[0].Field != "evidenceFile" || !strings.Contains(e.Fields[0].Message, c.message) {
					t.Fatalf("CheckEvidence(%q) = %+v, %v; want the field error %q", c.file, got, err, c.message)
				}
				return
			}
			if err != nil || got.ContentType != c.wantType || got.Name != c.wantName || len(got.Data) != len(c.data) {
				t.Fatalf("CheckEvidence(%q) = %q %q (%d bytes), %v; want %q %q", c.file, got.Name, got.ContentType, len(got.Data), err, c.wantName, c.wantType)
			}
		})
	}
	if exts := ptacycle.EvidenceExtensions(); len(exts) < 10 || exts[0] != ".csv" {
		t.Errorf("EvidenceExtensions() = %v", exts)
	}
}

// FuzzCheckEvidence: whatever name and content a browser sends, CheckEvidence
// never panics, and what it accepts has a clean name and a served type.
func FuzzCheckEvidence(f *testing.F) {
	f.Add("Liste de présence.pdf", []byte("%PDF-1.7"))
	f.Add(`C:\docs\photo.JPG`, []byte("\xff\xd8\xff\xe0"))
	f.Add("page.html", []byte("<script>"))
	f.Add(strings.Repeat("é", 250)+".docx", []byte("PK\x03\x04"))
	f.Add("notes.txt", []byte("caf\xe9"))
	types := map[string]bool{}
	for _, t := range ptacycle.EvidenceContentTypes() {
		types[t] = true
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		got, err := ptacycle.CheckEvidence("evidenceFile", name, data)
		if err != nil {
			if e, ok := err.(*ptacycle.Error); !ok || e.Code != ptacycle.EINVALID || len(e.Fields) != 1 {
				t.Fatalf("CheckEvidence(%q) error %v is not one field error", name, err)
			}
			return
		}
		if !types[got.ContentType] || got.Name == "" || !utf8.ValidString(got.Name) || utf8.RuneCountInString(got.Name) > 200 ||
			strings.ContainsAny(got.Name, "/\\\x00\n\r") || len(got.Data) == 0 || len(got.Data) > ptacycle.MaxEvidenceSize {
			t.Fatalf("CheckEvidence(%q, %d bytes) accepted %q as %q", name, len(data), got.Name, got.ContentType)
		}
	})
}

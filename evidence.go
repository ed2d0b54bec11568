package ptacycle

import (
	"bytes"
	"path"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxEvidenceSize bounds a file attached to a progress report: a phone's
// photo of an attendance sheet, a scanned report.
const MaxEvidenceSize = 10 << 20

// MaxEvidenceFiles bounds the files one activity keeps: evidence, not an archive.
const MaxEvidenceFiles = 20

// maxEvidenceName bounds the length of a file's name, in characters.
const maxEvidenceName = 200

// EvidenceFile is a file an owner attached to a progress report as evidence
// of the work (a signed attendance sheet, a report, a photo).
type EvidenceFile struct {
	ID          int64     `json:"id"`
	ActivityID  int64     `json:"activityId"`
	Name        string    `json:"name"`
	ContentType string    `json:"contentType"`
	Size        int       `json:"size"`
	CreatedAt   time.Time `json:"createdAt"`
}

// EvidenceUpload is a file offered as evidence, checked by CheckEvidence.
type EvidenceUpload struct {
	Name        string
	ContentType string
	Data        []byte
}

// evidenceType is a kind of file accepted as evidence: the type it is served
// with, and how its content begins ("" when it has no fixed signature).
type evidenceType struct {
	contentType string
	magic       []string
}

const (
	zipMagic = "PK\x03\x04"
	oleMagic = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" // Word 97–2003, Excel 97–2003
)

// evidenceTypes are the files accepted as evidence, by extension: documents,
// spreadsheets, photos and text, what a committee's members send each other.
// No HTML, SVG or script: evidence is served as a download anyway.
var evidenceTypes = map[string]evidenceType{
	".pdf":  {"application/pdf", []string{"%PDF-"}},
	".jpg":  {"image/jpeg", []string{"\xff\xd8\xff"}},
	".jpeg": {"image/jpeg", []string{"\xff\xd8\xff"}},
	".png":  {"image/png", []string{"\x89PNG\r\n\x1a\n"}},
	".webp": {"image/webp", []string{"RIFF"}},
	".heic": {"image/heic", nil},
	".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", []string{zipMagic}},
	".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []string{zipMagic}},
	".pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation", []string{zipMagic}},
	".odt":  {"application/vnd.oasis.opendocument.text", []string{zipMagic}},
	".ods":  {"application/vnd.oasis.opendocument.spreadsheet", []string{zipMagic}},
	".doc":  {"application/msword", []string{oleMagic}},
	".xls":  {"application/vnd.ms-excel", []string{oleMagic}},
	".txt":  {"text/plain; charset=utf-8", nil},
	".csv":  {"text/csv; charset=utf-8", nil},
}

// EvidenceExtensions lists the accepted extensions, for a file input's accept attribute.
func EvidenceExtensions() []string {
	exts := make([]string, 0, len(evidenceTypes))
	for ext := range evidenceTypes {
		exts = append(exts, ext)
	}
	sort.Strings(exts)
	return exts
}

// EvidenceContentTypes lists the types evidence is served with.
func EvidenceContentTypes() []string {
	seen := map[string]bool{}
	var types []string
	for _, t := range evidenceTypes {
		if !seen[t.contentType] {
			seen[t.contentType] = true
			types = append(types, t.contentType)
		}
	}
	sort.Strings(types)
	return types
}

// CheckEvidence checks a file offered as evidence under the form field
// field: not empty, at most MaxEvidenceSize, of an accepted kind whose content
// is what its extension says. It returns the file with a clean name and the
// type it is served with. EINVALID, naming the field.
func CheckEvidence(field, name string, data []byte) (EvidenceUpload, error) {
	name = evidenceName(name)
	var v Validation
	ext := strings.ToLower(path.Ext(name))
	t, known := evidenceTypes[ext]
	switch {
	case name == "" || len(data) == 0:
		v.Add(field, "Preuve : le fichier est vide", "Evidence: the file is empty")
	case len(data) > MaxEvidenceSize:
		v.Add(field, "Preuve : « %s » est trop volumineux (%d Mo au plus)", "Evidence: “%s” is too large (at most %d MB)", name, MaxEvidenceSize>>20)
	case !known:
		v.Add(field, "Preuve : type de fichier non accepté (« %s ») ; envoyez un PDF, une photo (JPEG, PNG, WebP, HEIC), un document Word, Excel, PowerPoint ou OpenDocument, un texte ou un CSV",
			"Evidence: file type not accepted (“%s”); send a PDF, a photo (JPEG, PNG, WebP, HEIC), a Word, Excel, PowerPoint or OpenDocument file, a text or a CSV", name)
	case !hasMagic(data, t.magic):
		v.Add(field, "Preuve : le contenu de « %s » ne correspond pas à son extension %s", "Evidence: the content of “%s” does not match its extension %s", name, ext)
	case strings.HasPrefix(t.contentType, "text/") && !utf8.Valid(data):
		v.Add(field, "Preuve : « %s » n'est pas un texte UTF-8", "Evidence: “%s” is not UTF-8 text", name)
	}
	if err := v.Err(); err != nil {
		return EvidenceUpload{}, err
	}
	return EvidenceUpload{Name: name, ContentType: t.contentType, Data: data}, nil
}

func hasMagic(data []byte, magic []string) bool {
	if len(magic) == 0 {
		return true
	}
	for _, m := range magic {
		if bytes.HasPrefix(data, []byte(m)) {
			return true
		}
	}
	return false
}

// evidenceName is a file's name as sent, reduced to its last element,
// without control characters, at most maxEvidenceName characters (the
// extension kept).
func evidenceName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 { // browsers on Windows may send a whole path
		name = name[i+1:]
	}
	name = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name))
	if utf8.RuneCountInString(name) > maxEvidenceName {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 10 {
			ext = ""
		}
		runes := []rune(strings.TrimSuffix(name, ext))
		name = string(runes[:maxEvidenceName-utf8.RuneCountInString(ext)]) + ext
	}
	return name
}

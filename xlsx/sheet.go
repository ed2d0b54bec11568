package xlsx

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// The PTA sheet is read here, as one stream of its XML, rather than through
// excelize's readers: they pad every row up to its last cell and every sheet
// up to its last row, which a small hostile file can make gigabytes; and they
// say neither how a cell is typed nor whether it holds a formula. Only the
// cells of the columns the import reads are kept.

// cellFlags is what a cell's text does not tell.
type cellFlags uint8

const (
	cellNumber  cellFlags = 1 << iota // typed as a number (or a date) in Excel, not as text
	cellFormula                       // computed: its value is a cache the import will not trust
)

// sheetCell is a cell as the import reads it.
type sheetCell struct {
	col   int
	text  string
	flags cellFlags
}

// mergedRange is a range of merged cells, e.g. A3:A7.
type mergedRange struct {
	ref         string
	top, left   int
	bottom, end int
}

// errStopReading ends readSheet early, when what was read already decides.
var errStopReading = errors.New("xlsx: stop reading the sheet")

var errCorrupt = errors.New("xlsx: corrupt workbook part")

// readSheet streams a worksheet's XML: the cells of each row that keep
// accepts go to onRow, which may stop the reading by returning an error;
// the merged ranges that keepMerge accepts are returned. sharedStrings are
// the texts of the cells typed "s".
func readSheet(data []byte, sharedStrings []string, keep func(row, col int) bool,
	onRow func(row int, cells []sheetCell) error, keepMerge func(mergedRange) bool) ([]mergedRange, error) {
	decoder := xml.NewDecoder(bytes.NewReader(data))
	var (
		merges   []mergedRange
		cells    []sheetCell
		row, col int
	)
	for {
		token, err := decoder.Token()
		if err == io.EOF {
			return merges, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := token.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				// Numbered as Excel numbers them: by the r attribute, else the previous row's plus one.
				if n, err := strconv.Atoi(attribute(t, "r")); err == nil && n > 0 && n <= excelize.TotalRows {
					row = n
				} else {
					row++
				}
				cells, col = cells[:0], 0
			case "c":
				col++
				if ref := attribute(t, "r"); ref != "" {
					if col, _, err = excelize.CellNameToCoordinates(ref); err != nil {
						return nil, err
					}
				}
				cell, err := readCell(decoder, t, sharedStrings)
				if err != nil {
					return nil, err
				}
				if (cell.text != "" || cell.flags != 0) && keep(row, col) {
					cell.col = col
					cells = append(cells, cell)
				}
			case "mergeCell":
				merged, err := parseMergedRange(attribute(t, "ref"))
				if err != nil {
					return nil, err
				}
				if keepMerge(merged) {
					merges = append(merges, merged)
				}
			}
		case xml.EndElement:
			if t.Name.Local == "row" {
				if err := onRow(row, cells); err != nil {
					return nil, err
				}
			}
		}
	}
}

// readCell reads the cell that start opens, up to its end.
func readCell(decoder *xml.Decoder, start xml.StartElement, sharedStrings []string) (sheetCell, error) {
	var cell sheetCell
	var value, inline string
	for {
		token, err := decoder.Token()
		if err != nil {
			return cell, err
		}
		switch t := token.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "v":
				value, err = elementText(decoder)
			case "is":
				inline, err = richText(decoder)
			case "f":
				cell.flags |= cellFormula
				err = decoder.Skip()
			default:
				err = decoder.Skip()
			}
			if err != nil {
				return cell, err
			}
		case xml.EndElement:
			switch attribute(start, "t") {
			case "s":
				if value == "" {
					return cell, nil
				}
				i, err := strconv.Atoi(strings.TrimSpace(value))
				if err != nil || i < 0 || i >= len(sharedStrings) {
					return cell, errCorrupt
				}
				cell.text = sharedStrings[i]
			case "inlineStr":
				cell.text = inline
			case "", "n":
				if cell.text = value; value != "" {
					cell.flags |= cellNumber
				}
			default: // b (0 or 1), str (a formula's text), e (an error such as #N/A), d (an ISO date)
				cell.text = value
			}
			return cell, nil
		}
	}
}

// elementText is the text of the element just opened, up to its end.
func elementText(decoder *xml.Decoder) (string, error) {
	var text strings.Builder
	for {
		token, err := decoder.Token()
		if err != nil {
			return "", err
		}
		switch t := token.(type) {
		case xml.CharData:
			text.Write(t)
		case xml.StartElement:
			if err := decoder.Skip(); err != nil {
				return "", err
			}
		case xml.EndElement:
			return text.String(), nil
		}
	}
}

// richText is the text of the shared or inline string just opened: its
// runs' texts, without the phonetic guides.
func richText(decoder *xml.Decoder) (string, error) {
	var text strings.Builder
	for depth := 0; ; {
		token, err := decoder.Token()
		if err != nil {
			return "", err
		}
		switch t := token.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				s, err := elementText(decoder)
				if err != nil {
					return "", err
				}
				text.WriteString(s)
			case "rPh", "rPr", "phoneticPr":
				if err := decoder.Skip(); err != nil {
					return "", err
				}
			default:
				depth++
			}
		case xml.EndElement:
			if depth == 0 {
				return unescapeText(text.String()), nil
			}
			depth--
		}
	}
}

// escapedChar is how OOXML writes a character XML cannot hold: _x000D_ for a carriage return.
var escapedChar = regexp.MustCompile(`_x[0-9A-Fa-f]{4}_`)

func unescapeText(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	return escapedChar.ReplaceAllStringFunc(s, func(code string) string {
		r, _ := strconv.ParseUint(code[2:6], 16, 32) // the pattern holds four hexadecimal digits
		return string(rune(r))
	})
}

// readSharedStrings reads the workbook's shared strings, where excelize keeps
// them whatever the case of their path.
func readSharedStrings(book *excelize.File) ([]string, error) {
	content, ok := book.Pkg.Load("xl/sharedStrings.xml")
	if !ok {
		return nil, nil
	}
	data, _ := content.([]byte)
	decoder := xml.NewDecoder(bytes.NewReader(data))
	var list []string
	for {
		token, err := decoder.Token()
		if err == io.EOF {
			return list, nil
		}
		if err != nil {
			return nil, err
		}
		if start, ok := token.(xml.StartElement); ok && start.Name.Local == "si" {
			text, err := richText(decoder)
			if err != nil {
				return nil, err
			}
			list = append(list, text)
		}
	}
}

func parseMergedRange(ref string) (mergedRange, error) {
	first, last, _ := strings.Cut(ref, ":")
	if last == "" {
		last = first
	}
	left, top, err := excelize.CellNameToCoordinates(first)
	if err != nil {
		return mergedRange{}, err
	}
	end, bottom, err := excelize.CellNameToCoordinates(last)
	if err != nil {
		return mergedRange{}, err
	}
	return mergedRange{ref: ref, top: min(top, bottom), left: min(left, end), bottom: max(top, bottom), end: max(left, end)}, nil
}

func attribute(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// relationships is a package's .rels part.
type relationships struct {
	Relationship []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	}
}

func readRelationships(book *excelize.File, part string) (relationships, error) {
	var rels relationships
	content, ok := book.Pkg.Load(part)
	if !ok {
		return rels, errCorrupt
	}
	data, _ := content.([]byte)
	return rels, xml.Unmarshal(data, &rels)
}

// worksheetXML returns the XML of sheet, found as excelize finds it: the
// workbook through the package's relationships, the sheet through the workbook's.
func worksheetXML(book *excelize.File, sheet string) ([]byte, error) {
	root, err := readRelationships(book, "_rels/.rels")
	if err != nil {
		return nil, err
	}
	var workbook string
	for _, rel := range root.Relationship {
		if strings.HasSuffix(rel.Type, "/officeDocument") {
			workbook = strings.TrimPrefix(rel.Target, "/")
			break
		}
	}
	rels, err := readRelationships(book, path.Join(path.Dir(workbook), "_rels", path.Base(workbook)+".rels"))
	if err != nil || book.WorkBook == nil {
		return nil, errCorrupt
	}
	var id string
	for _, s := range book.WorkBook.Sheets.Sheet {
		if s.Name == sheet {
			id = s.ID
		}
	}
	for _, rel := range rels.Relationship {
		if rel.ID != id {
			continue
		}
		target := strings.ReplaceAll(rel.Target, "\\", "/")
		if !strings.HasPrefix(target, "/") {
			target = path.Dir(workbook) + "/" + target
		}
		if content, ok := book.Pkg.Load(strings.TrimPrefix(path.Clean(target), "/")); ok {
			data, _ := content.([]byte)
			return data, nil
		}
	}
	return nil, errCorrupt
}

package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/xlsx"
)

// workbook marks a route's body as an Excel workbook (.xlsx) rather than JSON.
type workbook struct{}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// uploadMaxBytes bounds an import's request: the file and a multipart envelope.
const uploadMaxBytes = xlsx.MaxFileSize + 64<<10

// importPreview is what an import brings (the command layer's).
type importPreview = app.ImportPreview

// sendWorkbook answers with a workbook to download as name.
func sendWorkbook(c *gin.Context, name string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Data(http.StatusOK, xlsxType, buf.Bytes())
	return nil
}

func (s *Server) planTemplate(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	_, ref, err := s.app.Plans.Reference(c.Request.Context(), as(c), year)
	if err == nil {
		err = sendWorkbook(c, fmt.Sprintf("modele-pta-%d.xlsx", year), func(w io.Writer) error { return xlsx.Template(w, ref) })
	}
	if err != nil {
		s.fail(c, err)
	}
}

func (s *Server) exportPlan(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	p, err := s.app.Plans.Export(c.Request.Context(), as(c), year)
	if err == nil {
		err = sendWorkbook(c, fmt.Sprintf("pta-%d.xlsx", year), func(w io.Writer) error { return xlsx.ExportPlan(w, p.Reference, p.Actions, p.Activities) })
	}
	if err != nil {
		s.fail(c, err)
	}
}

func (s *Server) exportExecution(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	p, err := s.app.Execution.Export(c.Request.Context(), as(c), year)
	asOf := today()
	if err == nil {
		err = sendWorkbook(c, fmt.Sprintf("execution-pta-%d-au-%s.xlsx", year, asOf.String()), func(w io.Writer) error {
			return xlsx.ExportExecution(w, p.Reference, asOf, p.Actions, p.Activities, p.Files)
		})
	}
	if err != nil {
		s.fail(c, err)
	}
}

// importPlan reads a workbook (the body itself, or the "file" field of a
// multipart form) and, unless dryRun=true, adds it to the draft plan: all of
// it, or nothing with every problem listed by sheet, row and column.
func (s *Server) importPlan(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	file, err := uploadedWorkbook(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.app.Plans.Import(c.Request.Context(), as(c), year, file, c.Query("dryRun") == "true")
	s.reply(c, http.StatusOK, p, err)
}

// uploadedWorkbook reads an uploaded file, within uploadMaxBytes.
func uploadedWorkbook(c *gin.Context) ([]byte, error) {
	if c.Request.ContentLength > uploadMaxBytes {
		return nil, fileTooLarge()
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, uploadMaxBytes)
	var r io.Reader = c.Request.Body
	if strings.HasPrefix(c.ContentType(), "multipart/") {
		f, _, err := c.Request.FormFile("file")
		if err != nil {
			if isTooLarge(err) {
				return nil, fileTooLarge()
			}
			return nil, fieldRequired("file", "Fichier Excel (.xlsx)", "Excel file (.xlsx)")
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, xlsx.MaxFileSize+1))
	switch {
	case isTooLarge(err) || len(data) > xlsx.MaxFileSize:
		return nil, fileTooLarge()
	case err != nil:
		return nil, err
	case len(data) == 0:
		return nil, fieldRequired("file", "Fichier Excel (.xlsx)", "Excel file (.xlsx)")
	}
	return data, nil
}

func fileTooLarge() error {
	return ptacycle.Errorf(ptacycle.ETOOLARGE, "Fichier trop volumineux : %d Mo au plus", "File too large: at most %d MB", xlsx.MaxFileSize>>20)
}

func fieldRequired(field, french, english string) error {
	var v ptacycle.Validation
	v.Require(field, "", french, english)
	return v.Err()
}

func isTooLarge(err error) bool {
	var tooBig *http.MaxBytesError
	return errors.As(err, &tooBig)
}

package server

import (
	"bytes"
	"context"
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
	cc, plan, ok := s.loadPlan(c)
	if !ok {
		return
	}
	ref, err := s.deps.DB.PlanReference(c.Request.Context(), cc.Org.ID, plan.ID)
	if err == nil {
		err = sendWorkbook(c, fmt.Sprintf("modele-pta-%d.xlsx", cc.Year), func(w io.Writer) error { return xlsx.Template(w, ref) })
	}
	if err != nil {
		s.fail(c, err)
	}
}

func (s *Server) exportPlan(c *gin.Context) {
	cc, plan, ok := s.loadPlan(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	ref, actions, activities, err := s.planForExport(ctx, cc.Org.ID, plan.ID)
	if err == nil {
		err = sendWorkbook(c, fmt.Sprintf("pta-%d.xlsx", cc.Year), func(w io.Writer) error { return xlsx.ExportPlan(w, ref, actions, activities) })
	}
	if err != nil {
		s.fail(c, err)
	}
}

func (s *Server) exportExecution(c *gin.Context) {
	cc, plan, ok := s.loadPlan(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	ref, actions, activities, err := s.planForExport(ctx, cc.Org.ID, plan.ID)
	var files map[int64]int
	if err == nil {
		files, err = s.deps.DB.EvidenceCounts(ctx, cc.Org.ID, plan.ID)
	}
	asOf := today()
	if err == nil {
		err = sendWorkbook(c, fmt.Sprintf("execution-pta-%d-au-%s.xlsx", cc.Year, asOf.String()), func(w io.Writer) error {
			return xlsx.ExportExecution(w, ref, asOf, actions, activities, files)
		})
	}
	if err != nil {
		s.fail(c, err)
	}
}

// planForExport reads a whole plan: its reference, actions and every activity.
func (s *Server) planForExport(ctx context.Context, org, planID int64) (ptacycle.PlanReference, []ptacycle.Action, []ptacycle.Activity, error) {
	ref, err := s.deps.DB.PlanReference(ctx, org, planID)
	if err != nil {
		return ref, nil, nil, err
	}
	content, err := s.deps.DB.PlanContent(ctx, org, planID)
	return ref, content.Actions, content.Activities, err
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

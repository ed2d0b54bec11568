package server

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/ui"
)

// importPage checks an uploaded workbook: every problem with its place, or
// what the import will create, to confirm.
type importPage struct {
	ui.Page
	Year     int
	FileName string
	Error    *ui.Errors
	Problems []importProblem
	Preview  *importPreview
	UploadID int64
}

// importProblem is one cell at fault.
type importProblem struct {
	Cell    string
	Message string
}

func (s *Server) renderImport(c *gin.Context, year int, fileName string, status int, err error, adjust func(*importPage)) {
	if ptacycle.ErrorCode(err) == ptacycle.EINTERNAL {
		s.fail(c, err)
		return
	}
	p := importPage{Page: s.page(c, "import.title"), Year: year, FileName: fileName, Error: ui.FormErrors(err, lang(c))}
	p.Title = p.T("import.title", "Year", year)
	var coded *ptacycle.Error
	if e, ok := err.(*ptacycle.Error); ok {
		coded = e
	}
	if coded != nil {
		for _, f := range coded.Fields {
			p.Problems = append(p.Problems, importProblem{Cell: f.Field, Message: f.Text(p.Lang)})
		}
		status = statusOf(coded.Code)
	}
	if adjust != nil {
		adjust(&p)
	}
	c.Status(status)
	s.render(c, "import", p)
}

// uiCheckImport reads the uploaded workbook and shows its problems, or keeps
// it and shows what it will create. Nothing is written to the plan yet.
func (s *Server) uiCheckImport(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	fileName := ""
	if _, header, err := c.Request.FormFile("file"); err == nil {
		fileName = header.Filename
	}
	file, err := uploadedWorkbook(c)
	var preview importPreview
	var id int64
	if err == nil {
		preview, id, err = s.app.Plans.CheckUpload(c.Request.Context(), as(c), year, fileName, file)
	}
	s.renderImport(c, year, fileName, http.StatusOK, err, func(p *importPage) {
		if err == nil {
			p.Preview, p.UploadID = &preview, id
		}
	})
}

// uiConfirmImport writes a checked workbook into the plan, all or nothing.
func (s *Server) uiConfirmImport(c *gin.Context) {
	year, ok := s.yearParam(c)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.fail(c, ptacycle.Errorf(ptacycle.ENOTFOUND, "Import %q introuvable", "No import %q", c.Param("id")))
		return
	}
	preview, fileName, err := s.app.Plans.ConfirmUpload(c.Request.Context(), as(c), year, id)
	if err != nil {
		s.renderImport(c, year, fileName, http.StatusOK, err, nil)
		return
	}
	s.flashT(c, "import.done", "Actions", preview.NewActions, "Activities", preview.Activities)
	redirect(c, fmt.Sprintf("/cycles/%d/pta", year))
}

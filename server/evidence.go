package server

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
)

// Fields of a file attached to a progress report: the pages' forms, the API's multipart body (as its import's).
const (
	evidenceField    = "evidenceFile"
	evidenceAPIField = "file"
)

// formMaxBytes bounds a multipart form: an evidence file and the form's other
// fields (an Excel import has its own, smaller limit, checked by its handler).
const formMaxBytes = ptacycle.MaxEvidenceSize + 256<<10

// evidenceUpload is the marker type of POST /activities/{id}/evidence's
// multipart body (file, version, comment), for the OpenAPI document.
type evidenceUpload struct{}

// evidenceDownload is the marker type of an evidence file's download.
type evidenceDownload struct{}

// postedEvidence is the evidence file of a progress form under field,
// checked; nil when the form carries none (no file chosen).
func postedEvidence(c *gin.Context, field string) (*ptacycle.EvidenceUpload, error) {
	if c.Request.ContentLength > formMaxBytes {
		return nil, evidenceTooLarge(field)
	}
	if !strings.HasPrefix(c.ContentType(), "multipart/") {
		return nil, nil
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, formMaxBytes)
	f, header, err := c.Request.FormFile(field)
	switch {
	case errors.Is(err, http.ErrMissingFile):
		return nil, nil
	case isTooLarge(err):
		return nil, evidenceTooLarge(field)
	case err != nil:
		return nil, ptacycle.Errorf(ptacycle.EINVALID, "Formulaire illisible : renvoyez-le", "Unreadable form: send it again")
	}
	defer f.Close()
	if header.Filename == "" && header.Size == 0 { // the file input left empty
		return nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(f, ptacycle.MaxEvidenceSize+1))
	if err != nil {
		return nil, err
	}
	e, err := ptacycle.CheckEvidence(field, header.Filename, data)
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// evidenceTooLarge is the field error of a file over the limit, told before it is read.
func evidenceTooLarge(field string) error {
	var v ptacycle.Validation
	v.Add(field, "Preuve : fichier trop volumineux (%d Mo au plus)", "Evidence: file too large (at most %d MB)", ptacycle.MaxEvidenceSize>>20)
	return v.Err()
}

// downloadEvidence sends an evidence file of the user's organisation, always
// as a download and sandboxed: whatever it holds, it never runs as this site.
func (s *Server) downloadEvidence(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	f, content, err := s.app.Execution.Evidence(c.Request.Context(), as(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Content-Length", strconv.Itoa(len(content)))
	c.Data(http.StatusOK, f.ContentType, content)
}

// attachEvidence records a file as evidence of an activity's progress, its
// status and progress unchanged (multipart: file, version, comment).
func (s *Server) attachEvidence(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	// Whether the caller may report on it first: a file is read only for an activity they may.
	if _, err := s.app.Execution.Reportable(c.Request.Context(), as(c), id); err != nil {
		s.fail(c, err)
		return
	}
	evidence, err := postedEvidence(c, evidenceAPIField)
	if err != nil {
		s.fail(c, err)
		return
	}
	version, err := strconv.Atoi(c.PostForm("version"))
	if err != nil {
		s.fail(c, fieldRequired("version", "Version de l'activité lue", "Version of the activity read"))
		return
	}
	a, err := s.app.Execution.AttachEvidence(c.Request.Context(), as(c), id, version, strings.TrimSpace(c.PostForm("comment")), evidence)
	s.reply(c, http.StatusOK, a, err)
}

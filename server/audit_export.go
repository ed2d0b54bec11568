package server

import (
	"encoding/csv"
	"fmt"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

// auditExportMax bounds the entries one export holds; a larger log is
// exported in parts with the "since" filter.
const auditExportMax = 50_000

// uiAuditCSV sends the audit log, filtered as the page is (entity, since),
// as a CSV file that Excel opens in French settings: semicolons, UTF-8 with
// its byte-order mark, newest first, with each entry's object named and
// its changes spelt out in full, one a line.
func (s *Server) uiAuditCSV(c *gin.Context) {
	p := s.page(c, "audit.title")
	f := postgres.AuditFilter{Entity: c.Query("entity"), Limit: 500}
	if since := strings.TrimSpace(c.Query("since")); since != "" {
		day, err := ptacycle.ParseDate(since)
		if err != nil {
			var v ptacycle.Validation
			v.Add("since", "Date %q invalide (format attendu : AAAA-MM-JJ)", "Invalid date %q (expected YYYY-MM-DD)", since)
			s.fail(c, v.Err())
			return
		}
		f.Since = day.Time()
	}
	ctx := c.Request.Context()
	first, err := s.app.Organisation.AuditLog(ctx, as(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="journal-audit-%s.csv"`, time.Now().UTC().Format("2006-01-02")))
	c.Header("Cache-Control", "no-store")
	_, _ = c.Writer.WriteString("\ufeff")
	w := csv.NewWriter(c.Writer)
	w.Comma = ';'
	_ = w.Write([]string{p.T("audit.when"), p.T("audit.who"), p.T("audit.action"), p.T("audit.object"), p.T("audit.name"), p.T("audit.id"), p.T("audit.changes")})
	written := 0
	for log := first; len(log.Entries) > 0 && written < auditExportMax; {
		text := auditText{p: p, names: log.Names}
		for _, e := range log.Entries {
			_ = w.Write([]string{e.At.UTC().Format("2006-01-02 15:04:05"), inert(e.ActorLabel), inert(labelOr(p, "audit.action."+e.Action, e.Action)),
				inert(labelOr(p, "audit.entity."+e.Entity, e.Entity)), inert(text.name(e)), inert(e.EntityID), inert(strings.Join(text.changes(e), "\n"))})
		}
		written += len(log.Entries)
		if len(log.Entries) < f.Limit {
			break
		}
		f.BeforeID = log.Entries[len(log.Entries)-1].ID
		if log, err = s.app.Organisation.AuditLog(ctx, as(c), f); err != nil {
			s.deps.Logger.Error("audit export", "err", err, "request_id", ptacycle.RequestID(ctx)) // the file is already on its way: it ends here
			break
		}
	}
	w.Flush()
}

// inert keeps a cell of user-entered text from running as a formula when a
// spreadsheet opens the file (=, +, -, @, or a tab or return first): it is
// prefixed with an apostrophe, which spreadsheets show as text.
func inert(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

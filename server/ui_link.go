package server

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/ui"
)

// linkPage is the small form a one-click link opens, without sign-in.
type linkPage struct {
	ui.Page
	Token    string
	Activity ptacycle.Activity
	Owner    ptacycle.User
	Statuses []ui.Option
	Errors   *ui.Errors
	Saved    bool
	Raised   *raised // the progress typed was stored otherwise
	Input    execProgressForm
}

// linkSecret reads the deployment's link key, made on first use.
func (s *Server) linkSecret(ctx context.Context) ([]byte, error) { return s.app.LinkSecret(ctx) }

// linkTarget checks a one-click link: see app.Account.LinkTarget.
func (s *Server) linkTarget(ctx context.Context, token string) (ptacycle.User, ptacycle.Activity, error) {
	return s.app.Account.LinkTarget(ctx, token)
}

func (s *Server) linkData(c *gin.Context, token string, u ptacycle.User, a ptacycle.Activity) linkPage {
	c.Set(ctxLang, u.Language)
	p := s.deps.UI.NewPage(u.Language, nil, "link.title")
	var options []ui.Option
	for _, st := range ptacycle.Statuses {
		options = append(options, ui.Option{Value: string(st), Label: st.Label().In(p.Lang), Selected: st == a.Status})
	}
	return linkPage{Page: p, Token: token, Activity: a, Owner: u, Statuses: options,
		Input: execStoredProgress(a)}
}

// linkForm opens the form of a one-click link.
func (s *Server) linkForm(c *gin.Context) {
	token := c.Param("token")
	u, a, err := s.linkTarget(c.Request.Context(), token)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "link", s.linkData(c, token, u, a))
}

// linkSave records the owner's report, in the audit log as that owner.
func (s *Server) linkSave(c *gin.Context) {
	ctx := c.Request.Context()
	token := c.Param("token")
	u, a, err := s.linkTarget(ctx, token)
	if err != nil {
		s.fail(c, err)
		return
	}
	evidence, evidenceErr := postedEvidence(c, evidenceField)
	data := s.linkData(c, token, u, a)
	if c.Request.ContentLength > formMaxBytes { // not read: the file alone is refused, the stored values shown again
		data.Errors = ui.FormErrors(evidenceErr, data.Lang)
		c.Status(statusOf(ptacycle.ErrorCode(evidenceErr)))
		s.render(c, "link", data)
		return
	}
	typed := execPostedProgress(c)
	in, err := execParseProgress(a.ID, typed)
	err = ptacycle.JoinValidation(err, evidenceErr)
	actor := app.Actor{User: u, Link: true}
	if err == nil {
		in.Evidence, in.HeldEvidence = evidence, typed.heldFor(evidence)
		var updated ptacycle.Activity
		if updated, err = s.app.Execution.ReportProgress(ctx, actor, in); err == nil {
			data = s.linkData(c, token, u, updated)
			data.Saved, data.Raised = true, progressRaised(typed, in, updated)
			s.render(c, "link", data)
			return
		}
	}
	s.keepEvidence(c, actor, a.ID, evidence, &typed)
	data.Errors, data.Input = ui.FormErrors(err, data.Lang), typed
	c.Status(statusOf(ptacycle.ErrorCode(err)))
	s.render(c, "link", data)
}

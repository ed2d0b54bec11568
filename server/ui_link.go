package server

import (
	"context"
	"fmt"
	"time"

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
	Input    execProgressForm
}

// linkSecret reads the deployment's link key, made on first use.
func (s *Server) linkSecret(ctx context.Context) ([]byte, error) { return s.app.LinkSecret(ctx) }

// linkTarget checks a one-click link and returns the owner it was made for and
// the activity it opens: refused once expired, forged, once its user may no
// longer report on the activity as they could signed in (role, active account,
// unit), once their account changed since it was made (its epoch), or once the
// activity is finished or its plan's cycle closed.
func (s *Server) linkTarget(ctx context.Context, token string) (ptacycle.User, ptacycle.Activity, error) {
	secret, err := s.linkSecret(ctx)
	if err != nil {
		return ptacycle.User{}, ptacycle.Activity{}, err
	}
	link, err := ptacycle.VerifyLink(secret, token, time.Now())
	if err != nil {
		return ptacycle.User{}, ptacycle.Activity{}, err
	}
	var org int64
	if err := s.deps.DB.Pool.QueryRow(ctx, `SELECT organisation_id FROM users WHERE id = $1`, link.UserID).Scan(&org); err != nil {
		return ptacycle.User{}, ptacycle.Activity{}, ptacycle.Errorf(ptacycle.EFORBIDDEN, "Ce lien ne correspond plus à aucun compte", "This link matches no account any more")
	}
	u, err := s.deps.DB.User(ctx, org, link.UserID)
	if err != nil || !u.Active {
		return u, ptacycle.Activity{}, ptacycle.Errorf(ptacycle.EFORBIDDEN, "Ce compte est désactivé : le lien ne fonctionne plus", "This account is disabled: the link no longer works")
	}
	if !app.Allowed(u.Role, app.ReportProgress) {
		role := u.Role.Label()
		return u, ptacycle.Activity{}, &ptacycle.Error{Code: ptacycle.EFORBIDDEN,
			Message: fmt.Sprintf("Votre rôle (%s) ne permet plus de déclarer l'avancement : ce lien ne fonctionne plus", role.FR),
			English: fmt.Sprintf("Your role (%s) no longer allows reporting progress: this link no longer works", role.EN)}
	}
	if link.Epoch != u.LinkEpoch {
		return u, ptacycle.Activity{}, ptacycle.Errorf(ptacycle.EFORBIDDEN,
			"Ce lien ne fonctionne plus : votre compte a changé depuis son envoi (rôle, structure, mot de passe ou activation). Connectez-vous, ou utilisez le lien d'une relance plus récente",
			"This link no longer works: your account changed since it was sent (role, unit, password or activation). Sign in, or use the link of a newer reminder")
	}
	a, err := s.deps.DB.Activity(ctx, org, link.ActivityID)
	if err != nil {
		return u, a, err
	}
	if err := app.OwnerScope(u, a); err != nil {
		return u, a, err
	}
	plan, err := s.deps.DB.PlanByID(ctx, org, a.PlanID)
	if err != nil {
		return u, a, err
	}
	cy, err := s.deps.DB.Cycle(ctx, org, plan.Year)
	if err != nil {
		return u, a, err
	}
	if a.Status.Finished() || cy.Stage == ptacycle.StageClosed {
		return u, a, ptacycle.Errorf(ptacycle.ECONFLICT, "L'activité %s est close (%s) : ce lien ne sert plus",
			"Activity %s is closed (%s): this link no longer works", a.Code, a.Status.Label().FR)
	}
	return u, a, nil
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
	if err == nil {
		in.Evidence = evidence
		var updated ptacycle.Activity
		if updated, err = s.app.Execution.ReportProgress(ctx, app.Actor{User: u, Link: true}, in); err == nil {
			data = s.linkData(c, token, u, updated)
			data.Saved = true
			s.render(c, "link", data)
			return
		}
	}
	data.Errors, data.Input = ui.FormErrors(err, data.Lang), typed
	c.Status(statusOf(ptacycle.ErrorCode(err)))
	s.render(c, "link", data)
}

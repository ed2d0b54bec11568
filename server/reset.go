package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/ui"
)

// A user who forgot their password asks for a link by e-mail (through the
// outbox, as reminders); the link, valid an hour and once, opens a form to
// choose a new one. Asking says the same whether the address is known or not.

type forgotPage struct {
	ui.Page
	Email  string
	Sent   bool
	Errors *ui.Errors
}

type resetPage struct {
	ui.Page
	MinLength int
	Token     string
	Invalid   string // why the link cannot serve; empty when it can
	Errors    *ui.Errors
}

func (s *Server) forgotForm(c *gin.Context) {
	s.render(c, "forgot", forgotPage{Page: s.page(c, "forgot.title")})
}

// forgotSend sends a reset link to the address if an active account has it.
func (s *Server) forgotSend(c *gin.Context) {
	p := forgotPage{Page: s.page(c, "forgot.title"), Email: strings.TrimSpace(c.PostForm("email"))}
	var err error
	switch {
	case p.Email == "":
		var v ptacycle.Validation
		v.Require("email", "", "Adresse e-mail", "E-mail address")
		err = v.Err()
	case s.deps.PublicURL == "":
		err = ptacycle.Errorf(ptacycle.EUNAVAILABLE, "L'envoi de liens par e-mail n'est pas configuré ici (PUBLIC_URL) : demandez à l'administrateur de réinitialiser votre mot de passe",
			"Sending links by e-mail is not set up here (PUBLIC_URL): ask the administrator to reset your password")
	default:
		err = s.limitedResetLink(c, p.Email)
	}
	if err != nil {
		var ok bool
		if p.Errors, ok = s.refusedForm(c, err, p.Lang); !ok {
			return
		}
	} else {
		p.Sent = true
	}
	s.render(c, "forgot", p)
}

// limitedResetLink sends a reset link for email within the request limits,
// setting Retry-After when they refuse. ETOOMANY.
func (s *Server) limitedResetLink(c *gin.Context, email string) error {
	wait, err := s.limits.reserve(c.Request.Context(), resetLimits, accountKey(email), c.ClientIP())
	if err != nil {
		return err
	}
	if wait > 0 {
		return ptacycle.Errorf(ptacycle.ETOOMANY, "Trop de demandes : réessayez dans %d min", "Too many requests: try again in %d min", (retryAfter(c, wait)+59)/60)
	}
	return s.sendResetLink(c.Request.Context(), email)
}

// sendResetLink puts a reset e-mail in the outbox for the active account of
// email, if there is one; an unknown address is no error.
func (s *Server) sendResetLink(ctx context.Context, email string) error {
	return s.app.Account.SendReset(ctx, email)
}

// resetTarget checks a reset link and returns the account it opens.
func (s *Server) resetTarget(ctx context.Context, token string) (ptacycle.User, error) {
	id, err := ptacycle.ResetUser(token)
	if err != nil {
		return ptacycle.User{}, err
	}
	u, hash, err := s.deps.DB.UserAndHash(ctx, id)
	if ptacycle.ErrorCode(err) == ptacycle.ENOTFOUND || err == nil && !u.Active {
		return u, ptacycle.ResetLinkRefused() // the same refusal as a forged link
	}
	if err != nil {
		return u, err
	}
	secret, err := s.linkSecret(ctx)
	if err != nil {
		return u, err
	}
	return u, ptacycle.VerifyReset(secret, token, hash, time.Now())
}

// resetRefused shows the page of a link that cannot serve, or fails on an internal error.
func (s *Server) resetRefused(c *gin.Context, p resetPage, err error) {
	if ptacycle.ErrorCode(err) == ptacycle.EINTERNAL {
		s.fail(c, err)
		return
	}
	var e *ptacycle.Error
	if errors.As(err, &e) {
		p.Invalid = e.Text(p.Lang)
	}
	c.Status(statusOf(ptacycle.ErrorCode(err)))
	s.render(c, "reset", p)
}

func (s *Server) resetForm(c *gin.Context) {
	p := resetPage{Page: s.page(c, "reset.title"), Token: c.Param("token"), MinLength: ptacycle.MinPasswordLength}
	if _, err := s.resetTarget(c.Request.Context(), p.Token); err != nil {
		s.resetRefused(c, p, err)
		return
	}
	s.render(c, "reset", p)
}

// resetSave sets the new password and ends the account's sessions; the link
// then no longer verifies.
func (s *Server) resetSave(c *gin.Context) {
	ctx := c.Request.Context()
	p := resetPage{Page: s.page(c, "reset.title"), Token: c.Param("token"), MinLength: ptacycle.MinPasswordLength}
	u, err := s.resetTarget(ctx, p.Token)
	if err != nil {
		s.resetRefused(c, p, err)
		return
	}
	password, confirm := c.PostForm("password"), c.PostForm("confirm")
	var v ptacycle.Validation
	if ptacycle.ValidatePassword(password) != nil {
		v.Add("password", "Nouveau mot de passe : au moins %d caractères", "New password: at least %d characters", ptacycle.MinPasswordLength)
	} else if confirm != password {
		v.Add("confirm", "Les deux saisies du mot de passe diffèrent", "The two entries of the password differ")
	}
	err = v.Err()
	if err == nil {
		var hash string
		if hash, err = ptacycle.HashPassword(password); err == nil {
			a := ptacycle.UserActor(u)
			a.Label = u.FullName + " (lien de réinitialisation)"
			_, err = s.deps.DB.ResetPassword(ctx, a, u.ID, hash)
		}
	}
	if err == nil { // whoever held the old password is signed out everywhere, and their tokens are revoked
		err = s.endOtherSessions(ctx, u.ID)
	}
	if err != nil {
		var ok bool
		if p.Errors, ok = s.refusedForm(c, err, p.Lang); ok {
			s.render(c, "reset", p)
		}
		return
	}
	s.flash(c, p.T("reset.done"))
	c.Redirect(http.StatusSeeOther, "/login")
}

package server

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
)

// loginRequest is the body of POST /api/v1/session.
type loginRequest struct {
	Email    string `json:"email" api:"required"`
	Password string `json:"password" api:"required"`
}

// passwordRequest is the body of PUT /api/v1/me/password.
type passwordRequest struct {
	Current string `json:"current" api:"required"`
	New     string `json:"new" api:"required"`
}

// tokenRequest is the body of POST /api/v1/me/tokens.
type tokenRequest struct {
	Name string `json:"name" api:"required"`
}

// tokenCreated answers a new token; its secret is shown this once.
type tokenCreated struct {
	Token  ptacycle.APIToken `json:"token"`
	Secret string            `json:"secret"`
}

// authenticate checks an e-mail and password within the sign-in limits,
// setting Retry-After when they refuse, and gives the browser a device
// cookie for the account when they are right. EUNAUTHORIZED (saying nothing
// of which of the two was wrong), ETOOMANY.
func (s *Server) authenticate(c *gin.Context, email, password string) (ptacycle.User, error) {
	ctx, ip := c.Request.Context(), c.ClientIP()
	key, err := s.attemptKey(c, email)
	if err != nil {
		return ptacycle.User{}, err
	}
	if wait, err := s.app.Limits.Reserve(ctx, app.SignInLimits, key, ip); err != nil || wait > 0 {
		if err == nil {
			err = tooManySignIns(c, wait)
		}
		return ptacycle.User{}, err
	}
	u, err := s.app.Account.Credentials(ctx, email, password)
	if err != nil {
		return ptacycle.User{}, err
	}
	if err := s.app.Limits.Succeeded(ctx, app.SignInLimits, key, ip); err != nil {
		return ptacycle.User{}, err
	}
	return u, s.rememberDevice(c, email)
}

// openSession signs u in under a new session token, so that a token planted
// before sign-in (session fixation) is worth nothing after.
func (s *Server) openSession(ctx context.Context, u ptacycle.User) error {
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessionUser, u.ID)
	s.sessions.Put(ctx, sessionOrg, u.OrganisationID)
	return nil
}

func (s *Server) apiLogin(c *gin.Context) {
	var req loginRequest
	if !s.bind(c, &req) {
		return
	}
	var v ptacycle.Validation
	v.Require("email", req.Email, "Adresse e-mail", "E-mail address")
	v.Require("password", req.Password, "Mot de passe", "Password")
	if err := v.Err(); err != nil {
		s.fail(c, err)
		return
	}
	u, err := s.authenticate(c, req.Email, req.Password)
	if err == nil {
		err = s.openSession(c.Request.Context(), u)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (s *Server) apiLogout(c *gin.Context) {
	if err := s.sessions.Destroy(c.Request.Context()); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) me(c *gin.Context) { c.JSON(http.StatusOK, currentUser(c)) }

// sessionOnly refuses a request authenticated by an API token (apiUser uses
// the token whenever an Authorization header is sent): a leaked token must
// not be able to make more tokens or take the account. It answers the error itself.
func (s *Server) sessionOnly(c *gin.Context) bool {
	if c.GetHeader("Authorization") == "" {
		return true
	}
	s.fail(c, ptacycle.Errorf(ptacycle.EFORBIDDEN,
		"Un jeton d'API ne permet pas cette action : connectez-vous avec votre mot de passe (session ouverte)",
		"An API token cannot do this: use a session signed in with your password"))
	return false
}

// changePassword replaces the user's password once the current one is
// confirmed; the user's other sessions end, this one gets a new token. API
// tokens stay valid: they are listed and revoked on their own.
func (s *Server) changePassword(c *gin.Context) {
	if !s.sessionOnly(c) {
		return
	}
	var req passwordRequest
	if !s.bind(c, &req) {
		return
	}
	err := app.PasswordChange{Current: req.Current, New: req.New}.Check()
	if err == nil {
		err = s.replacePassword(c, currentUser(c), req)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// endOtherSessions destroys the stored sessions of userID but the request's
// own. It reads every live session: fine for an action as rare as a password
// change. A request of an ended session already in flight may still finish.
func (s *Server) endOtherSessions(ctx context.Context, userID int64) error {
	current := s.sessions.Token(ctx)
	return s.sessions.Iterate(ctx, func(session context.Context) error {
		if s.sessions.GetInt64(session, sessionUser) != userID || s.sessions.Token(session) == current {
			return nil
		}
		return s.sessions.Destroy(session)
	})
}

func (s *Server) listTokens(c *gin.Context) {
	u := currentUser(c)
	tokens, err := s.app.Account.Tokens(c.Request.Context(), app.As(u))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, tokens)
}

func (s *Server) createToken(c *gin.Context) {
	if !s.sessionOnly(c) {
		return
	}
	var req tokenRequest
	if !s.bind(c, &req) {
		return
	}
	token, secret, err := s.app.Account.CreateToken(c.Request.Context(), as(c), req.Name)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, tokenCreated{Token: token, Secret: secret})
}

func (s *Server) revokeToken(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	if err := s.app.Account.RevokeToken(c.Request.Context(), as(c), id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// replacePassword sets u's new password once the current one is confirmed,
// within the sign-in limits (a stolen session cannot guess it here either);
// the user's other sessions end, this one gets a new token. EINVALID, ETOOMANY.
func (s *Server) replacePassword(c *gin.Context, u *ptacycle.User, req passwordRequest) error {
	ctx := c.Request.Context()
	if _, err := s.authenticate(c, u.Email, req.Current); err != nil {
		if ptacycle.ErrorCode(err) == ptacycle.EUNAUTHORIZED {
			return app.WrongCurrentPassword()
		}
		return err
	}
	err := s.app.Account.SetPassword(ctx, app.As(u), req.New)
	if err == nil {
		err = s.sessions.RenewToken(ctx)
	}
	if err == nil {
		err = s.endOtherSessions(ctx, u.ID)
	}
	return err
}

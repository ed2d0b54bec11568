package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ptacycle/ptacycle"
)

// This file is how a person gets in: a password, a session, a personal API
// token, a one-click link, a password reset. The limits on guessing are in
// limits.go; the session itself (its cookie) is the server's.

// decoyHash is checked when no account matches, so that an unknown e-mail
// takes as long to refuse as a wrong password and reveals nothing.
var decoyHash = sync.OnceValue(func() string {
	hash, err := ptacycle.HashPassword("no account has this password")
	if err != nil {
		panic(err)
	}
	return hash
})

// WrongCredentials refuses a sign-in without saying which of the two was wrong. EUNAUTHORIZED.
func WrongCredentials() error {
	return ptacycle.Errorf(ptacycle.EUNAUTHORIZED, "Adresse e-mail ou mot de passe incorrect", "Wrong e-mail address or password")
}

// Credentials is the active account that email and password open, or
// WrongCredentials, in the same time whether the address is known or not.
// Callers count the attempt first (Limits.Reserve).
func (c Account) Credentials(ctx context.Context, email, password string) (ptacycle.User, error) {
	u, hash, err := c.db.UserByEmail(ctx, email)
	known := err == nil
	if !known && ptacycle.ErrorCode(err) != ptacycle.ENOTFOUND {
		return ptacycle.User{}, err
	}
	if !known {
		hash = decoyHash()
	}
	if !ptacycle.CheckPassword(hash, password) || !known || !u.Active {
		return ptacycle.User{}, WrongCredentials()
	}
	return u, nil
}

// SessionUser is the person a session was opened for, if their account is
// still active: ENOTFOUND once it is gone or disabled.
func (c Account) SessionUser(ctx context.Context, org, id int64) (ptacycle.User, error) {
	u, err := c.db.User(ctx, org, id)
	if err == nil && !u.Active {
		err = ptacycle.Errorf(ptacycle.ENOTFOUND, "Ce compte est désactivé", "This account is disabled")
	}
	return u, err
}

// TokenUser is the person a personal API token authenticates. EUNAUTHORIZED.
func (c Account) TokenUser(ctx context.Context, secret string) (ptacycle.User, error) {
	return c.db.UserByToken(ctx, secret)
}

// Tokens are the actor's personal API tokens.
func (c Account) Tokens(ctx context.Context, a Actor) ([]ptacycle.APIToken, error) {
	return c.db.Tokens(ctx, a.org(), a.User.ID)
}

// CreateToken makes the actor a personal API token; its secret is returned this once.
func (c Account) CreateToken(ctx context.Context, a Actor, name string) (ptacycle.APIToken, string, error) {
	return c.db.CreateToken(ctx, a.audit(), name)
}

// RevokeToken ends one of the actor's tokens.
func (c Account) RevokeToken(ctx context.Context, a Actor, id int64) error {
	return c.db.RevokeToken(ctx, a.audit(), id)
}

// PasswordChange is a person's change of their own password.
type PasswordChange struct {
	Current, New string
	Confirm      *string // the new one typed again, where a form asks for it
}

// Check says what is wrong with the change before the current password is tried. EINVALID.
func (p PasswordChange) Check() error {
	var v ptacycle.Validation
	v.Require("current", p.Current, "Mot de passe actuel", "Current password")
	if ptacycle.ValidatePassword(p.New) != nil {
		v.Add("new", "Nouveau mot de passe : au moins %d caractères", "New password: at least %d characters", ptacycle.MinPasswordLength)
	} else if p.New == p.Current {
		v.Add("new", "Le nouveau mot de passe doit être différent de l'actuel", "The new password must differ from the current one")
	}
	if p.Confirm != nil && *p.Confirm != p.New {
		v.Add("confirm", "La confirmation ne correspond pas au nouveau mot de passe", "The confirmation does not match the new password")
	}
	return v.Err()
}

// WrongCurrentPassword refuses a change whose current password is wrong, on its field. EINVALID.
func WrongCurrentPassword() error {
	var v ptacycle.Validation
	v.Add("current", "Mot de passe actuel incorrect", "Wrong current password")
	return v.Err()
}

// SetPassword gives the actor the password next; the caller has checked
// the current one (Credentials, within the limits) and ends the other sessions.
func (c Account) SetPassword(ctx context.Context, a Actor, next string) error {
	hash, err := ptacycle.HashPassword(next)
	if err != nil {
		return err
	}
	return c.db.SetPassword(ctx, a.audit(), a.User.ID, hash)
}

// ResetTarget checks a password-reset link and returns the account it opens.
func (c Account) ResetTarget(ctx context.Context, token string) (ptacycle.User, error) {
	id, err := ptacycle.ResetUser(token)
	if err != nil {
		return ptacycle.User{}, err
	}
	u, hash, err := c.db.UserAndHash(ctx, id)
	if ptacycle.ErrorCode(err) == ptacycle.ENOTFOUND || err == nil && !u.Active {
		return u, ptacycle.ResetLinkRefused() // the same refusal as a forged link
	}
	if err != nil {
		return u, err
	}
	secret, err := c.linkSecret(ctx)
	if err != nil {
		return u, err
	}
	return u, ptacycle.VerifyReset(secret, token, hash, time.Now())
}

// ResetPassword sets the password chosen through a reset link (confirm is
// its second entry) and revokes the account's API tokens; the link then no
// longer verifies. The caller ends the account's sessions.
func (c Account) ResetPassword(ctx context.Context, token, password, confirm string) (ptacycle.User, error) {
	u, err := c.ResetTarget(ctx, token)
	if err != nil {
		return u, err
	}
	var v ptacycle.Validation
	if ptacycle.ValidatePassword(password) != nil {
		v.Add("password", "Nouveau mot de passe : au moins %d caractères", "New password: at least %d characters", ptacycle.MinPasswordLength)
	} else if confirm != password {
		v.Add("confirm", "Les deux saisies du mot de passe diffèrent", "The two entries of the password differ")
	}
	if err := v.Err(); err != nil {
		return u, err
	}
	hash, err := ptacycle.HashPassword(password)
	if err != nil {
		return u, err
	}
	actor := ptacycle.UserActor(u)
	actor.Label = u.FullName + " (lien de réinitialisation)"
	_, err = c.db.ResetPassword(ctx, actor, u.ID, hash)
	return u, err
}

// LinkTarget checks a one-click link and returns the owner it was made for
// and the activity it opens: refused once expired, forged, once its user may
// no longer report on the activity as they could signed in (role, active
// account, unit), once their account changed since it was made (its epoch),
// or once the activity is finished or its plan's cycle closed.
func (c Account) LinkTarget(ctx context.Context, token string) (ptacycle.User, ptacycle.Activity, error) {
	secret, err := c.linkSecret(ctx)
	if err != nil {
		return ptacycle.User{}, ptacycle.Activity{}, err
	}
	link, err := ptacycle.VerifyLink(secret, token, time.Now())
	if err != nil {
		return ptacycle.User{}, ptacycle.Activity{}, err
	}
	u, _, err := c.db.UserAndHash(ctx, link.UserID)
	switch {
	case ptacycle.ErrorCode(err) == ptacycle.ENOTFOUND:
		return u, ptacycle.Activity{}, ptacycle.Errorf(ptacycle.EFORBIDDEN, "Ce lien ne correspond plus à aucun compte", "This link matches no account any more")
	case err != nil:
		return u, ptacycle.Activity{}, err
	case !u.Active:
		return u, ptacycle.Activity{}, ptacycle.Errorf(ptacycle.EFORBIDDEN, "Ce compte est désactivé : le lien ne fonctionne plus", "This account is disabled: the link no longer works")
	}
	if !Allowed(u.Role, ReportProgress) {
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
	org := u.OrganisationID
	act, err := c.db.Activity(ctx, org, link.ActivityID)
	if err != nil {
		return u, act, err
	}
	if err := OwnerScope(u, act); err != nil {
		return u, act, err
	}
	plan, err := c.db.PlanByID(ctx, org, act.PlanID)
	if err != nil {
		return u, act, err
	}
	cy, err := c.db.Cycle(ctx, org, plan.Year)
	if err != nil {
		return u, act, err
	}
	if act.Status.Finished() || cy.Stage == ptacycle.StageClosed {
		return u, act, ptacycle.Errorf(ptacycle.ECONFLICT, "L'activité %s est close (%s) : ce lien ne sert plus",
			"Activity %s is closed (%s): this link no longer works", act.Code, act.Status.Label().FR)
	}
	return u, act, nil
}

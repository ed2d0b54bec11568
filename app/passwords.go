package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/notify"
)

// InviteValidity is how long the link of a new account's invitation works.
const InviteValidity = 7 * 24 * time.Hour

// SendReset puts a password-reset e-mail in the outbox for the active
// account of email, if there is one; an unknown address is no error (the
// answer must not tell whether an address has an account).
func (c Account) SendReset(ctx context.Context, email string) error {
	u, hash, err := c.db.UserByEmail(ctx, email)
	if ptacycle.ErrorCode(err) == ptacycle.ENOTFOUND || err == nil && !u.Active {
		return nil
	}
	if err != nil {
		return err
	}
	return c.sendPasswordLink(ctx, u, hash, "password_reset", ptacycle.ResetValidity)
}

// Invite sends person id an e-mail with a link to choose their password,
// valid InviteValidity; it answers the person.
func (o Organisation) Invite(ctx context.Context, a Actor, id int64) (ptacycle.User, error) {
	u, err := o.User(ctx, a, id)
	if err != nil {
		return u, err
	}
	if o.publicURL == "" {
		return u, ptacycle.Errorf(ptacycle.EUNAVAILABLE, "L'envoi de liens par e-mail n'est pas configuré ici (PUBLIC_URL)", "Sending links by e-mail is not set up here (PUBLIC_URL)")
	}
	if !u.Active {
		return u, ptacycle.Errorf(ptacycle.ECONFLICT, "Le compte de %s est désactivé : réactivez-le d'abord", "%s's account is disabled: enable it first", u.FullName)
	}
	_, hash, err := o.db.UserAndHash(ctx, u.ID)
	if err != nil {
		return u, err
	}
	return u, o.sendPasswordLink(ctx, u, hash, "account_invite", InviteValidity)
}

// CanInvite says whether invitations can be sent here (PUBLIC_URL is set).
func (o Organisation) CanInvite() bool { return o.publicURL != "" }

// sendPasswordLink puts in the outbox an e-mail of kind (password_reset,
// account_invite) with a link letting u, whose password hash is hash,
// choose a password within validity.
func (c *core) sendPasswordLink(ctx context.Context, u ptacycle.User, hash, kind string, validity time.Duration) error {
	secret, err := c.linkSecret(ctx)
	if err != nil {
		return err
	}
	o, err := c.db.Organisation(ctx, u.OrganisationID)
	if err != nil {
		return err
	}
	expires := time.Now().Add(validity).Truncate(time.Second)
	link := strings.TrimSuffix(c.publicURL, "/") + "/reinitialiser/" + ptacycle.SignReset(secret, u.ID, hash, expires)
	subject, text, html, err := notify.Render(notify.Content{Kind: kind, Lang: u.Language, RecipientName: u.FullName,
		Organisation: o.Name, ResetLink: link, Login: u.Email})
	if err != nil {
		return err
	}
	// Each request is its own message: asked twice, the link is sent twice.
	_, err = c.db.CreateReminder(ctx, u.OrganisationID, ptacycle.Reminder{Key: fmt.Sprintf("%s/%d/%d", kind, u.ID, time.Now().UnixNano()),
		RecipientID: u.ID, Channel: ptacycle.ChannelEmail, Kind: kind, Subject: subject, Body: text, BodyHTML: html, Address: u.Email})
	return err
}

// LinkSecret reads the deployment's key for signed links (reminders'
// one-click links, password resets), made on first use.
func (a *App) LinkSecret(ctx context.Context) ([]byte, error) { return a.core.linkSecret(ctx) }

func (c *core) linkSecret(ctx context.Context) ([]byte, error) {
	return c.db.Secret(ctx, ptacycle.LinkSecretName, func() ([]byte, error) {
		b := make([]byte, 32)
		_, err := rand.Read(b)
		return b, err
	})
}

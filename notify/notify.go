// Package notify delivers reminders: by e-mail over SMTP, to a webhook (for
// an SMS or WhatsApp gateway), or to the console in development. The
// messages themselves are rendered from templates in templates/, French and
// English, plain text and HTML.
package notify

import (
	"context"
	"errors"
)

// Message is one reminder to deliver to one person.
type Message struct {
	Key     string // the reminder's unique key; also its Message-ID
	To      string // e-mail address (or the webhook's recipient)
	ToName  string
	Subject string
	Text    string
	HTML    string
}

// Transport sends a message. It returns a *Permanent error when retrying
// cannot help (an address refused), any other error when it may.
type Transport interface {
	Send(ctx context.Context, m Message) error
}

// Permanent is a delivery failure no retry will fix.
type Permanent struct{ Err error }

func (p *Permanent) Error() string { return p.Err.Error() }
func (p *Permanent) Unwrap() error { return p.Err }

// IsPermanent reports whether err is a *Permanent failure.
func IsPermanent(err error) bool {
	var p *Permanent
	return errors.As(err, &p)
}

package notify

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"strings"
	"time"

	"github.com/wneessen/go-mail"
)

// SMTPConfig says how to reach the mail server; it is read from the environment.
type SMTPConfig struct {
	Host     string
	Port     int
	TLS      string // none, starttls (default), tls
	Username string
	Password string
	From     string // "ptacycle <ptacycle@example.org>" or an address
}

// SMTP sends messages through a mail server with go-mail (the maintained Go
// mail library: MIME, STARTTLS, SMTP AUTH, connection handling).
type SMTP struct {
	cfg SMTPConfig
}

// NewSMTP checks cfg and returns the transport.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Host == "" || cfg.From == "" {
		return nil, errors.New("SMTP_HOST et SMTP_FROM sont nécessaires pour envoyer des e-mails / SMTP_HOST and SMTP_FROM are needed to send e-mail")
	}
	switch cfg.TLS {
	case "", "starttls", "tls", "none":
	default:
		return nil, fmt.Errorf("SMTP_TLS=%q : valeurs possibles none, starttls, tls / SMTP_TLS must be none, starttls or tls", cfg.TLS)
	}
	return &SMTP{cfg: cfg}, nil
}

// Send delivers m. A 5xx answer to the recipient is permanent; everything else may be retried.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := mail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return &Permanent{fmt.Errorf("adresse d'expédition invalide (SMTP_FROM) : %w", err)}
	}
	to := m.To
	if m.ToName != "" {
		to = fmt.Sprintf("%q <%s>", m.ToName, m.To)
	}
	if err := msg.To(to); err != nil {
		return &Permanent{fmt.Errorf("adresse du destinataire invalide : %w", err)}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(messageID(m.Key, s.cfg.From))
	msg.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	opts := []mail.Option{mail.WithTimeout(30 * time.Second)}
	switch s.cfg.TLS {
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case "tls":
		opts = append(opts, mail.WithSSL())
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(s.cfg.Username), mail.WithPassword(s.cfg.Password))
	}
	if s.cfg.Port != 0 {
		opts = append(opts, mail.WithPort(s.cfg.Port))
	}
	client, err := mail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return err
	}
	err = client.DialAndSendWithContext(ctx, msg)
	if err != nil && refused(err) {
		return &Permanent{err}
	}
	return err
}

// refused reports a 5xx answer: the server will not take this message.
func refused(err error) bool {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Code >= 500
	}
	var se *mail.SendError
	if errors.As(err, &se) {
		return !se.IsTemp()
	}
	return false
}

// messageID derives a stable Message-ID from the reminder key: should a
// crash make the sender deliver a message twice, both copies carry the same
// id and mail clients show one.
func messageID(key, from string) string {
	domain := "ptacycle.local"
	if at := strings.LastIndex(from, "@"); at >= 0 {
		domain = strings.Trim(from[at+1:], "> ")
	}
	safe := strings.NewReplacer("/", ".", " ", "_", "<", "", ">", "", "@", "_").Replace(key)
	return safe + "@" + domain
}

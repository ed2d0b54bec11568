// Package smtptest runs a real SMTP server on 127.0.0.1 for tests (go-smtp),
// keeping every message it accepts, decoded for assertions.
package smtptest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/ptacycle/ptacycle/internal/stacktest"
)

// Mail is a message the server accepted.
type Mail struct {
	From   string
	To     []string
	Header mail.Header
	Text   string // the decoded text/plain part
	HTML   string // the decoded text/html part
}

// Server is an SMTP server listening on 127.0.0.1.
type Server struct {
	Host string
	Port int

	mu      sync.Mutex
	mails   []Mail
	refused map[string]bool
	srv     *smtp.Server
	ln      net.Listener
}

// Start runs a server on a free port until the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{refused: map[string]bool{}}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.ln = ln
	s.Host, s.Port = "127.0.0.1", ln.Addr().(*net.TCPAddr).Port
	go func() { _ = s.srv.Serve(ln) }()
	tb.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// Refuse makes the server answer 550 for rcpt, as for an unknown mailbox.
func (s *Server) Refuse(rcpt string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused[strings.ToLower(rcpt)] = true
}

// Mails returns the messages accepted so far.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// WaitFor waits until n messages arrived (or fails the test after timeout) and returns them.
func (s *Server) WaitFor(tb testing.TB, n int, timeout time.Duration) []Mail {
	tb.Helper()
	var m []Mail
	stacktest.EventuallySays(tb, timeout, fmt.Sprintf("smtptest: %d message(s)", n), func() (bool, string) {
		m = s.Mails()
		return len(m) >= n, fmt.Sprintf("%d arrived", len(m))
	})
	return m
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *Server
	from string
	to   []string
}

func (se *session) AuthMechanisms() []string                    { return nil }
func (se *session) Mail(from string, _ *smtp.MailOptions) error { se.from = from; return nil }
func (se *session) Reset()                                      { se.from, se.to = "", nil }
func (se *session) Logout() error                               { return nil }

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.s.mu.Lock()
	refused := se.s.refused[strings.ToLower(to)]
	se.s.mu.Unlock()
	if refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	}
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	m := Mail{From: se.from, To: se.to, Header: msg.Header}
	if err := decodeParts(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, &m); err != nil {
		return err
	}
	se.s.mu.Lock()
	se.s.mails = append(se.s.mails, m)
	se.s.mu.Unlock()
	return nil
}

// decodeParts walks a MIME body and keeps its text and HTML parts, decoded.
func decodeParts(contentType, encoding string, body io.Reader, m *Mail) error {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mediaType = "text/plain"
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := decodeParts(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, m); err != nil {
				return err
			}
		}
	}
	var r io.Reader = body
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64Reader(body)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if mediaType == "text/html" {
		m.HTML = string(b)
	} else {
		m.Text = string(b)
	}
	return nil
}

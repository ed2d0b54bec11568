package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/ui"
)

// A user who forgot their password asks for a link by e-mail (through the
// outbox, as reminders); the link, valid an hour and once, opens a form to
// choose a new one. Asking says the same, and as soon, whether the address is
// known or not: the answer only queues the address, and a background worker
// looks the account up and sends the link after it.

// maxEmailLength is the longest e-mail address there is (RFC 5321).
const maxEmailLength = 254

// Forgotten-password requests wait for the background worker at most
// resetQueueSize at a time (a few hundred bytes each): past it, a request is
// dropped, logged, and answered as any other. Each takes at most resetWorkTimeout.
const (
	resetQueueSize   = 100
	resetWorkTimeout = 30 * time.Second
)

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

// forgotSend queues a reset link for the address, if it is one.
func (s *Server) forgotSend(c *gin.Context) {
	p := forgotPage{Page: s.page(c, "forgot.title"), Email: strings.TrimSpace(c.PostForm("email"))}
	var v ptacycle.Validation
	v.Require("email", p.Email, "Adresse e-mail", "E-mail address")
	v.MaxLen("email", p.Email, maxEmailLength, "Adresse e-mail", "E-mail address")
	err := v.Err()
	switch {
	case err != nil:
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

// limitedResetLink queues a reset link for email within the request limits,
// setting Retry-After when they refuse. ETOOMANY.
func (s *Server) limitedResetLink(c *gin.Context, email string) error {
	wait, err := s.app.Limits.Reserve(c.Request.Context(), app.ResetLimits, app.AccountKey(email), c.ClientIP())
	if err != nil {
		return err
	}
	if wait > 0 {
		return ptacycle.Errorf(ptacycle.ETOOMANY, "Trop de demandes : réessayez dans %d min", "Too many requests: try again in %d min", (retryAfter(c, wait)+59)/60)
	}
	s.queueResetLink(ptacycle.RequestID(c.Request.Context()), email)
	return nil
}

// queueResetLink hands email to the background worker, which sends the link
// after the answer to request id; a full queue drops it, with a log line.
func (s *Server) queueResetLink(id, email string) {
	queued := s.resetLinks.add(func() {
		ctx, cancel := context.WithTimeout(context.Background(), resetWorkTimeout)
		defer cancel()
		if err := s.app.Account.SendReset(ctx, email); err != nil {
			s.deps.Logger.Error("password reset link not sent", "err", err, "request_id", id)
		}
	})
	if !queued {
		s.deps.Logger.Warn("password reset request dropped: too many waiting", "request_id", id, "waiting", resetQueueSize)
	}
}

// workQueue runs jobs one at a time, in the order queued, in its own
// goroutine; at most its size wait.
type workQueue struct {
	mu     sync.Mutex
	closed bool
	jobs   chan func()
	done   chan struct{}
}

func newWorkQueue(size int) *workQueue {
	q := &workQueue{jobs: make(chan func(), size), done: make(chan struct{})}
	go func() {
		defer close(q.done)
		for job := range q.jobs {
			job()
		}
	}()
	return q
}

// add queues job, or reports false when the queue is full or closed.
func (q *workQueue) add(job func()) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	select {
	case q.jobs <- job:
		return true
	default:
		return false
	}
}

// close takes no more jobs and returns once those queued are done.
func (q *workQueue) close() {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.jobs)
	}
	q.mu.Unlock()
	<-q.done
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
	if _, err := s.app.Account.ResetTarget(c.Request.Context(), p.Token); err != nil {
		s.resetRefused(c, p, err)
		return
	}
	s.render(c, "reset", p)
}

// resetSave sets the new password, revokes the account's tokens and ends its
// sessions; the link then no longer verifies.
func (s *Server) resetSave(c *gin.Context) {
	ctx := c.Request.Context()
	p := resetPage{Page: s.page(c, "reset.title"), Token: c.Param("token"), MinLength: ptacycle.MinPasswordLength}
	u, err := s.app.Account.ResetPassword(ctx, p.Token, c.PostForm("password"), c.PostForm("confirm"))
	if err == nil { // whoever held the old password is signed out everywhere
		err = s.endOtherSessions(ctx, u.ID)
	}
	if err != nil {
		if ptacycle.ErrorCode(err) == ptacycle.EFORBIDDEN { // the link cannot serve
			s.resetRefused(c, p, err)
			return
		}
		var ok bool
		if p.Errors, ok = s.refusedForm(c, err, p.Lang); ok {
			s.render(c, "reset", p)
		}
		return
	}
	s.flash(c, p.T("reset.done"))
	c.Redirect(http.StatusSeeOther, "/login")
}

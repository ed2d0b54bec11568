package notify

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/ptacycle/ptacycle"
)

// Outbox is where reminders wait for delivery (postgres.DB).
type Outbox interface {
	ClaimReminders(ctx context.Context, limit int, stale time.Duration) ([]ptacycle.Reminder, error)
	MarkSent(ctx context.Context, id int64) error
	MarkFailed(ctx context.Context, id int64, reason string, retryAt time.Time) error
}

// Sender delivers the outbox's pending reminders, retrying with backoff and
// recording failures for the coordinators to see. Several senders may run at
// once: a reminder is claimed by one only (FOR UPDATE SKIP LOCKED). A sender
// killed after delivering but before recording it leaves the reminder
// "sending": after Stale another sender delivers it again — at most one
// duplicate per crash, with the same Message-ID.
type Sender struct {
	Outbox      Outbox
	Email       Transport // nil: e-mail reminders fail with a clear reason
	Webhook     Transport // nil: idem for the gateway
	Logger      *slog.Logger
	Batch       int           // reminders claimed at a time (default 20)
	Stale       time.Duration // a "sending" reminder older than this is taken again (default 10 min)
	MaxAttempts int           // then the reminder is marked failed (default 8)
	Interval    time.Duration // pause when the outbox is empty (default 2 s)
	Clock       func() time.Time
}

func (s *Sender) defaults() {
	if s.Batch == 0 {
		s.Batch = 20
	}
	if s.Stale == 0 {
		s.Stale = 10 * time.Minute
	}
	if s.MaxAttempts == 0 {
		s.MaxAttempts = 8
	}
	if s.Interval == 0 {
		s.Interval = 2 * time.Second
	}
	if s.Clock == nil {
		s.Clock = time.Now
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
}

// Run delivers reminders until ctx is done.
func (s *Sender) Run(ctx context.Context) error {
	s.defaults()
	for {
		n, err := s.SendDue(ctx)
		if err != nil && ctx.Err() == nil {
			s.Logger.Warn("relances : boîte d'envoi indisponible / outbox unavailable", "err", err)
		}
		if n == 0 || err != nil {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(s.Interval):
			}
		}
	}
}

// SendDue claims one batch of due reminders and delivers them; it returns how many it claimed.
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	s.defaults()
	batch, err := s.Outbox.ClaimReminders(ctx, s.Batch, s.Stale)
	if err != nil {
		return 0, err
	}
	for _, r := range batch {
		if ctx.Err() != nil {
			return len(batch), ctx.Err() // the rest stays claimed and is taken again after Stale
		}
		s.deliver(ctx, r)
	}
	return len(batch), nil
}

func (s *Sender) deliver(ctx context.Context, r ptacycle.Reminder) {
	transport := s.Email
	if r.Channel == ptacycle.ChannelWebhook {
		transport = s.Webhook
	}
	var err error
	if transport == nil {
		err = &Permanent{errors.New("aucun canal configuré pour " + string(r.Channel) + " (SMTP_HOST ou WEBHOOK_URL) / no transport configured")}
	} else {
		sendCtx, cancel := context.WithTimeout(ctx, time.Minute)
		err = transport.Send(sendCtx, Message{Key: r.Key, To: r.Address, Subject: r.Subject, Text: r.Body, HTML: r.BodyHTML})
		cancel()
	}
	if err == nil {
		if err := s.Outbox.MarkSent(ctx, r.ID); err != nil {
			s.Logger.Error("relance envoyée mais non marquée / reminder sent but not marked", "key", r.Key, "err", err)
		}
		return
	}
	var retryAt time.Time
	if !IsPermanent(err) && r.Attempts < s.MaxAttempts {
		retryAt = s.Clock().Add(backoff(r.Attempts))
	}
	s.Logger.Warn("échec d'envoi d'une relance / reminder delivery failed", "key", r.Key, "attempt", r.Attempts, "retry_at", retryAt, "err", err)
	if err := s.Outbox.MarkFailed(ctx, r.ID, err.Error(), retryAt); err != nil {
		s.Logger.Error("relance : échec non enregistré / failure not recorded", "key", r.Key, "err", err)
	}
}

// backoff is the wait after the n-th failed attempt: 1, 2, 4… minutes, at most 6 hours.
func backoff(n int) time.Duration {
	d := time.Minute << min(max(n-1, 0), 9)
	return min(d, 6*time.Hour)
}

package notify_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/internal/stacktest"
	"github.com/ptacycle/ptacycle/notify"
	"github.com/ptacycle/ptacycle/notify/smtptest"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// outboxFixture is an organisation with one user and n pending e-mail reminders.
func outboxFixture(t *testing.T, n int) (*postgres.DB, int64) {
	t.Helper()
	ctx := context.Background()
	db := pgtest.MustDB(t)
	org, err := db.CreateOrganisation(ctx, ptacycle.Actor{Label: "test"}, ptacycle.Organisation{Slug: "cnltp", Name: "CNLTP"})
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := ptacycle.HashPassword("mot-de-passe-solide")
	u, err := db.CreateUser(ctx, ptacycle.SystemActor(org.ID), ptacycle.User{Email: "awa@cnltp.ci", FullName: "Awa", Role: ptacycle.RoleCoordinator}, hash)
	if err != nil {
		t.Fatal(err)
	}
	var rs []ptacycle.Reminder
	for i := range n {
		rs = append(rs, ptacycle.Reminder{Key: fmt.Sprintf("test/%d/email", i), RecipientID: u.ID, Channel: ptacycle.ChannelEmail,
			Kind: "overdue", Subject: fmt.Sprintf("Relance %d", i), Body: "En retard", Address: "awa@cnltp.ci"})
	}
	if _, err := db.CreateReminders(ctx, org.ID, rs); err != nil {
		t.Fatal(err)
	}
	return db, org.ID
}

func mustSMTP(t *testing.T, srv *smtptest.Server) *notify.SMTP {
	t.Helper()
	tr, err := notify.NewSMTP(notify.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "none", From: "ptacycle@cnltp.demo"})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func statuses(t *testing.T, db *postgres.DB, org int64) map[string]int {
	t.Helper()
	rs, err := db.Reminders(context.Background(), org, postgres.ReminderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rs {
		out[r.Status]++
	}
	return out
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestTwoSendersNeverSendTwice runs two senders on one outbox: each reminder is delivered once.
func TestTwoSendersNeverSendTwice(t *testing.T) {
	db, org := outboxFixture(t, 40)
	srv := smtptest.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for range 2 {
		s := &notify.Sender{Outbox: db, Email: mustSMTP(t, srv), Logger: quiet(), Batch: 5, Interval: 10 * time.Millisecond}
		wg.Go(func() { _ = s.Run(ctx) })
	}
	// Drained, then counted: once every reminder is marked sent no sender
	// can claim one again, and once both have stopped no delivery is under way.
	stacktest.EventuallySays(t, 20*time.Second, "the 40 reminders marked sent", func() (bool, string) {
		s := statuses(t, db, org)
		return s["sent"] == 40, fmt.Sprint(s)
	})
	cancel()
	wg.Wait()
	mails := srv.Mails()
	if n := len(mails); n != 40 {
		t.Fatalf("%d messages delivered for 40 reminders", n)
	}
	seen := map[string]bool{}
	for _, m := range mails {
		id := m.Header.Get("Message-Id")
		if seen[id] {
			t.Errorf("message %s delivered twice", id)
		}
		seen[id] = true
	}
	if s := statuses(t, db, org); s["sent"] != 40 {
		t.Errorf("statuses %v, want 40 sent", s)
	}
}

// killAfterSend delivers, then kills its sender before it can record the delivery.
type killAfterSend struct {
	notify.Transport
	kill context.CancelFunc
}

func (k killAfterSend) Send(ctx context.Context, m notify.Message) error {
	err := k.Transport.Send(ctx, m)
	k.kill()
	return err
}

// TestCrashBetweenSendAndMark kills the sender between "delivered" and
// "marked sent": after restart the reminder is delivered once more, with the
// same Message-ID — the at-most-one-duplicate guarantee — and never a third time.
func TestCrashBetweenSendAndMark(t *testing.T) {
	db, org := outboxFixture(t, 1)
	srv := smtptest.Start(t)
	ctx, kill := context.WithCancel(context.Background())
	first := &notify.Sender{Outbox: db, Email: killAfterSend{mustSMTP(t, srv), kill}, Logger: quiet(), Stale: 50 * time.Millisecond}
	if _, err := first.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	if s := statuses(t, db, org); s["sending"] != 1 {
		t.Fatalf("after the crash: %v, want the reminder still sending", s)
	}
	// The claim left by the crash is older than Stale, as it is once that time has passed.
	if _, err := db.Pool.Exec(context.Background(), `UPDATE reminders SET claimed_at = claimed_at - interval '1 minute' WHERE status = 'sending'`); err != nil {
		t.Fatal(err)
	}
	restarted := &notify.Sender{Outbox: db, Email: mustSMTP(t, srv), Logger: quiet(), Stale: 50 * time.Millisecond}
	for range 3 { // a few rounds: the reminder must not go out a third time
		if _, err := restarted.SendDue(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	mails := srv.Mails()
	if len(mails) != 2 {
		t.Fatalf("%d deliveries, want the original and at most one duplicate", len(mails))
	}
	if a, b := mails[0].Header.Get("Message-Id"), mails[1].Header.Get("Message-Id"); a != b {
		t.Errorf("the duplicate has another Message-ID: %s vs %s", a, b)
	}
	rs, _ := db.Reminders(context.Background(), org, postgres.ReminderFilter{})
	if rs[0].Status != "sent" || rs[0].Attempts != 2 {
		t.Errorf("reminder = %s after %d attempts", rs[0].Status, rs[0].Attempts)
	}
}

// TestFailuresAreRecorded: a refused address fails at once; a server down is retried later.
func TestFailuresAreRecorded(t *testing.T) {
	ctx := context.Background()
	db, org := outboxFixture(t, 1)
	srv := smtptest.Start(t)
	srv.Refuse("awa@cnltp.ci")
	s := &notify.Sender{Outbox: db, Email: mustSMTP(t, srv), Logger: quiet()}
	if _, err := s.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	rs, _ := db.Reminders(ctx, org, postgres.ReminderFilter{Status: "failed"})
	if len(rs) != 1 || rs[0].LastError == "" {
		t.Fatalf("a refused address: %+v, want failed with its reason", rs)
	}

	db2, org2 := outboxFixture(t, 1)
	now := time.Now()
	down, _ := notify.NewSMTP(notify.SMTPConfig{Host: "127.0.0.1", Port: 1, TLS: "none", From: "ptacycle@cnltp.demo"})
	s2 := &notify.Sender{Outbox: db2, Email: down, Logger: quiet(), Clock: func() time.Time { return now }}
	if _, err := s2.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	pending, _ := db2.Reminders(ctx, org2, postgres.ReminderFilter{Status: "pending"})
	if len(pending) != 1 || pending[0].Attempts != 1 || pending[0].LastError == "" {
		t.Fatalf("SMTP down: %+v, want pending for a retry with its reason", pending)
	}
	if n, _ := s2.SendDue(ctx); n != 0 {
		t.Errorf("retried at once (%d claimed) instead of after the backoff", n)
	}
}

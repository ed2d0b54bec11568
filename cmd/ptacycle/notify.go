package main

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"
	"golang.org/x/sync/errgroup"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/notify"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/worker"
)

func randomKey() ([]byte, error) {
	b := make([]byte, 32)
	_, err := rand.Read(b)
	return b, err
}

// transports builds the e-mail and webhook transports from the environment.
// Without SMTP_HOST, dev prints e-mails to console; the worker then fails them with a clear reason.
func transports(getenv func(string) string, console io.Writer) (email, webhook notify.Transport, err error) {
	if host := getenv("SMTP_HOST"); host != "" {
		port := 0
		if p := getenv("SMTP_PORT"); p != "" {
			if port, err = strconv.Atoi(p); err != nil {
				return nil, nil, errors.New("SMTP_PORT doit être un nombre / SMTP_PORT must be a number")
			}
		}
		smtp, err := notify.NewSMTP(notify.SMTPConfig{Host: host, Port: port, TLS: getenv("SMTP_TLS"),
			Username: getenv("SMTP_USERNAME"), Password: getenv("SMTP_PASSWORD"), From: getenv("SMTP_FROM")})
		if err != nil {
			return nil, nil, err
		}
		email = smtp
	} else if console != nil {
		email = &notify.Console{W: console}
	}
	if url := getenv("WEBHOOK_URL"); url != "" {
		secret := getenv("WEBHOOK_SECRET")
		if len(secret) < 16 {
			return nil, nil, errors.New("WEBHOOK_SECRET doit compter au moins 16 caractères / WEBHOOK_SECRET must be at least 16 characters")
		}
		webhook = &notify.Webhook{URL: url, Secret: []byte(secret)}
	}
	return email, webhook, nil
}

// runWorkerAndSender runs the Temporal worker and the reminders' sender until ctx is done.
func runWorkerAndSender(ctx context.Context, db *postgres.DB, tc client.Client, cfg config, getenv func(string) string, console io.Writer, logger *slog.Logger) error {
	email, webhook, err := transports(getenv, console)
	if err != nil {
		return err
	}
	crash := crashHookFrom(getenv) // nil unless a reliability test asks for it
	email = crash.email(email)
	secret, err := db.Secret(ctx, ptacycle.LinkSecretName, randomKey)
	if err != nil {
		return err
	}
	acts := &activities.Activities{DB: db, Temporal: tc, Clock: time.Now, PublicURL: cfg.PublicURL, LinkSecret: secret}
	sender := &notify.Sender{Outbox: db, Email: email, Webhook: webhook, Logger: logger}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return worker.Run(gctx, tc, cfg.TemporalNamespace, acts, crash.interceptors()...) })
	g.Go(func() error { return sender.Run(gctx) })
	return g.Wait()
}

package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/notify"
	"github.com/ptacycle/ptacycle/postgres"
)

// DigestInput is the moment the weekly summaries are made.
type DigestInput struct {
	At time.Time
}

// OrganisationDigestInput is one organisation's weekly summaries.
type OrganisationDigestInput struct {
	OrganisationID int64
	At             time.Time
}

// DigestOrganisations lists the organisations whose coordinators may get
// a weekly summary (WeeklyDigest writes each one's apart).
func (a *Activities) DigestOrganisations(ctx context.Context, _ DigestInput) ([]int64, error) {
	orgs, err := a.DB.Organisations(ctx)
	if err != nil {
		return nil, domainError(err)
	}
	ids := make([]int64, 0, len(orgs))
	for _, o := range orgs {
		ids = append(ids, o.ID)
	}
	return ids, nil
}

// SendDigest writes, for every coordinator of one organisation who chose the
// weekly summary, a digest of its overdue activities and pending decisions
// into the outbox; its key names the ISO week, so running twice writes nothing more.
func (a *Activities) SendDigest(ctx context.Context, in OrganisationDigestInput) (int, error) {
	org, err := a.DB.Organisation(ctx, in.OrganisationID)
	if err != nil {
		return 0, domainError(err)
	}
	return a.sendDigest(ctx, org, in.At)
}

// SendDigests is SendDigest over every organisation in one activity: what
// weekly summaries started before digest-per-organisation still run.
func (a *Activities) SendDigests(ctx context.Context, in DigestInput) (int, error) {
	orgs, err := a.DB.Organisations(ctx)
	if err != nil {
		return 0, domainError(err)
	}
	written := 0
	for _, org := range orgs {
		n, err := a.sendDigest(ctx, org, in.At)
		written += n
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

func (a *Activities) sendDigest(ctx context.Context, org ptacycle.Organisation, at time.Time) (int, error) {
	year, week := at.ISOWeek()
	coordinators, err := a.DB.Users(ctx, org.ID, ptacycle.RoleCoordinator)
	if err != nil {
		return 0, domainError(err)
	}
	var readers []ptacycle.User
	for _, u := range coordinators {
		if u.Active && u.Digest {
			readers = append(readers, u)
		}
	}
	if len(readers) == 0 {
		return 0, nil
	}
	overdue, pending, err := a.digestContent(ctx, org, ptacycle.DateOf(at))
	if err != nil {
		return 0, err
	}
	var rows []ptacycle.Reminder
	for _, u := range readers {
		c := notify.Content{Kind: KindDigest, Lang: u.Language, Organisation: org.Name, RecipientName: u.FullName,
			Overdue: overdue, Pending: pending, PageLink: a.PublicURL + "/"}
		subject, text, html, err := notify.Render(c)
		if err != nil {
			return 0, err
		}
		key := fmt.Sprintf("digest/%d/%d-W%02d", u.ID, year, week)
		base := ptacycle.Reminder{RecipientID: u.ID, Kind: KindDigest, Subject: subject, Body: text}
		inApp, mail := base, base
		inApp.Key, inApp.Channel = key, ptacycle.ChannelInApp
		mail.Key, mail.Channel, mail.Address, mail.BodyHTML = key+"/email", ptacycle.ChannelEmail, u.Email, html
		rows = append(rows, inApp)
		if u.NotifyChannel != ptacycle.ChannelInApp {
			rows = append(rows, mail)
		}
	}
	n, err := a.DB.CreateReminders(ctx, org.ID, rows)
	return n, domainError(err)
}

// digestContent lists an organisation's overdue activities (of its cycles in
// execution) and the plans waiting for a decision.
func (a *Activities) digestContent(ctx context.Context, org ptacycle.Organisation, today ptacycle.Date) ([]notify.DigestLine, []string, error) {
	cycles, err := a.DB.Cycles(ctx, org.ID)
	if err != nil {
		return nil, nil, domainError(err)
	}
	units, err := a.DB.Units(ctx, org.ID)
	if err != nil {
		return nil, nil, domainError(err)
	}
	unitName := map[int64]string{}
	for _, u := range units {
		unitName[u.ID] = u.Name
	}
	var overdue []notify.DigestLine
	var pending []string
	for _, cy := range cycles {
		switch cy.Stage {
		case ptacycle.StageValidation:
			pending = append(pending, fmt.Sprintf("PTA %d en attente de validation", cy.Year))
		case ptacycle.StageExecution:
			plan, err := a.DB.Plan(ctx, org.ID, cy.Year)
			if err != nil {
				return nil, nil, domainError(err)
			}
			late, err := a.DB.Activities(ctx, org.ID, postgres.ActivityFilter{PlanID: plan.ID, OverdueAsOf: today, Limit: 200})
			if err != nil {
				return nil, nil, domainError(err)
			}
			for _, act := range late {
				line := notify.DigestLine{Code: act.Code, Title: act.Title, Due: act.DueDate,
					DaysLate: act.DueDate.DaysUntil(today)}
				if act.ResponsibleUnitID != nil {
					line.Unit = unitName[*act.ResponsibleUnitID]
				}
				overdue = append(overdue, line)
			}
		}
	}
	return overdue, pending, nil
}

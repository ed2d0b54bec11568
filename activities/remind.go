package activities

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/notify"
	"github.com/ptacycle/ptacycle/postgres"
)

// Reminder kinds.
const (
	KindDueSoon    = "due_soon"
	KindDueToday   = "due_today"
	KindOverdue    = "overdue"
	KindEscalation = "escalation"
	KindStepOpen   = "step_open"      // a step has just opened for its recipients (a version to approve)
	KindSentBack   = "sent_back"      // the plan was sent back: the coordinators read the approver's comment
	KindExecution  = "execution_open" // the plan is approved: each owner hears how many activities their unit has
	KindDigest     = "digest"
)

// RemindInput asks for a reminder to everyone holding Roles, to UserIDs and
// to the owners of UnitOwnersOf. Key is unique to this reminder: asking again
// writes nothing.
type RemindInput struct {
	Key            string
	OrganisationID int64
	CycleID        int64
	ActivityID     int64 // 0 for a cycle step
	Kind           string
	Step           ptacycle.Label // what is due, for a cycle step
	Due            time.Time
	Roles          []ptacycle.Role
	UserIDs        []int64
	UnitOwnersOf   int64  // the owners of this unit too (an activity without a named owner)
	Comment        string // an approver's comment, for a plan sent back
}

// Remind writes, in one transaction, one in-app reminder per recipient and
// the message for the channel each prefers (e-mail, or the SMS gateway),
// rendered in their language, into the outbox the sender delivers from.
// A retried call writes nothing more. It returns how many rows were new.
func (a *Activities) Remind(ctx context.Context, in RemindInput) (int, error) {
	recipients, err := a.recipients(ctx, in.OrganisationID, in.Roles, in.UserIDs, in.UnitOwnersOf)
	if err != nil {
		return 0, domainError(err)
	}
	org, loc, err := a.organisation(ctx, in.OrganisationID)
	if err != nil {
		return 0, err
	}
	contact, err := a.contact(ctx, org.ID)
	if err != nil {
		return 0, domainError(err)
	}
	var act *postgres.ActivityContext
	if in.ActivityID != 0 {
		ac, err := a.DB.ActivityWithContext(ctx, in.OrganisationID, in.ActivityID)
		if err != nil {
			return 0, domainError(err)
		}
		act = &ac
	}
	now := a.now()
	var rows []ptacycle.Reminder
	for _, u := range recipients {
		c := notify.Content{Kind: in.Kind, Lang: u.Language, Organisation: org.Name, RecipientName: u.FullName,
			Step: in.Step.In(u.Language), Due: ptacycle.DateOf(in.Due.In(loc)), Today: ptacycle.DateOf(now.In(loc)), Contact: contact.For(u.ID), Comment: in.Comment}
		base := ptacycle.Reminder{RecipientID: u.ID, Kind: in.Kind}
		if in.CycleID != 0 {
			base.CycleID = &in.CycleID
		}
		if act != nil {
			base.ActivityID = &in.ActivityID
			c.ActivityCode, c.ActivityTitle, c.ActionTitle, c.AxisTitle = act.Code, act.Title, act.ActionTitle, act.AxisTitle
			c.UnitName, c.OwnerName, c.Progress = act.UnitName, act.OwnerName, act.Progress
			c.Status = act.Status.Label().In(u.Language)
			c.PageLink = a.PublicURL + "/activites/" + strconv.FormatInt(act.ID, 10)
			if in.Kind != KindEscalation && u.Role == ptacycle.RoleOwner && len(a.LinkSecret) > 0 {
				c.UpdateLink = a.PublicURL + "/r/" + ptacycle.SignLink(a.LinkSecret,
					ptacycle.UpdateLink{ActivityID: act.ID, UserID: u.ID, Epoch: u.LinkEpoch, Expires: now.Add(ptacycle.LinkValidity)})
			}
		} else {
			c.PageLink = a.PublicURL + "/"
		}
		subject, text, html, err := notify.Render(c)
		if err != nil {
			return 0, err
		}
		rows = append(rows, deliveries(u, base, in.Key+"/"+strconv.FormatInt(u.ID, 10), subject, text, html, now, loc)...)
	}
	n, err := a.DB.CreateReminders(ctx, in.OrganisationID, rows)
	return n, domainError(err)
}

// deliveries are the rows of one message to u: in the application, and on
// the channel u prefers (e-mail or the SMS gateway) once their quiet hours
// are over; a coordinator who chose the weekly summary reads escalations there.
func deliveries(u ptacycle.User, base ptacycle.Reminder, key, subject, text, html string, now time.Time, loc *time.Location) []ptacycle.Reminder {
	inApp := base
	inApp.Key, inApp.Channel, inApp.Subject, inApp.Body = key, ptacycle.ChannelInApp, subject, text
	out := base
	out.Subject, out.Body, out.NextAttemptAt = subject, text, quietUntil(now, u.Preferences, loc)
	switch {
	case u.Digest && base.Kind == KindEscalation:
		return []ptacycle.Reminder{inApp}
	case u.NotifyChannel == ptacycle.ChannelWebhook:
		out.Key, out.Channel, out.Address = key+"/sms", ptacycle.ChannelWebhook, u.Phone
	case u.NotifyChannel != ptacycle.ChannelInApp:
		out.Key, out.Channel, out.Address, out.BodyHTML = key+"/email", ptacycle.ChannelEmail, u.Email, html
	default:
		return []ptacycle.Reminder{inApp}
	}
	return []ptacycle.Reminder{inApp, out}
}

// contact names the organisation's coordinators with their e-mails, for a reminder's "who to contact".
func (a *Activities) contact(ctx context.Context, org int64) (contacts, error) {
	coordinators, err := a.DB.Users(ctx, org, ptacycle.RoleCoordinator)
	return contacts(coordinators), err
}

// contacts are the coordinators a message names for questions.
type contacts []ptacycle.User

// For is whom recipient may ask: the active coordinators but themselves
// (a coordinator is not told to ask herself); empty when nobody is left.
func (cs contacts) For(recipient int64) string {
	var names []string
	for _, c := range cs {
		if c.Active && c.ID != recipient {
			names = append(names, fmt.Sprintf("%s <%s>", c.FullName, c.Email))
		}
	}
	return strings.Join(names, ", ")
}

// quietUntil is when a message may go out to someone with quiet hours: now,
// or the end of their quiet period (local time) if now falls in it.
func quietUntil(now time.Time, p ptacycle.Preferences, loc *time.Location) time.Time {
	if p.QuietFrom == nil || p.QuietTo == nil || *p.QuietFrom == *p.QuietTo {
		return now
	}
	local := now.In(loc)
	from, to, h := *p.QuietFrom, *p.QuietTo, local.Hour()
	quiet := (from < to && h >= from && h < to) || (from > to && (h >= from || h < to))
	if !quiet {
		return now
	}
	end := time.Date(local.Year(), local.Month(), local.Day(), to, 0, 0, 0, loc)
	if !end.After(local) {
		end = end.AddDate(0, 0, 1)
	}
	return end
}

// recipients returns the active users holding roles, those listed, and the
// owners of unit unitOwnersOf, each once, in a stable order.
func (a *Activities) recipients(ctx context.Context, org int64, roles []ptacycle.Role, ids []int64, unitOwnersOf int64) ([]ptacycle.User, error) {
	var out []ptacycle.User
	seen := map[int64]bool{}
	add := func(u ptacycle.User) {
		if u.Active && !seen[u.ID] {
			seen[u.ID] = true
			out = append(out, u)
		}
	}
	for _, role := range roles {
		users, err := a.DB.Users(ctx, org, role)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			add(u)
		}
	}
	for _, id := range ids {
		u, err := a.DB.User(ctx, org, id)
		if ptacycle.ErrorCode(err) == ptacycle.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		add(u)
	}
	if unitOwnersOf != 0 {
		owners, err := a.DB.Users(ctx, org, ptacycle.RoleOwner)
		if err != nil {
			return nil, err
		}
		for _, u := range owners {
			if u.UnitID != nil && *u.UnitID == unitOwnersOf {
				add(u)
			}
		}
	}
	return out, nil
}

// AnnounceExecutionInput asks to tell the owners that the plan of Year is approved.
type AnnounceExecutionInput struct {
	Key            string
	OrganisationID int64
	CycleID        int64
	PlanID         int64
	Year           int
	Version        int
}

// AnnounceExecution tells each active owner whose unit is responsible for
// activities of the approved plan how many, with the page to report on
// them: in the application and on their channel. A retried call writes
// nothing more. It returns how many rows were new.
func (a *Activities) AnnounceExecution(ctx context.Context, in AnnounceExecutionInput) (int, error) {
	org, loc, err := a.organisation(ctx, in.OrganisationID)
	if err != nil {
		return 0, err
	}
	owners, err := a.DB.Users(ctx, org.ID, ptacycle.RoleOwner)
	if err != nil {
		return 0, domainError(err)
	}
	contact, err := a.contact(ctx, org.ID)
	if err != nil {
		return 0, domainError(err)
	}
	units, err := a.DB.Units(ctx, org.ID)
	if err != nil {
		return 0, domainError(err)
	}
	unitName := map[int64]string{}
	for _, u := range units {
		unitName[u.ID] = u.Name
	}
	counts := map[int64]int{}
	now := a.now()
	var rows []ptacycle.Reminder
	for _, u := range owners {
		if !u.Active || u.UnitID == nil {
			continue
		}
		n, seen := counts[*u.UnitID]
		if !seen {
			if n, err = a.DB.CountActivities(ctx, org.ID, postgres.ActivityFilter{PlanID: in.PlanID, UnitID: *u.UnitID}); err != nil {
				return 0, domainError(err)
			}
			counts[*u.UnitID] = n
		}
		if n == 0 {
			continue
		}
		subject, text, html, err := notify.Render(notify.Content{Kind: KindExecution, Lang: u.Language, Organisation: org.Name, RecipientName: u.FullName,
			UnitName: unitName[*u.UnitID], Count: n, Year: in.Year, Version: in.Version, Contact: contact.For(u.ID), PageLink: a.PublicURL + "/mes-activites"})
		if err != nil {
			return 0, err
		}
		base := ptacycle.Reminder{RecipientID: u.ID, Kind: KindExecution, CycleID: &in.CycleID}
		rows = append(rows, deliveries(u, base, in.Key+"/"+strconv.FormatInt(u.ID, 10), subject, text, html, now, loc)...)
	}
	created, err := a.DB.CreateReminders(ctx, org.ID, rows)
	return created, domainError(err)
}

// organisation reads an organisation and its time zone (UTC when its name is unknown).
func (a *Activities) organisation(ctx context.Context, id int64) (ptacycle.Organisation, *time.Location, error) {
	org, err := a.DB.Organisation(ctx, id)
	if err != nil {
		return org, nil, domainError(err)
	}
	loc, err := time.LoadLocation(org.Timezone)
	if err != nil {
		loc = time.UTC
	}
	return org, loc, nil
}

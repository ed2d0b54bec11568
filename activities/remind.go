package activities

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/ptacycle/ptacycle"
)

// Reminder kinds.
const (
	KindDueSoon    = "due_soon"
	KindDueToday   = "due_today"
	KindOverdue    = "overdue"
	KindEscalation = "escalation"
)

// RemindInput asks for a reminder to everyone holding Roles and to UserIDs.
// Key is unique to this reminder: recording it again records nothing.
type RemindInput struct {
	Key            string
	OrganisationID int64
	CycleID        int64
	ActivityID     int64 // 0 for a cycle step
	Kind           string
	Step           ptacycle.Label // what is due, for the message
	Due            time.Time
	Roles          []ptacycle.Role
	UserIDs        []int64
	UnitOwnersOf   int64 // the owners of this unit too (an activity without a named owner)
}

// Remind records one reminder per recipient (key + recipient), in-app; a
// retried call records nothing more. It returns how many were new.
func (a *Activities) Remind(ctx context.Context, in RemindInput) (int, error) {
	recipients, err := a.recipients(ctx, in.OrganisationID, in.Roles, in.UserIDs, in.UnitOwnersOf)
	if err != nil {
		return 0, domainError(err)
	}
	var activity *ptacycle.Activity
	if in.ActivityID != 0 {
		act, err := a.DB.Activity(ctx, in.OrganisationID, in.ActivityID)
		if err != nil {
			return 0, domainError(err)
		}
		activity = &act
	}
	created := 0
	for _, u := range recipients {
		subject, body := message(u.Language, in, activity)
		r := ptacycle.Reminder{
			Key: in.Key + "/" + strconv.FormatInt(u.ID, 10), RecipientID: u.ID, Channel: ptacycle.ChannelInApp,
			Kind: in.Kind, Subject: subject, Body: body,
		}
		if in.ActivityID != 0 {
			r.ActivityID = &in.ActivityID
		}
		if in.CycleID != 0 {
			r.CycleID = &in.CycleID
		}
		ok, err := a.DB.CreateReminder(ctx, in.OrganisationID, r)
		if err != nil {
			return created, domainError(err)
		}
		if ok {
			created++
		}
	}
	return created, nil
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

// message writes a reminder's subject and body in the recipient's language.
func message(lang string, in RemindInput, act *ptacycle.Activity) (string, string) {
	what := in.Step.In(lang)
	if act != nil {
		what = fmt.Sprintf("%s %s", act.Code, act.Title)
	}
	due := ptacycle.DateOf(in.Due).French()
	if lang == "en" {
		due = ptacycle.DateOf(in.Due).String()
		switch in.Kind {
		case KindDueSoon:
			return "Reminder: " + what + " is due on " + due, what + " is due on " + due + ". Please act before then."
		case KindDueToday:
			return "Due today: " + what, what + " is due today (" + due + ")."
		case KindOverdue:
			return "Overdue: " + what, what + " was due on " + due + " and is still pending."
		default:
			return "Escalation: " + what + " is late", what + " was due on " + due + " and is still pending; you are told so you can follow it up."
		}
	}
	switch in.Kind {
	case KindDueSoon:
		return "Rappel : " + what + " — échéance le " + due, what + " arrive à échéance le " + due + ". Merci d'agir avant cette date."
	case KindDueToday:
		return "Échéance aujourd'hui : " + what, what + " arrive à échéance aujourd'hui (" + due + ")."
	case KindOverdue:
		return "En retard : " + what, what + " devait être fait le " + due + " et reste en attente."
	default:
		return "Escalade : " + what + " est en retard", what + " devait être fait le " + due + " et reste en attente ; vous en êtes informé(e) pour en assurer le suivi."
	}
}

package app

import (
	"context"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

// failuresShown bounds the failed deliveries and process failures the inbox lists.
const failuresShown = 20

// InboxQuery picks a page of the actor's in-app reminders: unread only or
// not, older than reminder BeforeID (0: the newest), Limit at most.
type InboxQuery struct {
	UnreadOnly bool
	BeforeID   int64
	Limit      int
}

// Inbox is the reminders page's: a page of the actor's in-app reminders,
// newest first, how many they have not read, and for who follows the
// deliveries (ReadDeliveries) the latest that could not be delivered and
// what the cycles could not do.
type Inbox struct {
	Reminders []ptacycle.Reminder
	Unread    int
	Failures  []ptacycle.Reminder
	Process   []ptacycle.ProcessFailure
}

// Inbox reads the actor's reminders page.
func (c Account) Inbox(ctx context.Context, a Actor, q InboxQuery) (Inbox, error) {
	var in Inbox
	var err error
	if in.Reminders, err = c.db.Reminders(ctx, a.org(), postgres.ReminderFilter{RecipientID: a.User.ID, Channel: ptacycle.ChannelInApp,
		UnreadOnly: q.UnreadOnly, Limit: q.Limit, BeforeID: q.BeforeID}); err != nil {
		return in, err
	}
	if in.Unread, err = c.db.UnreadReminders(ctx, a.org(), a.User.ID); err != nil {
		return in, err
	}
	if a.may(ReadDeliveries) != nil {
		return in, nil
	}
	if in.Failures, err = Organisation(c).DeliveryFailures(ctx, a, failuresShown); err != nil {
		return in, err
	}
	in.Process, err = Organisation(c).ProcessFailures(ctx, a, failuresShown)
	return in, err
}

// Unit reads the actor's unit; nil when they belong to none.
func (c Account) Unit(ctx context.Context, a Actor) (*ptacycle.Unit, error) {
	if a.User.UnitID == nil {
		return nil, nil
	}
	u, err := c.db.Unit(ctx, a.org(), *a.User.UnitID)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

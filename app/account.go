package app

import (
	"context"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

// Account is what every signed-in person does on their own account.
type Account struct{ *core }

// Reminders are the actor's in-app reminders (unread only when asked),
// newest first, with the count not yet read.
func (c Account) Reminders(ctx context.Context, a Actor, unreadOnly bool, limit int) ([]ptacycle.Reminder, int, error) {
	items, err := c.db.Reminders(ctx, a.org(), postgres.ReminderFilter{RecipientID: a.User.ID, Channel: ptacycle.ChannelInApp,
		UnreadOnly: unreadOnly, Limit: limit})
	if err != nil {
		return nil, 0, err
	}
	unread, err := c.db.UnreadReminders(ctx, a.org(), a.User.ID)
	return items, unread, err
}

// ReadReminder marks one of the actor's reminders read.
func (c Account) ReadReminder(ctx context.Context, a Actor, id int64) error {
	return c.db.MarkReminderRead(ctx, a.org(), a.User.ID, id)
}

// SetPreferences records how the actor wants to be reminded, and in which language.
func (c Account) SetPreferences(ctx context.Context, a Actor, p ptacycle.Preferences, language string) (ptacycle.User, error) {
	return c.db.SetPreferences(ctx, a.audit(), a.User.ID, p, language)
}

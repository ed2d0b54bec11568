-- Reminders become an outbox: the row written with the decision to remind
-- carries the rendered message and its address; a sender claims pending rows
-- (FOR UPDATE SKIP LOCKED), delivers them and marks them sent.

-- +goose Up
ALTER TABLE reminders ADD COLUMN body_html text NOT NULL DEFAULT '';
ALTER TABLE reminders ADD COLUMN address text NOT NULL DEFAULT '';
ALTER TABLE reminders ADD COLUMN claimed_at timestamptz;
ALTER TABLE reminders DROP CONSTRAINT reminders_status_check;
ALTER TABLE reminders ADD CONSTRAINT reminders_status_check CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled'));
ALTER TABLE reminders ADD CONSTRAINT reminders_address_check CHECK (channel = 'in_app' OR btrim(address) <> '');
ALTER TABLE reminders ADD CONSTRAINT reminders_claim_check CHECK ((status = 'sending') = (claimed_at IS NOT NULL));
DROP INDEX reminders_pending_idx;
CREATE INDEX reminders_outbox_idx ON reminders (next_attempt_at) WHERE status IN ('pending', 'sending');
-- In-app reminders are delivered when written.
UPDATE reminders SET status = 'sent', sent_at = created_at WHERE channel = 'in_app' AND status = 'pending';

-- How each person wants to be reminded.
ALTER TABLE users ADD COLUMN notify_channel text NOT NULL DEFAULT 'email' CHECK (notify_channel IN ('email', 'in_app', 'webhook'));
ALTER TABLE users ADD COLUMN phone text NOT NULL DEFAULT '' CHECK (phone = '' OR phone ~ '^\+?[0-9 ]{6,20}$');
ALTER TABLE users ADD COLUMN digest boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN quiet_from smallint CHECK (quiet_from BETWEEN 0 AND 23);
ALTER TABLE users ADD COLUMN quiet_to smallint CHECK (quiet_to BETWEEN 0 AND 23);
ALTER TABLE users ADD CONSTRAINT users_quiet_check CHECK ((quiet_from IS NULL) = (quiet_to IS NULL));
ALTER TABLE users ADD CONSTRAINT users_webhook_phone_check CHECK (notify_channel <> 'webhook' OR phone <> '');

-- The organisation's public holidays: reminders due on one go out the working day before.
CREATE TABLE holidays (
    organisation_id bigint NOT NULL REFERENCES organisations ON DELETE CASCADE,
    day             date NOT NULL,
    name            text NOT NULL CHECK (btrim(name) <> ''),
    PRIMARY KEY (organisation_id, day)
);

-- Keys generated once per deployment (the one-click links' signing key).
CREATE TABLE secrets (
    name       text PRIMARY KEY,
    value      bytea NOT NULL CHECK (length(value) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE secrets;
DROP TABLE holidays;
ALTER TABLE users DROP CONSTRAINT users_webhook_phone_check;
ALTER TABLE users DROP CONSTRAINT users_quiet_check;
ALTER TABLE users DROP COLUMN quiet_to;
ALTER TABLE users DROP COLUMN quiet_from;
ALTER TABLE users DROP COLUMN digest;
ALTER TABLE users DROP COLUMN phone;
ALTER TABLE users DROP COLUMN notify_channel;
DROP INDEX reminders_outbox_idx;
CREATE INDEX reminders_pending_idx ON reminders (next_attempt_at) WHERE status = 'pending';
ALTER TABLE reminders DROP CONSTRAINT reminders_claim_check;
ALTER TABLE reminders DROP CONSTRAINT reminders_address_check;
ALTER TABLE reminders DROP CONSTRAINT reminders_status_check;
ALTER TABLE reminders ADD CONSTRAINT reminders_status_check CHECK (status IN ('pending', 'sent', 'failed', 'cancelled'));
ALTER TABLE reminders DROP COLUMN claimed_at;
ALTER TABLE reminders DROP COLUMN address;
ALTER TABLE reminders DROP COLUMN body_html;

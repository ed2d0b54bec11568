-- Attempts counted against the sign-in and password-reset limits, shared by
-- every server process: one row per kind and key (an account's lower-cased
-- e-mail, a trusted browser's device cookie, or a client address). Each
-- counted attempt sets when the next one is accepted (not_before, growing
-- with the count); a row is forgotten, and swept, at forget_at.

-- +goose Up
CREATE TABLE sign_in_attempts (
    kind       text NOT NULL CHECK (kind IN ('sign_in', 'reset')),
    key        text NOT NULL CHECK (key ~ '^(account|device|ip):'),
    count      integer NOT NULL CHECK (count >= 0),
    not_before timestamptz NOT NULL,
    forget_at  timestamptz NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX sign_in_attempts_forget_idx ON sign_in_attempts (forget_at);

-- +goose Down
DROP TABLE sign_in_attempts;

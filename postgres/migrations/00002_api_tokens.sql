-- Personal API tokens: a user's scripts and integrations authenticate with
-- "Authorization: Bearer ptc_…". Only a hash of each secret is stored.

-- +goose Up
CREATE TABLE api_tokens (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id bigint NOT NULL REFERENCES organisations ON DELETE CASCADE,
    user_id         bigint NOT NULL,
    name            text NOT NULL CHECK (btrim(name) <> '' AND char_length(name) <= 100),
    prefix          text NOT NULL CHECK (prefix <> ''),
    -- SHA-256 (hex) of the secret. A fast hash is right here, unlike for
    -- passwords: the secret carries 256 random bits, so no guess can find it.
    hash            text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz,
    revoked_at      timestamptz,
    FOREIGN KEY (organisation_id, user_id) REFERENCES users (organisation_id, id) ON DELETE CASCADE
);
CREATE INDEX api_tokens_user_idx ON api_tokens (organisation_id, user_id, id DESC);

-- +goose Down
DROP TABLE api_tokens;

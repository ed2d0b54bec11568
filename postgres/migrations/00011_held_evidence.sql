-- A file attached to a progress report the form refused (a wrong date, a
-- stale version) waits here, so that the owner, often on a phone and a slow
-- link, corrects the form without picking and sending the file again. It is
-- kept two hours at most, one per owner and activity, and moves into
-- evidence_files in the transaction of the report that takes it.

-- +goose Up
CREATE TABLE held_evidence (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id bigint NOT NULL,
    activity_id     bigint NOT NULL,
    user_id         bigint NOT NULL,
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    content_type    text NOT NULL CHECK (content_type <> ''),
    content         bytea NOT NULL CHECK (octet_length(content) BETWEEN 1 AND 10485760),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organisation_id, activity_id, user_id),
    FOREIGN KEY (organisation_id, activity_id) REFERENCES activities (organisation_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organisation_id, user_id) REFERENCES users (organisation_id, id) ON DELETE CASCADE
);
CREATE INDEX held_evidence_created_idx ON held_evidence (created_at);

-- +goose Down
DROP TABLE held_evidence;

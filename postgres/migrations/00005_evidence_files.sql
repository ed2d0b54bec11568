-- Files an owner attaches to a progress report as evidence of the work (a
-- signed attendance sheet, a report, a photo). They live in the database, in
-- the same transaction as the report they belong to: one backup holds
-- everything, and a report is never stored without its file or the reverse.

-- +goose Up
CREATE TABLE evidence_files (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id bigint NOT NULL,
    activity_id     bigint NOT NULL,
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    content_type    text NOT NULL CHECK (content_type <> ''),
    size            integer NOT NULL CHECK (size = octet_length(content)),
    content         bytea NOT NULL CHECK (octet_length(content) BETWEEN 1 AND 10485760),
    sha256          bytea NOT NULL CHECK (octet_length(sha256) = 32),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organisation_id, id),
    FOREIGN KEY (organisation_id, activity_id) REFERENCES activities (organisation_id, id) ON DELETE CASCADE
);
CREATE INDEX evidence_files_activity_idx ON evidence_files (activity_id);

ALTER TABLE activity_updates ADD COLUMN evidence_file_id bigint REFERENCES evidence_files ON DELETE SET NULL;

-- +goose Down
ALTER TABLE activity_updates DROP COLUMN evidence_file_id;
DROP TABLE evidence_files;

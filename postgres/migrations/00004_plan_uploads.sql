-- A workbook uploaded for import waits here between its preview and the
-- coordinator's confirmation, so that confirming does not send it again
-- (owners and coordinators work on slow links) and any server can confirm it.

-- +goose Up
CREATE TABLE plan_uploads (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id bigint NOT NULL,
    plan_id         bigint NOT NULL,
    user_id         bigint NOT NULL,
    file_name       text NOT NULL,
    content         bytea NOT NULL CHECK (octet_length(content) <= 5242880),
    created_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organisation_id, plan_id) REFERENCES plans (organisation_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organisation_id, user_id) REFERENCES users (organisation_id, id) ON DELETE CASCADE
);
CREATE INDEX plan_uploads_created_idx ON plan_uploads (created_at);

-- +goose Down
DROP TABLE plan_uploads;

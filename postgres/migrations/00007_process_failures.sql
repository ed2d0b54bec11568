-- A side effect of a cycle that failed for good (a reminder that could not be
-- prepared, an announcement, the projection of a stage), or one organisation's
-- weekly summary: the year (the other summaries) went on without it, and the coordinators read it on the Relances page. One row per
-- side effect: a retried recording writes nothing more.

-- +goose Up
CREATE TABLE process_failures (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id bigint NOT NULL REFERENCES organisations ON DELETE CASCADE,
    cycle_id        bigint,
    activity_id     bigint,
    key             text NOT NULL UNIQUE CHECK (btrim(key) <> ''),
    operation       text NOT NULL CHECK (operation IN ('remind', 'announce_execution', 'record_stage', 'working_day',
                                                       'compute_bilan', 'start_follow_ups', 'stop_follow_ups', 'start_next_year',
                                                       'send_digest')),
    reminder_kind   text NOT NULL DEFAULT '',
    error_code      text NOT NULL,
    error_detail    text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organisation_id, cycle_id) REFERENCES cycles (organisation_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organisation_id, activity_id) REFERENCES activities (organisation_id, id) ON DELETE SET NULL (activity_id)
);
CREATE INDEX process_failures_org_idx ON process_failures (organisation_id, created_at DESC, id DESC);

-- +goose Down
DROP TABLE process_failures;

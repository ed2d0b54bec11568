-- The schema of ptacycle. Constraints are the last line of defence: a buggy
-- handler still cannot write an activity at 120 %, a user of one organisation
-- tied to another's unit, or change the audit log.

-- +goose Up
CREATE TABLE organisations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name        text NOT NULL CHECK (btrim(name) <> ''),
    acronym     text NOT NULL DEFAULT '',
    country     text NOT NULL DEFAULT '',
    timezone    text NOT NULL DEFAULT 'Africa/Abidjan',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE regions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id bigint NOT NULL REFERENCES organisations ON DELETE CASCADE,
    name            text NOT NULL CHECK (btrim(name) <> ''),
    UNIQUE (organisation_id, name),
    UNIQUE (organisation_id, id)
);

CREATE TABLE units (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id bigint NOT NULL REFERENCES organisations ON DELETE CASCADE,
    name            text NOT NULL CHECK (btrim(name) <> ''),
    acronym         text NOT NULL DEFAULT '',
    kind            text NOT NULL CHECK (kind IN ('ministry', 'committee', 'directorate', 'regional_cell', 'ngo', 'partner', 'other')),
    region_id       bigint,
    parent_id       bigint,
    UNIQUE (organisation_id, name),
    UNIQUE (organisation_id, id),
    FOREIGN KEY (organisation_id, region_id) REFERENCES regions (organisation_id, id),
    FOREIGN KEY (organisation_id, parent_id) REFERENCES units (organisation_id, id),
    CHECK (kind <> 'regional_cell' OR region_id IS NOT NULL),
    CHECK (parent_id IS NULL OR parent_id <> id)
);

CREATE TABLE users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id bigint NOT NULL REFERENCES organisations ON DELETE CASCADE,
    email           text NOT NULL CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
    full_name       text NOT NULL CHECK (btrim(full_name) <> ''),
    role            text NOT NULL CHECK (role IN ('coordinator', 'approver', 'owner', 'partner', 'admin')),
    unit_id         bigint,
    password_hash   text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    language        text NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'en')),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organisation_id, id),
    FOREIGN KEY (organisation_id, unit_id) REFERENCES units (organisation_id, id),
    CHECK (role <> 'owner' OR unit_id IS NOT NULL)
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE strategies (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id bigint NOT NULL REFERENCES organisations ON DELETE CASCADE,
    title           text NOT NULL CHECK (btrim(title) <> ''),
    start_year      int NOT NULL CHECK (start_year BETWEEN 2000 AND 2100),
    end_year        int NOT NULL CHECK (end_year BETWEEN 2000 AND 2100),
    UNIQUE (organisation_id, id),
    UNIQUE (organisation_id, title),
    CHECK (end_year >= start_year)
);

CREATE TABLE axes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    strategy_id bigint NOT NULL REFERENCES strategies ON DELETE CASCADE,
    position    int NOT NULL CHECK (position >= 1),
    code        text NOT NULL CHECK (btrim(code) <> ''),
    title       text NOT NULL CHECK (btrim(title) <> ''),
    UNIQUE (strategy_id, position),
    UNIQUE (strategy_id, code)
);

-- Approval chain of an organisation: level 1 decides first.
CREATE TABLE approval_levels (
    organisation_id bigint NOT NULL REFERENCES organisations ON DELETE CASCADE,
    level           int NOT NULL CHECK (level BETWEEN 1 AND 9),
    name            text NOT NULL CHECK (btrim(name) <> ''),
    approver_id     bigint NOT NULL,
    deadline_days   int NOT NULL DEFAULT 10 CHECK (deadline_days BETWEEN 1 AND 90),
    PRIMARY KEY (organisation_id, level),
    FOREIGN KEY (organisation_id, approver_id) REFERENCES users (organisation_id, id)
);

CREATE TABLE cycles (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id        bigint NOT NULL REFERENCES organisations ON DELETE CASCADE,
    year                   int NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    stage                  text NOT NULL DEFAULT 'bilan'
                           CHECK (stage IN ('bilan', 'recommendations', 'drafting', 'validation', 'execution', 'closed')),
    strategy_id            bigint,
    workflow_id            text NOT NULL UNIQUE CHECK (btrim(workflow_id) <> ''),
    bilan_due              date,
    recommendations_due    date,
    submission_due         date,
    started_at             timestamptz NOT NULL DEFAULT now(),
    closed_at              timestamptz,
    final_rate             numeric(5, 2) CHECK (final_rate BETWEEN 0 AND 100),
    UNIQUE (organisation_id, year),
    UNIQUE (organisation_id, id),
    FOREIGN KEY (organisation_id, strategy_id) REFERENCES strategies (organisation_id, id),
    CHECK (recommendations_due >= bilan_due),
    CHECK (submission_due >= recommendations_due),
    CHECK ((stage = 'closed') = (closed_at IS NOT NULL))
);

CREATE TABLE bilans (
    cycle_id        bigint PRIMARY KEY REFERENCES cycles ON DELETE CASCADE,
    reviewed_year   int NOT NULL CHECK (reviewed_year BETWEEN 2000 AND 2100),
    workshop_start  date,
    workshop_end    date,
    workshop_place  text NOT NULL DEFAULT '',
    participants    text[] NOT NULL DEFAULT '{}',
    lessons         text[] NOT NULL DEFAULT '{}',
    difficulties    text[] NOT NULL DEFAULT '{}',
    challenges      text[] NOT NULL DEFAULT '{}',
    rates           jsonb,
    manual_rate     numeric(5, 2) CHECK (manual_rate BETWEEN 0 AND 100),
    closed_at       timestamptz,
    version         int NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (workshop_end >= workshop_start)
);

CREATE TABLE recommendations (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id bigint NOT NULL,
    cycle_id        bigint NOT NULL,
    position        int NOT NULL CHECK (position >= 1),
    text            text NOT NULL CHECK (btrim(text) <> ''),
    unit_id         bigint,
    priority        text NOT NULL DEFAULT 'medium' CHECK (priority IN ('high', 'medium', 'low')),
    adopted         boolean NOT NULL DEFAULT false,
    adopted_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (cycle_id, position),
    FOREIGN KEY (organisation_id, cycle_id) REFERENCES cycles (organisation_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organisation_id, unit_id) REFERENCES units (organisation_id, id),
    CHECK (adopted = (adopted_at IS NOT NULL))
);

CREATE TABLE plans (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  bigint NOT NULL,
    cycle_id         bigint NOT NULL UNIQUE,
    year             int NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'approved')),
    current_version  int NOT NULL DEFAULT 0 CHECK (current_version >= 0),
    UNIQUE (organisation_id, id),
    UNIQUE (organisation_id, year),
    FOREIGN KEY (organisation_id, cycle_id) REFERENCES cycles (organisation_id, id) ON DELETE CASCADE,
    CHECK (status = 'draft' OR current_version >= 1)
);

CREATE TABLE plan_versions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id       bigint NOT NULL REFERENCES plans ON DELETE CASCADE,
    number        int NOT NULL CHECK (number >= 1),
    content_hash  text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    content       jsonb NOT NULL,
    status        text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'sent_back')),
    submitted_by  bigint REFERENCES users,
    submitted_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (plan_id, number)
);

CREATE TABLE actions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id bigint NOT NULL,
    plan_id         bigint NOT NULL,
    axis_id         bigint REFERENCES axes,
    code            text NOT NULL CHECK (btrim(code) <> ''),
    title           text NOT NULL CHECK (btrim(title) <> ''),
    position        int NOT NULL DEFAULT 1 CHECK (position >= 1),
    UNIQUE (plan_id, code),
    UNIQUE (organisation_id, id),
    UNIQUE (plan_id, id),
    FOREIGN KEY (organisation_id, plan_id) REFERENCES plans (organisation_id, id) ON DELETE CASCADE
);

CREATE TABLE recommendation_actions (
    recommendation_id bigint NOT NULL REFERENCES recommendations ON DELETE CASCADE,
    action_id         bigint NOT NULL REFERENCES actions ON DELETE CASCADE,
    PRIMARY KEY (recommendation_id, action_id)
);

CREATE TABLE activities (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id      bigint NOT NULL,
    plan_id              bigint NOT NULL,
    action_id            bigint NOT NULL,
    code                 text NOT NULL CHECK (btrim(code) <> ''),
    title                text NOT NULL CHECK (btrim(title) <> ''),
    illustrative         boolean NOT NULL DEFAULT false,
    responsible_unit_id  bigint,
    owner_id             bigint,
    start_date           date,
    due_date             date,
    budget_xof           bigint NOT NULL DEFAULT 0 CHECK (budget_xof >= 0),
    funding_source       text NOT NULL DEFAULT '',
    indicator            text NOT NULL DEFAULT '',
    target               text NOT NULL DEFAULT '',
    deliverable          text NOT NULL DEFAULT '',
    status               text NOT NULL DEFAULT 'not_started'
                         CHECK (status IN ('not_started', 'in_progress', 'done', 'cancelled', 'postponed')),
    progress             smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    comment              text NOT NULL DEFAULT '',
    evidence_url         text NOT NULL DEFAULT '' CHECK (evidence_url = '' OR evidence_url ~ '^https?://'),
    postponed_to         date,
    carried_over_from    bigint REFERENCES activities ON DELETE SET NULL,
    version              int NOT NULL DEFAULT 1 CHECK (version >= 1),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (plan_id, code),
    UNIQUE (organisation_id, id),
    FOREIGN KEY (plan_id, action_id) REFERENCES actions (plan_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organisation_id, plan_id) REFERENCES plans (organisation_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organisation_id, responsible_unit_id) REFERENCES units (organisation_id, id),
    FOREIGN KEY (organisation_id, owner_id) REFERENCES users (organisation_id, id),
    CHECK (due_date >= start_date),
    CHECK (status <> 'done' OR progress = 100),
    CHECK (status <> 'postponed' OR postponed_to IS NOT NULL)
);
CREATE INDEX activities_plan_due_idx ON activities (plan_id, due_date, id);
CREATE INDEX activities_unit_idx ON activities (responsible_unit_id);
CREATE INDEX activities_owner_idx ON activities (owner_id);

CREATE TABLE activity_partners (
    activity_id     bigint NOT NULL REFERENCES activities ON DELETE CASCADE,
    organisation_id bigint NOT NULL,
    unit_id         bigint NOT NULL,
    PRIMARY KEY (activity_id, unit_id),
    FOREIGN KEY (organisation_id, activity_id) REFERENCES activities (organisation_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organisation_id, unit_id) REFERENCES units (organisation_id, id)
);

CREATE TABLE activity_regions (
    activity_id     bigint NOT NULL REFERENCES activities ON DELETE CASCADE,
    organisation_id bigint NOT NULL,
    region_id       bigint NOT NULL,
    PRIMARY KEY (activity_id, region_id),
    FOREIGN KEY (organisation_id, activity_id) REFERENCES activities (organisation_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organisation_id, region_id) REFERENCES regions (organisation_id, id)
);

CREATE TABLE activity_updates (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    activity_id      bigint NOT NULL REFERENCES activities ON DELETE CASCADE,
    user_id          bigint REFERENCES users,
    at               timestamptz NOT NULL DEFAULT now(),
    status_before    text NOT NULL,
    status_after     text NOT NULL CHECK (status_after IN ('not_started', 'in_progress', 'done', 'cancelled', 'postponed')),
    progress_before  smallint NOT NULL CHECK (progress_before BETWEEN 0 AND 100),
    progress_after   smallint NOT NULL CHECK (progress_after BETWEEN 0 AND 100),
    comment          text NOT NULL DEFAULT '',
    evidence_url     text NOT NULL DEFAULT ''
);
CREATE INDEX activity_updates_activity_idx ON activity_updates (activity_id, at);

CREATE TABLE decisions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_version_id  bigint NOT NULL REFERENCES plan_versions ON DELETE CASCADE,
    level            int NOT NULL CHECK (level BETWEEN 1 AND 9),
    approver_id      bigint NOT NULL REFERENCES users,
    on_behalf_of_id  bigint REFERENCES users,
    outcome          text NOT NULL CHECK (outcome IN ('approved', 'sent_back')),
    comment          text NOT NULL DEFAULT '',
    decided_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (plan_version_id, level),
    CHECK (outcome <> 'sent_back' OR btrim(comment) <> ''),
    CHECK (on_behalf_of_id IS NULL OR on_behalf_of_id <> approver_id)
);

CREATE TABLE reminders (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id bigint NOT NULL REFERENCES organisations ON DELETE CASCADE,
    key             text NOT NULL UNIQUE CHECK (btrim(key) <> ''),
    recipient_id    bigint NOT NULL REFERENCES users,
    channel         text NOT NULL CHECK (channel IN ('email', 'in_app', 'webhook')),
    kind            text NOT NULL CHECK (btrim(kind) <> ''),
    subject         text NOT NULL DEFAULT '',
    body            text NOT NULL DEFAULT '',
    activity_id     bigint REFERENCES activities ON DELETE CASCADE,
    cycle_id        bigint REFERENCES cycles ON DELETE CASCADE,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
    attempts        int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    read_at         timestamptz,
    CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX reminders_recipient_idx ON reminders (recipient_id, created_at DESC);
CREATE INDEX reminders_pending_idx ON reminders (next_attempt_at) WHERE status = 'pending';

CREATE TABLE audit_log (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id bigint REFERENCES organisations,
    at              timestamptz NOT NULL DEFAULT now(),
    actor_id        bigint REFERENCES users,
    actor_label     text NOT NULL CHECK (btrim(actor_label) <> ''),
    action          text NOT NULL CHECK (btrim(action) <> ''),
    entity          text NOT NULL CHECK (btrim(entity) <> ''),
    entity_id       text NOT NULL DEFAULT '',
    before          jsonb,
    after           jsonb,
    request_id      text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_org_at_idx ON audit_log (organisation_id, at DESC, id DESC);

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Sessions of signed-in users (the table github.com/alexedwards/scs/pgxstore expects).
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- +goose Down
DROP TABLE sessions;
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only;
DROP TABLE reminders;
DROP TABLE decisions;
DROP TABLE activity_updates;
DROP TABLE activity_regions;
DROP TABLE activity_partners;
DROP TABLE activities;
DROP TABLE recommendation_actions;
DROP TABLE actions;
DROP TABLE plan_versions;
DROP TABLE plans;
DROP TABLE recommendations;
DROP TABLE bilans;
DROP TABLE cycles;
DROP TABLE approval_levels;
DROP TABLE axes;
DROP TABLE strategies;
DROP TABLE users;
DROP TABLE units;
DROP TABLE regions;
DROP TABLE organisations;

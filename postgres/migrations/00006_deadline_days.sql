-- An organisation's usual deadlines of the human steps (day and month), which a
-- year's launch takes when given none.

-- +goose Up
ALTER TABLE organisations
    ADD COLUMN bilan_due           text NOT NULL DEFAULT '02-15',
    ADD COLUMN recommendations_due text NOT NULL DEFAULT '02-28',
    ADD COLUMN submission_due      text NOT NULL DEFAULT '03-15',
    ADD CONSTRAINT organisations_due_days_check CHECK (
        bilan_due ~ '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' AND
        recommendations_due ~ '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' AND
        submission_due ~ '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' AND
        bilan_due <= recommendations_due AND recommendations_due <= submission_due);

-- +goose Down
ALTER TABLE organisations DROP CONSTRAINT organisations_due_days_check,
    DROP COLUMN bilan_due, DROP COLUMN recommendations_due, DROP COLUMN submission_due;

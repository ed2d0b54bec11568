-- An action's axis belongs to the action's organisation, as every other
-- tenant reference does (composite foreign keys): axes carry their
-- organisation, and an action refers to (organisation, axis). An action that
-- pointed at another organisation's axis loses it (no axis), the only
-- reading of it that leaks nothing.

-- +goose Up
ALTER TABLE axes ADD COLUMN organisation_id bigint;
UPDATE axes a SET organisation_id = s.organisation_id FROM strategies s WHERE s.id = a.strategy_id;
ALTER TABLE axes ALTER COLUMN organisation_id SET NOT NULL;
ALTER TABLE axes ADD UNIQUE (organisation_id, id);
ALTER TABLE axes DROP CONSTRAINT axes_strategy_id_fkey;
ALTER TABLE axes ADD FOREIGN KEY (organisation_id, strategy_id) REFERENCES strategies (organisation_id, id) ON DELETE CASCADE;

UPDATE actions c SET axis_id = NULL FROM axes a WHERE a.id = c.axis_id AND a.organisation_id <> c.organisation_id;
ALTER TABLE actions DROP CONSTRAINT actions_axis_id_fkey;
ALTER TABLE actions ADD CONSTRAINT actions_axis_fkey FOREIGN KEY (organisation_id, axis_id) REFERENCES axes (organisation_id, id);

-- +goose Down
ALTER TABLE actions DROP CONSTRAINT actions_axis_fkey;
ALTER TABLE actions ADD FOREIGN KEY (axis_id) REFERENCES axes;
ALTER TABLE axes DROP CONSTRAINT axes_organisation_id_strategy_id_fkey;
ALTER TABLE axes ADD FOREIGN KEY (strategy_id) REFERENCES strategies ON DELETE CASCADE;
ALTER TABLE axes DROP COLUMN organisation_id;

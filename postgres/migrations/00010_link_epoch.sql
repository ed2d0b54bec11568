-- A user's link epoch is signed into every one-click link made for them; the
-- store moves it on each change of role, unit, activation or password, which
-- ends the links made before. Existing users start at 0, the epoch the links
-- already sent are read with, so those keep working until the first change.

-- +goose Up
ALTER TABLE users ADD COLUMN link_epoch integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE users DROP COLUMN link_epoch;

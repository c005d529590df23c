-- Who wrote each library version, by user id: the four-eyes rule bars
-- anyone who wrote a version since the last approval from approving it.
-- Versions written before this column are matched by their writer's user
-- name (created_by), which is what they recorded.
ALTER TABLE library_versions ADD COLUMN created_by_id BIGINT;

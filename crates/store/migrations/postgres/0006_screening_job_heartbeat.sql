-- A running batch screening job writes its progress at least every few
-- seconds; a job silent for longer was interrupted (its node stopped) and is
-- reported as failed instead of "running" forever.
ALTER TABLE screening_jobs ADD COLUMN updated_at BIGINT;
UPDATE screening_jobs SET updated_at = created_at;

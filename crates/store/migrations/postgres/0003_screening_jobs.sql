-- Batch screening jobs started from the web page: progress is written here so
-- that any application node can show it, and the result CSV is kept for its
-- owner to download.

CREATE TABLE screening_jobs (
    id          TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    file_name   TEXT NOT NULL,
    status      TEXT NOT NULL,
    total       BIGINT,
    done        BIGINT NOT NULL DEFAULT 0,
    summary     TEXT,
    error       TEXT,
    result      TEXT,
    created_at  BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX screening_jobs_user ON screening_jobs(user_id, created_at);

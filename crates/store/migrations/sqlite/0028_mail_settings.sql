-- Each user's e-mail notices: where, how often (each notice as it comes,
-- or a daily digest) and in which language, and how far the mailer got
-- (the highest notification mailed, the UTC day of the last digest).
CREATE TABLE mail_settings (
    user_id              BIGINT PRIMARY KEY REFERENCES users(id),
    address              TEXT NOT NULL,
    mode                 TEXT NOT NULL,
    lang                 TEXT NOT NULL,
    last_notification_id BIGINT NOT NULL DEFAULT 0,
    last_digest_day      TEXT,
    updated_at           BIGINT NOT NULL
);

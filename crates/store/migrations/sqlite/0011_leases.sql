-- Leases: a named job that only one application node should run at a time
-- (the procedure clock's advance_due) is held by one node until it expires.
-- The holder renews it on every run; a node that stops loses it at expiry.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- The Joint Plan tracker's reporting: rounds, members' reports (every version
-- kept; a submitted version is never updated), evidence files, and the
-- register of national strategies. Documents are the plan crate's JSON.

CREATE TABLE plan_rounds (
    id          TEXT PRIMARY KEY,
    doc         TEXT NOT NULL,
    deadline    BIGINT NOT NULL,
    reminded_at BIGINT,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- One row per (round, member, commitment); `revision` is bumped by every
-- write, first thing in its transaction, which serializes writers and lets a
-- form that was read at an older revision be refused.
CREATE TABLE plan_reports (
    round_id      TEXT NOT NULL REFERENCES plan_rounds(id),
    member        TEXT NOT NULL,
    commitment_id TEXT NOT NULL REFERENCES plan_commitments(id),
    revision      BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (round_id, member, commitment_id)
);

CREATE TABLE plan_report_versions (
    round_id      TEXT NOT NULL,
    member        TEXT NOT NULL,
    commitment_id TEXT NOT NULL,
    number        BIGINT NOT NULL,
    doc           TEXT NOT NULL,
    submitted_at  BIGINT,
    PRIMARY KEY (round_id, member, commitment_id, number),
    FOREIGN KEY (round_id, member, commitment_id)
        REFERENCES plan_reports(round_id, member, commitment_id)
);

-- A submitted version is never changed or removed, whoever writes to the
-- database (the store already never tries).
CREATE TRIGGER plan_report_versions_submitted_no_update BEFORE UPDATE ON plan_report_versions
WHEN OLD.submitted_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a submitted report version cannot be changed'); END;
CREATE TRIGGER plan_report_versions_submitted_no_delete BEFORE DELETE ON plan_report_versions
WHEN OLD.submitted_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a submitted report version cannot be removed'); END;

CREATE TABLE plan_evidence_files (
    id           INTEGER PRIMARY KEY,
    round_id     TEXT NOT NULL REFERENCES plan_rounds(id),
    member       TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    added_by     TEXT NOT NULL,
    added_at     BIGINT NOT NULL
);
CREATE INDEX plan_evidence_files_sha ON plan_evidence_files(member, sha256);

CREATE TABLE plan_strategies (
    id         INTEGER PRIMARY KEY,
    member     TEXT NOT NULL,
    doc        TEXT NOT NULL,
    revision   BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX plan_strategies_member ON plan_strategies(member);

-- Notifications about a reporting round link to it.
ALTER TABLE notifications ADD COLUMN round_id TEXT;

-- The common list: subjects, proposals decided by the agreement procedure
-- (accord-procedure), their confidential statements of case and evidence,
-- immutable versions of the published list, in-application notifications,
-- delisting petitions and explicit, reversible merges of subjects.
-- JSON lives in TEXT columns; times are Unix milliseconds, dates ISO text.

-- One row: the number of the latest list version and the subject counter.
-- Adoptions update it first, which serializes them (the next version is built
-- from the subjects as every earlier adoption left them).
CREATE TABLE list_head (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL,
    subjects BIGINT NOT NULL
);
INSERT INTO list_head (id, version, subjects) VALUES (1, 0, 0);

CREATE TABLE list_subjects (
    id                  INTEGER PRIMARY KEY,
    public_id           TEXT NOT NULL UNIQUE,
    kind                TEXT NOT NULL,
    entry               TEXT NOT NULL,
    status              TEXT NOT NULL,
    narrative_summary   TEXT NOT NULL DEFAULT '',
    listed_on           TEXT,
    delisted_on         TEXT,
    last_reviewed_on    TEXT,
    review_requested_on TEXT,
    merged_into         BIGINT REFERENCES list_subjects(id),
    un_reference        TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX list_subjects_status ON list_subjects(status);

CREATE TABLE list_proposals (
    id                INTEGER PRIMARY KEY,
    subject_id        BIGINT NOT NULL REFERENCES list_subjects(id),
    kind              TEXT NOT NULL,
    proposer          TEXT NOT NULL,
    statement_of_case TEXT NOT NULL,
    statement_tlp     TEXT NOT NULL,
    narrative_summary TEXT NOT NULL,
    proposed_entry    TEXT,
    un_reference      TEXT,
    rule              TEXT NOT NULL,
    state             TEXT NOT NULL,
    status            TEXT NOT NULL,
    deadline          BIGINT NOT NULL,
    next_due          BIGINT,
    reminded_until    BIGINT NOT NULL,
    revision          BIGINT NOT NULL,
    petition_id       BIGINT,
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    closed_at         BIGINT
);
-- A subject never has two proposals running at once.
CREATE UNIQUE INDEX list_proposals_one_open ON list_proposals(subject_id) WHERE closed_at IS NULL;
CREATE INDEX list_proposals_due ON list_proposals(closed_at, next_due);

CREATE TABLE list_evidence (
    id           INTEGER PRIMARY KEY,
    proposal_id  BIGINT NOT NULL REFERENCES list_proposals(id),
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    added_by     TEXT NOT NULL,
    added_at     BIGINT NOT NULL
);
CREATE INDEX list_evidence_proposal ON list_evidence(proposal_id);

CREATE TABLE list_versions (
    version     BIGINT PRIMARY KEY,
    created_at  BIGINT NOT NULL,
    entry_count BIGINT NOT NULL,
    entries     TEXT NOT NULL,
    changes     TEXT NOT NULL,
    cause       TEXT NOT NULL,
    proposal_id BIGINT REFERENCES list_proposals(id),
    merge_id    BIGINT
);

CREATE TRIGGER list_versions_no_update BEFORE UPDATE ON list_versions
BEGIN SELECT RAISE(ABORT, 'list versions are immutable'); END;
CREATE TRIGGER list_versions_no_delete BEFORE DELETE ON list_versions
BEGIN SELECT RAISE(ABORT, 'list versions are immutable'); END;

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    recipient   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    text_key    TEXT NOT NULL,
    params      TEXT NOT NULL,
    proposal_id BIGINT REFERENCES list_proposals(id),
    subject_id  BIGINT REFERENCES list_subjects(id),
    created_at  BIGINT NOT NULL,
    read_at     BIGINT
);
CREATE INDEX notifications_recipient ON notifications(recipient, id);

CREATE TABLE delisting_petitions (
    id                 INTEGER PRIMARY KEY,
    tracking_number    TEXT NOT NULL UNIQUE,
    subject_id         BIGINT NOT NULL REFERENCES list_subjects(id),
    petitioner_name    TEXT NOT NULL,
    petitioner_contact TEXT NOT NULL,
    representative     BIGINT NOT NULL,
    grounds            TEXT NOT NULL,
    status             TEXT NOT NULL,
    ombudsperson_notes TEXT NOT NULL DEFAULT '',
    recommendation     TEXT,
    outcome            TEXT,
    proposal_id        BIGINT REFERENCES list_proposals(id),
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX delisting_petitions_status ON delisting_petitions(status, id);

CREATE TABLE subject_merges (
    id           INTEGER PRIMARY KEY,
    from_subject BIGINT NOT NULL REFERENCES list_subjects(id),
    into_subject BIGINT NOT NULL REFERENCES list_subjects(id),
    added_names  TEXT NOT NULL,
    reason       TEXT NOT NULL,
    merged_by    TEXT NOT NULL,
    merged_at    BIGINT NOT NULL,
    undone_by    TEXT,
    undone_at    BIGINT
);
CREATE INDEX subject_merges_from ON subject_merges(from_subject);

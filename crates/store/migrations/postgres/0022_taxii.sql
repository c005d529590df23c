-- TAXII 2.1 (issue 14): every version of every STIX object Accord serves,
-- in one order every node shares. Each write takes its numbers from
-- taxii_feed inside its transaction (under the row's lock), so "every
-- object after N" is exact on every node, and objects added in the same
-- millisecond are paged by number, never skipped or repeated.
CREATE TABLE taxii_feed (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    seq        BIGINT NOT NULL,
    -- date_added of the last object (ms): a node whose clock is behind
    -- never adds an object "before" one already served.
    last_added BIGINT NOT NULL
);
INSERT INTO taxii_feed (id, seq, last_added) VALUES (1, 0, 0);

CREATE TABLE taxii_objects (
    seq         BIGINT PRIMARY KEY,
    stix_id     TEXT NOT NULL,
    stix_type   TEXT NOT NULL,
    -- The version: `modified` (or `created`) in milliseconds.
    modified_ms BIGINT NOT NULL,
    date_added  BIGINT NOT NULL,
    is_first    BIGINT NOT NULL,
    is_last     BIGINT NOT NULL,
    revoked     BIGINT NOT NULL,
    -- What it was made from: 'meta', 'member:kaz', 'list', 'library:12'.
    source      TEXT NOT NULL,
    -- Its audience (accord_taxii::audience::StoredAudience).
    reach       TEXT NOT NULL,
    marking     TEXT NOT NULL,
    owner       TEXT,
    group_id    BIGINT,
    recipients  TEXT NOT NULL,
    body        TEXT NOT NULL,
    UNIQUE (stix_id, modified_ms)
);
CREATE INDEX taxii_objects_by_reach ON taxii_objects (reach, seq);
CREATE INDEX taxii_objects_by_owner ON taxii_objects (owner, seq);
CREATE INDEX taxii_objects_by_id ON taxii_objects (stix_id, seq);
CREATE INDEX taxii_objects_by_source ON taxii_objects (source, is_last);

-- How far each source has been projected ('library': its feed number,
-- 'list': the last published version).
CREATE TABLE taxii_sources (
    name    TEXT PRIMARY KEY,
    through BIGINT NOT NULL
);

-- The status resource of each POST (TAXII 2.1, 4.3).
CREATE TABLE taxii_status (
    id         TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    collection TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    body       TEXT NOT NULL
);

-- Objects received in an inbox and the draft each became: the same
-- object posted again makes no second draft.
CREATE TABLE taxii_received (
    stix_id  TEXT NOT NULL,
    modified TEXT NOT NULL,
    member   TEXT NOT NULL,
    item_id  BIGINT NOT NULL,
    PRIMARY KEY (stix_id, modified, member)
);
CREATE INDEX taxii_objects_by_group ON taxii_objects (group_id, seq);

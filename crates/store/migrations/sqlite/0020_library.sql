-- The knowledge library (accord-library): items, every version of them,
-- sharing groups, campaigns, attachments, counter-narratives' reach, and
-- the theme vocabulary. Every change of an item or a group takes the next
-- number of library_feed in its transaction, so each node's search index
-- follows "every change after N" exactly, whichever node wrote it.
CREATE TABLE library_feed (
    id  BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL
);
INSERT INTO library_feed (id, seq) VALUES (1, 0);

CREATE TABLE library_themes (
    slug     TEXT PRIMARY KEY,
    grp      TEXT NOT NULL,
    en       TEXT NOT NULL,
    ru       TEXT NOT NULL
);

CREATE TABLE sharing_groups (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    owner      TEXT,
    members    TEXT NOT NULL,
    users      TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE library_campaigns (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    starts      TEXT NOT NULL,
    ends        TEXT NOT NULL,
    owner       TEXT,
    partners    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL
);

-- The item's standing; its content is in its versions. pub_* describe the
-- last approved version: what readers see, and what `may_see` is asked with.
CREATE TABLE library_items (
    id                INTEGER PRIMARY KEY,
    slug              TEXT UNIQUE,
    kind              TEXT NOT NULL,
    status            TEXT NOT NULL,
    owner             TEXT,
    author_id         BIGINT,
    author            TEXT NOT NULL,
    latest_version    BIGINT NOT NULL,
    published_version BIGINT,
    pub_marking       TEXT,
    pub_shared        TEXT,
    campaign_id       BIGINT REFERENCES library_campaigns(id),
    note              TEXT,
    seq               BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE UNIQUE INDEX library_items_seq ON library_items(seq);
CREATE INDEX library_items_campaign ON library_items(campaign_id);

CREATE TABLE library_versions (
    item_id    BIGINT NOT NULL REFERENCES library_items(id),
    number     BIGINT NOT NULL,
    doc        TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (item_id, number)
);
-- A version, once written, is what it was: earlier versions stay readable.
CREATE TRIGGER library_versions_no_update BEFORE UPDATE ON library_versions
BEGIN SELECT RAISE(ABORT, 'a library version cannot be changed'); END;
CREATE TRIGGER library_versions_no_delete BEFORE DELETE ON library_versions
BEGIN SELECT RAISE(ABORT, 'a library version cannot be removed'); END;

CREATE TABLE library_attachments (
    id            INTEGER PRIMARY KEY,
    item_id       BIGINT NOT NULL REFERENCES library_items(id),
    since_version BIGINT NOT NULL,
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    bytes         BLOB NOT NULL,
    text          TEXT NOT NULL,
    added_by      TEXT NOT NULL,
    added_at      BIGINT NOT NULL
);
CREATE INDEX library_attachments_item ON library_attachments(item_id);

CREATE TABLE library_reach (
    item_id       BIGINT NOT NULL REFERENCES library_items(id),
    period_start  TEXT NOT NULL,
    period_end    TEXT NOT NULL,
    channel       TEXT NOT NULL,
    impressions   BIGINT NOT NULL,
    views         BIGINT NOT NULL,
    reactions     BIGINT NOT NULL,
    shares        BIGINT NOT NULL,
    comments      BIGINT NOT NULL,
    clicks        BIGINT NOT NULL,
    watch_seconds BIGINT,
    added_by      TEXT NOT NULL,
    added_at      BIGINT NOT NULL,
    PRIMARY KEY (item_id, period_start, channel)
);

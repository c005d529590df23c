-- Reference lists (UN Security Council Consolidated List, OFAC SDN...) that
-- members screen against. Every import that changes something is a new,
-- immutable version; its entries are kept as the formats layer's JSON.

CREATE TABLE reference_list_versions (
    id           INTEGER PRIMARY KEY,
    list         TEXT NOT NULL,
    version      BIGINT NOT NULL,
    source       TEXT NOT NULL,
    generated    TEXT,
    entry_count  BIGINT NOT NULL,
    imported_at  BIGINT NOT NULL,
    imported_by  TEXT NOT NULL,
    report       TEXT NOT NULL,
    UNIQUE (list, version)
);

CREATE TABLE reference_entries (
    version_id BIGINT NOT NULL REFERENCES reference_list_versions(id),
    reference  TEXT NOT NULL,
    entry      TEXT NOT NULL,
    PRIMARY KEY (version_id, reference)
);

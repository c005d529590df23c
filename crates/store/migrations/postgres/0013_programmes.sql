-- Capacity-building programmes (accord-programmes). `doc` holds the current
-- programme as the domain serializes it; every version, the first included,
-- is kept in programme_versions and never changed. `version` is the number
-- of the current one, bumped by every write (a form echoes it: a stale save
-- is refused). The IATI identifier is unique once set.
CREATE TABLE programmes (
    id              TEXT PRIMARY KEY,
    iati_identifier TEXT UNIQUE,
    version         BIGINT NOT NULL,
    doc             TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    updated_by      TEXT NOT NULL
);
CREATE TABLE programme_versions (
    programme_id TEXT NOT NULL REFERENCES programmes(id),
    number       BIGINT NOT NULL,
    doc          TEXT NOT NULL,
    PRIMARY KEY (programme_id, number)
);

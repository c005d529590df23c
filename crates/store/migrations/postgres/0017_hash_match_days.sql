-- How often each hash matched a platform's lookup, per day (UTC), for the
-- hash's page. Lookups are tallied in each node's memory and written here,
-- with one audit record per token per minute, by the node's flusher.
CREATE TABLE hash_match_days (
    hash_id BIGINT NOT NULL REFERENCES bank_hashes(id),
    -- YYYY-MM-DD
    day     TEXT NOT NULL,
    matches BIGINT NOT NULL,
    PRIMARY KEY (hash_id, day)
);

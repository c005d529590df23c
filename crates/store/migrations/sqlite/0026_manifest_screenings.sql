-- Manifest screenings (UN/EDIFACT PAXLST) as the border post keeps them
-- (docs/screening.md, "What is kept"): the flight, the totals and the
-- travellers who had a candidate, with their candidates, always; every
-- traveller only when `manifest_retention_days` is above 0, and then only
-- until `travellers_until`, when a sweep clears `travellers`. The JSON is
-- the API's own answer shape, cut down.
CREATE TABLE manifest_screenings (
    id               INTEGER PRIMARY KEY,
    user_id          BIGINT NOT NULL REFERENCES users(id),
    member           TEXT,
    created_at       BIGINT NOT NULL,
    flights          TEXT NOT NULL,
    traveller_count  BIGINT NOT NULL,
    with_hits        BIGINT NOT NULL,
    hits             TEXT NOT NULL,
    travellers       TEXT,
    travellers_until BIGINT
);
CREATE INDEX manifest_screenings_user ON manifest_screenings(user_id, created_at);
CREATE INDEX manifest_screenings_member ON manifest_screenings(member, created_at);

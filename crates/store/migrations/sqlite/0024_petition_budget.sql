-- Petitions from one client per day, counted so that a flood costs the
-- flooder (docs/security.md, "Floods and limits"). The client is not
-- stored in clear: `client` is the SHA-256 of the day and the client's
-- network (an IPv4 address, an IPv6 /64), and rows older than yesterday are
-- deleted by the next petition. The row `*` counts the whole platform's petitions of
-- the day, which decides whether the ombudsperson is still told of each.
-- The count is taken by one upsert with RETURNING, which takes SQLite's
-- write lock or PostgreSQL's row lock: concurrent petitions, on any node,
-- are counted one after another.
CREATE TABLE petition_budget (
    client TEXT NOT NULL,
    day    TEXT NOT NULL,
    filed  BIGINT NOT NULL,
    PRIMARY KEY (client, day)
);

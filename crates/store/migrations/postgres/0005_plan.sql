-- The Joint Plan tracker's frameworks and commitments, kept as the plan
-- crate's JSON documents with the columns needed to order and find them.

CREATE TABLE plan_frameworks (
    id         TEXT PRIMARY KEY,
    position   BIGINT NOT NULL,
    seeded     BIGINT NOT NULL,
    doc        TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE plan_commitments (
    id           TEXT PRIMARY KEY,
    framework_id TEXT NOT NULL REFERENCES plan_frameworks(id),
    position     BIGINT NOT NULL,
    seeded       BIGINT NOT NULL,
    doc          TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX plan_commitments_framework ON plan_commitments(framework_id, position);

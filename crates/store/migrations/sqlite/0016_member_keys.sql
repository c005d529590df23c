-- Member-signed decisions (accord-proof, docs/proof.md). Each member's
-- administrator registers the public half of the member's own minisign key;
-- the platform certifies it in the transparency log when it next seals. A
-- regional state's decision on a proposal is accepted only with a signature
-- by its member's key, valid at the decision's time, and is kept here as
-- signed (and logged) for the record of adoption.
CREATE TABLE member_keys (
    id          INTEGER PRIMARY KEY,
    member_code TEXT NOT NULL REFERENCES members(code),
    -- minisign's key id, 16 hex digits; a key belongs to one member, once.
    key_id      TEXT NOT NULL UNIQUE,
    -- minisign's public key, the base64 line.
    public_key  TEXT NOT NULL,
    -- Unix seconds: the key signs decisions made from valid_from until
    -- valid_until (exclusive), set when the member replaces the key.
    valid_from  BIGINT NOT NULL,
    valid_until BIGINT,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX member_keys_member ON member_keys(member_code);
-- One current key per member, whatever registrations race.
CREATE UNIQUE INDEX member_keys_one_current ON member_keys(member_code) WHERE valid_until IS NULL;

CREATE TABLE signed_decisions (
    id          INTEGER PRIMARY KEY,
    proposal_id BIGINT NOT NULL REFERENCES list_proposals(id),
    member_code TEXT NOT NULL,
    decision    TEXT NOT NULL,
    -- The signed decision (accord_proof::SignedDecision), JSON.
    signed      TEXT NOT NULL,
    -- SHA-256 of the signed bytes: a decision is recorded once, however
    -- often (and in whichever minisign form) it is signed (no replay).
    digest      TEXT NOT NULL UNIQUE,
    at          BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX signed_decisions_proposal ON signed_decisions(proposal_id);

CREATE TRIGGER signed_decisions_no_update BEFORE UPDATE ON signed_decisions
BEGIN SELECT RAISE(ABORT, 'signed decisions are immutable'); END;
CREATE TRIGGER signed_decisions_no_delete BEFORE DELETE ON signed_decisions
BEGIN SELECT RAISE(ABORT, 'signed decisions are immutable'); END;

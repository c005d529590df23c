-- The transparency log (accord-proof, docs/proof.md): every signed list
-- version record and audit checkpoint, in order, under one Merkle tree, and
-- the tree heads the platform signed. Append-only: triggers refuse UPDATE
-- and DELETE, as for audit_log. The signing key is never stored here.
CREATE TABLE transparency_entries (
    -- The entry's index in the log (0-based, contiguous).
    sequence     BIGINT PRIMARY KEY,
    -- list_version, audit_checkpoint, ...
    kind         TEXT NOT NULL,
    -- The entry's canonical JSON (RFC 8785 after NFC), the Merkle leaf data.
    entry        TEXT NOT NULL,
    -- SHA-256(0x00 || entry), hex.
    leaf_hash    TEXT NOT NULL,
    -- For a list version: its number; one entry per version.
    list_version BIGINT UNIQUE,
    created_at   BIGINT NOT NULL
);

CREATE TABLE transparency_heads (
    -- The log's size the head commits to; one head per size.
    size       BIGINT PRIMARY KEY,
    root       TEXT NOT NULL,
    -- The signed tree head (JSON).
    signed     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE FUNCTION transparency_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the transparency log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER transparency_entries_no_update BEFORE UPDATE ON transparency_entries
FOR EACH ROW EXECUTE FUNCTION transparency_append_only();
CREATE TRIGGER transparency_entries_no_delete BEFORE DELETE ON transparency_entries
FOR EACH ROW EXECUTE FUNCTION transparency_append_only();
CREATE TRIGGER transparency_heads_no_update BEFORE UPDATE ON transparency_heads
FOR EACH ROW EXECUTE FUNCTION transparency_append_only();
CREATE TRIGGER transparency_heads_no_delete BEFORE DELETE ON transparency_heads
FOR EACH ROW EXECUTE FUNCTION transparency_append_only();

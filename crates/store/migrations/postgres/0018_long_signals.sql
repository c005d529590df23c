-- A video's vPDQ hash is kilobytes of text (a PDQ hash a second), more than
-- a B-tree index entry may hold (about 2.7 kB), so the unique constraint on
-- (bank, type, signal) would refuse it. Uniqueness and the look-up by
-- signal go through hash indexes instead, which store only the value's
-- hash. (SQLite's indexes have no such limit.)
ALTER TABLE bank_hashes DROP CONSTRAINT bank_hashes_bank_id_signal_type_signal_key;
ALTER TABLE bank_hashes ADD CONSTRAINT bank_hashes_one_signal_per_bank
    EXCLUDE USING hash ((bank_id || ' ' || signal_type || ' ' || signal) WITH =);
CREATE INDEX bank_hashes_signal ON bank_hashes USING hash (signal);

-- API tokens get scopes (what they may be used for) and an expiry. Tokens
-- made before had neither: they keep every scope and expire 90 days from
-- this migration, so none lives on unbounded.
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'screen read write taxii hashes metrics';
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
UPDATE api_tokens SET expires_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 + 90 * 86400000;

-- The audit page filters by action and lists the actions the log holds:
-- an index on (action, seq) serves both without reading the whole log.
CREATE INDEX audit_log_action ON audit_log(action, seq);

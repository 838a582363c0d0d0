-- A read the gateway sent again (a late replica: the resend of an idempotent
-- request, docs/scaling.md) reached two replicas, and each wrote its audit
-- row: the log said the principal read the reader twice when they were
-- shown the data once. One request now writes one row per action, school,
-- readers and fields: the second replica's insert waits for the first's and
-- then does nothing (store_audit.c, ON CONFLICT DO NOTHING). Rows written
-- before this migration are left as they are (the log is append-only), so the
-- unique index covers the rows after them.
-- the readers and fields as one short key: a list of a thousand readers is
-- too long for a B-tree entry. IMMUTABLE: uuid[] and text[] print the same
-- whatever the session's settings (the casts are only marked STABLE).
CREATE FUNCTION pd_audit_key(readers uuid[], fields text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$ SELECT md5(readers::text || '|' || fields::text) $f$;

DO $$
BEGIN
    EXECUTE format('CREATE UNIQUE INDEX pd_audit_log_once ON pd_audit_log'
                   ' (request_id, action, school, pd_audit_key(reader_ids, fields))'
                   ' WHERE request_id IS NOT NULL AND seq > %s',
                   (SELECT coalesce(max(seq), 0) FROM pd_audit_log));
END $$;

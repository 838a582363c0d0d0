-- A MARC import can be cancelled (POST /api/v1/catalog/imports/{id}/cancel).
-- A queued job ends at once; a running one when each writer next looks,
-- before its next batch: every batch already committed stays (its records
-- are in the catalog and in import_records), none is half-written, and the
-- job ends as 'cancelled' with its counters so far.
ALTER TABLE imports DROP CONSTRAINT imports_status_check;
ALTER TABLE imports ADD CONSTRAINT imports_status_check
    CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled'));
ALTER TABLE imports ADD COLUMN cancel_requested_at timestamptz,
                    ADD COLUMN cancelled_by text;

-- the job's JSON (0013) with who asked to cancel it and when
ALTER FUNCTION import_json(imports, boolean) RENAME TO import_json_0013;
CREATE FUNCTION import_json(i imports, report boolean) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT import_json_0013(i, report) || jsonb_strip_nulls(jsonb_build_object(
        'cancel_requested_at', i.cancel_requested_at, 'cancelled_by', i.cancelled_by))
$$;

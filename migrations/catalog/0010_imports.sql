-- MARC import jobs: one row per uploaded file, the file itself in
-- import_files until the job is done. A job is read in segments (byte ranges
-- at record boundaries) by parallel writers of the catalog replica that
-- claimed it (advisory lock); each segment commits every batch of records
-- together with its own counters, report and resume point, so a restarted
-- service continues exactly where the last commit left and no two writers
-- ever update the same row.
CREATE TABLE imports (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    status      text NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'running', 'done', 'failed')),
    format      text NOT NULL CHECK (format IN ('rusmarc', 'marc21')),
    syntax      text NOT NULL CHECK (syntax IN ('iso2709', 'marcxml')),
    charset     text NOT NULL CHECK (charset IN ('utf-8', 'cp1251', 'marc-8')),
    school      text,                    -- whose holdings the file carries
    org         text NOT NULL,           -- organisation of the key that sent it
    principal   text NOT NULL DEFAULT '',
    size        bigint NOT NULL,
    expected    int,                     -- records in the file, once counted
    attempts    int NOT NULL DEFAULT 0,  -- times a job thread took it up
    error       text,                    -- why the job failed as a whole
    created_at  timestamptz NOT NULL DEFAULT now(),
    started_at  timestamptz,
    finished_at timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX imports_pending ON imports (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX imports_newest ON imports (created_at DESC, id DESC);
CREATE INDEX imports_org_newest ON imports (org, created_at DESC, id DESC);

CREATE TABLE import_files (
    import_id uuid PRIMARY KEY REFERENCES imports (id) ON DELETE CASCADE,
    data      bytea NOT NULL
);
-- stored as is: compressing 32 MB on arrival costs more than the space it saves
ALTER TABLE import_files ALTER COLUMN data SET STORAGE EXTERNAL;

-- A byte range of the file, read by one writer.
CREATE TABLE import_segments (
    import_id        uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    seg              int NOT NULL,
    start_offset     bigint NOT NULL,        -- first record of the segment
    end_offset       bigint NOT NULL,        -- where the next segment starts
    first_position   int NOT NULL,           -- records before the segment
    read             int NOT NULL DEFAULT 0, -- records read: the resume position
    next_offset      bigint NOT NULL,        -- ISO 2709: where the next record starts
    created          int NOT NULL DEFAULT 0,
    merged           int NOT NULL DEFAULT 0, -- attached to a record with the same ISBN
    failed           int NOT NULL DEFAULT 0,
    items_created    int NOT NULL DEFAULT 0,
    without_barcode  int NOT NULL DEFAULT 0, -- school given, record had no barcode
    holdings_ignored int NOT NULL DEFAULT 0, -- record had holdings, no school given
    warnings_total   int NOT NULL DEFAULT 0,
    errors           jsonb NOT NULL DEFAULT '[]', -- [{position, offset?, line?, reason}], capped
    warnings         jsonb NOT NULL DEFAULT '[]', -- the same shape, capped
    done             boolean NOT NULL DEFAULT false,
    PRIMARY KEY (import_id, seg)
);

-- wake the job threads when a job arrives (delivered at commit)
CREATE FUNCTION imports_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '_imports', NEW.id::text);
    RETURN NULL;
END $$;
CREATE TRIGGER imports_notify AFTER INSERT ON imports
    FOR EACH ROW EXECUTE FUNCTION imports_notify();

-- The source record of an imported record: records.marcxml (0001) keeps it;
-- marc_format says which MARC it is and marc_version the record's version it
-- matches (an edit through the API makes it stale: export then builds MARC21
-- from the fields). import_id names the job that created the record.
ALTER TABLE records
    ADD COLUMN marc_format text CHECK (marc_format IN ('rusmarc', 'marc21')),
    ADD COLUMN marc_version int,
    ADD COLUMN import_id uuid;

-- The public JSON of a job, its counters summed over its segments; with
-- report, its errors and warnings (the first 1000 of each, in file order).
CREATE FUNCTION import_json(i imports, report boolean) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', i.id, 'status', i.status, 'format', i.format, 'syntax', i.syntax,
        'charset', i.charset, 'school', i.school, 'org', i.org, 'size', i.size,
        'expected', i.expected, 'read', t.read, 'created', t.created, 'merged', t.merged,
        'failed', t.failed, 'items_created', t.items_created,
        'without_barcode', t.without_barcode, 'holdings_ignored', t.holdings_ignored,
        'warnings_total', t.warnings_total, 'segments', t.segments, 'attempts', i.attempts,
        'error', i.error, 'created_at', i.created_at, 'started_at', i.started_at,
        'finished_at', i.finished_at))
    || CASE WHEN report THEN jsonb_build_object(
           'errors', coalesce((SELECT jsonb_agg(e.v ORDER BY e.seg, e.n) FROM (
               SELECT s.seg, x.v, x.n FROM import_segments s,
                      jsonb_array_elements(s.errors) WITH ORDINALITY AS x(v, n)
               WHERE s.import_id = i.id ORDER BY s.seg, x.n LIMIT 1000) e), '[]'),
           'warnings', coalesce((SELECT jsonb_agg(w.v ORDER BY w.seg, w.n) FROM (
               SELECT s.seg, x.v, x.n FROM import_segments s,
                      jsonb_array_elements(s.warnings) WITH ORDINALITY AS x(v, n)
               WHERE s.import_id = i.id ORDER BY s.seg, x.n LIMIT 1000) w), '[]'),
           'errors_truncated', t.failed > 1000 OR t.errors_kept < t.failed,
           'warnings_truncated', t.warnings_total > 1000 OR t.warnings_kept < t.warnings_total)
       ELSE '{}'::jsonb END
    FROM (SELECT coalesce(sum(s.read), 0)::int AS read, coalesce(sum(s.created), 0)::int AS created,
                 coalesce(sum(s.merged), 0)::int AS merged, coalesce(sum(s.failed), 0)::int AS failed,
                 coalesce(sum(s.items_created), 0)::int AS items_created,
                 coalesce(sum(s.without_barcode), 0)::int AS without_barcode,
                 coalesce(sum(s.holdings_ignored), 0)::int AS holdings_ignored,
                 coalesce(sum(s.warnings_total), 0)::int AS warnings_total,
                 coalesce(sum(jsonb_array_length(s.errors)), 0)::int AS errors_kept,
                 coalesce(sum(jsonb_array_length(s.warnings)), 0)::int AS warnings_kept,
                 count(*)::int AS segments
          FROM import_segments s WHERE s.import_id = i.id) t
$$;

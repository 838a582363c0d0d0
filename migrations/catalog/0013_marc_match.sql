-- Idempotent MARC import (issue 13). A record that comes again is found, in
-- this order, by its ISBN, by its identity in the system it came from
-- (record_sources: 001 with its source 003, or a 035 system number), then by
-- a normalised key of title, first author, year and publisher
-- (records.match_key), and for a record too bare for a key, by identical MARC
-- seen before (record_sources "marc:<md5>"). Re-importing a file therefore creates nothing; each
-- record is reported unchanged, updated or merged with the rule that matched.

-- ё and е are one letter for every comparison the catalog makes
CREATE FUNCTION ru_fold(s text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT translate(s, 'ёЁ', 'еЕ') $$;

-- lower case, ё as е, letters and digits only, blanks collapsed
CREATE FUNCTION match_norm(s text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif(btrim(regexp_replace(lower(ru_fold(coalesce(s, ''))), '[^[:alnum:]]+', ' ', 'g')), '')
$$;

-- title | surname of the first author | year | publisher; NULL when the title
-- alone would be the key (too weak to call two records the same)
CREATE FUNCTION record_match_key(title text, authors text[], year int, publisher text)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN match_norm(title) IS NULL
                  OR (authors[1] IS NULL AND year IS NULL AND publisher IS NULL) THEN NULL
           ELSE md5(concat_ws('|', left(match_norm(title), 500),
                              match_norm(split_part(coalesce(authors[1], ''), ',', 1)),
                              year::text, match_norm(publisher))) END
$$;

ALTER TABLE records
    ADD COLUMN match_key text GENERATED ALWAYS AS
        (record_match_key(title, authors, year, publisher)) STORED,
    -- 880 fields of MARC21: the title and names in another script, for search
    ADD COLUMN alt_script text[] NOT NULL DEFAULT '{}';
-- (match_key, created_at): the oldest record of a key is one index entry away,
-- however many editions (with ISBNs) share the key
CREATE INDEX records_match_key ON records (match_key, created_at) WHERE match_key IS NOT NULL;

-- "001:<003>:<001>", "035:<system number>" or "marc:<md5 of the MARCXML>" ->
-- the record it became. owner: the record's fields came from this source (it
-- was created or updated from it), so a newer version of it updates the
-- record; otherwise the MARC only gave holdings to a record of another source.
CREATE TABLE record_sources (
    key       text PRIMARY KEY,
    record_id uuid NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    owner     boolean NOT NULL
);
CREATE INDEX record_sources_record ON record_sources (record_id);

-- what each imported record became, and by which rule it was matched
ALTER TABLE import_records DROP CONSTRAINT import_records_outcome_check;
ALTER TABLE import_records
    ADD CONSTRAINT import_records_outcome_check
        CHECK (outcome IN ('created', 'merged', 'unchanged', 'updated')),
    ADD COLUMN rule text CHECK (rule IN ('isbn', 'control_number', 'key', 'marc', 'file'));

ALTER TABLE import_segments
    ADD COLUMN unchanged      int NOT NULL DEFAULT 0,
    ADD COLUMN updated        int NOT NULL DEFAULT 0,
    ADD COLUMN seen_rusmarc   int NOT NULL DEFAULT 0, -- records read as RUSMARC/UNIMARC
    ADD COLUMN seen_marc21    int NOT NULL DEFAULT 0,
    ADD COLUMN by_isbn        int NOT NULL DEFAULT 0, -- matched an existing record by ...
    ADD COLUMN by_control     int NOT NULL DEFAULT 0,
    ADD COLUMN by_key         int NOT NULL DEFAULT 0,
    ADD COLUMN by_marc        int NOT NULL DEFAULT 0,
    ADD COLUMN by_file        int NOT NULL DEFAULT 0; -- ... or an earlier record of the file

CREATE OR REPLACE FUNCTION import_json(i imports, report boolean) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', i.id, 'status', i.status, 'format', i.format, 'syntax', i.syntax,
        'charset', i.charset, 'school', i.school, 'org', i.org, 'size', i.size,
        'expected', i.expected, 'read', t.read, 'created', t.created, 'merged', t.merged,
        'unchanged', t.unchanged, 'updated', t.updated,
        'failed', t.failed, 'items_created', t.items_created,
        'without_barcode', t.without_barcode, 'holdings_ignored', t.holdings_ignored,
        'warnings_total', t.warnings_total, 'segments', t.segments, 'attempts', i.attempts,
        'formats', jsonb_build_object('rusmarc', t.seen_rusmarc, 'marc21', t.seen_marc21),
        'matched', jsonb_build_object('isbn', t.by_isbn, 'control_number', t.by_control,
                                      'key', t.by_key, 'marc', t.by_marc, 'file', t.by_file),
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
                 coalesce(sum(s.unchanged), 0)::int AS unchanged,
                 coalesce(sum(s.updated), 0)::int AS updated,
                 coalesce(sum(s.items_created), 0)::int AS items_created,
                 coalesce(sum(s.without_barcode), 0)::int AS without_barcode,
                 coalesce(sum(s.holdings_ignored), 0)::int AS holdings_ignored,
                 coalesce(sum(s.warnings_total), 0)::int AS warnings_total,
                 coalesce(sum(s.seen_rusmarc), 0)::int AS seen_rusmarc,
                 coalesce(sum(s.seen_marc21), 0)::int AS seen_marc21,
                 coalesce(sum(s.by_isbn), 0)::int AS by_isbn,
                 coalesce(sum(s.by_control), 0)::int AS by_control,
                 coalesce(sum(s.by_key), 0)::int AS by_key,
                 coalesce(sum(s.by_marc), 0)::int AS by_marc,
                 coalesce(sum(s.by_file), 0)::int AS by_file,
                 coalesce(sum(jsonb_array_length(s.errors)), 0)::int AS errors_kept,
                 coalesce(sum(jsonb_array_length(s.warnings)), 0)::int AS warnings_kept,
                 count(*)::int AS segments
          FROM import_segments s WHERE s.import_id = i.id) t
$$;

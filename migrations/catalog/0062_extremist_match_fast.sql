-- Matching the federal list in the background, on a cheaper plan (issue 16).
--
-- Before: one statement probed the title trigram index for every entry
-- (30,000 entries x 100,000 records: 148 s, most of it in GIN scans of
-- common trigrams and similarity() over their many rows). Now an upload
-- stores the version and its entries and answers at once (matching
-- 'queued'); the catalog's job (services/catalog/extremist/extremist_job.c)
-- matches it in one transaction of its own connection: every match, the
-- decisions carried over, the blocks and matching 'done' are written
-- together, or nothing (a failed or interrupted run leaves no match).
--
-- The plan (extremist_match): a record is a candidate of an entry only
-- when it shares one of the entry's rare title words (a "token": the word's
-- first 6 letters, so that a case ending differs nothing; words of 1-2
-- letters and stop words are none). One pass over the catalog collects the
-- records' tokens that some entry has, and so every token's document
-- frequency; each entry takes its (up to) 3 rarest tokens found in at most
-- max_df records (0.1 % of the catalog, at least 50); similarity() and the
-- author bonus are computed on those pairs only, with the score, threshold
-- and "best 5" of before. An entry whose every token is common (or that has
-- none) is matched as before, through the trigram index. An exact title is
-- found by the token pass (the record has all the entry's tokens) or the
-- fallback. Not found any more: a record that shares no rare word intact
-- with the entry (every rare word of the title misspelt).

ALTER TABLE extremist_lists
    ADD COLUMN matching text NOT NULL DEFAULT 'done'
        CHECK (matching IN ('queued', 'running', 'done', 'failed')),
    ADD COLUMN matching_error text,
    ADD COLUMN matching_started timestamptz,
    ADD COLUMN matching_finished timestamptz,
    ADD COLUMN matching_stats jsonb;
ALTER TABLE extremist_lists ALTER COLUMN matching SET DEFAULT 'queued';
-- one version in matching at a time: two jobs never write one version, and
-- a version's carried-over decisions come from a matched one
CREATE UNIQUE INDEX extremist_lists_one_matching ON extremist_lists ((true))
    WHERE matching IN ('queued', 'running');

-- The tokens of a normalised title (see above).
CREATE FUNCTION title_tokens(t text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT left(w, 6)), '{}')
    FROM unnest(string_to_array(t, ' ')) w
    WHERE length(w) >= 3
      AND w <> ALL ('{для,как,что,или,при,под,над,без,это,его,она,они,все,так,том,the,and,of}')
$$;

-- The newest version whose matching is done: the one that blocks.
CREATE FUNCTION extremist_current() RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT id FROM extremist_lists WHERE matching = 'done' ORDER BY version DESC LIMIT 1
$$;

CREATE OR REPLACE FUNCTION extremist_list_json(l extremist_lists) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', l.id, 'version', l.version, 'format', l.format, 'encoding', l.encoding,
        'sha256', l.sha256, 'bytes', l.bytes, 'entries', l.entries, 'threshold', l.threshold,
        'uploaded_by', l.uploaded_by, 'uploaded_at', l.uploaded_at,
        'matching', jsonb_strip_nulls(jsonb_build_object(
            'state', l.matching, 'started_at', l.matching_started,
            'finished_at', l.matching_finished,
            'seconds', round(extract(epoch FROM coalesce(l.matching_finished, now())
                                                 - l.matching_started)::numeric, 3),
            'error', l.matching_error, 'stats', l.matching_stats)),
        'matches', (SELECT jsonb_build_object(
                        'candidate', count(*) FILTER (WHERE state = 'candidate'),
                        'confirmed', count(*) FILTER (WHERE state = 'confirmed'),
                        'rejected', count(*) FILTER (WHERE state = 'rejected'))
                    FROM extremist_matches m WHERE m.list_id = l.id))
$$;

-- Matches the entries of list p_list against every record (see above);
-- the number of matches written. Its figures go to the version's
-- matching_stats. Run inside the job's transaction.
CREATE OR REPLACE FUNCTION extremist_match(p_list uuid, p_threshold real) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    max_df int;
    st jsonb;
    t timestamptz := clock_timestamp();
    ms jsonb := '{}';
BEGIN
    PERFORM set_config('pg_trgm.similarity_threshold', p_threshold::text, true);
    SELECT greatest(50, (reltuples / 1000)::int) INTO max_df FROM pg_class
    WHERE oid = 'records'::regclass;
    IF to_regclass('pg_temp.em_et') IS NOT NULL THEN -- a second run in one transaction
        DROP TABLE em_et, em_rt, em_df, em_pick, em_fallback, em_cand;
    END IF;
    -- the entries' tokens
    CREATE TEMP TABLE em_et ON COMMIT DROP AS
        SELECT e.number, tok FROM extremist_entries e, unnest(title_tokens(e.title_key)) tok
        WHERE e.list_id = p_list;
    ANALYZE em_et;
    -- one pass over the catalog: the records' tokens that an entry has
    -- (title_tokens inline: a function call per record costs more than the scan)
    CREATE TEMP TABLE em_rt ON COMMIT DROP AS
        SELECT r.id, left(w, 6) AS tok
        FROM records r, unnest(string_to_array(title_norm(r.title), ' ')) w
        WHERE length(w) >= 3 AND left(w, 6) IN (SELECT tok FROM em_et);
    ms := ms || jsonb_build_object('scan', round(extract(epoch FROM clock_timestamp() - t) * 1000));
    t := clock_timestamp();
    CREATE TEMP TABLE em_df ON COMMIT DROP AS
        SELECT tok, count(*) AS df FROM em_rt GROUP BY tok; -- a word twice in a title: twice
    -- each entry's rarest tokens
    CREATE TEMP TABLE em_pick ON COMMIT DROP AS
        SELECT number, tok, df FROM (
            SELECT et.number, et.tok, d.df,
                   row_number() OVER (PARTITION BY et.number ORDER BY d.df, et.tok) AS k
            FROM em_et et JOIN em_df d USING (tok) WHERE d.df <= max_df) x
        WHERE k <= 3;
    -- the entries left to the trigram index: every token common, or none (a
    -- token in no record is rare: a record similar enough shares it, or
    -- another of the entry's rare tokens, unless all are misspelt)
    CREATE TEMP TABLE em_fallback ON COMMIT DROP AS
        SELECT e.number FROM extremist_entries e
        LEFT JOIN (SELECT et.number, bool_or(coalesce(d.df, 0) <= max_df) AS rare
                   FROM em_et et LEFT JOIN em_df d USING (tok) GROUP BY et.number) x
               USING (number)
        WHERE e.list_id = p_list AND e.title_key <> '' AND x.rare IS NOT TRUE;
    CREATE TEMP TABLE em_cand ON COMMIT DROP AS
        SELECT DISTINCT p.number, rt.id FROM em_pick p JOIN em_rt rt USING (tok);
    ANALYZE em_cand;
    ms := ms || jsonb_build_object('pairs', round(extract(epoch FROM clock_timestamp() - t) * 1000));
    t := clock_timestamp();
    INSERT INTO extremist_matches (list_id, number, record_id, score, title_score, author_hit)
    SELECT p_list, c.number, c.id,
           CASE WHEN c.has_authors THEN 0.8 * c.ts + CASE WHEN c.hit THEN 0.2 ELSE 0 END
                ELSE c.ts END,
           c.ts, c.hit
    FROM (
        SELECT b.number, b.id, b.ts, cardinality(r.authors) > 0 AS has_authors,
               EXISTS (SELECT 1 FROM unnest(r.authors) a
                       WHERE position(' ' || surname_norm(a) || ' ' IN ' ' || e.text_key || ' ') > 0)
                   AS hit
        FROM (SELECT s.*, row_number() OVER (PARTITION BY s.number ORDER BY s.ts DESC, s.id) AS k
              FROM (SELECT c.number, c.id, similarity(title_norm(r.title), e.title_key) AS ts
                    FROM em_cand c
                    JOIN extremist_entries e ON e.list_id = p_list AND e.number = c.number
                    JOIN records r ON r.id = c.id) s
              WHERE s.ts >= p_threshold) b
        JOIN extremist_entries e ON e.list_id = p_list AND e.number = b.number
        JOIN records r ON r.id = b.id
        WHERE b.k <= 5
        UNION ALL
        SELECT e.number, f.id, f.ts, cardinality(f.authors) > 0,
               EXISTS (SELECT 1 FROM unnest(f.authors) a
                       WHERE position(' ' || surname_norm(a) || ' ' IN ' ' || e.text_key || ' ') > 0)
        FROM em_fallback fb
        JOIN extremist_entries e ON e.list_id = p_list AND e.number = fb.number
        CROSS JOIN LATERAL (
            SELECT r.id, r.authors, similarity(title_norm(r.title), e.title_key) AS ts
            FROM records r WHERE title_norm(r.title) % e.title_key
            ORDER BY 3 DESC, r.id LIMIT 5) f) c;
    GET DIAGNOSTICS n = ROW_COUNT;
    ms := ms || jsonb_build_object('score', round(extract(epoch FROM clock_timestamp() - t) * 1000));
    st := jsonb_build_object(
        'max_df', max_df,
        'entry_tokens', (SELECT count(*) FROM em_et),
        'record_tokens', (SELECT count(*) FROM em_rt),
        'common_tokens', (SELECT count(*) FROM em_df WHERE df > max_df),
        'entries_by_tokens', (SELECT count(DISTINCT number) FROM em_pick),
        'entries_by_trigram_index', (SELECT count(*) FROM em_fallback),
        'pairs', (SELECT count(*) FROM em_cand),
        'matches', n, 'ms', ms);
    UPDATE extremist_lists SET matching_stats = st WHERE id = p_list;
    RETURN n;
END $$;

-- Recomputes extremist_blocked from the newest matched version's confirmed
-- matches (as 0060, but a version still matching blocks nothing yet).
CREATE OR REPLACE FUNCTION extremist_refresh_blocks() RETURNS jsonb LANGUAGE sql AS $$
    WITH want AS (
        SELECT DISTINCT ON (m.record_id) m.record_id, m.id AS match_id FROM extremist_matches m
        WHERE m.state = 'confirmed' AND m.list_id = extremist_current()
        ORDER BY m.record_id, m.number),
    d AS (DELETE FROM extremist_blocked b
          WHERE NOT EXISTS (SELECT 1 FROM want w WHERE w.record_id = b.record_id)
          RETURNING b.record_id),
    i AS (INSERT INTO extremist_blocked (record_id, match_id)
          SELECT record_id, match_id FROM want
          ON CONFLICT (record_id) DO UPDATE SET match_id = EXCLUDED.match_id
          RETURNING record_id, (xmax = 0) AS fresh)
    SELECT jsonb_build_object(
        'blocked', (SELECT coalesce(jsonb_agg(record_id ORDER BY record_id)
                                    FILTER (WHERE fresh), '[]') FROM i),
        'unblocked', (SELECT coalesce(jsonb_agg(record_id ORDER BY record_id), '[]') FROM d))
$$;

-- Stores a new version and its entries, matching 'queued', and wakes the
-- job (NOTIFY catalog_extremist). Refused (55P03, a 409) while another
-- version is being matched. Returns the version's JSON with "changes"
-- against the newest matched version.
CREATE OR REPLACE FUNCTION extremist_list_upload(p_meta jsonb, p_entries jsonb, p_by text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    lst extremist_lists;
    prev uuid;
    busy int;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('catalog.extremist_lists')); -- versions in turn
    SELECT version INTO busy FROM extremist_lists WHERE matching IN ('queued', 'running');
    IF FOUND THEN
        RAISE EXCEPTION 'version % of the list is still being matched; send the next one when '
                        'its matching is done', busy USING ERRCODE = '55P03';
    END IF;
    prev := extremist_current();
    INSERT INTO extremist_lists (version, format, encoding, sha256, bytes, entries, threshold,
                                 uploaded_by)
    VALUES ((SELECT coalesce(max(version), 0) + 1 FROM extremist_lists), p_meta->>'format',
            p_meta->>'encoding', p_meta->>'sha256', (p_meta->>'bytes')::bigint,
            jsonb_array_length(p_entries), (p_meta->>'threshold')::real, p_by)
    RETURNING * INTO lst;
    INSERT INTO extremist_entries (list_id, number, text, description, court, title_key, text_key)
    SELECT lst.id, (x->>'number')::int, x->>'text', x->>'description', x->>'court',
           coalesce(title_norm(x->>'title'), title_norm(x->>'description'), ''),
           coalesce(title_norm(x->>'description'), '')
    FROM jsonb_array_elements(p_entries) x;
    PERFORM pg_notify('catalog_extremist', lst.id::text);
    RETURN extremist_list_json(lst)
        || jsonb_build_object('previous_id', prev, 'changes', extremist_changes(prev, lst.id, 0));
END $$;

-- The job's run of version p_list (queued or running; NULL when it is
-- neither): matches it, carries the decisions of the newest matched version
-- over to the same entry text and record, refreshes the blocks, marks it
-- done. Returns the version's JSON with "changes" and "blocks".
CREATE FUNCTION extremist_match_run(p_list uuid) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    lst extremist_lists;
    prev uuid;
    blocks jsonb;
BEGIN
    SELECT * INTO lst FROM extremist_lists WHERE id = p_list AND matching IN ('queued', 'running');
    IF NOT FOUND THEN RETURN NULL; END IF;
    prev := extremist_current();
    DELETE FROM extremist_matches WHERE list_id = p_list; -- none: a failed run wrote nothing
    PERFORM extremist_match(lst.id, lst.threshold);
    IF prev IS NOT NULL THEN
        WITH carried AS (
            UPDATE extremist_matches m
            SET state = o.state, reviewed_by = o.reviewed_by, reviewed_at = o.reviewed_at,
                note = o.note
            FROM extremist_entries ne, extremist_entries oe, extremist_matches o
            WHERE m.list_id = lst.id AND ne.list_id = lst.id AND ne.number = m.number
              AND oe.list_id = prev AND oe.text_key = ne.text_key
              AND o.list_id = prev AND o.number = oe.number AND o.record_id = m.record_id
              AND o.state <> 'candidate'
            RETURNING m.id, m.state)
        INSERT INTO extremist_reviews (match_id, state, principal, note)
        SELECT id, state, lst.uploaded_by, 'carried over from the previous version' FROM carried;
    END IF;
    UPDATE extremist_lists SET matching = 'done', matching_finished = clock_timestamp(),
                               matching_error = NULL
    WHERE id = p_list RETURNING * INTO lst;
    blocks := extremist_refresh_blocks();
    RETURN extremist_list_json(lst)
        || jsonb_build_object('previous_id', prev, 'changes', extremist_changes(prev, lst.id, 0),
                              'blocks', blocks);
END $$;

-- The federal list of extremist materials (issue 16): each upload of the
-- list is a version with its numbered entries; the entries are matched
-- against the catalog by trigram similarity of normalised titles (pg_trgm,
-- one set-based statement over a GIN index) and by the authors' surnames;
-- an admin confirms or rejects each candidate. A record with a confirmed
-- match in the newest version is blocked: not lent, not shown to schools.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

-- match_norm (0013) of built-in functions only: an index expression is
-- also evaluated by sessions with another search_path (autovacuum's ANALYZE,
-- an operator's psql), where match_norm's call of ru_fold is not found.
-- Lower case, ё as е, letters and digits only, blanks collapsed.
CREATE FUNCTION title_norm(s text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif(btrim(regexp_replace(lower(translate(coalesce(s, ''), 'ёЁ', 'еЕ')),
                                       '[^[:alnum:]]+', ' ', 'g')), '')
$$;

-- the normalised title of every record, as the list's titles are compared
CREATE INDEX records_match_title_trgm ON records USING gin (title_norm(title) gin_trgm_ops);

-- a name's surname for matching: the first normalised word that is no
-- initial ("Иванов И.И." → "иванов", "И. И. Иванов" → "иванов")
CREATE FUNCTION surname_norm(s text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT w FROM regexp_split_to_table(title_norm(s), ' ') WITH ORDINALITY t(w, n)
    WHERE length(w) > 1 ORDER BY n LIMIT 1
$$;

CREATE TABLE extremist_lists (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    version     int NOT NULL UNIQUE CHECK (version > 0),
    format      text NOT NULL CHECK (format IN ('text', 'html', 'csv')),
    encoding    text NOT NULL CHECK (encoding IN ('utf-8', 'windows-1251')),
    sha256      text NOT NULL,
    bytes       bigint NOT NULL,
    entries     int NOT NULL,
    threshold   real NOT NULL,
    uploaded_by text NOT NULL,
    uploaded_at timestamptz NOT NULL DEFAULT now()
);

-- one numbered entry of a version: its text as published, the description
-- (the text without the court's decision), the decision, and the keys
CREATE TABLE extremist_entries (
    list_id     uuid NOT NULL REFERENCES extremist_lists (id) ON DELETE CASCADE,
    number      int NOT NULL CHECK (number > 0),
    text        text NOT NULL,
    description text NOT NULL,
    court       text,
    title_key   text NOT NULL, -- title_norm of the quoted title, else of the description
    text_key    text NOT NULL, -- title_norm of the description: the entry across versions
    PRIMARY KEY (list_id, number)
);
CREATE INDEX extremist_entries_key ON extremist_entries (text_key);

CREATE TABLE extremist_matches (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    list_id     uuid NOT NULL,
    number      int NOT NULL,
    record_id   uuid NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    score       real NOT NULL,
    title_score real NOT NULL,
    author_hit  boolean NOT NULL,
    state       text NOT NULL DEFAULT 'candidate'
                CHECK (state IN ('candidate', 'confirmed', 'rejected')),
    reviewed_by text,
    reviewed_at timestamptz,
    note        text CHECK (length(note) <= 2000),
    FOREIGN KEY (list_id, number) REFERENCES extremist_entries ON DELETE CASCADE,
    UNIQUE (list_id, number, record_id)
);
CREATE INDEX extremist_matches_review ON extremist_matches (list_id, state, score DESC);
CREATE INDEX extremist_matches_record ON extremist_matches (record_id) WHERE state = 'confirmed';

-- every decision, who and when (a carried-over decision is logged too)
CREATE TABLE extremist_reviews (
    id         bigserial PRIMARY KEY,
    match_id   uuid NOT NULL REFERENCES extremist_matches (id) ON DELETE CASCADE,
    state      text NOT NULL CHECK (state IN ('confirmed', 'rejected')),
    principal  text NOT NULL,
    note       text,
    at         timestamptz NOT NULL DEFAULT now()
);

-- the blocked records: a confirmed match in the newest version (kept by
-- extremist_refresh_blocks so that search and checkout read one index)
CREATE TABLE extremist_blocked (
    record_id uuid PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    match_id  uuid NOT NULL REFERENCES extremist_matches (id) ON DELETE CASCADE,
    since     timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION extremist_match_json(m extremist_matches) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', m.id, 'list_id', m.list_id, 'list_version', l.version, 'entry_number', m.number,
        'entry_text', e.text, 'court', e.court, 'record_id', m.record_id,
        'record', jsonb_build_object('title', r.title, 'authors', to_jsonb(r.authors),
                                     'year', r.year, 'publisher', r.publisher),
        'score', round(m.score::numeric, 3), 'title_score', round(m.title_score::numeric, 3),
        'author_match', m.author_hit, 'state', m.state, 'reviewed_by', m.reviewed_by,
        'reviewed_at', m.reviewed_at, 'note', m.note))
    FROM extremist_lists l, extremist_entries e, records r
    WHERE l.id = m.list_id AND e.list_id = m.list_id AND e.number = m.number
      AND r.id = m.record_id
$$;

CREATE FUNCTION extremist_list_json(l extremist_lists) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', l.id, 'version', l.version, 'format', l.format, 'encoding', l.encoding,
        'sha256', l.sha256, 'bytes', l.bytes, 'entries', l.entries, 'threshold', l.threshold,
        'uploaded_by', l.uploaded_by, 'uploaded_at', l.uploaded_at,
        'matches', (SELECT jsonb_build_object(
                        'candidate', count(*) FILTER (WHERE state = 'candidate'),
                        'confirmed', count(*) FILTER (WHERE state = 'confirmed'),
                        'rejected', count(*) FILTER (WHERE state = 'rejected'))
                    FROM extremist_matches m WHERE m.list_id = l.id))
$$;

-- Matches the entries of list p_list against every record: one statement,
-- for each entry the trigram GIN index on title_norm(title) finds the
-- records whose title is similar above the threshold (the best 5 kept);
-- an author's surname found in the entry's text adds to the score.
CREATE FUNCTION extremist_match(p_list uuid, p_threshold real) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    PERFORM set_config('pg_trgm.similarity_threshold', p_threshold::text, true);
    INSERT INTO extremist_matches (list_id, number, record_id, score, title_score, author_hit)
    SELECT e.list_id, e.number, c.id,
           CASE WHEN c.has_authors THEN 0.8 * c.ts + CASE WHEN c.hit THEN 0.2 ELSE 0 END
                ELSE c.ts END,
           c.ts, c.hit
    FROM extremist_entries e
    CROSS JOIN LATERAL (
        SELECT r.id, similarity(title_norm(r.title), e.title_key) AS ts,
               cardinality(r.authors) > 0 AS has_authors,
               EXISTS (SELECT 1 FROM unnest(r.authors) a
                       WHERE position(' ' || surname_norm(a) || ' ' IN ' ' || e.text_key || ' ') > 0)
                   AS hit
        FROM records r
        WHERE title_norm(r.title) % e.title_key
        ORDER BY 2 DESC LIMIT 5) c
    WHERE e.list_id = p_list;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

-- Recomputes extremist_blocked from the newest version's confirmed matches.
-- Returns {"blocked": [record ids newly blocked], "unblocked": [...]}.
CREATE FUNCTION extremist_refresh_blocks() RETURNS jsonb LANGUAGE sql AS $$
    WITH want AS (
        SELECT DISTINCT ON (m.record_id) m.record_id, m.id AS match_id FROM extremist_matches m
        WHERE m.state = 'confirmed'
          AND m.list_id = (SELECT id FROM extremist_lists ORDER BY version DESC LIMIT 1)
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

-- Stores a new version (p_meta: format, encoding, sha256, bytes, threshold;
-- p_entries: [{number, text, description, court, title}]), matches it,
-- carries the decisions of the previous version over to the same entry
-- text and record, and refreshes the blocks. Returns the version's JSON
-- with "changes" (added/removed against the previous version) and "blocks".
CREATE FUNCTION extremist_list_upload(p_meta jsonb, p_entries jsonb, p_by text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    lst extremist_lists;
    prev uuid;
    blocks jsonb;
BEGIN
    LOCK TABLE extremist_lists IN SHARE ROW EXCLUSIVE MODE; -- versions are numbered in turn
    SELECT id INTO prev FROM extremist_lists ORDER BY version DESC LIMIT 1;
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
        SELECT id, state, p_by, 'carried over from the previous version' FROM carried;
    END IF;
    blocks := extremist_refresh_blocks();
    RETURN extremist_list_json(lst)
        || jsonb_build_object('previous_id', prev, 'changes', extremist_changes(prev, lst.id, 0),
                              'blocks', blocks);
END $$;

-- The entries of version b that a does not have (added) and those of a
-- that b lost (removed), compared by their normalised description; the
-- first p_limit of each (0: counts only).
CREATE FUNCTION extremist_changes(a uuid, b uuid, p_limit int) RETURNS jsonb LANGUAGE sql STABLE AS $$
    WITH added AS (
        SELECT e.number, e.text FROM extremist_entries e WHERE e.list_id = b
          AND NOT EXISTS (SELECT 1 FROM extremist_entries o WHERE o.list_id = a
                          AND o.text_key = e.text_key)),
    removed AS (
        SELECT e.number, e.text FROM extremist_entries e WHERE e.list_id = a
          AND NOT EXISTS (SELECT 1 FROM extremist_entries o WHERE o.list_id = b
                          AND o.text_key = e.text_key))
    SELECT jsonb_build_object(
        'added_count', (SELECT count(*) FROM added),
        'removed_count', (SELECT count(*) FROM removed),
        'added', (SELECT coalesce(jsonb_agg(jsonb_build_object('number', number, 'text', text)
                                            ORDER BY number), '[]')
                  FROM (SELECT * FROM added ORDER BY number LIMIT p_limit) x),
        'removed', (SELECT coalesce(jsonb_agg(jsonb_build_object('number', number, 'text', text)
                                              ORDER BY number), '[]')
                    FROM (SELECT * FROM removed ORDER BY number LIMIT p_limit) x))
$$;

-- Confirms or rejects a match; logs who and when. Returns the match with
-- "blocks" ({blocked, unblocked}); NULL when no match has the id.
CREATE FUNCTION extremist_review(p_id uuid, p_state text, p_note text, p_by text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE m extremist_matches; blocks jsonb;
BEGIN
    UPDATE extremist_matches SET state = p_state, reviewed_by = p_by, reviewed_at = now(),
                                 note = p_note
    WHERE id = p_id RETURNING * INTO m;
    IF NOT FOUND THEN RETURN NULL; END IF;
    INSERT INTO extremist_reviews (match_id, state, principal, note)
    VALUES (p_id, p_state, p_by, p_note);
    blocks := extremist_refresh_blocks();
    RETURN extremist_match_json(m) || jsonb_build_object('blocks', blocks);
END $$;

-- A result set of one word, or of one word truncated on the right, is read
-- from the walk index in id order and counted exactly only up to a cap that
-- the caller gives (the Z39.50/SRU server: IBC_Z3950_EXACT_HITS); beyond it
-- the count is estimated and said to be one. Before, find_word_page (0072)
-- counted every posting of the word: 10.4 of the 12.7 ms of «история» as a
-- title (61,945 postings on 1,000,000 records; the index-only scan reads a
-- visibility map page for nearly every posting, 45,169 buffers), and a
-- truncated word went through find_prefix_ids (0073): DISTINCT, sort and
-- count of every hit.
--
-- The estimate: record ids are random (gen_random_uuid, version 4), so the
-- ids of the hits are spread evenly over the id space. The stream is read in
-- id order up to L = max(exact, off + lim) hits and one more; when there is
-- one more, the L-th id lies at the fraction u of the id space (its first 48
-- bits) and the count is about L / u (the L-th of N even points lies near
-- L / N), within about 1 / sqrt(L) of the truth: ±2 % for L = 2,000. Z39.50
-- says so with resultSetStatus estimate, SRU with resultCountPrecision.
--
-- Up to eight lexemes (a word's spellings, or the lexemes of a prefix) are
-- merged: each rank of each lexeme is one range of the walk index in id
-- order (find_walk, 0072), a Merge Append of the 32 ranges gives them in id
-- order, Unique takes a record under two lexemes once, and the LIMIT stops
-- the scan. A word with more spellings, or a prefix with more lexemes,
-- takes the general way (SQL NULL): exact, as before. find_word_page stays
-- for a catalog replica of the previous version during a rolling upgrade;
-- nothing of this version calls it.

-- the fraction of the id space below id (its first 48 bits), in [0, 1)
CREATE FUNCTION find_id_fraction(id uuid) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ('x' || translate(left(id::text, 13), '-', ''))::bit(48)::bigint / 281474976710656.0
$$;

-- {total, estimated, ids}: the ids from off + 1 to off + lim of the records
-- under any of the lexemes ls (at most eight) in a rank up to top and in
-- one of places (with yr, of that year), in id order; total exact up to
-- max(exact, off + lim), estimated beyond. Blocked records are left out.
CREATE FUNCTION find_merge_page(ls text[], places int, off bigint, lim int, yr int, exact int)
    RETURNS json
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET max_parallel_workers_per_gather = 0 SET enable_hashagg = off AS $$
DECLARE
    top smallint := find_top_rank(places);
    l bigint := greatest(exact, off + lim);
    n bigint;
    last uuid;
    ids json;
BEGIN
    IF cardinality(ls) > 8 THEN
        RAISE EXCEPTION 'find_merge_page takes at most eight lexemes';
    END IF;
    SELECT count(*), (array_agg(s.id) FILTER (WHERE s.n = l))[1],
           coalesce(json_agg(s.id ORDER BY s.n) FILTER (WHERE s.n > off AND s.n <= off + lim), '[]')
      INTO n, last, ids
      FROM (SELECT e.id, row_number() OVER (ORDER BY e.id) AS n FROM (
        SELECT d.id FROM (SELECT DISTINCT u.id FROM (
                      (SELECT id FROM find_walk(ls[1], 0, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[1], 1, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[1], 2, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[1], 3, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[2], 0, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[2], 1, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[2], 2, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[2], 3, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[3], 0, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[3], 1, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[3], 2, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[3], 3, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[4], 0, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[4], 1, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[4], 2, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[4], 3, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[5], 0, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[5], 1, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[5], 2, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[5], 3, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[6], 0, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[6], 1, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[6], 2, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[6], 3, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[7], 0, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[7], 1, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[7], 2, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[7], 3, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[8], 0, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[8], 1, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[8], 2, top, places, yr))
            UNION ALL (SELECT id FROM find_walk(ls[8], 3, top, places, yr))) u
          ORDER BY u.id OFFSET 0) d
        WHERE d.id NOT IN (SELECT x.record_id FROM extremist_blocked x)
        ORDER BY d.id LIMIT l + 1) e) s;
    IF n <= l THEN
        RETURN json_build_object('total', n, 'estimated', false, 'ids', ids);
    END IF;
    RETURN json_build_object('total', least(2147483647, greatest(l + 1,
                                   round(l / greatest(find_id_fraction(last), 1e-12))))::bigint,
                             'estimated', true, 'ids', ids);
END $$;

-- The page of a lone word (prefix false: its spellings with postings, at
-- most eight) or of a word truncated on the right (prefix true: the lexemes
-- that begin with it, found by a skip over the walk index as in 0073, at
-- most eight), as find_merge_page answers; NULL when q is not one word or
-- has more lexemes, or (a prefix) the database's collation does not order
-- the index by code point.
CREATE FUNCTION find_page(q text, places int, off bigint, lim int, yr int, prefix bool, exact int)
    RETURNS json
    LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    words text[];
    w text;
    ls text[];
BEGIN
    IF NOT prefix THEN
        words := find_words(q);
        IF cardinality(words) <> 1 THEN
            RETURN NULL;
        END IF;
        ls := find_spellings(words[1]);
    ELSE
        words := ARRAY(SELECT t.w FROM regexp_split_to_table(lower(ru_fold(q)), '[^[:alnum:]]+') AS t(w)
                       WHERE t.w <> '');
        IF cardinality(words) <> 1 OR (SELECT datcollate FROM pg_database
                                       WHERE datname = current_database())
                                      NOT IN ('C', 'POSIX', 'C.UTF-8', 'C.utf8') THEN
            RETURN NULL;
        END IF;
        w := words[1];
        ls := ARRAY(WITH RECURSIVE s(l) AS (
            SELECT min(p.lexeme) FROM search_postings p
             WHERE p.lexeme >= w AND p.lexeme < w || chr(1114111)
            UNION ALL
            SELECT (SELECT min(p.lexeme) FROM search_postings p
                     WHERE p.lexeme > s.l AND p.lexeme < w || chr(1114111))
            FROM s WHERE s.l IS NOT NULL) SELECT s.l FROM s WHERE s.l IS NOT NULL LIMIT 9);
    END IF;
    IF cardinality(ls) > 8 THEN
        RETURN NULL;
    ELSIF cardinality(ls) = 0 THEN
        RETURN json_build_object('total', 0, 'estimated', false, 'ids', '[]'::json);
    END IF;
    RETURN find_merge_page(ls, places, off, lim, yr, exact);
END $$;

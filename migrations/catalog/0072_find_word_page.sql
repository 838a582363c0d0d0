-- A search of one whole word (Z39.50 @attr 1=4 "история", CQL dc.title =
-- история), the commonest search copy cataloguing sends, as a page of ids
-- in id order straight from the walk index (lexeme, rank, record_id): within
-- one rank the index holds a word's records in id order, so the ranks the
-- index's places allow are merged (Merge Append) and the page's LIMIT stops
-- the scan; the total counts the same range from the index alone. Before,
-- every hit went through find_ids into a materialized set, then a sort for
-- the page and a count: 47 ms for «история» (61,412 titles on 1,000,000
-- records) against 10 ms now. For a word whose spellings with postings (its
-- stem, the word as written) are one or two, the ranges of both are merged
-- and a record under both counted once; NULL for anything else, and
-- records.find takes the general way (find_ids). Blocked records are left
-- out as there.
CREATE FUNCTION find_words(q text) RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT t.w FROM regexp_split_to_table(lower(ru_fold(q)), '[^[:alnum:]]+') AS t(w)
                 WHERE t.w <> '' AND numnode(plainto_tsquery('russian', t.w)) > 0)
$$;

-- the lexemes a word may be indexed under (stem, as written) that have postings
CREATE FUNCTION find_spellings(w text) RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT l FROM (SELECT unnest(tsvector_to_array(to_tsvector('russian', w)))
                                UNION SELECT unnest(tsvector_to_array(to_tsvector('simple', w)))) s(l)
                 WHERE EXISTS (SELECT 1 FROM search_postings p WHERE p.lexeme = s.l))
$$;

CREATE OR REPLACE FUNCTION find_ids(q text, places int) RETURNS SETOF uuid
    LANGUAGE plpgsql STABLE PARALLEL SAFE ROWS 2000 AS $$
DECLARE
    words text[] := find_words(q);
    ls text[];
    ids uuid[];
    top smallint := find_top_rank(places);
    last int := cardinality(words);
BEGIN
    FOR i IN 1 .. last LOOP
        ls := find_spellings(words[i]);
        IF cardinality(ls) = 0 THEN
            RETURN;
        ELSIF i = last AND cardinality(ls) = 1 THEN
            RETURN QUERY SELECT p.record_id FROM search_postings p
                WHERE p.lexeme = ls[1] AND p.rank <= top AND p.places & find_ids.places <> 0
                  AND (ids IS NULL OR p.record_id IN (SELECT unnest(ids)));
            RETURN;
        END IF;
        ids := ARRAY(SELECT DISTINCT p.record_id FROM search_postings p
                     WHERE p.lexeme = ANY (ls) AND p.rank <= top AND p.places & find_ids.places <> 0
                       AND (ids IS NULL OR p.record_id IN (SELECT unnest(ids))));
        EXIT WHEN cardinality(ids) = 0;
    END LOOP;
    RETURN QUERY SELECT unnest(ids);
END $$;

-- One rank of one spelling's postings in id order (with yr, of that year),
-- none when the rank is above top or there is no spelling (l NULL): inlined
-- into find_word_page's statement, where the walk index gives each in order
-- and a Merge Append merges them. (The tests of r and l stay inside, so that
-- the planner still knows each branch's order.)
CREATE FUNCTION find_walk(l text, r int, top int, places int, yr int) RETURNS TABLE (id uuid)
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT p.record_id FROM search_postings p
     WHERE r <= top AND p.lexeme = l AND p.rank = r AND p.places & find_walk.places <> 0
       AND (yr IS NULL OR p.year = yr)
     ORDER BY p.record_id
$$;

-- {total, ids}: the ids from off + 1 to off + lim in id order, as records.find
-- answers a Z39.50 result set; NULL when q is not one word, or has more than
-- two spellings with postings. With yr, only records of that year (title AND
-- year, the other common copy-cataloguing search): the postings carry the
-- record's year in the walk index, so that is a filter on the same ranges
-- instead of an INTERSECT of all the word's hits with all the year's.
-- Parallel workers are off: on a loaded server they cost more than they
-- give (a count of 158,311 postings took 78-122 ms with two workers, 26 ms
-- without).
CREATE FUNCTION find_word_page(q text, places int, off bigint, lim int, yr int DEFAULT NULL)
    RETURNS json
    LANGUAGE plpgsql STABLE PARALLEL SAFE SET max_parallel_workers_per_gather = 0 AS $$
DECLARE
    words text[] := find_words(q);
    ls text[];
    top smallint := find_top_rank(places);
    total bigint;
BEGIN
    IF cardinality(words) <> 1 THEN
        RETURN NULL;
    END IF;
    ls := find_spellings(words[1]);
    IF cardinality(ls) > 2 THEN
        RETURN NULL;
    ELSIF cardinality(ls) = 0 THEN
        RETURN json_build_object('total', 0, 'ids', '[]'::json);
    ELSIF cardinality(ls) = 1 THEN -- the index alone, no DISTINCT
        total := (SELECT count(*) FROM search_postings p
                  WHERE p.lexeme = ls[1] AND p.rank <= top
                    AND p.places & find_word_page.places <> 0 AND (yr IS NULL OR p.year = yr)
                    AND p.record_id NOT IN (SELECT x.record_id FROM extremist_blocked x));
    ELSE
        total := (SELECT count(DISTINCT p.record_id) FROM search_postings p
                  WHERE p.lexeme = ANY (ls) AND p.rank <= top
                    AND p.places & find_word_page.places <> 0 AND (yr IS NULL OR p.year = yr)
                    AND p.record_id NOT IN (SELECT x.record_id FROM extremist_blocked x));
    END IF;
    -- each branch is one rank of one spelling (s), in id order (ls[2] is NULL
    -- when there is one); a record of the second spelling is left out when
    -- the first has it (no DISTINCT: it would read every hit before returning
    -- the first)
    RETURN json_build_object('total', total, 'ids', coalesce((SELECT json_agg(w.id ORDER BY w.id) FROM (
        SELECT u.id FROM (
                      (SELECT id, 1 AS s FROM find_walk(ls[1], 0, top, places, yr))
            UNION ALL (SELECT id, 1 FROM find_walk(ls[1], 1, top, places, yr))
            UNION ALL (SELECT id, 1 FROM find_walk(ls[1], 2, top, places, yr))
            UNION ALL (SELECT id, 1 FROM find_walk(ls[1], 3, top, places, yr))
            UNION ALL (SELECT id, 2 FROM find_walk(ls[2], 0, top, places, yr))
            UNION ALL (SELECT id, 2 FROM find_walk(ls[2], 1, top, places, yr))
            UNION ALL (SELECT id, 2 FROM find_walk(ls[2], 2, top, places, yr))
            UNION ALL (SELECT id, 2 FROM find_walk(ls[2], 3, top, places, yr))) u
        WHERE u.id NOT IN (SELECT x.record_id FROM extremist_blocked x)
          AND (u.s = 1 OR NOT EXISTS (SELECT 1 FROM search_postings o WHERE o.record_id = u.id
                 AND o.lexeme = ls[1] AND o.rank <= top AND o.places & find_word_page.places <> 0))
        ORDER BY u.id OFFSET off LIMIT lim) w), '[]'::json));
END $$;

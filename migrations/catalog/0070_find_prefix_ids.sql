-- A word truncated on the right (records.find: Z39.50 5=1, CQL "word*")
-- from the postings, as find_ids (0068) does for whole words: the lexemes
-- that begin with the word are a range of the walk index when the database
-- orders text by code point (C, C.UTF-8, as scripts/stack and compose make
-- it), and the mask's places a range of ranks. Before, it was a GIN prefix
-- query on records.tsv limited to a weight, which GIN cannot check, so every
-- candidate's tsv was read and rechecked: 143 ms p50 and 509 ms p95 for a
-- title prefix on 1,000,000 records. Under another collation the range
-- would not hold every lexeme with the prefix, so the tsv query stays there.
-- The words before the last are whole words (find_ids); nothing is found
-- when the last word is empty.
CREATE FUNCTION find_prefix_ids(q text, places int) RETURNS SETOF uuid
    LANGUAGE plpgsql STABLE PARALLEL SAFE ROWS 2000 AS $$
DECLARE
    words text[];
    w text;
    k int;
    ids uuid[];
    top smallint := find_top_rank(places);
    weights text := CASE places WHEN 1 THEN 'A' WHEN 2 THEN 'B' WHEN 4 THEN 'C' ELSE 'ABCD' END;
BEGIN
    IF (SELECT datcollate FROM pg_database WHERE datname = current_database())
       NOT IN ('C', 'POSIX', 'C.UTF-8', 'C.utf8') THEN
        RETURN QUERY SELECT r.id FROM records r WHERE r.tsv @@ find_tsquery(q, weights, true);
        RETURN;
    END IF;
    words := ARRAY(SELECT t.w FROM regexp_split_to_table(lower(ru_fold(q)), '[^[:alnum:]]+')
                   WITH ORDINALITY AS t(w, n) WHERE t.w <> '' ORDER BY t.n);
    k := cardinality(words);
    IF k = 0 THEN RETURN; END IF;
    w := words[k];
    IF EXISTS (SELECT 1 FROM unnest(words[1:k - 1]) x WHERE numnode(plainto_tsquery('russian', x)) > 0) THEN
        ids := ARRAY(SELECT find_ids(array_to_string(words[1:k - 1], ' '), places));
        IF cardinality(ids) = 0 THEN RETURN; END IF;
    END IF;
    RETURN QUERY SELECT DISTINCT p.record_id FROM search_postings p
        WHERE p.lexeme >= w AND p.lexeme < w || chr(1114111) AND p.rank <= top
          AND p.places & find_prefix_ids.places <> 0
          AND (ids IS NULL OR p.record_id IN (SELECT unnest(ids)));
END $$;

-- Fielded terms of records.find (Z39.50/SRU, 0030) from the postings. A title,
-- author or subject term was a tsquery limited to one weight of records.tsv;
-- GIN cannot check weights, so every candidate's tsv was read and rechecked:
-- 0.6 s for a frequent subject word on 100,000 records, most of it spent on
-- records that had the word elsewhere. Each posting now also says in which
-- parts of the record its lexeme appears (places: 1 title, 2 authors,
-- 4 subjects, 8 annotation, the tsv's weights A to D), in the walk index's
-- INCLUDE, so a fielded term is an index-only range scan per lexeme with no
-- recheck and no heap access.
DROP INDEX search_postings_walk;
TRUNCATE search_postings;
ALTER TABLE search_postings ADD COLUMN places smallint NOT NULL;

CREATE OR REPLACE FUNCTION record_postings(r records) RETURNS SETOF search_postings
    LANGUAGE sql STABLE AS $$
    SELECT u.lexeme, coalesce((SELECT min(strpos('ABCD', w)) - 1 FROM unnest(u.weights) w), 3)::smallint,
           r.id, r.type, r.year, r.language,
           coalesce((SELECT bit_or(1 << (strpos('ABCD', w) - 1)) FROM unnest(u.weights) w), 8)::smallint
    FROM unnest(r.tsv) u
$$;

INSERT INTO search_postings SELECT p.* FROM records r, record_postings(r) p;
CREATE INDEX search_postings_walk ON search_postings (lexeme, rank, record_id)
    INCLUDE (type, year, language, places);

-- The records with every word of q (stop words dropped as find_tsquery drops
-- them), each word as its Russian stem or as written, in one of the parts
-- named by places (a mask as above). Nothing when no word is left. Word by
-- word, each narrowing the ids of the words before (a hashed semi-join):
-- half the time of one grouped statement for one word, and no slower for two.
CREATE FUNCTION find_ids(q text, places int) RETURNS SETOF uuid
    LANGUAGE plpgsql STABLE PARALLEL SAFE ROWS 2000 AS $$
DECLARE
    w text;
    ls text[];
    ids uuid[];
BEGIN
    FOR w IN SELECT t.w FROM regexp_split_to_table(lower(ru_fold(q)), '[^[:alnum:]]+') AS t(w)
             WHERE t.w <> '' AND numnode(plainto_tsquery('russian', t.w)) > 0 LOOP
        ls := ARRAY(SELECT unnest(tsvector_to_array(to_tsvector('russian', w)))
                    UNION SELECT unnest(tsvector_to_array(to_tsvector('simple', w))));
        ids := ARRAY(SELECT DISTINCT p.record_id FROM search_postings p
                     WHERE p.lexeme = ANY (ls) AND p.places & find_ids.places <> 0
                       AND (ids IS NULL OR p.record_id IN (SELECT unnest(ids))));
        EXIT WHEN cardinality(ids) = 0;
    END LOOP;
    RETURN QUERY SELECT unnest(ids);
END $$;

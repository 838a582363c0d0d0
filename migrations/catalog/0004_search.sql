-- Full-text and fuzzy search over records. records.tsv (0001) weighs title A,
-- authors B (simple configuration: names are not stemmed), subjects C and
-- annotation D; a query word matches either its Russian stem or its literal
-- form, so "учебники" finds "учебник" and "Пушкина" finds the author Пушкин.
CREATE INDEX records_tsv ON records USING gin (tsv);
-- typo-tolerant fallback: trigram word similarity on the title
CREATE INDEX records_title_trgm ON records USING gin (title gin_trgm_ops);
-- browsing without a query: newest first, keyset on (created_at, id)
CREATE INDEX records_newest ON records (created_at DESC, id DESC);

CREATE AGGREGATE tsquery_and_agg(tsquery) (SFUNC = tsquery_and, STYPE = tsquery);

-- The tsquery of a user's words: every word must match, as its Russian stem or
-- as written; stop words ("и", "в") are dropped. NULL when nothing is left.
CREATE FUNCTION search_tsquery(q text) RETURNS tsquery LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT tsquery_and_agg(plainto_tsquery('russian', w) || plainto_tsquery('simple', w))
    FROM regexp_split_to_table(q, '\s+') AS w
    WHERE numnode(plainto_tsquery('russian', w)) > 0
$$;

-- Records whose title contains something close to q (a misspelt word), with
-- the word similarity as score. The threshold is set on the function so the
-- trigram index is used with it and no session setting leaks.
CREATE FUNCTION fuzzy_titles(q text) RETURNS TABLE (id uuid, score real)
    LANGUAGE sql STABLE SET pg_trgm.word_similarity_threshold = 0.5 AS $$
    SELECT r.id, word_similarity(q, r.title) FROM records r WHERE q <% r.title
$$;

-- "12+" -> 12, for the age_max filter.
CREATE FUNCTION age_num(a text) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT rtrim(a, '+')::int
$$;

-- A record as a search hit: the record without its annotation, with a summary
-- of its holdings and the hit's score.
CREATE FUNCTION search_hit(r records, h record_holdings, score real) RETURNS jsonb
    LANGUAGE sql STABLE AS $$
    SELECT (record_json(r) - 'annotation') || jsonb_build_object(
        'holdings', jsonb_build_object('schools', coalesce(cardinality(h.schools), 0),
                                       'held', coalesce(h.held, 0),
                                       'available', coalesce(h.available, 0)))
        || CASE WHEN score IS NULL THEN '{}'::jsonb
                ELSE jsonb_build_object('score', round(score::numeric, 4)) END
$$;

-- The fuzzy fallback of the search (0014) with a cap on the titles it
-- passes on. fuzzy_titles(q) has a SET clause, so PostgreSQL never inlines
-- it: a LIMIT outside did not stop it, and a query of stop words only
-- («моя») found nothing in full text and gave word_similarity 60,935 titles
-- of 1,000,000 (2.0-2.6 s). The LIMIT inside stops the scan at cap.
-- pg_trgm's library is loaded first, so that its threshold is a setting
-- this role may name in SET (an unknown placeholder needs more rights)
SELECT word_similarity('', '');
CREATE FUNCTION fuzzy_titles(q text, cap int) RETURNS TABLE (id uuid, score real)
    LANGUAGE sql STABLE SET pg_trgm.word_similarity_threshold = 0.5 AS $$
    SELECT r.id, word_similarity(ru_fold(q), ru_fold(r.title)) FROM records r
    WHERE ru_fold(q) <% ru_fold(r.title)
    LIMIT cap
$$;
DROP FUNCTION fuzzy_titles(text);

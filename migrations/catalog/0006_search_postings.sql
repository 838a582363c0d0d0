-- Postings for searches with many matches. A word like "история" matches
-- 150,000 of 1,000,000 records; ranking every match with ts_rank_cd reads
-- each one from the heap (seconds). For such words the search walks this
-- table instead: one row per (record, lexeme of its tsv) with the best place
-- the lexeme appears (0 title, 1 authors, 2 subjects, 3 annotation), read in
-- index order (lexeme, rank, record_id). The first page then costs a few
-- dozen index entries, whatever the number of matches, and keyset pages over
-- (rank, record_id) still visit every match once. type, year and language
-- ride along (INCLUDE) so that their filters and facets need no heap access.
-- Kept by statement-level triggers on records: one set-based statement per
-- insert, update or delete, so a bulk import pays little.
CREATE TABLE search_postings (
    lexeme    text NOT NULL,
    rank      smallint NOT NULL,
    record_id uuid NOT NULL,
    type      text NOT NULL,
    year      int,
    language  text,
    PRIMARY KEY (record_id, lexeme)
);
CREATE INDEX search_postings_walk ON search_postings (lexeme, rank, record_id)
    INCLUDE (type, year, language);

-- A record's postings: its tsv lexemes, each with the best place it appears.
CREATE FUNCTION record_postings(r records) RETURNS SETOF search_postings
    LANGUAGE sql STABLE AS $$
    SELECT u.lexeme, coalesce((SELECT min(strpos('ABCD', w)) - 1 FROM unnest(u.weights) w), 3)::smallint,
           r.id, r.type, r.year, r.language
    FROM unnest(r.tsv) u
$$;

CREATE FUNCTION records_postings_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_postings SELECT p.* FROM new_records n, record_postings(n) p;
    RETURN NULL;
END $$;
CREATE FUNCTION records_postings_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM search_postings WHERE record_id IN (
        SELECT n.id FROM new_records n JOIN old_records o USING (id)
        WHERE (n.tsv, n.type, n.year, n.language) IS DISTINCT FROM
              (o.tsv, o.type, o.year, o.language));
    INSERT INTO search_postings SELECT p.* FROM new_records n
        JOIN old_records o USING (id), record_postings(n) p
        WHERE (n.tsv, n.type, n.year, n.language) IS DISTINCT FROM
              (o.tsv, o.type, o.year, o.language);
    RETURN NULL;
END $$;
CREATE FUNCTION records_postings_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM search_postings WHERE record_id IN (SELECT id FROM old_records);
    RETURN NULL;
END $$;

CREATE TRIGGER records_postings_ins AFTER INSERT ON records
    REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION records_postings_ins();
CREATE TRIGGER records_postings_upd AFTER UPDATE ON records
    REFERENCING OLD TABLE AS old_records NEW TABLE AS new_records
    FOR EACH STATEMENT EXECUTE FUNCTION records_postings_upd();
CREATE TRIGGER records_postings_del AFTER DELETE ON records
    REFERENCING OLD TABLE AS old_records FOR EACH STATEMENT EXECUTE FUNCTION records_postings_del();

INSERT INTO search_postings SELECT p.* FROM records r, record_postings(r) p;

-- The planner's estimate of the records matching q (from the statistics of
-- records.tsv): the total of a search too large to count. VOLATILE because
-- PostgreSQL runs EXPLAIN only there.
CREATE FUNCTION search_estimate(q tsquery) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) SELECT 1 FROM records WHERE tsv @@ $1' INTO plan USING q;
    RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::bigint;
END $$;

-- How to walk a query: of its words (stop words aside), the one with the
-- fewest postings, as its Russian stem (lex1) and, when it differs, its
-- literal form (lex2, found in names); bound = its postings, counted up to
-- cap + 1 (an upper bound of the matches); words = words that count; other =
-- the forms of the second word of a two-word query. lex1 is
-- NULL when no word can drive a walk (a compound word gives more lexemes):
-- then the search ranks exactly. (The planner's estimate for several words
-- is not trusted to choose exact ranking: words of one record correlate, and
-- a wrong guess ranks 10,000 rows; the walk's cost is bounded.)
CREATE FUNCTION search_plan(q text, cap int, OUT lex1 text, OUT lex2 text, OUT bound int,
                            OUT words int, OUT other text[]) LANGUAGE plpgsql STABLE AS $$
DECLARE
    w text;
    rs text[];
    ss text[];
    n int;
    simple_words int := 0;
BEGIN
    words := 0;
    FOR w IN SELECT x FROM regexp_split_to_table(q, '\s+') x WHERE x <> '' LOOP
        CONTINUE WHEN numnode(plainto_tsquery('russian', w)) = 0;
        words := words + 1;
        rs := tsvector_to_array(to_tsvector('russian', w));
        ss := tsvector_to_array(to_tsvector('simple', w));
        CONTINUE WHEN cardinality(rs) <> 1 OR cardinality(ss) <> 1;
        simple_words := simple_words + 1;
        SELECT count(*) INTO n FROM (SELECT 1 FROM search_postings
                                     WHERE lexeme IN (rs[1], ss[1]) LIMIT cap + 1) s;
        IF bound IS NULL OR n < bound THEN
            IF lex1 IS NOT NULL THEN other := ARRAY[lex1, coalesce(lex2, lex1)]; END IF;
            bound := n;
            lex1 := rs[1];
            lex2 := nullif(ss[1], rs[1]);
        ELSIF other IS NULL THEN
            other := ARRAY[rs[1], ss[1]];
        END IF;
    END LOOP;
    -- other: the forms of a second word, checked on postings; only when the
    -- query is exactly these two words (else the record's tsv is checked)
    IF words <> 2 OR simple_words <> 2 THEN other := NULL; END IF;
END $$;


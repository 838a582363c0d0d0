-- Two words that both have more postings than the cap: search_plan counted
-- each only up to the cap, so the two looked alike and the first word drove
-- the walk. The walk checks the other word on each posting of the driver
-- (a probe of search_postings_pkey), so the driver should be the rarer: for
-- «тайна князь» (32,624 and 13,378 postings on 1,000,000 records) the first
-- needs about 2.4 times the probes of the second for a page of hits. Now,
-- when a second word is beyond the cap as well, the planner's estimate of
-- each (search_estimate, from the statistics of records.tsv; about 0.2 ms a
-- word) picks the driver. One word, or a word under the cap, costs what it
-- did.
CREATE OR REPLACE FUNCTION search_plan_folded(q text, cap int, OUT lex1 text, OUT lex2 text,
                                              OUT bound int, OUT words int, OUT other text[])
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    w text;
    rs text[];
    ss text[];
    n int;
    simple_words int := 0;
    est bigint;   -- the driver's estimate, once one was needed
    e bigint;
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
        e := NULL;
        IF bound IS NOT NULL AND n > cap AND bound > cap THEN
            IF est IS NULL THEN
                est := search_estimate(plainto_tsquery('simple', lex1)
                                       || plainto_tsquery('simple', coalesce(lex2, lex1)));
            END IF;
            e := search_estimate(plainto_tsquery('simple', rs[1])
                                 || plainto_tsquery('simple', ss[1]));
        END IF;
        IF bound IS NULL OR n < bound OR e < est THEN
            IF lex1 IS NOT NULL THEN other := ARRAY[lex1, coalesce(lex2, lex1)]; END IF;
            bound := n;
            est := e;
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

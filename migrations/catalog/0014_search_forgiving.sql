-- Search that forgives (issue 13): ё and е are one letter in the index and in
-- queries; the 880 alternate-script fields (records.alt_script, 0013) are
-- searched with the title; a vocabulary of the catalog's words lets a query
-- with a wrong letter or two be corrected; a table of titles and authors
-- answers prefix suggestions.
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch WITH SCHEMA public;

-- the tsv again, over folded text (the stored column cannot be altered in place)
ALTER TABLE records DROP COLUMN tsv;
ALTER TABLE records ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('russian'::regconfig, ru_fold(title || ' ' || coalesce(subtitle, '') ||
                                                        ' ' || join_text(alt_script))), 'A') ||
    setweight(to_tsvector('simple'::regconfig, ru_fold(join_text(authors))), 'B') ||
    setweight(to_tsvector('russian'::regconfig, ru_fold(join_text(subjects))), 'C') ||
    setweight(to_tsvector('russian'::regconfig, ru_fold(coalesce(annotation, ''))), 'D')) STORED;
CREATE INDEX records_tsv ON records USING gin (tsv);
TRUNCATE search_postings;
INSERT INTO search_postings SELECT p.* FROM records r, record_postings(r) p;

DROP INDEX records_title_trgm;
CREATE INDEX records_title_trgm ON records USING gin (ru_fold(title) gin_trgm_ops);

CREATE OR REPLACE FUNCTION search_tsquery(q text) RETURNS tsquery LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT tsquery_and_agg(plainto_tsquery('russian', w) || plainto_tsquery('simple', w))
    FROM regexp_split_to_table(ru_fold(q), '\s+') AS w
    WHERE numnode(plainto_tsquery('russian', w)) > 0
$$;

CREATE OR REPLACE FUNCTION fuzzy_titles(q text) RETURNS TABLE (id uuid, score real)
    LANGUAGE sql STABLE SET pg_trgm.word_similarity_threshold = 0.5 AS $$
    SELECT r.id, word_similarity(ru_fold(q), ru_fold(r.title)) FROM records r
    WHERE ru_fold(q) <% ru_fold(r.title)
$$;

-- search_plan (0006) reads the words of the folded query
ALTER FUNCTION search_plan(text, int) RENAME TO search_plan_folded;
CREATE FUNCTION search_plan(q text, cap int, OUT lex1 text, OUT lex2 text, OUT bound int,
                            OUT words int, OUT other text[]) LANGUAGE sql STABLE AS $$
    SELECT * FROM search_plan_folded(ru_fold(q), cap)
$$;

-- The words of titles, authors and alternate scripts (folded, lower case,
-- 4 letters or more): what a misspelt query word is corrected to.
CREATE TABLE search_words (word text PRIMARY KEY);
CREATE INDEX search_words_trgm ON search_words USING gin (word gin_trgm_ops);

-- Titles and authors for prefix suggestions: norm is the folded lower-case
-- form the prefix is compared with, term what is shown.
CREATE TABLE suggest_terms (
    kind text NOT NULL CHECK (kind IN ('title', 'author')),
    norm text COLLATE "C" NOT NULL, -- byte order: a prefix is an index range
    term text NOT NULL,
    PRIMARY KEY (kind, norm)
);
CREATE INDEX suggest_terms_prefix ON suggest_terms (norm);

CREATE FUNCTION search_norm(s text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT left(lower(ru_fold(btrim(s))), 200)
$$;

-- A record's words and its suggestion terms.
CREATE FUNCTION record_words(r records) RETURNS SETOF text LANGUAGE sql IMMUTABLE AS $$
    SELECT w FROM regexp_split_to_table(lower(ru_fold(r.title || ' ' || coalesce(r.subtitle, '')
                                                      || ' ' || join_text(r.authors) || ' ' ||
                                                      join_text(r.alt_script))),
                                        '[^[:alnum:]]+') w
    WHERE length(w) BETWEEN 4 AND 60
$$;
CREATE FUNCTION record_terms(r records, OUT kind text, OUT norm text, OUT term text)
    RETURNS SETOF record LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN u.o = 1 THEN 'title' ELSE 'author' END, search_norm(u.v), left(u.v, 300)
    FROM unnest(ARRAY[r.title] || r.authors) WITH ORDINALITY AS u(v, o)
    WHERE search_norm(u.v) <> ''
$$;

-- Kept by statement-level triggers, the new words in sorted order so that two
-- writers inserting the same words cannot deadlock. A deleted record's words
-- stay: a correction is only used when it finds more than the query did.
CREATE FUNCTION records_vocabulary() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_words SELECT DISTINCT w FROM new_records n, record_words(n) w
        ORDER BY 1 ON CONFLICT DO NOTHING;
    INSERT INTO suggest_terms SELECT DISTINCT ON (t.kind, t.norm) t.*
        FROM new_records n, record_terms(n) t ORDER BY t.kind, t.norm, t.term ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER records_vocabulary_ins AFTER INSERT ON records
    REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION records_vocabulary();
CREATE TRIGGER records_vocabulary_upd AFTER UPDATE ON records
    REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION records_vocabulary();

INSERT INTO search_words SELECT DISTINCT w FROM records r, record_words(r) w;
INSERT INTO suggest_terms SELECT DISTINCT ON (t.kind, t.norm) t.*
    FROM records r, record_terms(r) t ORDER BY t.kind, t.norm, t.term;

-- The query with each word of 5 letters or more that the catalog does not
-- know replaced by the nearest word it knows (at most two letters apart);
-- NULL when nothing was replaced.
CREATE FUNCTION search_correct(q text) RETURNS text LANGUAGE plpgsql STABLE
    SET pg_trgm.similarity_threshold = 0.25 AS $$
DECLARE
    w text;
    best text;
    out text[] := '{}';
    changed boolean := false;
BEGIN
    FOR w IN SELECT x FROM regexp_split_to_table(lower(ru_fold(btrim(q))), '\s+') x WHERE x <> '' LOOP
        best := NULL;
        IF length(w) >= 5 AND w ~ '^[[:alpha:]]+$'
           AND NOT EXISTS (SELECT 1 FROM search_words s WHERE s.word = w) THEN
            SELECT s.word INTO best FROM search_words s
            WHERE s.word % w AND levenshtein(s.word, w) <= 2
            ORDER BY levenshtein(s.word, w), similarity(s.word, w) DESC, s.word LIMIT 1;
        END IF;
        IF best IS NOT NULL THEN changed := true; END IF;
        out := out || coalesce(best, w);
    END LOOP;
    RETURN CASE WHEN changed THEN array_to_string(out, ' ') END;
END $$;

-- A blocked record's words are not offered (issue 16). A record whose
-- extremist match is confirmed is hidden from search, but the autocomplete
-- (suggest_terms, 0014) still offered its title and authors, and the
-- spelling correction (search_words) its words: typing the beginning of a
-- banned title completed it. Now a term or word whose only sources are
-- blocked records is marked hidden, and neither reads hidden rows.
--
-- The mark is kept where blocks are written: statement triggers on
-- extremist_blocked (as OAI's, 0061) hide the terms of newly blocked records
-- that no unblocked record shares, and show again those of freed records;
-- the vocabulary trigger of records (0014) shows a hidden term again when a
-- record that is not blocked brings it, and adds a blocked record's new
-- terms hidden. The readers stay one index range scan (suggest) or one
-- trigram probe (correction) with one more filter; the work is paid per
-- block, a few index probes per term of the blocked record. A record
-- deleted keeps its terms as before (a term it shared with a blocked one
-- stays shown).
ALTER TABLE suggest_terms ADD COLUMN hidden boolean NOT NULL DEFAULT false;
ALTER TABLE search_words ADD COLUMN hidden boolean NOT NULL DEFAULT false;
CREATE INDEX suggest_terms_hidden ON suggest_terms (kind, norm) WHERE hidden;
CREATE INDEX search_words_hidden ON search_words (word) WHERE hidden;

-- s as a LIKE pattern that matches it literally
CREATE FUNCTION like_literal(s text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT replace(replace(replace(s, '\', '\\'), '%', '\%'), '_', '\_')
$$;

-- Whether a record that is not blocked has suggestion term (kind, norm), or
-- word w of the vocabulary. Each probe is planned for its value (EXECUTE):
-- titles through the title trigram index (0014), authors and words through
-- the tsv's GIN index (a stop word through the title's trigrams), then
-- checked exactly as the vocabulary trigger derives them.
CREATE FUNCTION vocabulary_term_free(p_kind text, p_norm text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
    q tsquery := plainto_tsquery('simple', p_norm);
    found boolean;
BEGIN
    IF p_kind = 'title' THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM records r WHERE ru_fold(r.title) ILIKE $1'
                ' AND search_norm(r.title) = $2'
                ' AND NOT EXISTS (SELECT 1 FROM extremist_blocked b WHERE b.record_id = r.id))'
            INTO found USING '%' || like_literal(p_norm) || '%', p_norm;
    ELSIF numnode(q) = 0 THEN
        found := true; -- no word to look for: nothing that names a book
    ELSE
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM records r WHERE r.tsv @@ $1'
                ' AND $2 IN (SELECT search_norm(a) FROM unnest(r.authors) a)'
                ' AND NOT EXISTS (SELECT 1 FROM extremist_blocked b WHERE b.record_id = r.id))'
            INTO found USING q, p_norm;
    END IF;
    RETURN found;
END $$;

CREATE FUNCTION vocabulary_word_free(w text) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
DECLARE
    q tsquery := plainto_tsquery('russian', w) || plainto_tsquery('simple', w);
    found boolean;
BEGIN
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM records r'
            ' WHERE (r.tsv @@ $1 OR ru_fold(r.title) ILIKE $2) AND $3 IN (SELECT record_words(r))'
            ' AND NOT EXISTS (SELECT 1 FROM extremist_blocked b WHERE b.record_id = r.id))'
        INTO found USING q, '%' || like_literal(w) || '%', w;
    RETURN found;
END $$;

-- Hides the terms and words of records ids (just blocked) that no record
-- left unblocked has; returns how many rows it hid.
CREATE FUNCTION vocabulary_hide(ids uuid[]) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    k text;
    v text;
    n int := 0;
BEGIN
    FOR k, v IN SELECT DISTINCT t.kind, t.norm FROM records r, record_terms(r) t
                WHERE r.id = ANY (ids) ORDER BY 1, 2 LOOP
        IF NOT vocabulary_term_free(k, v) THEN
            UPDATE suggest_terms SET hidden = true WHERE kind = k AND norm = v AND NOT hidden;
            n := n + 1;
        END IF;
    END LOOP;
    FOR v IN SELECT DISTINCT w FROM records r, record_words(r) w WHERE r.id = ANY (ids)
             ORDER BY 1 LOOP
        IF NOT vocabulary_word_free(v) THEN
            UPDATE search_words SET hidden = true WHERE word = v AND NOT hidden;
            n := n + 1;
        END IF;
    END LOOP;
    RETURN n;
END $$;

-- Shows again the terms and words of records ids (just freed; a deleted
-- record is gone and shows nothing).
CREATE FUNCTION vocabulary_show(ids uuid[]) RETURNS void LANGUAGE sql AS $$
    UPDATE suggest_terms s SET hidden = false
    FROM (SELECT DISTINCT t.kind, t.norm FROM records r, record_terms(r) t
          WHERE r.id = ANY (ids)
            AND NOT EXISTS (SELECT 1 FROM extremist_blocked b WHERE b.record_id = r.id)) x
    WHERE s.hidden AND s.kind = x.kind AND s.norm = x.norm;
    UPDATE search_words s SET hidden = false
    FROM (SELECT DISTINCT w FROM records r, record_words(r) w
          WHERE r.id = ANY (ids)
            AND NOT EXISTS (SELECT 1 FROM extremist_blocked b WHERE b.record_id = r.id)) x
    WHERE s.hidden AND s.word = x.w;
$$;

CREATE FUNCTION vocabulary_blocks_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM vocabulary_hide(ARRAY(SELECT record_id FROM changed_blocks));
    RETURN NULL;
END $$;
CREATE FUNCTION vocabulary_blocks_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM vocabulary_show(ARRAY(SELECT record_id FROM changed_blocks));
    RETURN NULL;
END $$;
CREATE TRIGGER vocabulary_blocks_ins AFTER INSERT ON extremist_blocked
    REFERENCING NEW TABLE AS changed_blocks FOR EACH STATEMENT
    EXECUTE FUNCTION vocabulary_blocks_ins();
CREATE TRIGGER vocabulary_blocks_del AFTER DELETE ON extremist_blocked
    REFERENCING OLD TABLE AS changed_blocks FOR EACH STATEMENT
    EXECUTE FUNCTION vocabulary_blocks_del();

-- 0014's trigger, the words computed once: a term of a blocked record (one
-- edited while blocked) comes in hidden unless a record of the statement
-- that is not blocked has it too, and a hidden term that a record not
-- blocked brings is shown again. New terms in sorted order (no deadlock
-- between two writers).
CREATE OR REPLACE FUNCTION records_vocabulary() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH w AS MATERIALIZED (
        SELECT x.w, bool_and(b.record_id IS NOT NULL) AS hidden
        FROM new_records n LEFT JOIN extremist_blocked b ON b.record_id = n.id,
             record_words(n) x(w)
        GROUP BY x.w),
    ins AS (INSERT INTO search_words (word, hidden) SELECT w, hidden FROM w ORDER BY 1
            ON CONFLICT DO NOTHING)
    UPDATE search_words s SET hidden = false FROM w
    WHERE s.hidden AND NOT w.hidden AND s.word = w.w;
    WITH t AS MATERIALIZED (
        SELECT x.kind, x.norm, min(x.term) AS term, bool_and(b.record_id IS NOT NULL) AS hidden
        FROM new_records n LEFT JOIN extremist_blocked b ON b.record_id = n.id,
             record_terms(n) x
        GROUP BY x.kind, x.norm),
    ins AS (INSERT INTO suggest_terms (kind, norm, term, hidden)
            SELECT kind, norm, term, hidden FROM t ORDER BY kind, norm ON CONFLICT DO NOTHING)
    UPDATE suggest_terms s SET hidden = false FROM t
    WHERE s.hidden AND NOT t.hidden AND s.kind = t.kind AND s.norm = t.norm;
    RETURN NULL;
END $$;

-- 0014's correction, hidden words not offered. A hidden word typed in full
-- is still known (not corrected away): the search finds nothing for a school,
-- and the blocked record for the network's roles who see it.
CREATE OR REPLACE FUNCTION search_correct(q text) RETURNS text LANGUAGE plpgsql STABLE
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
            WHERE s.word % w AND levenshtein(s.word, w) <= 2 AND NOT s.hidden
            ORDER BY levenshtein(s.word, w), similarity(s.word, w) DESC, s.word LIMIT 1;
        END IF;
        IF best IS NOT NULL THEN changed := true; END IF;
        out := out || coalesce(best, w);
    END LOOP;
    RETURN CASE WHEN changed THEN array_to_string(out, ' ') END;
END $$;

-- the records blocked already
SELECT vocabulary_hide(ARRAY(SELECT record_id FROM extremist_blocked));

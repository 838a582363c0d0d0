-- The library statistics' breakdowns (issue 16): what the projections must
-- keep to count readers by class, loans by the reader's category and class at
-- the time of the loan, by BBK section and kind, and the fund by age mark,
-- language, year of publication and receipt source; and the visit counter a
-- librarian keeps per day. Rows projected before this migration lack the new
-- fields until POST /indicators/rebuild replays the stream.

-- The kind of a record as the reports count it (the catalog's summary
-- register counts the same four).
CREATE FUNCTION stat_kind(record_type text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN record_type IS NULL THEN 'unknown'
        WHEN record_type = 'textbook' THEN 'textbooks'
        WHEN record_type = 'periodical' THEN 'periodicals'
        WHEN record_type IN ('e-resource', 'multimedia') THEN 'e_resources'
        ELSE 'books' END
$$;

-- The first level of a BBK index (leading spaces ignored):
--   digits (the middle and school tables): 6, 7 or 8 and the next digit,
--     since their classes are two-digit (63 history, 74 education, 84
--     fiction); any other digit alone (2 natural sciences, 9 universal);
--   a Cyrillic capital (the full tables' classes, Ш, Ц, Т...): the letter;
--   no index or anything else: 'none'.
CREATE FUNCTION stat_bbk_section(bbk text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN bbk ~ '^\s*[678][0-9]' THEN substring(bbk FROM '^\s*([678][0-9])')
        WHEN bbk ~ '^\s*[0-9]' THEN substring(bbk FROM '^\s*([0-9])')
        WHEN bbk ~ '^\s*[А-ЯЁ]' THEN substring(bbk FROM '^\s*([А-ЯЁ])')
        ELSE 'none' END
$$;

-- Years of publication by decade ("2010-2019"), earlier than 1950 together.
CREATE FUNCTION stat_year_bucket(y int) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN y IS NULL THEN 'unknown'
        WHEN y < 1950 THEN 'before-1950'
        ELSE (y / 10 * 10)::text || '-' || (y / 10 * 10 + 9)::text END
$$;

ALTER TABLE p_readers ADD COLUMN class text;

ALTER TABLE p_records
    ADD COLUMN bbk text,
    ADD COLUMN language text,
    ADD COLUMN year int,
    ADD COLUMN age_rating text,
    ADD COLUMN bbk_section text GENERATED ALWAYS AS (stat_bbk_section(bbk)) STORED;

-- the source of the receipt that brought the copy (budget, gift, grant,
-- replacement, exchange); NULL for a copy entered without a receipt
ALTER TABLE p_items ADD COLUMN source text;

-- the reader's category and class when the loan was made (a class changes
-- every September; last year's loans stay with last year's class)
ALTER TABLE p_loans
    ADD COLUMN reader_category text,
    ADD COLUMN reader_class text;
CREATE INDEX p_loans_school_created ON p_loans (school, created_at);
CREATE INDEX p_loans_returned ON p_loans (returned_at) WHERE returned_at IS NOT NULL;
CREATE INDEX p_readers_school ON p_readers (school);
CREATE INDEX p_items_school ON p_items (school);

-- Visits counted by the librarian, one row per school and day; a day without
-- a row is derived from loans. Not a projection: a rebuild keeps it.
CREATE TABLE visit_counts (
    school      text NOT NULL CHECK (school ~ '^[A-Za-z0-9._-]{1,64}$'),
    day         date NOT NULL,
    visits      int NOT NULL CHECK (visits BETWEEN 0 AND 1000000),
    recorded_by text,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school, day)
);
CREATE INDEX visit_counts_day ON visit_counts (day);

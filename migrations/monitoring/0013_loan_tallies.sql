-- The visits derived from loans, kept per school and day (issue 16): the
-- readers with a loan or a return that day. The report made the 150,000 loan
-- and return days of the network's year distinct on each request (1.7 s of
-- 3.5 s at load 10, sorted on disk); it now reads one row per school and day.
-- Statement triggers on p_loans recount the days a statement touched (the
-- day of each loan and of each return, before and after), so the table is
-- always what the loans say, whatever the order of the events.
CREATE TABLE p_visit_days (
    school  text NOT NULL,
    day     date NOT NULL,
    readers int NOT NULL CHECK (readers > 0),
    PRIMARY KEY (school, day)
);
CREATE INDEX p_visit_days_day ON p_visit_days (day);

-- Recounts the distinct readers of each (school, day) of `touched`: borrows
-- it, changes only p_visit_days (a day without readers has no row). Rows in
-- key order, so that concurrent consumers lock them in the same order.
CREATE FUNCTION visit_days_recount(touched jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH t AS (
        SELECT DISTINCT x->>'s' AS school, (x->>'d')::date AS day
        FROM jsonb_array_elements(touched) x WHERE x->>'s' IS NOT NULL AND x->>'d' IS NOT NULL
    ), c AS (
        SELECT t.school, t.day, (SELECT count(DISTINCT a.reader_id) FROM (
                   SELECT l.reader_id FROM p_loans l WHERE l.school = t.school
                   AND l.created_at >= t.day AND l.created_at < t.day + 1
                   UNION ALL
                   SELECT l.reader_id FROM p_loans l WHERE l.school = t.school
                   AND l.returned_at >= t.day AND l.returned_at < t.day + 1) a) AS n
        FROM t
    ), emptied AS (
        DELETE FROM p_visit_days v USING c WHERE v.school = c.school AND v.day = c.day AND c.n = 0
    )
    INSERT INTO p_visit_days AS v (school, day, readers)
    SELECT school, day, n FROM c WHERE n > 0 ORDER BY school, day
    ON CONFLICT (school, day) DO UPDATE SET readers = EXCLUDED.readers;
END
$$;

-- The days of the loans a statement inserted, updated or deleted.
CREATE FUNCTION visit_days_loans_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched jsonb := '[]';
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT touched || coalesce(jsonb_agg(jsonb_build_object('s', school, 'd', day)), '[]')
        INTO touched FROM gone, LATERAL (VALUES (created_at::date), (returned_at::date)) d(day);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        SELECT touched || coalesce(jsonb_agg(jsonb_build_object('s', school, 'd', day)), '[]')
        INTO touched FROM came, LATERAL (VALUES (created_at::date), (returned_at::date)) d(day);
    END IF;
    IF jsonb_array_length(touched) > 0 THEN PERFORM visit_days_recount(touched); END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER p_loans_visit_days_insert AFTER INSERT ON p_loans
    REFERENCING NEW TABLE AS came FOR EACH STATEMENT EXECUTE FUNCTION visit_days_loans_changed();
CREATE TRIGGER p_loans_visit_days_update AFTER UPDATE ON p_loans
    REFERENCING OLD TABLE AS gone NEW TABLE AS came
    FOR EACH STATEMENT EXECUTE FUNCTION visit_days_loans_changed();
CREATE TRIGGER p_loans_visit_days_delete AFTER DELETE ON p_loans
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION visit_days_loans_changed();

-- The loans projected so far.
INSERT INTO p_visit_days (school, day, readers)
SELECT school, day, count(DISTINCT reader_id) FROM (
    SELECT school, reader_id, created_at::date AS day FROM p_loans
    UNION ALL
    SELECT school, reader_id, returned_at::date FROM p_loans WHERE returned_at IS NOT NULL) a
WHERE school IS NOT NULL AND reader_id IS NOT NULL
GROUP BY school, day;

-- The loans, kept like the fund (0011): per school and breakdown key, the
-- loans made per day and per month (p_tally_days, p_tally_months). The
-- report read 100,000 loans with their reader, copy and record on each
-- request (0.9 of 1.1 s after the fund's tallies); it now sums the months
-- inside the period and the days of its partial months. A loan counts
-- under the reader's category and class at the loan (the reader's now for
-- a loan projected without them) and under its copy's record's BBK section
-- and kind as they are now: triggers on p_loans, p_items, p_records and
-- p_readers take a changed row's loans out under their old keys and put
-- them back under the new.
CREATE INDEX p_loans_item ON p_loans (item_id);
CREATE INDEX p_loans_reader_unclassed ON p_loans (reader_id) WHERE reader_category IS NULL;

-- A loan as the tallies see it: its school, day and four keys, signed.
CREATE TYPE loan_tally AS (school text, day date, category text, class text, section text,
                           kind text, sign int);

-- The keys of a loan (l) with its reader (r) and its copy's record (rec).
CREATE FUNCTION loan_tally_of(l p_loans, r p_readers, rec p_records, sign int)
RETURNS loan_tally LANGUAGE sql STABLE AS $$
    SELECT ROW(l.school, l.created_at::date, coalesce(l.reader_category, r.category, 'unknown'),
               coalesce(CASE WHEN l.reader_category IS NULL THEN r.class ELSE l.reader_class END,
                        'none'),
               coalesce(rec.bbk_section, 'none'), stat_kind(rec.type), sign)::loan_tally
$$;

-- Adds the loans to the tallies: +sign on the loan's day under each key.
CREATE FUNCTION loan_add(loans loan_tally[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tally_add(ARRAY(
        SELECT ROW(l.school, l.day, k.dim, k.key, sum(l.sign)::int)::tally_move
        FROM unnest(loans) l
        CROSS JOIN LATERAL (VALUES ('category', l.category), ('class', l.class),
                                   ('section', l.section), ('kind', l.kind)) k(dim, key)
        GROUP BY l.school, l.day, k.dim, k.key));
END
$$;

-- p_loans changed: the old rows' loans out, the new rows' in.
CREATE FUNCTION loan_tally_loans_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    loans loan_tally[];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT array_agg(loan_tally_of(l, r, rec, -1)) INTO loans
        FROM gone l LEFT JOIN p_readers r ON r.id = l.reader_id
        LEFT JOIN p_items i ON i.id = l.item_id LEFT JOIN p_records rec ON rec.id = i.record_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        SELECT loans || array_agg(loan_tally_of(l, r, rec, 1)) INTO loans
        FROM came l LEFT JOIN p_readers r ON r.id = l.reader_id
        LEFT JOIN p_items i ON i.id = l.item_id LEFT JOIN p_records rec ON rec.id = i.record_id;
    END IF;
    IF loans IS NOT NULL THEN PERFORM loan_add(loans); END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER p_loans_tally_insert AFTER INSERT ON p_loans
    REFERENCING NEW TABLE AS came FOR EACH STATEMENT EXECUTE FUNCTION loan_tally_loans_changed();
CREATE TRIGGER p_loans_tally_update AFTER UPDATE ON p_loans
    REFERENCING OLD TABLE AS gone NEW TABLE AS came
    FOR EACH STATEMENT EXECUTE FUNCTION loan_tally_loans_changed();
CREATE TRIGGER p_loans_tally_delete AFTER DELETE ON p_loans
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION loan_tally_loans_changed();

-- p_items changed: the loans of a copy whose record changed (or that came
-- after its loans) move to the new record's section and kind.
CREATE FUNCTION loan_tally_items_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    loans loan_tally[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(t) INTO loans
        FROM came i JOIN p_loans l ON l.item_id = i.id
        LEFT JOIN p_readers r ON r.id = l.reader_id LEFT JOIN p_records rec ON rec.id = i.record_id,
        LATERAL (VALUES (loan_tally_of(l, r, NULL, -1)), (loan_tally_of(l, r, rec, 1))) x(t)
        WHERE rec.id IS NOT NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(t) INTO loans
        FROM came i JOIN gone o ON o.id = i.id JOIN p_loans l ON l.item_id = i.id
        LEFT JOIN p_readers r ON r.id = l.reader_id
        LEFT JOIN p_records ro ON ro.id = o.record_id LEFT JOIN p_records rec ON rec.id = i.record_id,
        LATERAL (VALUES (loan_tally_of(l, r, ro, -1)), (loan_tally_of(l, r, rec, 1))) x(t)
        WHERE o.record_id IS DISTINCT FROM i.record_id;
    ELSE
        SELECT array_agg(t) INTO loans
        FROM gone o JOIN p_loans l ON l.item_id = o.id
        LEFT JOIN p_readers r ON r.id = l.reader_id LEFT JOIN p_records ro ON ro.id = o.record_id,
        LATERAL (VALUES (loan_tally_of(l, r, ro, -1)), (loan_tally_of(l, r, NULL, 1))) x(t)
        WHERE ro.id IS NOT NULL;
    END IF;
    IF loans IS NOT NULL THEN PERFORM loan_add(loans); END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER p_items_loan_tally_insert AFTER INSERT ON p_items
    REFERENCING NEW TABLE AS came FOR EACH STATEMENT EXECUTE FUNCTION loan_tally_items_changed();
CREATE TRIGGER p_items_loan_tally_update AFTER UPDATE ON p_items
    REFERENCING OLD TABLE AS gone NEW TABLE AS came
    FOR EACH STATEMENT EXECUTE FUNCTION loan_tally_items_changed();
CREATE TRIGGER p_items_loan_tally_delete AFTER DELETE ON p_items
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION loan_tally_items_changed();

-- p_records changed: the loans of the copies of a record whose BBK section
-- or kind changed (or that came after them) move.
CREATE FUNCTION loan_tally_records_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    loans loan_tally[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(t) INTO loans
        FROM came rec JOIN p_items i ON i.record_id = rec.id JOIN p_loans l ON l.item_id = i.id
        LEFT JOIN p_readers r ON r.id = l.reader_id,
        LATERAL (VALUES (loan_tally_of(l, r, NULL, -1)), (loan_tally_of(l, r, rec, 1))) x(t);
    ELSE
        SELECT array_agg(t) INTO loans
        FROM came rec JOIN gone o ON o.id = rec.id
        JOIN p_items i ON i.record_id = rec.id JOIN p_loans l ON l.item_id = i.id
        LEFT JOIN p_readers r ON r.id = l.reader_id,
        LATERAL (VALUES (loan_tally_of(l, r, o, -1)), (loan_tally_of(l, r, rec, 1))) x(t)
        WHERE (o.bbk_section, stat_kind(o.type)) IS DISTINCT FROM
              (rec.bbk_section, stat_kind(rec.type));
    END IF;
    IF loans IS NOT NULL THEN PERFORM loan_add(loans); END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER p_records_loan_tally_insert AFTER INSERT ON p_records
    REFERENCING NEW TABLE AS came FOR EACH STATEMENT EXECUTE FUNCTION loan_tally_records_changed();
CREATE TRIGGER p_records_loan_tally_update AFTER UPDATE ON p_records
    REFERENCING OLD TABLE AS gone NEW TABLE AS came
    FOR EACH STATEMENT EXECUTE FUNCTION loan_tally_records_changed();

-- p_readers changed: the loans projected without the reader's category
-- take the reader's now, so they move when it changes (or arrives).
CREATE FUNCTION loan_tally_readers_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    loans loan_tally[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(t) INTO loans
        FROM came r JOIN p_loans l ON l.reader_id = r.id AND l.reader_category IS NULL
        LEFT JOIN p_items i ON i.id = l.item_id LEFT JOIN p_records rec ON rec.id = i.record_id,
        LATERAL (VALUES (loan_tally_of(l, NULL, rec, -1)), (loan_tally_of(l, r, rec, 1))) x(t);
    ELSE
        SELECT array_agg(t) INTO loans
        FROM came r JOIN gone o ON o.id = r.id
        JOIN p_loans l ON l.reader_id = r.id AND l.reader_category IS NULL
        LEFT JOIN p_items i ON i.id = l.item_id LEFT JOIN p_records rec ON rec.id = i.record_id,
        LATERAL (VALUES (loan_tally_of(l, o, rec, -1)), (loan_tally_of(l, r, rec, 1))) x(t)
        WHERE (o.category, o.class) IS DISTINCT FROM (r.category, r.class);
    END IF;
    IF loans IS NOT NULL THEN PERFORM loan_add(loans); END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER p_readers_loan_tally_insert AFTER INSERT ON p_readers
    REFERENCING NEW TABLE AS came FOR EACH STATEMENT EXECUTE FUNCTION loan_tally_readers_changed();
CREATE TRIGGER p_readers_loan_tally_update AFTER UPDATE ON p_readers
    REFERENCING OLD TABLE AS gone NEW TABLE AS came
    FOR EACH STATEMENT EXECUTE FUNCTION loan_tally_readers_changed();

-- The loans projected so far.
SELECT loan_add(array_agg(loan_tally_of(l, r, rec, 1)))
FROM p_loans l LEFT JOIN p_readers r ON r.id = l.reader_id
LEFT JOIN p_items i ON i.id = l.item_id LEFT JOIN p_records rec ON rec.id = i.record_id;

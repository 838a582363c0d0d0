-- The fund as of any day, kept as item events arrive (issue 16). The
-- statistics counted the network's fund by scanning every copy (1 M copies:
-- 60 % of the network's report) and by its status now, so that a copy
-- written off in December was missing from January's report. Now each copy
-- is +1 on the day it entered the fund and -1 on the day it left it, under
-- each of its four breakdown keys, summed per school and day (p_tally_days)
-- and per school and month (p_tally_months). The fund at the end of a period
-- is the months before the period's last month plus that month's days up to
-- the end: a few rows per school and key, however many copies there are.
--
-- The tallies are a function of p_items and p_records as they are: the
-- triggers below subtract what the changed rows counted before and add what
-- they count now, so a record whose age mark is corrected moves its copies'
-- counts in every period (the breakdowns classify by the record as it is
-- now; only entering and leaving the fund are dated).

-- The days a copy entered and left the fund: the receipt's date and the
-- write-off act's date when the event carries them, else the day of the
-- event. Copies projected before this migration: the day of their first event,
-- and for a written-off one the day of its last (the write-off is the last
-- change a copy can have).
ALTER TABLE p_items ADD COLUMN received_on date, ADD COLUMN written_off_on date;

-- A day of an event's data, NULL when it is not a real YYYY-MM-DD (the
-- event's own day counts then: a bad date never stops the consumer).
CREATE FUNCTION event_day(t text) RETURNS date LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN CASE WHEN t ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN t::date END;
EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
    RETURN NULL;
END
$$;
UPDATE p_items SET received_on = created_at::date,
    written_off_on = CASE WHEN status = 'written_off' THEN changed_at::date END;
ALTER TABLE p_items ALTER COLUMN received_on SET NOT NULL;

-- The tallies of the statistics: per school, breakdown and key, what
-- came (+) and went (-) in a day (p_tally_days) and in a month
-- (p_tally_months). The fund's breakdowns ('age' mark, 'lang'uage, 'year'
-- of publication by decade, receipt 'source') are summed up to a day;
-- migration 0013 adds the loans' ('category', 'class', 'section', 'kind'),
-- summed over a period.
CREATE TABLE p_tally_days (
    school text NOT NULL,
    day    date NOT NULL,
    dim    text NOT NULL,
    key    text NOT NULL,
    n      int NOT NULL,
    PRIMARY KEY (school, day, dim, key)
);
CREATE INDEX p_tally_days_day ON p_tally_days (day);

CREATE TABLE p_tally_months (
    school text NOT NULL,
    month  date NOT NULL CHECK (extract(day FROM month) = 1),
    dim    text NOT NULL,
    key    text NOT NULL,
    n      int NOT NULL,
    PRIMARY KEY (school, month, dim, key)
);

CREATE TYPE tally_move AS (school text, day date, dim text, key text, n int);

-- Adds the moves to both tallies: borrows `moves`, changes only the
-- tallies. Rows are updated in key order, so that two consumers'
-- transactions lock the rows they share in the same order (no deadlock).
CREATE FUNCTION tally_add(moves tally_move[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH m AS (
        SELECT school, day, dim, key, sum(n)::int AS n FROM unnest(moves)
        WHERE school IS NOT NULL AND day IS NOT NULL
        GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0
    ), months AS (
        INSERT INTO p_tally_months AS f (school, month, dim, key, n)
        SELECT school, date_trunc('month', day)::date, dim, key, sum(n) FROM m
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (school, month, dim, key) DO UPDATE SET n = f.n + EXCLUDED.n
    )
    INSERT INTO p_tally_days AS f (school, day, dim, key, n)
    SELECT school, day, dim, key, n FROM m ORDER BY 1, 2, 3, 4
    ON CONFLICT (school, day, dim, key) DO UPDATE SET n = f.n + EXCLUDED.n;
END
$$;

-- A copy as the tallies see it, with the sign it is counted with.
CREATE TYPE fund_copy AS (
    school         text,
    received_on    date,
    written_off_on date,
    age            text,
    lang           text,
    yr             text,
    src            text,
    sign           int
);

-- Adds the copies to the fund's tallies: +sign on the day received, -sign
-- on the day written off, under each of the four keys. A write-off dated
-- before the receipt counts on the receipt's day.
CREATE FUNCTION fund_add(copies fund_copy[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tally_add(ARRAY(
        SELECT ROW(c.school, m.day, k.dim, k.key, sum(m.n * c.sign)::int)::tally_move
        FROM unnest(copies) c
        CROSS JOIN LATERAL (VALUES (c.received_on, 1),
                                   (CASE WHEN c.written_off_on IS NOT NULL
                                    THEN greatest(c.written_off_on, c.received_on) END, -1)) m(day, n)
        CROSS JOIN LATERAL (VALUES ('age', c.age), ('lang', c.lang), ('year', c.yr),
                                   ('source', c.src)) k(dim, key)
        GROUP BY c.school, m.day, k.dim, k.key));
END
$$;

-- A copy (its school, fund days and receipt source) under a record's keys
-- (age mark, language, year; NULL for a record not projected), signed.
CREATE FUNCTION fund_copy_of(school text, received_on date, written_off_on date, source text,
                             age text, lang text, yr int, sign int) RETURNS fund_copy
LANGUAGE sql IMMUTABLE AS $$
    SELECT ROW(school, received_on, written_off_on, coalesce(age, 'none'),
               coalesce(lang, 'unknown'), stat_year_bucket(yr), coalesce(source, 'none'),
               sign)::fund_copy
$$;

-- p_items changed (INSERT, UPDATE, DELETE, one statement): what the old rows
-- counted goes, what the new rows count comes.
CREATE FUNCTION fund_items_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    copies fund_copy[];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT array_agg(fund_copy_of(i.school, i.received_on, i.written_off_on, i.source,
                                      r.age_rating, r.language, r.year, -1))
        INTO copies FROM gone i LEFT JOIN p_records r ON r.id = i.record_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        SELECT copies || array_agg(fund_copy_of(i.school, i.received_on, i.written_off_on,
                                                i.source, r.age_rating, r.language, r.year, 1))
        INTO copies FROM came i LEFT JOIN p_records r ON r.id = i.record_id;
    END IF;
    IF copies IS NOT NULL THEN PERFORM fund_add(copies); END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER p_items_fund_insert AFTER INSERT ON p_items
    REFERENCING NEW TABLE AS came FOR EACH STATEMENT EXECUTE FUNCTION fund_items_changed();
CREATE TRIGGER p_items_fund_update AFTER UPDATE ON p_items
    REFERENCING OLD TABLE AS gone NEW TABLE AS came
    FOR EACH STATEMENT EXECUTE FUNCTION fund_items_changed();
CREATE TRIGGER p_items_fund_delete AFTER DELETE ON p_items
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION fund_items_changed();

-- p_records changed: the copies of a record whose age mark, language or
-- decade changed (or that arrived before their record) move from the old
-- keys to the new. A record not projected had none of the three.
CREATE FUNCTION fund_records_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    copies fund_copy[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(c) INTO copies FROM came r JOIN p_items i ON i.record_id = r.id,
        LATERAL (VALUES
            (fund_copy_of(i.school, i.received_on, i.written_off_on, i.source,
                          NULL, NULL, NULL, -1)),
            (fund_copy_of(i.school, i.received_on, i.written_off_on, i.source,
                          r.age_rating, r.language, r.year, 1))) x(c)
        WHERE r.age_rating IS NOT NULL OR r.language IS NOT NULL OR r.year IS NOT NULL;
    ELSE
        SELECT array_agg(c) INTO copies
        FROM came r JOIN gone o ON o.id = r.id JOIN p_items i ON i.record_id = r.id,
        LATERAL (VALUES
            (fund_copy_of(i.school, i.received_on, i.written_off_on, i.source,
                          o.age_rating, o.language, o.year, -1)),
            (fund_copy_of(i.school, i.received_on, i.written_off_on, i.source,
                          r.age_rating, r.language, r.year, 1))) x(c)
        WHERE (o.age_rating, o.language, stat_year_bucket(o.year))
              IS DISTINCT FROM (r.age_rating, r.language, stat_year_bucket(r.year));
    END IF;
    IF copies IS NOT NULL THEN PERFORM fund_add(copies); END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER p_records_fund_insert AFTER INSERT ON p_records
    REFERENCING NEW TABLE AS came FOR EACH STATEMENT EXECUTE FUNCTION fund_records_changed();
CREATE TRIGGER p_records_fund_update AFTER UPDATE ON p_records
    REFERENCING OLD TABLE AS gone NEW TABLE AS came
    FOR EACH STATEMENT EXECUTE FUNCTION fund_records_changed();

-- The copies projected so far.
SELECT fund_add(array_agg(fund_copy_of(i.school, i.received_on, i.written_off_on, i.source,
                                        r.age_rating, r.language, r.year, 1)))
FROM p_items i LEFT JOIN p_records r ON r.id = i.record_id;

-- The visits derived from loans (0013), kept by increments instead of
-- recounts. visit_days_recount counted again the distinct readers of every
-- (school, day) a statement touched: a pass over all the loans and returns
-- of that school and day for each batch of events. In the circulation
-- benchmark (32 desks, 20 schools, one day) the monitoring consumer's
-- batches of 600 events took 170 ms to 1 s, the visit trigger most of it
-- (72 of 120 ms in EXPLAIN ANALYZE at 2,500 loans a school), and the
-- consumer spent 0.94 ms of PostgreSQL CPU per checkout or return, as much
-- as circulation itself; on a textbook issue day (a whole school in one
-- day) it would have grown with the day.
--
-- Now p_visit_reader_days keeps, per school, day and reader, how many loans
-- and returns that reader had that day (n), and p_visit_days.readers moves
-- by one when a reader's n leaves or reaches zero: the work of a statement
-- is that of the rows it changed.
CREATE TABLE p_visit_reader_days (
    school    text NOT NULL,
    day       date NOT NULL,
    reader_id text NOT NULL,
    n         int NOT NULL,
    PRIMARY KEY (school, day, reader_id)
);
INSERT INTO p_visit_reader_days (school, day, reader_id, n)
SELECT school, day, reader_id, count(*) FROM (
    SELECT school, reader_id, created_at::date AS day FROM p_loans
    UNION ALL
    SELECT school, reader_id, returned_at::date FROM p_loans WHERE returned_at IS NOT NULL) a
WHERE school IS NOT NULL AND reader_id IS NOT NULL AND day IS NOT NULL
GROUP BY school, day, reader_id;

-- a day's count passes through zero inside visit_days_apply, which then
-- deletes the rows left at zero or below
ALTER TABLE p_visit_days DROP CONSTRAINT p_visit_days_readers_check;

CREATE TYPE visit_move AS (school text, day date, reader_id text, d int);
CREATE TYPE visit_moved AS (school text, day date, reader_id text, d int, n int);

-- Applies the moves: each (school, day, reader) by the sum of its d, and
-- each (school, day) by the readers whose count left or reached zero. Rows
-- in key order, so that concurrent consumers lock them in the same order.
CREATE FUNCTION visit_days_apply(moves visit_move[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    moved visit_moved[]; -- each (school, day, reader) moved: d, and n after
BEGIN
    WITH m AS (
        SELECT school, day, reader_id, sum(d)::int AS d FROM unnest(moves)
        WHERE school IS NOT NULL AND day IS NOT NULL AND reader_id IS NOT NULL
        GROUP BY school, day, reader_id HAVING sum(d) <> 0
    ), up AS (
        INSERT INTO p_visit_reader_days AS v (school, day, reader_id, n)
        SELECT school, day, reader_id, d FROM m ORDER BY school, day, reader_id
        ON CONFLICT (school, day, reader_id) DO UPDATE SET n = v.n + EXCLUDED.n
        RETURNING v.school, v.day, v.reader_id, v.n
    )
    SELECT array_agg(ROW(m.school, m.day, m.reader_id, m.d, up.n)::visit_moved) INTO moved
    FROM m JOIN up USING (school, day, reader_id);
    IF moved IS NULL THEN RETURN; END IF;

    -- a reader whose count reached zero from below adds one, one whose
    -- count fell to zero takes one away
    INSERT INTO p_visit_days AS v (school, day, readers)
    SELECT school, day, dr FROM (
        SELECT school, day, sum(CASE WHEN n > 0 AND n - d <= 0 THEN 1
                                     WHEN n <= 0 AND n - d > 0 THEN -1 ELSE 0 END)::int AS dr
        FROM unnest(moved) GROUP BY school, day) c
    WHERE dr <> 0
    ORDER BY school, day
    ON CONFLICT (school, day) DO UPDATE SET readers = v.readers + EXCLUDED.readers;

    DELETE FROM p_visit_reader_days v USING unnest(moved) m
    WHERE v.school = m.school AND v.day = m.day AND v.reader_id = m.reader_id AND v.n <= 0;
    DELETE FROM p_visit_days v USING (SELECT DISTINCT school, day FROM unnest(moved)) m
    WHERE v.school = m.school AND v.day = m.day AND v.readers <= 0;
END
$$;

-- The days of the loans a statement inserted, updated or deleted: the old
-- rows' loan and return days out, the new rows' in.
CREATE OR REPLACE FUNCTION visit_days_loans_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moves visit_move[] := '{}';
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        moves := moves || ARRAY(SELECT ROW(g.school, x.day, g.reader_id, -1)::visit_move
                                FROM gone g, LATERAL (VALUES (g.created_at::date),
                                                             (g.returned_at::date)) x(day));
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        moves := moves || ARRAY(SELECT ROW(c.school, x.day, c.reader_id, 1)::visit_move
                                FROM came c, LATERAL (VALUES (c.created_at::date),
                                                             (c.returned_at::date)) x(day));
    END IF;
    IF cardinality(moves) > 0 THEN PERFORM visit_days_apply(moves); END IF;
    RETURN NULL;
END
$$;

DROP FUNCTION visit_days_recount(jsonb);

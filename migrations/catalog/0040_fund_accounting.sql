-- Fund accounting (учёт библиотечного фонда, issue 16): receipt acts that
-- create copies with inventory numbers, write-off acts, and the summary
-- register and inventory book read from them. Money is numeric (roubles with
-- kopecks) in items.price and bigint kopecks in the acts: never a float.

-- The kind of a record as the summary register counts it.
CREATE FUNCTION fund_kind(record_type text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE record_type
        WHEN 'textbook' THEN 'textbooks'
        WHEN 'periodical' THEN 'periodicals'
        WHEN 'e-resource' THEN 'e_resources'
        WHEN 'multimedia' THEN 'e_resources'
        ELSE 'books' END
$$;

-- The section of the register for a BBK index: the 8x classes (language,
-- literature, art, religion, philosophy, psychology) by their two digits,
-- the others by their first; 'other' when there is no index or it is none of
-- these (a children's-literature letter index, for one).
CREATE FUNCTION bbk_section(bbk text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN bbk ~ '^\s*8[1345678]' THEN substring(bbk FROM '^\s*(8[0-9])')
        WHEN bbk ~ '^\s*[1-79]' THEN substring(bbk FROM '^\s*([0-9])')
        ELSE 'other' END
$$;

-- The last inventory number given in each school. Numbers only grow: a
-- written-off copy's number is never given again.
CREATE TABLE inventory_counters (
    school text PRIMARY KEY,
    last   bigint NOT NULL CHECK (last >= 0)
);

-- Barcodes of the copies a receipt creates: EAN-13 in the 2xx range that
-- GS1 leaves for internal use, from one sequence for the network.
CREATE SEQUENCE item_barcode_seq;

CREATE FUNCTION ean13_check(digits text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT ((10 - (sum(substr(digits, k, 1)::int * CASE WHEN k % 2 = 0 THEN 3 ELSE 1 END) % 10)) % 10)::text
    FROM generate_series(1, 12) k
$$;

-- The next barcode no item has (a barcode typed in by hand may have taken one).
CREATE FUNCTION next_item_barcode() RETURNS text LANGUAGE plpgsql AS $$
DECLARE b text;
BEGIN
    LOOP
        b := '2' || lpad(nextval('item_barcode_seq')::text, 11, '0');
        b := b || ean13_check(b);
        EXIT WHEN NOT EXISTS (SELECT 1 FROM items WHERE barcode = b);
    END LOOP;
    RETURN b;
END $$;

CREATE TABLE receipts (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school           text NOT NULL,
    number           text NOT NULL CHECK (length(number) BETWEEN 1 AND 64),
    received_on      date NOT NULL,
    source           text NOT NULL
                     CHECK (source IN ('budget', 'gift', 'grant', 'replacement', 'exchange')),
    grant_project_id uuid,
    supplier         text CHECK (length(supplier) <= 500),
    note             text CHECK (length(note) <= 2000),
    copies           int NOT NULL CHECK (copies > 0),
    sum_kopecks      bigint NOT NULL CHECK (sum_kopecks >= 0),
    created_by       text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((source = 'grant') = (grant_project_id IS NOT NULL))
);
-- a document number once per school and year
CREATE UNIQUE INDEX receipts_number ON receipts (school, number, date_part('year', received_on));
CREATE INDEX receipts_school_date ON receipts (school, received_on);

CREATE TABLE receipt_lines (
    receipt_id    uuid NOT NULL REFERENCES receipts (id),
    line_no       int NOT NULL CHECK (line_no > 0),
    record_id     uuid NOT NULL REFERENCES records (id),
    copies        int NOT NULL CHECK (copies BETWEEN 1 AND 10000),
    price_kopecks bigint NOT NULL CHECK (price_kopecks BETWEEN 0 AND 1000000000),
    first_number  bigint NOT NULL,
    last_number   bigint NOT NULL,
    PRIMARY KEY (receipt_id, line_no)
);

CREATE TABLE write_offs (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school         text NOT NULL,
    number         text NOT NULL CHECK (length(number) BETWEEN 1 AND 64),
    written_off_on date NOT NULL,
    reason         text NOT NULL
                   CHECK (reason IN ('worn', 'lost', 'outdated', 'damaged', 'lost_by_reader')),
    stocktake_id   uuid,
    note           text CHECK (length(note) <= 2000),
    copies         int NOT NULL CHECK (copies > 0),
    sum_kopecks    bigint NOT NULL CHECK (sum_kopecks >= 0),
    created_by     text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX write_offs_number ON write_offs (school, number, date_part('year', written_off_on));
CREATE INDEX write_offs_school_date ON write_offs (school, written_off_on);

ALTER TABLE items ADD COLUMN receipt_id uuid REFERENCES receipts (id);
ALTER TABLE items ADD COLUMN writeoff_id uuid REFERENCES write_offs (id);
CREATE INDEX items_receipt ON items (receipt_id) WHERE receipt_id IS NOT NULL;
CREATE INDEX items_writeoff ON items (writeoff_id) WHERE writeoff_id IS NOT NULL;

-- the item JSON gains its receipt and write-off act
CREATE OR REPLACE FUNCTION item_json(i items) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', i.id, 'record_id', i.record_id, 'school', i.school, 'barcode', i.barcode,
        'inventory_number', i.inventory_number, 'location', i.location, 'price', i.price,
        'acquired_on', i.acquired_on, 'source', i.source, 'status', i.status,
        'on_loan', i.on_loan, 'receipt_id', i.receipt_id,
        'write_off', CASE WHEN i.status = 'written_off'
                          THEN jsonb_strip_nulls(jsonb_build_object(
                               'act', i.writeoff_act, 'reason', i.writeoff_reason,
                               'at', i.written_off_at, 'id', i.writeoff_id)) END,
        'version', i.version, 'created_at', i.created_at, 'updated_at', i.updated_at))
$$;

-- Every copy as the books of record see it: when it came (its receipt's
-- date, else the date it was acquired, else the day it was entered) and
-- when it left, its kind and BBK section, its price in kopecks.
CREATE VIEW fund_items AS
SELECT i.id, i.school, i.barcode, i.inventory_number, i.record_id, i.status, i.on_loan,
       coalesce(rc.received_on, i.acquired_on, i.created_at::date) AS in_date,
       CASE WHEN i.status = 'written_off'
            THEN coalesce(w.written_off_on, i.written_off_at::date) END AS out_date,
       fund_kind(r.type) AS kind, bbk_section(r.bbk) AS section,
       coalesce(round(i.price * 100), 0)::bigint AS kopecks,
       i.receipt_id, rc.number AS receipt_number, rc.source AS receipt_source,
       i.writeoff_id, i.writeoff_act,
       coalesce(w.reason, i.writeoff_reason) AS writeoff_reason,
       r.title, r.authors, r.year, r.age_rating
FROM items i
JOIN records r ON r.id = i.record_id
LEFT JOIN receipts rc ON rc.id = i.receipt_id
LEFT JOIN write_offs w ON w.id = i.writeoff_id;

-- copies and kopecks of a set of fund_items rows, in total, by kind and by section
CREATE FUNCTION fund_tally(rows jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object(
        'copies', coalesce(sum((x->>'n')::bigint), 0),
        'sum_kopecks', coalesce(sum((x->>'k')::bigint), 0),
        'by_kind', coalesce((SELECT jsonb_object_agg(kk, jsonb_build_object('copies', n, 'sum_kopecks', k))
                             FROM (SELECT y->>'kind' kk, sum((y->>'n')::bigint) n, sum((y->>'k')::bigint) k
                                   FROM jsonb_array_elements(rows) y GROUP BY 1) a), '{}'),
        'by_section', coalesce((SELECT jsonb_object_agg(ss, jsonb_build_object('copies', n, 'sum_kopecks', k))
                                FROM (SELECT y->>'section' ss, sum((y->>'n')::bigint) n, sum((y->>'k')::bigint) k
                                      FROM jsonb_array_elements(rows) y GROUP BY 1) a), '{}'))
    FROM jsonb_array_elements(rows) x
$$;

-- The summary register (книга суммарного учёта) of a school for a year:
-- part 1 the receipts, part 2 the write-offs, part 3 the movement.
CREATE FUNCTION fund_register(p_school text, p_year int) RETURNS jsonb LANGUAGE sql STABLE AS $$
WITH f AS (
    SELECT * FROM fund_items WHERE school = p_school
), g AS ( -- per kind and section, so that tallies aggregate small rows
    SELECT in_date, out_date, receipt_id, receipt_number, receipt_source, writeoff_id,
           writeoff_act, writeoff_reason, kind, section, count(*) n, sum(kopecks) k
    FROM f GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
), y AS (
    SELECT make_date(p_year, 1, 1) AS d0, make_date(p_year, 12, 31) AS d1
), part1 AS (
    SELECT coalesce(jsonb_agg(row ORDER BY row->>'date', row->>'number'), '[]') AS rows
    FROM (SELECT jsonb_build_object('date', min(g.in_date), 'number', g.receipt_number,
                                    'receipt_id', g.receipt_id, 'source', g.receipt_source)
                 || fund_tally(jsonb_agg(jsonb_build_object('kind', kind, 'section', section,
                                                            'n', n, 'k', k))) AS row
          FROM g, y WHERE g.in_date BETWEEN y.d0 AND y.d1
          GROUP BY g.receipt_id, g.receipt_number, g.receipt_source,
                   CASE WHEN g.receipt_id IS NULL THEN g.in_date END) a
), part2 AS (
    SELECT coalesce(jsonb_agg(row ORDER BY row->>'date', row->>'number'), '[]') AS rows
    FROM (SELECT jsonb_build_object('date', min(g.out_date), 'number', g.writeoff_act,
                                    'write_off_id', g.writeoff_id, 'reason', min(g.writeoff_reason))
                 || fund_tally(jsonb_agg(jsonb_build_object('kind', kind, 'section', section,
                                                            'n', n, 'k', k))) AS row
          FROM g, y WHERE g.out_date BETWEEN y.d0 AND y.d1
          GROUP BY g.writeoff_id, g.writeoff_act) a
), t AS (
    SELECT
      (SELECT jsonb_agg(jsonb_build_object('kind', kind, 'section', section, 'n', n, 'k', k))
         FROM g, y WHERE g.in_date < y.d0 AND (g.out_date IS NULL OR g.out_date >= y.d0)) AS at_start,
      (SELECT jsonb_agg(jsonb_build_object('kind', kind, 'section', section, 'n', n, 'k', k))
         FROM g, y WHERE g.in_date BETWEEN y.d0 AND y.d1) AS received,
      (SELECT jsonb_agg(jsonb_build_object('kind', kind, 'section', section, 'n', n, 'k', k))
         FROM g, y WHERE g.out_date BETWEEN y.d0 AND y.d1) AS written_off,
      (SELECT jsonb_agg(jsonb_build_object('kind', kind, 'section', section, 'n', n, 'k', k))
         FROM g, y WHERE g.in_date <= y.d1 AND (g.out_date IS NULL OR g.out_date > y.d1)) AS at_end
)
SELECT jsonb_build_object(
    'school', p_school, 'year', p_year,
    'part1', jsonb_build_object('receipts', part1.rows,
                                'total', fund_tally(coalesce(t.received, '[]'))),
    'part2', jsonb_build_object('write_offs', part2.rows,
                                'total', fund_tally(coalesce(t.written_off, '[]'))),
    'part3', jsonb_build_object(
        'at_start', fund_tally(coalesce(t.at_start, '[]')),
        'received', fund_tally(coalesce(t.received, '[]')),
        'written_off', fund_tally(coalesce(t.written_off, '[]')),
        'at_end', fund_tally(coalesce(t.at_end, '[]'))))
FROM part1, part2, t
$$;

-- A receipt as the API shows it; its copies too when with_items.
CREATE FUNCTION receipt_json(p_id uuid, with_items boolean) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', r.id, 'school', r.school, 'number', r.number, 'date', r.received_on,
        'source', r.source, 'grant_project_id', r.grant_project_id, 'supplier', r.supplier,
        'note', r.note, 'copies', r.copies, 'sum_kopecks', r.sum_kopecks,
        'created_at', r.created_at,
        'lines', (SELECT jsonb_agg(jsonb_build_object(
                      'line_no', l.line_no, 'record_id', l.record_id, 'copies', l.copies,
                      'price_kopecks', l.price_kopecks, 'sum_kopecks', l.copies * l.price_kopecks,
                      'first_number', l.first_number::text, 'last_number', l.last_number::text)
                      ORDER BY l.line_no)
                  FROM receipt_lines l WHERE l.receipt_id = r.id),
        'items', CASE WHEN with_items THEN
                      (SELECT jsonb_agg(jsonb_build_object(
                           'id', i.id, 'record_id', i.record_id, 'barcode', i.barcode,
                           'inventory_number', i.inventory_number, 'source', i.source)
                           ORDER BY i.inventory_number::bigint)
                       FROM items i WHERE i.receipt_id = r.id) END))
    FROM receipts r WHERE r.id = p_id
$$;

-- Accepts a validated receipt (p: number, date, source, grant_project_id,
-- supplier, note, lines [{record_id, copies, price_kopecks}]) for a school:
-- the act, its lines with their inventory numbers, and one item per copy.
-- The school's counter row is the lock that keeps its numbers in sequence.
-- Answers the receipt's JSON with its items (read here, where the new rows
-- are in view: a STABLE function in the calling statement would not see them).
CREATE FUNCTION receipt_accept(p_school text, p jsonb, p_by text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    total int;
    base bigint;
    rid uuid;
BEGIN
    SELECT sum((v->>'copies')::int) INTO total FROM jsonb_array_elements(p->'lines') v;
    INSERT INTO inventory_counters AS c (school, last)
    VALUES (p_school, coalesce((SELECT max(inventory_number::bigint) FROM items
                                WHERE school = p_school AND inventory_number ~ '^[0-9]{1,15}$'), 0)
                      + total)
    ON CONFLICT (school) DO UPDATE SET last = greatest(c.last + total, EXCLUDED.last)
    RETURNING c.last - total INTO base;

    INSERT INTO receipts (school, number, received_on, source, grant_project_id, supplier, note,
                          copies, sum_kopecks, created_by)
    SELECT p_school, p->>'number', (p->>'date')::date, p->>'source',
           (p->>'grant_project_id')::uuid, p->>'supplier', p->>'note', total,
           (SELECT sum((v->>'copies')::bigint * (v->>'price_kopecks')::bigint)
              FROM jsonb_array_elements(p->'lines') v), p_by
    RETURNING id INTO rid;

    INSERT INTO receipt_lines (receipt_id, line_no, record_id, copies, price_kopecks,
                               first_number, last_number)
    SELECT rid, l.ord, (l.v->>'record_id')::uuid, (l.v->>'copies')::int,
           (l.v->>'price_kopecks')::bigint,
           base + sum((l.v->>'copies')::int) OVER w - (l.v->>'copies')::int + 1,
           base + sum((l.v->>'copies')::int) OVER w
    FROM jsonb_array_elements(p->'lines') WITH ORDINALITY l(v, ord)
    WINDOW w AS (ORDER BY l.ord);

    INSERT INTO items (record_id, school, barcode, inventory_number, price, acquired_on, source,
                       receipt_id)
    SELECT l.record_id, p_school, next_item_barcode(), (l.first_number + k)::text,
           l.price_kopecks::numeric / 100, (p->>'date')::date,
           CASE p->>'source' WHEN 'gift' THEN 'gift' WHEN 'budget' THEN 'purchase'
                             WHEN 'grant' THEN 'purchase' END, rid
    FROM receipt_lines l, generate_series(0, l.copies - 1) k
    WHERE l.receipt_id = rid ORDER BY l.line_no, k;
    RETURN receipt_json(rid, true);
END $$;

-- A write-off act as the API shows it, with its copies.
CREATE FUNCTION write_off_json(p_id uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', w.id, 'school', w.school, 'number', w.number, 'date', w.written_off_on,
        'reason', w.reason, 'stocktake_id', w.stocktake_id, 'note', w.note,
        'copies', w.copies, 'sum_kopecks', w.sum_kopecks, 'created_at', w.created_at,
        'items', (SELECT jsonb_agg(jsonb_build_object(
                      'id', i.id, 'record_id', i.record_id, 'barcode', i.barcode,
                      'inventory_number', i.inventory_number,
                      'price_kopecks', coalesce(round(i.price * 100), 0)::bigint)
                      ORDER BY i.inventory_number, i.barcode)
                  FROM items i WHERE i.writeoff_id = w.id)))
    FROM write_offs w WHERE w.id = p_id
$$;

-- Writes off the copies with these barcodes by one act of p_school, or
-- changes nothing and answers {"problems": [{line, barcode, problem}]}: a
-- barcode no copy has (unknown), given twice (duplicate), of another school
-- (other_school), already written off (written_off) or on loan (on_loan).
-- Answers {"id": act} when done. The copies are locked first, in id order.
CREATE FUNCTION write_off_accept(p_school text, p jsonb, p_barcodes text[], p_by text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    problems jsonb;
    wid uuid;
BEGIN
    PERFORM 1 FROM items WHERE barcode = ANY (p_barcodes) ORDER BY id FOR NO KEY UPDATE;
    SELECT jsonb_agg(jsonb_build_object('line', x.ord, 'barcode', x.b, 'problem', x.problem)
                     ORDER BY x.ord)
    INTO problems
    FROM (SELECT u.ord, u.b,
                 CASE WHEN i.id IS NULL THEN 'unknown'
                      WHEN row_number() OVER (PARTITION BY u.b ORDER BY u.ord) > 1 THEN 'duplicate'
                      WHEN i.school <> p_school THEN 'other_school'
                      WHEN i.status = 'written_off' THEN 'written_off'
                      WHEN i.on_loan THEN 'on_loan' END AS problem
          FROM unnest(p_barcodes) WITH ORDINALITY u(b, ord)
          LEFT JOIN items i ON i.barcode = u.b) x
    WHERE x.problem IS NOT NULL;
    IF problems IS NOT NULL THEN
        RETURN jsonb_build_object('problems', problems);
    END IF;

    INSERT INTO write_offs (school, number, written_off_on, reason, stocktake_id, note, copies,
                            sum_kopecks, created_by)
    SELECT p_school, p->>'number', (p->>'date')::date, p->>'reason',
           (p->>'stocktake_id')::uuid, p->>'note', count(*),
           coalesce(sum(round(i.price * 100)), 0)::bigint, p_by
    FROM items i WHERE i.barcode = ANY (p_barcodes)
    RETURNING id INTO wid;

    UPDATE items SET status = 'written_off', writeoff_act = p->>'number',
                     writeoff_reason = p->>'reason', written_off_at = now(), writeoff_id = wid,
                     version = version + 1, updated_at = now()
    WHERE barcode = ANY (p_barcodes);
    RETURN jsonb_build_object('id', wid);
END $$;

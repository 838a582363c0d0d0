-- Stocktaking (проверка фонда, issue 16): a check of a school's fund, whole
-- or one kind or BBK section, by scanning the copies on the shelves. Closing
-- it compares the scans with the copies the school should have.
CREATE TABLE stocktakes (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school       text NOT NULL,
    kind         text CHECK (kind IN ('books', 'textbooks', 'e_resources', 'periodicals')),
    section      text CHECK (length(section) BETWEEN 1 AND 8),
    state        text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    note         text CHECK (length(note) <= 2000),
    created_by   text NOT NULL DEFAULT '',
    opened_at    timestamptz NOT NULL DEFAULT now(),
    closed_at    timestamptz,
    report       jsonb,
    write_off_id uuid REFERENCES write_offs (id),
    CHECK ((state = 'closed') = (closed_at IS NOT NULL))
);
-- one open check of the same part of a school's fund at a time
CREATE UNIQUE INDEX stocktakes_one_open ON stocktakes (school, coalesce(kind, ''), coalesce(section, ''))
    WHERE state = 'open';
CREATE INDEX stocktakes_school ON stocktakes (school, opened_at);

-- a barcode scanned during a check, and how many times
CREATE TABLE stocktake_scans (
    stocktake_id uuid NOT NULL REFERENCES stocktakes (id),
    barcode      text NOT NULL,
    scans        int NOT NULL DEFAULT 1,
    first_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (stocktake_id, barcode)
);

CREATE FUNCTION stocktake_json(s stocktakes) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', s.id, 'school', s.school, 'kind', s.kind, 'section', s.section, 'state', s.state,
        'note', s.note, 'opened_at', s.opened_at, 'closed_at', s.closed_at,
        'scanned', (SELECT count(*) FROM stocktake_scans c WHERE c.stocktake_id = s.id),
        'report', s.report, 'write_off_id', s.write_off_id))
$$;

-- Why a scanned barcode was not expected by the check of st, or NULL when it was.
CREATE FUNCTION stocktake_surprise(st stocktakes, f fund_items) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN f.id IS NULL THEN 'unknown'
                WHEN f.school <> st.school THEN 'other_school'
                WHEN f.status = 'written_off' THEN 'written_off'
                WHEN (st.kind IS NOT NULL AND f.kind <> st.kind)
                  OR (st.section IS NOT NULL AND f.section <> st.section) THEN 'out_of_scope' END
$$;

-- Records the barcodes of one request (in order; a barcode may come twice)
-- and answers {"recorded", "repeated", "notes": [{line, barcode, note}]}:
-- the barcodes new to the check, those scanned before, and the first
-- 1000 that the check does not expect, with why.
CREATE FUNCTION stocktake_scan(p_id uuid, p_barcodes text[], p_lines int[]) RETURNS jsonb
LANGUAGE sql AS $$
WITH st AS (
    SELECT * FROM stocktakes WHERE id = p_id
), input AS (
    SELECT u.b, min(u.line) AS line, count(*) AS n
    FROM unnest(p_barcodes, p_lines) u(b, line) GROUP BY u.b
), ins AS (
    INSERT INTO stocktake_scans AS s (stocktake_id, barcode, scans)
    SELECT p_id, b, n FROM input
    ON CONFLICT (stocktake_id, barcode) DO UPDATE SET scans = s.scans + EXCLUDED.scans
    RETURNING (xmax = 0) AS fresh
), notes AS (
    SELECT input.line, input.b, stocktake_surprise(st, f) AS note
    FROM st, input LEFT JOIN fund_items f ON f.barcode = input.b
)
SELECT jsonb_build_object(
    'recorded', (SELECT count(*) FROM ins WHERE fresh),
    'repeated', cardinality(p_barcodes) - (SELECT count(*) FROM ins WHERE fresh),
    'notes', coalesce((SELECT jsonb_agg(jsonb_build_object('line', line, 'barcode', b, 'note', note)
                                        ORDER BY line)
                       FROM (SELECT * FROM notes WHERE note IS NOT NULL ORDER BY line LIMIT 1000) n),
                      '[]'),
    'not_expected', (SELECT count(*) FROM notes WHERE note IS NOT NULL))
$$;

-- Closes the check: the report of what was expected and found, missing
-- (neither scanned nor on loan), on loan, and scanned but not expected.
CREATE FUNCTION stocktake_close(p_id uuid) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    st stocktakes;
    rep jsonb;
BEGIN
    SELECT * INTO st FROM stocktakes WHERE id = p_id FOR UPDATE;
    WITH exp AS (
        SELECT f.*, EXISTS (SELECT 1 FROM stocktake_scans c
                            WHERE c.stocktake_id = p_id AND c.barcode = f.barcode) AS scanned
        FROM fund_items f
        WHERE f.school = st.school AND f.status <> 'written_off'
          AND (st.kind IS NULL OR f.kind = st.kind)
          AND (st.section IS NULL OR f.section = st.section)
    ), surprise AS (
        SELECT c.barcode, f.id, f.school, stocktake_surprise(st, f) AS why
        FROM stocktake_scans c LEFT JOIN fund_items f ON f.barcode = c.barcode
        WHERE c.stocktake_id = p_id
    )
    SELECT jsonb_build_object(
        'expected', (SELECT count(*) FROM exp),
        'scanned', (SELECT count(*) FROM stocktake_scans c WHERE c.stocktake_id = p_id),
        'found', (SELECT count(*) FROM exp WHERE scanned),
        'missing', (SELECT jsonb_build_object(
                        'copies', count(*), 'sum_kopecks', coalesce(sum(kopecks), 0),
                        'items', coalesce(jsonb_agg(jsonb_build_object(
                            'id', id, 'barcode', barcode, 'inventory_number', inventory_number,
                            'record_id', record_id, 'title', title, 'price_kopecks', kopecks)
                            ORDER BY inventory_number, barcode), '[]'))
                    FROM exp WHERE NOT scanned AND NOT on_loan),
        'on_loan', (SELECT jsonb_build_object(
                        'copies', count(*),
                        'items', coalesce(jsonb_agg(jsonb_build_object(
                            'id', id, 'barcode', barcode, 'inventory_number', inventory_number,
                            'record_id', record_id, 'title', title)
                            ORDER BY inventory_number, barcode), '[]'))
                    FROM exp WHERE NOT scanned AND on_loan),
        'not_expected', (SELECT jsonb_build_object(
                        'copies', count(*),
                        'items', coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                            'barcode', barcode, 'id', id, 'school', school, 'reason', why))
                            ORDER BY barcode), '[]'))
                    FROM surprise WHERE why IS NOT NULL))
    INTO rep;
    UPDATE stocktakes SET state = 'closed', closed_at = now(), report = rep WHERE id = p_id
    RETURNING stocktake_json(stocktakes) INTO rep;
    RETURN rep;
END $$;

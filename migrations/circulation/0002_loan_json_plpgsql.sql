-- loan_json as PL/pgSQL: a LANGUAGE sql function with a sub-select is not
-- inlined, and PostgreSQL 15 then parses and plans its body again on every
-- execution of the statement that calls it (every checkout and checkin did);
-- PL/pgSQL keeps the plan for the connection's lifetime.
CREATE OR REPLACE FUNCTION loan_json(l loans) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN jsonb_strip_nulls(jsonb_build_object(
        'id', l.id, 'item_id', l.item_id,
        'barcode', (SELECT i.barcode FROM items i WHERE i.id = l.item_id),
        'record_id', l.record_id, 'school', l.school, 'reader_id', l.reader_id,
        'kind', l.kind, 'class_set_id', l.class_set_id, 'transfer_id', l.transfer_id,
        'loaned_at', l.loaned_at, 'due_date', l.due_date, 'renewals', l.renewals,
        'returned_at', l.returned_at,
        'overdue', l.returned_at IS NULL AND l.due_date < current_date,
        'days_overdue', CASE WHEN l.returned_at IS NULL AND l.due_date < current_date
                             THEN current_date - l.due_date END));
END $$;

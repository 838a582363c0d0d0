-- A write-off and a checkout of the same copy could both succeed. The
-- catalog's act checked its own `on_loan` (fed by this service's loan
-- events) and this service checked its projection's status (fed by the
-- catalog's item events): a copy lent a moment before the act, or lent
-- before the act's event arrived, was both written off and on loan. The
-- catalog now asks this service to withdraw the act's copies inside the
-- act's transaction (items.withdraw, services/circulation/withdraw.c): here,
-- under the same row locks a checkout takes, a copy on loan or in a transfer
-- between schools refuses the act, and any other is marked written off at
-- once. The copy remembers the act (withdrawn_by) and its status before
-- (status_before) until the catalog's written_off event confirms the act;
-- meanwhile the catalog's older word on the copy (a first lookup that read
-- before the act committed) does not make it lendable again. An act the
-- catalog did not commit is undone by items.restore, or by the reconciling
-- job that asks the catalog about copies withdrawn for longer than a few
-- minutes.
ALTER TABLE items ADD COLUMN withdrawn_by uuid,
                  ADD COLUMN withdrawn_at timestamptz,
                  ADD COLUMN status_before text;
CREATE INDEX items_withdrawn ON items (withdrawn_at) WHERE withdrawn_by IS NOT NULL;

-- Withdraws the copies p_items ([{id, record_id, school, barcode}]) for the
-- write-off act p_by, or changes nothing and answers {"problems": [{barcode,
-- problem}]} (on_loan, in_transfer). A copy the projection does not know yet
-- is added first, so that a checkout that meets it waits for this
-- transaction. Answers {"withdrawn": n}. Writers of one barcode take turns
-- (the advisory lock of store_items.c), in barcode order; rows are locked in
-- id order.
CREATE FUNCTION items_withdraw(p_by uuid, p_items jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    ids uuid[];
    problems jsonb;
    n int;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(b, 4))
        FROM (SELECT DISTINCT x->>'barcode' AS b FROM jsonb_array_elements(p_items) x
              WHERE x->>'barcode' IS NOT NULL ORDER BY 1) s;
    INSERT INTO items (id, record_id, school, barcode, status)
        SELECT (x->>'id')::uuid, (x->>'record_id')::uuid, x->>'school', x->>'barcode', 'available'
        FROM jsonb_array_elements(p_items) x
        ON CONFLICT DO NOTHING;
    ids := ARRAY(SELECT (x->>'id')::uuid FROM jsonb_array_elements(p_items) x);
    PERFORM 1 FROM items WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    SELECT jsonb_agg(jsonb_build_object('barcode', p.barcode, 'problem', p.problem)
                     ORDER BY p.barcode)
      INTO problems
      FROM (SELECT i.barcode,
                   CASE WHEN EXISTS (SELECT 1 FROM loans l
                                     WHERE l.item_id = i.id AND l.returned_at IS NULL)
                        THEN 'on_loan'
                        WHEN EXISTS (SELECT 1 FROM transfers t WHERE t.item_id = i.id
                                     AND t.state IN ('approved', 'shipped', 'received'))
                        THEN 'in_transfer' END AS problem
            FROM items i WHERE i.id = ANY (ids)) p
     WHERE p.problem IS NOT NULL;
    IF problems IS NOT NULL THEN
        RETURN jsonb_build_object('problems', problems);
    END IF;
    UPDATE items SET status_before = CASE WHEN withdrawn_by IS NULL THEN status ELSE status_before END,
                     status = 'written_off', withdrawn_by = p_by, withdrawn_at = now()
     WHERE id = ANY (ids);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN jsonb_build_object('withdrawn', n);
END $$;

-- Undoes items_withdraw for the act p_by (the catalog did not commit it):
-- each copy gets back its status. Answers how many.
CREATE FUNCTION items_restore(p_by uuid) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    n int;
BEGIN
    UPDATE items SET status = coalesce(status_before, 'available'), status_before = NULL,
                     withdrawn_by = NULL, withdrawn_at = NULL
     WHERE withdrawn_by = p_by;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

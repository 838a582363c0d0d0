-- A record blocked by the federal list of extremist materials (0060) is, to
-- an OAI-PMH harvester, a deleted record: the block announces its deletion
-- (every harvester of its sets drops it), lifting the block announces it
-- again. oai_touch keeps a blocked record deleted when it changes later.
CREATE OR REPLACE FUNCTION oai_touch(ids uuid[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO oai_records AS o (record_id, datestamp, deleted, sets, sets_ever)
    SELECT r.id, now(), b.record_id IS NOT NULL,
           CASE WHEN b.record_id IS NULL THEN oai_sets(r.type, h.schools) ELSE '{}' END,
           oai_sets(r.type, h.schools)
      FROM records r LEFT JOIN record_holdings h ON h.record_id = r.id
      LEFT JOIN extremist_blocked b ON b.record_id = r.id
     WHERE r.id = ANY (ids)
    ON CONFLICT (record_id) DO UPDATE
       SET datestamp = excluded.datestamp, deleted = excluded.deleted, sets = excluded.sets,
           sets_ever = ARRAY(SELECT DISTINCT x FROM unnest(o.sets_ever || excluded.sets_ever) x
                             ORDER BY 1)
$$;

CREATE FUNCTION oai_blocks_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM oai_touch(ARRAY(SELECT record_id FROM changed_blocks));
    RETURN NULL;
END $$;

CREATE TRIGGER oai_blocks_ins AFTER INSERT ON extremist_blocked
    REFERENCING NEW TABLE AS changed_blocks FOR EACH STATEMENT EXECUTE FUNCTION oai_blocks_changed();
CREATE TRIGGER oai_blocks_del AFTER DELETE ON extremist_blocked
    REFERENCING OLD TABLE AS changed_blocks FOR EACH STATEMENT EXECUTE FUNCTION oai_blocks_changed();

-- the records blocked already
SELECT oai_touch(ARRAY(SELECT record_id FROM extremist_blocked));

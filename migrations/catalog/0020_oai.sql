-- OAI-PMH (issue 15): a datestamp for every change of a record, and the
-- records deleted or merged away kept for good as tombstones ("deletedRecord:
-- persistent"). One row per record the catalog ever had; a harvest walks
-- (datestamp, record_id) in order. Triggers keep it, so no write path of the
-- catalog (REST, MARC import, merge, items) can forget it.
CREATE TABLE oai_records (
    record_id uuid PRIMARY KEY,                   -- no foreign key: it outlives the record
    datestamp timestamptz NOT NULL DEFAULT now(), -- the last change (or the deletion)
    deleted   boolean NOT NULL DEFAULT false,
    sets      text[] NOT NULL DEFAULT '{}',       -- its sets now: 'textbooks', 'school:<id>'
    sets_ever text[] NOT NULL DEFAULT '{}'        -- every set it was in: a tombstone is
                                                  -- announced to each of their harvesters
);
CREATE INDEX oai_records_harvest ON oai_records (datestamp, record_id);

-- The sets of a record: 'textbooks' for a textbook, 'school:<id>' for each
-- school holding a copy.
CREATE FUNCTION oai_sets(type text, schools text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN type = 'textbook' THEN ARRAY['textbooks'] ELSE '{}'::text[] END ||
           ARRAY(SELECT 'school:' || s FROM unnest(coalesce(schools, '{}')) s ORDER BY 1)
$$;

-- A new datestamp and the current sets for the given live records.
CREATE FUNCTION oai_touch(ids uuid[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO oai_records AS o (record_id, datestamp, deleted, sets, sets_ever)
    SELECT r.id, now(), false, oai_sets(r.type, h.schools), oai_sets(r.type, h.schools)
      FROM records r LEFT JOIN record_holdings h ON h.record_id = r.id
     WHERE r.id = ANY (ids)
    ON CONFLICT (record_id) DO UPDATE
       SET datestamp = excluded.datestamp, deleted = false, sets = excluded.sets,
           sets_ever = ARRAY(SELECT DISTINCT x FROM unnest(o.sets_ever || excluded.sets) x
                             ORDER BY 1)
$$;

CREATE FUNCTION oai_records_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM oai_touch(ARRAY(SELECT id FROM changed_records));
    RETURN NULL;
END $$;

CREATE FUNCTION oai_records_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE oai_records o SET datestamp = now(), deleted = true, sets = '{}'
      FROM old_records d WHERE o.record_id = d.id;
    RETURN NULL;
END $$;

-- a copy arriving in a school or leaving it changes the record's sets
CREATE FUNCTION oai_holdings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM oai_touch(ARRAY(SELECT n.record_id FROM new_holdings n JOIN old_holdings o USING (record_id)
                             WHERE n.schools IS DISTINCT FROM o.schools));
    RETURN NULL;
END $$;

CREATE TRIGGER oai_records_ins AFTER INSERT ON records
    REFERENCING NEW TABLE AS changed_records FOR EACH STATEMENT EXECUTE FUNCTION oai_records_changed();
CREATE TRIGGER oai_records_upd AFTER UPDATE ON records
    REFERENCING NEW TABLE AS changed_records FOR EACH STATEMENT EXECUTE FUNCTION oai_records_changed();
CREATE TRIGGER oai_records_del AFTER DELETE ON records
    REFERENCING OLD TABLE AS old_records FOR EACH STATEMENT EXECUTE FUNCTION oai_records_deleted();
CREATE TRIGGER oai_holdings_upd AFTER UPDATE ON record_holdings
    REFERENCING OLD TABLE AS old_holdings NEW TABLE AS new_holdings
    FOR EACH STATEMENT EXECUTE FUNCTION oai_holdings_changed();

-- the records there are: their last change is their datestamp
INSERT INTO oai_records (record_id, datestamp, sets, sets_ever)
SELECT r.id, r.updated_at, oai_sets(r.type, h.schools), oai_sets(r.type, h.schools)
  FROM records r LEFT JOIN record_holdings h ON h.record_id = r.id;

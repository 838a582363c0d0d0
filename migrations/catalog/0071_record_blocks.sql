-- Why a record is blocked by the federal list of extremist materials, one
-- row per blocked record: the one definition that records.get (joined to the
-- record in the same statement), records.availability and the record.blocked
-- event read. Before, records.get asked for the block in a statement of its
-- own after the record's: one of the four round trips of a record by id.
CREATE VIEW record_blocks AS
SELECT b.record_id,
       jsonb_build_object('match_id', m.id, 'list_id', l.id, 'list_version', l.version,
                          'entry_number', m.number, 'court', e.court, 'since', b.since) AS why
FROM extremist_blocked b
JOIN extremist_matches m ON m.id = b.match_id
JOIN extremist_lists l ON l.id = m.list_id
JOIN extremist_entries e ON e.list_id = m.list_id AND e.number = m.number;

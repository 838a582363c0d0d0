-- pgbench: a one-word full-text search ranked as the catalog ranks it (the
-- first word of a random generated record's title, top 20 by ts_rank_cd), run
-- the same on the primary and on the standby by bench/standby/run.
\set n random(1, :records)
SELECT r.id, r.title
FROM catalog.records r,
     plainto_tsquery('russian', (SELECT split_part(title, ' ', 1) FROM catalog.records
                                 WHERE id = md5('bench-record-' || :n)::uuid)) q
WHERE r.tsv @@ q
ORDER BY ts_rank_cd('{0.05, 0.2, 0.4, 1.0}', r.tsv, q) DESC, r.id
LIMIT 20;

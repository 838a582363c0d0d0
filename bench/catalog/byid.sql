-- pgbench: the SELECT that GET /api/v1/catalog/records/{id} runs in the
-- catalog service (store.c sql_get: the record, with why the federal list
-- blocks it when it does), on the same generated records that the gateway
-- run asks for (the first 100,000, or all when fewer were generated:
-- bench/catalog/run passes their number as :ids); run with search_path
-- catalog,public as the service is (PGOPTIONS in bench/catalog/run).
\set n random(1, :ids)
SELECT CASE WHEN x.why IS NULL THEN record_json(r) ELSE record_json(r) || jsonb_build_object('extremist', x.why) END FROM records r LEFT JOIN record_blocks x ON x.record_id = r.id WHERE r.id = md5('bench-record-' || :n)::uuid;

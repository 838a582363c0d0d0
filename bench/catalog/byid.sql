-- pgbench: the SELECT that GET /api/v1/catalog/records/{id} runs in the
-- catalog service (store.c sql_get), on the same 100,000 generated records
-- that the gateway run asks for; run with search_path catalog,public as the
-- service is (PGOPTIONS in bench/catalog/run).
\set n random(1, 100000)
SELECT record_json(r) FROM records r WHERE r.id = md5('bench-record-' || :n)::uuid;

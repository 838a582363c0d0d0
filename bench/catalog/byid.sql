-- pgbench: the SELECT that GET /api/v1/catalog/records/{id} runs in the
-- catalog service (store.c sql_get), on the same generated records that the
-- gateway run asks for (the first 100,000, or all when fewer were generated:
-- bench/catalog/run passes their number as :ids); run with search_path
-- catalog,public as the service is (PGOPTIONS in bench/catalog/run).
\set n random(1, :ids)
SELECT record_json(r) FROM records r WHERE r.id = md5('bench-record-' || :n)::uuid;

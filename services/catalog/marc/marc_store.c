/* The SQL of MARC import jobs and export (see marc_store.h). Imported records
 * and items go in a batch per statement: jsonb_populate_recordset maps the
 * batch onto the columns, and the same statement writes each new row's event
 * to the outbox, so that a batch of 500 costs a handful of round trips. */
#include "marc_store.h"
#include "../store_search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs a statement whose first column of the first row is JSON, mapping "no
 * row" to IBC_ENOTFOUND with a sentence about the import id. */
static ibc_rc import_json(ibc_ctx *ctx, json_t **out, const char *sql, int n, const char *const *p,
                          const char *id)
{
    ibc_rc rc = ibc_db_json(ctx, out, sql, n, p);
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no import has id '%s'", id);
    return rc;
}

/* ------------------------------------------------------------ the API */

static const char sql_create[] =
    "INSERT INTO imports (format, syntax, charset, school, org, principal, size, expected) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7::bigint, nullif($8::int, -1)) "
    "RETURNING import_json(imports, false)";
static const char sql_file[] = "INSERT INTO import_files (import_id, data) VALUES ($1::uuid, $2)";

ibc_rc store_import_create(ibc_ctx *ctx, const char *format, const char *syntax,
                           const char *charset, const char *school, const void *data, size_t len,
                           long expected, json_t **out)
{
    char size[24], exp[24];
    snprintf(size, sizeof size, "%zu", len);
    snprintf(exp, sizeof exp, "%ld", expected < 0 ? -1 : expected);
    const char *p[] = {format, syntax, charset, school, ctx->org, ctx->principal, size, exp};
    ibc_rc rc = ibc_db_json(ctx, out, sql_create, 8, p);
    if (rc != IBC_OK) return rc;
    /* the file goes as a binary parameter: no escaping of 32 MB */
    const char *fp[] = {json_string_value(json_object_get(*out, "id")), data};
    int lens[] = {0, (int)len}, fmts[] = {0, 1};
    if (ibc_db_begin(ctx) != IBC_OK) return ctx->err; /* libpq directly: the BEGIN first */
    PGresult *r = PQexecParams(ctx->db, sql_file, 2, NULL, fp, lens, fmts, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        rc = ibc_db_rc(r);
        ibc_log(IBC_LOG_ERROR, ctx->request_id, "imports.create: storing the file failed: %s",
                PQerrorMessage(ctx->db));
        ibc_fail(ctx, rc == IBC_OK ? IBC_EDB : rc, "the file could not be stored");
    }
    PQclear(r);
    if (rc != IBC_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

static const char sql_get[] = "SELECT import_json(i, true) FROM imports i "
                              "WHERE i.id = $1::uuid AND ($2::text IS NULL OR i.org = $2)";

ibc_rc store_import_get(ibc_ctx *ctx, const char *id, const char *org, json_t **out)
{
    const char *p[] = {id, org};
    return import_json(ctx, out, sql_get, 2, p, id);
}

/* a queued job ends at once (its file goes); a running one is marked and
 * its writers end it before their next batch */
static const char sql_cancel[] =
    "WITH c AS (UPDATE imports SET status = CASE WHEN status = 'queued' THEN 'cancelled'"
    "  ELSE status END, finished_at = CASE WHEN status = 'queued' THEN now() END,"
    "  cancel_requested_at = coalesce(cancel_requested_at, now()),"
    "  cancelled_by = coalesce(cancelled_by, $3), updated_at = now()"
    " WHERE id = $1::uuid AND ($2::text IS NULL OR org = $2) AND status IN ('queued', 'running')"
    " RETURNING id, status, import_json(imports, false) AS j),"
    " f AS (DELETE FROM import_files WHERE import_id IN (SELECT id FROM c"
    "  WHERE status = 'cancelled'))"
    " SELECT j FROM c";

ibc_rc store_import_cancel(ibc_ctx *ctx, const char *id, const char *org, json_t **out)
{
    const char *p[] = {id, org, ctx->principal};
    ibc_rc rc = ibc_db_json(ctx, out, sql_cancel, 3, p);
    if (rc != IBC_ENOTFOUND) return rc;
    json_t *job = NULL; /* unknown, or already ended */
    rc = store_import_get(ctx, id, org, &job);
    if (rc == IBC_OK)
        rc = ibc_fail(ctx, IBC_ECONFLICT, "import %s has ended (%s): there is nothing to cancel",
                      id, json_string_value(json_object_get(job, "status")));
    json_decref(job);
    return rc;
}

static const char sql_cancel_asked[] =
    "SELECT json_build_object('asked', cancel_requested_at IS NOT NULL) FROM imports"
    " WHERE id = $1::uuid";

ibc_rc store_import_cancel_asked(ibc_ctx *ctx, const char *id, bool *asked)
{
    const char *p[] = {id};
    json_t *row = NULL;
    ibc_rc rc = import_json(ctx, &row, sql_cancel_asked, 1, p, id);
    *asked = rc == IBC_OK && json_is_true(json_object_get(row, "asked"));
    json_decref(row);
    return rc;
}

static const char sql_list[] =
    "WITH page AS (SELECT i AS rec, i.id, i.created_at FROM imports i"
    " WHERE ($1::text IS NULL OR i.org = $1) AND ($2::text IS NULL OR i.status = $2)"
    " AND ($3::uuid IS NULL OR (i.created_at, i.id) <"
    "      (SELECT a.created_at, a.id FROM imports a WHERE a.id = $3::uuid))"
    " ORDER BY i.created_at DESC, i.id DESC LIMIT $4::int + 1),"
    " n AS (SELECT page.*, row_number() OVER (ORDER BY created_at DESC, id DESC) AS k FROM page) "
    "SELECT json_build_object("
    " 'items', coalesce((SELECT json_agg(import_json(n.rec, false) ORDER BY n.k)"
    "   FROM n WHERE n.k <= $4::int), '[]'),"
    " 'next_cursor', (SELECT n.id FROM n WHERE n.k = $4::int"
    "   AND EXISTS (SELECT 1 FROM n m WHERE m.k > $4::int)))";

ibc_rc store_import_list(ibc_ctx *ctx, const char *org, const char *status, const char *after,
                         int limit, json_t **out)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit);
    const char *p[] = {org, status, after, lim};
    return ibc_db_json_planned(ctx, out, sql_list, 4, p);
}

/* ------------------------------------------------------------ the job */

static const char sql_pending[] =
    "SELECT coalesce(json_agg(id ORDER BY created_at), '[]') FROM imports "
    "WHERE status IN ('queued', 'running')";

ibc_rc store_import_pending(ibc_ctx *ctx, json_t **ids)
{
    return ibc_db_json(ctx, ids, sql_pending, 0, NULL);
}

/* the two-key form: a key space apart from the ISBN locks (one bigint key) */
static const char sql_lock[] =
    "SELECT pg_try_advisory_lock(hashtext('catalog.import'), hashtext($1))";
static const char sql_unlock[] =
    "SELECT pg_advisory_unlock(hashtext('catalog.import'), hashtext($1))";

ibc_rc store_import_lock(ibc_ctx *ctx, const char *id, bool *got)
{
    const char *p[] = {id};
    PGresult *r = ibc_db_exec(ctx, sql_lock, 1, p);
    if (!r) return ctx->err;
    *got = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    return IBC_OK;
}

ibc_rc store_import_unlock(ibc_ctx *ctx, const char *id)
{
    const char *p[] = {id};
    return ibc_db_run(ctx, sql_unlock, 1, p);
}

static const char sql_begin[] = "UPDATE imports SET status = 'running', attempts = attempts + 1,"
                                " started_at = coalesce(started_at, now()), updated_at = now()"
                                " WHERE id = $1::uuid AND status IN ('queued', 'running')"
                                " RETURNING row_to_json(imports)";

ibc_rc store_import_begin(ibc_ctx *ctx, const char *id, json_t **job)
{
    const char *p[] = {id};
    return import_json(ctx, job, sql_begin, 1, p, id);
}

static const char sql_load[] = "SELECT data FROM import_files WHERE import_id = $1::uuid";

ibc_rc store_import_file(ibc_ctx *ctx, const char *id, PGresult **res, const char **data,
                         size_t *len)
{
    const char *p[] = {id};
    /* binary result: the bytes as they were sent */
    PGresult *r = PQexecParams(ctx->db, sql_load, 1, NULL, p, NULL, NULL, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        ibc_rc rc = ibc_db_rc(r);
        ibc_fail(ctx, rc == IBC_OK ? IBC_EDB : rc, "the file could not be read: %s",
                 PQerrorMessage(ctx->db));
        PQclear(r);
        return ctx->err;
    }
    if (PQntuples(r) == 0) {
        PQclear(r);
        return ibc_fail(ctx, IBC_ENOTFOUND, "the uploaded file of import %s is gone", id);
    }
    *res = r;
    *data = PQgetvalue(r, 0, 0);
    *len = (size_t)PQgetlength(r, 0, 0);
    return IBC_OK;
}

/* The batch's ISBNs (the same lock and key as records.create, store.c),
 * source keys and match keys, locked in one fixed order for the transaction:
 * two writers that meet the same record wait for each other's commit. */
static const char sql_match_locks[] =
    "WITH b AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(i int, isbn text,"
    "  control_keys text[], title text, authors text[], year int, publisher text)) "
    "SELECT count(pg_advisory_xact_lock(hashtext(k))) FROM (SELECT DISTINCT k FROM ("
    " SELECT 'isbn:' || isbn AS k FROM b WHERE isbn IS NOT NULL"
    " UNION ALL SELECT 'src:' || c FROM b, unnest(b.control_keys) c"
    " UNION ALL SELECT 'key:' || record_match_key(title, authors, year, publisher) FROM b"
    "  WHERE isbn IS NULL AND record_match_key(title, authors, year, publisher) IS NOT NULL) u"
    " ORDER BY k) s";

/* Per entry i: the record it matches by the first rule that finds one, whether
 * the record holds exactly this MARC already (same) and whether it came from
 * the same source record (own); and every entry's match key. m is
 * materialised so that each entry's probes run once (inlined, they ran once
 * for the join and again for the output). */
static const char sql_match[] =
    "WITH b AS (SELECT x.*, record_match_key(x.title, x.authors, x.year, x.publisher) AS mk"
    "  FROM jsonb_to_recordset($1::jsonb) AS x(i int, isbn text, control_keys text[],"
    "  title text, authors text[], year int, publisher text, marcxml text)),"
    " m AS MATERIALIZED (SELECT b.*, coalesce("
    "  (SELECT ARRAY[r.id::text, 'isbn'] FROM records r WHERE b.isbn IS NOT NULL"
    "    AND r.isbn = b.isbn ORDER BY r.created_at LIMIT 1),"
    "  (SELECT ARRAY[s.record_id::text, 'control_number'] FROM record_sources s"
    "    WHERE s.key = ANY (b.control_keys) LIMIT 1),"
    "  (SELECT ARRAY[r.id::text, 'key'] FROM records r WHERE b.isbn IS NULL"
    "    AND b.mk IS NOT NULL AND r.match_key = b.mk ORDER BY r.created_at LIMIT 1),"
    "  (SELECT ARRAY[s.record_id::text, 'marc'] FROM record_sources s"
    "    WHERE s.key = 'marc:' || md5(b.marcxml))) AS hit FROM b) "
    "SELECT json_build_object("
    " 'keys', coalesce(json_object_agg(m.i, m.mk) FILTER (WHERE m.mk IS NOT NULL), '{}'),"
    " 'md5', coalesce(json_object_agg(m.i, md5(m.marcxml)), '{}'),"
    " 'hits', coalesce(json_object_agg(m.i, json_build_object('id', m.hit[1], 'rule', m.hit[2],"
    "   'same', coalesce(r.marcxml = m.marcxml AND r.marc_version = r.version, false)"
    "     OR EXISTS (SELECT 1 FROM record_sources s WHERE s.key = 'marc:' || md5(m.marcxml)"
    "                AND s.record_id = r.id),"
    "   'own', EXISTS (SELECT 1 FROM record_sources s WHERE s.key = ANY (m.control_keys)"
    "                  AND s.record_id = r.id AND s.owner)))"
    "   FILTER (WHERE m.hit IS NOT NULL), '{}'))"
    " FROM m LEFT JOIN records r ON r.id = m.hit[1]::uuid";

ibc_rc store_import_match(ibc_ctx *ctx, const char *batch_json, json_t **out)
{
    const char *p[] = {batch_json};
    PGresult *r = ibc_db_exec(ctx, sql_match_locks, 1, p);
    if (!r) return ctx->err;
    PQclear(r);
    return ibc_db_json(ctx, out, sql_match, 1, p);
}

static const char sql_sources[] =
    "INSERT INTO record_sources (key, record_id, owner)"
    " SELECT DISTINCT ON (x.key) x.key, x.record_id, x.owner"
    " FROM jsonb_to_recordset($1::jsonb) AS x(key text, record_id uuid, owner bool)"
    " ORDER BY x.key, x.owner DESC"
    " ON CONFLICT (key) DO UPDATE SET record_id = excluded.record_id, owner = true"
    " WHERE excluded.owner";

ibc_rc store_import_sources(ibc_ctx *ctx, const char *sources_json)
{
    const char *p[] = {sources_json};
    return ibc_db_run(ctx, sql_sources, 1, p);
}

/* A newer version of a source record replaces what came from MARC; what only
 * the API sets (textbook data, access terms) and an age mark the MARC lacks stay. */
static const char sql_update_records[] =
    "WITH up AS (UPDATE records r SET type = p.type, title = p.title, subtitle = p.subtitle,"
    " authors = p.authors, publisher = p.publisher, place = p.place, year = p.year,"
    " isbn = p.isbn, issn = p.issn, language = p.language, bbk = p.bbk, udk = p.udk,"
    " subjects = p.subjects, annotation = p.annotation, edition = p.edition, pages = p.pages,"
    " series = p.series, url = coalesce(p.url, r.url),"
    " age_rating = coalesce(p.age_rating, r.age_rating), alt_script = p.alt_script,"
    " marcxml = p.marcxml, marc_format = p.marc_format, marc_version = r.version + 1,"
    " version = r.version + 1, updated_at = now()"
    " FROM jsonb_populate_recordset(NULL::records, $1::jsonb) p WHERE r.id = p.id"
    " RETURNING r.id, record_json(r) AS j) "
    "INSERT INTO outbox (subject, type, source, subject_id, data)"
    " SELECT 'ibc.evt.catalog.record.updated', 'ibcnet.catalog.record.updated',"
    " '/ibcnet/catalog', up.id::text, up.j - 'annotation' FROM up";

ibc_rc store_import_updates(ibc_ctx *ctx, const char *records_json)
{
    const char *p[] = {records_json};
    return ibc_db_run(ctx, sql_update_records, 1, p);
}

#define IMPORT_COLUMNS                                                                             \
    "id, type, title, subtitle, authors, publisher, place, year, isbn, issn, language, bbk, "      \
    "udk, subjects, annotation, edition, pages, series, url, age_rating, alt_script, marcxml, "    \
    "marc_format"
#define P_IMPORT_COLUMNS                                                                           \
    "p.id, p.type, p.title, p.subtitle, p.authors, p.publisher, p.place, p.year, p.isbn, "         \
    "p.issn, p.language, p.bbk, p.udk, p.subjects, p.annotation, p.edition, p.pages, p.series, "   \
    "p.url, p.age_rating, p.alt_script, p.marcxml, p.marc_format"

/* The outbox row is what ibc_emit() writes (outbox.c), for many rows at once. */
static const char sql_records[] =
    "WITH ins AS (INSERT INTO records (" IMPORT_COLUMNS ", marc_version, import_id,"
    " created_by_org) SELECT " P_IMPORT_COLUMNS ", 1, $2::uuid, $3"
    " FROM jsonb_populate_recordset(NULL::records, $1::jsonb) p"
    " RETURNING id, record_json(records) AS j) "
    "INSERT INTO outbox (subject, type, source, subject_id, data)"
    " SELECT 'ibc.evt.catalog.record.created', 'ibcnet.catalog.record.created',"
    " '/ibcnet/catalog', ins.id::text, ins.j - 'annotation' FROM ins";

ibc_rc store_import_records(ibc_ctx *ctx, const char *records_json, const char *import_id)
{
    const char *p[] = {records_json, import_id, ctx->org};
    return ibc_db_run(ctx, sql_records, 3, p);
}

/* An inventory number already used in the school (or earlier in the batch)
 * is left out rather than losing the copy: files often carry a shelf mark
 * there. A taken barcode skips the copy (a second import adds no copies).
 * The school's numbers are probed per copy (LATERAL ... LIMIT 1): as NOT
 * EXISTS the planner hashed all of the school's numbers for every batch, a
 * read of the whole school per 500 copies. */
static const char sql_items[] =
    "WITH h AS (SELECT x.*, row_number() OVER (PARTITION BY x.inventory_number ORDER BY x.n) AS k"
    " FROM jsonb_to_recordset($1::jsonb)"
    "  AS x(n int, id uuid, record_id uuid, barcode text, inventory_number text)),"
    " ins AS (INSERT INTO items (id, record_id, school, barcode, inventory_number)"
    " SELECT coalesce(h.id, gen_random_uuid()), h.record_id, $2, h.barcode,"
    " CASE WHEN h.k = 1 AND t.taken IS NULL THEN h.inventory_number END"
    " FROM h LEFT JOIN LATERAL (SELECT true AS taken FROM items i WHERE i.school = $2"
    "   AND i.inventory_number = h.inventory_number LIMIT 1) t ON true ORDER BY h.n"
    " ON CONFLICT DO NOTHING"
    " RETURNING id, record_id, school, barcode, inventory_number, status, source, location),"
    " ev AS (INSERT INTO outbox (subject, type, source, subject_id, data)"
    " SELECT 'ibc.evt.catalog.item.created', 'ibcnet.catalog.item.created', '/ibcnet/catalog',"
    " ins.id::text, jsonb_build_object('id', ins.id, 'record_id', ins.record_id,"
    " 'school', ins.school, 'barcode', ins.barcode, 'inventory_number', ins.inventory_number,"
    " 'status', ins.status, 'source', ins.source, 'location', ins.location) FROM ins) "
    "SELECT coalesce(json_object_agg(barcode, inventory_number), '{}') FROM ins";

ibc_rc store_import_items(ibc_ctx *ctx, const char *items_json, const char *school,
                          json_t **created)
{
    const char *p[] = {items_json, school};
    return ibc_db_json(ctx, created, sql_items, 2, p);
}

static const char sql_outcomes[] =
    "INSERT INTO import_records (import_id, position, record_id, outcome, rule)"
    " SELECT $1::uuid, o.position, o.record_id, o.outcome, o.rule"
    " FROM jsonb_to_recordset($2::jsonb) AS o(position int, record_id uuid, outcome text,"
    "  rule text)";

ibc_rc store_import_outcomes(ibc_ctx *ctx, const char *id, const char *outcomes_json)
{
    const char *p[] = {id, outcomes_json};
    return ibc_db_run(ctx, sql_outcomes, 2, p);
}

static const char sql_outcome_list[] =
    "WITH page AS (SELECT o.position, o.record_id, o.outcome, o.rule FROM import_records o"
    " WHERE o.import_id = $1::uuid AND ($2::text IS NULL OR o.outcome = $2)"
    " AND ($3::int IS NULL OR o.position > $3::int)"
    " ORDER BY o.position LIMIT $4::int + 1) "
    "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM imports i WHERE i.id = $1::uuid"
    "   AND ($5::text IS NULL OR i.org = $5)) THEN NULL ELSE json_build_object("
    " 'items', coalesce((SELECT json_agg(json_build_object('position', p.position,"
    "   'record_id', p.record_id, 'outcome', p.outcome, 'rule', p.rule) ORDER BY p.position)"
    "   FROM (SELECT * FROM page ORDER BY position LIMIT $4::int) p), '[]'),"
    " 'next_cursor', CASE WHEN (SELECT count(*) FROM page) > $4::int THEN"
    "   (SELECT max(position)::text FROM (SELECT position FROM page ORDER BY position"
    "    LIMIT $4::int) l) END) END";

ibc_rc store_import_records_list(ibc_ctx *ctx, const char *id, const char *org, const char *outcome,
                                 const char *after, int limit, json_t **out)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit);
    const char *p[] = {id, outcome, after, lim, org};
    return import_json(ctx, out, sql_outcome_list, 5, p, id);
}

static const char sql_progress[] =
    "UPDATE import_segments s SET read = s.read + d.read, created = s.created + d.created,"
    " merged = s.merged + d.merged, failed = s.failed + d.failed,"
    " unchanged = s.unchanged + d.unchanged, updated = s.updated + d.updated,"
    " seen_rusmarc = s.seen_rusmarc + d.rusmarc, seen_marc21 = s.seen_marc21 + d.marc21,"
    " by_isbn = s.by_isbn + d.isbn, by_control = s.by_control + d.control_number,"
    " by_key = s.by_key + d.key, by_marc = s.by_marc + d.marc, by_file = s.by_file + d.file,"
    " items_created = s.items_created + d.items_created,"
    " without_barcode = s.without_barcode + d.without_barcode,"
    " holdings_ignored = s.holdings_ignored + d.holdings_ignored,"
    " warnings_total = s.warnings_total + d.warnings, next_offset = d.next_offset,"
    " errors = s.errors || $4::jsonb, warnings = s.warnings || $5::jsonb"
    " FROM jsonb_to_record($3::jsonb) AS d(read int, created int, merged int, failed int,"
    "  items_created int, without_barcode int, holdings_ignored int, warnings int,"
    "  next_offset bigint, unchanged int, updated int, rusmarc int, marc21 int, isbn int,"
    "  control_number int, key int, marc int, file int)"
    " WHERE s.import_id = $1::uuid AND s.seg = $2::int AND s.read = $6::int";

ibc_rc store_import_progress(ibc_ctx *ctx, const char *id, int seg, long read,
                             const char *deltas_json, const char *errors_json,
                             const char *warnings_json)
{
    char sg[16], rd[24];
    snprintf(sg, sizeof sg, "%d", seg);
    snprintf(rd, sizeof rd, "%ld", read);
    const char *p[] = {id, sg, deltas_json, errors_json, warnings_json, rd};
    PGresult *r = ibc_db_exec(ctx, sql_progress, 6, p);
    if (!r) return ctx->err;
    bool moved = strcmp(PQcmdTuples(r), "1") == 0;
    PQclear(r);
    return moved ? IBC_OK
                 : ibc_fail(ctx, IBC_EPRECOND,
                            "segment %d of import %s moved on without this writer", seg, id);
}

static const char sql_seg_done[] =
    "UPDATE import_segments SET done = true WHERE import_id = $1::uuid AND seg = $2::int";

ibc_rc store_segment_done(ibc_ctx *ctx, const char *id, int seg)
{
    char sg[16];
    snprintf(sg, sizeof sg, "%d", seg);
    const char *p[] = {id, sg};
    return ibc_db_run(ctx, sql_seg_done, 2, p);
}

static const char sql_segments[] =
    "SELECT coalesce(json_agg(json_build_object('seg', seg, 'start', start_offset,"
    " 'end', end_offset, 'before', first_position, 'read', read, 'next_offset', next_offset,"
    " 'errors', jsonb_array_length(errors), 'warnings', jsonb_array_length(warnings),"
    " 'done', done) ORDER BY seg), '[]') FROM import_segments WHERE import_id = $1::uuid";

ibc_rc store_import_segments(ibc_ctx *ctx, const char *id, json_t **segments)
{
    const char *p[] = {id};
    return ibc_db_json(ctx, segments, sql_segments, 1, p);
}

static const char sql_plan[] =
    "WITH s AS (INSERT INTO import_segments (import_id, seg, start_offset, end_offset,"
    " first_position, next_offset)"
    " SELECT $1::uuid, x.seg, x.start, x.end, x.before, x.start"
    " FROM jsonb_to_recordset($2::jsonb) AS x(seg int, start bigint, \"end\" bigint, before int))"
    "UPDATE imports SET expected = coalesce(nullif($3::int, -1), expected), updated_at = now()"
    " WHERE id = $1::uuid";

ibc_rc store_import_plan(ibc_ctx *ctx, const char *id, const char *segments_json, long records)
{
    char n[24];
    snprintf(n, sizeof n, "%ld", records);
    const char *p[] = {id, segments_json, n};
    return ibc_db_run(ctx, sql_plan, 3, p);
}

static const char sql_finish[] =
    "WITH f AS (DELETE FROM import_files WHERE import_id = $1::uuid) "
    "UPDATE imports SET status = CASE WHEN $3::bool THEN 'cancelled'"
    " WHEN $2::text IS NULL THEN 'done' ELSE 'failed' END,"
    " error = $2, finished_at = now(), updated_at = now() WHERE id = $1::uuid"
    " RETURNING import_json(imports, false)";

ibc_rc store_import_finish(ibc_ctx *ctx, const char *id, const char *error, bool cancelled,
                           json_t **job)
{
    const char *p[] = {id, error, cancelled ? "true" : "false"};
    return import_json(ctx, job, sql_finish, 3, p, id);
}

/* ------------------------------------------------------------ export */

static const char sql_export[] =
    "SELECT r.id::text,"
    " CASE WHEN r.marc_version = r.version AND ($13::text IS NULL OR r.marc_format = $13)"
    "      THEN r.marcxml END,"
    " CASE WHEN r.marc_version = r.version AND r.marcxml IS NOT NULL"
    "       AND ($13::text IS NULL OR r.marc_format = $13) THEN NULL"
    "      ELSE record_json(r)::text END,"
    " r.marc_format"
    " FROM records r LEFT JOIN record_holdings h ON h.record_id = r.id"
    " WHERE ($1::text IS NULL OR r.tsv @@ search_tsquery($1))" SEARCH_FILTERS
    " AND ($11::uuid IS NULL OR r.id > $11::uuid)"
    " ORDER BY r.id LIMIT $12::int";

PGresult *store_export_page(ibc_ctx *ctx, const export_filter *f, const char *syntax,
                            const char *after, int limit)
{
    char avail[8], yf[16], yt[16], age[16], grade[16], lim[16];
    snprintf(avail, sizeof avail, "%s", f->available ? "true" : "false");
    snprintf(yf, sizeof yf, "%ld", f->year_from);
    snprintf(yt, sizeof yt, "%ld", f->year_to);
    snprintf(age, sizeof age, "%ld", f->age_max);
    snprintf(grade, sizeof grade, "%ld", f->grade);
    snprintf(lim, sizeof lim, "%d", limit);
    const char *p[] = {f->q,
                       f->type,
                       f->school,
                       f->available < 0 ? NULL : avail,
                       f->year_from < 0 ? NULL : yf,
                       f->year_to < 0 ? NULL : yt,
                       f->age_max < 0 ? NULL : age,
                       f->grade < 0 ? NULL : grade,
                       f->subject,
                       f->language,
                       after,
                       lim,
                       syntax};
    return ibc_db_exec_planned(ctx, sql_export, 13, p);
}

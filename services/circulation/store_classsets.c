/* The SQL of class sets (see store.h): the pairing of readers and free
 * copies is one statement, so that 30 readers and 10 textbooks cost one
 * round trip; copies are taken under SKIP LOCKED and a copy lent meanwhile is
 * left out by ON CONFLICT on the one-open-loan-per-item index. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_readers[] =
    "SELECT count(*) FROM readers WHERE school = $1 AND class = $2 AND status = 'active'";
static const char sql_new_set[] =
    "INSERT INTO class_sets (school, class, record_ids, due_date, created_by) "
    "VALUES ($1, $2, $3::uuid[], school_year_end($1), $4) RETURNING id::text, due_date::text";
static const char sql_issue[] =
    "WITH rd AS (SELECT r.id, r.name, row_number() OVER (ORDER BY r.name, r.id) AS n "
    "FROM readers r WHERE r.school = $1 AND r.class = $2 AND r.status = 'active'), "
    "recs AS (SELECT u.record_id, u.ord FROM unnest($3::uuid[]) WITH ORDINALITY AS "
    "u(record_id, ord)), "
    "need AS (SELECT rd.id AS reader_id, recs.record_id, row_number() OVER (PARTITION BY "
    "recs.record_id ORDER BY rd.n) AS k FROM rd CROSS JOIN recs WHERE NOT EXISTS (SELECT 1 "
    "FROM loans l WHERE l.reader_id = rd.id AND l.record_id = recs.record_id "
    "AND l.returned_at IS NULL)), "
    "free AS (SELECT x.id, x.record_id, row_number() OVER (PARTITION BY x.record_id ORDER BY "
    "x.barcode) AS k FROM (SELECT i.id, i.record_id, i.barcode FROM items i WHERE i.school = $1 "
    "AND i.record_id = ANY ($3::uuid[]) AND item_free(i.id) FOR NO KEY UPDATE OF i SKIP LOCKED) "
    "x), "
    "ins AS (INSERT INTO loans (item_id, record_id, school, reader_id, due_date, kind, "
    "class_set_id, created_by) SELECT f.id, n.record_id, $1, n.reader_id, $4::date, 'classset', "
    "$5::uuid, $6 FROM need n JOIN free f ON f.record_id = n.record_id AND f.k = n.k "
    "ON CONFLICT (item_id) WHERE returned_at IS NULL AND item_id IS NOT NULL DO NOTHING "
    "RETURNING id, item_id, record_id, reader_id, due_date, loaned_at), "
    "cells AS (SELECT rd.id AS reader_id, recs.record_id, recs.ord, ins.id AS loan_id, "
    "ins.item_id, CASE WHEN ins.id IS NOT NULL THEN 'issued' WHEN NOT EXISTS (SELECT 1 FROM need "
    "n WHERE n.reader_id = rd.id AND n.record_id = recs.record_id) THEN 'already_on_loan' "
    "ELSE 'short' END AS status FROM rd CROSS JOIN recs LEFT JOIN ins ON ins.reader_id = rd.id "
    "AND ins.record_id = recs.record_id) "
    "SELECT jsonb_build_object("
    "'readers', (SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('reader_id', rd.id, "
    "'name', CASE WHEN $7::boolean THEN rd.name END, 'textbooks', (SELECT jsonb_agg("
    "jsonb_strip_nulls(jsonb_build_object('record_id', c.record_id, 'status', c.status, "
    "'loan_id', c.loan_id, 'item_id', c.item_id, 'barcode', (SELECT i.barcode FROM items i "
    "WHERE i.id = c.item_id))) ORDER BY c.ord) FROM cells c WHERE c.reader_id = rd.id))) "
    "ORDER BY rd.n) FROM rd), "
    "'textbooks', (SELECT jsonb_agg(jsonb_build_object('record_id', recs.record_id, "
    "'issued', (SELECT count(*) FROM cells c WHERE c.record_id = recs.record_id "
    "AND c.status = 'issued'), 'short', (SELECT count(*) FROM cells c WHERE c.record_id = "
    "recs.record_id AND c.status = 'short'), 'already_on_loan', (SELECT count(*) FROM cells c "
    "WHERE c.record_id = recs.record_id AND c.status = 'already_on_loan')) ORDER BY recs.ord) "
    "FROM recs), "
    "'issued', (SELECT count(*) FROM ins), "
    "'short', (SELECT count(*) FROM cells c WHERE c.status = 'short'), "
    "'loans', coalesce((SELECT jsonb_agg(jsonb_build_object('id', ins.id, 'item_id', "
    "ins.item_id, 'record_id', ins.record_id, 'school', $1::text, 'reader_id', ins.reader_id, "
    "'due_date', ins.due_date, 'kind', 'classset', 'class_set_id', $5::uuid)) FROM ins), '[]'))";
static const char sql_set_counts[] =
    "UPDATE class_sets s SET issued = $2::int, short = $3::int WHERE s.id = $1::uuid "
    "RETURNING jsonb_build_object('id', s.id, 'school', s.school, 'class', s.class, "
    "'record_ids', to_jsonb(s.record_ids), 'due_date', s.due_date, 'issued', s.issued, "
    "'short', s.short, 'created_at', s.created_at)";

ibc_rc store_classset_issue(ibc_ctx *ctx, const char *school, const char *cls,
                            const char *record_ids, bool names, json_t **out)
{
    *out = NULL;
    const char *p[] = {school, cls, record_ids, ctx->principal};
    PGresult *r = ibc_db_exec(ctx, sql_readers, 2, p);
    if (!r) return ctx->err;
    bool none = strcmp(PQgetvalue(r, 0, 0), "0") == 0;
    PQclear(r);
    if (none)
        return ibc_fail(ctx, IBC_ENOTFOUND, "class %s of %s has no active readers", cls, school);
    if (!(r = ibc_db_exec(ctx, sql_new_set, 4, p))) return ctx->err;
    char set_id[40], due[16];
    snprintf(set_id, sizeof set_id, "%s", PQgetvalue(r, 0, 0));
    snprintf(due, sizeof due, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);

    const char *q[] = {
        school, cls, record_ids, due, set_id, ctx->principal, names ? "true" : "false"};
    ibc_rc rc = ibc_db_json(ctx, out, sql_issue, 7, q);
    if (rc != IBC_OK) return rc;
    char issued[24], shortn[24];
    snprintf(issued, sizeof issued, "%lld",
             (long long)json_integer_value(json_object_get(*out, "issued")));
    snprintf(shortn, sizeof shortn, "%lld",
             (long long)json_integer_value(json_object_get(*out, "short")));
    json_object_del(*out, "issued");
    json_object_del(*out, "short");
    json_t *set = NULL;
    const char *s[] = {set_id, issued, shortn};
    if ((rc = ibc_db_json(ctx, &set, sql_set_counts, 3, s)) != IBC_OK) return rc;
    json_object_set_new(*out, "class_set", set);
    return IBC_OK;
}

static const char sql_return[] =
    "WITH rd AS (SELECT r.id, r.name FROM readers r WHERE r.school = $1 AND r.class = $2), "
    "upd AS (UPDATE loans l SET returned_at = clock_timestamp() FROM rd "
    "WHERE l.reader_id = rd.id AND l.school = $1 AND l.kind = 'classset' "
    "AND l.returned_at IS NULL AND ($3::uuid[] IS NULL OR l.record_id = ANY ($3::uuid[])) "
    "RETURNING l.id, l.item_id, l.record_id, l.reader_id, l.class_set_id, l.due_date, "
    "l.returned_at, l.school), "
    "sets AS (UPDATE class_sets s SET returned_at = now() WHERE s.id IN (SELECT class_set_id "
    "FROM upd) AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.class_set_id = s.id "
    "AND l.returned_at IS NULL AND l.id NOT IN (SELECT id FROM upd)) RETURNING s.id) "
    "SELECT jsonb_build_object('returned', (SELECT count(*) FROM upd), "
    "'readers', coalesce((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('reader_id', "
    "rd.id, 'name', CASE WHEN $4::boolean THEN rd.name END, 'returned', (SELECT jsonb_agg("
    "jsonb_build_object('loan_id', u.id, 'item_id', u.item_id, 'record_id', u.record_id, "
    "'barcode', (SELECT i.barcode FROM items i WHERE i.id = u.item_id))) FROM upd u "
    "WHERE u.reader_id = rd.id))) ORDER BY rd.name, rd.id) FROM rd WHERE EXISTS (SELECT 1 "
    "FROM upd u WHERE u.reader_id = rd.id)), '[]'), "
    "'loans', coalesce((SELECT jsonb_agg(jsonb_build_object('id', u.id, 'item_id', u.item_id, "
    "'record_id', u.record_id, 'school', u.school, 'reader_id', u.reader_id, 'due_date', "
    "u.due_date, 'returned_at', u.returned_at, 'kind', 'classset', 'class_set_id', "
    "u.class_set_id)) FROM upd u), '[]'), "
    "'class_sets', coalesce((SELECT jsonb_agg(jsonb_build_object('id', d.cs, 'returned', "
    "(SELECT count(*) FROM upd u WHERE u.class_set_id = d.cs), 'closed', d.cs IN (SELECT id "
    "FROM sets))) FROM (SELECT DISTINCT class_set_id AS cs FROM upd) d), '[]'))";

ibc_rc store_classset_return(ibc_ctx *ctx, const char *school, const char *cls,
                             const char *record_ids, bool names, json_t **out)
{
    const char *p[] = {school, cls, record_ids, names ? "true" : "false"};
    return ibc_db_json(ctx, out, sql_return, 4, p);
}

static const char sql_short[] =
    "SELECT coalesce(jsonb_agg(r.id), '[]') FROM unnest($3::uuid[]) AS r(id) "
    "WHERE (SELECT count(*) FROM items i WHERE i.record_id = r.id AND i.school = $1 "
    "AND item_free(i.id)) < (SELECT count(*) FROM readers d WHERE d.school = $1 "
    "AND d.class = $2 AND d.status = 'active')";

ibc_rc store_short_records(ibc_ctx *ctx, const char *school, const char *cls,
                           const char *record_ids, json_t **out)
{
    const char *p[] = {school, cls, record_ids};
    return ibc_db_json(ctx, out, sql_short, 3, p);
}

static const char sql_blocked[] =
    "SELECT id::text, extremist_entry, extremist_version FROM records "
    "WHERE id = ANY ($1::uuid[]) AND extremist_entry IS NOT NULL ORDER BY id LIMIT 1";

ibc_rc store_blocked_record(ibc_ctx *ctx, const char *record_ids, char id[37], long *entry,
                            long *version)
{
    const char *p[] = {record_ids};
    PGresult *r = ibc_db_exec(ctx, sql_blocked, 1, p);
    if (!r) return ctx->err;
    id[0] = 0;
    if (PQntuples(r) == 1) {
        snprintf(id, 37, "%s", PQgetvalue(r, 0, 0));
        *entry = atol(PQgetvalue(r, 0, 1));
        *version = atol(PQgetvalue(r, 0, 2));
    }
    PQclear(r);
    return IBC_OK;
}

static const char sql_held[] =
    "SELECT coalesce(jsonb_agg(DISTINCT record_id), '[]') FROM holds WHERE school = $1 "
    "AND state = 'waiting' AND ($2::uuid[] IS NULL OR record_id = ANY ($2::uuid[]))";

ibc_rc store_held_records(ibc_ctx *ctx, const char *school, const char *record_ids, json_t **out)
{
    const char *p[] = {school, record_ids};
    return ibc_db_json(ctx, out, sql_held, 2, p);
}

static const char sql_list[] =
    "SELECT jsonb_build_object('class_sets', coalesce(jsonb_agg(jsonb_build_object('id', s.id, "
    "'school', s.school, 'class', s.class, 'record_ids', to_jsonb(s.record_ids), 'due_date', "
    "s.due_date, 'issued', s.issued, 'short', s.short, 'out', (SELECT count(*) FROM loans l "
    "WHERE l.class_set_id = s.id AND l.returned_at IS NULL), 'created_at', s.created_at, "
    "'returned_at', s.returned_at) ORDER BY s.created_at DESC, s.id), '[]'), "
    "'limit', $3::int, 'offset', $4::int) "
    "FROM (SELECT * FROM class_sets s WHERE ($1::text IS NULL OR s.school = $1) "
    "AND ($2::text IS NULL OR s.class = $2) ORDER BY s.created_at DESC, s.id "
    "LIMIT $3::int OFFSET $4::int) s";

ibc_rc store_classsets_list(ibc_ctx *ctx, const char *school, const char *cls, const char *limit,
                            const char *offset, json_t **out)
{
    const char *p[] = {school, cls, limit, offset};
    return ibc_db_json(ctx, out, sql_list, 4, p);
}

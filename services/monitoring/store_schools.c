/* The SQL of the school directory and the passports (see store.h). Bodies
 * arrive as validated JSON; jsonb_populate_record maps them on the columns,
 * school_json() and passport_json() (migrations) shape the answers. */
#include "store_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* students: a JSON array of 11 integers, grade 1 first */
#define STUDENTS_OF(b)                                                                             \
    "ARRAY(SELECT x::int FROM jsonb_array_elements_text(" b "->'students') WITH ORDINALITY "       \
    "t(x, n) ORDER BY n)"

static const char sql_school_insert[] =
    "INSERT INTO schools (id, name, district, kind, students) "
    "SELECT b->>'id', b->>'name', b->>'district', b->>'kind', " STUDENTS_OF(
        "b") " "
             "FROM (SELECT $1::jsonb b) q ON CONFLICT (id) DO NOTHING RETURNING "
             "school_json(schools)";

ibc_rc store_school_insert(ibc_ctx *ctx, const json_t *body, json_t **out)
{
    ibc_rc rc = ibc_db_json_with(ctx, out, sql_school_insert, body, 0, NULL);
    if (rc == IBC_ENOTFOUND)
        rc = ibc_fail(ctx, IBC_ECONFLICT, "the school '%s' is already in the directory",
                      json_string_value(json_object_get(body, "id")));
    return rc;
}

static const char sql_school_update[] =
    "UPDATE schools s SET name = b->>'name', district = b->>'district', kind = b->>'kind', "
    "students = " STUDENTS_OF("b") ", version = s.version + 1, updated_at = now() "
                                   "FROM (SELECT $1::jsonb b) q WHERE s.id = $2 AND ($3::int IS "
                                   "NULL OR s.version = $3::int) "
                                   "RETURNING school_json(s)";
static const char sql_school_version[] = "SELECT version FROM schools WHERE id = $1";

ibc_rc store_school_update(ibc_ctx *ctx, const char *id, const json_t *body, long version,
                           json_t **out)
{
    char v[24];
    const char *p[] = {id, su_long(v, version)};
    ibc_rc rc = ibc_db_json_with(ctx, out, sql_school_update, body, 2, p);
    if (rc != IBC_ENOTFOUND) return rc;
    PGresult *r = ibc_db_exec(ctx, sql_school_version, 1, p);
    if (!r) return ctx->err;
    if (PQntuples(r) == 0)
        rc = ibc_fail(ctx, IBC_ENOTFOUND, "no school has id '%s' in the directory", id);
    else
        rc = ibc_fail(ctx, IBC_EPRECOND,
                      "the school changed: its version is %s, If-Match named %ld; read it again",
                      PQgetvalue(r, 0, 0), version);
    PQclear(r);
    return rc;
}

static const char sql_school_get[] = "SELECT school_json(s) FROM schools s WHERE s.id = $1";

ibc_rc store_school_get(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    ibc_rc rc = ibc_db_json(ctx, out, sql_school_get, 1, p);
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no school has id '%s' in the directory", id);
    return rc;
}

/* $5 limit, $6 offset */
static const char sql_school_list[] =
    "WITH f AS (SELECT j, row_number() OVER (ORDER BY j->>'id') n FROM (SELECT school_json(s) j "
    "FROM schools s WHERE ($1::text IS NULL OR s.id = $1) AND ($2::text IS NULL OR s.district = "
    "$2) "
    "AND ($3::text IS NULL OR s.kind = $3)) x WHERE ($4::text IS NULL OR j->>'ibc_level' = $4)) "
    "SELECT jsonb_build_object('items', coalesce((SELECT jsonb_agg(j ORDER BY n) FROM f "
    "WHERE n > $6::int AND n <= $6::int + $5::int), '[]'), 'total', (SELECT count(*) FROM f), "
    "'limit', $5::int, 'offset', $6::int)";

ibc_rc store_school_list(ibc_ctx *ctx, const char *school, const char *district, const char *kind,
                         const char *level, const ibc_page *page, json_t **out)
{
    const char *p[] = {school, district, kind, level, page->limit_text, page->offset_text};
    return ibc_db_json(ctx, out, sql_school_list, 6, p);
}

static const char sql_school_lock[] = "SELECT 1 FROM schools WHERE id = $1 FOR UPDATE";

ibc_rc store_school_lock(ibc_ctx *ctx, const char *id)
{
    const char *p[] = {id};
    PGresult *r = ibc_db_exec(ctx, sql_school_lock, 1, p);
    if (!r) return ctx->err;
    ibc_rc rc = PQntuples(r)
                    ? IBC_OK
                    : ibc_fail(ctx, IBC_ENOTFOUND, "no school has id '%s' in the directory", id);
    PQclear(r);
    return rc;
}

/* ------------------------------------------------------------ passports */

static const char sql_passport_get[] =
    "SELECT passport_json(p) FROM passports p WHERE p.school_id = $1 "
    "AND ($2::date IS NULL OR p.recorded_at < $2::date + 1) ORDER BY p.version DESC LIMIT 1";

ibc_rc store_passport_get(ibc_ctx *ctx, const char *school, const char *as_of, json_t **out)
{
    const char *p[] = {school, as_of};
    ibc_rc rc = ibc_db_json(ctx, out, sql_passport_get, 2, p);
    if (rc == IBC_ENOTFOUND) {
        json_t *s = NULL;
        if (store_school_get(ctx, school, &s) != IBC_OK) return ctx->err;
        json_decref(s);
        if (as_of)
            ibc_fail(ctx, rc, "the school '%s' had no library passport yet on %s", school, as_of);
        else
            ibc_fail(ctx, rc, "the school '%s' has no library passport yet", school);
    }
    return rc;
}

#define PASSPORT_FIELDS                                                                            \
    "area_m2, reading_room_seats, computers, terminals, printers, scanners, projector, "           \
    "internet_mbps, media_equipment, staff_count, ibc_level, level_reached_on, note"
#define N_PASSPORT_FIELDS                                                                          \
    "n.area_m2, n.reading_room_seats, n.computers, n.terminals, n.printers, n.scanners, "          \
    "n.projector, n.internet_mbps, coalesce(n.media_equipment, '{}'), n.staff_count, "             \
    "n.ibc_level, n.level_reached_on, n.note"

static const char sql_passport_unchanged[] =
    "SELECT p.version FROM passports p, jsonb_populate_record(NULL::passports, $1::jsonb) n "
    "WHERE p.school_id = $2 AND p.version = (SELECT max(version) FROM passports "
    "WHERE school_id = $2) AND (p.area_m2, p.reading_room_seats, p.computers, p.terminals, "
    "p.printers, p.scanners, p.projector, p.internet_mbps, p.media_equipment, p.staff_count, "
    "p.ibc_level, p.level_reached_on, p.note) IS NOT DISTINCT FROM (" N_PASSPORT_FIELDS ")";

ibc_rc store_passport_unchanged(ibc_ctx *ctx, const char *school, const json_t *body, long *same)
{
    *same = 0;
    char *text = su_text(ctx, body);
    if (!text) return ctx->err;
    const char *p[] = {text, school};
    PGresult *r = ibc_db_exec(ctx, sql_passport_unchanged, 2, p);
    free(text);
    if (!r) return ctx->err;
    if (PQntuples(r) > 0) *same = atol(PQgetvalue(r, 0, 0));
    PQclear(r);
    return IBC_OK;
}

static const char sql_passport_insert[] =
    "INSERT INTO passports (school_id, version, " PASSPORT_FIELDS ", recorded_by) "
    "SELECT $2, coalesce((SELECT max(version) FROM passports WHERE school_id = $2), 0) + "
    "1, " N_PASSPORT_FIELDS ", $3 FROM jsonb_populate_record(NULL::passports, $1::jsonb) n "
    "RETURNING passport_json(passports)";

ibc_rc store_passport_insert(ibc_ctx *ctx, const char *school, const json_t *body, json_t **out)
{
    const char *p[] = {school, ctx->principal ? ctx->principal : ""};
    return ibc_db_json_with(ctx, out, sql_passport_insert, body, 2, p);
}

/* "changed": the fields that differ from the version before (all set ones for the first) */
static const char sql_passport_history[] =
    "SELECT jsonb_build_object('school', $1::text, 'versions', coalesce(jsonb_agg(j || "
    "jsonb_build_object('changed', ch) ORDER BY v DESC), '[]')) FROM ("
    "SELECT p.version v, passport_json(p) j, lag(passport_json(p)) OVER (ORDER BY p.version) "
    "prev FROM passports p WHERE p.school_id = $1) x, LATERAL (SELECT coalesce(jsonb_agg(k "
    "ORDER BY k), '[]') ch FROM jsonb_object_keys(j) k WHERE k NOT IN ('school', 'version', "
    "'recorded_at', 'recorded_by') AND CASE WHEN prev IS NULL THEN j->k NOT IN ('null', '[]') "
    "ELSE j->k IS DISTINCT FROM prev->k END) c";

ibc_rc store_passport_history(ibc_ctx *ctx, const char *school, json_t **out)
{
    json_t *s = NULL;
    if (store_school_get(ctx, school, &s) != IBC_OK) return ctx->err;
    json_decref(s);
    const char *p[] = {school};
    return ibc_db_json(ctx, out, sql_passport_history, 1, p);
}

/* The SQL of the personal-data audit log (migrations/circulation/0070): an
 * append of rows, and the filtered page an admin or a school reads. */
#include "audit.h"

#include <ibc/db.h>

/* One row per school of the readers $6 ([{id, school}]); $7 the fields. A
 * request sent to two replicas writes its row once (0072). */
static const char sql_audit_append[] =
    "INSERT INTO pd_audit_log (principal, role, org, request_id, action, school, reader_ids, "
    "fields) "
    "SELECT $1, $2, $3, $4, $5, e->>'school', array_agg((e->>'id')::uuid ORDER BY n), "
    "ARRAY(SELECT jsonb_array_elements_text($7::jsonb)) "
    "FROM jsonb_array_elements($6::jsonb) WITH ORDINALITY AS x(e, n) GROUP BY e->>'school' "
    "ON CONFLICT DO NOTHING"; /* the same request again (0072) */

ibc_rc store_audit_append(ibc_ctx *ctx, const char *principal, const char *role, const char *action,
                          const char *readers, const char *fields)
{
    const char *p[] = {principal, role,  ctx->org ? ctx->org : "", ctx->request_id, action,
                       readers,   fields};
    return ibc_db_run(ctx, sql_audit_append, 7, p);
}

#define AUDIT_WHERE                                                                                \
    "WHERE ($1::text IS NULL OR a.school = $1) AND ($2::uuid IS NULL OR a.reader_ids @> "          \
    "ARRAY[$2::uuid]) AND ($3::text IS NULL OR a.principal = $3) AND ($4::text IS NULL OR "        \
    "a.action = $4) AND ($5::date IS NULL OR a.at >= $5::date) AND ($6::date IS NULL OR a.at < "   \
    "$6::date + 1) "

static const char sql_audit_list[] =
    "WITH f AS (SELECT a.* FROM pd_audit_log a " AUDIT_WHERE "), "
    "page AS (SELECT * FROM f ORDER BY seq DESC LIMIT $7::int OFFSET $8::int) "
    "SELECT jsonb_build_object('items', coalesce((SELECT jsonb_agg(jsonb_build_object("
    "'seq', seq, 'at', at, 'principal', principal, 'role', role, 'org', org, 'request_id', "
    "request_id, 'action', action, 'school', school, 'reader_ids', reader_ids, 'fields', "
    "fields) ORDER BY seq DESC) FROM page), '[]'), 'total', (SELECT count(*) FROM f), "
    "'limit', $7::int, 'offset', $8::int)";

ibc_rc store_audit_list(ibc_ctx *ctx, const audit_filter *f, json_t **out)
{
    const char *p[] = {f->school, f->reader, f->principal, f->action,
                       f->from,   f->to,     f->limit,     f->offset};
    return ibc_db_json_planned(ctx, out, sql_audit_list, 8, p);
}

/* The reader is of the school now, or was in a row of its log */
static const char sql_audit_reader_known[] =
    "SELECT EXISTS (SELECT 1 FROM readers WHERE id = $1::uuid AND school = $2) OR EXISTS "
    "(SELECT 1 FROM pd_audit_log WHERE reader_ids @> ARRAY[$1::uuid] AND school = $2)";

ibc_rc store_audit_reader_known(ibc_ctx *ctx, const char *reader, const char *school, bool *known)
{
    const char *p[] = {reader, school};
    PGresult *r = ibc_db_exec(ctx, sql_audit_reader_known, 2, p);
    if (!r) return ctx->err;
    *known = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return IBC_OK;
}

/* Copy cataloguing's SQL (see store_copy.h). */
#include "store_copy.h"

#include <stdio.h>

static const char sql_create[] =
    "WITH old AS (DELETE FROM copy_searches WHERE created_at < now() - interval '1 day'),"
    " s AS (INSERT INTO copy_searches (org, target, query, total, format)"
    "       VALUES ($1, $2, $3, $4::bigint, $5) RETURNING *),"
    " r AS (INSERT INTO copy_search_records (search_id, position, marcxml, record, error)"
    "       SELECT s.id, x.position, x.marcxml, x.record, x.error FROM s,"
    "       jsonb_to_recordset($6::jsonb) AS x(position int, marcxml text, record jsonb, error "
    "text)"
    "       RETURNING position, record, error) "
    "SELECT json_build_object('id', s.id, 'target', s.target, 'query', s.query,"
    " 'total', s.total, 'format', s.format, 'created_at', s.created_at,"
    " 'records', coalesce((SELECT json_agg(jsonb_strip_nulls(jsonb_build_object("
    "   'position', r.position, 'record', r.record, 'error', r.error)) ORDER BY r.position)"
    "   FROM r), '[]')) FROM s";

ibc_rc store_copy_create(ibc_ctx *ctx, const char *org, const char *target, const char *query,
                         long total, const char *format, const char *records_json, json_t **out)
{
    char tot[24];
    snprintf(tot, sizeof tot, "%ld", total);
    const char *p[] = {org, target, query, tot, format, records_json};
    return ibc_db_json(ctx, out, sql_create, 6, p);
}

static const char sql_marcxml[] =
    "SELECT json_build_object('format', s.format, 'records', coalesce((SELECT json_agg("
    "  json_build_object('position', p.position, 'marcxml', r.marcxml,"
    "                    'found', r.search_id IS NOT NULL) ORDER BY p.position)"
    "  FROM (SELECT DISTINCT unnest($3::int[]) AS position) p"
    "  LEFT JOIN copy_search_records r ON r.search_id = s.id AND r.position = p.position), '[]'))"
    " FROM copy_searches s WHERE s.id = $1::uuid AND ($2::text IS NULL OR s.org = $2)"
    " AND s.created_at > now() - interval '1 day'";

ibc_rc store_copy_marcxml(ibc_ctx *ctx, const char *id, const char *org, const char *positions,
                          json_t **out)
{
    const char *p[] = {id, org, positions};
    ibc_rc rc = ibc_db_json(ctx, out, sql_marcxml, 3, p);
    if (rc == IBC_ENOTFOUND)
        return ibc_fail(ctx, IBC_ENOTFOUND,
                        "copy search %s is unknown or older than a day; search again", id);
    return rc;
}

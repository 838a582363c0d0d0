/* The SQL of the roadmap (see store.h). "overdue" is computed from the date
 * by roadmap_json() (a migration), never stored. */
#include "store_util.h"

#include <stdio.h>

#define DONE_ON                                                                                    \
    "CASE WHEN b->>'status' = 'done' THEN coalesce((b->>'done_on')::date, current_date) END"

static const char sql_roadmap_insert[] =
    "INSERT INTO roadmap (section, title, deadline, responsible_org, expected_result, status, "
    "done_on, evidence) SELECT b->>'section', b->>'title', (b->>'deadline')::date, "
    "b->>'responsible_org', b->>'expected_result', b->>'status', " DONE_ON ", "
    "coalesce(b->'evidence', '[]') FROM (SELECT $1::jsonb b) q RETURNING roadmap_json(roadmap)";

ibc_rc store_roadmap_insert(ibc_ctx *ctx, const json_t *body, json_t **out)
{
    return ibc_db_json_with(ctx, out, sql_roadmap_insert, body, 0, NULL);
}

static ibc_rc not_found(ibc_ctx *ctx, ibc_rc rc, const char *id)
{
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no roadmap activity has id '%s'", id);
    return rc;
}

static const char sql_roadmap_update[] =
    "UPDATE roadmap r SET section = b->>'section', title = b->>'title', "
    "deadline = (b->>'deadline')::date, responsible_org = b->>'responsible_org', "
    "expected_result = b->>'expected_result', status = b->>'status', done_on = " DONE_ON ", "
    "evidence = coalesce(b->'evidence', '[]'), version = r.version + 1, updated_at = now() "
    "FROM (SELECT $1::jsonb b) q WHERE r.id = $2::uuid AND ($3::int IS NULL OR r.version = "
    "$3::int) RETURNING roadmap_json(r)";
static const char sql_roadmap_version[] = "SELECT version FROM roadmap WHERE id = $1::uuid";

ibc_rc store_roadmap_update(ibc_ctx *ctx, const char *id, const json_t *body, long version,
                            json_t **out)
{
    char v[24];
    const char *p[] = {id, su_long(v, version)};
    ibc_rc rc = ibc_db_json_with(ctx, out, sql_roadmap_update, body, 2, p);
    if (rc != IBC_ENOTFOUND) return rc;
    PGresult *r = ibc_db_exec(ctx, sql_roadmap_version, 1, p);
    if (!r) return ctx->err;
    if (PQntuples(r) == 0)
        rc = not_found(ctx, rc, id);
    else
        rc = ibc_fail(ctx, IBC_EPRECOND,
                      "the activity changed: its version is %s, If-Match named %ld; read it again",
                      PQgetvalue(r, 0, 0), version);
    PQclear(r);
    return rc;
}

static const char sql_roadmap_get[] = "SELECT roadmap_json(r) FROM roadmap r WHERE r.id = $1::uuid";

ibc_rc store_roadmap_get(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    return not_found(ctx, ibc_db_json(ctx, out, sql_roadmap_get, 1, p), id);
}

static const char sql_roadmap_delete[] =
    "DELETE FROM roadmap r WHERE r.id = $1::uuid RETURNING roadmap_json(r)";

ibc_rc store_roadmap_delete(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    return not_found(ctx, ibc_db_json(ctx, out, sql_roadmap_delete, 1, p), id);
}

static const char sql_roadmap_evidence[] =
    "UPDATE roadmap r SET evidence = r.evidence || jsonb_build_array($1::jsonb || "
    "jsonb_build_object('added_at', now(), 'added_by_org', $3::text)), "
    "version = r.version + 1, updated_at = now() WHERE r.id = $2::uuid RETURNING roadmap_json(r)";

ibc_rc store_roadmap_add_evidence(ibc_ctx *ctx, const char *id, const json_t *evidence,
                                  json_t **out)
{
    const char *p[] = {id, ctx->org ? ctx->org : ""};
    return not_found(ctx, ibc_db_json_with(ctx, out, sql_roadmap_evidence, evidence, 2, p), id);
}

/* $4 limit, $5 offset; the JSON is built for the page only */
static const char sql_roadmap_list[] =
    "WITH f AS (SELECT r, row_number() OVER (ORDER BY r.section, r.deadline, r.title, r.id) n "
    "FROM roadmap r "
    "WHERE ($1::text IS NULL OR r.section = $1) AND ($3::text IS NULL OR r.responsible_org = $3) "
    "AND ($2::text IS NULL OR CASE $2 WHEN 'overdue' THEN r.status <> 'done' AND r.deadline < "
    "current_date ELSE r.status = $2 END)) "
    "SELECT jsonb_build_object('items', coalesce((SELECT jsonb_agg(roadmap_json(r) ORDER BY n) "
    "FROM f "
    "WHERE n > $5::int AND n <= $5::int + $4::int), '[]'), 'total', (SELECT count(*) FROM f), "
    "'limit', $4::int, 'offset', $5::int)";

ibc_rc store_roadmap_list(ibc_ctx *ctx, const char *section, const char *status,
                          const char *responsible, const ibc_page *page, json_t **out)
{
    const char *p[] = {section, status, responsible, page->limit_text, page->offset_text};
    return ibc_db_json(ctx, out, sql_roadmap_list, 5, p);
}

#define PROGRESS_COLUMNS                                                                           \
    "'activities', count(*), 'planned', count(*) FILTER (WHERE status = 'planned'), "              \
    "'in_progress', count(*) FILTER (WHERE status = 'in_progress'), "                              \
    "'done', count(*) FILTER (WHERE status = 'done'), "                                            \
    "'overdue', count(*) FILTER (WHERE status <> 'done' AND deadline < current_date), "            \
    "'share_done', round(count(*) FILTER (WHERE status = 'done')::numeric / "                      \
    "nullif(count(*), 0), 3), 'next_deadline', min(deadline) FILTER (WHERE status <> 'done')"

static const char sql_roadmap_progress[] =
    "SELECT jsonb_build_object('sections', (SELECT coalesce(jsonb_agg(s ORDER BY s->>'section'), "
    "'[]') FROM (SELECT jsonb_build_object('section', section, " PROGRESS_COLUMNS ") s "
    "FROM roadmap GROUP BY section) x), 'total', (SELECT jsonb_build_object(" PROGRESS_COLUMNS
    ") FROM roadmap))";

ibc_rc store_roadmap_progress(ibc_ctx *ctx, json_t **out)
{
    return ibc_db_json(ctx, out, sql_roadmap_progress, 0, NULL);
}

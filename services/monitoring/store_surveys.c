/* The SQL of survey campaigns and answers (see store.h). */
#include "store_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_campaign_insert[] =
    "INSERT INTO campaigns (title, period, deadline, questions) "
    "SELECT b->>'title', b->>'period', (b->>'deadline')::date, b->'questions' "
    "FROM (SELECT $1::jsonb b) q RETURNING campaign_json(campaigns)";

ibc_rc store_campaign_insert(ibc_ctx *ctx, const json_t *body, json_t **out)
{
    return ibc_db_json_with(ctx, out, sql_campaign_insert, body, 0, NULL);
}

static ibc_rc campaign_not_found(ibc_ctx *ctx, ibc_rc rc, const char *id)
{
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no survey campaign has id '%s'", id);
    return rc;
}

static const char sql_campaign_get[] =
    "SELECT campaign_json(c) FROM campaigns c WHERE c.id = $1::uuid";

ibc_rc store_campaign_get(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    return campaign_not_found(ctx, ibc_db_json(ctx, out, sql_campaign_get, 1, p), id);
}

static const char sql_campaign_get_locked[] =
    "SELECT campaign_json(c) FROM campaigns c WHERE c.id = $1::uuid FOR SHARE";

ibc_rc store_campaign_get_locked(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    return campaign_not_found(ctx, ibc_db_json(ctx, out, sql_campaign_get_locked, 1, p), id);
}

/* $2 limit, $3 offset */
static const char sql_campaign_list[] =
    "WITH f AS (SELECT c, row_number() OVER (ORDER BY c.created_at DESC, c.id) n FROM campaigns c "
    "WHERE $1::text IS NULL OR c.status = $1) "
    "SELECT jsonb_build_object('items', coalesce((SELECT jsonb_agg(campaign_json(c) - 'questions' "
    "ORDER BY n) FROM f "
    "WHERE n > $3::int AND n <= $3::int + $2::int), '[]'), 'total', (SELECT count(*) FROM f), "
    "'limit', $2::int, 'offset', $3::int)";

ibc_rc store_campaign_list(ibc_ctx *ctx, const char *status, const ibc_page *page, json_t **out)
{
    const char *p[] = {status, page->limit_text, page->offset_text};
    return ibc_db_json(ctx, out, sql_campaign_list, 3, p);
}

static const char sql_campaign_close[] =
    "UPDATE campaigns c SET status = 'closed', closed_at = now() "
    "WHERE c.id = $1::uuid AND c.status = 'open' RETURNING campaign_json(c)";

ibc_rc store_campaign_close(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    ibc_rc rc = ibc_db_json(ctx, out, sql_campaign_close, 1, p);
    if (rc != IBC_ENOTFOUND) return rc;
    json_t *c = NULL;
    if (store_campaign_get(ctx, id, &c) != IBC_OK) return ctx->err;
    json_decref(c);
    return ibc_fail(ctx, IBC_ECONFLICT, "the campaign '%s' is closed already", id);
}

/* counts are the network's (the district's with $3); by_school is limited
 * to one school when asked */
static const char sql_campaign_completion[] =
    "SELECT jsonb_build_object('campaign_id', c.id, 'title', c.title, 'status', c.status, "
    "'district', $3::text, "
    "'schools', count(s.id), 'answered', count(a.id), "
    "'share', round(count(a.id)::numeric / nullif(count(s.id), 0), 3), "
    "'by_school', coalesce(jsonb_agg(jsonb_build_object('school', s.id, 'name', s.name, "
    "'district', s.district, 'answered', a.id IS NOT NULL, 'submitted_at', a.submitted_at, "
    "'updated_at', a.updated_at) ORDER BY s.id) FILTER (WHERE s.id IS NOT NULL AND "
    "($2::text IS NULL OR s.id = $2)), '[]')) "
    "FROM campaigns c LEFT JOIN schools s ON s.kind <> 'resource_centre' AND "
    "($3::text IS NULL OR s.district = $3::text) "
    "LEFT JOIN answers a ON a.campaign_id = c.id AND a.school_id = s.id "
    "WHERE c.id = $1::uuid GROUP BY c.id";

ibc_rc store_campaign_completion(ibc_ctx *ctx, const char *id, const char *school,
                                 const char *district, json_t **out)
{
    const char *p[] = {id, school, district};
    return campaign_not_found(ctx, ibc_db_json(ctx, out, sql_campaign_completion, 3, p), id);
}

static const char sql_answer_put[] =
    "INSERT INTO answers AS a (campaign_id, school_id, answers) "
    "VALUES ($1::uuid, $2, $3::jsonb) ON CONFLICT (campaign_id, school_id) DO UPDATE "
    "SET answers = EXCLUDED.answers, version = a.version + 1, updated_at = now() "
    "WHERE $4::int IS NULL OR a.version = $4::int "
    "RETURNING answer_json(a)::text, xmax = 0";
static const char sql_answer_version[] =
    "SELECT version FROM answers WHERE campaign_id = $1::uuid AND school_id = $2";

ibc_rc store_answer_put(ibc_ctx *ctx, const char *campaign, const char *school,
                        const json_t *answers, long version, json_t **out, bool *created)
{
    *out = NULL;
    *created = false;
    char v[24], *text = su_text(ctx, answers);
    if (!text) return ctx->err;
    const char *p[] = {campaign, school, text, su_long(v, version)};
    PGresult *r = ibc_db_exec(ctx, sql_answer_put, 4, p);
    free(text);
    if (!r) return ctx->err;
    ibc_rc rc = IBC_OK;
    if (PQntuples(r) == 0) {
        PQclear(r);
        r = ibc_db_exec(ctx, sql_answer_version, 2, p);
        if (!r) return ctx->err;
        rc = ibc_fail(ctx, IBC_EPRECOND,
                      "the answer changed: its version is %s, If-Match named %ld; read it again",
                      PQntuples(r) ? PQgetvalue(r, 0, 0) : "?", version);
    } else {
        *out = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
        *created = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
        if (!*out) rc = ibc_fail(ctx, IBC_EINTERNAL, "database returned bad JSON");
    }
    PQclear(r);
    return rc;
}

static const char sql_answer_get[] =
    "SELECT answer_json(a) FROM answers a WHERE a.campaign_id = $1::uuid AND a.school_id = $2";

ibc_rc store_answer_get(ibc_ctx *ctx, const char *campaign, const char *school, json_t **out)
{
    const char *p[] = {campaign, school};
    ibc_rc rc = ibc_db_json(ctx, out, sql_answer_get, 2, p);
    if (rc == IBC_ENOTFOUND) {
        json_t *c = NULL;
        if (store_campaign_get(ctx, campaign, &c) != IBC_OK) return ctx->err;
        json_decref(c);
        ibc_fail(ctx, rc, "the school '%s' has not answered the campaign '%s'", school, campaign);
    }
    return rc;
}

static const char sql_answer_list[] =
    "SELECT coalesce(jsonb_agg(answer_json(a) || jsonb_build_object('school_name', s.name) "
    "ORDER BY a.school_id), '[]') FROM answers a JOIN schools s ON s.id = a.school_id "
    "WHERE a.campaign_id = $1::uuid AND ($2::text IS NULL OR a.school_id = $2)";

ibc_rc store_answer_list(ibc_ctx *ctx, const char *campaign, const char *school, json_t **out)
{
    const char *p[] = {campaign, school};
    return ibc_db_json(ctx, out, sql_answer_list, 2, p);
}

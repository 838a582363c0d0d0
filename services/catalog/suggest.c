/* records.suggest: titles and authors that start with what the user has typed
 * so far, for a search box's autocomplete; and the SQL behind it and behind
 * the search's spelling corrections (store_suggest.h). */
#include "catalog.h"
#include "params.h"
#include "store_suggest.h"

#include <stdio.h>
#include <string.h>

static const char sql_correct[] = "SELECT search_correct($1)";

ibc_rc store_search_correct(ibc_ctx *ctx, const char *q, char *out, size_t outlen)
{
    const char *p[] = {q};
    out[0] = 0;
    PGresult *r = ibc_db_exec(ctx, sql_correct, 1, p);
    if (!r) return ctx->err;
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) && (size_t)PQgetlength(r, 0, 0) < outlen)
        snprintf(out, outlen, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return IBC_OK;
}

/* the prefix is escaped for LIKE; norm is in byte order, so LIKE 'p%' is an
 * index range of suggest_terms_prefix, read in order and cut at the limit;
 * a term that only blocked records have is hidden (migration 0067) */
static const char sql_suggest[] =
    "SELECT coalesce(json_agg(json_build_object('text', s.term, 'kind', s.kind)"
    " ORDER BY s.norm, s.kind), '[]') FROM (SELECT t.kind, t.norm, t.term FROM suggest_terms t"
    " WHERE t.norm LIKE like_literal(search_norm($1)) || '%' AND NOT t.hidden"
    " ORDER BY t.norm LIMIT $2::int) s";

ibc_rc store_suggest(ibc_ctx *ctx, const char *prefix, int limit, json_t **out)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit);
    const char *p[] = {prefix, lim};
    return ibc_db_json_planned(ctx, out, sql_suggest, 2, p);
}

/* records.suggest: q (1-100 characters), limit (1-20, default 10).
 * 200 {"items": [{"text", "kind"}]}; 400 naming a bad parameter. */
ibc_rc records_suggest(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"q", "limit", NULL};
    const char *q = NULL;
    long limit = 10;
    bool present;
    json_t *items = NULL;
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = param_str(ctx, req, "q", 100, &q);
    if (rc == IBC_OK && (!q || !*q))
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "parameter 'q' is required: the beginning of a title "
                      "or an author's name");
    if (rc == IBC_OK) rc = param_int(ctx, req, "limit", 1, 20, &limit, &present);
    if (rc == IBC_OK) rc = store_suggest(ctx, q, (int)limit, &items);
    if (rc == IBC_OK) *reply = json_pack("{s:o}", "items", items);
    return rc;
}

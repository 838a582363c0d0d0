/* The catalog's SQL for near-duplicates and merging (see store_merge.h). */
#include "store_merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* c.title % me.title (trigram similarity >= 0.3) finds the candidates through
 * the trigram index on title; the stricter checks then run on those few. */
static const char sql_similar[] =
    "WITH me AS (SELECT r.id, r.title, norm_title(r.title) AS nt, author_key(r.authors) AS ak,"
    "   r.year FROM records r WHERE r.id = $1::uuid) "
    "SELECT json_build_object('id', me.id, 'similar', coalesce((SELECT json_agg(x ORDER BY "
    "  x.score DESC, x.id) FROM (SELECT c.id, c.type, c.title, c.authors, c.year, c.isbn,"
    "   round((similarity(norm_title(c.title), me.nt)"
    "          * (1 - 0.05 * coalesce(abs(c.year - me.year), 0)))::numeric, 3) AS score,"
    "   (SELECT count(*) FROM items i WHERE i.record_id = c.id) AS items"
    "   FROM records c WHERE c.title % me.title AND c.id <> me.id"
    "   AND author_key(c.authors) IS NOT DISTINCT FROM me.ak"
    "   AND (c.year IS NULL OR me.year IS NULL OR abs(c.year - me.year) <= 2)"
    "   AND similarity(norm_title(c.title), me.nt) >= 0.6"
    "   ORDER BY score DESC, c.id LIMIT $2::int) x), '[]')) FROM me";

ibc_rc store_similar(ibc_ctx *ctx, const char *id, int limit, json_t **out)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit);
    const char *p[] = {id, lim};
    ibc_rc rc = ibc_db_json(ctx, out, sql_similar, 2, p);
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no record has id '%s'", id);
    return rc;
}

static const char sql_lock_pair[] =
    "SELECT id::text FROM records WHERE id IN ($1::uuid, $2::uuid) ORDER BY id FOR UPDATE";
static const char sql_move_items[] =
    "UPDATE items SET record_id = $1::uuid, version = version + 1, updated_at = now() "
    "WHERE record_id = $2::uuid";
/* the record kept is now the one a source record's next import finds */
static const char sql_move_sources[] =
    "UPDATE record_sources SET record_id = $1::uuid WHERE record_id = $2::uuid";
static const char sql_delete_from[] = "DELETE FROM records WHERE id = $1::uuid";

ibc_rc store_merge(ibc_ctx *ctx, const char *keep, const char *from, long *moved)
{
    *moved = 0;
    const char *p[] = {keep, from};
    PGresult *r = ibc_db_exec(ctx, sql_lock_pair, 2, p);
    if (!r) return ctx->err;
    bool has_keep = false, has_from = false;
    for (int i = 0; i < PQntuples(r); i++) {
        has_keep |= strcmp(PQgetvalue(r, i, 0), keep) == 0;
        has_from |= strcmp(PQgetvalue(r, i, 0), from) == 0;
    }
    PQclear(r);
    if (!has_keep) return ibc_fail(ctx, IBC_ENOTFOUND, "no record has id '%s'", keep);
    if (!has_from)
        return ibc_fail(ctx, IBC_EUNPROCESSABLE, "'from' names no record of the catalog: '%s'",
                        from);
    r = ibc_db_exec(ctx, sql_move_items, 2, p);
    if (!r) return ctx->err;
    *moved = atol(PQcmdTuples(r));
    PQclear(r);
    r = ibc_db_exec(ctx, sql_move_sources, 2, p);
    if (!r) return ctx->err;
    PQclear(r);
    const char *d[] = {from};
    r = ibc_db_exec(ctx, sql_delete_from, 1, d);
    if (!r) return ctx->err;
    PQclear(r);
    return IBC_OK;
}

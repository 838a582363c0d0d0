/* The catalog's write-off acts, seen from here (migration 0073): the catalog
 * asks, inside the act's transaction, that the act's copies be withdrawn,
 * and this service refuses when one is on loan or in a transfer, under the
 * row locks a checkout takes. So a copy is never both lent and written off.
 * A withdrawal the catalog did not commit is undone by items.restore, or by
 * the reconciling job (items.reconcile) that asks the catalog about copies
 * withdrawn for longer than a few minutes without its written_off event. */
#include "circulation.h"

#include <ibc/json.h>
#include <stdio.h>
#include <string.h>

/* Only the catalog asks for these actions: the subject is granted to it
 * alone (deploy/nats.conf), and the signed context names it. */
static ibc_rc from_catalog(ibc_ctx *ctx)
{
    if (!ctx->via || strcmp(ctx->via, "catalog") != 0)
        return ibc_fail(ctx, IBC_EFORBIDDEN, "only the catalog withdraws copies");
    return IBC_OK;
}

/* The act's id (write_off_id) of the body, as a uuid. */
static ibc_rc act_id(ibc_ctx *ctx, const json_t *body, const char **id)
{
    *id = json_string_value(json_object_get(body, "write_off_id"));
    if (!*id || !ibc_uuid_valid(*id))
        return ibc_fail(ctx, IBC_EINVAL, "'write_off_id' must be the act's id");
    return IBC_OK;
}

/* Each copy {id, record_id, school, barcode} as the projection needs it
 * (item_valid), at most 20,000 (a stocktake's missing copies are written
 * off by one act). */
static ibc_rc items_valid(ibc_ctx *ctx, const json_t *items)
{
    if (!json_is_array(items) || json_array_size(items) == 0 || json_array_size(items) > 20000)
        return ibc_fail(ctx, IBC_EINVAL, "'items' must list 1 to 20000 copies");
    size_t i;
    const json_t *it;
    json_array_foreach(items, i, it)
    {
        if (item_valid(ctx, it, false) != IBC_OK) {
            char why[256];
            snprintf(why, sizeof why, "%s", ctx->err_detail);
            return ibc_fail(ctx, IBC_EINVAL, "copy %zu: %s", i + 1, why);
        }
    }
    return IBC_OK;
}

static const char sql_withdraw[] = "SELECT items_withdraw($2::uuid, $1::jsonb->'items')";

/* items.withdraw: body {write_off_id, items: [{id, record_id, school,
 * barcode}]}. 200 with {"withdrawn": n}, or with {"problems": [{barcode,
 * problem}]} (on_loan, in_transfer) and nothing changed. 403 unless the
 * catalog asks. */
ibc_rc items_withdraw(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const json_t *body = ibc_body(req);
    const char *act = NULL;
    ibc_rc rc = from_catalog(ctx);
    if (rc == IBC_OK) rc = act_id(ctx, body, &act);
    if (rc == IBC_OK) rc = items_valid(ctx, json_object_get(body, "items"));
    if (rc == IBC_OK) rc = ibc_db_json_with(ctx, reply, sql_withdraw, body, 1, &act);
    return rc;
}

static const char sql_restore[] = "SELECT to_jsonb(items_restore($1::uuid))";

/* items.restore: body {write_off_id}. 200 with how many copies got their
 * status back (the act was not committed). 403 unless the catalog asks. */
ibc_rc items_restore(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *act = NULL;
    json_t *n = NULL;
    ibc_rc rc = from_catalog(ctx);
    if (rc == IBC_OK) rc = act_id(ctx, ibc_body(req), &act);
    if (rc == IBC_OK) rc = ibc_db_json(ctx, &n, sql_restore, 1, &act);
    if (rc == IBC_OK) *reply = json_pack("{s:O}", "restored", n);
    json_decref(n);
    return rc;
}

/* the copies withdrawn longer than `age` seconds ago, oldest first, a batch */
static const char sql_unconfirmed[] =
    "SELECT COALESCE(jsonb_agg(jsonb_build_object('id', id, 'barcode', barcode, 'act', "
    "withdrawn_by) ORDER BY withdrawn_at), '[]') FROM (SELECT id, barcode, withdrawn_by, "
    "withdrawn_at FROM items WHERE withdrawn_by IS NOT NULL AND withdrawn_at < now() - "
    "make_interval(secs => $1::int) ORDER BY withdrawn_at LIMIT 100 "
    "FOR NO KEY UPDATE SKIP LOCKED) w";
static const char sql_confirm[] =
    "UPDATE items SET withdrawn_by = NULL, withdrawn_at = NULL, status_before = NULL "
    "WHERE id = $1::uuid";
static const char sql_undo[] =
    "UPDATE items SET status = coalesce(status_before, 'available'), status_before = NULL, "
    "withdrawn_by = NULL, withdrawn_at = NULL WHERE id = $1::uuid";

/* One withdrawn copy: the catalog's word settles it. Written off there: the
 * act was committed and its event is late (confirmed as the event would).
 * Otherwise the act was not committed: the copy gets its status back. */
static ibc_rc reconcile_one(ibc_ctx *ctx, const json_t *w, long *undone)
{
    const char *id = json_string_value(json_object_get(w, "id"));
    const char *barcode = json_string_value(json_object_get(w, "barcode"));
    json_t *params = json_pack("{s:s}", "barcode", barcode ? barcode : ""), *item = NULL;
    ibc_rc rc = ibc_call(ctx, "catalog.items.lookup", params, NULL, &item, 2000);
    json_decref(params);
    const char *status = json_string_value(json_object_get(item, "status"));
    bool gone = rc == IBC_ENOTFOUND;
    if (rc == IBC_OK || gone) {
        bool written_off = status && strcmp(status, "written_off") == 0;
        rc = ibc_db_run(ctx, written_off ? sql_confirm : sql_undo, 1, &id);
        if (rc == IBC_OK && !written_off) (*undone)++;
    }
    json_decref(item);
    return rc;
}

ibc_rc items_reconcile_run(ibc_ctx *ctx, long age_s, long *seen, long *undone)
{
    char age[24];
    snprintf(age, sizeof age, "%ld", age_s);
    const char *p[] = {age};
    json_t *list = NULL;
    ibc_rc rc = ibc_db_json(ctx, &list, sql_unconfirmed, 1, p);
    size_t i;
    const json_t *w;
    json_array_foreach(list, i, w)
    {
        if (rc != IBC_OK) break;
        rc = reconcile_one(ctx, w, undone);
        (*seen)++;
    }
    json_decref(list);
    return rc;
}

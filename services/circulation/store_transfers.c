/* The SQL of loans between schools (see store.h). transfer_json() and the
 * transitions table are in the migration; a trigger refuses a state change
 * that the table does not list, whatever the code does. */
#include "store.h"

#include <stdio.h>
#include <string.h>

/* The school a librarian is confined to, or "" for the network roles. */
static const char *confine(const ibc_ctx *ctx)
{
    return ibc_role_network_wide(ctx) ? "" : ctx->org;
}

static const char sql_insert[] =
    "INSERT INTO transfers (record_id, from_school, to_school, reader_id, note, history) "
    "SELECT $1::uuid, $2, $3, $4::uuid, $5, jsonb_build_array(jsonb_build_object('state', "
    "'requested', 'at', now(), 'by', $6::text)) "
    "WHERE $4::uuid IS NULL OR EXISTS (SELECT 1 FROM readers r WHERE r.id = $4::uuid "
    "AND r.school = $3) RETURNING transfer_json(transfers)";

ibc_rc store_transfer_insert(ibc_ctx *ctx, const char *record_id, const char *from_school,
                             const char *to_school, const char *reader_id, const char *note,
                             json_t **out)
{
    const char *p[] = {record_id, from_school, to_school, reader_id, note, ctx->principal};
    ibc_rc rc = ibc_db_json(ctx, out, sql_insert, 6, p);
    if (rc == IBC_ENOTFOUND)
        ibc_fail(ctx, IBC_EINVAL, "'reader_id' %s is not a reader of %s", reader_id, to_school);
    return rc;
}

static const char sql_lock[] =
    "SELECT transfer_json(t) FROM transfers t WHERE t.id = $1::uuid "
    "AND ($2 = '' OR $2 IN (t.from_school, t.to_school)) FOR NO KEY UPDATE OF t";
static const char sql_get[] = "SELECT transfer_json(t) FROM transfers t WHERE t.id = $1::uuid "
                              "AND ($2 = '' OR $2 IN (t.from_school, t.to_school))";

ibc_rc store_transfer_lock(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id, ibc_role_is(ctx, "admin") ? "" : ctx->org};
    ibc_rc rc = ibc_db_json(ctx, out, sql_lock, 2, p);
    if (rc == IBC_ENOTFOUND)
        ibc_fail(ctx, rc, "no transfer of %s has id %s", *p[1] ? p[1] : "the network", id);
    return rc;
}

ibc_rc store_transfer_get(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id, confine(ctx)};
    ibc_rc rc = ibc_db_json(ctx, out, sql_get, 2, p);
    if (rc == IBC_ENOTFOUND)
        ibc_fail(ctx, rc, "no transfer of %s has id %s", *p[1] ? p[1] : "the network", id);
    return rc;
}

static const char sql_actor[] =
    "SELECT actor FROM transfer_transitions WHERE from_state = $1 AND to_state = $2";

ibc_rc store_transfer_actor(ibc_ctx *ctx, const char *from, const char *to, char actor[16])
{
    actor[0] = 0;
    const char *p[] = {from, to};
    PGresult *r = ibc_db_exec(ctx, sql_actor, 2, p);
    if (!r) return ctx->err;
    if (PQntuples(r) > 0) snprintf(actor, 16, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return IBC_OK;
}

static const char sql_move[] =
    "UPDATE transfers t SET state = $2, item_id = coalesce($3::uuid, t.item_id), "
    "reason = coalesce($4, t.reason), updated_at = now(), history = t.history || "
    "jsonb_build_array(jsonb_strip_nulls(jsonb_build_object('state', $2::text, 'at', now(), "
    "'by', $5::text, 'reason', $4::text))) WHERE t.id = $1::uuid RETURNING transfer_json(t)";

ibc_rc store_transfer_move(ibc_ctx *ctx, const char *id, const char *to, const char *item_id,
                           const char *reason, json_t **out)
{
    const char *p[] = {id, to, item_id, reason, ctx->principal};
    ibc_rc rc = ibc_db_json(ctx, out, sql_move, 5, p);
    if (rc == IBC_ECONFLICT)
        ibc_fail(ctx, rc, "the copy chosen for transfer %s is already lent to another school", id);
    return rc;
}

static const char sql_list[] =
    "SELECT jsonb_build_object('transfers', coalesce(jsonb_agg(transfer_json(x.tr) ORDER BY "
    "x.created_at DESC, x.id), '[]'), 'limit', $4::int, 'offset', $5::int) "
    "FROM (SELECT t AS tr, t.created_at, t.id FROM transfers t WHERE ($1::text IS NULL "
    "OR ($2 IN ('incoming', 'both') AND t.from_school = $1) "
    "OR ($2 IN ('outgoing', 'both') AND t.to_school = $1)) "
    "AND ($3::text IS NULL OR t.state = $3) ORDER BY t.created_at DESC, t.id "
    "LIMIT $4::int OFFSET $5::int) x";

ibc_rc store_transfers_list(ibc_ctx *ctx, const store_transfer_filter *f, json_t **out)
{
    const char *p[] = {f->school, f->direction, f->state, f->limit, f->offset};
    return ibc_db_json(ctx, out, sql_list, 5, p);
}

static const char sql_on_loan[] =
    "SELECT count(*) FROM loans WHERE item_id = $1::uuid AND returned_at IS NULL";

ibc_rc store_item_on_loan(ibc_ctx *ctx, const char *item_id, bool *on_loan)
{
    *on_loan = false;
    if (!item_id) return IBC_OK;
    const char *p[] = {item_id};
    PGresult *r = ibc_db_exec(ctx, sql_on_loan, 1, p);
    if (!r) return ctx->err;
    *on_loan = strcmp(PQgetvalue(r, 0, 0), "0") != 0;
    PQclear(r);
    return IBC_OK;
}

/* The SQL of the projection of catalog items and records (see store.h). */
#include "store.h"

#include <stdio.h>
#include <string.h>

static void copy(char *dst, size_t len, const PGresult *r, int col)
{
    snprintf(dst, len, "%s", PQgetisnull(r, 0, col) ? "" : PQgetvalue(r, 0, col));
}

static const char sql_lock[] = "SELECT id::text FROM items WHERE barcode = $1 FOR NO KEY UPDATE";

ibc_rc store_item_lock_by_barcode(ibc_ctx *ctx, const char *barcode, char id[37])
{
    id[0] = 0;
    const char *p[] = {barcode};
    PGresult *r = ibc_db_exec(ctx, sql_lock, 1, p);
    if (!r) return ctx->err;
    if (PQntuples(r) > 0) copy(id, 37, r, 0);
    PQclear(r);
    return IBC_OK;
}

/* A fresh statement after the lock: it sees what committed while we waited. */
static const char sql_state[] =
    "SELECT i.record_id, i.school, i.status, "
    "coalesce(r.type = 'textbook', false) OR coalesce(i.source = 'textbook_fund', false), "
    "(SELECT l.due_date::text FROM loans l WHERE l.item_id = i.id AND l.returned_at IS NULL), "
    "(SELECT h.reader_id::text FROM holds h WHERE h.item_id = i.id AND h.state = 'ready'), "
    "t.id, t.state, t.to_school "
    "FROM items i LEFT JOIN records r ON r.id = i.record_id "
    "LEFT JOIN transfers t ON t.item_id = i.id AND t.state IN ('approved', 'shipped', "
    "'received') WHERE i.id = $1::uuid";

ibc_rc store_item_state_get(ibc_ctx *ctx, const char *id, store_item_state *st)
{
    memset(st, 0, sizeof *st);
    const char *p[] = {id};
    PGresult *r = ibc_db_exec(ctx, sql_state, 1, p);
    if (!r) return ctx->err;
    ibc_rc rc = IBC_OK;
    if (PQntuples(r) == 0) {
        rc = ibc_fail(ctx, IBC_ENOTFOUND, "no item has id %s", id);
    } else {
        snprintf(st->id, sizeof st->id, "%s", id);
        copy(st->record_id, sizeof st->record_id, r, 0);
        copy(st->school, sizeof st->school, r, 1);
        copy(st->status, sizeof st->status, r, 2);
        st->textbook = strcmp(PQgetvalue(r, 0, 3), "t") == 0;
        copy(st->loan_due, sizeof st->loan_due, r, 4);
        copy(st->held_for, sizeof st->held_for, r, 5);
        copy(st->transfer_id, sizeof st->transfer_id, r, 6);
        copy(st->transfer_state, sizeof st->transfer_state, r, 7);
        copy(st->transfer_to, sizeof st->transfer_to, r, 8);
    }
    PQclear(r);
    return rc;
}

/* The catalog's event and a first lookup (a checkout or a class set meeting a
 * copy whose event has not been applied yet) may write the same copy at the
 * same moment. ON CONFLICT (id) settles the id, but the barcode's unique
 * index is no arbiter: the second insert failed with a unique violation (a
 * class set answered 409). Writers of one barcode take turns instead. */
static const char sql_lock_barcode[] = "SELECT pg_advisory_xact_lock(hashtextextended($1, 4))";
static const char sql_free_barcode[] =
    "UPDATE items SET barcode = NULL WHERE barcode = $1 AND id <> $2::uuid";
static const char sql_upsert[] =
    "INSERT INTO items (id, record_id, school, barcode, status, source, version) "
    "VALUES ($1::uuid, coalesce((SELECT m.kept_id FROM merged_records m "
    "WHERE m.merged_id = $2::uuid), $2::uuid), $3, $4, coalesce($5, 'available'), $6, $7::int) "
    "ON CONFLICT (id) DO UPDATE SET record_id = EXCLUDED.record_id, school = EXCLUDED.school, "
    "barcode = EXCLUDED.barcode, "
    /* a copy withdrawn for a write-off act (0073) keeps its status until the
     * catalog's written_off event confirms the act */
    "status = CASE WHEN items.withdrawn_by IS NOT NULL AND $5 IS DISTINCT FROM 'written_off' "
    "THEN items.status ELSE coalesce($5, items.status) END, "
    "withdrawn_by = CASE WHEN $5 = 'written_off' THEN NULL ELSE items.withdrawn_by END, "
    "withdrawn_at = CASE WHEN $5 = 'written_off' THEN NULL ELSE items.withdrawn_at END, "
    "status_before = CASE WHEN $5 = 'written_off' THEN NULL ELSE items.status_before END, "
    "source = coalesce(EXCLUDED.source, items.source), "
    "version = coalesce(EXCLUDED.version, items.version), synced_at = now() "
    "WHERE items.version IS NULL OR EXCLUDED.version IS NULL "
    "OR EXCLUDED.version >= items.version";

ibc_rc store_item_upsert(ibc_ctx *ctx, const json_t *item, const char *status_override)
{
    const char *id = json_string_value(json_object_get(item, "id"));
    const char *barcode = json_string_value(json_object_get(item, "barcode"));
    json_t *v = json_object_get(item, "version");
    char ver[24];
    snprintf(ver, sizeof ver, "%lld", (long long)json_integer_value(v));
    const char *p[] = {barcode, id};
    PGresult *r = barcode ? ibc_db_exec(ctx, sql_lock_barcode, 1, p) : NULL;
    if (barcode && !r) return ctx->err;
    PQclear(r);
    r = ibc_db_exec(ctx, sql_free_barcode, 2, p);
    if (!r) return ctx->err;
    PQclear(r);
    const char *q[] = {id,
                       json_string_value(json_object_get(item, "record_id")),
                       json_string_value(json_object_get(item, "school")),
                       barcode,
                       status_override ? status_override
                                       : json_string_value(json_object_get(item, "status")),
                       json_string_value(json_object_get(item, "source")),
                       json_is_integer(v) ? ver : NULL};
    r = ibc_db_exec(ctx, sql_upsert, 7, q);
    if (!r) return ctx->err;
    PQclear(r);
    return IBC_OK;
}

static const char sql_record_upsert[] =
    "INSERT INTO records (id, type, age_rating) VALUES ($1::uuid, $2, $3) "
    "ON CONFLICT (id) DO UPDATE SET type = EXCLUDED.type, age_rating = EXCLUDED.age_rating";

ibc_rc store_record_upsert(ibc_ctx *ctx, const char *id, const char *type, const char *age_rating)
{
    const char *p[] = {id, type, age_rating};
    PGresult *r = ibc_db_exec(ctx, sql_record_upsert, 3, p);
    if (!r) return ctx->err;
    PQclear(r);
    return IBC_OK;
}

static const char sql_record_block[] =
    "INSERT INTO records (id, type, extremist_entry, extremist_version) "
    "VALUES ($1::uuid, 'book', $2::int, $3::int) ON CONFLICT (id) DO UPDATE "
    "SET extremist_entry = EXCLUDED.extremist_entry, extremist_version = "
    "EXCLUDED.extremist_version";

ibc_rc store_record_block(ibc_ctx *ctx, const char *id, const char *entry, const char *version)
{
    const char *p[] = {id, entry, version};
    return ibc_db_run(ctx, sql_record_block, 3, p);
}

static const char sql_record_forget[] = "DELETE FROM records WHERE id = $1::uuid";

ibc_rc store_record_forget(ibc_ctx *ctx, const char *id)
{
    const char *p[] = {id};
    PGresult *r = ibc_db_exec(ctx, sql_record_forget, 1, p);
    if (!r) return ctx->err;
    PQclear(r);
    return IBC_OK;
}

static const char sql_merge[] = "SELECT to_jsonb(merge_record($1::uuid, $2::uuid))";

ibc_rc store_record_merge(ibc_ctx *ctx, const char *kept, const char *merged, json_t **cancelled)
{
    const char *p[] = {kept, merged};
    return ibc_db_json(ctx, cancelled, sql_merge, 2, p);
}

/* The catalog's SQL for items (see store_items.h). jsonb_populate_record()
 * maps the validated body onto the columns; item_json() builds the answer. */
#include "store_items.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ibc_rc dump(ibc_ctx *ctx, const json_t *flat, char **text)
{
    *text = json_dumps(flat, JSON_COMPACT);
    return *text ? IBC_OK : ibc_fail(ctx, IBC_ENOMEM, "out of memory");
}

static const char sql_record_exists[] = "SELECT 1 FROM records WHERE id = $1::uuid FOR KEY SHARE";

ibc_rc store_record_must_exist(ibc_ctx *ctx, const char *record_id, const char *field)
{
    const char *p[] = {record_id};
    PGresult *r = ibc_db_exec(ctx, sql_record_exists, 1, p);
    if (!r) return ctx->err;
    int n = PQntuples(r);
    PQclear(r);
    if (n == 0)
        return ibc_fail(ctx, IBC_EUNPROCESSABLE, "'%s' names no record of the catalog: '%s'", field,
                        record_id);
    return IBC_OK;
}

static const char sql_conflict[] =
    "SELECT id::text, barcode = $1 FROM items "
    "WHERE (barcode = $1 OR (school = $2 AND inventory_number = $3)) "
    "AND id::text <> $4 ORDER BY barcode = $1 DESC LIMIT 1";

ibc_rc store_item_check_unique(ibc_ctx *ctx, const char *barcode, const char *school,
                               const char *inventory_number, const char *except_id)
{
    const char *p[] = {barcode, school, inventory_number, except_id ? except_id : ""};
    PGresult *r = ibc_db_exec(ctx, sql_conflict, 4, p);
    if (!r) return ctx->err;
    ibc_rc rc = IBC_OK;
    if (PQntuples(r) > 0) {
        const char *other = PQgetvalue(r, 0, 0);
        ctx->err_ext = json_pack("{s:s}", "existing_id", other);
        if (strcmp(PQgetvalue(r, 0, 1), "t") == 0)
            rc = ibc_fail(ctx, IBC_ECONFLICT,
                          "barcode '%s' is already used by item %s; a barcode is unique in the "
                          "network",
                          barcode, other);
        else
            rc = ibc_fail(ctx, IBC_ECONFLICT,
                          "inventory number '%s' is already used in school %s by item %s",
                          inventory_number, school, other);
    }
    PQclear(r);
    return rc;
}

/* ON CONFLICT DO NOTHING waits for a concurrent insert of the same barcode to
 * finish, so the check after it sees the winner and names it. */
static const char sql_insert[] =
    "INSERT INTO items (record_id, school, barcode, inventory_number, location, price, "
    "acquired_on, source, status) "
    "SELECT p.record_id, $2, p.barcode, p.inventory_number, p.location, p.price, p.acquired_on, "
    "p.source, coalesce(p.status, 'available') "
    "FROM jsonb_populate_record(NULL::items, $1::jsonb) p "
    "ON CONFLICT DO NOTHING RETURNING item_json(items)";

ibc_rc store_item_insert(ibc_ctx *ctx, const json_t *flat, const char *school, json_t **out)
{
    char *text;
    if (dump(ctx, flat, &text) != IBC_OK) return ctx->err;
    const char *p[] = {text, school};
    ibc_rc rc = ibc_db_json(ctx, out, sql_insert, 2, p);
    free(text);
    if (rc == IBC_ENOTFOUND) {
        rc = store_item_check_unique(
            ctx, json_string_value(json_object_get(flat, "barcode")), school,
            json_string_value(json_object_get(flat, "inventory_number")), NULL);
        if (rc == IBC_OK) /* the other item went away meanwhile: let the runtime retry */
            rc = ibc_fail(ctx, IBC_ERETRY, "a concurrent change interfered; try again");
    }
    return rc;
}

static const char sql_get[] = "SELECT item_json(i) FROM items i WHERE i.id = $1::uuid";
static const char sql_get_lock[] =
    "SELECT item_json(i) FROM items i WHERE i.id = $1::uuid FOR NO KEY UPDATE";

ibc_rc store_item_get(ibc_ctx *ctx, const char *id, bool lock, json_t **out)
{
    const char *p[] = {id};
    ibc_rc rc = ibc_db_json(ctx, out, lock ? sql_get_lock : sql_get, 1, p);
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no item has id '%s'", id);
    return rc;
}

static const char sql_by_barcode[] = "SELECT item_json(i) FROM items i WHERE i.barcode = $1";

ibc_rc store_item_by_barcode(ibc_ctx *ctx, const char *barcode, json_t **out)
{
    const char *p[] = {barcode};
    ibc_rc rc = ibc_db_json(ctx, out, sql_by_barcode, 1, p);
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no item has barcode '%s'", barcode);
    return rc;
}

static const char sql_update[] =
    "UPDATE items i SET (record_id, school, barcode, inventory_number, location, price, "
    "acquired_on, source, status) = (SELECT p.record_id, $4, p.barcode, p.inventory_number, "
    "p.location, p.price, p.acquired_on, p.source, coalesce(p.status, i.status) "
    "FROM jsonb_populate_record(NULL::items, $2::jsonb) p), "
    "version = i.version + 1, updated_at = now() "
    "WHERE i.id = $1::uuid AND i.version = $3::int RETURNING item_json(i)";

ibc_rc store_item_update(ibc_ctx *ctx, const char *id, long version, const json_t *flat,
                         const char *school, json_t **out)
{
    char *text, ver[24];
    if (dump(ctx, flat, &text) != IBC_OK) return ctx->err;
    snprintf(ver, sizeof ver, "%ld", version);
    const char *p[] = {id, text, ver, school};
    ibc_rc rc = ibc_db_json(ctx, out, sql_update, 4, p);
    free(text);
    if (rc == IBC_ENOTFOUND)
        rc = ibc_fail(ctx, IBC_EPRECOND,
                      "the item changed: If-Match named version %ld; read it again", version);
    return rc;
}

static const char sql_write_off[] =
    "UPDATE items i SET status = 'written_off', writeoff_act = $2, writeoff_reason = $3, "
    "written_off_at = now(), version = i.version + 1, updated_at = now() "
    "WHERE i.id = $1::uuid RETURNING item_json(i)";

ibc_rc store_item_write_off(ibc_ctx *ctx, const char *id, const char *act, const char *reason,
                            json_t **out)
{
    const char *p[] = {id, act, reason};
    ibc_rc rc = ibc_db_json(ctx, out, sql_write_off, 3, p);
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no item has id '%s'", id);
    return rc;
}

/* limit + 1 rows tell whether there is a next page */
static const char sql_list[] =
    "SELECT item_json(i), i.id::text FROM items i "
    "WHERE ($1::text IS NULL OR i.barcode = $1) AND ($2::uuid IS NULL OR i.record_id = $2) "
    "AND ($3::text IS NULL OR i.school = $3) AND ($4::text IS NULL OR i.status = $4) "
    "AND ($5::uuid IS NULL OR i.id > $5) ORDER BY i.id LIMIT $6::int + 1";

ibc_rc store_items_list(ibc_ctx *ctx, const char *barcode, const char *record_id,
                        const char *school, const char *status, const char *after, int limit,
                        json_t **out)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit);
    const char *p[] = {barcode, record_id, school, status, after, lim};
    PGresult *r = ibc_db_exec_planned(ctx, sql_list, 6, p);
    if (!r) return ctx->err;
    json_t *items = json_array();
    int n = PQntuples(r);
    for (int i = 0; i < n && i < limit; i++) {
        json_t *it = json_loads(PQgetvalue(r, i, 0), 0, NULL);
        if (it) json_array_append_new(items, it);
    }
    json_t *next = n > limit ? json_string(PQgetvalue(r, limit - 1, 1)) : json_null();
    *out = json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
    PQclear(r);
    return IBC_OK;
}

static const char sql_item_count[] =
    "SELECT count(*), count(*) FILTER (WHERE status = 'written_off') FROM items "
    "WHERE record_id = $1::uuid";

ibc_rc store_record_item_count(ibc_ctx *ctx, const char *record_id, long *total, long *written_off)
{
    const char *p[] = {record_id};
    PGresult *r = ibc_db_exec(ctx, sql_item_count, 1, p);
    if (!r) return ctx->err;
    *total = atol(PQgetvalue(r, 0, 0));
    *written_off = atol(PQgetvalue(r, 0, 1));
    PQclear(r);
    return IBC_OK;
}

/* Held: in the collection (available, on loan, in repair); available now:
 * status available and not lent. Schools that hold nothing are left out. */
static const char sql_availability[] =
    "SELECT json_build_object('record_id', r.id, "
    "'held', coalesce(sum(s.held), 0), 'available', coalesce(sum(s.available), 0), "
    "'schools', coalesce(json_agg(json_build_object('school', s.school, 'held', s.held, "
    "'available', s.available) ORDER BY s.school) FILTER (WHERE s.school IS NOT NULL), '[]')) "
    "FROM records r LEFT JOIN LATERAL ("
    "  SELECT i.school, count(*) FILTER (WHERE i.status IN ('available', 'in_repair')) AS held,"
    "         count(*) FILTER (WHERE i.status = 'available' AND NOT i.on_loan) AS available"
    "  FROM items i WHERE i.record_id = r.id AND ($2::text IS NULL OR i.school = $2)"
    "  GROUP BY i.school) s ON s.held > 0 "
    "WHERE r.id = $1::uuid GROUP BY r.id";

ibc_rc store_availability(ibc_ctx *ctx, const char *record_id, const char *school, json_t **out)
{
    const char *p[] = {record_id, school};
    ibc_rc rc = ibc_db_json(ctx, out, sql_availability, 2, p);
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no record has id '%s'", record_id);
    return rc;
}

/* The last change of each copy in the batch wins (by time, then stream
 * order), and only when newer than the copy's last applied loan event. */
static const char sql_apply_loans[] =
    "UPDATE items i SET on_loan = c.on_loan, loan_event_at = c.at, updated_at = now() "
    "FROM (SELECT DISTINCT ON (u.item) u.item, u.on_loan, coalesce(u.at, now()) AS at "
    "FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (item uuid, on_loan boolean, "
    "at timestamptz)) WITH ORDINALITY AS u(item, on_loan, at, ord) "
    "ORDER BY u.item, coalesce(u.at, now()) DESC, u.ord DESC) c "
    "WHERE i.id = c.item AND (i.loan_event_at IS NULL OR i.loan_event_at < c.at)";

ibc_rc store_items_apply_loans(ibc_ctx *ctx, const json_t *changes)
{
    char *text = json_dumps(changes, JSON_COMPACT);
    if (!text) return ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    const char *p[] = {text};
    ibc_rc rc = ibc_db_run(ctx, sql_apply_loans, 1, p);
    free(text);
    return rc;
}

/* The SQL of fund accounting (see store_fund.h). */
#include "store_fund.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dump(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
}

static const char sql_missing_record[] =
    "SELECT coalesce(min(l.ord), 0) FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY l(v, ord) "
    "WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.id = (l.v->>'record_id')::uuid)";

ibc_rc store_receipt_missing_record(ibc_ctx *ctx, const json_t *lines, long *line)
{
    char *text = dump(lines);
    if (!text) return ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    const char *p[] = {text};
    PGresult *r = ibc_db_exec(ctx, sql_missing_record, 1, p);
    free(text);
    if (!r) return ctx->err;
    *line = atol(PQgetvalue(r, 0, 0));
    PQclear(r);
    return IBC_OK;
}

/* IBC_ECONFLICT naming the act of that number (what: "receipt"). */
static ibc_rc number_free(ibc_ctx *ctx, const char *sql, const char *what, const char *school,
                          const char *number, const char *date)
{
    const char *p[] = {school, number, date};
    PGresult *r = ibc_db_exec(ctx, sql, 3, p);
    if (!r) return ctx->err;
    ibc_rc rc = IBC_OK;
    if (PQntuples(r) > 0) {
        ctx->err_ext = json_pack("{s:s}", "existing_id", PQgetvalue(r, 0, 0));
        rc = ibc_fail(ctx, IBC_ECONFLICT,
                      "school %s already has a %s numbered '%s' in %.4s (%s); a number is used "
                      "once a year",
                      school, what, number, date, PQgetvalue(r, 0, 0));
    }
    PQclear(r);
    return rc;
}

static const char sql_receipt_number[] =
    "SELECT id::text FROM receipts WHERE school = $1 AND number = $2 "
    "AND date_part('year', received_on) = date_part('year', $3::date)";

ibc_rc store_receipt_number_free(ibc_ctx *ctx, const char *school, const char *number,
                                 const char *date)
{
    return number_free(ctx, sql_receipt_number, "receipt", school, number, date);
}

static const char sql_receipt_accept[] = "SELECT receipt_accept($2, $1::jsonb, $3)";

ibc_rc store_receipt_accept(ibc_ctx *ctx, const char *school, const json_t *p, json_t **out)
{
    const char *rest[] = {school, ctx->principal ? ctx->principal : ""};
    return ibc_db_json_with(ctx, out, sql_receipt_accept, p, 2, rest);
}

static const char sql_receipt_get[] = "SELECT receipt_json($1::uuid, false)";

ibc_rc store_receipt_get(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    ibc_rc rc = ibc_db_json(ctx, out, sql_receipt_get, 1, p);
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no receipt has id %s", id);
    return rc;
}

static const char sql_write_off_number[] =
    "SELECT id::text FROM write_offs WHERE school = $1 AND number = $2 "
    "AND date_part('year', written_off_on) = date_part('year', $3::date)";

ibc_rc store_write_off_number_free(ibc_ctx *ctx, const char *school, const char *number,
                                   const char *date)
{
    return number_free(ctx, sql_write_off_number, "write-off act", school, number, date);
}

static const char sql_write_off_accept[] =
    "SELECT write_off_accept($2, $1::jsonb, ARRAY(SELECT jsonb_array_elements_text($3::jsonb)), "
    "$4)";

ibc_rc store_write_off_accept(ibc_ctx *ctx, const char *school, const json_t *p,
                              const json_t *barcodes, json_t **out)
{
    char *list = dump(barcodes);
    if (!list) return ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    const char *rest[] = {school, list, ctx->principal ? ctx->principal : ""};
    ibc_rc rc = ibc_db_json_with(ctx, out, sql_write_off_accept, p, 3, rest);
    free(list);
    return rc;
}

static const char sql_write_off_get[] = "SELECT write_off_json($1::uuid)";

ibc_rc store_write_off_get(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    ibc_rc rc = ibc_db_json(ctx, out, sql_write_off_get, 1, p);
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no write-off act has id %s", id);
    return rc;
}

static const char sql_register[] = "SELECT fund_register($1, $2::int)";

ibc_rc store_fund_register(ibc_ctx *ctx, const char *school, long year, json_t **out)
{
    char y[16];
    snprintf(y, sizeof y, "%ld", year);
    const char *p[] = {school, y};
    return ibc_db_json(ctx, out, sql_register, 2, p);
}

/* Inventory numbers sort as numbers when they are (left-padded to 64). */
static const char sql_book[] =
    "WITH b AS (SELECT f.*, lpad(f.inventory_number, 64, '0') AS pos, count(*) OVER () AS total "
    "  FROM fund_items f WHERE f.school = $1 AND f.inventory_number IS NOT NULL "
    "  AND ($2::int = 0 OR date_part('year', f.in_date) = $2::int)), "
    "page AS (SELECT * FROM b WHERE pos > lpad($3, 64, '0') ORDER BY pos "
    "  LIMIT CASE WHEN $4::int = 0 THEN NULL ELSE $4::int + 1 END) "
    "SELECT json_build_object('total', coalesce((SELECT max(total) FROM b), 0), "
    "'items', coalesce(json_agg(json_strip_nulls(json_build_object("
    "  'inventory_number', inventory_number, 'date', in_date, 'barcode', barcode, "
    "  'record_id', record_id, 'title', title, 'authors', array_to_string(authors, ', '), "
    "  'year', year, 'kind', kind, 'section', section, 'price_kopecks', kopecks, "
    "  'receipt_number', receipt_number, 'source', receipt_source, 'status', status, "
    "  'write_off_date', out_date, 'write_off_act', writeoff_act, "
    "  'write_off_reason', writeoff_reason)) ORDER BY pos), '[]')) FROM page";

ibc_rc store_inventory_book(ibc_ctx *ctx, const char *school, long year, const char *after,
                            long limit, json_t **out)
{
    char y[16], l[16];
    snprintf(y, sizeof y, "%ld", year);
    snprintf(l, sizeof l, "%ld", limit);
    const char *p[] = {school, y, after ? after : "", l};
    ibc_rc rc = ibc_db_json(ctx, out, sql_book, 4, p);
    if (rc != IBC_OK || limit == 0) return rc;
    json_t *items = json_object_get(*out, "items");
    json_t *next = json_null();
    if ((long)json_array_size(items) > limit) {
        json_array_remove(items, (size_t)limit);
        next = json_copy(
            json_object_get(json_array_get(items, (size_t)limit - 1), "inventory_number"));
    }
    json_object_set_new(*out, "next_cursor", next);
    return IBC_OK;
}

static const char sql_stocktake_open[] =
    "INSERT INTO stocktakes (school, kind, section, note, created_by) "
    "SELECT $2, p.kind, p.section, p.note, $3 FROM jsonb_populate_record(NULL::stocktakes, "
    "$1::jsonb) p ON CONFLICT DO NOTHING RETURNING stocktake_json(stocktakes)";

ibc_rc store_stocktake_open(ibc_ctx *ctx, const char *school, const json_t *p, json_t **out)
{
    const char *rest[] = {school, ctx->principal ? ctx->principal : ""};
    ibc_rc rc = ibc_db_json_with(ctx, out, sql_stocktake_open, p, 2, rest);
    if (rc == IBC_ENOTFOUND)
        rc = ibc_fail(ctx, IBC_ECONFLICT,
                      "school %s already has an open stocktake of this part of its fund; close it "
                      "first",
                      school);
    return rc;
}

static const char sql_stocktake_get[] =
    "SELECT stocktake_json(s) FROM stocktakes s WHERE id = $1::uuid";
static const char sql_stocktake_lock[] =
    "SELECT stocktake_json(s) FROM stocktakes s WHERE id = $1::uuid FOR UPDATE";

ibc_rc store_stocktake_get(ibc_ctx *ctx, const char *id, bool lock, json_t **out)
{
    const char *p[] = {id};
    ibc_rc rc = ibc_db_json(ctx, out, lock ? sql_stocktake_lock : sql_stocktake_get, 1, p);
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no stocktake has id %s", id);
    return rc;
}

static const char sql_scan[] =
    "SELECT stocktake_scan($1::uuid, ARRAY(SELECT jsonb_array_elements_text($2::jsonb)), "
    "ARRAY(SELECT jsonb_array_elements_text($3::jsonb)::int))";

ibc_rc store_stocktake_scan(ibc_ctx *ctx, const char *id, const json_t *barcodes,
                            const json_t *lines, json_t **out)
{
    char *b = dump(barcodes), *l = dump(lines);
    ibc_rc rc;
    if (!b || !l)
        rc = ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    else {
        const char *p[] = {id, b, l};
        rc = ibc_db_json(ctx, out, sql_scan, 3, p);
    }
    free(b);
    free(l);
    return rc;
}

static const char sql_close[] = "SELECT stocktake_close($1::uuid)";

ibc_rc store_stocktake_close(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    return ibc_db_json(ctx, out, sql_close, 1, p);
}

static const char sql_stocktake_wo[] =
    "UPDATE stocktakes SET write_off_id = $2::uuid WHERE id = $1::uuid";

ibc_rc store_stocktake_written_off(ibc_ctx *ctx, const char *id, const char *write_off_id)
{
    const char *p[] = {id, write_off_id};
    return ibc_db_run(ctx, sql_stocktake_wo, 2, p);
}

/* limit + 1 rows tell whether there is a next page */
static const char sql_unmarked[] =
    "WITH m AS (SELECT r.id, r.type, r.title, r.authors, r.year, "
    "  (SELECT count(*) FROM items i WHERE i.record_id = r.id AND i.status <> 'written_off' "
    "   AND ($1::text IS NULL OR i.school = $1)) AS copies "
    "  FROM records r WHERE r.age_rating IS NULL AND ($1::text IS NULL OR EXISTS ("
    "  SELECT 1 FROM items i WHERE i.record_id = r.id AND i.school = $1 "
    "  AND i.status <> 'written_off'))), "
    "page AS (SELECT * FROM m WHERE $2::uuid IS NULL OR id > $2::uuid ORDER BY id "
    "  LIMIT $3::int + 1) "
    "SELECT json_build_object('total', (SELECT count(*) FROM m), 'items', "
    "coalesce((SELECT json_agg(json_strip_nulls(json_build_object('id', id, 'type', type, "
    "'title', title, 'authors', authors, 'year', year, 'copies', copies)) ORDER BY id) "
    "FROM page), '[]'))";

ibc_rc store_records_without_age_mark(ibc_ctx *ctx, const char *school, const char *after,
                                      long limit, json_t **out)
{
    char l[16];
    snprintf(l, sizeof l, "%ld", limit);
    const char *p[] = {school, after, l};
    ibc_rc rc = ibc_db_json_planned(ctx, out, sql_unmarked, 3, p);
    if (rc != IBC_OK) return rc;
    json_t *items = json_object_get(*out, "items");
    json_t *next = json_null();
    if ((long)json_array_size(items) > limit) {
        json_array_remove(items, (size_t)limit);
        next = json_copy(json_object_get(json_array_get(items, (size_t)limit - 1), "id"));
    }
    json_object_set_new(*out, "next_cursor", next);
    return IBC_OK;
}

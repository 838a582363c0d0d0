/* The SQL of fund accounting (migrations 0040, 0041): each function runs on
 * ctx->db in the caller's transaction; the acts' logic lives in PL/pgSQL
 * functions of the migrations, so that an act is one round trip. */
#ifndef CATALOG_STORE_FUND_H
#define CATALOG_STORE_FUND_H

#include <ibc/ibc.h>

/* 0 when every lines[i].record_id names a record, else the 1-based number
 * of the first line that does not. */
ibc_rc store_receipt_missing_record(ibc_ctx *ctx, const json_t *lines, long *line);
/* IBC_ECONFLICT (existing_id in err_ext) when the school has a receipt with
 * this number in the year of `date`. */
ibc_rc store_receipt_number_free(ibc_ctx *ctx, const char *school, const char *number,
                                 const char *date);
/* Accepts the receipt (validated body p) for school; *out = receipt JSON
 * with its items. */
ibc_rc store_receipt_accept(ibc_ctx *ctx, const char *school, const json_t *p, json_t **out);
/* The receipt with id (lines, no items). IBC_ENOTFOUND. */
ibc_rc store_receipt_get(ibc_ctx *ctx, const char *id, json_t **out);

/* As for receipts, for write-off acts. */
ibc_rc store_write_off_number_free(ibc_ctx *ctx, const char *school, const char *number,
                                   const char *date);
/* Writes off the copies with these barcodes (array of strings): *out is
 * {"id"} when done, {"problems": [...]} when nothing was done. */
ibc_rc store_write_off_accept(ibc_ctx *ctx, const char *school, const json_t *p,
                              const json_t *barcodes, json_t **out);
ibc_rc store_write_off_get(ibc_ctx *ctx, const char *id, json_t **out);

/* The summary register of a school for a year (JSON of fund_register()). */
ibc_rc store_fund_register(ibc_ctx *ctx, const char *school, long year, json_t **out);
/* One page of the inventory book: rows after inventory position `after`
 * ("" from the start), year 0 for all; *out = {"items", "next_cursor",
 * "total"}. limit 0 means every row (for CSV and XLSX). */
ibc_rc store_inventory_book(ibc_ctx *ctx, const char *school, long year, const char *after,
                            long limit, json_t **out);

/* Records without an age mark (436-ФЗ): those the school holds (copies
 * not written off; school NULL: the whole catalog), by id after `after`
 * (NULL: from the start); *out = {"items", "total", "next_cursor"}. */
ibc_rc store_records_without_age_mark(ibc_ctx *ctx, const char *school, const char *after,
                                      long limit, json_t **out);

/* Stocktakes. */
ibc_rc store_stocktake_open(ibc_ctx *ctx, const char *school, const json_t *p, json_t **out);
ibc_rc store_stocktake_get(ibc_ctx *ctx, const char *id, bool lock, json_t **out);
ibc_rc store_stocktake_scan(ibc_ctx *ctx, const char *id, const json_t *barcodes,
                            const json_t *lines, json_t **out);
ibc_rc store_stocktake_close(ibc_ctx *ctx, const char *id, json_t **out);
ibc_rc store_stocktake_written_off(ibc_ctx *ctx, const char *id, const char *write_off_id);

#endif

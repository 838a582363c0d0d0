/* The catalog's SQL for items (экземпляры), their availability, and the
 * on-loan flag fed by circulation's events. Every function runs on ctx->db in
 * the caller's transaction; items go in as flat JSON keyed by column and come
 * out as item_json() (migration 0003). */
#ifndef CATALOG_STORE_ITEMS_H
#define CATALOG_STORE_ITEMS_H

#include <ibc/ibc.h>

/* IBC_OK when the record exists (and keeps it from being deleted until the
 * transaction ends); IBC_EUNPROCESSABLE naming `field` when it does not. */
ibc_rc store_record_must_exist(ibc_ctx *ctx, const char *record_id, const char *field);

/* Inserts an item of `school`; *out is the stored item. IBC_ECONFLICT with a
 * sentence naming the barcode or inventory number when either is taken. */
ibc_rc store_item_insert(ibc_ctx *ctx, const json_t *flat, const char *school, json_t **out);

/* The item with this id; locked for update when `lock`. IBC_ENOTFOUND. */
ibc_rc store_item_get(ibc_ctx *ctx, const char *id, bool lock, json_t **out);
/* The item with this barcode. IBC_ENOTFOUND. */
ibc_rc store_item_by_barcode(ibc_ctx *ctx, const char *barcode, json_t **out);

/* IBC_ECONFLICT (with existing_id in ctx->err_ext) when another item than
 * except_id (may be NULL) has the barcode, or the inventory number in school. */
ibc_rc store_item_check_unique(ibc_ctx *ctx, const char *barcode, const char *school,
                               const char *inventory_number, const char *except_id);

/* Replaces the item's fields when its version is `version`; the status is
 * kept when flat has none. IBC_EPRECOND when the version differs. */
ibc_rc store_item_update(ibc_ctx *ctx, const char *id, long version, const json_t *flat,
                         const char *school, json_t **out);

/* Marks the item written off with the act and reason; *out is the item. */
ibc_rc store_item_write_off(ibc_ctx *ctx, const char *id, const char *act, const char *reason,
                            json_t **out);

/* One page of items, filters NULL when absent, ordered by id after `after`
 * (NULL: from the start). *out = {"items": [...], "next_cursor": id|null}. */
ibc_rc store_items_list(ibc_ctx *ctx, const char *barcode, const char *record_id,
                        const char *school, const char *status, const char *after, int limit,
                        json_t **out);

/* Items of a record, all statuses; *written_off counts those written off. */
ibc_rc store_record_item_count(ibc_ctx *ctx, const char *record_id, long *total, long *written_off);

/* Per school: copies held and available now. IBC_ENOTFOUND for no record. */
ibc_rc store_availability(ibc_ctx *ctx, const char *record_id, const char *school, json_t **out);

/* Applies circulation's loan events to items.on_loan: `changes` is an array of
 * {item, on_loan, at} in stream order; items the catalog lacks are ignored. */
ibc_rc store_items_apply_loans(ibc_ctx *ctx, const json_t *changes);

#endif

/* Fund accounting (учёт фонда): receipt and write-off acts, the summary
 * register and inventory book, stocktaking. See README.md beside. */
#ifndef CATALOG_FUND_H
#define CATALOG_FUND_H

#include <ibc/ibc.h>

/* receipts (receipts.c) */
ibc_rc receipts_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc receipts_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
/* write-off acts (write_offs.c) */
ibc_rc write_offs_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc write_offs_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
/* the books of record (books.c) */
ibc_rc fund_register_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc inventory_book_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc age_marks_missing_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
/* stocktaking (stocktakes.c) */
ibc_rc stocktakes_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc stocktakes_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc stocktakes_scan(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc stocktakes_close(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* Helpers of the fund's actions (fund_common.c); ibc/request.h does the rest. */

/* The school an act is for: the body's or query's `school` when given, else
 * the caller's organisation; then checked with catalog_may_manage. */
ibc_rc fund_school(ibc_ctx *ctx, const char *given, const char **school);
/* A school's act or check (an object with "school") may be read by its own
 * staff and the network's roles; to anyone else it does not exist: the
 * same IBC_ENOTFOUND as an unknown id ("no <what> has id <id>"). */
ibc_rc fund_may_read(ibc_ctx *ctx, const json_t *obj, const char *what, const char *id);
/* IBC_EINVAL unless date (YYYY-MM-DD) lies between 1900-01-01 and tomorrow. */
ibc_rc fund_date_check(ibc_ctx *ctx, const char *field, const char *date);

#endif

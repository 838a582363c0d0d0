/* The catalog service's actions. */
#ifndef CATALOG_H
#define CATALOG_H

#include <ibc/ibc.h>

/* records (handlers.c) */
ibc_rc records_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc records_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc records_update(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc records_delete(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* search (search.c), duplicates (merge.c) */
ibc_rc records_search(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc records_similar(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc records_merge(ibc_ctx *ctx, const json_t *req, json_t **reply);
/* the fielded search of the Z39.50/SRU server (find.c) */
ibc_rc records_find(ibc_ctx *ctx, const json_t *req, json_t **reply);
/* copy cataloguing from remote Z39.50 targets (copy.c) */
ibc_rc copy_searches_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc copy_searches_import(ibc_ctx *ctx, const json_t *req, json_t **reply);
/* prefix suggestions of titles and authors (suggest.c) */
ibc_rc records_suggest(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* items and availability (items.c) */
ibc_rc items_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc items_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc items_update(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc items_write_off(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc items_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc items_lookup(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc records_availability(ibc_ctx *ctx, const json_t *req, json_t **reply);
/* IBC_OK when the caller may manage the copies (and the fund's acts) of
 * `school`: admin and methodologist any school, a librarian only their own;
 * IBC_EFORBIDDEN with a sentence otherwise. */
ibc_rc catalog_may_manage(ibc_ctx *ctx, const char *school);

/* circulation's loan events (loans.c) */
ibc_rc on_loan_events(ibc_ctx *ctx, size_t n, const char *const *subjects,
                      const json_t *const *events);

#endif

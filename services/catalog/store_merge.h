/* The catalog's SQL for near-duplicates and merging records. */
#ifndef CATALOG_STORE_MERGE_H
#define CATALOG_STORE_MERGE_H

#include <ibc/ibc.h>

/* Near-duplicates of a record: same first-author surname, normalised title
 * trigram similarity >= 0.6, year within 2. *out = {"id", "similar": [...]}
 * best first, at most limit. IBC_ENOTFOUND for an unknown record. */
ibc_rc store_similar(ibc_ctx *ctx, const char *id, int limit, json_t **out);

/* Moves every item of record `from` to record `keep` and deletes `from`, both
 * locked first (in id order). *moved = items moved. IBC_ENOTFOUND for an unknown keep,
 * IBC_EUNPROCESSABLE for an unknown from. */
ibc_rc store_merge(ibc_ctx *ctx, const char *keep, const char *from, long *moved);

#endif

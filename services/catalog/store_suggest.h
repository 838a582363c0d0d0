/* The SQL of the forgiving search: spelling corrections from the catalog's
 * vocabulary and prefix suggestions of titles and authors (migration 0014). */
#ifndef CATALOG_STORE_SUGGEST_H
#define CATALOG_STORE_SUGGEST_H

#include <ibc/ibc.h>

/* Writes into out (outlen bytes) q with each unknown word of 5 letters or
 * more replaced by the nearest known word (at most two letters apart), or ""
 * when nothing was replaced. */
ibc_rc store_search_correct(ibc_ctx *ctx, const char *q, char *out, size_t outlen);

/* Up to limit titles and authors starting with prefix (ё as е, any case):
 * *out = [{"text", "kind": "title"|"author"}], new reference. */
ibc_rc store_suggest(ibc_ctx *ctx, const char *prefix, int limit, json_t **out);

#endif

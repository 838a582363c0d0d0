/* The SQL of copy cataloguing: remote searches and their records, kept a day. */
#ifndef CATALOG_STORE_COPY_H
#define CATALOG_STORE_COPY_H

#include <ibc/ibc.h>

/* Keeps a search of org (drops those older than a day first) with its records
 * (JSON text of [{position, marcxml?, record?, error?}]). *out = {id, target,
 * query, total, format, created_at, records: [{position, record?, error?}]}. */
ibc_rc store_copy_create(ibc_ctx *ctx, const char *org, const char *target, const char *query,
                         long total, const char *format, const char *records_json, json_t **out);

/* The MARCXML of the search's records at positions (a PostgreSQL int array
 * literal, "{1,3}"): *out = {format, records: [{position, marcxml, found}]}.
 * IBC_ENOTFOUND when the search is unknown, a day old, or (org given) of
 * another organisation. */
ibc_rc store_copy_marcxml(ibc_ctx *ctx, const char *id, const char *org, const char *positions,
                          json_t **out);

#endif

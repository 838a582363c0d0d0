/* Helpers shared by the catalog's store files. */
#ifndef CATALOG_STORE_UTIL_H
#define CATALOG_STORE_UTIL_H

#include <ibc/ibc.h>

/* Runs a parameterised statement unprepared (PQexecParams), so that PostgreSQL
 * plans it for the actual values: the search and list statements carry
 * optional filters written "$n IS NULL OR ...", which a generic prepared plan
 * cannot prune. Maps a failure like ibc_db_exec and returns NULL. Caller
 * PQclear()s. */
PGresult *store_exec_custom(ibc_ctx *ctx, const char *sql, int nparams, const char *const *params);

/* The same, for a statement whose first column of the first row is JSON;
 * *out is a new reference, IBC_ENOTFOUND for no row or NULL. */
ibc_rc store_json_custom(ibc_ctx *ctx, json_t **out, const char *sql, int nparams,
                         const char *const *params);

#endif

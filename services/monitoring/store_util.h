/* Helpers shared by the monitoring store files (not part of store.h). */
#ifndef MON_STORE_UTIL_H
#define MON_STORE_UTIL_H

#include "store.h"

/* Compact JSON text of j (caller frees), or NULL with IBC_ENOMEM in ctx. */
char *su_text(ibc_ctx *ctx, const json_t *j);
/* ibc_db_json with the JSON text of `body` as parameter $bodyidx (1-based)
 * in front of the others. */
ibc_rc su_json_with_body(ibc_ctx *ctx, json_t **out, const char *sql, const json_t *body,
                         int nparams, const char *const *params);
/* Runs a statement that returns no rows of interest. */
ibc_rc su_exec(ibc_ctx *ctx, const char *sql, int nparams, const char *const *params);
/* Text of a long for a parameter; buf must hold 24 bytes. NULL when v < 0. */
const char *su_long(char *buf, long v);

#endif

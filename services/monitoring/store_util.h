/* Helpers shared by the monitoring store files (not part of store.h). */
#ifndef MON_STORE_UTIL_H
#define MON_STORE_UTIL_H

#include "store.h"

/* Compact JSON text of j (caller frees), or NULL with IBC_ENOMEM in ctx. */
char *su_text(ibc_ctx *ctx, const json_t *j);
/* Text of a long for a parameter; buf must hold 24 bytes. NULL when v < 0. */
const char *su_long(char *buf, long v);

#endif

/* Helpers shared by the monitoring store files (see store_util.h). */
#include "store_util.h"

#include <stdio.h>
#include <stdlib.h>

char *su_text(ibc_ctx *ctx, const json_t *j)
{
    char *t = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!t) ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    return t;
}

const char *su_long(char *buf, long v)
{
    if (v < 0) return NULL;
    snprintf(buf, 24, "%ld", v);
    return buf;
}

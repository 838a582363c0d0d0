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

ibc_rc su_json_with_body(ibc_ctx *ctx, json_t **out, const char *sql, const json_t *body,
                         int nparams, const char *const *params)
{
    const char *p[8];
    if (nparams > 7) return ibc_fail(ctx, IBC_EINTERNAL, "too many parameters");
    char *text = su_text(ctx, body);
    if (!text) return ctx->err;
    p[0] = text;
    for (int i = 0; i < nparams; i++)
        p[i + 1] = params[i];
    ibc_rc rc = ibc_db_json(ctx, out, sql, nparams + 1, p);
    free(text);
    return rc;
}

ibc_rc su_exec(ibc_ctx *ctx, const char *sql, int nparams, const char *const *params)
{
    PGresult *r = ibc_db_exec(ctx, sql, nparams, params);
    if (!r) return ctx->err;
    PQclear(r);
    return IBC_OK;
}

const char *su_long(char *buf, long v)
{
    if (v < 0) return NULL;
    snprintf(buf, 24, "%ld", v);
    return buf;
}

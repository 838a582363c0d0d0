/* The context of one call (see ibc/context.h): its failure, its reply
 * headers, the caller's headers and role. */
#include "ibc/context.h"

#include <nats/nats.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ibc_rc ibc_fail(ibc_ctx *ctx, ibc_rc rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err_detail, sizeof ctx->err_detail, fmt, ap);
    va_end(ap);
    ctx->err = rc;
    return rc;
}

ibc_rc ibc_fail_reason(ibc_ctx *ctx, ibc_rc rc, const char *reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err_detail, sizeof ctx->err_detail, fmt, ap);
    va_end(ap);
    if (!ctx->err_ext) ctx->err_ext = json_object();
    json_object_set_new(ctx->err_ext, "reason", json_string(reason));
    ctx->err = rc;
    return rc;
}

void ibc_set_header(ibc_ctx *ctx, const char *name, const char *value)
{
    if (!ctx->reply_headers) ctx->reply_headers = json_object();
    json_object_set_new(ctx->reply_headers, name, json_string(value));
}

void ibc_reply_json_text(ibc_ctx *ctx, char *text, size_t len)
{
    free(ctx->json_text);
    ctx->json_text = text;
    ctx->json_len = len;
}

const char *ibc_header(const ibc_ctx *ctx, const char *name)
{
    const char *v = NULL;
    if (!ctx->msg || natsMsgHeader_Get((natsMsg *)ctx->msg, name, &v) != NATS_OK) return NULL;
    return v;
}

bool ibc_role_is(const ibc_ctx *ctx, const char *role)
{
    return ctx->role && strcmp(ctx->role, role) == 0;
}

bool ibc_role_network_wide(const ibc_ctx *ctx)
{
    return ibc_role_is(ctx, "admin") || ibc_role_is(ctx, "methodologist");
}

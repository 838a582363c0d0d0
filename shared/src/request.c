/* Request helpers (see ibc/request.h): checked parameters, versions and the
 * outcome of a call. The only place where a call's outcome becomes an HTTP
 * status and a Location header. */
#include "ibc/request.h"
#include "ibc/json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const json_t *ibc_params(const json_t *req)
{
    return json_object_get(req, "params");
}

const json_t *ibc_body(const json_t *req)
{
    return json_object_get(req, "body");
}

const char *ibc_param(const json_t *req, const char *name)
{
    return json_string_value(json_object_get(json_object_get(req, "params"), name));
}

/* Writes the NULL-terminated names, comma-separated and without `skip`,
 * into out; "none" when there are none. */
static void name_list(const char *const *names, const char *skip, char *out, size_t len)
{
    out[0] = 0;
    for (const char *const *n = names; *n; n++)
        if (!skip || strcmp(*n, skip) != 0)
            snprintf(out + strlen(out), len - strlen(out), "%s%s", out[0] ? ", " : "", *n);
    if (!out[0]) snprintf(out, len, "none");
}

static bool listed(const char *const *names, const char *name)
{
    for (; *names; names++)
        if (strcmp(*names, name) == 0) return true;
    return false;
}

ibc_rc ibc_req_only(ibc_ctx *ctx, const json_t *req, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)ibc_params(req), key, v)
    {
        if (listed(allowed, key)) continue;
        char list[512];
        name_list(allowed, "id", list, sizeof list);
        return ibc_fail(ctx, IBC_EINVAL, "unknown query parameter '%.60s'; this route takes %s",
                        key, list);
    }
    return IBC_OK;
}

ibc_rc ibc_req_id(ibc_ctx *ctx, const json_t *req, const char *name, const char *what,
                  const char **id)
{
    *id = ibc_param(req, name);
    if (!*id || !ibc_uuid_valid(*id))
        return ibc_fail(ctx, IBC_EINVAL, "the %s id must be a UUID, not '%.60s'", what,
                        *id ? *id : "");
    return IBC_OK;
}

ibc_rc ibc_req_uuid(ibc_ctx *ctx, const json_t *req, const char *name, const char **out)
{
    *out = ibc_param(req, name);
    if (*out && !ibc_uuid_valid(*out))
        return ibc_fail(ctx, IBC_EINVAL, "query parameter '%s' must be a UUID, not '%.60s'", name,
                        *out);
    return IBC_OK;
}

ibc_rc ibc_req_int(ibc_ctx *ctx, const json_t *req, const char *name, long min, long max, long dflt,
                   long *out)
{
    const char *s = ibc_param(req, name);
    *out = dflt;
    if (!s) return IBC_OK;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || (*s != '-' && (*s < '0' || *s > '9')) || v < min || v > max)
        return ibc_fail(ctx, IBC_EINVAL,
                        "query parameter '%s' must be an integer from %ld to %ld, not '%.40s'",
                        name, min, max, s);
    *out = v;
    return IBC_OK;
}

ibc_rc ibc_req_bool(ibc_ctx *ctx, const json_t *req, const char *name, bool dflt, bool *out)
{
    const char *v = ibc_param(req, name);
    *out = dflt;
    if (!v) return IBC_OK;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        *out = true;
    else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        *out = false;
    else
        return ibc_fail(ctx, IBC_EINVAL, "query parameter '%s' must be true or false, not '%.20s'",
                        name, v);
    return IBC_OK;
}

ibc_rc ibc_req_date(ibc_ctx *ctx, const json_t *req, const char *name, const char **out)
{
    *out = ibc_param(req, name);
    if (*out && !ibc_date_valid(*out))
        return ibc_fail(ctx, IBC_EINVAL,
                        "query parameter '%s' must be a real date as YYYY-MM-DD, not '%.40s'", name,
                        *out);
    return IBC_OK;
}

ibc_rc ibc_req_enum(ibc_ctx *ctx, const json_t *req, const char *name, const char *const *choices,
                    const char **out)
{
    *out = ibc_param(req, name);
    if (!*out || listed(choices, *out)) return IBC_OK;
    char list[256];
    name_list(choices, NULL, list, sizeof list);
    return ibc_fail(ctx, IBC_EINVAL, "query parameter '%s' must be one of %s, not '%.40s'", name,
                    list, *out);
}

ibc_rc ibc_req_text(ibc_ctx *ctx, const json_t *req, const char *name, long max, const char **out)
{
    *out = ibc_param(req, name);
    if (!*out) return IBC_OK;
    size_t n = ibc_utf8_length(*out);
    if (n == 0 || (long)n > max)
        return ibc_fail(ctx, IBC_EINVAL, "query parameter '%s' must have 1 to %ld characters", name,
                        max);
    return IBC_OK;
}

bool ibc_org_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 64) return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              *s == '.' || *s == '_' || *s == '-'))
            return false;
    return true;
}

ibc_rc ibc_req_org(ibc_ctx *ctx, const json_t *req, const char *name, const char **out)
{
    *out = ibc_param(req, name);
    if (*out && !ibc_org_valid(*out))
        return ibc_fail(ctx, IBC_EINVAL,
                        "query parameter '%s' must be an organisation id (1 to 64 letters, "
                        "digits, '.', '_' or '-'), not '%.60s'",
                        name, *out);
    return IBC_OK;
}

ibc_rc ibc_req_range(ibc_ctx *ctx, const char *from, const char *to)
{
    /* YYYY-MM-DD compares as text */
    if (from && to && strcmp(from, to) > 0)
        return ibc_fail(ctx, IBC_EINVAL, "query parameter 'from' (%s) is after 'to' (%s)", from,
                        to);
    return IBC_OK;
}

ibc_rc ibc_req_page(ibc_ctx *ctx, const json_t *req, long dflt, long max, ibc_page *page)
{
    ibc_rc rc = ibc_req_int(ctx, req, "limit", 1, max, dflt, &page->limit);
    if (rc == IBC_OK) rc = ibc_req_int(ctx, req, "offset", 0, IBC_OFFSET_MAX, 0, &page->offset);
    snprintf(page->limit_text, sizeof page->limit_text, "%ld", page->limit);
    snprintf(page->offset_text, sizeof page->offset_text, "%ld", page->offset);
    return rc;
}

long ibc_etag_version(const char *s)
{
    if (!s) return -1;
    const char *p = strncmp(s, "W/", 2) == 0 ? s + 2 : s;
    size_t n = strlen(p);
    if (n >= 2 && p[0] == '"' && p[n - 1] == '"') p++, n -= 2;
    char buf[24];
    /* digits only: strtol would also take blanks and a sign */
    if (n == 0 || n >= sizeof buf || *p < '0' || *p > '9') return -1;
    memcpy(buf, p, n);
    buf[n] = 0;
    char *end;
    errno = 0;
    long v = strtol(buf, &end, 10);
    return *end || errno || v < 1 ? -1 : v;
}

ibc_rc ibc_if_match(ibc_ctx *ctx, bool required, long *version)
{
    const char *s = ibc_header(ctx, "If-Match");
    *version = -1;
    if (!s && !required) return IBC_OK;
    if (!s)
        return ibc_fail(ctx, IBC_EPRECOND_REQ,
                        "send If-Match with the ETag read from GET, so that a concurrent change "
                        "is not overwritten");
    *version = ibc_etag_version(s);
    if (*version < 1)
        return ibc_fail(ctx, IBC_EINVAL, "If-Match '%.40s' is not an ETag of this API", s);
    return IBC_OK;
}

void ibc_set_etag(ibc_ctx *ctx, long long version)
{
    char etag[32];
    snprintf(etag, sizeof etag, "\"%lld\"", version);
    ibc_set_header(ctx, "ETag", etag);
}

void ibc_set_etag_of(ibc_ctx *ctx, const json_t *obj, const char *member)
{
    ibc_set_etag(ctx, (long long)json_integer_value(json_object_get(obj, member)));
}

const char *ibc_idempotency_key(const ibc_ctx *ctx)
{
    return ctx->idempotency_key && *ctx->idempotency_key ? ctx->idempotency_key : NULL;
}

/* The outcome as HTTP: status, and the path as Location when there is one. */
static void outcome(ibc_ctx *ctx, int status, const char *fmt, va_list ap)
{
    ctx->status = status;
    if (!fmt) return;
    char path[512];
    vsnprintf(path, sizeof path, fmt, ap);
    ibc_set_header(ctx, "Location", path);
}

void ibc_created(ibc_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    outcome(ctx, 201, fmt, ap);
    va_end(ap);
}

void ibc_accepted(ibc_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    outcome(ctx, 202, fmt, ap);
    va_end(ap);
}

void ibc_no_content(ibc_ctx *ctx)
{
    ctx->status = 204;
}

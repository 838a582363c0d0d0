/* Checked path and query parameters (see query.h). */
#include "query.h"

#include <errno.h>
#include <ibc/validate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ibc_rc q_only(ibc_ctx *ctx, const json_t *req, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)ibc_params(req), key, v)
    {
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, key) == 0;
        if (known) continue;
        char list[512] = "";
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, "id") != 0)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                         list[0] ? ", " : "", *a);
        return ibc_fail(ctx, IBC_EINVAL, "unknown query parameter '%.60s'; this route takes %s",
                        key, list[0] ? list : "none");
    }
    return IBC_OK;
}

ibc_rc q_id(ibc_ctx *ctx, const json_t *req, const char *name, const char *what, const char **id)
{
    *id = ibc_param(req, name);
    if (!*id || !ibc_uuid_valid(*id))
        return ibc_fail(ctx, IBC_EINVAL, "the %s id must be a UUID, not '%.60s'", what,
                        *id ? *id : "");
    return IBC_OK;
}

ibc_rc q_uuid(ibc_ctx *ctx, const json_t *req, const char *name, const char **out)
{
    *out = ibc_param(req, name);
    if (*out && !ibc_uuid_valid(*out))
        return ibc_fail(ctx, IBC_EINVAL, "query parameter '%s' must be a UUID, not '%.60s'", name,
                        *out);
    return IBC_OK;
}

ibc_rc q_int(ibc_ctx *ctx, const json_t *req, const char *name, long min, long max, long dflt,
             long *out)
{
    const char *s = ibc_param(req, name);
    *out = dflt;
    if (!s) return IBC_OK;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < min || v > max)
        return ibc_fail(ctx, IBC_EINVAL,
                        "query parameter '%s' must be an integer from %ld to %ld, not '%.40s'",
                        name, min, max, s);
    *out = v;
    return IBC_OK;
}

ibc_rc q_date(ibc_ctx *ctx, const json_t *req, const char *name, const char **out)
{
    *out = ibc_param(req, name);
    if (*out && !ibc_date_valid(*out))
        return ibc_fail(ctx, IBC_EINVAL,
                        "query parameter '%s' must be a real date as YYYY-MM-DD, not '%.40s'", name,
                        *out);
    return IBC_OK;
}

ibc_rc q_enum(ibc_ctx *ctx, const json_t *req, const char *name, const char *const *choices,
              const char **out)
{
    *out = ibc_param(req, name);
    if (!*out) return IBC_OK;
    char list[256] = "";
    for (const char *const *c = choices; *c; c++) {
        if (strcmp(*c, *out) == 0) return IBC_OK;
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", list[0] ? ", " : "", *c);
    }
    return ibc_fail(ctx, IBC_EINVAL, "query parameter '%s' must be one of %s, not '%.40s'", name,
                    list, *out);
}

bool org_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64) return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              *s == '.' || *s == '_' || *s == '-'))
            return false;
    return true;
}

ibc_rc q_org(ibc_ctx *ctx, const json_t *req, const char *name, const char **out)
{
    *out = ibc_param(req, name);
    if (*out && !org_valid(*out))
        return ibc_fail(ctx, IBC_EINVAL,
                        "query parameter '%s' must be an organisation id (letters, digits, '.', "
                        "'_', '-'; at most 64), not '%.40s'",
                        name, *out);
    return IBC_OK;
}

ibc_rc q_text(ibc_ctx *ctx, const json_t *req, const char *name, long max, const char **out)
{
    *out = ibc_param(req, name);
    if (!*out) return IBC_OK;
    size_t n = ibc_utf8_length(*out);
    if (n == 0 || (long)n > max)
        return ibc_fail(ctx, IBC_EINVAL, "query parameter '%s' must have 1 to %ld characters", name,
                        max);
    return IBC_OK;
}

ibc_rc q_paging(ibc_ctx *ctx, const json_t *req, long *limit, long *offset)
{
    ibc_rc rc = q_int(ctx, req, "limit", 1, 200, 50, limit);
    if (rc == IBC_OK) rc = q_int(ctx, req, "offset", 0, 1000000000L, 0, offset);
    return rc;
}

ibc_rc q_range(ibc_ctx *ctx, const char *from, const char *to)
{
    /* YYYY-MM-DD compares as text */
    if (from && to && strcmp(from, to) > 0)
        return ibc_fail(ctx, IBC_EINVAL, "query parameter 'from' (%s) is after 'to' (%s)", from,
                        to);
    return IBC_OK;
}

ibc_rc q_if_match(ibc_ctx *ctx, long *version)
{
    const char *s = ibc_header(ctx, "If-Match");
    *version = -1;
    if (!s) return ibc_fail(ctx, IBC_EPRECOND_REQ, "send If-Match with the ETag read from GET");
    const char *p = strncmp(s, "W/", 2) == 0 ? s + 2 : s;
    char buf[24];
    size_t n = strlen(p);
    if (n >= 2 && p[0] == '"' && p[n - 1] == '"') p++, n -= 2;
    long v = -1;
    if (n > 0 && n < sizeof buf) {
        memcpy(buf, p, n);
        buf[n] = 0;
        char *end;
        errno = 0;
        v = strtol(buf, &end, 10);
        if (*end || errno) v = -1;
    }
    if (v < 1) return ibc_fail(ctx, IBC_EINVAL, "If-Match '%.40s' is not an ETag of this API", s);
    *version = v;
    return IBC_OK;
}

void reply_etag(ibc_ctx *ctx, const json_t *obj)
{
    char etag[32];
    snprintf(etag, sizeof etag, "\"%lld\"",
             (long long)json_integer_value(json_object_get(obj, "version")));
    ibc_set_header(ctx, "ETag", etag);
}

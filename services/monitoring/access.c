/* Who may see and change what in monitoring, and the small request helpers
 * every handler uses. The gateway already refused portal keys and the wrong
 * roles per route; here the data's school is checked against the caller. */
#include "monitoring.h"

#include <ibc/validate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool mon_org_valid(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok || n >= 64) return false;
    }
    return n > 0;
}

static bool is_librarian_of(const ibc_ctx *ctx, const char *school)
{
    return ibc_role_is(ctx, "librarian") && ctx->org && school && strcmp(ctx->org, school) == 0;
}

ibc_rc mon_may_read(ibc_ctx *ctx, const char *school)
{
    if (ibc_role_network_wide(ctx) || ibc_role_is(ctx, "integrator") ||
        is_librarian_of(ctx, school))
        return IBC_OK;
    if (ibc_role_is(ctx, "librarian"))
        return ibc_fail(ctx, IBC_EFORBIDDEN,
                        "a librarian of '%s' sees only their own school's data, not '%s'", ctx->org,
                        school);
    return ibc_fail(ctx, IBC_EFORBIDDEN, "the role '%s' may not read monitoring data",
                    ctx->role ? ctx->role : "");
}

ibc_rc mon_may_edit(ibc_ctx *ctx, const char *school)
{
    if (ibc_role_network_wide(ctx) || is_librarian_of(ctx, school)) return IBC_OK;
    if (ibc_role_is(ctx, "librarian"))
        return ibc_fail(ctx, IBC_EFORBIDDEN,
                        "a librarian of '%s' may change only their own school's data, not '%s'",
                        ctx->org, school);
    return ibc_fail(ctx, IBC_EFORBIDDEN, "the role '%s' may not change monitoring data",
                    ctx->role ? ctx->role : "");
}

/* A librarian of another school gets the 404 that an unknown object gets
 * (the sentence in `missing`): the answer tells nothing of other schools. */
static ibc_rc may_see(ibc_ctx *ctx, const char *school, bool edit, const char *missing)
{
    if (ibc_role_is(ctx, "librarian") && !is_librarian_of(ctx, school))
        return ibc_fail(ctx, IBC_ENOTFOUND, "%s", missing);
    return edit ? mon_may_edit(ctx, school) : mon_may_read(ctx, school);
}

ibc_rc mon_may_school(ibc_ctx *ctx, const char *school, bool edit)
{
    char missing[160];
    snprintf(missing, sizeof missing, "no school has id '%s' in the directory", school);
    return may_see(ctx, school, edit, missing);
}

ibc_rc mon_may_object(ibc_ctx *ctx, const char *school, const char *what, const char *id)
{
    char missing[200];
    snprintf(missing, sizeof missing, "no %s has id '%s'", what, id);
    return may_see(ctx, school, true, missing);
}

ibc_rc mon_may_run_network(ibc_ctx *ctx, const char *what)
{
    if (ibc_role_network_wide(ctx)) return IBC_OK;
    return ibc_fail(ctx, IBC_EFORBIDDEN, "only a methodologist or an admin may %s", what);
}

ibc_rc mon_school_scope(ibc_ctx *ctx, const json_t *req, const char **school)
{
    *school = ibc_param(req, "school");
    if (*school && !mon_org_valid(*school))
        return ibc_fail(ctx, IBC_EINVAL,
                        "'school' must be an organisation id (1 to 64 of A-Z a-z 0-9 . _ -), "
                        "not '%.70s'",
                        *school);
    if (!*school && ibc_role_is(ctx, "librarian")) *school = ctx->org;
    if (!*school) return IBC_OK;
    return mon_may_read(ctx, *school);
}

ibc_rc mon_school_param(ibc_ctx *ctx, const json_t *req, const char *name, const char **school)
{
    *school = ibc_param(req, name);
    if (!*school || !mon_org_valid(*school))
        return ibc_fail(ctx, IBC_EINVAL,
                        "the school id must be an organisation id (1 to 64 of A-Z a-z 0-9 . _ -), "
                        "not '%.70s'",
                        *school ? *school : "");
    return IBC_OK;
}

ibc_rc mon_uuid_param(ibc_ctx *ctx, const json_t *req, const char *name, const char *what,
                      const char **out)
{
    *out = ibc_param(req, name);
    if (!*out || !ibc_uuid_valid(*out))
        return ibc_fail(ctx, IBC_EINVAL, "the %s id must be a UUID, not '%.60s'", what,
                        *out ? *out : "");
    return IBC_OK;
}

ibc_rc mon_int_param(ibc_ctx *ctx, const json_t *req, const char *name, long min, long max,
                     long dflt, long *out)
{
    const char *v = ibc_param(req, name);
    *out = dflt;
    if (!v) return IBC_OK;
    char *end = NULL;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < min || n > max)
        return ibc_fail(ctx, IBC_EINVAL, "'%s' must be an integer from %ld to %ld, not '%.40s'",
                        name, min, max, v);
    *out = n;
    return IBC_OK;
}

ibc_rc mon_page_params(ibc_ctx *ctx, const json_t *req, mon_page *page)
{
    long limit = MON_PAGE_DEFAULT, offset = 0; /* read below even when a check failed */
    ibc_rc rc = mon_int_param(ctx, req, "limit", 1, MON_PAGE_MAX, MON_PAGE_DEFAULT, &limit);
    if (rc == IBC_OK) rc = mon_int_param(ctx, req, "offset", 0, 100000000, 0, &offset);
    snprintf(page->limit, sizeof page->limit, "%ld", limit);
    snprintf(page->offset, sizeof page->offset, "%ld", offset);
    return rc;
}

ibc_rc mon_date_param(ibc_ctx *ctx, const json_t *req, const char *name, const char **out)
{
    *out = ibc_param(req, name);
    if (*out && !ibc_date_valid(*out))
        return ibc_fail(ctx, IBC_EINVAL, "'%s' must be a real date as YYYY-MM-DD, not '%.40s'",
                        name, *out);
    return IBC_OK;
}

ibc_rc mon_enum_param(ibc_ctx *ctx, const json_t *req, const char *name, const char *const *choices,
                      const char **out)
{
    *out = ibc_param(req, name);
    if (!*out) return IBC_OK;
    char list[256] = "";
    for (const char *const *c = choices; *c; c++) {
        if (strcmp(*c, *out) == 0) return IBC_OK;
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", c == choices ? "" : ", ",
                 *c);
    }
    return ibc_fail(ctx, IBC_EINVAL, "'%s' must be one of %s, not '%.40s'", name, list, *out);
}

ibc_rc mon_if_match(ibc_ctx *ctx, long *version)
{
    *version = -1;
    const char *h = ibc_header(ctx, "If-Match");
    if (!h) return IBC_OK;
    const char *p = h;
    if (strncmp(p, "W/", 2) == 0) p += 2;
    size_t n = strlen(p);
    if (n >= 2 && p[0] == '"' && p[n - 1] == '"') p++, n -= 2;
    char buf[24];
    if (n == 0 || n >= sizeof buf) goto bad;
    memcpy(buf, p, n);
    buf[n] = 0;
    char *end = NULL;
    long v = strtol(buf, &end, 10);
    if (*end || v < 1) goto bad;
    *version = v;
    return IBC_OK;
bad:
    return ibc_fail(ctx, IBC_EINVAL, "If-Match '%.40s' is not an ETag of this API", h);
}

void mon_set_etag(ibc_ctx *ctx, const json_t *obj, const char *member)
{
    char etag[32];
    snprintf(etag, sizeof etag, "\"%lld\"",
             (long long)json_integer_value(json_object_get(obj, member)));
    ibc_set_header(ctx, "ETag", etag);
}

bool mon_wants_csv(const ibc_ctx *ctx)
{
    const char *a = ibc_header(ctx, "Accept");
    if (!a) return false;
    for (const char *p = a; *p; p++)
        if (strncasecmp(p, "text/csv", 8) == 0) return true;
    return false;
}

void mon_reply_csv(ibc_ctx *ctx, char *data, size_t len, const char *filename)
{
    ctx->raw = data;
    ctx->raw_len = len;
    ctx->content_type = "text/csv; charset=utf-8";
    char cd[160];
    snprintf(cd, sizeof cd, "attachment; filename=\"%s\"", filename);
    ibc_set_header(ctx, "Content-Disposition", cd);
}

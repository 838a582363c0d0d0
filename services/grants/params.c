/* Request helpers shared by the grants actions: ids, list queries, amounts,
 * dates, who may read or change a school's data, ETags. */
#include "grants.h"
#include "workflow.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Returns true for 1 to 64 of [A-Za-z0-9._-]. */
bool grants_org_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 64) return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-') return false;
    return true;
}

/* Returns true when v printed with two decimals reads back as v: the value
 * the client wrote had no more than kopecks. */
bool grants_amount_valid(double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.2f", v);
    return isfinite(v) && strtod(buf, NULL) == v;
}

/* Returns true for an http(s) URL. */
bool grants_url_valid(const char *s)
{
    return s && (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0) && strlen(s) > 8;
}

/* Returns v in kopecks, rounded. */
long long grants_kopecks(double v)
{
    return llround(v * 100.0);
}

/* Returns IBC_OK with *id borrowed from the request, or 400. */
ibc_rc grants_id_param(ibc_ctx *ctx, const json_t *req, const char *what, const char **id)
{
    *id = ibc_param(req, "id");
    if (!*id || !ibc_uuid_valid(*id))
        return ibc_fail(ctx, IBC_EINVAL, "the %s id must be a UUID, not '%.60s'", what,
                        *id ? *id : "");
    return IBC_OK;
}

/* Parses a decimal integer parameter into out (as text for SQL). */
static ibc_rc int_param(ibc_ctx *ctx, const json_t *req, const char *name, long dflt, long min,
                        long max, char *out, size_t outlen)
{
    const char *v = ibc_param(req, name);
    long n = dflt;
    if (v) {
        char *end;
        errno = 0;
        n = strtol(v, &end, 10);
        if (!*v || *end || errno || n < min || n > max)
            return ibc_fail(ctx, IBC_EINVAL,
                            "query parameter '%s' must be an integer from %ld "
                            "to %ld, not '%.40s'",
                            name, min, max, v);
    }
    snprintf(out, outlen, "%ld", n);
    return IBC_OK;
}

static bool listed(const char *const *names, const char *name)
{
    for (; *names; names++)
        if (strcmp(*names, name) == 0) return true;
    return false;
}

static const char *const levels[] = {"federal",    "regional",   "municipal",
                                     "commercial", "charitable", NULL};

/* Returns IBC_OK and fills q, or 400/403 with a sentence. */
ibc_rc grants_query_parse(ibc_ctx *ctx, const json_t *req, const char *const *allowed,
                          grants_query *q)
{
    memset(q, 0, sizeof *q);
    q->open = -1;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)ibc_params(req), key, v)
    {
        if (listed(allowed, key) || strcmp(key, "limit") == 0 || strcmp(key, "offset") == 0)
            continue;
        char names[256] = "";
        for (const char *const *a = allowed; *a; a++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s, ", *a);
        return ibc_fail(ctx, IBC_EINVAL,
                        "unknown query parameter '%.60s'; this list takes %slimit "
                        "and offset",
                        key, names);
    }
    ibc_rc rc = int_param(ctx, req, "limit", 50, 1, 200, q->limit, sizeof q->limit);
    if (rc == IBC_OK)
        rc = int_param(ctx, req, "offset", 0, 0, 1000000000L, q->offset, sizeof q->offset);
    if (rc != IBC_OK) return rc;

    q->school = ibc_param(req, "school");
    if (q->school && !grants_org_valid(q->school))
        return ibc_fail(ctx, IBC_EINVAL,
                        "query parameter 'school' must be an organisation id "
                        "(1 to 64 letters, digits, '.', '_' or '-'), not '%.60s'",
                        q->school);
    q->status = ibc_param(req, "status");
    if (q->status && grant_status_parse(q->status) == GS_UNKNOWN)
        return ibc_fail(ctx, IBC_EINVAL,
                        "unknown status '%.40s'; a project is draft, submitted, "
                        "under_review, approved, rejected, in_progress, completed or withdrawn",
                        q->status);
    q->programme_id = ibc_param(req, "programme_id");
    if (q->programme_id && !ibc_uuid_valid(q->programme_id))
        return ibc_fail(ctx, IBC_EINVAL,
                        "query parameter 'programme_id' must be a UUID, not "
                        "'%.60s'",
                        q->programme_id);
    q->project_id = ibc_param(req, "project_id");
    if (q->project_id && !ibc_uuid_valid(q->project_id))
        return ibc_fail(ctx, IBC_EINVAL,
                        "query parameter 'project_id' must be a UUID, not "
                        "'%.60s'",
                        q->project_id);
    q->level = ibc_param(req, "level");
    if (q->level && !listed(levels, q->level))
        return ibc_fail(ctx, IBC_EINVAL,
                        "query parameter 'level' must be federal, regional, "
                        "municipal, commercial or charitable, not '%.40s'",
                        q->level);
    const char *open = ibc_param(req, "open");
    if (open) {
        if (strcmp(open, "true") == 0)
            q->open = 1;
        else if (strcmp(open, "false") == 0)
            q->open = 0;
        else
            return ibc_fail(ctx, IBC_EINVAL,
                            "query parameter 'open' must be true or false, "
                            "not '%.20s'",
                            open);
    }
    q->from = ibc_param(req, "from");
    q->to = ibc_param(req, "to");
    if (q->from && !ibc_date_valid(q->from))
        return ibc_fail(ctx, IBC_EINVAL,
                        "query parameter 'from' must be a date YYYY-MM-DD, "
                        "not '%.40s'",
                        q->from);
    if (q->to && !ibc_date_valid(q->to))
        return ibc_fail(ctx, IBC_EINVAL,
                        "query parameter 'to' must be a date YYYY-MM-DD, "
                        "not '%.40s'",
                        q->to);
    rc = grants_dates_ordered(ctx, "from", q->from, "to", q->to);
    if (rc != IBC_OK) return rc;

    if (!grants_reads_all(ctx) && listed(allowed, "school")) {
        if (!q->school) q->school = ctx->org;
        if (ibc_role_is(ctx, "librarian") && strcmp(q->school, ctx->org) != 0)
            return ibc_fail(ctx, IBC_EFORBIDDEN,
                            "a librarian of %s sees their own school's "
                            "grants data only, not %s's",
                            ctx->org, q->school);
    }
    return grants_reads_all(ctx) || ibc_role_is(ctx, "librarian")
               ? IBC_OK
               : ibc_fail(ctx, IBC_EFORBIDDEN, "the %s role may not read grants data", ctx->role);
}

/* Returns true for admin, methodologist and integrator. */
bool grants_reads_all(const ibc_ctx *ctx)
{
    return ibc_role_network_wide(ctx) || ibc_role_is(ctx, "integrator");
}

/* The answer to a librarian of another school: for an existing object (`id`
 * given) the very 404 of an unknown id, so that it learns nothing of another
 * school; for a school named in a request, 403 saying `rule`. */
static ibc_rc other_school(ibc_ctx *ctx, const char *school, const char *what, const char *id,
                           const char *rule)
{
    if (id) return ibc_fail(ctx, IBC_ENOTFOUND, "no %s has id '%s'", what, id);
    return ibc_fail(ctx, IBC_EFORBIDDEN, "this %s belongs to %s; a librarian of %s %s", what,
                    school ? school : "?", ctx->org, rule);
}

ibc_rc grants_may_read(ibc_ctx *ctx, const char *school, const char *what, const char *id)
{
    if (grants_reads_all(ctx)) return IBC_OK;
    if (ibc_role_is(ctx, "librarian") && school && strcmp(school, ctx->org) == 0) return IBC_OK;
    if (ibc_role_is(ctx, "librarian"))
        return other_school(ctx, school, what, id, "sees their own school's grants data only");
    return ibc_fail(ctx, IBC_EFORBIDDEN, "the %s role may not read grants data", ctx->role);
}

ibc_rc grants_may_write(ibc_ctx *ctx, const char *school, const char *what, const char *id)
{
    if (ibc_role_network_wide(ctx)) return IBC_OK;
    if (ibc_role_is(ctx, "librarian") && school && strcmp(school, ctx->org) == 0) return IBC_OK;
    if (ibc_role_is(ctx, "librarian"))
        return other_school(ctx, school, what, id, "changes their own school's projects only");
    return ibc_fail(ctx, IBC_EFORBIDDEN, "the %s role may not change grants data", ctx->role);
}

/* Returns IBC_OK, or 400 naming the first bad item. */
ibc_rc grants_validate_array(ibc_ctx *ctx, json_t *obj, const char *name, size_t max,
                             const ibc_field *fields, size_t nfields)
{
    json_t *arr = json_object_get(obj, name);
    if (!arr) return IBC_OK;
    if (!json_is_array(arr))
        return ibc_fail(ctx, IBC_EINVAL, "'%s' must be an array of objects", name);
    if (json_array_size(arr) > max)
        return ibc_fail(ctx, IBC_EINVAL, "'%s' has %zu items; at most %zu are allowed", name,
                        json_array_size(arr), max);
    json_t *checked = json_array();
    size_t i;
    json_t *item;
    ibc_rc rc = IBC_OK;
    json_array_foreach(arr, i, item)
    {
        char where[64];
        snprintf(where, sizeof where, "%s[%zu].", name, i);
        json_t *out = json_object();
        rc = ibc_validate(ctx, item, fields, nfields, where, NULL, out);
        if (rc != IBC_OK) {
            json_decref(out);
            break;
        }
        json_array_append_new(checked, out);
    }
    if (rc == IBC_OK) json_object_set(obj, name, checked);
    json_decref(checked);
    return rc;
}

/* Returns IBC_OK, or 400 when a is after b. ISO dates compare as strings. */
ibc_rc grants_dates_ordered(ibc_ctx *ctx, const char *a_name, const char *a, const char *b_name,
                            const char *b)
{
    if (a && b && strcmp(a, b) > 0)
        return ibc_fail(ctx, IBC_EINVAL, "'%s' (%s) is after '%s' (%s); the dates are reversed",
                        a_name, a, b_name, b);
    return IBC_OK;
}

/* Sets the ETag header from obj's version. */
void grants_set_etag(ibc_ctx *ctx, const json_t *obj)
{
    char etag[32];
    snprintf(etag, sizeof etag, "\"%lld\"",
             (long long)json_integer_value(json_object_get(obj, "version")));
    ibc_set_header(ctx, "ETag", etag);
}

/* Returns IBC_OK with *version from If-Match ("3", "\"3\"" or W/"3"). */
ibc_rc grants_if_match(ibc_ctx *ctx, long *version)
{
    const char *s = ibc_header(ctx, "If-Match");
    if (!s)
        return ibc_fail(ctx, IBC_EPRECOND_REQ,
                        "send If-Match with the ETag read from GET, so "
                        "that a concurrent change is not overwritten");
    const char *p = strncmp(s, "W/", 2) == 0 ? s + 2 : s;
    char buf[32];
    size_t n = strlen(p);
    if (n >= 2 && p[0] == '"' && p[n - 1] == '"' && n - 2 < sizeof buf) {
        memcpy(buf, p + 1, n - 2);
        buf[n - 2] = 0;
        p = buf;
    }
    char *end;
    errno = 0;
    long v = *p ? strtol(p, &end, 10) : -1;
    if (v < 1 || errno || *end)
        return ibc_fail(ctx, IBC_EINVAL, "If-Match '%.40s' is not an ETag of this API", s);
    *version = v;
    return IBC_OK;
}

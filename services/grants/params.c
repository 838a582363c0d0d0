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

static bool listed(const char *const *names, const char *name)
{
    for (; *names; names++)
        if (strcmp(*names, name) == 0) return true;
    return false;
}

static const char *const levels[] = {"federal",    "regional",   "municipal",
                                     "commercial", "charitable", NULL};

/* Returns IBC_OK and fills q, or 400/403 with a sentence. */
/* Every name of allowed, then limit and offset, into names (NULL-terminated). */
static void with_paging(const char *const *allowed, const char **names, size_t max)
{
    size_t n = 0;
    for (; *allowed && n + 3 < max; allowed++)
        names[n++] = *allowed;
    names[n++] = "limit";
    names[n++] = "offset";
    names[n] = NULL;
}

/* The tri-state open parameter: -1 absent, 0 false, 1 true. */
static ibc_rc open_param(ibc_ctx *ctx, const json_t *req, int *open)
{
    bool b = false;
    ibc_rc rc = ibc_req_bool(ctx, req, "open", false, &b);
    *open = ibc_param(req, "open") ? b : -1;
    return rc;
}

/* Returns IBC_OK and fills q, or 400/403 with a sentence. */
ibc_rc grants_query_parse(ibc_ctx *ctx, const json_t *req, const char *const *allowed,
                          grants_query *q)
{
    memset(q, 0, sizeof *q);
    const char *names[24];
    with_paging(allowed, names, IBC_LEN(names));
    ibc_rc rc = ibc_req_only(ctx, req, names);
    if (rc == IBC_OK) rc = ibc_req_page(ctx, req, 50, 200, &q->page);
    if (rc == IBC_OK) rc = ibc_req_org(ctx, req, "school", &q->school);
    if (rc == IBC_OK) q->status = ibc_param(req, "status");
    if (rc == IBC_OK && q->status && grant_status_parse(q->status) == GS_UNKNOWN)
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "unknown status '%.40s'; a project is draft, submitted, "
                      "under_review, approved, rejected, in_progress, completed or withdrawn",
                      q->status);
    if (rc == IBC_OK) rc = ibc_req_uuid(ctx, req, "programme_id", &q->programme_id);
    if (rc == IBC_OK) rc = ibc_req_uuid(ctx, req, "project_id", &q->project_id);
    if (rc == IBC_OK) rc = ibc_req_enum(ctx, req, "level", levels, &q->level);
    if (rc == IBC_OK) rc = open_param(ctx, req, &q->open);
    if (rc == IBC_OK) rc = ibc_req_date(ctx, req, "from", &q->from);
    if (rc == IBC_OK) rc = ibc_req_date(ctx, req, "to", &q->to);
    if (rc != IBC_OK) return rc;
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

/* Who may see and change what in monitoring, and the small request helpers
 * every handler uses. The gateway already refused portal keys and the wrong
 * roles per route; here the data's school is checked against the caller. */
#include "monitoring.h"

#include <ibc/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
    ibc_rc rc = ibc_req_org(ctx, req, "school", school);
    if (rc != IBC_OK) return rc;
    if (!*school && ibc_role_is(ctx, "librarian")) *school = ctx->org;
    if (!*school) return IBC_OK;
    return mon_may_read(ctx, *school);
}

ibc_rc mon_district_param(ibc_ctx *ctx, const json_t *req, const char **district)
{
    return ibc_req_text(ctx, req, "district", 200, district);
}

ibc_rc mon_school_param(ibc_ctx *ctx, const json_t *req, const char *name, const char **school)
{
    *school = ibc_param(req, name);
    if (!*school || !ibc_org_valid(*school))
        return ibc_fail(ctx, IBC_EINVAL,
                        "the school id must be an organisation id (1 to 64 of A-Z a-z 0-9 . _ -), "
                        "not '%.70s'",
                        *school ? *school : "");
    return IBC_OK;
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

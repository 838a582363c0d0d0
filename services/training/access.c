/* The organisation rules of training (see access.h). */
#include "access.h"

#include <stdio.h>
#include <string.h>

static bool is_reader(const ibc_ctx *ctx)
{
    return ibc_role_network_wide(ctx) || ibc_role_is(ctx, "librarian") ||
           ibc_role_is(ctx, "integrator");
}

static bool own_school(const ibc_ctx *ctx, const char *school)
{
    return ctx->org && *ctx->org && school && strcmp(ctx->org, school) == 0;
}

ibc_rc access_list_school(ibc_ctx *ctx, const char *asked, const char **school)
{
    *school = asked;
    if (!is_reader(ctx))
        return ibc_fail(ctx, IBC_EFORBIDDEN, "the role '%s' may not read training data", ctx->role);
    if (!ibc_role_is(ctx, "librarian")) return IBC_OK;
    if (asked && !own_school(ctx, asked))
        return ibc_fail(ctx, IBC_EFORBIDDEN,
                        "a librarian of '%s' sees their own school only, not '%.64s'", ctx->org,
                        asked);
    *school = ctx->org;
    return IBC_OK;
}

ibc_rc access_read(ibc_ctx *ctx, const char *school, const char *what)
{
    if (!is_reader(ctx))
        return ibc_fail(ctx, IBC_EFORBIDDEN, "the role '%s' may not read training data", ctx->role);
    if (ibc_role_is(ctx, "librarian") && !own_school(ctx, school))
        return ibc_fail(ctx, IBC_EFORBIDDEN,
                        "%s belongs to '%s'; a librarian of '%s' sees their own school only", what,
                        school, ctx->org);
    return IBC_OK;
}

ibc_rc access_write(ibc_ctx *ctx, const char *school, const char *what)
{
    if (ibc_role_network_wide(ctx)) return IBC_OK;
    if (!ibc_role_is(ctx, "librarian"))
        return ibc_fail(ctx, IBC_EFORBIDDEN, "the role '%s' may not change training data",
                        ctx->role);
    if (!own_school(ctx, school))
        return ibc_fail(ctx, IBC_EFORBIDDEN,
                        "%s belongs to '%s'; a librarian of '%s' works on their own school only",
                        what, school, ctx->org);
    return IBC_OK;
}

ibc_rc access_object(ibc_ctx *ctx, const char *school, bool write, const char *kind, const char *id,
                     const char *suffix)
{
    if (ibc_role_is(ctx, "librarian") && !own_school(ctx, school))
        return ibc_fail(ctx, IBC_ENOTFOUND, "no %s has id '%s'%s", kind, id, suffix);
    char what[128];
    snprintf(what, sizeof what, "%s %s", kind, id);
    return write ? access_write(ctx, school, what) : access_read(ctx, school, what);
}

ibc_rc access_network(ibc_ctx *ctx, const char *what)
{
    if (ibc_role_network_wide(ctx)) return IBC_OK;
    return ibc_fail(ctx, IBC_EFORBIDDEN, "only a methodologist or an admin may %s; not '%s'", what,
                    ctx->role);
}

bool access_names(const ibc_ctx *ctx, const char *school)
{
    return ibc_role_network_wide(ctx) || (ibc_role_is(ctx, "librarian") && own_school(ctx, school));
}

void access_names_params(const ibc_ctx *ctx, const char **all, const char **own)
{
    *all = ibc_role_network_wide(ctx) ? "t" : "f";
    *own = ibc_role_is(ctx, "librarian") && ctx->org && *ctx->org ? ctx->org : NULL;
}

/* Helpers every circulation handler uses: whose school the caller acts for,
 * who may see names, and the parsing of path and query parameters. */
#include "circulation.h"
#include "classname.h"

#include <ibc/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

ibc_rc caller_school(ibc_ctx *ctx, const char *given, bool required, const char **school)
{
    *school = NULL;
    if (given && !ibc_org_valid(given))
        return ibc_fail(ctx, IBC_EINVAL,
                        "'school' must be an organisation id of 1 to 64 letters, digits, '.', "
                        "'_' or '-', not '%.64s'",
                        given);
    if (!ibc_role_network_wide(ctx)) {
        if (!ctx->org || !*ctx->org)
            return ibc_fail(ctx, IBC_EFORBIDDEN, "the API key belongs to no organisation");
        if (given && strcmp(given, ctx->org) != 0)
            return ibc_fail(ctx, IBC_EFORBIDDEN, "a librarian of %s acts for %s only, not for %s",
                            ctx->org, ctx->org, given);
        *school = ctx->org;
        return IBC_OK;
    }
    if (!given && required)
        return ibc_fail(ctx, IBC_EINVAL,
                        "name the school this is for with 'school' (your organisation %s is not "
                        "a school)",
                        ctx->org);
    *school = given;
    return IBC_OK;
}

bool sees_names(const ibc_ctx *ctx, const char *school)
{
    return ibc_role_is(ctx, "admin") || (school && ctx->org && strcmp(ctx->org, school) == 0);
}

bool acts_for(const ibc_ctx *ctx, const char *school)
{
    return ibc_role_is(ctx, "admin") || (school && ctx->org && strcmp(ctx->org, school) == 0);
}

const char *admin_param(const ibc_ctx *ctx)
{
    return ibc_role_is(ctx, "admin") ? "true" : "false";
}

ibc_rc class_param(ibc_ctx *ctx, const char *value, const char *field, char out[64])
{
    size_t len = ibc_utf8_length(value);
    if (len > 2 * CLASS_NAME_MAX)
        return ibc_fail(ctx, IBC_EINVAL,
                        "'%s' is %zu characters long; a class name has at most %d, like 5А", field,
                        len, CLASS_NAME_MAX);
    if (!class_normalize(value, out, 64))
        return ibc_fail(ctx, IBC_EINVAL,
                        "'%s' must be a class name of 1 to %d printable characters, like 5А, "
                        "not '%.40s'",
                        field, CLASS_NAME_MAX, value);
    return IBC_OK;
}

json_t *pick(const json_t *obj, const char *const *names)
{
    json_t *out = json_object();
    for (; *names; names++) {
        json_t *v = json_object_get(obj, *names);
        if (v) json_object_set(out, *names, v);
    }
    return out;
}

/* True when date (YYYY-MM-DD) is not after today (UTC, a day of slack). */
bool date_not_future(const char *date)
{
    char tomorrow[16];
    time_t t = time(NULL) + 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(tomorrow, sizeof tomorrow, "%Y-%m-%d", &tm);
    return strcmp(date, tomorrow) <= 0;
}

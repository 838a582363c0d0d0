/* What the fund's actions share: whose school, who may read an act, dates,
 * the 201 answer. */
#include "fund.h"
#include "../catalog.h"

#include <ibc/request.h>
#include <ibc/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

ibc_rc fund_school(ibc_ctx *ctx, const char *given, const char **school)
{
    *school = given ? given : ctx->org;
    if (!*school || !**school)
        return ibc_fail(ctx, IBC_EINVAL,
                        "'school' is required: the key belongs to no organisation");
    if (!ibc_org_valid(*school))
        return ibc_fail(ctx, IBC_EINVAL,
                        "'school' must be an organisation id (letters, digits, '.', '_', '-'), "
                        "not '%.64s'",
                        *school);
    return catalog_may_manage(ctx, *school);
}

ibc_rc fund_may_read(ibc_ctx *ctx, const json_t *obj, const char *what, const char *id)
{
    const char *school = json_string_value(json_object_get(obj, "school"));
    if (ibc_role_network_wide(ctx) || (school && strcmp(school, ctx->org) == 0)) return IBC_OK;
    return ibc_fail(ctx, IBC_ENOTFOUND, "no %s has id %s", what, id);
}

ibc_rc fund_date_check(ibc_ctx *ctx, const char *field, const char *date)
{
    char tomorrow[16];
    time_t t = time(NULL) + 86400; /* a day of slack for time zones east of UTC */
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(tomorrow, sizeof tomorrow, "%Y-%m-%d", &tm);
    if (strcmp(date, tomorrow) > 0)
        return ibc_fail(ctx, IBC_EINVAL, "'%s' %s is in the future", field, date);
    if (strcmp(date, "1900-01-01") < 0)
        return ibc_fail(ctx, IBC_EINVAL, "'%s' %s is before 1900", field, date);
    return IBC_OK;
}

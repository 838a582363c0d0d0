/* Helpers every circulation handler uses: whose school the caller acts for,
 * who may see names, and the parsing of path and query parameters. */
#include "circulation.h"
#include "classname.h"

#include <ibc/validate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool org_id_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 64) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return false;
    return true;
}

ibc_rc caller_school(ibc_ctx *ctx, const char *given, bool required, const char **school)
{
    *school = NULL;
    if (given && !org_id_valid(given))
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

ibc_rc uuid_param(ibc_ctx *ctx, const json_t *req, const char *name, const char *what,
                  const char **out)
{
    *out = ibc_param(req, name);
    if (!*out || !ibc_uuid_valid(*out))
        return ibc_fail(ctx, IBC_EINVAL, "the %s id must be a UUID, not '%.60s'", what,
                        *out ? *out : "");
    return IBC_OK;
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

ibc_rc page_params(ibc_ctx *ctx, const json_t *req, char limit[16], char offset[16])
{
    const char *l = ibc_param(req, "limit"), *o = ibc_param(req, "offset");
    char *end;
    long lv = 100, ov = 0;
    if (l) {
        lv = strtol(l, &end, 10);
        if (!*l || *end || lv < 1 || lv > 500)
            return ibc_fail(ctx, IBC_EINVAL,
                            "'limit' must be a whole number from 1 to 500, not '%.20s'", l);
    }
    if (o) {
        ov = strtol(o, &end, 10);
        if (!*o || *end || ov < 0 || ov > 100000000)
            return ibc_fail(ctx, IBC_EINVAL, "'offset' must be a whole number from 0, not '%.20s'",
                            o);
    }
    snprintf(limit, 16, "%ld", lv);
    snprintf(offset, 16, "%ld", ov);
    return IBC_OK;
}

ibc_rc bool_param(ibc_ctx *ctx, const json_t *req, const char *name, bool dflt, bool *out)
{
    const char *v = ibc_param(req, name);
    *out = dflt;
    if (!v) return IBC_OK;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        *out = true;
    else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        *out = false;
    else
        return ibc_fail(ctx, IBC_EINVAL, "'%s' must be true or false, not '%.20s'", name, v);
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

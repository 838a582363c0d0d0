/* Parameter checks of the catalog's actions (see params.h). Pure code. */
#include "params.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ibc/validate.h>

ibc_rc params_only(ibc_ctx *ctx, const json_t *req, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)ibc_params(req), key, v)
    {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, key) == 0;
        if (!ok) {
            char list[512] = "";
            for (const char *const *a = allowed; *a; a++) {
                size_t len = strlen(list);
                snprintf(list + len, sizeof list - len, "%s%s", a == allowed ? "" : ", ", *a);
            }
            return ibc_fail(ctx, IBC_EINVAL, "unknown parameter '%.64s'; known are %s", key, list);
        }
    }
    return IBC_OK;
}

ibc_rc param_int(ibc_ctx *ctx, const json_t *req, const char *name, long min, long max, long *out,
                 bool *present)
{
    const char *v = ibc_param(req, name);
    *present = v != NULL;
    if (!v) return IBC_OK;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!*v || *end || errno || (*v != '-' && (*v < '0' || *v > '9')))
        return ibc_fail(ctx, IBC_EINVAL, "parameter '%s' must be a whole number, not '%.40s'", name,
                        v);
    if (n < min || n > max)
        return ibc_fail(ctx, IBC_EINVAL, "parameter '%s' must be from %ld to %ld, not %ld", name,
                        min, max, n);
    *out = n;
    return IBC_OK;
}

ibc_rc param_bool(ibc_ctx *ctx, const json_t *req, const char *name, bool *out, bool *present)
{
    const char *v = ibc_param(req, name);
    *present = v != NULL;
    if (!v) return IBC_OK;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        *out = true;
    else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        *out = false;
    else
        return ibc_fail(ctx, IBC_EINVAL, "parameter '%s' must be true or false, not '%.40s'", name,
                        v);
    return IBC_OK;
}

ibc_rc param_str(ibc_ctx *ctx, const json_t *req, const char *name, long max, const char **out)
{
    const char *v = ibc_param(req, name);
    *out = v;
    if (!v) return IBC_OK;
    if (!*v) return ibc_fail(ctx, IBC_EINVAL, "parameter '%s' must not be empty", name);
    size_t len = ibc_utf8_length(v);
    if ((long)len > max)
        return ibc_fail(ctx, IBC_EINVAL,
                        "parameter '%s' is %zu characters long; at most %ld are allowed", name, len,
                        max);
    return IBC_OK;
}

ibc_rc param_uuid(ibc_ctx *ctx, const json_t *req, const char *name, const char **out)
{
    ibc_rc rc = param_str(ctx, req, name, 64, out);
    if (rc == IBC_OK && *out && !ibc_uuid_valid(*out))
        rc = ibc_fail(ctx, IBC_EINVAL, "parameter '%s' must be a UUID, not '%.60s'", name, *out);
    return rc;
}

bool org_id_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 64) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

ibc_rc param_org(ibc_ctx *ctx, const json_t *req, const char *name, const char **out)
{
    ibc_rc rc = param_str(ctx, req, name, 64, out);
    if (rc == IBC_OK && *out && !org_id_valid(*out))
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "parameter '%s' must be an organisation id (letters, digits, '.', '_', "
                      "'-'), not '%.60s'",
                      name, *out);
    return rc;
}

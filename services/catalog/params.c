/* Parameter checks of the catalog's actions (see params.h). Pure code. */
#include "params.h"
#include <stdio.h>
#include <ctype.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ibc/json.h>

ibc_rc param_int(ibc_ctx *ctx, const json_t *req, const char *name, long min, long max, long *out,
                 bool *present)
{
    long v = 0;
    *present = ibc_param(req, name) != NULL;
    ibc_rc rc = ibc_req_int(ctx, req, name, min, max, 0, &v);
    if (rc == IBC_OK && *present) *out = v;
    return rc;
}

ibc_rc param_bool(ibc_ctx *ctx, const json_t *req, const char *name, bool *out, bool *present)
{
    bool v = false;
    *present = ibc_param(req, name) != NULL;
    ibc_rc rc = ibc_req_bool(ctx, req, name, false, &v);
    if (rc == IBC_OK && *present) *out = v;
    return rc;
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

static const char *const record_types[] = {"book",       "textbook",   "e-resource", "multimedia",
                                           "periodical", "methodical", NULL};

/* True when s has a character that is not white space. */
static bool has_text(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s)) return true;
    return false;
}

ibc_rc params_record_filter(ibc_ctx *ctx, const json_t *req, record_filter *f)
{
    bool present, avail;
    const char *age = NULL;
    *f = (record_filter){
        .available = -1, .year_from = -1, .year_to = -1, .age_max = -1, .grade = -1};
    ibc_rc rc = IBC_OK;
    if (rc == IBC_OK) rc = param_str(ctx, req, "q", 200, &f->q);
    if (rc == IBC_OK && f->q && !has_text(f->q)) f->q = NULL; /* blank: no query */
    if (rc == IBC_OK) rc = param_str(ctx, req, "type", 32, &f->type);
    if (rc == IBC_OK && f->type) {
        bool known = false;
        for (const char *const *t = record_types; *t; t++)
            known |= strcmp(*t, f->type) == 0;
        if (!known)
            rc = ibc_fail(ctx, IBC_EINVAL,
                          "parameter 'type' must be one of book, textbook, e-resource, "
                          "multimedia, periodical, methodical, not '%.40s'",
                          f->type);
    }
    if (rc == IBC_OK) rc = ibc_req_org(ctx, req, "school", &f->school);
    if (rc == IBC_OK) rc = param_bool(ctx, req, "available", &avail, &present);
    if (rc == IBC_OK && present) f->available = avail;
    if (rc == IBC_OK) rc = param_int(ctx, req, "year_from", 1000, 2100, &f->year_from, &present);
    if (rc == IBC_OK) rc = param_int(ctx, req, "year_to", 1000, 2100, &f->year_to, &present);
    if (rc == IBC_OK && f->year_from >= 0 && f->year_to >= 0 && f->year_from > f->year_to)
        rc = ibc_fail(ctx, IBC_EINVAL, "parameter 'year_from' (%ld) is after 'year_to' (%ld)",
                      f->year_from, f->year_to);
    if (rc == IBC_OK) rc = param_str(ctx, req, "age_max", 8, &age);
    if (rc == IBC_OK && age) {
        static const char *const ages[] = {"0", "6", "12", "16", "18"};
        char a[8];
        snprintf(a, sizeof a, "%s", age);
        size_t n = strlen(a);
        if (n > 1 && a[n - 1] == '+') a[n - 1] = 0;
        for (size_t i = 0; i < IBC_LEN(ages) && f->age_max < 0; i++)
            if (strcmp(a, ages[i]) == 0) f->age_max = atol(a);
        if (f->age_max < 0)
            rc = ibc_fail(ctx, IBC_EINVAL,
                          "parameter 'age_max' must be one of 0, 6, 12, 16, 18, not '%.8s'", age);
    }
    if (rc == IBC_OK) rc = param_int(ctx, req, "grade", 1, 11, &f->grade, &present);
    if (rc == IBC_OK) rc = param_str(ctx, req, "subject", 200, &f->subject);
    if (rc == IBC_OK) rc = param_str(ctx, req, "language", 8, &f->language);
    if (rc == IBC_OK && f->language) {
        bool ok = strlen(f->language) >= 2;
        for (const char *l = f->language; ok && *l; l++)
            ok = isalpha((unsigned char)*l) || *l == '-';
        if (!ok)
            rc = ibc_fail(ctx, IBC_EINVAL,
                          "parameter 'language' must be a language code such as rus or eng, "
                          "not '%.8s'",
                          f->language);
    }
    return rc;
}

ibc_rc param_choice(ibc_ctx *ctx, const json_t *req, const char *name,
                           const char *const *choices, const char *dflt, const char **out)
{
    const char *v = ibc_param(req, name);
    *out = v ? v : dflt;
    if (!v && dflt) return IBC_OK;
    for (const char *const *c = choices; v && *c; c++)
        if (strcmp(*c, v) == 0) return IBC_OK;
    char list[128] = "";
    for (const char *const *c = choices; *c; c++) {
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s%s", c == choices ? "" : ", ", *c);
    }
    if (!v) return ibc_fail(ctx, IBC_EINVAL, "parameter '%s' is required: one of %s", name, list);
    return ibc_fail(ctx, IBC_EINVAL, "parameter '%s' must be one of %s, not '%.40s'", name, list,
                    v);
}

/* Checking path and query parameters of the catalog's actions: each helper
 * reports the first problem naming the parameter, in a sentence. */
#ifndef CATALOG_PARAMS_H
#define CATALOG_PARAMS_H

#include <ibc/ibc.h>

/* ibc_req_int/ibc_req_bool that also say whether the parameter was given:
 * *present false when absent (then *out is untouched). */
ibc_rc param_int(ibc_ctx *ctx, const json_t *req, const char *name, long min, long max, long *out,
                 bool *present);

ibc_rc param_bool(ibc_ctx *ctx, const json_t *req, const char *name, bool *out, bool *present);

/* *out = the parameter (borrowed) or NULL when absent; IBC_EINVAL when it
 * is empty or longer than max characters. */
ibc_rc param_str(ibc_ctx *ctx, const json_t *req, const char *name, long max, const char **out);

/* The filters of a record search, shared by search and export. NULL strings
 * and negative numbers mean "no such filter"; available is -1, 0 or 1. */
typedef struct {
    const char *q, *type, *school, *subject, *language;
    int available;
    long year_from, year_to, age_max, grade;
} record_filter;

/* Reads q, type, school, available, year_from, year_to, age_max (0, 6, 12,
 * 16, 18, with or without '+'), grade, subject and language into *f (strings
 * borrowed from req). IBC_EINVAL naming the first bad one. */
ibc_rc params_record_filter(ibc_ctx *ctx, const json_t *req, record_filter *f);

/* The value of parameter name when it is one of choices; dflt when absent
 * (IBC_EINVAL "required" when dflt is NULL). IBC_EINVAL listing the choices. */
ibc_rc param_choice(ibc_ctx *ctx, const json_t *req, const char *name, const char *const *choices,
                    const char *dflt, const char **out);

#endif

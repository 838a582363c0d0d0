/* The grants service: its actions (one per route) and the request helpers
 * they share (params.c). */
#ifndef GRANTS_H
#define GRANTS_H

#include <ibc/ibc.h>
#include <ibc/json.h>

/* programmes.c */
ibc_rc programmes_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc programmes_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc programmes_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc programmes_update(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* projects.c */
ibc_rc projects_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc projects_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc projects_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc projects_update(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc projects_summary(ibc_ctx *ctx, const json_t *req, json_t **reply);
/* Event data of project p: ids, school, status and amounts, never names;
 * `from` (the previous status) may be NULL. Returns a new object. */
json_t *grants_project_event(const json_t *p, const char *from);

/* transitions.c */
ibc_rc projects_transition(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc projects_transitions(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* consultations.c */
ibc_rc consultations_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc consultations_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc consultations_list(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* ------------------------------------------------------------ params.c */

/* Query parameters of a list, checked. Strings are borrowed from the request
 * (school may point at ctx->org); NULL when absent. */
typedef struct {
    const char *school, *status, *programme_id, *project_id, *level, *from, *to;
    int open; /* -1 absent, 0 false, 1 true */
    ibc_page page;
} grants_query;

/* True when v is an amount with at most two decimals (kopecks). */
bool grants_amount_valid(double v);
/* True when s starts with http:// or https://. */
bool grants_url_valid(const char *s);
/* Amount v in kopecks, for exact comparisons. */
long long grants_kopecks(double v);
/* Parses the query of a list: only the names in `allowed` (NULL-terminated)
 * are accepted; limit 1..200 (50), offset >= 0 (0), from <= to. A librarian's
 * list is their own school's (403 when school names another). */
ibc_rc grants_query_parse(ibc_ctx *ctx, const json_t *req, const char *const *allowed,
                          grants_query *q);
/* True for roles that read every school's data: admin, methodologist, integrator. */
bool grants_reads_all(const ibc_ctx *ctx);
/* IBC_OK when the caller may read `school`'s data, else 403 with a sentence;
 * for the object `id` of another school a librarian gets the 404 of an
 * unknown id ("no <what> has id '<id>'"). id NULL: a school named in a request. */
ibc_rc grants_may_read(ibc_ctx *ctx, const char *school, const char *what, const char *id);
/* IBC_OK when the caller may change `school`'s project (admin, methodologist,
 * or that school's librarian), else 403 with a sentence; `id` as for
 * grants_may_read. */
ibc_rc grants_may_write(ibc_ctx *ctx, const char *school, const char *what, const char *id);
/* Validates the array member `name` of obj (absent is fine): at most max
 * objects, each checked against fields; its items are replaced by the checked
 * copies. */
ibc_rc grants_validate_array(ibc_ctx *ctx, json_t *obj, const char *name, size_t max,
                             const ibc_field *fields, size_t nfields);
/* Fails with 400 when the dates a and b (either may be NULL) are reversed. */
ibc_rc grants_dates_ordered(ibc_ctx *ctx, const char *a_name, const char *a, const char *b_name,
                            const char *b);

#endif

/* The grants service's SQL. Every function runs on ctx->db inside the
 * caller's transaction and returns JSON built by PostgreSQL (*out a new
 * reference); IBC_ENOTFOUND carries a sentence naming the missing id. */
#ifndef GRANTS_STORE_H
#define GRANTS_STORE_H

#include "grants.h"

/* Programmes. flat: the validated body keyed by column. */
ibc_rc store_programme_insert(ibc_ctx *ctx, const json_t *flat, json_t **out);
ibc_rc store_programme_get(ibc_ctx *ctx, const char *id, json_t **out);
/* Replaces the programme when its version is `version` (412 otherwise). */
ibc_rc store_programme_update(ibc_ctx *ctx, const char *id, long version, const json_t *flat,
                              json_t **out);
ibc_rc store_programme_list(ibc_ctx *ctx, const grants_query *q, json_t **out);
/* *passed: the programme's deadline (copied to deadline[11]) is before today. */
ibc_rc store_programme_deadline(ibc_ctx *ctx, const char *id, bool *passed, char deadline[11]);

/* Projects. Inserts the row and its team, milestones and documents (flat:
 * the validated body) as a draft; *out is the project. */
ibc_rc store_project_insert(ibc_ctx *ctx, const json_t *flat, json_t **out);
/* The project; with lock its row stays locked (FOR UPDATE) until the end of
 * the transaction, so that concurrent changes queue behind this one. */
ibc_rc store_project_get(ibc_ctx *ctx, const char *id, bool lock, json_t **out);
/* Replaces the project's fields and children and bumps its version. */
ibc_rc store_project_update(ibc_ctx *ctx, const char *id, const json_t *flat, json_t **out);
ibc_rc store_project_list(ibc_ctx *ctx, const grants_query *q, json_t **out);
/* Moves the project from `from` to `to` (compare-and-set on the status);
 * when `to` is approved the awarded amount becomes `awarded` (text, may be
 * NULL: the amount set before, else the requested one). IBC_ECONFLICT when
 * the status is no longer `from`. */
ibc_rc store_project_set_status(ibc_ctx *ctx, const char *id, const char *from, const char *to,
                                const char *awarded, json_t **out);
/* Records a transition by the caller (from may be NULL for the creation). */
ibc_rc store_transition_insert(ibc_ctx *ctx, const char *project_id, const char *from,
                               const char *to, const char *comment, json_t **out);
/* {"items": [...]} in order. */
ibc_rc store_transition_list(ibc_ctx *ctx, const char *project_id, json_t **out);
/* Projects per status, money requested and awarded, per school and programme. */
ibc_rc store_summary(ibc_ctx *ctx, const grants_query *q, json_t **out);

/* Consultations. */
ibc_rc store_consultation_insert(ibc_ctx *ctx, const json_t *flat, json_t **out);
ibc_rc store_consultation_get(ibc_ctx *ctx, const char *id, json_t **out);
ibc_rc store_consultation_list(ibc_ctx *ctx, const grants_query *q, json_t **out);

#endif

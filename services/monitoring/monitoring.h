/* The monitoring service: the directory of schools with their library
 * passports, survey campaigns, the roadmap, reading promotion and
 * partnerships, and the network's indicators fed by the other services'
 * events. This header lists its actions and the helpers they share. */
#ifndef MONITORING_H
#define MONITORING_H

#include <ibc/ibc.h>

#include "store.h"

/* schools.c: the directory and the passports */
ibc_rc schools_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc schools_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc schools_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc schools_update(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc passports_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc passports_update(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc passports_history(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* surveys.c: campaigns and answers */
ibc_rc campaigns_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc campaigns_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc campaigns_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc campaigns_close(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc campaigns_completion(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc answers_put(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc answers_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc answers_list(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* roadmap.c */
ibc_rc roadmap_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc roadmap_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc roadmap_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc roadmap_update(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc roadmap_delete(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc roadmap_add_evidence(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc roadmap_progress(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* outreach.c: reading-promotion events and partnership agreements */
ibc_rc promotions_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc promotions_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc promotions_delete(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc partnerships_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc partnerships_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc partnerships_delete(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* indicators.c: indicators, targets, rebuild, textbook provision */
ibc_rc indicators_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc indicators_rebuild(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc targets_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc targets_update(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc reports_provision(ibc_ctx *ctx, const json_t *req, json_t **reply);
/* library statistics (statistics.c) */
ibc_rc statistics_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
/* the librarian's visit counter (visits.c) */
ibc_rc visits_put(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc visits_delete(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* events_in.c: the projections fed by IBC_EVENTS, one handler per service */
ibc_rc on_catalog_events(ibc_ctx *ctx, size_t n, const char *const *subjects,
                         const json_t *const *events);
ibc_rc on_circulation_events(ibc_ctx *ctx, size_t n, const char *const *subjects,
                             const json_t *const *events);
ibc_rc on_training_event(ibc_ctx *ctx, const char *subject, const json_t *event);
ibc_rc on_grants_event(ibc_ctx *ctx, const char *subject, const json_t *event);

/* access.c: who may see and change what, and request helpers */

/* IBC_OK when the caller may read the data of `school`: admin, methodologist
 * and integrator read every school, a librarian only their own; else 403. */
ibc_rc mon_may_read(ibc_ctx *ctx, const char *school);
/* IBC_OK when the caller may change the data of `school`: admin,
 * methodologist, or a librarian of that school; else 403. */
ibc_rc mon_may_edit(ibc_ctx *ctx, const char *school);
/* The check for the school `school` named in a path (its directory entry,
 * passport, answers): mon_may_read, or mon_may_edit when `edit`, except that
 * a librarian of another school gets the 404 of a school that does not exist. */
ibc_rc mon_may_school(ibc_ctx *ctx, const char *school, bool edit);
/* The check before changing the object `id` (a `what`: "partnership
 * agreement") of `school`: mon_may_edit, except that a librarian of another
 * school gets the 404 of an unknown id ("no <what> has id '<id>'"). */
ibc_rc mon_may_object(ibc_ctx *ctx, const char *school, const char *what, const char *id);
/* IBC_OK for admin and methodologist (they run campaigns, the roadmap, targets). */
ibc_rc mon_may_run_network(ibc_ctx *ctx, const char *what);
/* The school a listing is limited to, from the `school` query parameter:
 * NULL (every school) or the one asked for, checked to be readable. A
 * librarian who names none gets their own. Borrowed. */
ibc_rc mon_school_scope(ibc_ctx *ctx, const json_t *req, const char **school);
/* The optional `district` query parameter (1 to 200 characters, the
 * directory's district name; 400 otherwise) or NULL. Borrowed. */
ibc_rc mon_district_param(ibc_ctx *ctx, const json_t *req, const char **district);
/* A path parameter that must be a school id (400 otherwise). Borrowed. */
ibc_rc mon_school_param(ibc_ctx *ctx, const json_t *req, const char *name, const char **school);
/* ?limit= of a list (ibc_req_page): 1..MON_PAGE_MAX, default MON_PAGE_DEFAULT.
 * Every list answers {"items", "total", "limit", "offset"}. */
#define MON_PAGE_DEFAULT 50
#define MON_PAGE_MAX 500
/* True when the caller's Accept asks for text/csv. */
bool mon_wants_csv(const ibc_ctx *ctx);
/* Answers with a CSV body (steals data, malloc'd) and a download file name. */
void mon_reply_csv(ibc_ctx *ctx, char *data, size_t len, const char *filename);

#endif

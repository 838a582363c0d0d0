/* The circulation service: readers, loan rules, loans, holds, class sets and
 * loans between schools. Its actions (one function each) and the helpers its
 * handlers share. */
#ifndef CIRCULATION_H
#define CIRCULATION_H

#include <ibc/ibc.h>

/* readers.c */
ibc_rc readers_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc readers_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc readers_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc readers_update(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc readers_delete(ibc_ctx *ctx, const json_t *req, json_t **reply);
/* consents.c (152-ФЗ) */
ibc_rc readers_consent_add(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc readers_personal_data(ibc_ctx *ctx, const json_t *req, json_t **reply);
/* Anonymises the readers who left more than `days` days ago, emitting
 * circulation.reader.anonymised for each; *n gets how many. */
ibc_rc readers_anonymise_run(ibc_ctx *ctx, long days, long *n);

/* rules.c */
ibc_rc policies_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc policies_put(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc settings_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc settings_put(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* lending.c */
ibc_rc checkouts_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc checkins_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc loans_renew(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc loans_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc loans_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc overdue_list(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* holds.c */
ibc_rc holds_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc holds_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc holds_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc holds_cancel(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc holds_expire(ibc_ctx *ctx, const json_t *req, json_t **reply);
/* Expires overdue holds of `school` ("" for all) and passes their copies on;
 * emits hold.expired and hold.ready. *count gets the number expired. */
ibc_rc holds_expire_run(ibc_ctx *ctx, const char *school, long *count);
/* Marks the loans that became overdue and emits circulation.loan.overdue for
 * each, in the caller's transaction; *count gets how many (lending.c). */
ibc_rc overdue_mark_run(ibc_ctx *ctx, long *count);
/* Offers a copy that just became free to the first waiting hold of its
 * record at `school`; emits hold.ready. *hold gets the hold that became
 * ready (new reference) or NULL. */
ibc_rc holds_offer(ibc_ctx *ctx, const char *item_id, const char *school, json_t **hold);

/* jobs.c: the periodic jobs, and their settings read from the environment
 * (false, with a message on stderr, when one is wrong) */
#define CIRCULATION_NJOBS 3
extern const ibc_job_def circulation_jobs[CIRCULATION_NJOBS];
bool circulation_jobs_configure(void);

/* projection.c: IBC_OK when the item JSON has what the projection needs
 * (id, record_id, school, barcode, and status when need_status) */
ibc_rc item_valid(ibc_ctx *ctx, const json_t *d, bool need_status);

/* withdraw.c: the catalog's write-off acts (0073) */
ibc_rc items_withdraw(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc items_restore(ibc_ctx *ctx, const json_t *req, json_t **reply);
/* Settles the copies withdrawn more than age_s seconds ago without the
 * catalog's written_off event, by asking the catalog; *seen and *undone get
 * how many were looked at and how many got their status back. */
ibc_rc items_reconcile_run(ibc_ctx *ctx, long age_s, long *seen, long *undone);

/* classsets.c */
ibc_rc classsets_issue(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc classsets_return(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc classsets_list(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* transfers.c */
ibc_rc transfers_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc transfers_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc transfers_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc transfers_transition(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* projection.c: catalog events in */
ibc_rc on_catalog_item(ibc_ctx *ctx, const char *subject, const json_t *event);
ibc_rc on_catalog_record(ibc_ctx *ctx, const char *subject, const json_t *event);
/* The projected item with this barcode; when the projection does not know
 * it, asks the catalog and keeps the answer. *item_id gets its id (37 bytes).
 * IBC_ENOTFOUND with a sentence when the catalog has no such barcode. */
ibc_rc item_resolve(ibc_ctx *ctx, const char *barcode, char item_id[37]);
/* Brings the projection up to date with the catalog's copies of the record
 * at the school (copies created a moment ago may not have arrived as events
 * yet). A catalog that does not answer is logged, not an error. */
ibc_rc items_sync(ibc_ctx *ctx, const char *record_id, const char *school);

/* common.c */
/* The school the caller acts for. A librarian acts for its own organisation
 * (403 when `given` names another); admin and methodologist name one with
 * `given`, which `required` makes compulsory (else *school may be NULL:
 * every school). */
ibc_rc caller_school(ibc_ctx *ctx, const char *given, bool required, const char **school);
/* True when the caller may see names of the readers of `school`. */
bool sees_names(const ibc_ctx *ctx, const char *school);
/* True when the caller may act on the data of `school` (own school or admin). */
bool acts_for(const ibc_ctx *ctx, const char *school);
/* "true" when the caller's role is admin, else "false" (SQL parameter). */
const char *admin_param(const ibc_ctx *ctx);
/* A class name given as `field`, normalised into out[64]; 400 when it is
 * not one. */
ibc_rc class_param(ibc_ctx *ctx, const char *value, const char *field, char out[64]);
/* limit of a list (ibc_req_page): 1..CIRC_PAGE_MAX, default CIRC_PAGE_DEFAULT */
#define CIRC_PAGE_DEFAULT 100
#define CIRC_PAGE_MAX 500
/* A copy of the members of obj listed in names (NULL-terminated); new reference. */
json_t *pick(const json_t *obj, const char *const *names);
/* True when date (YYYY-MM-DD) is not after today (UTC, a day of slack). */
bool date_not_future(const char *date);

#endif

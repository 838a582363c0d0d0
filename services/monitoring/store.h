/* The monitoring service's SQL. Every function runs on ctx->db inside the
 * caller's transaction (or none, for read-only actions), takes validated
 * input, and returns JSON built by PostgreSQL as a new reference in *out.
 * Optional text parameters are NULL when absent. On a database error the
 * rc and a sentence are in ctx. */
#ifndef MON_STORE_H
#define MON_STORE_H

#include <ibc/ibc.h>

/* ------------------------------------------------------------- schools */
/* Inserts a school (body: id, name, district, kind, students[11]);
 * IBC_ECONFLICT when the id is taken. */
ibc_rc store_school_insert(ibc_ctx *ctx, const json_t *body, json_t **out);
/* Replaces a school; version -1 means any. IBC_ENOTFOUND, IBC_EPRECOND. */
ibc_rc store_school_update(ibc_ctx *ctx, const char *id, const json_t *body, long version,
                           json_t **out);
ibc_rc store_school_get(ibc_ctx *ctx, const char *id, json_t **out);
/* {"items": [...], "total": n} filtered by the non-NULL arguments. */
ibc_rc store_school_list(ibc_ctx *ctx, const char *school, const char *district, const char *kind,
                         const char *level, const ibc_page *page, json_t **out);
/* Locks the school's row for the transaction; IBC_ENOTFOUND when unknown. */
ibc_rc store_school_lock(ibc_ctx *ctx, const char *id);

/* ----------------------------------------------------------- passports */
/* The current passport, or the one in force at the end of as_of (may be NULL). */
ibc_rc store_passport_get(ibc_ctx *ctx, const char *school, const char *as_of, json_t **out);
/* *same = the current version when body equals it field for field, else 0. */
ibc_rc store_passport_unchanged(ibc_ctx *ctx, const char *school, const json_t *body, long *same);
/* Adds the next version of the school's passport (the school is locked). */
ibc_rc store_passport_insert(ibc_ctx *ctx, const char *school, const json_t *body, json_t **out);
/* {"school", "versions": [newest first, each with "changed": [fields]]}. */
ibc_rc store_passport_history(ibc_ctx *ctx, const char *school, json_t **out);

/* ------------------------------------------------------------- surveys */
ibc_rc store_campaign_insert(ibc_ctx *ctx, const json_t *body, json_t **out);
ibc_rc store_campaign_get(ibc_ctx *ctx, const char *id, json_t **out);
/* The campaign locked against closing for the transaction (FOR SHARE). */
ibc_rc store_campaign_get_locked(ibc_ctx *ctx, const char *id, json_t **out);
ibc_rc store_campaign_list(ibc_ctx *ctx, const char *status, const ibc_page *page, json_t **out);
/* Closes an open campaign; IBC_ECONFLICT when it is closed already. */
ibc_rc store_campaign_close(ibc_ctx *ctx, const char *id, json_t **out);
/* {"campaign_id", "schools", "answered", "share", "by_school": [...]};
 * district (may be NULL) narrows the counts and by_school to its schools. */
ibc_rc store_campaign_completion(ibc_ctx *ctx, const char *id, const char *school,
                                 const char *district, json_t **out);
/* Inserts or corrects the school's answer; *created tells which. version -1: any. */
ibc_rc store_answer_put(ibc_ctx *ctx, const char *campaign, const char *school,
                        const json_t *answers, long version, json_t **out, bool *created);
ibc_rc store_answer_get(ibc_ctx *ctx, const char *campaign, const char *school, json_t **out);
/* Every answer of the campaign (one school's when school is not NULL), with
 * the school's name, ordered by school. */
ibc_rc store_answer_list(ibc_ctx *ctx, const char *campaign, const char *school, json_t **out);

/* ------------------------------------------------------------- roadmap */
ibc_rc store_roadmap_insert(ibc_ctx *ctx, const json_t *body, json_t **out);
ibc_rc store_roadmap_update(ibc_ctx *ctx, const char *id, const json_t *body, long version,
                            json_t **out);
ibc_rc store_roadmap_get(ibc_ctx *ctx, const char *id, json_t **out);
ibc_rc store_roadmap_delete(ibc_ctx *ctx, const char *id, json_t **out);
ibc_rc store_roadmap_add_evidence(ibc_ctx *ctx, const char *id, const json_t *evidence,
                                  json_t **out);
/* Filters: section, status (planned|in_progress|done|overdue), responsible org. */
ibc_rc store_roadmap_list(ibc_ctx *ctx, const char *section, const char *status,
                          const char *responsible, const ibc_page *page, json_t **out);
ibc_rc store_roadmap_progress(ibc_ctx *ctx, json_t **out);

/* ------------------------------------------------------------ outreach */
ibc_rc store_promotion_insert(ibc_ctx *ctx, const json_t *body, json_t **out);
ibc_rc store_promotion_list(ibc_ctx *ctx, const char *school, const char *from, const char *to,
                            const ibc_page *page, json_t **out);
/* Deletes and returns what it was; IBC_ENOTFOUND when unknown. */
ibc_rc store_promotion_delete(ibc_ctx *ctx, const char *id, json_t **out);
ibc_rc store_promotion_school(ibc_ctx *ctx, const char *id, char school[65]);
ibc_rc store_partnership_insert(ibc_ctx *ctx, const json_t *body, json_t **out);
ibc_rc store_partnership_list(ibc_ctx *ctx, const char *school, bool active_only,
                              const ibc_page *page, json_t **out);
ibc_rc store_partnership_school(ibc_ctx *ctx, const char *id, char school[65]);
ibc_rc store_partnership_delete(ibc_ctx *ctx, const char *id, json_t **out);

/* ---------------------------------------------------------- indicators */
/* One indicator's {value, ..., history: [{month, value, ...}]} over the
 * last `months` months; school and district (either may be NULL) narrow the
 * school-level ones. */
ibc_rc store_indicator(ibc_ctx *ctx, const char *indicator, long months, const char *school,
                       const char *district, json_t **out);
/* {indicator: target} of every target set. */
ibc_rc store_targets(ibc_ctx *ctx, json_t **out);
ibc_rc store_target_set(ibc_ctx *ctx, const char *indicator, const char *target, json_t **out);
/* Clears every projection and the inbox (one statement, under exclusive
 * locks); *forgotten = events the inbox held. */
ibc_rc store_projections_clear(ibc_ctx *ctx, long long *forgotten);
/* Rows {school?, grade, subject, students, copies, share}: per school when
 * school is given, else summed over the network (over the district's schools
 * when district is not NULL). grade 0 and subject NULL mean every one. */
ibc_rc store_provision(ibc_ctx *ctx, const char *school, const char *district, long grade,
                       const char *subject, json_t **out);

/* --------------------------------------------------------- projections */
/* Each applies one event's data (borrowed) at the event's time (may be NULL:
 * now). The data's missing or ill-typed fields give IBC_EINVAL. */
/* Records and items of a batch at once: an array of {d: data with an id,
 * t: time or null, v: the item's status, or null for the data's own}, each id
 * at most once (one statement cannot change a row twice). */
ibc_rc proj_records_upsert(ibc_ctx *ctx, const json_t *events);
ibc_rc proj_record_delete(ibc_ctx *ctx, const char *id, const char *time);
ibc_rc proj_record_merge(ibc_ctx *ctx, const char *kept, const char *merged, const char *time);
ibc_rc proj_items_upsert(ibc_ctx *ctx, const json_t *events);
/* Loan events of a batch at once: an array of {d: data with an id, t: time
 * or null, v: verb}; activity is created or renewed. */
ibc_rc proj_loans_activity(ibc_ctx *ctx, const json_t *events);
ibc_rc proj_loans_returned(ibc_ctx *ctx, const json_t *events);
ibc_rc proj_reader_upsert(ibc_ctx *ctx, const json_t *data, const char *time);
/* marks the reader gone (registered readers no longer count it) */
ibc_rc proj_reader_delete(ibc_ctx *ctx, const json_t *data, const char *time);
ibc_rc proj_staff_upsert(ibc_ctx *ctx, const json_t *data, const char *time);
/* the staff member left on the event's date */
ibc_rc proj_staff_delete(ibc_ctx *ctx, const json_t *data, const char *time);
ibc_rc proj_completion_upsert(ibc_ctx *ctx, const json_t *data, const char *time);
ibc_rc proj_completion_delete(ibc_ctx *ctx, const char *enrolment_id);
ibc_rc proj_project_upsert(ibc_ctx *ctx, const json_t *data, const char *time);

/* The library statistics of a school (NULL: the network) for [from, to):
 * readers, loans, visits (counted or derived from loans), copies, their
 * ratios and breakdowns (store_statistics.c). */
ibc_rc store_statistics(ibc_ctx *ctx, const char *school, const char *from, const char *to,
                        json_t **out);
/* Sets a school's visit count of a day; *out the stored count. */
ibc_rc store_visits_put(ibc_ctx *ctx, const char *school, const char *day, const char *visits,
                        json_t **out);
/* Removes a day's count, if any (the day's visits are derived again); *out
 * the removed count (new reference), NULL when there was none. */
ibc_rc store_visits_delete(ibc_ctx *ctx, const char *school, const char *day, json_t **out);

#endif

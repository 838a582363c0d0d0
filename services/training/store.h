/* The training service's SQL. Every function runs on ctx->db inside the
 * caller's transaction (or none for read-only actions), takes its inputs as
 * parameters and returns JSON built by PostgreSQL as a new reference in *out.
 * Failures leave an rc and a sentence in ctx. */
#ifndef TRAINING_STORE_H
#define TRAINING_STORE_H

#include <ibc/ibc.h>

/* Filters of a list; NULL members are not applied. */
typedef struct {
    const char *school, *status, *from, *to, *q;
    const char *kind, *format;         /* courses */
    const char *course_id, *staff_id;  /* enrolments */
    const char *names_all, *names_own; /* see access_names_params() */
    ibc_page page;                     /* limit, offset */
} store_filter;

/* ------------------------------------------------------------------ staff */
/* Inserts a checked staff member; *out has the name. */
ibc_rc store_staff_insert(ibc_ctx *ctx, const json_t *flat, json_t **out);
/* The staff member with name; IBC_ENOTFOUND. `lock` locks the row for update. */
ibc_rc store_staff_get(ibc_ctx *ctx, const char *id, bool lock, json_t **out);
/* Replaces the staff member's fields and bumps its version. */
ibc_rc store_staff_update(ibc_ctx *ctx, const char *id, const json_t *flat, json_t **out);
/* Deletes a staff member without enrolments; IBC_ECONFLICT when there are. */
ibc_rc store_staff_delete(ibc_ctx *ctx, const char *id);
/* {items, total, limit, offset}: staff filtered by school, status
 * (active|left), hired_on from..to, q (in name or position). */
ibc_rc store_staff_list(ibc_ctx *ctx, const store_filter *f, json_t **out);
/* {staff, enrolments (each with its course), hours_total, last_completed_on,
 * due_on}; IBC_ENOTFOUND. The staff member's name is included. */
ibc_rc store_staff_record(ibc_ctx *ctx, const char *id, json_t **out);
/* {as_of, within_days, overdue, due_soon, schools: [{school, overdue,
 * due_soon, staff: [...]}]}: working staff whose last qualifying completion
 * is more than three years old, never happened, or turns three within
 * within_days. f->school limits it; names per f->names_*. */
ibc_rc store_due(ibc_ctx *ctx, const store_filter *f, long within_days, json_t **out);

/* ---------------------------------------------------------------- courses */
ibc_rc store_course_insert(ibc_ctx *ctx, const json_t *flat, json_t **out);
ibc_rc store_course_get(ibc_ctx *ctx, const char *id, json_t **out);
/* Replaces the course when its version is `version`: IBC_EPRECOND when not,
 * IBC_ECONFLICT when the new capacity is below the seats taken. */
ibc_rc store_course_update(ibc_ctx *ctx, const char *id, long version, const json_t *flat,
                           json_t **out);
/* {items, total, limit, offset}: courses filtered by kind, format, status
 * (upcoming|running|finished), dates overlapping from..to, q (title, provider). */
ibc_rc store_course_list(ibc_ctx *ctx, const store_filter *f, json_t **out);

/* ------------------------------------------------------------- enrolments */
/* The staff member's school in school[65] and whether they have left (by
 * today); IBC_ENOTFOUND. */
ibc_rc store_staff_school(ibc_ctx *ctx, const char *staff_id, char school[65], bool *left);
/* Enrols staff_id (of `school`) in course_id, taking a seat under the course
 * row's lock: IBC_ENOTFOUND for an unknown course, IBC_ECONFLICT when the
 * course is full or the person is already enrolled. */
ibc_rc store_enrol(ibc_ctx *ctx, const char *course_id, const char *staff_id, const char *school,
                   json_t **out);
/* The enrolment; IBC_ENOTFOUND. */
ibc_rc store_enrolment_get(ibc_ctx *ctx, const char *id, json_t **out);
/* {enrolment, course, today} with the enrolment row locked; IBC_ENOTFOUND. */
ibc_rc store_enrolment_lock(ibc_ctx *ctx, const char *id, json_t **out);
/* Records (or corrects) attendance on one day; *out is the enrolment. */
ibc_rc store_attendance(ibc_ctx *ctx, const char *id, const char *day, bool present,
                        const char *hours, json_t **out);
/* Marks the locked enrolment completed; IBC_ECONFLICT when the certificate
 * number is already used. */
ibc_rc store_complete(ibc_ctx *ctx, const char *id, const char *certificate, long hours,
                      const char *completed_on, json_t **out);
/* Cancels the locked enrolment and frees its seat in course_id. */
ibc_rc store_cancel(ibc_ctx *ctx, const char *id, const char *course_id, const char *reason,
                    json_t **out);
/* {items, total, limit, offset}: enrolments filtered by school, status,
 * course_id, staff_id, the course's start date from..to. */
ibc_rc store_enrolment_list(ibc_ctx *ctx, const store_filter *f, json_t **out);

#endif

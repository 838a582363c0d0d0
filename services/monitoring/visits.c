/* The visit counter a librarian keeps: how many came to the library on a day.
 * A day with a count is reported with it; a day without one has its visits
 * derived from loans (statistics.c). Each change is an event
 * (monitoring.visits.recorded / .removed: the school, the day and the count). */
#include "monitoring.h"
#include "store.h"

#include <ibc/json.h>
#include <ibc/request.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* A network role names a school of the directory (a typo would count visits
 * nobody reports); a librarian's own school is theirs, listed or not. */
static ibc_rc school_known(ibc_ctx *ctx, const char *school)
{
    if (ibc_role_is(ctx, "librarian")) return IBC_OK;
    json_t *s = NULL;
    ibc_rc rc = store_school_get(ctx, school, &s);
    json_decref(s);
    return rc;
}

/* The school and day of the path, the school checked to be the caller's to
 * change, the day a real date not in the future. */
static ibc_rc school_day(ibc_ctx *ctx, const json_t *req, const char **school, const char **day)
{
    ibc_rc rc = mon_school_param(ctx, req, "school", school);
    if (rc == IBC_OK) rc = ibc_req_date(ctx, req, "date", day);
    if (rc == IBC_OK && !*day)
        rc = ibc_fail(ctx, IBC_EINVAL, "the path must name the day as YYYY-MM-DD");
    if (rc == IBC_OK) rc = mon_may_edit(ctx, *school);
    if (rc == IBC_OK) rc = school_known(ctx, *school);
    if (rc != IBC_OK) return rc;
    char today[16];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    if (strcmp(*day, today) > 0)
        return ibc_fail(ctx, IBC_EINVAL,
                        "%s is in the future; count a day's visits once the day has come", *day);
    if (strcmp(*day, "2000-01-01") < 0)
        return ibc_fail(ctx, IBC_EINVAL, "%s is before ibcnet's years (2000 on)", *day);
    return IBC_OK;
}

/* Emits monitoring.visits.<verb> of a day's count {school, date, visits}:
 * ids and a count, not who counted. The CloudEvent subject is school/date. */
static ibc_rc emit_count(ibc_ctx *ctx, const char *verb, const json_t *count)
{
    static const char *const names[] = {"school", "date", "visits", NULL};
    char subject[96];
    snprintf(subject, sizeof subject, "%s/%s", json_string_value(json_object_get(count, "school")),
             json_string_value(json_object_get(count, "date")));
    return ibc_emit(ctx, "visits", verb, subject, ibc_json_pick(count, names));
}

/* visits.put: PUT /visits/{school}/{date} {visits: 0..1000000}. 200 with the
 * stored count, which replaces the day's earlier count. A librarian counts
 * for their own school only (403). Emits monitoring.visits.recorded. */
ibc_rc visits_put(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const ibc_field fields[] = {{"visits", IBC_F_INT, true, 0, 1000000}};
    const char *school, *day;
    json_t *body = json_object();
    ibc_rc rc = ibc_validate(ctx, ibc_body(req), fields, IBC_LEN(fields), "", NULL, body);
    if (rc == IBC_OK) rc = school_day(ctx, req, &school, &day);
    if (rc == IBC_OK) {
        char visits[24];
        snprintf(visits, sizeof visits, "%lld",
                 (long long)json_integer_value(json_object_get(body, "visits")));
        rc = store_visits_put(ctx, school, day, visits, reply);
    }
    if (rc == IBC_OK) rc = emit_count(ctx, "recorded", *reply);
    json_decref(body);
    return rc;
}

/* visits.delete: DELETE /visits/{school}/{date}. 204: the day has no count
 * (any it had is removed) and its visits are derived from loans again. Emits
 * monitoring.visits.removed with the removed count when there was one. */
ibc_rc visits_delete(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *school, *day;
    json_t *removed = NULL;
    ibc_rc rc = school_day(ctx, req, &school, &day);
    if (rc == IBC_OK) rc = store_visits_delete(ctx, school, day, &removed);
    if (rc == IBC_OK && removed) rc = emit_count(ctx, "removed", removed);
    json_decref(removed);
    *reply = NULL;
    if (rc == IBC_OK) ibc_no_content(ctx);
    return rc;
}

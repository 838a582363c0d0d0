/* Enrolment actions: enrol a staff member in a course (a librarian their own
 * school's, a methodologist anyone; capacity held under the course row's
 * lock), attendance, completion with a certificate (удостоверение) number,
 * hours and date, and cancellation. enrolled → completed | cancelled; both
 * are final. */
#include "access.h"
#include <ibc/request.h>
#include "store.h"
#include "training.h"

#include <ibc/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const json_t *obj, const char *member)
{
    return json_string_value(json_object_get(obj, member));
}

/* Event data of an enrolment: ids and the school. New reference. */
static json_t *event_data(const json_t *e)
{
    return json_pack("{s:O, s:O, s:O, s:O}", "id", json_object_get(e, "id"), "course_id",
                     json_object_get(e, "course_id"), "staff_id", json_object_get(e, "staff_id"),
                     "school", json_object_get(e, "school"));
}

/* enrolments.create: body = {course_id, staff_id}. 201 with the enrolment;
 * 404 for an unknown course or staff member (another school's staff are
 * unknown to a librarian), 409 when the course is full, the person is already enrolled
 * or has left. Emits training.enrolment.created. */
ibc_rc enrolments_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const ibc_field fields[] = {
        {"course_id", IBC_F_UUID, true},
        {"staff_id", IBC_F_UUID, true},
    };
    json_t *in = json_object();
    char school[65];
    bool left = false;
    ibc_rc rc = ibc_validate(ctx, ibc_body(req), fields, IBC_LEN(fields), "", NULL, in);
    const char *course_id = str(in, "course_id"), *staff_id = str(in, "staff_id");
    if (rc == IBC_OK) rc = store_staff_school(ctx, staff_id, school, &left);
    if (rc == IBC_OK)
        rc = access_object(ctx, school, true, "staff member", staff_id, " ('staff_id')");
    if (rc == IBC_OK && left)
        rc = ibc_fail(ctx, IBC_ECONFLICT, "staff member %s has left the school ('left_on')",
                      staff_id);
    if (rc == IBC_OK) rc = store_enrol(ctx, course_id, staff_id, school, reply);
    if (rc == IBC_OK) {
        const char *id = str(*reply, "id");
        rc = ibc_emit(ctx, "enrolment", "created", id, event_data(*reply));
        ibc_created(ctx, "/api/v1/training/enrolments/%s", id);
    }
    json_decref(in);
    return rc;
}

static const char *const only_id[] = {"id", NULL};

/* enrolments.get: 200 with the enrolment and its attendance; 404 when
 * unknown or of another school (librarian). */
ibc_rc enrolments_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_only(ctx, req, only_id);
    if (rc == IBC_OK) rc = ibc_req_id(ctx, req, "id", "enrolment", &id);
    if (rc == IBC_OK) rc = store_enrolment_get(ctx, id, reply);
    if (rc == IBC_OK) rc = access_object(ctx, str(*reply, "school"), false, "enrolment", id, "");
    return rc;
}

/* enrolments.list: ?school, status, course_id, staff_id, from, to (the
 * course's start date), limit, offset. 200 with {items, total, limit,
 * offset}. A librarian sees their own school only. */
ibc_rc enrolments_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"school", "status", "course_id", "staff_id", "from",
                                          "to",     "limit",  "offset",    NULL};
    static const char *const statuses[] = {"enrolled", "completed", "cancelled", NULL};
    store_filter f = {0};
    const char *school;
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = ibc_req_org(ctx, req, "school", &school);
    if (rc == IBC_OK) rc = ibc_req_enum(ctx, req, "status", statuses, &f.status);
    if (rc == IBC_OK) rc = ibc_req_uuid(ctx, req, "course_id", &f.course_id);
    if (rc == IBC_OK) rc = ibc_req_uuid(ctx, req, "staff_id", &f.staff_id);
    if (rc == IBC_OK) rc = ibc_req_date(ctx, req, "from", &f.from);
    if (rc == IBC_OK) rc = ibc_req_date(ctx, req, "to", &f.to);
    if (rc == IBC_OK) rc = ibc_req_range(ctx, f.from, f.to);
    if (rc == IBC_OK) rc = ibc_req_page(ctx, req, 50, 200, &f.page);
    if (rc == IBC_OK) rc = access_list_school(ctx, school, &f.school);
    if (rc == IBC_OK) rc = store_enrolment_list(ctx, &f, reply);
    return rc;
}

/* Locks the enrolment of the id path parameter into *locked ({enrolment,
 * course, today}) and checks that it is still 'enrolled': 409 naming the
 * state otherwise; `doing` names the refused change ("complete it"). */
static ibc_rc lock_enrolled(ibc_ctx *ctx, const json_t *req, const char *doing, const char **id,
                            json_t **locked)
{
    *locked = NULL;
    ibc_rc rc = ibc_req_only(ctx, req, only_id);
    if (rc == IBC_OK) rc = ibc_req_id(ctx, req, "id", "enrolment", id);
    if (rc == IBC_OK) rc = store_enrolment_lock(ctx, *id, locked);
    if (rc != IBC_OK) return rc;
    const char *status = str(json_object_get(*locked, "enrolment"), "status");
    if (strcmp(status, "enrolled") != 0)
        return ibc_fail(ctx, IBC_ECONFLICT,
                        "enrolment %s is %s, which is final; only an enrolment in state "
                        "'enrolled' can move (to completed or cancelled), so you cannot %s",
                        *id, status, doing);
    return IBC_OK;
}

/* enrolments.attendance: body = {date, present, hours?}; records or corrects
 * one day's attendance. 200 with the enrolment; 400 for a day outside the
 * course's dates; 409 unless enrolled. Emits training.attendance.recorded. */
ibc_rc enrolments_attendance(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const ibc_field fields[] = {
        {"date", IBC_F_DATE, true},
        {"present", IBC_F_BOOL, true},
        {"hours", IBC_F_INT, false, 0, 24},
    };
    const char *id = NULL;
    json_t *in = json_object(), *locked = NULL;
    ibc_rc rc = access_network(ctx, "record attendance");
    if (rc == IBC_OK) rc = ibc_validate(ctx, ibc_body(req), fields, IBC_LEN(fields), "", NULL, in);
    if (rc == IBC_OK) rc = lock_enrolled(ctx, req, "record attendance", &id, &locked);
    if (rc != IBC_OK) goto done;
    const json_t *course = json_object_get(locked, "course");
    const char *day = str(in, "date"), *starts = str(course, "starts_on"),
               *ends = str(course, "ends_on");
    if (strcmp(day, starts) < 0 || strcmp(day, ends) > 0) {
        rc = ibc_fail(ctx, IBC_EINVAL, "'date' %s is outside the course's dates %s to %s", day,
                      starts, ends);
        goto done;
    }
    char hours[24];
    json_t *h = json_object_get(in, "hours");
    if (h) snprintf(hours, sizeof hours, "%lld", (long long)json_integer_value(h));
    bool present = json_is_true(json_object_get(in, "present"));
    rc = store_attendance(ctx, id, day, present, h ? hours : NULL, reply);
    if (rc == IBC_OK) {
        json_t *data = event_data(*reply);
        json_object_set_new(data, "date", json_string(day));
        json_object_set_new(data, "present", json_boolean(present));
        rc = ibc_emit(ctx, "attendance", "recorded", id, data);
    }
done:
    json_decref(in);
    json_decref(locked);
    return rc;
}

/* Copies s without leading and trailing spaces into buf[n]; false when s is
 * blank or too long. */
static bool trimmed(const char *s, char *buf, size_t n)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0 || len >= n) return false;
    memcpy(buf, s, len);
    buf[len] = 0;
    return true;
}

/* enrolments.complete: body = {certificate_number, hours?, completed_on}.
 * hours defaults to the course's and may not exceed it; completed_on lies
 * between the course's start and today; a course (kind 'course') needs a
 * certificate number, which is unique in the network (409 when reused). 200
 * with the enrolment; 409 unless enrolled. Emits training.enrolment.completed. */
ibc_rc enrolments_complete(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const ibc_field fields[] = {
        {"certificate_number", IBC_F_STR, false, 1, 64},
        {"hours", IBC_F_INT, false, 1, 2000},
        {"completed_on", IBC_F_DATE, true},
    };
    const char *id = NULL;
    char cert[80] = "";
    json_t *in = json_object(), *locked = NULL;
    ibc_rc rc = access_network(ctx, "record completions");
    if (rc == IBC_OK) rc = ibc_validate(ctx, ibc_body(req), fields, IBC_LEN(fields), "", NULL, in);
    const char *c = str(in, "certificate_number");
    if (rc == IBC_OK && c && !trimmed(c, cert, sizeof cert))
        rc = ibc_fail(ctx, IBC_EINVAL, "'certificate_number' must not be blank");
    if (rc == IBC_OK) rc = lock_enrolled(ctx, req, "complete it", &id, &locked);
    if (rc != IBC_OK) goto done;
    const json_t *course = json_object_get(locked, "course");
    long course_hours = (long)json_integer_value(json_object_get(course, "hours"));
    json_t *h = json_object_get(in, "hours");
    long hours = h ? (long)json_integer_value(h) : course_hours;
    const char *on = str(in, "completed_on"), *starts = str(course, "starts_on"),
               *today = str(locked, "today");
    if (hours > course_hours)
        rc = ibc_fail(ctx, IBC_EINVAL, "'hours' (%ld) exceeds the course's %ld hours", hours,
                      course_hours);
    else if (strcmp(on, starts) < 0)
        rc = ibc_fail(ctx, IBC_EINVAL, "'completed_on' (%s) is before the course starts (%s)", on,
                      starts);
    else if (strcmp(on, today) > 0)
        rc = ibc_fail(ctx, IBC_EINVAL, "'completed_on' (%s) is in the future (today is %s)", on,
                      today);
    else if (!cert[0] && strcmp(str(course, "kind"), "course") == 0)
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "'certificate_number' is required to complete a course (kind 'course'): "
                      "the number of the certificate (удостоверение) issued");
    if (rc == IBC_OK) rc = store_complete(ctx, id, cert[0] ? cert : NULL, hours, on, reply);
    if (rc == IBC_OK) {
        json_t *data = event_data(*reply);
        json_object_set_new(data, "hours", json_integer(hours));
        json_object_set_new(data, "completed_on", json_string(on));
        rc = ibc_emit(ctx, "enrolment", "completed", id, data);
    }
done:
    json_decref(in);
    json_decref(locked);
    return rc;
}

/* enrolments.cancel: body = {reason?} or none. 200 with the enrolment, its
 * seat freed; 404 when unknown or of another school (librarian); 409 unless
 * enrolled. Emits
 * training.enrolment.cancelled. */
ibc_rc enrolments_cancel(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const ibc_field fields[] = {{"reason", IBC_F_STR, false, 1, 500}};
    const char *id = NULL;
    json_t *in = json_object(), *locked = NULL;
    const json_t *body = ibc_body(req);
    ibc_rc rc = IBC_OK;
    if (body && !json_is_null(body))
        rc = ibc_validate(ctx, body, fields, IBC_LEN(fields), "", NULL, in);
    /* the school check comes before the state check: another school's
     * librarian learns nothing of the state */
    if (rc == IBC_OK) rc = ibc_req_only(ctx, req, only_id);
    if (rc == IBC_OK) rc = ibc_req_id(ctx, req, "id", "enrolment", &id);
    if (rc == IBC_OK) rc = store_enrolment_get(ctx, id, reply);
    if (rc == IBC_OK) rc = access_object(ctx, str(*reply, "school"), true, "enrolment", id, "");
    json_decref(*reply);
    *reply = NULL;
    if (rc == IBC_OK) rc = lock_enrolled(ctx, req, "cancel it", &id, &locked);
    if (rc == IBC_OK)
        rc = store_cancel(ctx, id, str(json_object_get(locked, "enrolment"), "course_id"),
                          str(in, "reason"), reply);
    if (rc == IBC_OK) rc = ibc_emit(ctx, "enrolment", "cancelled", id, event_data(*reply));
    json_decref(in);
    json_decref(locked);
    return rc;
}

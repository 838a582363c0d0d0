/* The consumers of other services' events: each event updates the
 * projections the indicators are computed from. The runtime calls these in a
 * transaction and records the event id in the inbox, so each event counts
 * once. Events this service does not need are acknowledged and ignored. */
#include "monitoring.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

/* Splits "ibc.evt.<service>.<entity>.<verb>" into entity and verb. */
static bool split_subject(const char *subject, char entity[64], char verb[64])
{
    const char *p = subject;
    for (int dots = 0; dots < 3; dots++) {
        p = strchr(p, '.');
        if (!p) return false;
        p++;
    }
    const char *dot = strchr(p, '.');
    if (!dot || (size_t)(dot - p) >= 64 || strlen(dot + 1) >= 64 || strchr(dot + 1, '.'))
        return false;
    snprintf(entity, 64, "%.*s", (int)(dot - p), p);
    snprintf(verb, 64, "%s", dot + 1);
    return true;
}

typedef struct {
    char entity[64], verb[64];
    const json_t *data;
    const char *time; /* the CloudEvents time, NULL when absent */
} event_in;

/* Reads subject and event; IBC_EINVAL (logged and skipped by the runtime)
 * when the event has no data object. */
static ibc_rc parse(ibc_ctx *ctx, const char *subject, const json_t *event, event_in *e)
{
    if (!split_subject(subject, e->entity, e->verb))
        return ibc_fail(ctx, IBC_EINVAL, "'%.100s' is not an event subject", subject);
    e->data = json_object_get(event, "data");
    e->time = json_string_value(json_object_get(event, "time"));
    if (!json_is_object(e->data))
        return ibc_fail(ctx, IBC_EINVAL, "the event on %.100s has no data object", subject);
    return IBC_OK;
}

static bool is(const event_in *e, const char *entity, const char *verb)
{
    return strcmp(e->entity, entity) == 0 && (!verb || strcmp(e->verb, verb) == 0);
}

static const char *str(const json_t *data, const char *member)
{
    return json_string_value(json_object_get(data, member));
}

/* catalog: records (with their textbook grade range and subject) and items. */
ibc_rc on_catalog_event(ibc_ctx *ctx, const char *subject, const json_t *event)
{
    event_in e;
    ibc_rc rc = parse(ctx, subject, event, &e);
    if (rc != IBC_OK) return rc;
    if (is(&e, "record", "created") || is(&e, "record", "updated"))
        return proj_record_upsert(ctx, e.data, e.time);
    if (is(&e, "record", "deleted")) {
        if (!str(e.data, "id")) return ibc_fail(ctx, IBC_EINVAL, "record.deleted without 'id'");
        return proj_record_delete(ctx, str(e.data, "id"), e.time);
    }
    if (is(&e, "record", "merged")) {
        if (!str(e.data, "id") || !str(e.data, "merged_id"))
            return ibc_fail(ctx, IBC_EINVAL, "record.merged without 'id' and 'merged_id'");
        return proj_record_merge(ctx, str(e.data, "id"), str(e.data, "merged_id"), e.time);
    }
    if (is(&e, "item", "created") || is(&e, "item", "updated"))
        return proj_item_upsert(ctx, e.data, NULL, e.time);
    if (is(&e, "item", "written_off")) return proj_item_upsert(ctx, e.data, "written_off", e.time);
    return IBC_OK;
}

/* circulation: loans (created, renewed, returned) and readers. A delivered
 * batch's loan events are applied with two statements: every loan's activity
 * first, then the returns (a loan's return always follows its creation, so
 * this order is one the events could have had); reader events one by one, in
 * order. */
ibc_rc on_circulation_events(ibc_ctx *ctx, size_t n, const char *const *subjects,
                             const json_t *const *events)
{
    json_t *activity = json_array(), *returned = json_array();
    ibc_rc rc = IBC_OK;
    for (size_t k = 0; k < n && rc == IBC_OK; k++) {
        event_in e;
        if ((rc = parse(ctx, subjects[k], events[k], &e)) != IBC_OK) break;
        bool act = is(&e, "loan", "created") || is(&e, "loan", "renewed");
        if (act || is(&e, "loan", "returned")) {
            if (!str(e.data, "id") || !*str(e.data, "id")) {
                rc = ibc_fail(ctx, IBC_EINVAL, "the event's data has no 'id'");
                break;
            }
            json_array_append_new(act ? activity : returned,
                                  json_pack("{s:O, s:s?, s:s}", "d", (json_t *)e.data, "t", e.time, "v",
                                            e.verb));
        } else if (is(&e, "reader", "created") || is(&e, "reader", "updated")) {
            rc = proj_reader_upsert(ctx, e.data, e.time);
        } else if (is(&e, "reader", "deleted")) {
            rc = proj_reader_delete(ctx, e.data, e.time);
        }
    }
    if (rc == IBC_OK && json_array_size(activity)) rc = proj_loans_activity(ctx, activity);
    if (rc == IBC_OK && json_array_size(returned)) rc = proj_loans_returned(ctx, returned);
    json_decref(activity);
    json_decref(returned);
    return rc;
}

/* training: staff and completed (or cancelled) enrolments. */
ibc_rc on_training_event(ibc_ctx *ctx, const char *subject, const json_t *event)
{
    event_in e;
    ibc_rc rc = parse(ctx, subject, event, &e);
    if (rc != IBC_OK) return rc;
    if (is(&e, "staff", "created") || is(&e, "staff", "updated"))
        return proj_staff_upsert(ctx, e.data, e.time);
    if (is(&e, "staff", "deleted")) return proj_staff_delete(ctx, e.data, e.time);
    if (is(&e, "enrolment", "completed")) return proj_completion_upsert(ctx, e.data, e.time);
    if (is(&e, "enrolment", "cancelled")) {
        if (!str(e.data, "id"))
            return ibc_fail(ctx, IBC_EINVAL, "enrolment.cancelled without 'id'");
        return proj_completion_delete(ctx, str(e.data, "id"));
    }
    return IBC_OK;
}

/* grants: transformation projects and their statuses. */
ibc_rc on_grants_event(ibc_ctx *ctx, const char *subject, const json_t *event)
{
    event_in e;
    ibc_rc rc = parse(ctx, subject, event, &e);
    if (rc != IBC_OK) return rc;
    if (is(&e, "project", NULL)) return proj_project_upsert(ctx, e.data, e.time);
    return IBC_OK;
}

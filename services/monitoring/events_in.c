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

/* A run of one kind of upsert gathered from a batch: the events and their
 * ids (a set), applied as one statement by apply. */
typedef struct {
    json_t *events, *ids;
    ibc_rc (*apply)(ibc_ctx *ctx, const json_t *events);
} upserts;

static ibc_rc flush(ibc_ctx *ctx, upserts *u)
{
    ibc_rc rc = json_array_size(u->events) ? u->apply(ctx, u->events) : IBC_OK;
    json_array_clear(u->events);
    json_object_clear(u->ids);
    return rc;
}

/* Adds e to u; an id already there applies u first (a statement changes a
 * row once), so each entity's events keep their order. */
static ibc_rc gather(ibc_ctx *ctx, upserts *u, const event_in *e, const char *status)
{
    const char *id = str(e->data, "id");
    if (!id || !*id) return ibc_fail(ctx, IBC_EINVAL, "the event's data has no 'id'");
    ibc_rc rc = json_object_get(u->ids, id) ? flush(ctx, u) : IBC_OK;
    if (rc != IBC_OK) return rc;
    json_object_set_new(u->ids, id, json_true());
    json_array_append_new(u->events, json_pack("{s:O, s:s?, s:s?}", "d", (json_t *)e->data, "t",
                                               e->time, "v", status));
    return IBC_OK;
}

/* record.deleted and record.merged, after what was gathered before them. */
static ibc_rc record_gone(ibc_ctx *ctx, const event_in *e, upserts *records, upserts *items)
{
    ibc_rc rc = flush(ctx, records);
    if (rc == IBC_OK) rc = flush(ctx, items);
    if (rc != IBC_OK) return rc;
    if (is(e, "record", "deleted")) {
        if (!str(e->data, "id")) return ibc_fail(ctx, IBC_EINVAL, "record.deleted without 'id'");
        return proj_record_delete(ctx, str(e->data, "id"), e->time);
    }
    if (!str(e->data, "id") || !str(e->data, "merged_id"))
        return ibc_fail(ctx, IBC_EINVAL, "record.merged without 'id' and 'merged_id'");
    return proj_record_merge(ctx, str(e->data, "id"), str(e->data, "merged_id"), e->time);
}

/* catalog: records (with their textbook grade range and subject) and items.
 * A batch's record and item upserts are applied as one statement each (the
 * fund and loan tallies' statement triggers then run once, not per event:
 * a MARC import's 21,000 item events cost 7.3 s one by one); a deletion or
 * merge applies what came before it first. */
ibc_rc on_catalog_events(ibc_ctx *ctx, size_t n, const char *const *subjects,
                         const json_t *const *events)
{
    upserts records = {json_array(), json_object(), proj_records_upsert};
    upserts items = {json_array(), json_object(), proj_items_upsert};
    ibc_rc rc = IBC_OK;
    for (size_t k = 0; k < n && rc == IBC_OK; k++) {
        event_in e;
        if ((rc = parse(ctx, subjects[k], events[k], &e)) != IBC_OK) break;
        if (is(&e, "record", "created") || is(&e, "record", "updated"))
            rc = gather(ctx, &records, &e, NULL);
        else if (is(&e, "record", "deleted") || is(&e, "record", "merged"))
            rc = record_gone(ctx, &e, &records, &items);
        else if (is(&e, "item", "created") || is(&e, "item", "updated"))
            rc = gather(ctx, &items, &e, NULL);
        else if (is(&e, "item", "written_off"))
            rc = gather(ctx, &items, &e, "written_off");
    }
    if (rc == IBC_OK) rc = flush(ctx, &records);
    if (rc == IBC_OK) rc = flush(ctx, &items);
    json_decref(records.events);
    json_decref(records.ids);
    json_decref(items.events);
    json_decref(items.ids);
    return rc;
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
            json_array_append_new(
                act ? activity : returned,
                json_pack("{s:O, s:s?, s:s}", "d", (json_t *)e.data, "t", e.time, "v", e.verb));
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

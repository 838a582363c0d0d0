/* Holds: a queue per record and school. A copy coming back (checkin, a
 * cancelled or expired ready hold, a copy back from another school) goes to
 * the first reader waiting, whose hold becomes ready for pickup until
 * ready_until; then it expires and the copy moves on. */
#include "circulation.h"
#include "store.h"

#include <ibc/json.h>
#include <stdio.h>
#include <string.h>

static json_t *hold_event(const json_t *hold)
{
    static const char *const keys[] = {"id",      "record_id",   "school", "reader_id",
                                       "item_id", "ready_until", "state",  NULL};
    return pick(hold, keys);
}

ibc_rc holds_offer(ibc_ctx *ctx, const char *item_id, const char *school, json_t **hold)
{
    *hold = NULL;
    ibc_rc rc = store_hold_offer(ctx, item_id, school, hold);
    if (rc == IBC_OK && *hold)
        rc = ibc_emit(ctx, "hold", "ready", json_string_value(json_object_get(*hold, "id")),
                      hold_event(*hold));
    return rc;
}

/* Gives every free copy of the record at school to the holds waiting, in
 * the order they were placed. */
static ibc_rc drain_queue(ibc_ctx *ctx, const char *record_id, const char *school)
{
    for (int i = 0; i < 100; i++) {
        char item[37];
        json_t *hold = NULL;
        ibc_rc rc = store_free_copy(ctx, record_id, school, item);
        if (rc != IBC_OK || !item[0]) return rc;
        if ((rc = holds_offer(ctx, item, school, &hold)) != IBC_OK) return rc;
        bool given = hold != NULL;
        json_decref(hold);
        if (!given) return IBC_OK;
    }
    return IBC_OK;
}

static const ibc_field hold_fields[] = {
    {"record_id", IBC_F_UUID, true, 0, 0, NULL, 0},
    {"reader_id", IBC_F_UUID, true, 0, 0, NULL, 0},
    {"expires_at", IBC_F_STR, false, 1, 40, NULL, 0},
};

/* holds.create: {record_id, reader_id, expires_at?} → 201 with the hold,
 * placed in the queue of the record at the reader's school; ready at once
 * when a copy is on the shelf. 403 a reader of another school, 409 when the
 * school has no copy, the reader already holds or has the record, or is not
 * active. Emits circulation.hold.placed (and hold.ready). */
ibc_rc holds_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    json_t *flat = json_object();
    ibc_rc rc = ibc_validate(ctx, ibc_body(req), hold_fields, IBC_LEN(hold_fields), "", NULL, flat);
    const char *record = json_string_value(json_object_get(flat, "record_id"));
    const char *reader = json_string_value(json_object_get(flat, "reader_id"));
    const char *expires = json_string_value(json_object_get(flat, "expires_at"));
    char school[72];
    if (rc == IBC_OK) rc = store_hold_place(ctx, record, reader, expires, false, school, reply);
    if (rc == IBC_OK && !*reply) {
        /* no copy known here: maybe one was catalogued a moment ago */
        rc = items_sync(ctx, record, school);
        if (rc == IBC_OK) rc = store_hold_place(ctx, record, reader, expires, true, school, reply);
    }
    if (rc != IBC_OK) goto done;
    const char *id = json_string_value(json_object_get(*reply, "id"));
    rc = ibc_emit(ctx, "hold", "placed", id, hold_event(*reply));
    if (rc == IBC_OK) rc = drain_queue(ctx, record, school);
    if (rc == IBC_OK) {
        /* answer the hold as it is now (maybe ready) */
        json_t *now = NULL;
        if ((rc = store_hold_get(ctx, id, &now)) == IBC_OK) {
            json_decref(*reply);
            *reply = now;
        }
        ibc_created(ctx, "/api/v1/circulation/holds/%s", id);
    }
done:
    json_decref(flat);
    return rc;
}

/* holds.get: 200 with the hold (its place in the queue while waiting). */
ibc_rc holds_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "hold", &id);
    if (rc == IBC_OK) rc = store_hold_get(ctx, id, reply);
    return rc;
}

/* holds.list: ?school= (network roles), record_id=, reader_id=,
 * state=active (waiting and ready, the default)|waiting|ready|fulfilled|
 * cancelled|expired|all, limit=, offset=. 200 with {holds, limit, offset}. */
ibc_rc holds_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *school;
    ibc_page page;
    ibc_rc rc = caller_school(ctx, ibc_param(req, "school"), false, &school);
    if (rc == IBC_OK) rc = ibc_req_page(ctx, req, CIRC_PAGE_DEFAULT, CIRC_PAGE_MAX, &page);
    if (rc != IBC_OK) return rc;
    store_hold_filter f = {school,
                           ibc_param(req, "record_id"),
                           ibc_param(req, "reader_id"),
                           ibc_param(req, "state"),
                           page.limit_text,
                           page.offset_text};
    if (f.record_id && !ibc_uuid_valid(f.record_id))
        return ibc_fail(ctx, IBC_EINVAL, "'record_id' must be a UUID, not '%.60s'", f.record_id);
    if (f.reader_id && !ibc_uuid_valid(f.reader_id))
        return ibc_fail(ctx, IBC_EINVAL, "'reader_id' must be a UUID, not '%.60s'", f.reader_id);
    static const char *const states[] = {"active",    "waiting", "ready", "fulfilled",
                                         "cancelled", "expired", "all"};
    bool ok = !f.state;
    for (size_t i = 0; !ok && i < IBC_LEN(states); i++)
        ok = strcmp(states[i], f.state) == 0;
    if (!ok)
        return ibc_fail(ctx, IBC_EINVAL,
                        "'state' must be active, waiting, ready, fulfilled, cancelled, expired or "
                        "all, not '%.20s'",
                        f.state);
    if (!f.state) f.state = "active";
    return store_holds_list(ctx, &f, reply);
}

/* holds.cancel: 200 with the cancelled hold; a copy that was ready for it
 * goes to the next reader. 409 when the hold is no longer active. Emits
 * circulation.hold.cancelled (and hold.ready). */
ibc_rc holds_cancel(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "hold", &id);
    if (rc == IBC_OK) rc = store_hold_cancel(ctx, id, reply);
    if (rc != IBC_OK) return rc;
    rc = ibc_emit(ctx, "hold", "cancelled", id, hold_event(*reply));
    const char *item = json_string_value(json_object_get(*reply, "item_id"));
    if (rc == IBC_OK && item) {
        json_t *next = NULL;
        rc = holds_offer(ctx, item, json_string_value(json_object_get(*reply, "school")), &next);
        if (next)
            json_object_set_new(*reply, "passed_to", json_incref(json_object_get(next, "id")));
        json_decref(next);
    }
    return rc;
}

ibc_rc holds_expire_run(ibc_ctx *ctx, const char *school, long *count)
{
    json_t *expired = NULL;
    *count = 0;
    ibc_rc rc = store_holds_expire(ctx, school ? school : "", &expired);
    size_t i;
    json_t *h;
    json_array_foreach(expired, i, h)
    {
        if (rc != IBC_OK) break;
        rc = ibc_emit(ctx, "hold", "expired", json_string_value(json_object_get(h, "id")),
                      hold_event(h));
        const char *item = json_string_value(json_object_get(h, "item_id"));
        if (rc == IBC_OK && item) {
            json_t *next = NULL;
            rc = holds_offer(ctx, item, json_string_value(json_object_get(h, "school")), &next);
            json_decref(next);
        }
        (*count)++;
    }
    json_decref(expired);
    return rc;
}

/* holds.expire: expires the holds of the caller's school (every school for
 * the admin without ?school=) whose time has passed; ready copies go to the
 * next reader. 200 {expired: n}. The service also does this every minute. */
ibc_rc holds_expire(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *school;
    long n = 0;
    ibc_rc rc = caller_school(ctx, ibc_param(req, "school"), false, &school);
    if (rc == IBC_OK) rc = holds_expire_run(ctx, school, &n);
    if (rc == IBC_OK) *reply = json_pack("{s:I}", "expired", (json_int_t)n);
    return rc;
}

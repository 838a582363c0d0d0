/* Circulation's loan events, consumed by the catalog: an item is on loan from
 * loan.created until loan.returned. The flag feeds availability and the
 * "available now" search filter; it is not part of the item's version.
 *
 * One consumer takes every loan event (ibc.evt.circulation.loan.>), so that a
 * copy's events arrive in the order they were published, and a delivered
 * batch is applied with one UPDATE: the statement trigger that recomputes the
 * records' holdings then runs once per batch instead of once per loan. Each
 * copy keeps the time of the latest event applied (items.loan_event_at) and an
 * older event changes nothing, which also holds when a replay or a second
 * relay delivers events out of order. */
#include "catalog.h"
#include "store_items.h"

#include <ibc/json.h>
#include <stdlib.h>
#include <string.h>

/* ibc.evt.circulation.loan.>: created sets on_loan, returned clears it; other
 * loan events (renewed) do not change it. An event without a UUID item_id is
 * malformed (IBC_EINVAL: alone, it is logged and skipped), and so is a time
 * that is not one (the statement fails with 22007); an item the catalog does
 * not hold is ignored. */
ibc_rc on_loan_events(ibc_ctx *ctx, size_t n, const char *const *subjects,
                      const json_t *const *events)
{
    json_t *changes = json_array();
    for (size_t k = 0; k < n; k++) {
        const char *verb = strrchr(subjects[k], '.');
        bool created = verb && strcmp(verb, ".created") == 0;
        if (!created && !(verb && strcmp(verb, ".returned") == 0)) continue;
        const json_t *data = json_object_get(events[k], "data");
        const char *item = json_string_value(json_object_get(data, "item_id"));
        if (!item || !ibc_uuid_valid(item)) {
            json_decref(changes);
            return ibc_fail(ctx, IBC_EINVAL, "%s: the event has no item_id UUID", subjects[k]);
        }
        /* the CloudEvent time (optional in CloudEvents; our relay always sets
         * it), else the loan's own time; without either, the time it arrives */
        const json_t *at = json_object_get(events[k], "time");
        if (!json_is_string(at)) at = json_object_get(data, created ? "loaned_at" : "returned_at");
        json_array_append_new(changes, json_pack("{s:s, s:b, s:O?}", "item", item, "on_loan",
                                                 created, "at", (json_t *)at));
    }
    ibc_rc rc = json_array_size(changes) ? store_items_apply_loans(ctx, changes) : IBC_OK;
    json_decref(changes);
    return rc;
}

/* Circulation's loan events, consumed by the catalog: an item is on loan from
 * loan.created until loan.returned. The flag feeds availability and the
 * "available now" search filter; it is not part of the item's version. */
#include "catalog.h"
#include "store_items.h"

#include <ibc/validate.h>

/* Sets on_loan for the event's item. IBC_EINVAL (skipped) for an event
 * without a UUID item_id; an unknown item is logged and acknowledged. */
static ibc_rc set_on_loan(ibc_ctx *ctx, const char *subject, const json_t *event, bool on_loan)
{
    const json_t *data = json_object_get(event, "data");
    if (!json_is_object(data)) data = event;
    const char *item = json_string_value(json_object_get(data, "item_id"));
    if (!item || !ibc_uuid_valid(item))
        return ibc_fail(ctx, IBC_EINVAL, "%s: the event has no item_id UUID", subject);
    bool found = false;
    ibc_rc rc = store_item_set_on_loan(ctx, item, on_loan, &found);
    if (rc == IBC_OK && !found)
        ibc_log(IBC_LOG_WARN, ctx->request_id, "%s: no item %s in the catalog; ignored", subject,
                item);
    return rc;
}

/* ibc.evt.circulation.loan.created: the item is lent. */
ibc_rc on_loan_created(ibc_ctx *ctx, const char *subject, const json_t *event)
{
    return set_on_loan(ctx, subject, event, true);
}

/* ibc.evt.circulation.loan.returned: the item is back. */
ibc_rc on_loan_returned(ibc_ctx *ctx, const char *subject, const json_t *event)
{
    return set_on_loan(ctx, subject, event, false);
}

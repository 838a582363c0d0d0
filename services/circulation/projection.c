/* The circulation's view of the catalog: items (who holds them, their
 * status) and which records are textbooks, kept from the catalog's events.
 * A barcode the view does not know yet (an event still on its way) is asked
 * of the catalog directly and kept. */
#include "circulation.h"
#include "store.h"

#include <ibc/json.h>
#include <stdio.h>
#include <string.h>

/* The event's data object, borrowed (the CloudEvent's `data`). */
static const json_t *event_data(const json_t *event)
{
    const json_t *d = json_object_get(event, "data");
    return json_is_object(d) ? d : event;
}

static const char *verb_of(const char *subject)
{
    const char *dot = strrchr(subject, '.');
    return dot ? dot + 1 : subject;
}

ibc_rc item_valid(ibc_ctx *ctx, const json_t *d, bool need_status)
{
    const char *id = json_string_value(json_object_get(d, "id"));
    const char *rec = json_string_value(json_object_get(d, "record_id"));
    const char *school = json_string_value(json_object_get(d, "school"));
    const char *barcode = json_string_value(json_object_get(d, "barcode"));
    const char *status = json_string_value(json_object_get(d, "status"));
    if (!id || !ibc_uuid_valid(id) || !rec || !ibc_uuid_valid(rec) || !school || !*school ||
        !barcode || !*barcode || (need_status && (!status || !*status)))
        return ibc_fail(ctx, IBC_EINVAL, "an item needs id, record_id, school, barcode%s",
                        need_status ? " and status" : "");
    return IBC_OK;
}

/* Applies catalog.item.created|updated|written_off to the projection;
 * other item events change nothing. */
ibc_rc on_catalog_item(ibc_ctx *ctx, const char *subject, const json_t *event)
{
    const char *verb = verb_of(subject);
    const json_t *d = event_data(event);
    bool written_off = strcmp(verb, "written_off") == 0;
    if (!written_off && strcmp(verb, "created") != 0 && strcmp(verb, "updated") != 0) return IBC_OK;
    ibc_rc rc = item_valid(ctx, d, !written_off);
    if (rc == IBC_OK) rc = store_item_upsert(ctx, d, written_off ? "written_off" : NULL);
    return rc;
}

/* catalog.record.blocked (d: its data) or unblocked (d NULL): the federal
 * list of extremist materials names the record, or no longer does. */
static ibc_rc record_block(ibc_ctx *ctx, const char *id, const json_t *d)
{
    char entry[24], version[24];
    json_int_t e = json_integer_value(json_object_get(d, "entry_number"));
    json_int_t v = json_integer_value(json_object_get(d, "list_version"));
    if (d && (e <= 0 || v <= 0))
        return ibc_fail(ctx, IBC_EINVAL,
                        "a record.blocked event needs entry_number and list_version");
    snprintf(entry, sizeof entry, "%lld", (long long)e);
    snprintf(version, sizeof version, "%lld", (long long)v);
    return store_record_block(ctx, id, d ? entry : NULL, d ? version : NULL);
}

/* Applies catalog.record.created|updated (is it a textbook), deleted and
 * merged (loans, holds and items follow the kept record; a reader's hold on
 * both is cancelled once, with hold.cancelled). */
ibc_rc on_catalog_record(ibc_ctx *ctx, const char *subject, const json_t *event)
{
    const char *verb = verb_of(subject);
    const json_t *d = event_data(event);
    const char *id = json_string_value(json_object_get(d, "id"));
    if (!id || !ibc_uuid_valid(id)) return ibc_fail(ctx, IBC_EINVAL, "a record event needs its id");
    if (strcmp(verb, "created") == 0 || strcmp(verb, "updated") == 0) {
        const char *type = json_string_value(json_object_get(d, "type"));
        const char *rating = json_string_value(json_object_get(d, "age_rating"));
        static const char *const ratings[] = {"0+", "6+", "12+", "16+", "18+"};
        bool known = false;
        for (size_t i = 0; rating && i < IBC_LEN(ratings); i++)
            known |= strcmp(rating, ratings[i]) == 0;
        return store_record_upsert(ctx, id, type ? type : "book", known ? rating : NULL);
    }
    if (strcmp(verb, "deleted") == 0) return store_record_forget(ctx, id);
    if (strcmp(verb, "blocked") == 0 || strcmp(verb, "unblocked") == 0)
        return record_block(ctx, id, strcmp(verb, "blocked") == 0 ? d : NULL);
    if (strcmp(verb, "merged") != 0) return IBC_OK;
    const char *merged = json_string_value(json_object_get(d, "merged_id"));
    if (!merged || !ibc_uuid_valid(merged))
        return ibc_fail(ctx, IBC_EINVAL, "a merge event needs merged_id");
    json_t *cancelled = NULL;
    ibc_rc rc = store_record_merge(ctx, id, merged, &cancelled);
    size_t i;
    json_t *h;
    json_array_foreach(cancelled, i, h)
    {
        if (rc != IBC_OK) break;
        rc = ibc_emit(
            ctx, "hold", "cancelled", json_string_value(h),
            json_pack("{s:O, s:s, s:s}", "id", h, "record_id", id, "reason", "records merged"));
    }
    json_decref(cancelled);
    return rc;
}

ibc_rc item_resolve(ibc_ctx *ctx, const char *barcode, char item_id[37])
{
    ibc_rc rc = store_item_lock_by_barcode(ctx, barcode, item_id);
    if (rc != IBC_OK || item_id[0]) return rc;

    /* not projected yet: ask the catalog, keep its answer */
    json_t *params = json_pack("{s:s}", "barcode", barcode), *item = NULL;
    rc = ibc_call(ctx, "catalog.items.lookup", params, NULL, &item, 2000);
    json_decref(params);
    if (rc == IBC_ENOTFOUND)
        rc = ibc_fail(ctx, IBC_ENOTFOUND, "no item has barcode %s in the catalog", barcode);
    else if (rc != IBC_OK) {
        char why[256];
        snprintf(why, sizeof why, "%s", ctx->err_detail);
        rc = ibc_fail(ctx, rc == IBC_ETIMEOUT ? IBC_ETIMEOUT : IBC_EBUS,
                      "the catalog could not be asked about barcode %s: %s", barcode, why);
    } else if (item_valid(ctx, item, true) != IBC_OK)
        rc = ibc_fail(ctx, IBC_EBUS, "the catalog described barcode %s incompletely", barcode);
    else if ((rc = store_item_upsert(ctx, item, NULL)) == IBC_OK)
        rc = store_item_lock_by_barcode(ctx, barcode, item_id);
    if (rc == IBC_OK && !item_id[0])
        rc = ibc_fail(ctx, IBC_ENOTFOUND, "no item has barcode %s in the catalog", barcode);
    json_decref(item);
    return rc;
}

ibc_rc items_sync(ibc_ctx *ctx, const char *record_id, const char *school)
{
    char cursor[64] = "";
    ibc_rc rc = IBC_OK;
    for (int page = 0; page < 20 && rc == IBC_OK; page++) {
        json_t *params = json_pack("{s:s, s:s, s:s}", "record_id", record_id, "school", school,
                                   "limit", "100"),
               *list = NULL;
        if (cursor[0]) json_object_set_new(params, "cursor", json_string(cursor));
        ibc_rc call = ibc_call(ctx, "catalog.items.list", params, NULL, &list, 2000);
        json_decref(params);
        if (call != IBC_OK) {
            /* the projection is still an answer: go on with what it has */
            ibc_log(IBC_LOG_WARN, ctx->request_id, "catalog items of %s at %s not synced: %s",
                    record_id, school, ctx->err_detail);
            ctx->err = IBC_OK;
            ctx->err_detail[0] = 0;
            json_decref(list);
            return IBC_OK;
        }
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(list, "items"), i, item)
        {
            if (item_valid(ctx, item, true) != IBC_OK) {
                ctx->err = IBC_OK;
                ctx->err_detail[0] = 0;
                continue;
            }
            if ((rc = store_item_upsert(ctx, item, NULL)) != IBC_OK) break;
        }
        const char *next = json_string_value(json_object_get(list, "next_cursor"));
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        json_decref(list);
        if (!cursor[0]) break;
    }
    return rc;
}

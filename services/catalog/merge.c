/* Duplicates in the union catalog: near-duplicates of a record, and folding
 * one record into another with its items (admin and methodologist only). */
#include "catalog.h"
#include "params.h"
#include "store_merge.h"

#include <ibc/json.h>
#include <string.h>

/* records.similar: ?limit= (1-50, default 10). 200 {"id", "similar": [{id,
 * type, title, authors, year, isbn, score, items}]} best first; 404 when the
 * record is unknown. */
ibc_rc records_similar(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"id", "limit", NULL};
    const char *id = NULL;
    long limit = 10;
    bool present;
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = ibc_req_uuid(ctx, req, "id", &id);
    if (rc == IBC_OK && !id) rc = ibc_fail(ctx, IBC_EINVAL, "the record id is required");
    if (rc == IBC_OK) rc = param_int(ctx, req, "limit", 1, 50, &limit, &present);
    if (rc == IBC_OK) rc = store_similar(ctx, id, (int)limit, reply);
    return rc;
}

/* records.merge: body {"from": other record id}. Moves the other record's
 * items to this one and deletes the other, in one transaction. 200 {"id",
 * "merged_id", "moved_items"}. Emits catalog.record.merged (and no deleted). */
ibc_rc records_merge(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const ibc_field fields[] = {{"from", IBC_F_UUID, true}};
    json_t *in = json_object();
    const char *id = NULL;
    long moved = 0;
    ibc_rc rc = IBC_OK;
    if (!ibc_role_network_wide(ctx))
        rc = ibc_fail(ctx, IBC_EFORBIDDEN, "only admin and methodologist merge records");
    if (rc == IBC_OK) rc = ibc_req_uuid(ctx, req, "id", &id);
    if (rc == IBC_OK && !id) rc = ibc_fail(ctx, IBC_EINVAL, "the record id is required");
    if (rc == IBC_OK) rc = ibc_validate(ctx, ibc_body(req), fields, IBC_LEN(fields), "", NULL, in);
    const char *from = json_string_value(json_object_get(in, "from"));
    if (rc == IBC_OK && strcasecmp(from, id) == 0)
        rc = ibc_fail(ctx, IBC_EINVAL, "'from' is the record itself; name the other record");
    if (rc == IBC_OK) rc = store_merge(ctx, id, from, &moved);
    if (rc == IBC_OK)
        rc = ibc_emit(ctx, "record", "merged", id,
                      json_pack("{s:s, s:s, s:I}", "id", id, "merged_id", from, "moved_items",
                                (json_int_t)moved));
    if (rc == IBC_OK)
        *reply = json_pack("{s:s, s:s, s:I}", "id", id, "merged_id", from, "moved_items",
                           (json_int_t)moved);
    json_decref(in);
    return rc;
}

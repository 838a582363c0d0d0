/* The catalog's record actions: validate, call the store, emit, answer. */
#include "catalog.h"
#include "extremist/extremist.h"
#include "record.h"
#include "store.h"
#include "store_items.h"

#include <ibc/json.h>
#include <stdio.h>
#include <string.h>

/* Event data: the record's public fields (records hold no personal data). */
static json_t *event_data(const json_t *record)
{
    json_t *d = json_deep_copy(record);
    json_object_del(d, "annotation");
    return d;
}

static bool flag(const json_t *req, const char *name)
{
    const char *v = ibc_param(req, name);
    return v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

/* Refuses an ISBN that another record has, unless allow_duplicate=true. */
static ibc_rc check_isbn(ibc_ctx *ctx, const json_t *req, const json_t *flat, const char *self)
{
    const char *isbn = json_string_value(json_object_get(flat, "isbn"));
    if (!isbn || flag(req, "allow_duplicate")) return IBC_OK;
    char owner[37];
    ibc_rc rc = store_isbn_owner(ctx, isbn, self, owner);
    if (rc != IBC_OK || !owner[0]) return rc;
    ctx->err_ext = json_pack("{s:s}", "existing_id", owner);
    return ibc_fail(ctx, IBC_ECONFLICT,
                    "a record with ISBN %s already exists (%s); add items to it, or send "
                    "allow_duplicate=true to catalogue a separate record",
                    isbn, owner);
}

/* records.create: body = record. 201 with the record; 409 when its ISBN exists.
 * Emits catalog.record.created. */
ibc_rc records_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    json_t *flat = NULL;
    ibc_rc rc = record_normalize(ctx, ibc_body(req), &flat);
    if (rc == IBC_OK) rc = check_isbn(ctx, req, flat, NULL);
    if (rc == IBC_OK) rc = store_record_insert(ctx, flat, reply);
    if (rc == IBC_OK) {
        const char *id = json_string_value(json_object_get(*reply, "id"));
        rc = ibc_emit(ctx, "record", "created", id, event_data(*reply));
        ibc_created(ctx, "/api/v1/catalog/records/%s", id);
        ibc_set_etag_of(ctx, *reply, "version");
    }
    json_decref(flat);
    return rc;
}

/* records.get: 200 with the record and its ETag, 404 when unknown. */
ibc_rc records_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "record", &id);
    if (rc == IBC_OK) rc = store_record_get(ctx, id, reply);
    if (rc == IBC_OK) rc = extremist_may_see(ctx, id, json_object_get(*reply, "extremist"));
    if (rc == IBC_OK) ibc_set_etag_of(ctx, *reply, "version");
    return rc;
}

/* records.update: replaces the record; If-Match with its version is required
 * (428 without, 412 when stale). Emits catalog.record.updated. */
ibc_rc records_update(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    json_t *flat = NULL;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "record", &id);
    if (rc != IBC_OK) return rc;
    long version = -1;
    rc = ibc_if_match(ctx, true, &version);
    if (rc != IBC_OK) return rc;
    rc = record_normalize(ctx, ibc_body(req), &flat);
    if (rc == IBC_OK) rc = check_isbn(ctx, req, flat, id);
    if (rc == IBC_OK) rc = store_record_update(ctx, id, version, flat, reply);
    if (rc == IBC_OK) {
        rc = ibc_emit(ctx, "record", "updated", id, event_data(*reply));
        ibc_set_etag_of(ctx, *reply, "version");
    }
    json_decref(flat);
    return rc;
}

/* records.delete: 204; 404 when unknown; 409 while items belong to it.
 * Emits catalog.record.deleted. */
ibc_rc records_delete(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    json_t *old = NULL;
    long items = 0, written_off = 0;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "record", &id);
    if (rc == IBC_OK) rc = store_record_item_count(ctx, id, &items, &written_off);
    if (rc == IBC_OK && items > 0)
        rc = ibc_fail(ctx, IBC_ECONFLICT,
                      "%ld items (%ld of them written off) belong to record %s; merge it into "
                      "another record instead of deleting it",
                      items, written_off, id);
    if (rc == IBC_OK) rc = store_record_delete(ctx, id, &old);
    if (rc == IBC_OK)
        rc = ibc_emit(ctx, "record", "deleted", id,
                      json_pack("{s:s, s:O?}", "id", id, "isbn", json_object_get(old, "isbn")));
    json_decref(old);
    ibc_no_content(ctx);
    *reply = NULL;
    return rc;
}

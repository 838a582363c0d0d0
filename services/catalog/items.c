/* The catalog's item actions (экземпляры): a copy of a record held by one
 * school. A librarian manages the copies of their own school; admin and
 * methodologist those of any school. Validate, call the store, emit, answer. */
#include "catalog.h"
#include "extremist/extremist.h"
#include "params.h"
#include "record.h"
#include "store_items.h"

#include <ibc/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const sources[] = {"purchase", "gift", "textbook_fund", NULL};
/* written_off is reached only through the write-off action */
static const char *const statuses[] = {"available", "in_repair", "lost", NULL};
static const char *const all_statuses[] = {"available", "in_repair", "lost", "written_off", NULL};
/* read-only members a client may send back unchanged from a GET */
static const char *const readonly[] = {"id",      "version",   "created_at", "updated_at",
                                       "on_loan", "write_off", NULL};

static const char *str(const json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

/* True when a barcode is 1-64 printable ASCII characters without spaces. */
static bool barcode_valid(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p >= 0x7f) return false;
    return *s != 0;
}

/* Validates an item body into *flat (new object keyed by column; absent
 * members null). IBC_EINVAL with a sentence naming the field. */
static ibc_rc item_normalize(ibc_ctx *ctx, const json_t *body, json_t **flat)
{
    *flat = NULL;
    const ibc_field fields[] = {
        {"record_id", IBC_F_UUID, true},
        {"barcode", IBC_F_STR, true, 1, 64},
        {"inventory_number", IBC_F_STR, false, 1, 64},
        {"location", IBC_F_STR, false, 1, 200},
        {"price", IBC_F_NUM, false, 0, 99999999},
        {"acquired_on", IBC_F_DATE, false},
        {"source", IBC_F_ENUM, false, 0, 0, sources},
        {"status", IBC_F_ENUM, false, 0, 0, statuses},
        {"school", IBC_F_STR, false, 1, 64},
    };
    if (json_is_object(body) && json_is_string(json_object_get(body, "status")) &&
        strcmp(str(body, "status"), "written_off") == 0)
        return ibc_fail(ctx, IBC_EINVAL,
                        "'status' cannot be set to written_off here; write an item off with "
                        "POST /api/v1/catalog/items/{id}/write-off and its act and reason");
    json_t *out = json_object();
    ibc_rc rc = ibc_validate(ctx, body, fields, IBC_LEN(fields), "", readonly, out);
    if (rc == IBC_OK && !barcode_valid(str(out, "barcode")))
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "'barcode' must be printable ASCII without spaces, not '%.64s'",
                      str(out, "barcode"));
    if (rc == IBC_OK && str(out, "school") && !ibc_org_valid(str(out, "school")))
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "'school' must be an organisation id (letters, digits, '.', '_', '-'), "
                      "not '%.64s'",
                      str(out, "school"));
    if (rc == IBC_OK && str(out, "acquired_on")) {
        char today[16];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(today, sizeof today, "%Y-%m-%d", &tm);
        /* a day of slack for time zones east of UTC */
        if (strcmp(str(out, "acquired_on"), today) > 0) {
            now += 86400;
            gmtime_r(&now, &tm);
            strftime(today, sizeof today, "%Y-%m-%d", &tm);
            if (strcmp(str(out, "acquired_on"), today) > 0)
                rc = ibc_fail(ctx, IBC_EINVAL, "'acquired_on' %s is in the future",
                              str(out, "acquired_on"));
        }
    }
    if (rc != IBC_OK) {
        json_decref(out);
        return rc;
    }
    static const char *const columns[] = {"inventory_number", "location", "price",
                                          "acquired_on",      "source",   "status"};
    for (size_t i = 0; i < IBC_LEN(columns); i++)
        if (!json_object_get(out, columns[i])) json_object_set_new(out, columns[i], json_null());
    *flat = out;
    return IBC_OK;
}

/* IBC_OK when the caller may manage the items of `school`: admin and
 * methodologist any school, a librarian only their own. */
ibc_rc catalog_may_manage(ibc_ctx *ctx, const char *school)
{
    if (ibc_role_network_wide(ctx)) return IBC_OK;
    if (ibc_role_is(ctx, "librarian") && strcmp(ctx->org, school) == 0) return IBC_OK;
    if (ibc_role_is(ctx, "librarian"))
        return ibc_fail(ctx, IBC_EFORBIDDEN,
                        "a librarian manages only the items of their own school (%s), not of %s",
                        ctx->org, school);
    return ibc_fail(ctx, IBC_EFORBIDDEN, "the role '%s' may not manage items", ctx->role);
}

/* Event data of an item: ids and holding fields, as agreed in the contracts. */
static json_t *event_data(const json_t *item)
{
    json_t *d = json_object();
    static const char *const keys[] = {
        "id", "record_id", "school", "barcode", "inventory_number", "status", "source", "location"};
    for (size_t i = 0; i < IBC_LEN(keys); i++) {
        json_t *v = json_object_get(item, keys[i]);
        json_object_set(d, keys[i], v ? v : json_null());
    }
    return d;
}

/* items.create: body = item. 201 with the item; 409 when the barcode (network)
 * or inventory number (school) is taken; 422 for an unknown record. Emits
 * catalog.item.created. */
ibc_rc items_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    json_t *flat = NULL;
    ibc_rc rc = item_normalize(ctx, ibc_body(req), &flat);
    if (rc != IBC_OK) return rc;
    const char *school = str(flat, "school") ? str(flat, "school") : ctx->org;
    if (!*school)
        rc = ibc_fail(ctx, IBC_EINVAL, "'school' is required: the key belongs to no organisation");
    if (rc == IBC_OK) rc = catalog_may_manage(ctx, school);
    if (rc == IBC_OK) rc = store_record_must_exist(ctx, str(flat, "record_id"), "record_id");
    if (rc == IBC_OK) rc = store_item_insert(ctx, flat, school, reply);
    if (rc == IBC_OK) {
        const char *id = str(*reply, "id");
        rc = ibc_emit(ctx, "item", "created", id, event_data(*reply));
        ibc_created(ctx, "/api/v1/catalog/items/%s", id);
        ibc_set_etag_of(ctx, *reply, "version");
    }
    json_decref(flat);
    return rc;
}

/* items.get: 200 with the item and its ETag; 404 when unknown. */
ibc_rc items_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "item", &id);
    if (rc == IBC_OK) rc = store_item_get(ctx, id, false, reply);
    if (rc == IBC_OK) ibc_set_etag_of(ctx, *reply, "version");
    return rc;
}

/* items.update: replaces the item; If-Match with its version is required
 * (428 without, 412 when stale). A written-off item cannot change (409).
 * Emits catalog.item.updated. */
ibc_rc items_update(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    json_t *flat = NULL, *cur = NULL;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "item", &id);
    if (rc != IBC_OK) return rc;
    long version = -1;
    rc = ibc_if_match(ctx, true, &version);
    if (rc != IBC_OK) return rc;
    rc = item_normalize(ctx, ibc_body(req), &flat);
    if (rc == IBC_OK) rc = store_item_get(ctx, id, true, &cur);
    const char *school = NULL;
    if (rc == IBC_OK) {
        rc = catalog_may_manage(ctx, str(cur, "school"));
        school = str(flat, "school") ? str(flat, "school") : str(cur, "school");
    }
    if (rc == IBC_OK) rc = catalog_may_manage(ctx, school);
    if (rc == IBC_OK && strcmp(str(cur, "status"), "written_off") == 0)
        rc = ibc_fail(ctx, IBC_ECONFLICT,
                      "item %s was written off (act %s); a written-off item cannot be changed", id,
                      str(json_object_get(cur, "write_off"), "act"));
    if (rc == IBC_OK && json_integer_value(json_object_get(cur, "version")) != version)
        rc = ibc_fail(ctx, IBC_EPRECOND,
                      "the item changed: its version is %lld, If-Match named %ld; read it again",
                      (long long)json_integer_value(json_object_get(cur, "version")), version);
    if (rc == IBC_OK && strcmp(str(cur, "record_id"), str(flat, "record_id")) != 0)
        rc = store_record_must_exist(ctx, str(flat, "record_id"), "record_id");
    if (rc == IBC_OK)
        rc = store_item_check_unique(ctx, str(flat, "barcode"), school,
                                     str(flat, "inventory_number"), id);
    if (rc == IBC_OK) rc = store_item_update(ctx, id, version, flat, school, reply);
    if (rc == IBC_OK) {
        rc = ibc_emit(ctx, "item", "updated", id, event_data(*reply));
        ibc_set_etag_of(ctx, *reply, "version");
    }
    json_decref(flat);
    json_decref(cur);
    return rc;
}

/* items.write_off: body {act, reason}. 200 with the item, now written off and
 * kept in history; 409 when it is already written off or on loan. If-Match is
 * honoured when sent. Emits catalog.item.written_off. */
ibc_rc items_write_off(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    json_t *in = json_object(), *cur = NULL;
    const ibc_field fields[] = {
        {"act", IBC_F_STR, true, 1, 64},
        {"reason", IBC_F_STR, true, 1, 500},
    };
    ibc_rc rc = ibc_req_id(ctx, req, "id", "item", &id);
    if (rc == IBC_OK) rc = ibc_validate(ctx, ibc_body(req), fields, IBC_LEN(fields), "", NULL, in);
    long version = -1;
    if (rc == IBC_OK) rc = ibc_if_match(ctx, false, &version);
    if (rc == IBC_OK) rc = store_item_get(ctx, id, true, &cur);
    if (rc == IBC_OK) rc = catalog_may_manage(ctx, str(cur, "school"));
    if (rc == IBC_OK && strcmp(str(cur, "status"), "written_off") == 0)
        rc = ibc_fail(ctx, IBC_ECONFLICT, "item %s is already written off (act %s)", id,
                      str(json_object_get(cur, "write_off"), "act"));
    if (rc == IBC_OK && json_is_true(json_object_get(cur, "on_loan")))
        rc = ibc_fail(ctx, IBC_ECONFLICT,
                      "item %s is on loan; it can be written off once it is returned", id);
    if (rc == IBC_OK && version > 0 &&
        json_integer_value(json_object_get(cur, "version")) != version)
        rc = ibc_fail(ctx, IBC_EPRECOND,
                      "the item changed: its version is %lld, If-Match named %ld; read it again",
                      (long long)json_integer_value(json_object_get(cur, "version")), version);
    if (rc == IBC_OK) rc = store_item_write_off(ctx, id, str(in, "act"), str(in, "reason"), reply);
    if (rc == IBC_OK) {
        rc = ibc_emit(ctx, "item", "written_off", id,
                      json_pack("{s:s, s:O, s:O, s:O, s:O, s:O}", "id", id, "record_id",
                                json_object_get(*reply, "record_id"), "school",
                                json_object_get(*reply, "school"), "barcode",
                                json_object_get(*reply, "barcode"), "act",
                                json_object_get(in, "act"), "reason",
                                json_object_get(in, "reason")));
        ibc_set_etag_of(ctx, *reply, "version");
    }
    json_decref(in);
    json_decref(cur);
    return rc;
}

/* items.list: ?barcode= | ?record_id= | ?school= | ?status=, limit (1-100,
 * default 20) and cursor. 200 {"items": [...], "next_cursor": ...}. */
ibc_rc items_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"barcode", "record_id", "school", "status",
                                          "limit",   "cursor",    NULL};
    const char *barcode = NULL, *record = NULL, *school = NULL, *status = NULL, *cursor = NULL;
    long limit = 20;
    bool has_limit;
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = param_str(ctx, req, "barcode", 64, &barcode);
    if (rc == IBC_OK) rc = ibc_req_uuid(ctx, req, "record_id", &record);
    if (rc == IBC_OK) rc = ibc_req_org(ctx, req, "school", &school);
    if (rc == IBC_OK) rc = param_str(ctx, req, "status", 32, &status);
    if (rc == IBC_OK && status) {
        bool known = false;
        for (const char *const *s = all_statuses; *s; s++)
            known |= strcmp(*s, status) == 0;
        if (!known)
            rc = ibc_fail(ctx, IBC_EINVAL,
                          "parameter 'status' must be one of available, in_repair, lost, "
                          "written_off, not '%.40s'",
                          status);
    }
    if (rc == IBC_OK) rc = param_int(ctx, req, "limit", 1, 100, &limit, &has_limit);
    if (rc == IBC_OK) rc = param_str(ctx, req, "cursor", 64, &cursor);
    if (rc == IBC_OK && cursor && !ibc_uuid_valid(cursor))
        rc = ibc_fail(ctx, IBC_EINVAL, "parameter 'cursor' is not a cursor of this list");
    if (rc == IBC_OK)
        rc = store_items_list(ctx, barcode, record, school, status, cursor, (int)limit, reply);
    return rc;
}

/* items.lookup: params {barcode}. 200 with the item (for circulation and
 * other services); 404 when no item has the barcode. */
ibc_rc items_lookup(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"barcode", NULL};
    const char *barcode = NULL;
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = param_str(ctx, req, "barcode", 64, &barcode);
    if (rc == IBC_OK && !barcode) rc = ibc_fail(ctx, IBC_EINVAL, "parameter 'barcode' is required");
    if (rc == IBC_OK) rc = store_item_by_barcode(ctx, barcode, reply);
    if (rc == IBC_OK) ibc_set_etag_of(ctx, *reply, "version");
    return rc;
}

/* records.availability: per school, copies held and available now, and the
 * totals. ?school= narrows to one school. 404 for an unknown record, and for
 * a record blocked by the federal list unless the caller is of the
 * network's roles (as records.get). */
ibc_rc records_availability(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"id", "school", NULL};
    const char *id = NULL, *school = NULL;
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = ibc_req_uuid(ctx, req, "id", &id);
    if (rc == IBC_OK && !id) rc = ibc_fail(ctx, IBC_EINVAL, "the record id is required");
    if (rc == IBC_OK) rc = ibc_req_org(ctx, req, "school", &school);
    json_t *why = json_object(); /* the block's reason: records.get shows it */
    if (rc == IBC_OK) rc = extremist_record_visible(ctx, id, why);
    json_decref(why);
    if (rc == IBC_OK) rc = store_availability(ctx, id, school, reply);
    return rc;
}

/* Readers: students, teachers and staff of one school. Names and card
 * numbers are personal data: only the reader's own school and the admin see
 * them; other schools, the methodologists and the events see ids. */
#include "audit.h"
#include "circulation.h"
#include "classname.h"
#include "store.h"

#include <ibc/json.h>
#include <stdio.h>
#include <string.h>

static const char *const categories[] = {"student", "teacher", "staff", NULL};
static const char *const statuses[] = {"active", "blocked", "left", NULL};

static const ibc_field reader_fields[] = {
    {"card_barcode", IBC_F_STR, true, 1, 64, NULL, 0},
    {"name", IBC_F_STR, true, 1, 300, NULL, 0},
    {"category", IBC_F_ENUM, true, 0, 0, categories, 0},
    {"class", IBC_F_STR, false, 1, 2 * CLASS_NAME_MAX, NULL, 0},
    {"status", IBC_F_ENUM, false, 0, 0, statuses, 0},
    {"school", IBC_F_STR, false, 1, 64, NULL, 0},
    {"birth_date", IBC_F_DATE, false, 0, 0, NULL, 0},
};

/* Validates a reader body into *flat (new reference) with the class
 * normalised; rejects a card barcode with control characters. */
static ibc_rc reader_body(ibc_ctx *ctx, const json_t *req, json_t **flat)
{
    *flat = json_object();
    ibc_rc rc =
        ibc_validate(ctx, ibc_body(req), reader_fields, IBC_LEN(reader_fields), "", NULL, *flat);
    if (rc != IBC_OK) return rc;
    const char *cls = json_string_value(json_object_get(*flat, "class"));
    if (cls) {
        char norm[64];
        if ((rc = class_param(ctx, cls, "class", norm)) != IBC_OK) return rc;
        json_object_set_new(*flat, "class", json_string(norm));
    }
    const char *born = json_string_value(json_object_get(*flat, "birth_date"));
    if (born && (strcmp(born, "1900-01-01") < 0 || !date_not_future(born)))
        return ibc_fail(ctx, IBC_EINVAL, "'birth_date' %s is not a birth date (1900 to today)",
                        born);
    for (const char *p = json_string_value(json_object_get(*flat, "card_barcode")); *p; p++)
        if ((unsigned char)*p < 0x20)
            return ibc_fail(ctx, IBC_EINVAL, "'card_barcode' must not hold control characters");
    return IBC_OK;
}

/* The event data of a reader: ids and categories, never the name. */
static json_t *reader_event(const json_t *reader)
{
    static const char *const keys[] = {"id", "school", "category", "class", "status", NULL};
    return pick(reader, keys);
}

/* Logs a read or change of one reader, naming the personal fields of `r`. */
static ibc_rc audit_shown(ibc_ctx *ctx, const char *action, const json_t *r)
{
    json_t *fields = audit_fields_of(r);
    ibc_rc rc = audit_reader(ctx, action, json_string_value(json_object_get(r, "id")),
                             json_string_value(json_object_get(r, "school")), fields);
    json_decref(fields);
    return rc;
}

/* Logs a page of readers shown with their names. */
static ibc_rc audit_page(ibc_ctx *ctx, const json_t *page)
{
    json_t *named = audit_named(json_object_get(page, "readers"));
    json_t *fields = audit_fields_of_list(named);
    ibc_rc rc = audit_readers(ctx, "list", named, fields);
    json_decref(named);
    json_decref(fields);
    return rc;
}

/* readers.create: 201 with the reader; 409 when the card barcode is taken.
 * Emits circulation.reader.created. */
ibc_rc readers_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    json_t *flat = NULL;
    const char *school;
    ibc_rc rc = reader_body(ctx, req, &flat);
    if (rc == IBC_OK)
        rc = caller_school(ctx, json_string_value(json_object_get(flat, "school")), true, &school);
    if (rc == IBC_OK) rc = store_reader_insert(ctx, school, flat, reply);
    if (rc == IBC_OK) {
        const char *id = json_string_value(json_object_get(*reply, "id"));
        json_t *ev = reader_event(*reply);
        json_object_del(ev, "status");
        rc = ibc_emit(ctx, "reader", "created", id, ev);
        if (rc == IBC_OK) rc = audit_shown(ctx, "create", *reply);
        ibc_created(ctx, "/api/v1/circulation/readers/%s", id);
    }
    json_decref(flat);
    return rc;
}

/* readers.list: ?school= (network roles), class=, status=, category=,
 * card_barcode=, q= (part of the name; only where names are visible),
 * limit=, offset=. 200 with {readers, limit, offset}. Logs the readers
 * shown with names, one row per school. */
ibc_rc readers_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *school;
    char cls[64];
    ibc_page page;
    ibc_rc rc = caller_school(ctx, ibc_param(req, "school"), false, &school);
    if (rc == IBC_OK) rc = ibc_req_page(ctx, req, CIRC_PAGE_DEFAULT, CIRC_PAGE_MAX, &page);
    if (rc != IBC_OK) return rc;
    const char *c = ibc_param(req, "class");
    if (c && (rc = class_param(ctx, c, "class", cls)) != IBC_OK) return rc;
    const char *status = ibc_param(req, "status"), *category = ibc_param(req, "category");
    const char *card = ibc_param(req, "card_barcode"), *q = ibc_param(req, "q");
    bool found = !status;
    for (const char *const *s = statuses; !found && *s; s++)
        found = strcmp(*s, status) == 0;
    if (!found)
        return ibc_fail(ctx, IBC_EINVAL, "'status' must be active, blocked or left, not '%.20s'",
                        status);
    found = !category;
    for (const char *const *s = categories; !found && *s; s++)
        found = strcmp(*s, category) == 0;
    if (!found)
        return ibc_fail(ctx, IBC_EINVAL,
                        "'category' must be student, teacher or staff, not '%.20s'", category);
    if ((q || card) && !sees_names(ctx, school))
        return ibc_fail(ctx, IBC_EFORBIDDEN,
                        "searching by name or card barcode is open to the reader's own school "
                        "and the admin only");
    if (q && (ibc_utf8_length(q) < 2 || ibc_utf8_length(q) > 100))
        return ibc_fail(ctx, IBC_EINVAL, "'q' must be 2 to 100 characters");
    store_reader_filter f = {school, c ? cls : NULL,  status,          category, card,
                             q,      page.limit_text, page.offset_text};
    rc = store_readers_list(ctx, &f, reply);
    if (rc == IBC_OK) rc = audit_page(ctx, *reply);
    return rc;
}

/* readers.get: 200 with the reader; 404 when unknown or of another school
 * (for a librarian). Logs the read when the card shows the name. */
ibc_rc readers_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "reader", &id);
    if (rc == IBC_OK) rc = store_reader_get(ctx, id, reply);
    if (rc == IBC_OK && json_object_get(*reply, "name")) rc = audit_shown(ctx, "read", *reply);
    return rc;
}

/* Logs an update of a reader naming the fields that changed. */
static ibc_rc audit_changed(ibc_ctx *ctx, const json_t *old, const json_t *now)
{
    static const char *const unreported[] = {"version",    "updated_at", "created_at",
                                             "open_loans", "consents",   NULL};
    json_t *fields = ibc_json_changed(old, now, unreported);
    ibc_rc rc = audit_reader(ctx, "update", json_string_value(json_object_get(now, "id")),
                             json_string_value(json_object_get(now, "school")), fields);
    json_decref(fields);
    return rc;
}

/* readers.update: replaces card barcode, name, category, class (and status
 * when given). If-Match with the version is checked when sent (412 when
 * stale). Emits circulation.reader.updated. */
ibc_rc readers_update(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    json_t *flat = NULL;
    long version = -1;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "reader", &id);
    if (rc == IBC_OK) rc = ibc_if_match(ctx, false, &version);
    if (rc != IBC_OK) return rc;
    rc = reader_body(ctx, req, &flat);
    if (rc == IBC_OK && json_object_get(flat, "school"))
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "a reader cannot move to another school; 'school' cannot "
                      "be changed");
    json_t *old = NULL;
    if (rc == IBC_OK) rc = store_reader_get(ctx, id, &old);
    if (rc == IBC_OK) rc = store_reader_update(ctx, id, version, flat, reply);
    if (rc == IBC_OK) rc = ibc_emit(ctx, "reader", "updated", id, reader_event(*reply));
    if (rc == IBC_OK) rc = audit_changed(ctx, old, *reply);
    if (rc == IBC_OK) ibc_set_etag_of(ctx, *reply, "version");
    json_decref(old);
    json_decref(flat);
    return rc;
}

/* Logs the removal of a reader's personal data. */
static ibc_rc audit_deleted(ibc_ctx *ctx, const char *id, const char *school)
{
    json_t *fields =
        json_pack("[s, s, s, s, s]", "name", "card_barcode", "birth_date", "class", "consents");
    ibc_rc rc = audit_reader(ctx, "delete", id, school, fields);
    json_decref(fields);
    return rc;
}

/* readers.delete: 204; removes the reader's personal data, keeping its past
 * loans without it. 409 while the reader has items on loan. Cancels its
 * holds (their copies go to the next in line). Emits circulation.reader.deleted. */
ibc_rc readers_delete(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    char school[72];
    json_t *freed = NULL;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "reader", &id);
    if (rc == IBC_OK) rc = store_reader_delete(ctx, id, school, &freed);
    size_t i;
    json_t *h;
    json_array_foreach(freed, i, h)
    {
        if (rc != IBC_OK) break;
        const char *hid = json_string_value(json_object_get(h, "id"));
        rc = ibc_emit(ctx, "hold", "cancelled", hid, json_deep_copy(h));
        const char *item = json_string_value(json_object_get(h, "item_id"));
        json_t *next = NULL;
        if (rc == IBC_OK && item) rc = holds_offer(ctx, item, school, &next);
        json_decref(next);
    }
    json_decref(freed);
    if (rc == IBC_OK)
        rc = ibc_emit(ctx, "reader", "deleted", id,
                      json_pack("{s:s, s:s}", "id", id, "school", school));
    if (rc == IBC_OK) rc = audit_deleted(ctx, id, school);
    *reply = NULL;
    ibc_no_content(ctx);
    return rc;
}

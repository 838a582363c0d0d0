/* Staff actions: the library workers of each school, their training record,
 * and who is due for training. Validate, check the school, call the store,
 * emit, answer. Names are shown to the staff's own school, methodologists and
 * admins only; events carry ids and the school. */
#include "access.h"
#include "body.h"
#include <ibc/request.h>
#include "store.h"
#include "training.h"

#include <stdio.h>
#include <string.h>

static const char *str(const json_t *obj, const char *member)
{
    return json_string_value(json_object_get(obj, member));
}

/* Removes the name from a staff object the caller may not see it in. */
static void hide_name(const ibc_ctx *ctx, json_t *staff)
{
    if (!access_names(ctx, str(staff, "school"))) json_object_del(staff, "full_name");
}

static ibc_rc emit_staff(ibc_ctx *ctx, const char *verb, const json_t *staff, const char *previous)
{
    const char *id = str(staff, "id");
    json_t *data = json_pack("{s:s, s:s}", "id", id, "school", str(staff, "school"));
    if (previous && strcmp(previous, str(staff, "school")) != 0)
        json_object_set_new(data, "previous_school", json_string(previous));
    return ibc_emit(ctx, "staff", verb, id, data);
}

/* staff.create: body = {full_name, position?, school?, hired_on?, left_on?};
 * school defaults to the caller's organisation. 201 with the staff member;
 * 403 when a librarian names another school. Emits training.staff.created. */
ibc_rc staff_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    json_t *flat = NULL;
    ibc_rc rc = staff_normalize(ctx, ibc_body(req), ctx->org, &flat);
    if (rc == IBC_OK) rc = access_write(ctx, str(flat, "school"), "the staff member");
    if (rc == IBC_OK) rc = store_staff_insert(ctx, flat, reply);
    if (rc == IBC_OK) rc = emit_staff(ctx, "created", *reply, NULL);
    if (rc == IBC_OK) {
        ibc_created(ctx, "/api/v1/training/staff/%s", str(*reply, "id"));
        ibc_set_etag_of(ctx, *reply, "version");
    }
    json_decref(flat);
    return rc;
}

static const char *const only_id[] = {"id", NULL};

/* staff.get: 200 with the staff member and its ETag (no name for those who
 * may not see it); 404 when unknown or of another school (librarian). */
ibc_rc staff_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_only(ctx, req, only_id);
    if (rc == IBC_OK) rc = ibc_req_id(ctx, req, "id", "staff member", &id);
    if (rc == IBC_OK) rc = store_staff_get(ctx, id, false, reply);
    if (rc == IBC_OK) rc = access_object(ctx, str(*reply, "school"), false, "staff member", id, "");
    if (rc != IBC_OK) return rc;
    hide_name(ctx, *reply);
    ibc_set_etag_of(ctx, *reply, "version");
    return IBC_OK;
}

/* staff.update: replaces the staff member; If-Match with its version is
 * required (428 without, 412 when stale). A librarian changes their own
 * school's staff and cannot move them to another school (403). Emits
 * training.staff.updated {id, school, previous_school?}. */
ibc_rc staff_update(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    long version;
    json_t *cur = NULL, *flat = NULL;
    ibc_rc rc = ibc_req_only(ctx, req, only_id);
    if (rc == IBC_OK) rc = ibc_req_id(ctx, req, "id", "staff member", &id);
    if (rc == IBC_OK) rc = ibc_if_match(ctx, true, &version);
    if (rc == IBC_OK) rc = store_staff_get(ctx, id, true, &cur);
    if (rc == IBC_OK) rc = access_object(ctx, str(cur, "school"), true, "staff member", id, "");
    if (rc == IBC_OK) rc = staff_normalize(ctx, ibc_body(req), str(cur, "school"), &flat);
    if (rc == IBC_OK) rc = access_write(ctx, str(flat, "school"), "the new school");
    if (rc == IBC_OK && json_integer_value(json_object_get(cur, "version")) != version)
        rc = ibc_fail(ctx, IBC_EPRECOND,
                      "the staff member changed: their version is %lld, If-Match named %ld; read "
                      "them again",
                      (long long)json_integer_value(json_object_get(cur, "version")), version);
    if (rc == IBC_OK) rc = store_staff_update(ctx, id, flat, reply);
    if (rc == IBC_OK) rc = emit_staff(ctx, "updated", *reply, str(cur, "school"));
    if (rc == IBC_OK) ibc_set_etag_of(ctx, *reply, "version");
    json_decref(cur);
    json_decref(flat);
    return rc;
}

/* staff.delete: 204; 409 when the staff member has a training history (set
 * left_on instead); 404 when unknown. Emits training.staff.deleted. */
ibc_rc staff_delete(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    json_t *cur = NULL;
    *reply = NULL;
    ibc_rc rc = ibc_req_only(ctx, req, only_id);
    if (rc == IBC_OK) rc = ibc_req_id(ctx, req, "id", "staff member", &id);
    if (rc == IBC_OK) rc = store_staff_get(ctx, id, true, &cur);
    if (rc == IBC_OK) rc = access_object(ctx, str(cur, "school"), true, "staff member", id, "");
    if (rc == IBC_OK) rc = store_staff_delete(ctx, id);
    if (rc == IBC_OK) rc = emit_staff(ctx, "deleted", cur, NULL);
    if (rc == IBC_OK) ibc_no_content(ctx);
    json_decref(cur);
    return rc;
}

static const char *const staff_statuses[] = {"active", "left", NULL};

/* staff.list: ?school, status=active|left, from, to (hired_on), q (name or
 * position), limit, offset. 200 with {items, total, limit, offset}. A
 * librarian sees their own school only. */
ibc_rc staff_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"school", "status", "from",   "to",
                                          "q",      "limit",  "offset", NULL};
    store_filter f = {0};
    const char *school;
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = ibc_req_org(ctx, req, "school", &school);
    if (rc == IBC_OK) rc = ibc_req_enum(ctx, req, "status", staff_statuses, &f.status);
    if (rc == IBC_OK) rc = ibc_req_date(ctx, req, "from", &f.from);
    if (rc == IBC_OK) rc = ibc_req_date(ctx, req, "to", &f.to);
    if (rc == IBC_OK) rc = ibc_req_range(ctx, f.from, f.to);
    if (rc == IBC_OK) rc = ibc_req_text(ctx, req, "q", 200, &f.q);
    if (rc == IBC_OK) rc = ibc_req_page(ctx, req, 50, 200, &f.page);
    if (rc == IBC_OK) rc = access_list_school(ctx, school, &f.school);
    if (rc != IBC_OK) return rc;
    access_names_params(ctx, &f.names_all, &f.names_own);
    if (f.q && strcmp(f.names_all, "t") != 0 && !f.names_own)
        return ibc_fail(ctx, IBC_EFORBIDDEN,
                        "the role '%s' does not see staff names and may not search by them",
                        ctx->role);
    return store_staff_list(ctx, &f, reply);
}

/* staff.record: 200 with the staff member's training history: every
 * enrolment with its course, total hours, last qualifying completion and the
 * date the next is due. 404 when unknown or of another school (librarian). */
ibc_rc staff_record(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_only(ctx, req, only_id);
    if (rc == IBC_OK) rc = ibc_req_id(ctx, req, "id", "staff member", &id);
    if (rc == IBC_OK) rc = store_staff_record(ctx, id, reply);
    json_t *staff = rc == IBC_OK ? json_object_get(*reply, "staff") : NULL;
    if (rc == IBC_OK) rc = access_object(ctx, str(staff, "school"), false, "staff member", id, "");
    if (rc == IBC_OK) hide_name(ctx, staff);
    return rc;
}

/* due: ?within_days (0..3650, default 90), school, limit, offset. 200 with
 * the working staff who are overdue (last qualifying course completed over
 * three years ago, or never) or due within within_days, per school, one page
 * of them. A librarian sees their own school only. */
ibc_rc due_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"within_days", "school", "limit", "offset", NULL};
    store_filter f = {0};
    const char *school;
    long days;
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = ibc_req_int(ctx, req, "within_days", 0, 3650, 90, &days);
    if (rc == IBC_OK) rc = ibc_req_page(ctx, req, 50, 200, &f.page);
    if (rc == IBC_OK) rc = ibc_req_org(ctx, req, "school", &school);
    if (rc == IBC_OK) rc = access_list_school(ctx, school, &f.school);
    if (rc != IBC_OK) return rc;
    access_names_params(ctx, &f.names_all, &f.names_own);
    return store_due(ctx, &f, days, reply);
}

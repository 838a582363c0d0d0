/* Course actions: courses, seminars, webinars and consultations of
 * professional development. Methodologists and admins run them; every reader
 * but a portal sees them. */
#include "access.h"
#include "body.h"
#include <ibc/request.h>
#include "store.h"
#include "training.h"

#include <stdio.h>

static const char *const only_id[] = {"id", NULL};

/* courses.create: body = course. 201 with the course; 403 unless a
 * methodologist or admin. Emits training.course.created. */
ibc_rc courses_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    json_t *flat = NULL;
    ibc_rc rc = access_network(ctx, "create courses");
    if (rc == IBC_OK) rc = course_normalize(ctx, ibc_body(req), &flat);
    if (rc == IBC_OK) rc = store_course_insert(ctx, flat, reply);
    if (rc == IBC_OK) {
        const char *id = json_string_value(json_object_get(*reply, "id"));
        rc = ibc_emit(ctx, "course", "created", id, json_deep_copy(*reply));
        ibc_created(ctx, "/api/v1/training/courses/%s", id);
        ibc_set_etag_of(ctx, *reply, "version");
    }
    json_decref(flat);
    return rc;
}

/* courses.get: 200 with the course (seats taken and left) and its ETag; 404. */
ibc_rc courses_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id, *any;
    ibc_rc rc = access_list_school(ctx, NULL, &any);
    if (rc == IBC_OK) rc = ibc_req_only(ctx, req, only_id);
    if (rc == IBC_OK) rc = ibc_req_id(ctx, req, "id", "course", &id);
    if (rc == IBC_OK) rc = store_course_get(ctx, id, reply);
    if (rc == IBC_OK) ibc_set_etag_of(ctx, *reply, "version");
    return rc;
}

/* courses.update: replaces the course; If-Match required (428, 412); 409 when
 * the new capacity is below the seats taken. Emits training.course.updated. */
ibc_rc courses_update(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    long version;
    json_t *flat = NULL;
    ibc_rc rc = access_network(ctx, "change courses");
    if (rc == IBC_OK) rc = ibc_req_only(ctx, req, only_id);
    if (rc == IBC_OK) rc = ibc_req_id(ctx, req, "id", "course", &id);
    if (rc == IBC_OK) rc = ibc_if_match(ctx, true, &version);
    if (rc == IBC_OK) rc = course_normalize(ctx, ibc_body(req), &flat);
    if (rc == IBC_OK) rc = store_course_update(ctx, id, version, flat, reply);
    if (rc == IBC_OK) rc = ibc_emit(ctx, "course", "updated", id, json_deep_copy(*reply));
    if (rc == IBC_OK) ibc_set_etag_of(ctx, *reply, "version");
    json_decref(flat);
    return rc;
}

/* courses.list: ?kind, format, status=upcoming|running|finished, from, to
 * (courses whose dates overlap), q (title or provider), limit, offset. 200
 * with {items, total, limit, offset}, by start date. */
ibc_rc courses_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"kind", "format", "status", "from", "to",
                                          "q",    "limit",  "offset", NULL};
    static const char *const kinds[] = {"course", "seminar", "webinar", "consultation", NULL};
    static const char *const formats[] = {"in_person", "distance", "blended", NULL};
    static const char *const statuses[] = {"upcoming", "running", "finished", NULL};
    store_filter f = {0};
    const char *any;
    ibc_rc rc = access_list_school(ctx, NULL, &any);
    if (rc == IBC_OK) rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = ibc_req_enum(ctx, req, "kind", kinds, &f.kind);
    if (rc == IBC_OK) rc = ibc_req_enum(ctx, req, "format", formats, &f.format);
    if (rc == IBC_OK) rc = ibc_req_enum(ctx, req, "status", statuses, &f.status);
    if (rc == IBC_OK) rc = ibc_req_date(ctx, req, "from", &f.from);
    if (rc == IBC_OK) rc = ibc_req_date(ctx, req, "to", &f.to);
    if (rc == IBC_OK) rc = ibc_req_range(ctx, f.from, f.to);
    if (rc == IBC_OK) rc = ibc_req_text(ctx, req, "q", 200, &f.q);
    if (rc == IBC_OK) rc = ibc_req_page(ctx, req, 50, 200, &f.page);
    if (rc == IBC_OK) rc = store_course_list(ctx, &f, reply);
    return rc;
}

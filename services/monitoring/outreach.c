/* Reading-promotion events held by a school (campaign such as «Я читаю»,
 * date, participants) and partnership agreements with municipal libraries
 * (partner, date, term). A librarian records their own school's; the
 * network records any school's. */
#include "monitoring.h"
#include "store.h"

#include <ibc/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void today(char out[16])
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

/* The body's school (a librarian's own when absent), checked to be editable
 * by the caller and in the directory. */
static ibc_rc body_school(ibc_ctx *ctx, json_t *body)
{
    const char *school = json_string_value(json_object_get(body, "school"));
    if (!school && ibc_role_is(ctx, "librarian")) {
        json_object_set_new(body, "school", json_string(ctx->org));
        school = ctx->org;
    }
    if (!school) return ibc_fail(ctx, IBC_EINVAL, "'school' is required");
    if (!ibc_org_valid(school))
        return ibc_fail(ctx, IBC_EINVAL,
                        "'school' must be an organisation id (1 to 64 of A-Z a-z 0-9 . _ -)");
    ibc_rc rc = mon_may_edit(ctx, school);
    json_t *s = NULL;
    if (rc == IBC_OK) rc = store_school_get(ctx, school, &s);
    json_decref(s);
    return rc;
}

/* What the events say: ids, dates and counts; not the description, the
 * partner's name or the subject of an agreement. */
static const char *const promotion_event[] = {"id",      "school",       "campaign",
                                              "held_on", "participants", NULL};
static const char *const partnership_event[] = {"id", "school", "signed_on", "valid_until", NULL};

/* Emits monitoring.<entity>.<verb> with `names` of obj. */
static ibc_rc emit_of(ibc_ctx *ctx, const char *entity, const char *verb, const json_t *obj,
                      const char *const *names)
{
    return ibc_emit(ctx, entity, verb, json_string_value(json_object_get(obj, "id")),
                    ibc_json_pick(obj, names));
}

static void created_at(ibc_ctx *ctx, const char *what, const json_t *obj)
{
    ibc_created(ctx, "/api/v1/monitoring/%s/%s", what,
                json_string_value(json_object_get(obj, "id")));
}

/* promotions.create: body {school?, campaign, held_on, participants,
 * description?}. 201 with the event; 400 for a date still to come. Emits
 * monitoring.promotion.created. */
ibc_rc promotions_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const ibc_field fields[] = {
        {"school", IBC_F_STR, false, 1, 64},
        {"campaign", IBC_F_STR, true, 1, 300},
        {"held_on", IBC_F_DATE, true},
        {"participants", IBC_F_INT, true, 0, 100000},
        {"description", IBC_F_STR, false, 1, 2000},
    };
    json_t *body = json_object();
    char now[16];
    today(now);
    ibc_rc rc = ibc_validate(ctx, ibc_body(req), fields, IBC_LEN(fields), "", NULL, body);
    if (rc == IBC_OK && strcmp(json_string_value(json_object_get(body, "held_on")), now) > 0)
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "'held_on' %s is in the future; record an event once it was held",
                      json_string_value(json_object_get(body, "held_on")));
    if (rc == IBC_OK) rc = body_school(ctx, body);
    if (rc == IBC_OK) rc = store_promotion_insert(ctx, body, reply);
    if (rc == IBC_OK) rc = emit_of(ctx, "promotion", "created", *reply, promotion_event);
    if (rc == IBC_OK) created_at(ctx, "promotions", *reply);
    json_decref(body);
    return rc;
}

/* promotions.list: ?school=&from=&to=&limit=&offset=. 200 {"items", "total",
 * "participants", "limit", "offset"}. */
ibc_rc promotions_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *school, *from, *to;
    ibc_page page;
    ibc_rc rc = mon_school_scope(ctx, req, &school);
    if (rc == IBC_OK) rc = ibc_req_date(ctx, req, "from", &from);
    if (rc == IBC_OK) rc = ibc_req_date(ctx, req, "to", &to);
    if (rc == IBC_OK) rc = ibc_req_page(ctx, req, MON_PAGE_DEFAULT, MON_PAGE_MAX, &page);
    if (rc == IBC_OK) rc = store_promotion_list(ctx, school, from, to, &page, reply);
    return rc;
}

/* promotions.delete: 204; 404 unknown or of another school (librarian).
 * Emits monitoring.promotion.deleted. */
ibc_rc promotions_delete(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    char school[65];
    json_t *old = NULL;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "reading-promotion event", &id);
    if (rc == IBC_OK) rc = store_promotion_school(ctx, id, school);
    if (rc == IBC_OK) rc = mon_may_object(ctx, school, "reading-promotion event", id);
    if (rc == IBC_OK) rc = store_promotion_delete(ctx, id, &old);
    if (rc == IBC_OK) rc = emit_of(ctx, "promotion", "deleted", old, promotion_event);
    json_decref(old);
    *reply = NULL;
    ibc_no_content(ctx);
    return rc;
}

/* partnerships.create: body {school?, partner, signed_on, valid_until?,
 * subject?}. 201 with the agreement ("active" computed from the dates).
 * Emits monitoring.partnership.created. */
ibc_rc partnerships_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const ibc_field fields[] = {
        {"school", IBC_F_STR, false, 1, 64},    {"partner", IBC_F_STR, true, 1, 500},
        {"signed_on", IBC_F_DATE, true},        {"valid_until", IBC_F_DATE, false},
        {"subject", IBC_F_STR, false, 1, 1000},
    };
    json_t *body = json_object();
    ibc_rc rc = ibc_validate(ctx, ibc_body(req), fields, IBC_LEN(fields), "", NULL, body);
    const char *from = json_string_value(json_object_get(body, "signed_on"));
    const char *until = json_string_value(json_object_get(body, "valid_until"));
    if (rc == IBC_OK && until && strcmp(until, from) < 0)
        rc = ibc_fail(ctx, IBC_EINVAL, "'valid_until' %s is before 'signed_on' %s", until, from);
    if (rc == IBC_OK) rc = body_school(ctx, body);
    if (rc == IBC_OK) rc = store_partnership_insert(ctx, body, reply);
    if (rc == IBC_OK) rc = emit_of(ctx, "partnership", "created", *reply, partnership_event);
    if (rc == IBC_OK) created_at(ctx, "partnerships", *reply);
    json_decref(body);
    return rc;
}

/* partnerships.list: ?school=&active=true&limit=&offset=. 200 {"items",
 * "total", "limit", "offset"}. */
ibc_rc partnerships_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const bools[] = {"true", "false", NULL};
    const char *school, *active;
    ibc_page page;
    ibc_rc rc = mon_school_scope(ctx, req, &school);
    if (rc == IBC_OK) rc = ibc_req_enum(ctx, req, "active", bools, &active);
    if (rc == IBC_OK) rc = ibc_req_page(ctx, req, MON_PAGE_DEFAULT, MON_PAGE_MAX, &page);
    if (rc == IBC_OK)
        rc = store_partnership_list(ctx, school, active && strcmp(active, "true") == 0, &page,
                                    reply);
    return rc;
}

/* partnerships.delete: 204; 404 unknown or of another school (librarian).
 * Emits monitoring.partnership.deleted. */
ibc_rc partnerships_delete(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    char school[65];
    json_t *old = NULL;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "partnership agreement", &id);
    if (rc == IBC_OK) rc = store_partnership_school(ctx, id, school);
    if (rc == IBC_OK) rc = mon_may_object(ctx, school, "partnership agreement", id);
    if (rc == IBC_OK) rc = store_partnership_delete(ctx, id, &old);
    if (rc == IBC_OK) rc = emit_of(ctx, "partnership", "deleted", old, partnership_event);
    json_decref(old);
    *reply = NULL;
    ibc_no_content(ctx);
    return rc;
}

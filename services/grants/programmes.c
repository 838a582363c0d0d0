/* Grant programmes of funders (federal, regional, municipal, commercial,
 * charitable): run by methodologists, read by every staff role. */
#include "grants.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

static const char *const levels[] = {"federal",    "regional",   "municipal",
                                     "commercial", "charitable", NULL};
/* members of a GET reply that a client may send back unchanged */
static const char *const readonly[] = {"id", "version", "created_at", "updated_at", NULL};
/* members an event does not list as changed: they change with every write */
static const char *const unreported[] = {"id", "version", "created_at", "updated_at", NULL};

/* Validates a programme body into *flat (new object). 400 naming the field. */
static ibc_rc programme_normalize(ibc_ctx *ctx, const json_t *body, json_t **flat)
{
    const ibc_field fields[] = {
        {"funder", IBC_F_STR, true, 1, 500},
        {"level", IBC_F_ENUM, true, 0, 0, levels},
        {"title", IBC_F_STR, true, 1, 1000},
        {"description", IBC_F_STR, false, 1, 20000},
        {"deadline", IBC_F_DATE, true},
        {"amount_min", IBC_F_NUM, true, 0, 999999999999L},
        {"amount_max", IBC_F_NUM, true, 0, 999999999999L},
        {"url", IBC_F_STR, false, 1, 2000},
    };
    *flat = json_object();
    ibc_rc rc = ibc_validate(ctx, body, fields, IBC_LEN(fields), "", readonly, *flat);
    if (rc != IBC_OK) return rc;
    double min = json_number_value(json_object_get(*flat, "amount_min"));
    double max = json_number_value(json_object_get(*flat, "amount_max"));
    if (!grants_amount_valid(min))
        return ibc_fail(ctx, IBC_EINVAL, "'amount_min' has more than two decimals (kopecks)");
    if (!grants_amount_valid(max))
        return ibc_fail(ctx, IBC_EINVAL, "'amount_max' has more than two decimals (kopecks)");
    if (min > max)
        return ibc_fail(ctx, IBC_EINVAL,
                        "'amount_min' (%.2f) is more than 'amount_max' (%.2f); "
                        "the amount range is reversed",
                        min, max);
    const char *url = json_string_value(json_object_get(*flat, "url"));
    if (url && !grants_url_valid(url))
        return ibc_fail(ctx, IBC_EINVAL, "'url' must start with http:// or https://");
    return IBC_OK;
}

/* The event of a programme's change: its ids, level, deadline and version,
 * and which fields changed (names only). Returns a new reference. */
static json_t *programme_event(const json_t *p, json_t *changed)
{
    return json_pack("{s:O, s:O, s:O, s:O, s:o}", "id", json_object_get(p, "id"), "level",
                     json_object_get(p, "level"), "deadline", json_object_get(p, "deadline"),
                     "version", json_object_get(p, "version"), "changed", changed);
}

/* programmes.create: body = programme. 201 with it. Methodologist or admin.
 * Emits grants.programme.created. */
ibc_rc programmes_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    if (!ibc_role_network_wide(ctx))
        return ibc_fail(ctx, IBC_EFORBIDDEN, "a methodologist or an admin runs grant programmes");
    json_t *flat = NULL;
    ibc_rc rc = programme_normalize(ctx, ibc_body(req), &flat);
    if (rc == IBC_OK) rc = store_programme_insert(ctx, flat, reply);
    if (rc == IBC_OK)
        rc = ibc_emit(ctx, "programme", "created", json_string_value(json_object_get(*reply, "id")),
                      programme_event(*reply, ibc_json_changed(NULL, *reply, unreported)));
    if (rc == IBC_OK) {
        ibc_created(ctx, "/api/v1/grants/programmes/%s",
                    json_string_value(json_object_get(*reply, "id")));
        ibc_set_etag_of(ctx, *reply, "version");
    }
    json_decref(flat);
    return rc;
}

/* programmes.get: 200 with the programme and its ETag, 404. */
ibc_rc programmes_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "programme", &id);
    if (rc == IBC_OK && !grants_reads_all(ctx) && !ibc_role_is(ctx, "librarian"))
        rc = ibc_fail(ctx, IBC_EFORBIDDEN, "the %s role may not read grants data", ctx->role);
    if (rc == IBC_OK) rc = store_programme_get(ctx, id, reply);
    if (rc == IBC_OK) ibc_set_etag_of(ctx, *reply, "version");
    return rc;
}

/* programmes.list: ?level, from/to (deadline), open=true|false, limit,
 * offset. 200 with {items, total, limit, offset}, soonest deadline first. */
ibc_rc programmes_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"level", "from", "to", "open", NULL};
    grants_query q;
    ibc_rc rc = grants_query_parse(ctx, req, allowed, &q);
    if (rc == IBC_OK) rc = store_programme_list(ctx, &q, reply);
    return rc;
}

/* programmes.update: replaces the programme; If-Match with its version is
 * required (428 without, 412 when stale). Methodologist or admin. Emits
 * grants.programme.updated naming the changed fields (none for a write that
 * changed nothing but the version). */
ibc_rc programmes_update(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    long version = 0;
    json_t *flat = NULL, *old = NULL;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "programme", &id);
    if (rc == IBC_OK && !ibc_role_network_wide(ctx))
        rc = ibc_fail(ctx, IBC_EFORBIDDEN, "a methodologist or an admin runs grant programmes");
    if (rc == IBC_OK) rc = ibc_if_match(ctx, true, &version);
    if (rc == IBC_OK) rc = programme_normalize(ctx, ibc_body(req), &flat);
    if (rc == IBC_OK) rc = store_programme_get(ctx, id, &old);
    if (rc == IBC_OK) rc = store_programme_update(ctx, id, version, flat, reply);
    if (rc == IBC_OK)
        rc = ibc_emit(ctx, "programme", "updated", id,
                      programme_event(*reply, ibc_json_changed(old, *reply, unreported)));
    if (rc == IBC_OK) ibc_set_etag_of(ctx, *reply, "version");
    json_decref(flat);
    json_decref(old);
    return rc;
}

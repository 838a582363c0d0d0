/* Schools' transformation projects: the application (title, direction,
 * summary, programme, amounts, dates) with its team, milestones and
 * documents; the list and the network's summary. Status changes go through
 * transitions.c only. */
#include "grants.h"
#include "store.h"
#include "workflow.h"

#include <stdio.h>
#include <string.h>

static const char *const milestone_statuses[] = {"planned", "in_progress", "done", "cancelled",
                                                 NULL};

/* Checks the members of the team, milestones and documents arrays. */
static ibc_rc children_normalize(ibc_ctx *ctx, json_t *flat)
{
    static const ibc_field member[] = {
        {"staff_id", IBC_F_UUID, false},
        {"name", IBC_F_STR, true, 1, 300},
        {"school", IBC_F_STR, true, 1, 64},
        {"role", IBC_F_STR, true, 1, 200},
    };
    static const ibc_field milestone[] = {
        {"title", IBC_F_STR, true, 1, 500},
        {"due_date", IBC_F_DATE, true},
        {"status", IBC_F_ENUM, false, 0, 0, milestone_statuses},
        {"done_on", IBC_F_DATE, false},
    };
    static const ibc_field document[] = {
        {"title", IBC_F_STR, true, 1, 500},
        {"url", IBC_F_STR, true, 1, 2000},
        {"kind", IBC_F_STR, false, 1, 100},
    };
    ibc_rc rc = grants_validate_array(ctx, flat, "team", 100, member, IBC_LEN(member));
    if (rc == IBC_OK)
        rc = grants_validate_array(ctx, flat, "milestones", 200, milestone, IBC_LEN(milestone));
    if (rc == IBC_OK)
        rc = grants_validate_array(ctx, flat, "documents", 100, document, IBC_LEN(document));
    if (rc != IBC_OK) return rc;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(flat, "team"), i, m)
    {
        if (!ibc_org_valid(json_string_value(json_object_get(m, "school"))))
            return ibc_fail(ctx, IBC_EINVAL,
                            "'team[%zu].school' must be an organisation id (1 to "
                            "64 letters, digits, '.', '_' or '-')",
                            i);
    }
    json_array_foreach(json_object_get(flat, "milestones"), i, m)
    {
        const char *st = json_string_value(json_object_get(m, "status"));
        if (json_object_get(m, "done_on") && (!st || strcmp(st, "done") != 0))
            return ibc_fail(ctx, IBC_EINVAL,
                            "'milestones[%zu].done_on' is given but the "
                            "milestone's status is %s, not done",
                            i, st ? st : "planned");
    }
    json_array_foreach(json_object_get(flat, "documents"), i, m)
    {
        if (!grants_url_valid(json_string_value(json_object_get(m, "url"))))
            return ibc_fail(ctx, IBC_EINVAL,
                            "'documents[%zu].url' must start with http:// or "
                            "https://",
                            i);
    }
    return IBC_OK;
}

/* Validates a project body into *flat (new object); `ignore` lists members
 * skipped silently. 400 naming the field. */
static ibc_rc project_normalize(ibc_ctx *ctx, const json_t *body, const char *const *ignore,
                                json_t **flat)
{
    static const ibc_field fields[] = {
        {"school", IBC_F_STR, false, 1, 64},
        {"title", IBC_F_STR, true, 1, 500},
        {"direction", IBC_F_STR, false, 1, 500},
        {"summary", IBC_F_STR, false, 1, 20000},
        {"programme_id", IBC_F_UUID, false},
        {"requested_amount", IBC_F_NUM, true, 0, 999999999999L},
        {"awarded_amount", IBC_F_NUM, false, 0, 999999999999L},
        {"start_date", IBC_F_DATE, false},
        {"end_date", IBC_F_DATE, false},
        {"team", IBC_F_ANY, false},
        {"milestones", IBC_F_ANY, false},
        {"documents", IBC_F_ANY, false},
    };
    *flat = json_object();
    ibc_rc rc = ibc_validate(ctx, body, fields, IBC_LEN(fields), "", ignore, *flat);
    if (rc != IBC_OK) return rc;
    const char *school = json_string_value(json_object_get(*flat, "school"));
    if (school && !ibc_org_valid(school))
        return ibc_fail(ctx, IBC_EINVAL,
                        "'school' must be an organisation id (1 to 64 letters, "
                        "digits, '.', '_' or '-'), not '%.64s'",
                        school);
    static const char *const amounts[] = {"requested_amount", "awarded_amount"};
    for (size_t i = 0; i < IBC_LEN(amounts); i++) {
        json_t *a = json_object_get(*flat, amounts[i]);
        if (a && !grants_amount_valid(json_number_value(a)))
            return ibc_fail(ctx, IBC_EINVAL, "'%s' has more than two decimals (kopecks)",
                            amounts[i]);
    }
    rc = grants_dates_ordered(ctx, "start_date",
                              json_string_value(json_object_get(*flat, "start_date")), "end_date",
                              json_string_value(json_object_get(*flat, "end_date")));
    if (rc == IBC_OK) rc = children_normalize(ctx, *flat);
    return rc;
}

/* A named programme exists and the requested amount is in its range. */
static ibc_rc check_programme(ibc_ctx *ctx, const json_t *flat)
{
    const char *pid = json_string_value(json_object_get(flat, "programme_id"));
    if (!pid) return IBC_OK;
    json_t *g = NULL;
    ibc_rc rc = store_programme_get(ctx, pid, &g);
    if (rc == IBC_ENOTFOUND)
        return ibc_fail(ctx, IBC_EINVAL, "'programme_id' names no programme (%s)", pid);
    if (rc != IBC_OK) return rc;
    double req = json_number_value(json_object_get(flat, "requested_amount"));
    double min = json_number_value(json_object_get(g, "amount_min"));
    double max = json_number_value(json_object_get(g, "amount_max"));
    if (grants_kopecks(req) < grants_kopecks(min) || grants_kopecks(req) > grants_kopecks(max))
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "'requested_amount' (%.2f) is outside the programme's "
                      "range %.2f to %.2f",
                      req, min, max);
    json_decref(g);
    return rc;
}

/* Returns a new object: the event data of project p (see grants.h). */
json_t *grants_project_event(const json_t *p, const char *from)
{
    json_t *d = json_pack(
        "{s:O, s:O, s:O?, s:O, s:O, s:O?}", "id", json_object_get(p, "id"), "school",
        json_object_get(p, "school"), "programme_id", json_object_get(p, "programme_id"), "status",
        json_object_get(p, "status"), "requested_amount", json_object_get(p, "requested_amount"),
        "awarded_amount", json_object_get(p, "awarded_amount"));
    if (from) json_object_set_new(d, "from", json_string(from));
    return d;
}

/* projects.create: body = project. 201 with the draft project; its creation
 * is the first transition. A librarian creates for their own school (the
 * default school), a methodologist or an admin for any. Emits
 * grants.project.created. */
ibc_rc projects_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    json_t *flat = NULL, *t = NULL;
    ibc_rc rc = project_normalize(ctx, ibc_body(req), NULL, &flat);
    if (rc != IBC_OK) goto done;
    if (!json_object_get(flat, "school")) {
        if (!ibc_role_is(ctx, "librarian")) {
            rc = ibc_fail(ctx, IBC_EINVAL,
                          "'school' is required: name the school whose project "
                          "this is");
            goto done;
        }
        json_object_set_new(flat, "school", json_string(ctx->org));
    }
    rc = grants_may_write(ctx, json_string_value(json_object_get(flat, "school")), "project", NULL);
    if (rc == IBC_OK && json_object_get(flat, "awarded_amount"))
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "'awarded_amount' is set when the project is approved, "
                      "not when it is created");
    if (rc == IBC_OK) rc = check_programme(ctx, flat);
    if (rc == IBC_OK) rc = store_project_insert(ctx, flat, reply);
    if (rc != IBC_OK) goto done;
    const char *id = json_string_value(json_object_get(*reply, "id"));
    rc = store_transition_insert(ctx, id, NULL, "draft", NULL, &t);
    if (rc == IBC_OK)
        rc = ibc_emit(ctx, "project", "created", id, grants_project_event(*reply, NULL));
    if (rc == IBC_OK) {
        ibc_created(ctx, "/api/v1/grants/projects/%s", id);
        ibc_set_etag_of(ctx, *reply, "version");
    }
done:
    json_decref(t);
    json_decref(flat);
    return rc;
}

/* projects.get: 200 with the project, the transitions the caller may make
 * from its status (`actions`) and its ETag; 404 when unknown or of another
 * school (librarian). */
ibc_rc projects_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "project", &id);
    if (rc == IBC_OK) rc = store_project_get(ctx, id, false, reply);
    if (rc == IBC_OK)
        rc = grants_may_read(ctx, json_string_value(json_object_get(*reply, "school")), "project",
                             id);
    if (rc == IBC_OK) {
        int st = grant_status_parse(json_string_value(json_object_get(*reply, "status")));
        json_object_set_new(*reply, "actions", grant_actions_json(st, ctx->role));
        ibc_set_etag_of(ctx, *reply, "version");
    }
    return rc;
}

/* projects.list: ?school, status, programme_id, from/to (created), limit,
 * offset. 200 with {items, total, limit, offset}, newest first. */
ibc_rc projects_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"school", "status", "programme_id", "from", "to", NULL};
    grants_query q;
    ibc_rc rc = grants_query_parse(ctx, req, allowed, &q);
    if (rc == IBC_OK) rc = store_project_list(ctx, &q, reply);
    return rc;
}

static bool same_string(const json_t *a, const json_t *b)
{
    const char *x = json_string_value(a), *y = json_string_value(b);
    return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

static bool same_amount(const json_t *a, const json_t *b)
{
    if (!json_is_number(a) || !json_is_number(b)) return !json_is_number(a) && !json_is_number(b);
    return grants_kopecks(json_number_value(a)) == grants_kopecks(json_number_value(b));
}

/* The rules of changing a project `cur` into `flat` (which gets the kept
 * school and awarded amount). 409, 403 or 400 with a sentence. */
static ibc_rc check_change(ibc_ctx *ctx, const json_t *req, const json_t *cur, json_t *flat)
{
    const char *status = json_string_value(json_object_get(cur, "status"));
    int st = grant_status_parse(status);
    if (grant_status_final(st))
        return ibc_fail(ctx, IBC_ECONFLICT,
                        "the project is %s; a %s project can no longer be "
                        "changed",
                        status, status);
    json_t *want = json_object_get(ibc_body(req), "status");
    if (want && !json_is_null(want) && !same_string(want, json_object_get(cur, "status")))
        return ibc_fail(ctx, IBC_ECONFLICT,
                        "the status changes only through POST "
                        "/api/v1/grants/projects/{id}/transitions");
    json_t *school = json_object_get(flat, "school");
    if (!school)
        json_object_set(flat, "school", json_object_get(cur, "school"));
    else if (!same_string(school, json_object_get(cur, "school")))
        return ibc_fail(ctx, IBC_ECONFLICT,
                        "a project stays with its school (%s); 'school' "
                        "cannot change",
                        json_string_value(json_object_get(cur, "school")));
    if (st != GS_DRAFT && (!same_string(json_object_get(flat, "programme_id"),
                                        json_object_get(cur, "programme_id")) ||
                           !same_amount(json_object_get(flat, "requested_amount"),
                                        json_object_get(cur, "requested_amount"))))
        return ibc_fail(ctx, IBC_ECONFLICT,
                        "the application was submitted (the project is %s): "
                        "'programme_id' and 'requested_amount' can no longer change",
                        status);
    json_t *awarded = json_object_get(flat, "awarded_amount");
    json_t *had = json_object_get(cur, "awarded_amount");
    if (!awarded) {
        if (had) json_object_set(flat, "awarded_amount", had);
    } else if (!same_amount(awarded, had)) {
        if (!ibc_role_network_wide(ctx))
            return ibc_fail(ctx, IBC_EFORBIDDEN,
                            "only a methodologist or an admin sets the "
                            "awarded amount");
        if (st != GS_APPROVED && st != GS_IN_PROGRESS && st != GS_COMPLETED)
            return ibc_fail(ctx, IBC_ECONFLICT,
                            "the project is %s; an amount is awarded to an "
                            "approved project",
                            status);
    }
    return st == GS_DRAFT ? check_programme(ctx, flat) : IBC_OK;
}

/* projects.update: replaces the project's fields, team, milestones and
 * documents; If-Match with its version is required (428, 412). A final
 * project cannot change; after submission the programme and the requested
 * amount are fixed. Emits grants.project.updated. */
ibc_rc projects_update(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const readonly[] = {"id",         "status",     "version",
                                           "created_at", "updated_at", "created_by",
                                           "programme",  "actions",    NULL};
    const char *id;
    long version = 0;
    json_t *flat = NULL, *cur = NULL;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "project", &id);
    if (rc == IBC_OK) rc = ibc_if_match(ctx, true, &version);
    if (rc == IBC_OK) rc = project_normalize(ctx, ibc_body(req), readonly, &flat);
    if (rc == IBC_OK) rc = store_project_get(ctx, id, true, &cur);
    if (rc == IBC_OK)
        rc =
            grants_may_write(ctx, json_string_value(json_object_get(cur, "school")), "project", id);
    if (rc == IBC_OK && json_integer_value(json_object_get(cur, "version")) != version)
        rc = ibc_fail(ctx, IBC_EPRECOND,
                      "the project changed: its version is %lld, If-Match "
                      "named %ld; read it again",
                      (long long)json_integer_value(json_object_get(cur, "version")), version);
    if (rc == IBC_OK) rc = check_change(ctx, req, cur, flat);
    if (rc == IBC_OK) rc = store_project_update(ctx, id, flat, reply);
    if (rc == IBC_OK)
        rc = ibc_emit(ctx, "project", "updated", id, grants_project_event(*reply, NULL));
    if (rc == IBC_OK) ibc_set_etag_of(ctx, *reply, "version");
    json_decref(cur);
    json_decref(flat);
    return rc;
}

/* projects.summary: ?school, programme_id, from/to (created). 200 with the
 * projects per status, money requested and awarded, per school and per
 * programme. A librarian's summary is their own school's. */
ibc_rc projects_summary(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"school", "programme_id", "from", "to", NULL};
    grants_query q;
    ibc_rc rc = grants_query_parse(ctx, req, allowed, &q);
    if (rc == IBC_OK) rc = store_summary(ctx, &q, reply);
    return rc;
}

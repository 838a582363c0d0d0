/* The network's roadmap (дорожная карта): activities with a section, a
 * deadline, the organisation responsible, the expected result, a status and
 * evidence links; progress per section. A methodologist runs it; the
 * responsible organisation may add evidence. */
#include "monitoring.h"
#include "store.h"

#include <ibc/json.h>
#include <stdio.h>
#include <string.h>

static const char *const statuses[] = {"planned", "in_progress", "done", NULL};
static const char *const filters[] = {"planned", "in_progress", "done", "overdue", NULL};

/* Checks one evidence link {url, title?} into out. */
static ibc_rc evidence_item(ibc_ctx *ctx, const json_t *e, const char *where, json_t *out)
{
    static const char *const readonly[] = {"added_at", "added_by_org", NULL};
    const ibc_field fields[] = {
        {"url", IBC_F_STR, true, 8, 2000},
        {"title", IBC_F_STR, false, 1, 300},
    };
    ibc_rc rc = ibc_validate(ctx, e, fields, IBC_LEN(fields), where, readonly, out);
    const char *url = json_string_value(json_object_get(out, "url"));
    if (rc == IBC_OK && strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
        rc = ibc_fail(ctx, IBC_EINVAL, "'%surl' must start with http:// or https://", where);
    /* a link sent back from a GET keeps when it was added */
    if (rc == IBC_OK && json_is_string(json_object_get(e, "added_at")))
        json_object_set(out, "added_at", json_object_get(e, "added_at"));
    if (rc == IBC_OK && json_is_string(json_object_get(e, "added_by_org")))
        json_object_set(out, "added_by_org", json_object_get(e, "added_by_org"));
    return rc;
}

/* Validates an activity body; *out is new. */
static ibc_rc activity_body(ibc_ctx *ctx, const json_t *body, json_t **out)
{
    static const char *const readonly[] = {"id",         "overdue",    "version",
                                           "created_at", "updated_at", NULL};
    const ibc_field fields[] = {
        {"section", IBC_F_STR, true, 1, 200},
        {"title", IBC_F_STR, true, 1, 1000},
        {"deadline", IBC_F_DATE, true},
        {"responsible_org", IBC_F_STR, true, 1, 64},
        {"expected_result", IBC_F_STR, false, 1, 2000},
        {"status", IBC_F_ENUM, false, 0, 0, statuses},
        {"done_on", IBC_F_DATE, false},
        {"evidence", IBC_F_ANY, false},
    };
    *out = json_object();
    ibc_rc rc = ibc_validate(ctx, body, fields, IBC_LEN(fields), "", readonly, *out);
    if (rc != IBC_OK) goto done;
    const char *org = json_string_value(json_object_get(*out, "responsible_org"));
    if (!ibc_org_valid(org)) {
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "'responsible_org' must be an organisation id (1 to 64 of A-Z a-z 0-9 . _ "
                      "-), not '%.70s'",
                      org);
        goto done;
    }
    if (!json_object_get(*out, "status"))
        json_object_set_new(*out, "status", json_string("planned"));
    bool done = strcmp(json_string_value(json_object_get(*out, "status")), "done") == 0;
    if (!done && json_object_get(*out, "done_on")) {
        rc = ibc_fail(ctx, IBC_EINVAL, "'done_on' is only for an activity with status 'done'");
        goto done;
    }
    json_t *evidence = json_object_get(*out, "evidence");
    if (evidence) {
        if (!json_is_array(evidence) || json_array_size(evidence) > 100) {
            rc = ibc_fail(ctx, IBC_EINVAL, "'evidence' must be an array of at most 100 links");
            goto done;
        }
        json_t *norm = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(evidence, i, e)
        {
            char where[32];
            snprintf(where, sizeof where, "evidence[%zu].", i);
            json_t *n = json_object();
            json_array_append_new(norm, n);
            if ((rc = evidence_item(ctx, e, where, n)) != IBC_OK) break;
        }
        json_object_set_new(*out, "evidence", norm);
    }
done:
    if (rc != IBC_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* Event data: the activity's ids, dates and state, and what changed. */
static json_t *event_data(const json_t *a, const char *change)
{
    return json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:s}", "id", json_object_get(a, "id"),
                     "section", json_object_get(a, "section"), "status",
                     json_object_get(a, "status"), "overdue", json_object_get(a, "overdue"),
                     "deadline", json_object_get(a, "deadline"), "responsible_org",
                     json_object_get(a, "responsible_org"), "change", change);
}

static const char *id_of(const json_t *a)
{
    return json_string_value(json_object_get(a, "id"));
}

/* roadmap.create: body = activity. 201 with it. Methodologist or admin.
 * Emits monitoring.roadmap.updated (change "created"). */
ibc_rc roadmap_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    json_t *body = NULL;
    ibc_rc rc = mon_may_run_network(ctx, "plan the roadmap");
    if (rc == IBC_OK) rc = activity_body(ctx, ibc_body(req), &body);
    if (rc == IBC_OK) rc = store_roadmap_insert(ctx, body, reply);
    if (rc == IBC_OK) {
        rc = ibc_emit(ctx, "roadmap", "updated", id_of(*reply), event_data(*reply, "created"));
        ibc_created(ctx, "/api/v1/monitoring/roadmap/activities/%s", id_of(*reply));
        ibc_set_etag_of(ctx, *reply, "version");
    }
    json_decref(body);
    return rc;
}

/* roadmap.list: ?section=&status=planned|in_progress|done|overdue&responsible=
 * &limit=&offset=. 200 {"items", "total", "limit", "offset"}. */
ibc_rc roadmap_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *status;
    ibc_page page;
    ibc_rc rc = ibc_req_enum(ctx, req, "status", filters, &status);
    if (rc == IBC_OK) rc = ibc_req_page(ctx, req, MON_PAGE_DEFAULT, MON_PAGE_MAX, &page);
    if (rc == IBC_OK)
        rc = store_roadmap_list(ctx, ibc_param(req, "section"), status,
                                ibc_param(req, "responsible"), &page, reply);
    return rc;
}

/* roadmap.get: 200 with the activity; 404 unknown. */
ibc_rc roadmap_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "activity", &id);
    if (rc == IBC_OK) rc = store_roadmap_get(ctx, id, reply);
    if (rc == IBC_OK) ibc_set_etag_of(ctx, *reply, "version");
    return rc;
}

/* roadmap.update: replaces the activity (optional If-Match: 412 when
 * stale). Methodologist or admin. Emits monitoring.roadmap.updated. */
ibc_rc roadmap_update(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    long version;
    json_t *body = NULL;
    ibc_rc rc = mon_may_run_network(ctx, "change the roadmap");
    if (rc == IBC_OK) rc = ibc_req_id(ctx, req, "id", "activity", &id);
    if (rc == IBC_OK) rc = ibc_if_match(ctx, false, &version);
    if (rc == IBC_OK) rc = activity_body(ctx, ibc_body(req), &body);
    if (rc == IBC_OK) rc = store_roadmap_update(ctx, id, body, version, reply);
    if (rc == IBC_OK) {
        rc = ibc_emit(ctx, "roadmap", "updated", id, event_data(*reply, "updated"));
        ibc_set_etag_of(ctx, *reply, "version");
    }
    json_decref(body);
    return rc;
}

/* roadmap.delete: 204; 404 unknown. Methodologist or admin. Emits
 * monitoring.roadmap.updated (change "deleted"). */
ibc_rc roadmap_delete(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    json_t *old = NULL;
    ibc_rc rc = mon_may_run_network(ctx, "change the roadmap");
    if (rc == IBC_OK) rc = ibc_req_id(ctx, req, "id", "activity", &id);
    if (rc == IBC_OK) rc = store_roadmap_delete(ctx, id, &old);
    if (rc == IBC_OK) rc = ibc_emit(ctx, "roadmap", "updated", id, event_data(old, "deleted"));
    json_decref(old);
    *reply = NULL;
    ibc_no_content(ctx);
    return rc;
}

/* roadmap.evidence: body {url, title?}: adds an evidence link. 200 with the
 * activity. The network or a librarian of the responsible organisation.
 * Emits monitoring.roadmap.updated (change "evidence"). */
ibc_rc roadmap_add_evidence(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    json_t *activity = NULL, *link = json_object();
    ibc_rc rc = ibc_req_id(ctx, req, "id", "activity", &id);
    if (rc == IBC_OK) rc = evidence_item(ctx, ibc_body(req), "", link);
    json_object_del(link, "added_at");
    json_object_del(link, "added_by_org");
    if (rc == IBC_OK) rc = store_roadmap_get(ctx, id, &activity);
    if (rc == IBC_OK)
        rc = mon_may_edit(ctx, json_string_value(json_object_get(activity, "responsible_org")));
    if (rc == IBC_OK) rc = store_roadmap_add_evidence(ctx, id, link, reply);
    if (rc == IBC_OK) {
        rc = ibc_emit(ctx, "roadmap", "updated", id, event_data(*reply, "evidence"));
        ibc_set_etag_of(ctx, *reply, "version");
    }
    json_decref(activity);
    json_decref(link);
    return rc;
}

/* roadmap.progress: 200 {"sections": [{section, activities, planned,
 * in_progress, done, overdue, share_done, next_deadline}], "total": {...}}. */
ibc_rc roadmap_progress(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    (void)req;
    return store_roadmap_progress(ctx, reply);
}

/* Consultations of the network's project lab with a school: date, topic,
 * consultant, outcome, and the project they concern. Recorded by
 * methodologists; a school's librarian reads their own school's. */
#include "grants.h"
#include "store.h"

#include <string.h>

/* consultations.create: body {date, school, topic, consultant, outcome?,
 * project_id?}. 201 with the consultation. The project must be the school's.
 * Emits grants.consultation.recorded (ids, school, date). */
ibc_rc consultations_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const ibc_field fields[] = {
        {"date", IBC_F_DATE, true},
        {"school", IBC_F_STR, true, 1, 64},
        {"topic", IBC_F_STR, true, 1, 1000},
        {"consultant", IBC_F_STR, true, 1, 300},
        {"outcome", IBC_F_STR, false, 1, 20000},
        {"project_id", IBC_F_UUID, false},
    };
    if (!ibc_role_network_wide(ctx))
        return ibc_fail(ctx, IBC_EFORBIDDEN,
                        "a methodologist or an admin of the project lab "
                        "records consultations");
    json_t *flat = json_object(), *project = NULL;
    ibc_rc rc = ibc_validate(ctx, ibc_body(req), fields, IBC_LEN(fields), "", NULL, flat);
    if (rc != IBC_OK) goto done;
    const char *school = json_string_value(json_object_get(flat, "school"));
    if (!ibc_org_valid(school)) {
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "'school' must be an organisation id (1 to 64 letters, "
                      "digits, '.', '_' or '-'), not '%.64s'",
                      school);
        goto done;
    }
    const char *pid = json_string_value(json_object_get(flat, "project_id"));
    if (pid) {
        rc = store_project_get(ctx, pid, false, &project);
        if (rc == IBC_ENOTFOUND)
            rc = ibc_fail(ctx, IBC_EINVAL, "'project_id' names no project (%s)", pid);
        if (rc != IBC_OK) goto done;
        const char *owner = json_string_value(json_object_get(project, "school"));
        if (strcmp(owner, school) != 0) {
            rc = ibc_fail(ctx, IBC_EINVAL, "project %s belongs to %s, not to %s", pid, owner,
                          school);
            goto done;
        }
    }
    rc = store_consultation_insert(ctx, flat, reply);
    if (rc != IBC_OK) goto done;
    const char *id = json_string_value(json_object_get(*reply, "id"));
    rc = ibc_emit(ctx, "consultation", "recorded", id,
                  json_pack("{s:s, s:s, s:O, s:O?}", "id", id, "school", school, "date",
                            json_object_get(*reply, "date"), "project_id",
                            json_object_get(*reply, "project_id")));
    if (rc == IBC_OK) {
        ibc_created(ctx, "/api/v1/grants/consultations/%s", id);
    }
done:
    json_decref(project);
    json_decref(flat);
    return rc;
}

/* consultations.get: 200 with the consultation; 404 when unknown or of
 * another school (librarian). */
ibc_rc consultations_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "consultation", &id);
    if (rc == IBC_OK) rc = store_consultation_get(ctx, id, reply);
    if (rc == IBC_OK)
        rc = grants_may_read(ctx, json_string_value(json_object_get(*reply, "school")),
                             "consultation", id);
    return rc;
}

/* consultations.list: ?school, project_id, from/to (date), limit, offset.
 * 200 with {items, total, limit, offset}, latest first. */
ibc_rc consultations_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"school", "project_id", "from", "to", NULL};
    grants_query q;
    ibc_rc rc = grants_query_parse(ctx, req, allowed, &q);
    if (rc == IBC_OK) rc = store_consultation_list(ctx, &q, reply);
    return rc;
}

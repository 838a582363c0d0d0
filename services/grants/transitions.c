/* The project workflow over HTTP: POST a transition {to, comment} and read the
 * history. The project row is locked for the change, so two transitions from
 * the same status queue and the second finds the status moved (409). */
#include "grants.h"
#include "store.h"
#include "workflow.h"

#include <stdio.h>
#include <string.h>

/* Fails with 409 and {current_status, allowed} when the workflow forbids from → to. */
static ibc_rc check_jump(ibc_ctx *ctx, int from, int to)
{
    if (from != to && grant_may_go(from, to)) return IBC_OK;
    ctx->err_ext = json_pack("{s:s, s:o}", "current_status", grant_status_name(from), "allowed",
                             grant_next_json(from));
    if (from == to)
        return ibc_fail(ctx, IBC_ECONFLICT, "the project is already %s", grant_status_name(to));
    if (grant_status_final(from))
        return ibc_fail(ctx, IBC_ECONFLICT,
                        "the project is %s, which is final: no transition "
                        "leaves it",
                        grant_status_name(from));
    char next[128];
    return ibc_fail(ctx, IBC_ECONFLICT, "a %s project can go to %s, not to %s",
                    grant_status_name(from), grant_next_text(from, next, sizeof next),
                    grant_status_name(to));
}

/* Submission needs a programme whose deadline has not passed and whose range
 * holds the requested amount. 409 otherwise. */
static ibc_rc check_submission(ibc_ctx *ctx, const json_t *project)
{
    const char *pid = json_string_value(json_object_get(project, "programme_id"));
    if (!pid)
        return ibc_fail(ctx, IBC_ECONFLICT,
                        "the project names no programme: set "
                        "'programme_id' before submitting");
    bool passed = false;
    char deadline[11];
    ibc_rc rc = store_programme_deadline(ctx, pid, &passed, deadline);
    if (rc != IBC_OK) return rc;
    if (passed)
        return ibc_fail(ctx, IBC_ECONFLICT,
                        "the programme's application deadline (%s) has "
                        "passed; the project cannot be submitted to it",
                        deadline);
    json_t *full = NULL;
    rc = store_programme_get(ctx, pid, &full);
    if (rc != IBC_OK) return rc;
    double req = json_number_value(json_object_get(project, "requested_amount"));
    double min = json_number_value(json_object_get(full, "amount_min"));
    double max = json_number_value(json_object_get(full, "amount_max"));
    if (grants_kopecks(req) < grants_kopecks(min) || grants_kopecks(req) > grants_kopecks(max))
        rc = ibc_fail(ctx, IBC_ECONFLICT,
                      "the requested amount (%.2f) is outside the programme's "
                      "range %.2f to %.2f; change it before submitting",
                      req, min, max);
    json_decref(full);
    return rc;
}

/* The body's own rules: an awarded amount (written into awarded_text[32])
 * only with an approval and in kopecks, a rejection with a comment. 400
 * otherwise. */
static ibc_rc check_body(ibc_ctx *ctx, int to, const char *comment, const json_t *awarded,
                         char awarded_text[32])
{
    if (awarded && to != GS_APPROVED)
        return ibc_fail(ctx, IBC_EINVAL, "'awarded_amount' goes with to=approved only");
    if (awarded && !grants_amount_valid(json_number_value(awarded)))
        return ibc_fail(ctx, IBC_EINVAL, "'awarded_amount' has more than two decimals (kopecks)");
    if (awarded) snprintf(awarded_text, 32, "%.2f", json_number_value(awarded));
    if (to == GS_REJECTED && !comment)
        return ibc_fail(ctx, IBC_EINVAL, "a rejection needs a 'comment' saying why");
    return IBC_OK;
}

/* projects.transition: body {to, comment?, awarded_amount?}. 201 with the
 * recorded transition and the project. 400 for an unknown status, 409 for a
 * jump the workflow forbids (naming the allowed ones), the same status, or a
 * submission after the deadline; 403 for a role that may not make it.
 * Emits grants.project.transitioned. */
ibc_rc projects_transition(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const ibc_field fields[] = {
        {"to", IBC_F_ENUM, true, 0, 0, grant_status_names},
        {"comment", IBC_F_STR, false, 1, 2000},
        {"awarded_amount", IBC_F_NUM, false, 0, 999999999999L},
    };
    const char *id;
    json_t *b = json_object(), *cur = NULL, *project = NULL;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "project", &id);
    if (rc == IBC_OK) rc = ibc_validate(ctx, ibc_body(req), fields, IBC_LEN(fields), "", NULL, b);
    if (rc != IBC_OK) goto done;
    int to = grant_status_parse(json_string_value(json_object_get(b, "to")));
    const char *comment = json_string_value(json_object_get(b, "comment"));
    json_t *awarded = json_object_get(b, "awarded_amount");
    char awarded_text[32];
    if ((rc = check_body(ctx, to, comment, awarded, awarded_text)) != IBC_OK) goto done;

    rc = store_project_get(ctx, id, true, &cur);
    if (rc == IBC_OK)
        rc =
            grants_may_write(ctx, json_string_value(json_object_get(cur, "school")), "project", id);
    if (rc != IBC_OK) goto done;
    const char *from_name = json_string_value(json_object_get(cur, "status"));
    int from = grant_status_parse(from_name);
    rc = check_jump(ctx, from, to);
    if (rc == IBC_OK && !grant_role_may(ctx->role, to))
        rc = ibc_fail(ctx, IBC_EFORBIDDEN, "only %s may %s; a %s may not", grant_who_may(to),
                      grant_verb(to), ctx->role);
    if (rc == IBC_OK && to == GS_SUBMITTED) rc = check_submission(ctx, cur);
    if (rc == IBC_OK)
        rc = store_project_set_status(ctx, id, from_name, grant_status_name(to),
                                      awarded ? awarded_text : NULL, &project);
    if (rc == IBC_OK)
        rc = store_transition_insert(ctx, id, from_name, grant_status_name(to), comment, reply);
    if (rc == IBC_OK)
        rc = ibc_emit(ctx, "project", "transitioned", id, grants_project_event(project, from_name));
    if (rc == IBC_OK) {
        json_object_set(*reply, "project", project);
        ibc_set_etag_of(ctx, project, "version");
        ibc_created(ctx, NULL); /* a transition is read with its project */
    }
done:
    json_decref(project);
    json_decref(cur);
    json_decref(b);
    return rc;
}

/* projects.transitions: 200 with {items} of the project's transitions, the
 * creation first, each with who (principal, role, org) and when. */
ibc_rc projects_transitions(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    json_t *cur = NULL;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "project", &id);
    if (rc == IBC_OK) rc = store_project_get(ctx, id, false, &cur);
    if (rc == IBC_OK)
        rc = grants_may_read(ctx, json_string_value(json_object_get(cur, "school")), "project", id);
    if (rc == IBC_OK) rc = store_transition_list(ctx, id, reply);
    json_decref(cur);
    return rc;
}

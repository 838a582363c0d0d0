/* The grants service's SQL (see store.h). Bodies go in as one jsonb parameter
 * mapped onto the columns by jsonb_populate_record(); the public JSON comes
 * from the *_json() functions of the migration. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ibc_rc not_found(ibc_ctx *ctx, ibc_rc rc, const char *what, const char *id)
{
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no %s has id '%s'", what, id);
    return rc;
}

/* ------------------------------------------------------------ programmes */

static const char sql_programme_insert[] =
    "INSERT INTO programmes (funder, level, title, description, deadline, amount_min, "
    "amount_max, url, created_by_org) SELECT p.funder, p.level, p.title, p.description, "
    "p.deadline, p.amount_min, p.amount_max, p.url, $2 "
    "FROM jsonb_populate_record(NULL::programmes, $1::jsonb) p "
    "RETURNING programme_json(programmes)";

/* Returns IBC_OK with the stored programme. */
ibc_rc store_programme_insert(ibc_ctx *ctx, const json_t *flat, json_t **out)
{
    const char *rest[] = {ctx->org};
    return ibc_db_json_with(ctx, out, sql_programme_insert, flat, 1, rest);
}

static const char sql_programme_get[] =
    "SELECT programme_json(g) FROM programmes g WHERE g.id = $1::uuid";

/* Returns IBC_OK with the programme, IBC_ENOTFOUND. */
ibc_rc store_programme_get(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    return not_found(ctx, ibc_db_json(ctx, out, sql_programme_get, 1, p), "programme", id);
}

static const char sql_programme_update[] =
    "UPDATE programmes g SET (funder, level, title, description, deadline, amount_min, "
    "amount_max, url) = (SELECT p.funder, p.level, p.title, p.description, p.deadline, "
    "p.amount_min, p.amount_max, p.url "
    "FROM jsonb_populate_record(NULL::programmes, $1::jsonb) p), "
    "version = g.version + 1, updated_at = now() "
    "WHERE g.id = $2::uuid AND g.version = $3::int RETURNING programme_json(g)";
static const char sql_programme_version[] = "SELECT version FROM programmes WHERE id = $1::uuid";

/* Returns IBC_OK with the programme, IBC_EPRECOND when stale, IBC_ENOTFOUND. */
ibc_rc store_programme_update(ibc_ctx *ctx, const char *id, long version, const json_t *flat,
                              json_t **out)
{
    char ver[24];
    snprintf(ver, sizeof ver, "%ld", version);
    const char *rest[] = {id, ver};
    ibc_rc rc = ibc_db_json_with(ctx, out, sql_programme_update, flat, 2, rest);
    if (rc != IBC_ENOTFOUND) return rc;
    const char *p[] = {id};
    PGresult *r = ibc_db_exec(ctx, sql_programme_version, 1, p);
    if (!r) return ctx->err;
    if (PQntuples(r) == 0)
        rc = ibc_fail(ctx, IBC_ENOTFOUND, "no programme has id '%s'", id);
    else
        rc = ibc_fail(ctx, IBC_EPRECOND,
                      "the programme changed: its version is %s, If-Match "
                      "named %ld; read it again",
                      PQgetvalue(r, 0, 0), version);
    PQclear(r);
    return rc;
}

static const char sql_programme_list[] =
    "WITH f AS (SELECT g FROM programmes g WHERE ($1::text IS NULL OR g.level = $1) "
    "AND ($2::date IS NULL OR g.deadline >= $2) AND ($3::date IS NULL OR g.deadline <= $3) "
    "AND ($4::bool IS NULL OR (g.deadline >= current_date) = $4)), "
    "page AS (SELECT g FROM f ORDER BY (g).deadline, (g).id LIMIT $5::int OFFSET $6::int) "
    "SELECT jsonb_build_object('items', coalesce((SELECT jsonb_agg(programme_json(g) "
    "ORDER BY (g).deadline, (g).id) FROM page), '[]'::jsonb), "
    "'total', (SELECT count(*) FROM f), 'limit', $5::int, 'offset', $6::int)";

/* Returns IBC_OK with {items, total, limit, offset}, soonest deadline first. */
ibc_rc store_programme_list(ibc_ctx *ctx, const grants_query *q, json_t **out)
{
    const char *open = q->open < 0 ? NULL : q->open ? "true" : "false";
    const char *p[] = {q->level, q->from, q->to, open, q->page.limit_text, q->page.offset_text};
    return ibc_db_json(ctx, out, sql_programme_list, 6, p);
}

static const char sql_programme_deadline[] =
    "SELECT deadline::text, deadline < current_date FROM programmes WHERE id = $1::uuid";

/* Returns IBC_OK with *passed and the deadline, IBC_ENOTFOUND. */
ibc_rc store_programme_deadline(ibc_ctx *ctx, const char *id, bool *passed, char deadline[11])
{
    const char *p[] = {id};
    PGresult *r = ibc_db_exec(ctx, sql_programme_deadline, 1, p);
    if (!r) return ctx->err;
    ibc_rc rc = IBC_OK;
    if (PQntuples(r) == 0) {
        rc = ibc_fail(ctx, IBC_ENOTFOUND, "no programme has id '%s'", id);
    } else {
        snprintf(deadline, 11, "%s", PQgetvalue(r, 0, 0));
        *passed = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
    }
    PQclear(r);
    return rc;
}

/* -------------------------------------------------------------- projects */

static const char sql_project_insert[] =
    "INSERT INTO projects (school, title, direction, summary, programme_id, requested_amount, "
    "awarded_amount, start_date, end_date, created_by) SELECT p.school, p.title, p.direction, "
    "p.summary, p.programme_id, p.requested_amount, p.awarded_amount, p.start_date, p.end_date, "
    "$2 FROM jsonb_populate_record(NULL::projects, $1::jsonb) p RETURNING to_jsonb(id)";

static const char sql_children_delete[] =
    "WITH m AS (DELETE FROM project_members WHERE project_id = $1::uuid), "
    "s AS (DELETE FROM project_milestones WHERE project_id = $1::uuid), "
    "d AS (DELETE FROM project_documents WHERE project_id = $1::uuid) SELECT 1";

static const char sql_children_insert[] =
    "WITH m AS (INSERT INTO project_members (project_id, position, staff_id, name, school, role) "
    "SELECT $2::uuid, e.ord, (e.v->>'staff_id')::uuid, e.v->>'name', e.v->>'school', "
    "e.v->>'role' FROM jsonb_array_elements(coalesce($1::jsonb->'team', '[]')) "
    "WITH ORDINALITY e(v, ord)), "
    "s AS (INSERT INTO project_milestones (project_id, position, title, due_date, status, "
    "done_on) SELECT $2::uuid, e.ord, e.v->>'title', (e.v->>'due_date')::date, "
    "coalesce(e.v->>'status', 'planned'), (e.v->>'done_on')::date "
    "FROM jsonb_array_elements(coalesce($1::jsonb->'milestones', '[]')) "
    "WITH ORDINALITY e(v, ord)), "
    "d AS (INSERT INTO project_documents (project_id, position, title, url, kind) "
    "SELECT $2::uuid, e.ord, e.v->>'title', e.v->>'url', e.v->>'kind' "
    "FROM jsonb_array_elements(coalesce($1::jsonb->'documents', '[]')) "
    "WITH ORDINALITY e(v, ord)) SELECT 1";

/* Writes the team, milestones and documents of flat for project id. */
static ibc_rc children_insert(ibc_ctx *ctx, const char *id, const json_t *flat)
{
    char *text = json_dumps(flat, JSON_COMPACT);
    if (!text) return ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    const char *p[] = {text, id};
    ibc_rc rc = ibc_db_run(ctx, sql_children_insert, 2, p);
    free(text);
    return rc;
}

/* Returns IBC_OK with the new draft project. */
ibc_rc store_project_insert(ibc_ctx *ctx, const json_t *flat, json_t **out)
{
    json_t *idj = NULL;
    const char *rest[] = {ctx->principal};
    ibc_rc rc = ibc_db_json_with(ctx, &idj, sql_project_insert, flat, 1, rest);
    if (rc != IBC_OK) return rc;
    char id[37];
    snprintf(id, sizeof id, "%s", json_string_value(idj));
    json_decref(idj);
    rc = children_insert(ctx, id, flat);
    if (rc == IBC_OK) rc = store_project_get(ctx, id, false, out);
    return rc;
}

static const char sql_project_get[] =
    "SELECT project_json(p) FROM projects p WHERE p.id = $1::uuid";
static const char sql_project_lock[] =
    "SELECT project_json(p) FROM projects p WHERE p.id = $1::uuid FOR UPDATE";

/* Returns IBC_OK with the project (row locked when lock), IBC_ENOTFOUND. */
ibc_rc store_project_get(ibc_ctx *ctx, const char *id, bool lock, json_t **out)
{
    const char *p[] = {id};
    return not_found(ctx, ibc_db_json(ctx, out, lock ? sql_project_lock : sql_project_get, 1, p),
                     "project", id);
}

static const char sql_project_update[] =
    "UPDATE projects p SET (title, direction, summary, programme_id, requested_amount, "
    "awarded_amount, start_date, end_date) = (SELECT x.title, x.direction, x.summary, "
    "x.programme_id, x.requested_amount, x.awarded_amount, x.start_date, x.end_date "
    "FROM jsonb_populate_record(NULL::projects, $1::jsonb) x), "
    "version = p.version + 1, updated_at = now() WHERE p.id = $2::uuid RETURNING to_jsonb(p.id)";

/* Returns IBC_OK with the changed project, IBC_ENOTFOUND. */
ibc_rc store_project_update(ibc_ctx *ctx, const char *id, const json_t *flat, json_t **out)
{
    json_t *idj = NULL;
    const char *rest[] = {id};
    ibc_rc rc = not_found(ctx, ibc_db_json_with(ctx, &idj, sql_project_update, flat, 1, rest),
                          "project", id);
    json_decref(idj);
    const char *p[] = {id};
    if (rc == IBC_OK) rc = ibc_db_run(ctx, sql_children_delete, 1, p);
    if (rc == IBC_OK) rc = children_insert(ctx, id, flat);
    if (rc == IBC_OK) rc = store_project_get(ctx, id, false, out);
    return rc;
}

static const char sql_project_list[] =
    "WITH f AS (SELECT p FROM projects p WHERE ($1::text IS NULL OR p.school = $1) "
    "AND ($2::text IS NULL OR p.status = $2) AND ($3::uuid IS NULL OR p.programme_id = $3) "
    "AND ($4::date IS NULL OR p.created_at::date >= $4) "
    "AND ($5::date IS NULL OR p.created_at::date <= $5)), "
    "page AS (SELECT p FROM f ORDER BY (p).created_at DESC, (p).id "
    "LIMIT $6::int OFFSET $7::int) "
    "SELECT jsonb_build_object('items', coalesce((SELECT jsonb_agg(project_brief(p) "
    "ORDER BY (p).created_at DESC, (p).id) FROM page), '[]'::jsonb), "
    "'total', (SELECT count(*) FROM f), 'limit', $6::int, 'offset', $7::int)";

/* Returns IBC_OK with {items, total, limit, offset}, newest first. */
ibc_rc store_project_list(ibc_ctx *ctx, const grants_query *q, json_t **out)
{
    const char *p[] = {q->school, q->status,          q->programme_id,    q->from,
                       q->to,     q->page.limit_text, q->page.offset_text};
    return ibc_db_json(ctx, out, sql_project_list, 7, p);
}

static const char sql_project_status[] =
    "UPDATE projects p SET status = $3, awarded_amount = CASE WHEN $3 = 'approved' "
    "THEN coalesce($4::numeric, p.awarded_amount, p.requested_amount) "
    "ELSE p.awarded_amount END, version = p.version + 1, updated_at = now() "
    "WHERE p.id = $1::uuid AND p.status = $2 RETURNING project_json(p)";

/* Returns IBC_OK with the project in its new status, IBC_ECONFLICT. */
ibc_rc store_project_set_status(ibc_ctx *ctx, const char *id, const char *from, const char *to,
                                const char *awarded, json_t **out)
{
    const char *p[] = {id, from, to, awarded};
    ibc_rc rc = ibc_db_json(ctx, out, sql_project_status, 4, p);
    if (rc == IBC_ENOTFOUND)
        rc = ibc_fail(ctx, IBC_ECONFLICT, "the project is no longer %s; read it again", from);
    return rc;
}

static const char sql_transition_insert[] =
    "INSERT INTO project_transitions (project_id, from_status, to_status, comment, principal, "
    "role, org) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7) "
    "RETURNING transition_json(project_transitions)";

/* Returns IBC_OK with the recorded transition. */
ibc_rc store_transition_insert(ibc_ctx *ctx, const char *project_id, const char *from,
                               const char *to, const char *comment, json_t **out)
{
    const char *p[] = {project_id, from, to, comment, ctx->principal, ctx->role, ctx->org};
    return ibc_db_json(ctx, out, sql_transition_insert, 7, p);
}

static const char sql_transition_list[] =
    "SELECT jsonb_build_object('items', coalesce(jsonb_agg(transition_json(t) ORDER BY t.seq), "
    "'[]'::jsonb)) FROM project_transitions t WHERE t.project_id = $1::uuid";

/* Returns IBC_OK with {items} oldest first. */
ibc_rc store_transition_list(ibc_ctx *ctx, const char *project_id, json_t **out)
{
    const char *p[] = {project_id};
    return ibc_db_json(ctx, out, sql_transition_list, 1, p);
}

/* Money requested: applications that reached the funder (submitted and on,
 * not withdrawn); awarded: approved projects and those under way or done. */
#define REQUESTED                                                                                  \
    "coalesce(sum(requested_amount) FILTER (WHERE status IN ('submitted', 'under_review', "        \
    "'approved', 'rejected', 'in_progress', 'completed')), 0)::float8"
#define AWARDED                                                                                    \
    "coalesce(sum(awarded_amount) FILTER (WHERE status IN ('approved', 'in_progress', "            \
    "'completed')), 0)::float8"
#define COUNT_IN(s) "'" s "', count(*) FILTER (WHERE status = '" s "')"
#define BY_STATUS                                                                                  \
    "jsonb_build_object(" COUNT_IN("draft") ", " COUNT_IN("submitted") ", " COUNT_IN(              \
        "under_review") ", " COUNT_IN("approved") ", " COUNT_IN("rejected") ", " COUNT_IN("in_"    \
                                                                                          "progre" \
                                                                                          "ss") ", " COUNT_IN("completed") ", " COUNT_IN("withdrawn") ")"
#define GROUP_FIELDS                                                                               \
    "'projects', count(*), 'by_status', " BY_STATUS ", 'requested_amount', " REQUESTED             \
    ", 'awarded_amount', " AWARDED

static const char sql_summary[] =
    "WITH f AS (SELECT * FROM projects WHERE ($1::text IS NULL OR school = $1) "
    "AND ($2::uuid IS NULL OR programme_id = $2) AND ($3::date IS NULL OR created_at::date >= $3) "
    "AND ($4::date IS NULL OR created_at::date <= $4)) "
    "SELECT jsonb_build_object("
    "'projects', (SELECT count(*) FROM f), "
    "'requested_amount', (SELECT " REQUESTED " FROM f), "
    "'awarded_amount', (SELECT " AWARDED " FROM f), "
    "'by_status', (SELECT jsonb_object_agg(s.status, jsonb_build_object('projects', "
    "coalesce(a.n, 0), 'requested_amount', coalesce(a.req, 0), 'awarded_amount', "
    "coalesce(a.awd, 0))) FROM unnest(ARRAY['draft', 'submitted', 'under_review', 'approved', "
    "'rejected', 'in_progress', 'completed', 'withdrawn']) s(status) LEFT JOIN (SELECT status, "
    "count(*) n, sum(requested_amount)::float8 req, coalesce(sum(awarded_amount), 0)::float8 awd "
    "FROM f GROUP BY status) a ON a.status = s.status), "
    "'by_school', (SELECT coalesce(jsonb_agg(x.j ORDER BY x.k), '[]'::jsonb) FROM (SELECT "
    "school k, jsonb_build_object('school', school, " GROUP_FIELDS
    ") j FROM f GROUP BY school) x), "
    "'by_programme', (SELECT coalesce(jsonb_agg(x.j ORDER BY x.k NULLS LAST, x.id), '[]'::jsonb) "
    "FROM (SELECT g.title k, f.programme_id id, jsonb_strip_nulls(jsonb_build_object("
    "'programme_id', f.programme_id, 'title', g.title, 'funder', g.funder, 'level', g.level)) || "
    "jsonb_build_object(" GROUP_FIELDS ") j FROM f LEFT JOIN programmes g ON g.id = f.programme_id "
    "GROUP BY f.programme_id, g.id) x))";

/* Returns IBC_OK with the summary of the projects the query selects. */
ibc_rc store_summary(ibc_ctx *ctx, const grants_query *q, json_t **out)
{
    const char *p[] = {q->school, q->programme_id, q->from, q->to};
    return ibc_db_json(ctx, out, sql_summary, 4, p);
}

/* --------------------------------------------------------- consultations */

static const char sql_consultation_insert[] =
    "INSERT INTO consultations (date, school, topic, consultant, outcome, project_id, "
    "recorded_by) SELECT c.date, c.school, c.topic, c.consultant, c.outcome, c.project_id, $2 "
    "FROM jsonb_populate_record(NULL::consultations, $1::jsonb) c "
    "RETURNING consultation_json(consultations)";

/* Returns IBC_OK with the recorded consultation. */
ibc_rc store_consultation_insert(ibc_ctx *ctx, const json_t *flat, json_t **out)
{
    const char *rest[] = {ctx->principal};
    return ibc_db_json_with(ctx, out, sql_consultation_insert, flat, 1, rest);
}

static const char sql_consultation_get[] =
    "SELECT consultation_json(c) FROM consultations c WHERE c.id = $1::uuid";

/* Returns IBC_OK with the consultation, IBC_ENOTFOUND. */
ibc_rc store_consultation_get(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    return not_found(ctx, ibc_db_json(ctx, out, sql_consultation_get, 1, p), "consultation", id);
}

static const char sql_consultation_list[] =
    "WITH f AS (SELECT c FROM consultations c WHERE ($1::text IS NULL OR c.school = $1) "
    "AND ($2::uuid IS NULL OR c.project_id = $2) AND ($3::date IS NULL OR c.date >= $3) "
    "AND ($4::date IS NULL OR c.date <= $4)), "
    "page AS (SELECT c FROM f ORDER BY (c).date DESC, (c).created_at DESC, (c).id "
    "LIMIT $5::int OFFSET $6::int) "
    "SELECT jsonb_build_object('items', coalesce((SELECT jsonb_agg(consultation_json(c) "
    "ORDER BY (c).date DESC, (c).created_at DESC, (c).id) FROM page), '[]'::jsonb), "
    "'total', (SELECT count(*) FROM f), 'limit', $5::int, 'offset', $6::int)";

/* Returns IBC_OK with {items, total, limit, offset}, latest first. */
ibc_rc store_consultation_list(ibc_ctx *ctx, const grants_query *q, json_t **out)
{
    const char *p[] = {q->school, q->project_id,      q->from,
                       q->to,     q->page.limit_text, q->page.offset_text};
    return ibc_db_json(ctx, out, sql_consultation_list, 6, p);
}

/* The training service's SQL (see store.h). Rows go in as JSON through
 * jsonb_populate_record() and come out through staff_json(), course_json()
 * and enrolment_json() of the migration. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* json_dumps of flat into *text (caller frees); IBC_ENOMEM. */
static ibc_rc dump(ibc_ctx *ctx, const json_t *flat, char **text)
{
    *text = json_dumps(flat, JSON_COMPACT);
    return *text ? IBC_OK : ibc_fail(ctx, IBC_ENOMEM, "out of memory");
}

/* Runs a statement whose answer is one JSON value, with a 404 sentence. */
static ibc_rc json_or_404(ibc_ctx *ctx, json_t **out, const char *sql, int n, const char *const *p,
                          const char *what, const char *id)
{
    ibc_rc rc = ibc_db_json(ctx, out, sql, n, p);
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no %s has id '%s'", what, id);
    return rc;
}

/* ------------------------------------------------------------------ staff */

static const char sql_staff_insert[] =
    "INSERT INTO staff (school, full_name, position, hired_on, left_on) "
    "SELECT p.school, p.full_name, p.position, p.hired_on, p.left_on "
    "FROM jsonb_populate_record(NULL::staff, $1::jsonb) p RETURNING staff_json(staff, true)";

ibc_rc store_staff_insert(ibc_ctx *ctx, const json_t *flat, json_t **out)
{
    char *text;
    if (dump(ctx, flat, &text) != IBC_OK) return ctx->err;
    const char *p[] = {text};
    ibc_rc rc = ibc_db_json(ctx, out, sql_staff_insert, 1, p);
    free(text);
    return rc;
}

static const char sql_staff_get[] = "SELECT staff_json(s, true) FROM staff s WHERE s.id = $1::uuid";
static const char sql_staff_lock[] =
    "SELECT staff_json(s, true) FROM staff s WHERE s.id = $1::uuid FOR UPDATE";

ibc_rc store_staff_get(ibc_ctx *ctx, const char *id, bool lock, json_t **out)
{
    const char *p[] = {id};
    return json_or_404(ctx, out, lock ? sql_staff_lock : sql_staff_get, 1, p, "staff member", id);
}

static const char sql_staff_update[] =
    "UPDATE staff s SET (school, full_name, position, hired_on, left_on) = "
    "(SELECT p.school, p.full_name, p.position, p.hired_on, p.left_on "
    " FROM jsonb_populate_record(NULL::staff, $2::jsonb) p), "
    "version = s.version + 1, updated_at = now() "
    "WHERE s.id = $1::uuid RETURNING staff_json(s, true)";

ibc_rc store_staff_update(ibc_ctx *ctx, const char *id, const json_t *flat, json_t **out)
{
    char *text;
    if (dump(ctx, flat, &text) != IBC_OK) return ctx->err;
    const char *p[] = {id, text};
    ibc_rc rc = json_or_404(ctx, out, sql_staff_update, 2, p, "staff member", id);
    free(text);
    return rc;
}

static const char sql_staff_enrolments[] =
    "SELECT count(*) FROM enrolments WHERE staff_id = $1::uuid";
static const char sql_staff_delete[] = "DELETE FROM staff WHERE id = $1::uuid";

ibc_rc store_staff_delete(ibc_ctx *ctx, const char *id)
{
    const char *p[] = {id};
    PGresult *r = ibc_db_exec(ctx, sql_staff_enrolments, 1, p);
    if (!r) return ctx->err;
    long n = atol(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (n > 0)
        return ibc_fail(ctx, IBC_ECONFLICT,
                        "staff member %s has %ld enrolment(s) in their training history; set "
                        "'left_on' instead of deleting them",
                        id, n);
    r = ibc_db_exec(ctx, sql_staff_delete, 1, p);
    if (!r) return ctx->err;
    bool gone = atol(PQcmdTuples(r)) > 0;
    PQclear(r);
    return gone ? IBC_OK : ibc_fail(ctx, IBC_ENOTFOUND, "no staff member has id '%s'", id);
}

/* $1 school, $2 status, $3 from, $4 to, $5 q; the list adds $6 limit,
 * $7 offset, $8 names_all, $9 names_own */
#define STAFF_WHERE                                                                                \
    " WHERE ($1::text IS NULL OR s.school = $1::text)"                                             \
    " AND ($2::text IS NULL OR ($2::text = 'active') = (s.left_on IS NULL OR s.left_on > "         \
    "current_date))"                                                                               \
    " AND ($3::date IS NULL OR s.hired_on >= $3::date)"                                            \
    " AND ($4::date IS NULL OR s.hired_on <= $4::date)"                                            \
    " AND ($5::text IS NULL OR strpos(lower(s.full_name || ' ' || coalesce(s.position, '')), "     \
    "lower($5::text)) > 0)"

static const char sql_staff_list[] =
    "SELECT jsonb_build_object('total', (SELECT count(*) FROM staff s" STAFF_WHERE "), "
    "'limit', $6::int, 'offset', $7::int, 'items', coalesce((SELECT jsonb_agg(x.j ORDER BY x.n) "
    "FROM (SELECT staff_json(s, $8::bool OR coalesce(s.school = $9::text, false)) AS j, "
    "row_number() OVER (ORDER BY s.school, s.full_name, s.id) AS n FROM staff s" STAFF_WHERE
    " ORDER BY s.school, s.full_name, s.id LIMIT $6::int OFFSET $7::int) x), '[]'::jsonb))";

ibc_rc store_staff_list(ibc_ctx *ctx, const store_filter *f, json_t **out)
{
    const char *l = f->page.limit_text, *o = f->page.offset_text;
    const char *p[] = {f->school, f->status, f->from,      f->to,       f->q,
                       l,         o,         f->names_all, f->names_own};
    return ibc_db_json(ctx, out, sql_staff_list, 9, p);
}

/* The date of the last completion of a qualifying course (kind 'course') by s */
#define LAST_QUALIFYING                                                                            \
    "(SELECT max(e.completed_on) FROM enrolments e JOIN courses c ON c.id = e.course_id "          \
    "WHERE e.staff_id = s.id AND e.status = 'completed' AND c.kind = 'course')"

static const char sql_staff_record[] =
    "SELECT jsonb_build_object('staff', staff_json(s, true), "
    "'enrolments', coalesce((SELECT jsonb_agg(enrolment_json(e) || jsonb_build_object('course', "
    "  jsonb_strip_nulls(jsonb_build_object('id', c.id, 'title', c.title, 'provider', c.provider, "
    "  'kind', c.kind, 'format', c.format, 'hours', c.hours, 'starts_on', c.starts_on, "
    "  'ends_on', c.ends_on))) ORDER BY c.starts_on DESC, e.created_at DESC) "
    "  FROM enrolments e JOIN courses c ON c.id = e.course_id WHERE e.staff_id = s.id), "
    "  '[]'::jsonb), "
    "'hours_total', (SELECT coalesce(sum(e.hours_earned), 0) FROM enrolments e "
    "  WHERE e.staff_id = s.id AND e.status = 'completed'), "
    "'last_completed_on', " LAST_QUALIFYING ", "
    "'due_on', (" LAST_QUALIFYING " + interval '3 years')::date) "
    "FROM staff s WHERE s.id = $1::uuid";

ibc_rc store_staff_record(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    return json_or_404(ctx, out, sql_staff_record, 1, p, "staff member", id);
}

/* $1 school, $2 within_days, $3 names_all, $4 names_own, $5 limit, $6 offset:
 * one page of the staff (by school, due date, name); the counts and "total"
 * are over all of them, and a school is listed when it has staff on the page */
static const char sql_due[] =
    "WITH w AS (SELECT s.id, s.school, s.full_name, s.position, " LAST_QUALIFYING " AS last_on, "
    "  (SELECT e.course_id FROM enrolments e JOIN courses c ON c.id = e.course_id "
    "   WHERE e.staff_id = s.id AND e.status = 'enrolled' AND c.kind = 'course' "
    "   ORDER BY c.starts_on LIMIT 1) AS planned "
    "  FROM staff s WHERE (s.left_on IS NULL OR s.left_on > current_date) "
    "  AND ($1::text IS NULL OR s.school = $1::text)), "
    "d AS (SELECT w.*, (w.last_on + interval '3 years')::date AS due_on FROM w), "
    "sel AS (SELECT d.*, CASE WHEN d.due_on IS NULL OR d.due_on < current_date THEN 'overdue' "
    "  ELSE 'due_soon' END AS state FROM d "
    "  WHERE d.due_on IS NULL OR d.due_on <= current_date + $2::int), "
    "rk AS (SELECT sel.*, row_number() OVER (ORDER BY sel.school, sel.due_on NULLS FIRST, "
    "  sel.full_name, sel.id) AS n FROM sel), "
    "g AS (SELECT sel.school, count(*) FILTER (WHERE state = 'overdue') AS overdue, "
    "  count(*) FILTER (WHERE state = 'due_soon') AS due_soon, "
    "  jsonb_agg(jsonb_strip_nulls(jsonb_build_object('id', sel.id, "
    "    'full_name', CASE WHEN $3::bool OR coalesce(sel.school = $4::text, false) "
    "                 THEN sel.full_name END, "
    "    'position', sel.position, 'state', sel.state, 'last_completed_on', sel.last_on, "
    "    'due_on', sel.due_on, 'days_left', sel.due_on - current_date, "
    "    'enrolled_course_id', sel.planned)) ORDER BY sel.n) "
    "    FILTER (WHERE sel.n > $6::int AND sel.n <= $6::int + $5::int) AS staff "
    "  FROM rk sel GROUP BY sel.school) "
    "SELECT jsonb_build_object('as_of', current_date, 'within_days', $2::int, "
    "  'overdue', (SELECT coalesce(sum(overdue), 0) FROM g), "
    "  'due_soon', (SELECT coalesce(sum(due_soon), 0) FROM g), "
    "  'schools', coalesce((SELECT jsonb_agg(jsonb_build_object('school', g.school, "
    "    'overdue', g.overdue, 'due_soon', g.due_soon, 'staff', g.staff) ORDER BY g.school) "
    "    FROM g WHERE g.staff IS NOT NULL), '[]'::jsonb), "
    "  'total', (SELECT count(*) FROM sel), 'limit', $5::int, 'offset', $6::int)";

ibc_rc store_due(ibc_ctx *ctx, const store_filter *f, long within_days, json_t **out)
{
    char days[24];
    snprintf(days, sizeof days, "%ld", within_days);
    const char *p[] = {f->school,          days, f->names_all, f->names_own, f->page.limit_text,
                       f->page.offset_text};
    return ibc_db_json(ctx, out, sql_due, 6, p);
}

/* ---------------------------------------------------------------- courses */

#define COURSE_COLUMNS                                                                             \
    "title, provider, kind, format, hours, starts_on, ends_on, capacity, location, description, "  \
    "materials"
#define P_COURSE_COLUMNS                                                                           \
    "p.title, p.provider, p.kind, p.format, p.hours, p.starts_on, p.ends_on, p.capacity, "         \
    "p.location, p.description, p.materials"

static const char sql_course_insert[] =
    "INSERT INTO courses (" COURSE_COLUMNS ", created_by_org) SELECT " P_COURSE_COLUMNS
    ", $2 FROM jsonb_populate_record(NULL::courses, $1::jsonb) p RETURNING course_json(courses)";

ibc_rc store_course_insert(ibc_ctx *ctx, const json_t *flat, json_t **out)
{
    char *text;
    if (dump(ctx, flat, &text) != IBC_OK) return ctx->err;
    const char *p[] = {text, ctx->org};
    ibc_rc rc = ibc_db_json(ctx, out, sql_course_insert, 2, p);
    free(text);
    return rc;
}

static const char sql_course_get[] = "SELECT course_json(c) FROM courses c WHERE c.id = $1::uuid";

ibc_rc store_course_get(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    return json_or_404(ctx, out, sql_course_get, 1, p, "course", id);
}

static const char sql_course_lock[] =
    "SELECT version, enrolled FROM courses WHERE id = $1::uuid FOR UPDATE";
static const char sql_course_update[] =
    "UPDATE courses c SET (" COURSE_COLUMNS ") = (SELECT " P_COURSE_COLUMNS
    " FROM jsonb_populate_record(NULL::courses, $2::jsonb) p), "
    "version = c.version + 1, updated_at = now() WHERE c.id = $1::uuid RETURNING course_json(c)";

ibc_rc store_course_update(ibc_ctx *ctx, const char *id, long version, const json_t *flat,
                           json_t **out)
{
    const char *p[] = {id, NULL};
    PGresult *r = ibc_db_exec(ctx, sql_course_lock, 1, p);
    if (!r) return ctx->err;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return ibc_fail(ctx, IBC_ENOTFOUND, "no course has id '%s'", id);
    }
    long current = atol(PQgetvalue(r, 0, 0)), enrolled = atol(PQgetvalue(r, 0, 1));
    PQclear(r);
    if (current != version)
        return ibc_fail(ctx, IBC_EPRECOND,
                        "the course changed: its version is %ld, If-Match named %ld; read it "
                        "again",
                        current, version);
    json_t *cap = json_object_get(flat, "capacity");
    if (json_is_integer(cap) && json_integer_value(cap) < enrolled)
        return ibc_fail(ctx, IBC_ECONFLICT,
                        "%ld people hold seats in this course; 'capacity' cannot drop to %lld",
                        enrolled, (long long)json_integer_value(cap));
    char *text;
    if (dump(ctx, flat, &text) != IBC_OK) return ctx->err;
    p[1] = text;
    ibc_rc rc = json_or_404(ctx, out, sql_course_update, 2, p, "course", id);
    free(text);
    return rc;
}

/* $1 kind, $2 format, $3 from, $4 to, $5 status, $6 q, $7 limit, $8 offset */
#define COURSE_WHERE                                                                               \
    " WHERE ($1::text IS NULL OR c.kind = $1::text)"                                               \
    " AND ($2::text IS NULL OR c.format = $2::text)"                                               \
    " AND ($3::date IS NULL OR c.ends_on >= $3::date)"                                             \
    " AND ($4::date IS NULL OR c.starts_on <= $4::date)"                                           \
    " AND ($5::text IS NULL OR course_status(c) = $5::text)"                                       \
    " AND ($6::text IS NULL OR strpos(lower(c.title || ' ' || c.provider), lower($6::text)) > 0)"

static const char sql_course_list[] =
    "SELECT jsonb_build_object('total', (SELECT count(*) FROM courses c" COURSE_WHERE "), "
    "'limit', $7::int, 'offset', $8::int, 'items', coalesce((SELECT jsonb_agg(x.j ORDER BY x.n) "
    "FROM (SELECT course_json(c) AS j, row_number() OVER (ORDER BY c.starts_on, c.title, c.id) "
    "AS n FROM courses c" COURSE_WHERE " ORDER BY c.starts_on, c.title, c.id "
    "LIMIT $7::int OFFSET $8::int) x), '[]'::jsonb))";

ibc_rc store_course_list(ibc_ctx *ctx, const store_filter *f, json_t **out)
{
    const char *l = f->page.limit_text, *o = f->page.offset_text;
    const char *p[] = {f->kind, f->format, f->from, f->to, f->status, f->q, l, o};
    return ibc_db_json(ctx, out, sql_course_list, 8, p);
}

/* ------------------------------------------------------------- enrolments */

static const char sql_staff_school[] =
    "SELECT school, coalesce(left_on <= current_date, false) FROM staff WHERE id = $1::uuid";

ibc_rc store_staff_school(ibc_ctx *ctx, const char *staff_id, char school[65], bool *left)
{
    const char *p[] = {staff_id};
    PGresult *r = ibc_db_exec(ctx, sql_staff_school, 1, p);
    if (!r) return ctx->err;
    ibc_rc rc = IBC_OK;
    if (PQntuples(r) == 0) {
        rc = ibc_fail(ctx, IBC_ENOTFOUND, "no staff member has id '%s' ('staff_id')", staff_id);
    } else {
        snprintf(school, 65, "%s", PQgetvalue(r, 0, 0));
        *left = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
    }
    PQclear(r);
    return rc;
}

static const char sql_live_enrolment[] =
    "SELECT id::text FROM enrolments WHERE course_id = $1::uuid AND staff_id = $2::uuid "
    "AND status <> 'cancelled'";
/* the row lock of the course serialises concurrent enrolments: each re-reads
 * `enrolled` after the previous one committed */
static const char sql_take_seat[] =
    "UPDATE courses SET enrolled = enrolled + 1 WHERE id = $1::uuid "
    "AND (capacity IS NULL OR enrolled < capacity) RETURNING id";
static const char sql_course_capacity[] = "SELECT capacity FROM courses WHERE id = $1::uuid";
static const char sql_enrol_insert[] =
    "INSERT INTO enrolments (course_id, staff_id, school, enrolled_by_org) "
    "VALUES ($1::uuid, $2::uuid, $3, $4) RETURNING enrolment_json(enrolments)";

/* Explains why no seat was taken: unknown course or full. */
static ibc_rc no_seat(ibc_ctx *ctx, const char *course_id)
{
    const char *p[] = {course_id};
    PGresult *r = ibc_db_exec(ctx, sql_course_capacity, 1, p);
    if (!r) return ctx->err;
    ibc_rc rc;
    if (PQntuples(r) == 0)
        rc = ibc_fail(ctx, IBC_ENOTFOUND, "no course has id '%s' ('course_id')", course_id);
    else
        rc = ibc_fail(ctx, IBC_ECONFLICT, "course %s is full: all %s seats are taken", course_id,
                      PQgetvalue(r, 0, 0));
    PQclear(r);
    return rc;
}

ibc_rc store_enrol(ibc_ctx *ctx, const char *course_id, const char *staff_id, const char *school,
                   json_t **out)
{
    const char *p[] = {course_id, staff_id, school, ctx->org};
    PGresult *r = ibc_db_exec(ctx, sql_live_enrolment, 2, p);
    if (!r) return ctx->err;
    if (PQntuples(r) > 0) {
        ctx->err_ext = json_pack("{s:s}", "existing_id", PQgetvalue(r, 0, 0));
        ibc_fail(ctx, IBC_ECONFLICT, "staff member %s is already enrolled in course %s (%s)",
                 staff_id, course_id, PQgetvalue(r, 0, 0));
        PQclear(r);
        return ctx->err;
    }
    PQclear(r);
    r = ibc_db_exec(ctx, sql_take_seat, 1, p);
    if (!r) return ctx->err;
    bool seat = PQntuples(r) > 0;
    PQclear(r);
    if (!seat) return no_seat(ctx, course_id);
    ibc_rc rc = ibc_db_json(ctx, out, sql_enrol_insert, 4, p);
    if (rc == IBC_ECONFLICT) /* a concurrent enrolment of the same person won */
        ibc_fail(ctx, rc, "staff member %s is already enrolled in course %s", staff_id, course_id);
    return rc;
}

static const char sql_enrolment_get[] =
    "SELECT enrolment_json(e) FROM enrolments e WHERE e.id = $1::uuid";

ibc_rc store_enrolment_get(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    return json_or_404(ctx, out, sql_enrolment_get, 1, p, "enrolment", id);
}

static const char sql_enrolment_lock[] =
    "SELECT jsonb_build_object('enrolment', enrolment_json(e), 'course', course_json(c), "
    "'today', current_date) FROM enrolments e JOIN courses c ON c.id = e.course_id "
    "WHERE e.id = $1::uuid FOR UPDATE OF e";

ibc_rc store_enrolment_lock(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    return json_or_404(ctx, out, sql_enrolment_lock, 1, p, "enrolment", id);
}

static const char sql_attendance[] =
    "INSERT INTO attendance (enrolment_id, day, present, hours) "
    "VALUES ($1::uuid, $2::date, $3::bool, $4::int) ON CONFLICT (enrolment_id, day) DO UPDATE "
    "SET present = EXCLUDED.present, hours = EXCLUDED.hours, recorded_at = now()";
static const char sql_touch_enrolment[] =
    "UPDATE enrolments e SET updated_at = now() WHERE e.id = $1::uuid "
    "RETURNING enrolment_json(e)";

ibc_rc store_attendance(ibc_ctx *ctx, const char *id, const char *day, bool present,
                        const char *hours, json_t **out)
{
    const char *p[] = {id, day, present ? "t" : "f", hours};
    PGresult *r = ibc_db_exec(ctx, sql_attendance, 4, p);
    if (!r) return ctx->err;
    PQclear(r);
    return json_or_404(ctx, out, sql_touch_enrolment, 1, p, "enrolment", id);
}

static const char sql_complete[] =
    "UPDATE enrolments e SET status = 'completed', certificate_number = $2, "
    "hours_earned = $3::int, completed_on = $4::date, updated_at = now() "
    "WHERE e.id = $1::uuid RETURNING enrolment_json(e)";

ibc_rc store_complete(ibc_ctx *ctx, const char *id, const char *certificate, long hours,
                      const char *completed_on, json_t **out)
{
    char h[24];
    snprintf(h, sizeof h, "%ld", hours);
    const char *p[] = {id, certificate, h, completed_on};
    ibc_rc rc = json_or_404(ctx, out, sql_complete, 4, p, "enrolment", id);
    if (rc == IBC_ECONFLICT)
        ibc_fail(ctx, rc, "certificate number '%s' is already recorded for another enrolment",
                 certificate);
    return rc;
}

static const char sql_cancel[] =
    "UPDATE enrolments e SET status = 'cancelled', cancelled_at = now(), cancel_reason = $2, "
    "updated_at = now() WHERE e.id = $1::uuid RETURNING enrolment_json(e)";
static const char sql_free_seat[] =
    "UPDATE courses SET enrolled = enrolled - 1 WHERE id = $1::uuid";

ibc_rc store_cancel(ibc_ctx *ctx, const char *id, const char *course_id, const char *reason,
                    json_t **out)
{
    const char *p[] = {id, reason};
    ibc_rc rc = json_or_404(ctx, out, sql_cancel, 2, p, "enrolment", id);
    if (rc != IBC_OK) return rc;
    const char *c[] = {course_id};
    PGresult *r = ibc_db_exec(ctx, sql_free_seat, 1, c);
    if (!r) return ctx->err;
    PQclear(r);
    return IBC_OK;
}

/* $1 school, $2 status, $3 course_id, $4 staff_id, $5 from, $6 to, $7 limit, $8 offset */
#define ENROLMENT_WHERE                                                                            \
    " FROM enrolments e JOIN courses c ON c.id = e.course_id"                                      \
    " WHERE ($1::text IS NULL OR e.school = $1::text)"                                             \
    " AND ($2::text IS NULL OR e.status = $2::text)"                                               \
    " AND ($3::uuid IS NULL OR e.course_id = $3::uuid)"                                            \
    " AND ($4::uuid IS NULL OR e.staff_id = $4::uuid)"                                             \
    " AND ($5::date IS NULL OR c.starts_on >= $5::date)"                                           \
    " AND ($6::date IS NULL OR c.starts_on <= $6::date)"

static const char sql_enrolment_list[] =
    "SELECT jsonb_build_object('total', (SELECT count(*)" ENROLMENT_WHERE "), "
    "'limit', $7::int, 'offset', $8::int, 'items', coalesce((SELECT jsonb_agg(x.j ORDER BY x.n) "
    "FROM (SELECT enrolment_json(e) AS j, row_number() OVER (ORDER BY c.starts_on DESC, "
    "e.created_at DESC, e.id) AS n" ENROLMENT_WHERE
    " ORDER BY c.starts_on DESC, e.created_at DESC, e.id LIMIT $7::int OFFSET $8::int) x), "
    "'[]'::jsonb))";

ibc_rc store_enrolment_list(ibc_ctx *ctx, const store_filter *f, json_t **out)
{
    const char *l = f->page.limit_text, *o = f->page.offset_text;
    const char *p[] = {f->school, f->status, f->course_id, f->staff_id, f->from, f->to, l, o};
    return ibc_db_json(ctx, out, sql_enrolment_list, 8, p);
}

/* The SQL of the network's indicators, their targets, the rebuild of the
 * projections and the textbook provision report (see store.h). Every
 * indicator is one statement: its current value and one point per month,
 * the point of a month being the state at its end (now, for this month). */
#include "store_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* $1 months, $2 school or NULL, $3 district or NULL; m(start, t): month
 * start and the point in time */
#define MONTHS                                                                                     \
    "WITH m AS (SELECT s AS start, least(s + interval '1 month', now()) AS t FROM "                \
    "generate_series(date_trunc('month', now()) - ($1::int - 1) * interval '1 month', "            \
    "date_trunc('month', now()), interval '1 month') s) "
#define MONTH "to_char(start, 'YYYY-MM')"
#define SCHOOL_IS(col)                                                                             \
    "($2::text IS NULL OR " col " = $2::text) AND ($3::text IS NULL OR " col                       \
    " IN (SELECT id FROM schools WHERE district = $3::text))"
/* projects that are under way: what the target of transformation projects counts */
#define ACTIVE_PROJECT "('approved', 'in_progress', 'completed')"
#define SHARE(n, d) "round((" n ")::numeric / nullif(" d ", 0), 3)"

/* schools at each ИБЦ level, by the passport version in force at each point */
static const char sql_levels[] = MONTHS
    ", lv AS (SELECT m.start, coalesce(p.ibc_level, 'none') AS lvl FROM m "
    "JOIN schools s ON s.created_at < m.t AND s.kind <> 'resource_centre' AND " SCHOOL_IS(
        "s.id") " LEFT JOIN LATERAL (SELECT q.ibc_level FROM passports q WHERE q.school_id = s.id "
                "AND "
                "q.recorded_at < m.t ORDER BY q.version DESC LIMIT 1) p ON true), "
                "h AS (SELECT m.start, jsonb_build_object("
                "'none', count(lv.lvl) FILTER (WHERE lv.lvl = 'none'), "
                "'pilot', count(lv.lvl) FILTER (WHERE lv.lvl = 'pilot'), "
                "'base_site', count(lv.lvl) FILTER (WHERE lv.lvl = 'base_site'), "
                "'ibc', count(lv.lvl) FILTER (WHERE lv.lvl = 'ibc')) AS b "
                "FROM m LEFT JOIN lv ON lv.start = m.start GROUP BY m.start) "
                "SELECT jsonb_build_object('value', cur.b->'ibc', 'by_level', cur.b, 'history', "
                "(SELECT jsonb_agg(jsonb_build_object('month', " MONTH
                ", 'value', b->'ibc', 'by_level', b) "
                "ORDER BY start) FROM h)) FROM (SELECT b FROM h ORDER BY start DESC LIMIT 1) cur";

/* records of the union catalog (network-wide); items: copies a school holds */
static const char sql_records[] = MONTHS
    "SELECT jsonb_build_object("
    "'value', (SELECT count(*) FROM p_records WHERE deleted_at IS NULL), "
    "'textbooks', (SELECT count(*) FROM p_records WHERE deleted_at IS NULL AND textbook_subject "
    "IS NOT NULL), "
    "'items', (SELECT count(*) FROM p_items WHERE status NOT IN ('lost', 'written_off') "
    "AND " SCHOOL_IS("school") "), "
                               "'history', (SELECT jsonb_agg(jsonb_build_object('month', " MONTH
                               ", 'value', "
                               "(SELECT count(*) FROM p_records r WHERE r.created_at < m.t AND "
                               "(r.deleted_at IS NULL OR "
                               "r.deleted_at >= m.t))) ORDER BY start) FROM m))";

static const char sql_projects[] = MONTHS
    "SELECT jsonb_build_object("
    "'value', (SELECT count(*) FROM p_projects WHERE status IN " ACTIVE_PROJECT " AND " SCHOOL_IS(
        "school") "), "
                  "'total', (SELECT count(*) FROM p_projects WHERE " SCHOOL_IS(
                      "school") "), "
                                "'by_status', (SELECT coalesce(jsonb_object_agg(st, n), '{}') FROM "
                                "(SELECT "
                                "coalesce(status, 'unknown') st, count(*) n FROM p_projects "
                                "WHERE " SCHOOL_IS(
                                    "school") " GROUP BY 1) x), "
                                              "'history', (SELECT "
                                              "jsonb_agg(jsonb_build_object('month', " MONTH
                                              ", 'value', "
                                              "(SELECT count(*) FROM (SELECT DISTINCT ON "
                                              "(ps.project_id) ps.status FROM p_project_status "
                                              "ps JOIN p_projects pr ON pr.id = ps.project_id "
                                              "WHERE ps.at < m.t AND " SCHOOL_IS(
                                                  "pr.school") " ORDER BY ps.project_id, ps.at "
                                                               "DESC) x WHERE x.status "
                                                               "IN " ACTIVE_PROJECT ")) "
                                                               "ORDER BY start) FROM m))";

/* staff employed at each point, and those of them with a completion in the three years before */
#define STAFF_AT "s.created_at < m.t AND (s.left_on IS NULL OR s.left_on >= m.t::date) AND "
static const char sql_trained[] = MONTHS
    ", pt AS (SELECT m.start, "
    "(SELECT count(*) FROM p_staff s WHERE " STAFF_AT SCHOOL_IS(
        "s.school") ") AS staff, "
                    "(SELECT count(DISTINCT c.staff_id) FROM p_completions c JOIN p_staff s ON "
                    "s.id = c.staff_id "
                    "WHERE " STAFF_AT SCHOOL_IS(
                        "s.school") " AND c.completed_on <= m.t::date AND "
                                    "c.completed_on > (m.t - interval '3 years')::date) AS trained "
                                    "FROM m) "
                                    "SELECT jsonb_build_object('value', " SHARE(
                                        "cur.trained",
                                        "cur.staff") ", "
                                                     "'trained', cur.trained, 'staff', cur.staff, "
                                                     "'history', (SELECT "
                                                     "jsonb_agg(jsonb_build_object("
                                                     "'month', " MONTH ", 'value', " SHARE(
                                                         "trained",
                                                         "staff") ", 'trained', trained, 'staff', "
                                                                  "staff) ORDER BY start) FROM "
                                                                  "pt)) FROM (SELECT * FROM pt "
                                                                  "ORDER BY start DESC LIMIT 1) "
                                                                  "cur";

#define IN_MONTH(col) col " >= m.start AND " col " < m.start + interval '1 month'"
static const char sql_loans[] =
    MONTHS ", lm AS (SELECT m.start, (SELECT count(*) FROM p_loans l WHERE " IN_MONTH(
        "l.created_at") " AND " SCHOOL_IS("l.school") ") AS n FROM m) "
                                                      "SELECT jsonb_build_object('value', (SELECT "
                                                      "n FROM lm ORDER BY start DESC LIMIT 1), "
                                                      "'open_loans', (SELECT count(*) FROM p_loans "
                                                      "WHERE returned_at IS NULL AND " SCHOOL_IS(
                                                          "school") "), 'history', (SELECT "
                                                                    "jsonb_agg(jsonb_build_object('"
                                                                    "month', " MONTH
                                                                    ", 'value', n) ORDER BY start) "
                                                                    "FROM lm))";

/* readers who borrowed or renewed in the month */
static const char sql_readers[] =
    MONTHS ", ra AS (SELECT m.start, (SELECT count(DISTINCT a.reader_id) FROM p_loan_activity a "
           "WHERE " IN_MONTH("a.at") " AND " SCHOOL_IS(
               "a.school") ") AS n FROM m) "
                           "SELECT jsonb_build_object('value', (SELECT n FROM ra ORDER BY start "
                           "DESC LIMIT 1), "
                           "'registered', (SELECT count(*) FROM p_readers WHERE deleted_at IS NULL "
                           "AND " SCHOOL_IS("school") "), 'history', (SELECT "
                                                      "jsonb_agg(jsonb_build_object('month', " MONTH
                                                      ", 'value', n) ORDER BY start) FROM ra))";

/* share of the directory's schools (of the district, $3) that answered,
 * per campaign of the period */
static const char sql_surveys[] =
    "WITH ds AS (SELECT id FROM schools s WHERE s.kind <> 'resource_centre' AND "
    "($3::text IS NULL OR s.district = $3::text)), "
    "c AS (SELECT c.id, c.title, c.period, c.status, c.created_at, "
    "(SELECT count(*) FROM ds) AS schools, "
    "(SELECT count(*) FROM answers a JOIN ds ON ds.id = a.school_id WHERE a.campaign_id = "
    "c.id) AS answered, "
    "(SELECT count(*) > 0 FROM answers a WHERE a.campaign_id = c.id AND a.school_id = $2::text) "
    "AS school_answered FROM campaigns c WHERE c.created_at >= date_trunc('month', now()) - "
    "($1::int - 1) * interval '1 month') "
    "SELECT jsonb_build_object('value', (SELECT " SHARE(
        "answered",
        "schools") " FROM c ORDER BY "
                   "created_at DESC LIMIT 1), 'campaign_id', (SELECT id FROM c ORDER BY created_at "
                   "DESC LIMIT 1), "
                   "'history', coalesce((SELECT jsonb_agg(jsonb_build_object('campaign_id', id, "
                   "'title', title, "
                   "'period', period, 'status', status, 'opened', created_at, 'schools', schools, "
                   "'answered', "
                   "answered, 'value', " SHARE(
                       "answered",
                       "schools") ") || CASE WHEN $2::text IS NULL THEN "
                                  "'{}'::jsonb ELSE jsonb_build_object('school_answered', "
                                  "school_answered) END "
                                  "ORDER BY created_at) FROM c), '[]'))";

static const struct {
    const char *id;
    const char *sql;
} indicators[] = {
    {"ibc_schools", sql_levels},
    {"catalog_records", sql_records},
    {"transformation_projects", sql_projects},
    {"trained_staff_share", sql_trained},
    {"active_readers", sql_readers},
    {"loans_per_month", sql_loans},
    {"survey_completion", sql_surveys},
};

ibc_rc store_indicator(ibc_ctx *ctx, const char *indicator, long months, const char *school,
                       const char *district, json_t **out)
{
    char m[24];
    snprintf(m, sizeof m, "%ld", months);
    const char *p[] = {m, school, district};
    for (size_t i = 0; i < IBC_LEN(indicators); i++)
        if (strcmp(indicators[i].id, indicator) == 0)
            return ibc_db_json(ctx, out, indicators[i].sql, 3, p);
    return ibc_fail(ctx, IBC_ENOTFOUND, "there is no indicator '%s'", indicator);
}

static const char sql_targets[] =
    "SELECT coalesce(jsonb_object_agg(indicator, jsonb_build_object('target', target, "
    "'updated_at', updated_at)), '{}') FROM targets";

ibc_rc store_targets(ibc_ctx *ctx, json_t **out)
{
    return ibc_db_json(ctx, out, sql_targets, 0, NULL);
}

static const char sql_target_set[] =
    "INSERT INTO targets AS t (indicator, target, updated_by) VALUES ($1, $2::numeric, $3) "
    "ON CONFLICT (indicator) DO UPDATE SET target = EXCLUDED.target, updated_at = now(), "
    "updated_by = EXCLUDED.updated_by "
    "RETURNING jsonb_build_object('indicator', t.indicator, 'target', t.target, 'updated_at', "
    "t.updated_at)";

ibc_rc store_target_set(ibc_ctx *ctx, const char *indicator, const char *target, json_t **out)
{
    const char *p[] = {indicator, target, ctx->principal ? ctx->principal : ""};
    return ibc_db_json(ctx, out, sql_target_set, 3, p);
}

static const char sql_inbox_count[] = "SELECT count(*) FROM inbox";

ibc_rc store_projections_clear(ibc_ctx *ctx, long long *forgotten)
{
    *forgotten = 0;
    PGresult *r = ibc_db_exec(ctx, sql_inbox_count, 0, NULL);
    if (!r) return ctx->err;
    *forgotten = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    /* TRUNCATE cannot be prepared; it takes ACCESS EXCLUSIVE locks, the inbox
     * first (the consumers lock it first too), so that no event is applied
     * half before and half after the clearing. */
    if (ibc_db_begin(ctx) != IBC_OK) return ctx->err; /* libpq directly: the BEGIN first */
    r = PQexec(ctx->db, "TRUNCATE inbox, p_records, p_items, p_readers, p_loans, "
                        "p_loan_activity, p_staff, p_completions, p_projects, p_project_status, "
                        "p_tally_days, p_tally_months, p_visit_days, p_visit_reader_days");
    ibc_rc rc = IBC_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        rc = ibc_db_rc(r);
        if (rc == IBC_EINVAL || rc == IBC_ECONFLICT) rc = IBC_EDB;
        ibc_log(IBC_LOG_ERROR, ctx->request_id, "clearing the projections failed: %s",
                PQresultErrorMessage(r));
        ibc_fail(ctx, rc, "the projections could not be cleared; try again");
    }
    PQclear(r);
    return rc;
}

/* $1 school or NULL, $2 grade or NULL, $3 subject or NULL, $4 district or
 * NULL (the district's schools only). A textbook covers
 * grade g when g is in its range (one bound standing for both when the other
 * is missing); subjects compare case-insensitively. Copies lost or written
 * off do not count. Only the directory's schools count. */
#define PROVISION_ROWS                                                                             \
    "WITH sch AS (SELECT id, students FROM schools WHERE kind <> 'resource_centre' AND "           \
    "($1::text IS NULL OR id = $1::text) AND ($4::text IS NULL OR district = $4::text)), "         \
    "tb AS (SELECT id, lower(btrim(textbook_subject)) AS skey, btrim(textbook_subject) AS "        \
    "subject, coalesce(grade_from, grade_to) AS gf, coalesce(grade_to, grade_from) AS gt "         \
    "FROM p_records WHERE deleted_at IS NULL AND btrim(textbook_subject) <> '' AND "               \
    "coalesce(grade_from, grade_to) IS NOT NULL), "                                                \
    "grades AS (SELECT g FROM generate_series(1, 11) g WHERE $2::int IS NULL OR g = $2::int), "    \
    "pairs AS (SELECT g.g AS grade, tb.skey, min(tb.subject) AS subject FROM grades g JOIN tb "    \
    "ON g.g BETWEEN tb.gf AND tb.gt WHERE $3::text IS NULL OR tb.skey = lower(btrim($3::text)) "   \
    "GROUP BY g.g, tb.skey UNION SELECT g.g, lower(btrim($3::text)), btrim($3::text) FROM grades " \
    "g WHERE $3::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tb WHERE tb.skey = "               \
    "lower(btrim($3::text)) AND g.g BETWEEN tb.gf AND tb.gt)), "                                   \
    "held AS (SELECT i.school, tb.skey, tb.gf, tb.gt, count(*) AS n FROM p_items i JOIN tb ON "    \
    "tb.id = i.record_id WHERE i.status NOT IN ('lost', 'written_off') AND i.school IN (SELECT "   \
    "id FROM sch) GROUP BY 1, 2, 3, 4), "                                                          \
    "r AS (SELECT s.id AS school, p.grade, p.subject, s.students[p.grade] AS students, "           \
    "coalesce((SELECT sum(h.n) FROM held h WHERE h.school = s.id AND h.skey = p.skey AND "         \
    "p.grade BETWEEN h.gf AND h.gt), 0)::int AS copies FROM sch s CROSS JOIN pairs p) "

static const char sql_provision_school[] = PROVISION_ROWS
    "SELECT jsonb_build_object('school', $1::text, 'district', $4::text, 'grade', $2::int, "
    "'subject', $3::text, 'rows', coalesce(jsonb_agg(jsonb_build_object('school', school, 'grade', "
    "grade, "
    "'subject', subject, 'students', students, 'copies', copies, 'share', " SHARE(
        "copies", "students") ") ORDER BY grade, subject), '[]')) FROM r "
                              "WHERE students > 0 OR copies > 0";

static const char sql_provision_network[] = PROVISION_ROWS
    "SELECT jsonb_build_object('school', NULL, 'district', $4::text, 'grade', $2::int, "
    "'subject', $3::text, 'schools', (SELECT count(*) FROM sch), 'rows', coalesce(jsonb_agg("
    "jsonb_build_object('grade', grade, 'subject', subject, 'schools', schools, 'students', "
    "students, 'copies', copies, 'share', " SHARE(
        "copies",
        "students") ") ORDER BY grade, "
                    "subject), '[]')) FROM (SELECT grade, subject, count(*) FILTER (WHERE students "
                    "> 0) AS "
                    "schools, sum(students)::int AS students, sum(copies)::int AS copies FROM r "
                    "GROUP BY grade, subject) x WHERE students > 0 OR copies > 0";

ibc_rc store_provision(ibc_ctx *ctx, const char *school, const char *district, long grade,
                       const char *subject, json_t **out)
{
    char g[24];
    const char *p[] = {school, grade > 0 ? (snprintf(g, sizeof g, "%ld", grade), g) : NULL, subject,
                       district};
    return ibc_db_json(ctx, out, school ? sql_provision_school : sql_provision_network, 4, p);
}

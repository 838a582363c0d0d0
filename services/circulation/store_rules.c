/* The SQL of loan rules and school settings (see store.h); the defaults
 * live in policy_for() and school_year_end() (a migration). */
#include "store.h"

#include <stdio.h>
#include <string.h>

static const char sql_rules[] =
    "SELECT jsonb_build_object('school', $1::text, 'school_year_ends_on', school_year_end($1), "
    "'school_year_set', (SELECT s.year_ends_on FROM schools s WHERE s.school = $1), "
    "'hold_pickup_days', coalesce((SELECT s.hold_pickup_days FROM schools s "
    "WHERE s.school = $1), 7), "
    "'teacher_age_override', coalesce((SELECT s.teacher_age_override FROM schools s "
    "WHERE s.school = $1), false), "
    "'policies', (SELECT jsonb_agg(jsonb_build_object('category', c.name, 'max_items', "
    "p.max_items, 'loan_days', p.loan_days, 'renewals', p.renewals, 'textbooks_to_year_end', "
    "p.textbooks_to_year_end, 'default', p.is_default) ORDER BY c.ord) "
    "FROM unnest(ARRAY['student', 'teacher', 'staff']) WITH ORDINALITY AS c(name, ord), "
    "LATERAL policy_for($1, c.name) p))";

ibc_rc store_rules_get(ibc_ctx *ctx, const char *school, json_t **out)
{
    const char *p[] = {school};
    return ibc_db_json(ctx, out, sql_rules, 1, p);
}

static const char sql_policy_put[] =
    "INSERT INTO policies (school, category, max_items, loan_days, renewals, "
    "textbooks_to_year_end) VALUES ($1, $2, $3::int, $4::int, $5::int, $6::boolean) "
    "ON CONFLICT (school, category) DO UPDATE SET max_items = EXCLUDED.max_items, "
    "loan_days = EXCLUDED.loan_days, renewals = EXCLUDED.renewals, "
    "textbooks_to_year_end = EXCLUDED.textbooks_to_year_end, updated_at = now()";

ibc_rc store_policy_put(ibc_ctx *ctx, const char *school, const char *category, const json_t *flat)
{
    char m[24], d[24], r[24];
    snprintf(m, sizeof m, "%lld",
             (long long)json_integer_value(json_object_get(flat, "max_items")));
    snprintf(d, sizeof d, "%lld",
             (long long)json_integer_value(json_object_get(flat, "loan_days")));
    snprintf(r, sizeof r, "%lld", (long long)json_integer_value(json_object_get(flat, "renewals")));
    const char *p[] = {
        school, category,
        m,      d,
        r,      json_is_true(json_object_get(flat, "textbooks_to_year_end")) ? "true" : "false"};
    PGresult *res = ibc_db_exec(ctx, sql_policy_put, 6, p);
    if (!res) return ctx->err;
    PQclear(res);
    return IBC_OK;
}

static const char sql_past[] = "SELECT $1::date < current_date";
static const char sql_settings_put[] =
    "INSERT INTO schools (school, year_ends_on, hold_pickup_days, teacher_age_override) "
    "VALUES ($1, $2::date, coalesce($3::int, 7), coalesce($4::boolean, false)) "
    "ON CONFLICT (school) DO UPDATE SET "
    "year_ends_on = coalesce($2::date, schools.year_ends_on), "
    "hold_pickup_days = coalesce($3::int, schools.hold_pickup_days), "
    "teacher_age_override = coalesce($4::boolean, schools.teacher_age_override), "
    "updated_at = now()";

ibc_rc store_settings_put(ibc_ctx *ctx, const char *school, const json_t *flat)
{
    const char *date = json_string_value(json_object_get(flat, "school_year_ends_on"));
    json_t *days = json_object_get(flat, "hold_pickup_days");
    char d[24];
    snprintf(d, sizeof d, "%lld", (long long)json_integer_value(days));
    if (date) {
        const char *p[] = {date};
        PGresult *r = ibc_db_exec(ctx, sql_past, 1, p);
        if (!r) return ctx->err;
        bool past = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
        PQclear(r);
        if (past)
            return ibc_fail(ctx, IBC_EINVAL,
                            "'school_year_ends_on' %s is in the past; give the last day of the "
                            "current or the next school year",
                            date);
    }
    json_t *age = json_object_get(flat, "teacher_age_override");
    const char *p[] = {school, date, days ? d : NULL,
                       age ? (json_is_true(age) ? "true" : "false") : NULL};
    PGresult *r = ibc_db_exec(ctx, sql_settings_put, 4, p);
    if (!r) return ctx->err;
    PQclear(r);
    return IBC_OK;
}

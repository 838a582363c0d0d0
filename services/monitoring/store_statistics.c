/* The SQL of the library statistics (see store.h): counted from the
 * projections of circulation's and the catalog's events, and the visit
 * counter librarians keep. */
#include "store.h"

/* {"key": count, ...} in key order, of the rows of `sets` (a GROUP BY
 * GROUPING SETS) whose grouping bits are `g`: the one set that grouped by `k`. */
#define COUNTS(k, sets, g)                                                                         \
    "(SELECT coalesce(json_object_agg(" k ", c ORDER BY " k "), '{}') FROM " sets " WHERE g = " g  \
    ")"
/* The count of the set that grouped by nothing: all rows. */
#define TOTAL(sets, g) "(SELECT coalesce(max(c), 0) FROM " sets " WHERE g = " g ")"
/* {"key": count, ...} of the breakdown `dim` of the tallies' sums `t`, in key order. */
#define TALLY(t, dim)                                                                              \
    "(SELECT coalesce(json_object_agg(key, c ORDER BY key), '{}') FROM " t " WHERE dim = '" dim "')"
/* The first month that starts in the period [$2, $3), and the month $3 falls in:
 * the months of the tallies in between are whole in the period. */
#define FIRST_MONTH                                                                                \
    "(date_trunc('month', $2::date::timestamp - interval '1 day') + interval '1 month')::date"
#define LAST_MONTH "date_trunc('month', $3::date::timestamp)::date"
/* The tallies' rows of the school ($1, all when NULL) and breakdowns of the loans, of the fund. */
#define LOAN_ROWS                                                                                  \
    "($1::text IS NULL OR school = $1) AND dim IN ('category', 'class', 'section', 'kind')"
#define FUND_ROWS "($1::text IS NULL OR school = $1) AND dim IN ('age', 'lang', 'year', 'source')"

/* [$2, $3): the period; $1 the school or NULL for the network (the statement
 * is planned for the actual values: no CTE hides them from the planner). A
 * reader counts when registered before the period ended and not deleted
 * before it began. Loans and the fund come from the tallies the projection
 * keeps per school, key and day or month (migrations monitoring/0011 and
 * 0013): the loans are the months whole in the period and the days of its
 * partial months, each loan under the reader's category and class at the
 * loan (for loans projected before they were kept: the reader's now); the
 * fund is the one at the period's end, the copies received minus those
 * written off in the months before the end's month and that month's days
 * before the end. A day's visits are the librarian's count for that school
 * and day, or else the readers with a loan or a return that day
 * (p_visit_days). The readers are read once, their breakdowns the grouping
 * sets of one pass (GROUPING() bits: 1 for each column not grouped by, the
 * first column highest). */
/* clang-format off */
static const char sql_statistics[] =
    "WITH rd AS MATERIALIZED (SELECT category, class, GROUPING(category, class) AS g, "
    "  count(*) AS c FROM (SELECT coalesce(r.category, 'unknown') AS category, "
    "  coalesce(r.class, 'none') AS class FROM p_readers r "
    "  WHERE ($1::text IS NULL OR r.school = $1) AND r.created_at < $3::date "
    "  AND (r.deleted_at IS NULL OR r.deleted_at >= $2::date)) x "
    "  GROUP BY GROUPING SETS ((category), (class), ())), "
    "lo AS MATERIALIZED (SELECT dim, key, sum(n) AS c FROM ("
    "  SELECT dim, key, n FROM p_tally_months WHERE " LOAN_ROWS " "
    "  AND month >= " FIRST_MONTH " AND month < " LAST_MONTH " "
    "  UNION ALL SELECT dim, key, n FROM p_tally_days WHERE " LOAN_ROWS " "
    "  AND day >= $2::date AND day < least(" FIRST_MONTH ", $3::date) "
    "  UNION ALL SELECT dim, key, n FROM p_tally_days WHERE " LOAN_ROWS " "
    "  AND day >= greatest(" LAST_MONTH ", " FIRST_MONTH ", $2::date) AND day < $3::date) x "
    "  GROUP BY dim, key HAVING sum(n) <> 0), "
    "fu AS MATERIALIZED (SELECT dim, key, sum(n) AS c FROM ("
    "  SELECT dim, key, n FROM p_tally_months WHERE " FUND_ROWS " AND month < " LAST_MONTH " "
    "  UNION ALL SELECT dim, key, n FROM p_tally_days WHERE " FUND_ROWS " "
    "  AND day >= " LAST_MONTH " AND day < $3::date) x "
    "  GROUP BY dim, key HAVING sum(n) <> 0), "
    "derived AS (SELECT school, day, readers AS n FROM p_visit_days "
    "  WHERE ($1::text IS NULL OR school = $1) AND day >= $2::date AND day < $3::date), "
    "counted AS (SELECT v.school, v.day, v.visits AS n FROM visit_counts v "
    "  WHERE ($1::text IS NULL OR v.school = $1) AND v.day >= $2::date AND v.day < $3::date), "
    "days AS MATERIALIZED (SELECT coalesce(c.day, d.day) AS day, coalesce(c.n, d.n) AS n, "
    "  c.day IS NOT NULL AS counter FROM counted c FULL JOIN derived d "
    "  ON d.school = c.school AND d.day = c.day), "
    "byday AS MATERIALIZED (SELECT day, sum(n)::bigint AS n, CASE WHEN bool_and(counter) "
    "  THEN 'counter' WHEN bool_and(NOT counter) THEN 'derived' ELSE 'mixed' END AS src "
    "  FROM days GROUP BY day), "
    "n AS MATERIALIZED (SELECT " TOTAL("rd", "3") " AS readers, "
    "  (SELECT coalesce(sum(c), 0) FROM lo WHERE dim = 'category') AS loans, "
    "  (SELECT coalesce(sum(n), 0) FROM days) AS visits, "
    "  (SELECT coalesce(sum(n) FILTER (WHERE counter), 0) FROM days) AS counted, "
    "  (SELECT coalesce(sum(n) FILTER (WHERE NOT counter), 0) FROM days) AS derived, "
    "  (SELECT coalesce(sum(c), 0) FROM fu WHERE dim = 'age') AS copies) "
    "SELECT json_build_object('school', $1::text, 'from', $2::date, 'to', $3::date - 1, "
    "'readers', n.readers, "
    "'readers_by_category', " COUNTS("category", "rd", "1") ", "
    "'readers_by_class', " COUNTS("class", "rd", "2") ", "
    "'loans', n.loans, "
    "'loans_by_category', " TALLY("lo", "category") ", "
    "'loans_by_class', " TALLY("lo", "class") ", "
    "'loans_by_section', " TALLY("lo", "section") ", "
    "'loans_by_kind', " TALLY("lo", "kind") ", "
    "'visits', n.visits, 'visits_counted', n.counted, 'visits_derived', n.derived, "
    "'visits_source', CASE WHEN NOT EXISTS (SELECT 1 FROM byday WHERE src <> 'derived') "
    "  THEN 'derived' WHEN NOT EXISTS (SELECT 1 FROM byday WHERE src <> 'counter') "
    "  THEN 'counter' ELSE 'mixed' END, "
    "'visits_by_day', (SELECT coalesce(json_agg(json_build_object('date', day, 'visits', n, "
    "  'source', src) ORDER BY day), '[]') FROM byday), "
    "'copies', n.copies, "
    "'fund_by_age_mark', " TALLY("fu", "age") ", "
    "'fund_by_language', " TALLY("fu", "lang") ", "
    "'fund_by_year', " TALLY("fu", "year") ", "
    "'fund_by_source', " TALLY("fu", "source") ", "
    "'loans_per_reader', round(n.loans::numeric / nullif(n.readers, 0), 2), "
    "'visits_per_reader', round(n.visits::numeric / nullif(n.readers, 0), 2), "
    "'loans_per_copy', round(n.loans::numeric / nullif(n.copies, 0), 2), "
    "'copies_per_reader', round(n.copies::numeric / nullif(n.readers, 0), 2)) FROM n";
/* clang-format on */

ibc_rc store_statistics(ibc_ctx *ctx, const char *school, const char *from, const char *to,
                        json_t **out)
{
    const char *p[] = {school, from, to};
    return ibc_db_json_planned(ctx, out, sql_statistics, 3, p);
}

/* $1 school, $2 day, $3 visits, $4 who. */
static const char sql_visits_put[] =
    "INSERT INTO visit_counts AS v (school, day, visits, recorded_by) "
    "VALUES ($1, $2::date, $3::int, $4) ON CONFLICT (school, day) DO UPDATE SET "
    "visits = EXCLUDED.visits, recorded_by = EXCLUDED.recorded_by, updated_at = now() "
    "RETURNING json_build_object('school', school, 'date', day, 'visits', visits, "
    "'source', 'counter', 'updated_at', updated_at)";

ibc_rc store_visits_put(ibc_ctx *ctx, const char *school, const char *day, const char *visits,
                        json_t **out)
{
    const char *p[] = {school, day, visits, ctx->principal};
    return ibc_db_json(ctx, out, sql_visits_put, 4, p);
}

static const char sql_visits_delete[] =
    "DELETE FROM visit_counts WHERE school = $1 AND day = $2::date "
    "RETURNING json_build_object('school', school, 'date', day, 'visits', visits)";

ibc_rc store_visits_delete(ibc_ctx *ctx, const char *school, const char *day, json_t **out)
{
    const char *p[] = {school, day};
    ibc_rc rc = ibc_db_json(ctx, out, sql_visits_delete, 2, p);
    return rc == IBC_ENOTFOUND ? IBC_OK : rc;
}

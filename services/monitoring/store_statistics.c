/* The SQL of the library statistics (see store.h): counted from the
 * projections of circulation's and the catalog's events. */
#include "store.h"

/* [$2, $3): the period; $1 the school or NULL for the network. A reader
 * counts when registered before the period ended and not deleted before it
 * began; a copy when entered before the end and not written off (now). */
static const char sql_statistics[] =
    "WITH per AS (SELECT $2::date AS d0, $3::date AS d1), "
    "rd AS (SELECT r.* FROM per, p_readers r WHERE ($1::text IS NULL OR r.school = $1) "
    "  AND r.created_at < per.d1 AND (r.deleted_at IS NULL OR r.deleted_at >= per.d0)), "
    "lo AS (SELECT l.*, r.category, CASE WHEN rec.type IS NULL THEN 'unknown' "
    "  WHEN rec.type = 'textbook' THEN 'textbooks' WHEN rec.type = 'periodical' THEN "
    "  'periodicals' WHEN rec.type IN ('e-resource', 'multimedia') THEN 'e_resources' "
    "  ELSE 'books' END AS kind "
    "  FROM per, p_loans l LEFT JOIN p_readers r ON r.id = l.reader_id "
    "  LEFT JOIN p_items i ON i.id = l.item_id LEFT JOIN p_records rec ON rec.id = i.record_id "
    "  WHERE ($1::text IS NULL OR l.school = $1) AND l.created_at >= per.d0 "
    "  AND l.created_at < per.d1), "
    "it AS (SELECT i.* FROM per, p_items i WHERE ($1::text IS NULL OR i.school = $1) "
    "  AND i.created_at < per.d1 AND i.status IS DISTINCT FROM 'written_off'), "
    "n AS (SELECT (SELECT count(*) FROM rd) AS readers, (SELECT count(*) FROM lo) AS loans, "
    "  (SELECT count(DISTINCT (reader_id, created_at::date)) FROM lo) AS visits, "
    "  (SELECT count(*) FROM it) AS copies) "
    "SELECT json_build_object('school', $1::text, 'from', $2::date, 'to', $3::date - 1, "
    "'readers', n.readers, 'readers_by_category', (SELECT coalesce(json_object_agg(c, k), '{}') "
    "  FROM (SELECT coalesce(category, 'unknown') c, count(*) k FROM rd GROUP BY 1) x), "
    "'loans', n.loans, 'loans_by_category', (SELECT coalesce(json_object_agg(c, k), '{}') "
    "  FROM (SELECT coalesce(category, 'unknown') c, count(*) k FROM lo GROUP BY 1) x), "
    "'loans_by_kind', (SELECT coalesce(json_object_agg(c, k), '{}') "
    "  FROM (SELECT kind c, count(*) k FROM lo GROUP BY 1) x), "
    "'visits', n.visits, 'visits_source', 'derived_from_loans', 'copies', n.copies, "
    "'loans_per_reader', round(n.loans::numeric / nullif(n.readers, 0), 2), "
    "'visits_per_reader', round(n.visits::numeric / nullif(n.readers, 0), 2), "
    "'loans_per_copy', round(n.loans::numeric / nullif(n.copies, 0), 2), "
    "'copies_per_reader', round(n.copies::numeric / nullif(n.readers, 0), 2)) FROM n";

ibc_rc store_statistics(ibc_ctx *ctx, const char *school, const char *from, const char *to,
                        json_t **out)
{
    const char *p[] = {school, from, to};
    return ibc_db_json_planned(ctx, out, sql_statistics, 3, p);
}

/* The catalog's search SQL (see store_search.h).
 *
 * Why it is shaped so, for 1,000,000 records and 10,000,000 items:
 * - few matches (at most SEARCH_EXACT_MAX, bounded by the postings of the
 *   rarest word): the GIN index on records.tsv finds them and every match is
 *   ranked by ts_rank_cd, so that keyset pages over (key, id) visit each one
 *   exactly once and in order; total and facets are exact;
 * - many matches (a common word matches 15% of the catalog): ranking them all
 *   reads each from the heap, seconds per query. The search then walks
 *   search_postings (migration 0006) in (rank, record_id) order: title
 *   matches first, then authors, subjects, annotation. A request reads a
 *   bounded number of postings, so it costs the same for 1,000 or 150,000
 *   matches; facets are counted over the head of the walk and the total is
 *   estimated, and the answer says so;
 * - the typo fallback uses the trigram GIN index on title;
 * - the matches are materialised once (CTE m) with the few columns the facets
 *   need; total, page and facets are read from that tuplestore;
 * - the holding schools of a record come from record_holdings (one narrow row
 *   per record, kept by triggers), not from its ten-odd items, so the school
 *   facet and the school/available filters cost one index probe per match;
 * - optional filters are written "$n IS NULL OR ..." and the statements are
 *   run unprepared, so each call gets a plan for its own values (the absent
 *   filters fold away, a cursor becomes an index range);
 * - only the page's rows (limit + 1) are turned into JSON. */
#include "store_search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILTERS SEARCH_FILTERS /* store_search.h */
/* a number as SQL text */
#define STR_(x) #x
#define STR(x) STR_(x)

#define FACET(expr, from)                                                                          \
    "(SELECT coalesce(json_agg(json_build_object('value', v, 'count', c) ORDER BY c DESC, v),"     \
    " '[]') FROM (SELECT " expr " AS v, count(*) AS c FROM " from                                  \
    " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50) f)"

// clang-format off
#define FACETS                                                                                     \
    "json_build_object("                                                                           \
    "'type', " FACET("m.type", "m") ", "                                                           \
    "'school', " FACET("s", "m, unnest(m.schools) s") ", "                                         \
    "'year', " FACET("m.year", "m WHERE m.year IS NOT NULL") ", "                                  \
    "'language', " FACET("m.language", "m WHERE m.language IS NOT NULL") ")"
// clang-format on

/* page: limit + 1 rows after the cursor, in (key, id) descending order */
#define RESULT(key_type)                                                                           \
    " page AS (SELECT id, key, row_number() OVER (ORDER BY key DESC, id DESC) AS n FROM ("         \
    "   SELECT id, key FROM m WHERE $11::text IS NULL"                                             \
    "   OR (key, id) < ($11::" key_type ", $12::uuid)"                                             \
    "   ORDER BY key DESC, id DESC LIMIT $13::int + 1) p) "                                        \
    "SELECT json_build_object("                                                                    \
    " 'total', (SELECT count(*) FROM m),"                                                          \
    " 'next', (SELECT json_build_object('key', p.key::text, 'id', p.id) FROM page p"               \
    "   WHERE p.n = $13::int AND EXISTS (SELECT 1 FROM page x WHERE x.n > $13::int)),"             \
    " 'facets_approximate', false),"                                                               \
    " coalesce((SELECT json_agg(search_hit(r, h, p.key::real) ORDER BY p.n)"                       \
    "   FROM page p JOIN records r ON r.id = p.id"                                                 \
    "   LEFT JOIN record_holdings h ON h.record_id = p.id WHERE p.n <= $13::int), '[]'), " FACETS

static const char sql_fulltext[] =
    "WITH q AS MATERIALIZED (SELECT search_tsquery($1) AS q),"
    " m AS MATERIALIZED (SELECT r.id, r.type, r.year, r.language, h.schools,"
    "   ts_rank_cd('{0.05, 0.2, 0.4, 1.0}', r.tsv, (SELECT q FROM q)) AS key"
    "   FROM records r LEFT JOIN record_holdings h ON h.record_id = r.id"
    "   WHERE r.tsv @@ (SELECT q FROM q)" FILTERS ")," RESULT("real");

// clang-format off
static const char sql_fuzzy[] =
    "WITH m AS MATERIALIZED (SELECT r.id, r.type, r.year, r.language, h.schools, f.score AS key"
    "   FROM fuzzy_titles($1, " STR(SEARCH_FUZZY_CAP) ") f JOIN records r ON r.id = f.id"
    "   LEFT JOIN record_holdings h ON h.record_id = r.id WHERE true" FILTERS ")," RESULT("real");
// clang-format on

/* The postings walk (migration 0006). A scan reads the next N postings of
 * the driving word in index order (lexeme, rank, record_id) after the cursor:
 * its stem ($15) and, for records without the stem, its literal form ($16).
 * The scan is bounded, so a request costs the same whatever the number of
 * matches; a page may then hold fewer hits than the limit, and next_cursor
 * continues after the last posting scanned. Other words ($17) and the filters
 * are checked on the scanned candidates (type, year, language straight from
 * the posting); the second word of two ($19) by a probe of its postings (a
 * scalar subquery, so that it stays a probe per candidate rather than a hash
 * of all that word's postings). */
// clang-format off
#define SCAN(after, n)                                                                             \
    "SELECT * FROM ("                                                                              \
    " (SELECT p.record_id AS id, p.rank AS key, p.type, p.year, p.language"                        \
    "  FROM search_postings p WHERE p.lexeme = $15 " after                                         \
    "  ORDER BY p.rank, p.record_id LIMIT " n ")"                                                  \
    " UNION ALL"                                                                                   \
    " (SELECT p.record_id, p.rank, p.type, p.year, p.language"                                     \
    "  FROM search_postings p WHERE p.lexeme = $16 " after                                         \
    "  AND (SELECT o.rank FROM search_postings o"                                                  \
    "       WHERE o.record_id = p.record_id AND o.lexeme = $15) IS NULL"                           \
    "  ORDER BY p.rank, p.record_id LIMIT " n ")) u ORDER BY key, id LIMIT " n

#define HITS(scan)                                                                                 \
    "SELECT c.id, c.key, c.type, c.year, c.language, h.schools,"                                   \
    " row_number() OVER (ORDER BY c.key, c.id) AS n FROM " scan " c" HITS_WHERE

/* the candidates c that are hits: other words, filters. The record is read
 * only when a filter or the second word needs it ($20): the prepared
 * one-word walk (a generic plan, which cannot drop the join) read 200 records
 * a call for nothing. */
#define HITS_WHERE                                                                                 \
    " LEFT JOIN records r ON r.id = CASE WHEN $20::bool THEN c.id END"                             \
    " LEFT JOIN record_holdings h ON h.record_id = c.id"                                           \
    " WHERE (NOT $17::bool OR ($19::text[] IS NOT NULL AND (SELECT 1 FROM search_postings o"         \
    "        WHERE o.record_id = c.id AND o.lexeme = ANY ($19::text[]) LIMIT 1) IS NOT NULL)"      \
    "      OR ($19::text[] IS NULL AND r.tsv @@ (SELECT q FROM q)))"                               \
    " AND ($2::text IS NULL OR c.type = $2)"                                                       \
    " AND ($3::text IS NULL OR h.schools @> ARRAY[$3::text])"                                      \
    " AND ($4::bool IS NULL OR $4::bool = coalesce(CASE WHEN $3::text IS NULL"                     \
    "      THEN h.available > 0 ELSE h.available_schools @> ARRAY[$3::text] END, false))"          \
    " AND ($5::int IS NULL OR c.year >= $5::int) AND ($6::int IS NULL OR c.year <= $6::int)"       \
    " AND ($7::int IS NULL OR age_num(r.age_rating) <= $7::int)"                                   \
    " AND ($8::int IS NULL OR $8::int BETWEEN coalesce(r.grade_from, r.grade_to)"                  \
    "      AND coalesce(r.grade_to, r.grade_from))"                                                \
    " AND ($9::text IS NULL OR lower(r.textbook_subject) = lower($9::text))"                       \
    " AND ($10::text IS NULL OR lower(c.language) = lower($10::text))"                             \
    SEARCH_NOT_BLOCKED("c.id")
// clang-format on

#define AFTER_CURSOR "AND ($11::text IS NULL OR (p.rank, p.record_id) > ($11::smallint, $12::uuid))"

/* head: the first $14 postings, for facets and the total (when the walk goes
 * on: the planner's count of the driving word times the share of the head
 * that passed the filters and other words, at least the hits seen);
 * scan/page: the page's postings after the cursor ($18) and their hits.
 * The page reads the postings in index order and stops at its limit + 1th
 * hit: a second word checked at 8 % of the candidates used to probe all
 * 1,500 (4,600 buffers); scan is read only when the page is short. */
// clang-format off
static const char sql_postings[] =
    "WITH q AS MATERIALIZED (SELECT search_tsquery($1) AS q),"
    " head AS MATERIALIZED (" SCAN("", "$14::int") "),"
    " m AS MATERIALIZED (" HITS("head") "),"
    " scan AS MATERIALIZED (" SCAN(AFTER_CURSOR, "$18::int") "),"
    " page AS MATERIALIZED (SELECT x.*, row_number() OVER (ORDER BY x.key, x.id) AS n FROM ("
    "  SELECT c.id, c.key, c.type, c.year, c.language, h.schools"
    "  FROM (" SCAN(AFTER_CURSOR, "$18::int") ") c" HITS_WHERE
    "  ORDER BY c.key, c.id LIMIT $13::int + 1) x),"
    " more AS (SELECT (SELECT count(*) FROM head) >= $14::int AS capped) "
    "SELECT json_build_object("
    " 'total', CASE WHEN (SELECT capped FROM more)"
    "   THEN greatest((SELECT count(*) FROM m),"
    "        CASE WHEN $11::text IS NULL THEN (SELECT count(*) FROM page) ELSE 0 END,"
    "        round(search_estimate(coalesce(plainto_tsquery('simple', $15)"
    "                                       || plainto_tsquery('simple', $16),"
    "                                       plainto_tsquery('simple', $15)))"
    "              * (SELECT count(*) FROM m)::numeric / $14::int)::bigint)"
    "   ELSE (SELECT count(*) FROM m) END,"
    " 'total_approximate', (SELECT capped FROM more),"
    " 'next', CASE WHEN (SELECT count(*) FROM page) > $13::int"
    "   THEN (SELECT json_build_object('key', p.key::text, 'id', p.id) FROM page p"
    "         WHERE p.n = $13::int)"
    "   WHEN (SELECT count(*) FROM scan) >= $18::int"
    "   THEN (SELECT json_build_object('key', s.key::text, 'id', s.id) FROM scan s"
    "         ORDER BY s.key DESC, s.id DESC LIMIT 1) END,"
    " 'facets_approximate', (SELECT capped FROM more)),"
    " coalesce((SELECT json_agg(search_hit(r, h, (1.0 / (1 + p.key))::real) ORDER BY p.n)"
    "   FROM page p JOIN records r ON r.id = p.id"
    "   LEFT JOIN record_holdings h ON h.record_id = p.id WHERE p.n <= $13::int), '[]'), " FACETS;
// clang-format on

static const char sql_plan[] =
    "SELECT lex1, lex2, bound, words, other FROM search_plan($1, $2::int)";

ibc_rc store_search_plan(ibc_ctx *ctx, search_query *sq, bool force_postings)
{
    char cap[16];
    snprintf(cap, sizeof cap, "%d", SEARCH_EXACT_MAX);
    const char *p[] = {sq->q, cap};
    PGresult *r = ibc_db_exec(ctx, sql_plan, 2, p);
    if (!r) return ctx->err;
    bool walkable = PQntuples(r) == 1 && !PQgetisnull(r, 0, 0);
    long bound = walkable ? atol(PQgetvalue(r, 0, 2)) : 0;
    if (walkable && (force_postings || bound > SEARCH_EXACT_MAX)) {
        sq->mode = SEARCH_POSTINGS;
        snprintf(sq->lex1, sizeof sq->lex1, "%s", PQgetvalue(r, 0, 0));
        snprintf(sq->lex2, sizeof sq->lex2, "%s", PQgetisnull(r, 0, 1) ? "" : PQgetvalue(r, 0, 1));
        sq->multiword = atol(PQgetvalue(r, 0, 3)) > 1;
        snprintf(sq->other, sizeof sq->other, "%s",
                 PQgetisnull(r, 0, 4) ? "" : PQgetvalue(r, 0, 4));
    } else {
        sq->mode = SEARCH_FULLTEXT;
    }
    PQclear(r);
    if (force_postings && sq->mode != SEARCH_POSTINGS)
        return ibc_fail(ctx, IBC_EINVAL,
                        "parameter 'cursor' does not belong to this query; repeat the parameters "
                        "of the first page");
    return IBC_OK;
}

/* Browsing has no ranking to compute, so the page comes straight from the
 * (created_at, id) index; the total is exact, the facets are counted over the
 * newest SEARCH_FACET_CAP matches ($14). */
static const char sql_newest[] =
    "WITH m AS MATERIALIZED (SELECT r.id, r.type, r.year, r.language, h.schools"
    "   FROM records r LEFT JOIN record_holdings h ON h.record_id = r.id WHERE true" FILTERS
    "   ORDER BY r.created_at DESC, r.id DESC LIMIT $14::int),"
    " page AS (SELECT r.id, r.created_at AS key,"
    "   row_number() OVER (ORDER BY r.created_at DESC, r.id DESC) AS n"
    "   FROM records r LEFT JOIN record_holdings h ON h.record_id = r.id"
    "   WHERE ($11::text IS NULL OR (r.created_at, r.id) < ($11::timestamptz, $12::uuid))" FILTERS
    "   ORDER BY r.created_at DESC, r.id DESC LIMIT $13::int + 1),"
    " total AS (SELECT count(*) AS n FROM records r"
    "   LEFT JOIN record_holdings h ON h.record_id = r.id WHERE $1::text IS NULL" FILTERS ") "
    "SELECT json_build_object("
    " 'total', (SELECT n FROM total),"
    " 'next', (SELECT json_build_object('key', p.key::text, 'id', p.id) FROM page p"
    "   WHERE p.n = $13::int AND EXISTS (SELECT 1 FROM page x WHERE x.n > $13::int)),"
    " 'facets_approximate', (SELECT n FROM total) > $14::int),"
    " coalesce((SELECT json_agg(search_hit(r, h, NULL) ORDER BY p.n)"
    "   FROM page p JOIN records r ON r.id = p.id"
    "   LEFT JOIN record_holdings h ON h.record_id = p.id WHERE p.n <= $13::int), '[]'), " FACETS;

/* The text parameters $1..$19 of a search; p borrows the buffers. */
typedef struct {
    char avail[8], yf[16], yt[16], age[16], grade[16], limit[16], cap[16], scan[16];
    const char *p[20];
} search_params;

/* How many postings a walk reads after the cursor: one page when every
 * posting is a hit (no filters, one word), more when an index probe alone
 * checks the second of two words. */
static int walk_scan(const search_query *sq)
{
    bool filters = sq->type || sq->school || sq->subject || sq->language || sq->available >= 0 ||
                   sq->year_from >= 0 || sq->year_to >= 0 || sq->age_max >= 0 || sq->grade >= 0;
    if (!filters && !sq->multiword) return sq->limit + 1;
    if (sq->multiword && sq->other[0] && !filters) return SEARCH_WALK_SCAN * 5;
    return SEARCH_WALK_SCAN;
}

static void search_params_fill(search_params *sp, const search_query *sq)
{
    /* the walk reads records only for these filters or a word without postings */
    bool needs_record =
        sq->age_max >= 0 || sq->grade >= 0 || sq->subject || (sq->multiword && !sq->other[0]);
    snprintf(sp->scan, sizeof sp->scan, "%d", walk_scan(sq));
    snprintf(sp->avail, sizeof sp->avail, "%s", sq->available ? "true" : "false");
    snprintf(sp->yf, sizeof sp->yf, "%ld", sq->year_from);
    snprintf(sp->yt, sizeof sp->yt, "%ld", sq->year_to);
    snprintf(sp->age, sizeof sp->age, "%ld", sq->age_max);
    snprintf(sp->grade, sizeof sp->grade, "%ld", sq->grade);
    snprintf(sp->limit, sizeof sp->limit, "%d", sq->limit);
    snprintf(sp->cap, sizeof sp->cap, "%d",
             sq->mode == SEARCH_POSTINGS ? SEARCH_WALK_FACETS : SEARCH_FACET_CAP);
    const char *p[] = {
        sq->mode == SEARCH_NEWEST ? NULL : sq->q,
        sq->type,
        sq->school,
        sq->available < 0 ? NULL : sp->avail,
        sq->year_from < 0 ? NULL : sp->yf,
        sq->year_to < 0 ? NULL : sp->yt,
        sq->age_max < 0 ? NULL : sp->age,
        sq->grade < 0 ? NULL : sp->grade,
        sq->subject,
        sq->language,
        sq->after_key,
        sq->after_id,
        sp->limit,
        sp->cap,
        sq->lex1,
        sq->lex2[0] ? sq->lex2 : NULL,
        sq->multiword ? "true" : "false",
        sp->scan,
        sq->other[0] ? sq->other : NULL,
        needs_record ? "true" : "false",
    };
    memcpy(sp->p, p, sizeof p);
}

/* Column c of r's row as compact JSON text (malloc'd), NULL when out of memory. */
static char *column_text(PGresult *r, int c)
{
    size_t len = (size_t)PQgetlength(r, 0, c);
    char *text = malloc(len + 1);
    if (!text) return NULL;
    memcpy(text, PQgetvalue(r, 0, c), len);
    ibc_json_compact(text, len);
    return text;
}

/* The store's answer from r (which it clears): the first column parsed, the
 * items and facets as PostgreSQL printed them, whitespace taken out. */
static ibc_rc result_of(ibc_ctx *ctx, PGresult *r, search_result *out)
{
    *out = (search_result){0};
    if (!r) return ctx->err;
    ibc_rc rc = IBC_OK;
    json_error_t jerr;
    if (PQntuples(r) != 1 || PQnfields(r) != 3 || PQgetisnull(r, 0, 0))
        rc = ibc_fail(ctx, IBC_EINTERNAL, "the search statement returned no row");
    else if (!(out->meta = json_loadb(PQgetvalue(r, 0, 0), PQgetlength(r, 0, 0), 0, &jerr)))
        rc = ibc_fail(ctx, IBC_EINTERNAL, "database returned bad JSON: %s", jerr.text);
    else if (!(out->items = column_text(r, 1)) || !(out->facets = column_text(r, 2)))
        rc = ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    PQclear(r);
    if (rc != IBC_OK) search_result_free(out);
    return rc;
}

void search_result_free(search_result *r)
{
    json_decref(r->meta);
    free(r->items);
    free(r->facets);
    *r = (search_result){0};
}

/* The one-word walk has one shape whatever the values: planning it per call
 * cost 1.6-1.9 ms of a ~5.4 ms search (EXPLAIN of EXECUTE, 1M records), its
 * generic plan 0.05 ms and runs in 3.0 ms. Prepared here, with generic plans
 * forced for this statement's transaction only (the two-word walk got slower
 * with a generic plan). */
static ibc_rc walk_one_word(ibc_ctx *ctx, const char *const *p, int n, search_result *out)
{
    PGresult *g =
        PQexec(ctx->db, "BEGIN READ ONLY; SET LOCAL plan_cache_mode = force_generic_plan");
    bool began = PQresultStatus(g) == PGRES_COMMAND_OK;
    PQclear(g);
    ibc_rc rc = result_of(ctx,
                          began ? ibc_db_exec(ctx, sql_postings, n, p)
                                : ibc_db_exec_planned(ctx, sql_postings, n, p),
                          out);
    if (began) PQclear(PQexec(ctx->db, rc == IBC_OK ? "COMMIT" : "ROLLBACK"));
    return rc;
}

ibc_rc store_search(ibc_ctx *ctx, const search_query *sq, search_result *out)
{
    search_params sp;
    search_params_fill(&sp, sq);
    const char *sql = sq->mode == SEARCH_FULLTEXT   ? sql_fulltext
                      : sq->mode == SEARCH_FUZZY    ? sql_fuzzy
                      : sq->mode == SEARCH_POSTINGS ? sql_postings
                                                    : sql_newest;
    int n = sq->mode == SEARCH_NEWEST ? 14 : sq->mode == SEARCH_POSTINGS ? 20 : 13;
    if (sq->mode == SEARCH_POSTINGS && !sq->multiword) return walk_one_word(ctx, sp.p, n, out);
    return result_of(ctx, ibc_db_exec_planned(ctx, sql, n, sp.p), out);
}

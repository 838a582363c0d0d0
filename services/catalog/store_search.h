/* The catalog's search SQL: full text, trigram fallback, and browsing newest
 * first, each with filters, facet counts and keyset pagination in one
 * statement that PostgreSQL answers in one row (store_search). */
#ifndef CATALOG_STORE_SEARCH_H
#define CATALOG_STORE_SEARCH_H

#include <ibc/ibc.h>

typedef enum {
    SEARCH_FULLTEXT = 'f', /* ranked by ts_rank_cd over the weighted tsv */
    SEARCH_POSTINGS = 'p', /* many matches: by best field (title first), from postings */
    SEARCH_FUZZY = 't',    /* ranked by trigram word similarity of the title */
    SEARCH_NEWEST = 'n',   /* no query: newest first */
} search_mode;

/* A search; NULL strings and negative numbers mean "no such filter". */
typedef struct {
    search_mode mode;
    const char *q;
    const char *type, *school, *subject, *language;
    int available; /* -1 none, 0 not available now, 1 available now */
    long year_from, year_to, age_max, grade;
    const char *after_key, *after_id; /* keyset position, or NULL for the first page */
    int limit;
    /* SEARCH_POSTINGS: the lexemes of the word that drives the walk, and
     * whether other words must be checked against the record */
    char lex1[512], lex2[512];
    bool multiword;
    char other[1100]; /* {stem,literal} of the second word of two, checked on postings */
} search_query;

/* The search's filters over records r and record_holdings h, parameters $2
 * type, $3 school, $4 available, $5 year_from, $6 year_to, $7 age_max, $8
 * grade, $9 subject, $10 language: each NULL when absent. The export uses
 * them too; they leave out records blocked by the federal list of extremist
 * materials unless store_search_show_blocked turned that off (SEARCH_NOT_BLOCKED). */
#define SEARCH_FILTERS                                                                             \
    " AND ($2::text IS NULL OR r.type = $2)"                                                       \
    " AND ($3::text IS NULL OR h.schools @> ARRAY[$3::text])"                                      \
    " AND ($4::bool IS NULL OR $4::bool = coalesce(CASE WHEN $3::text IS NULL"                     \
    "      THEN h.available > 0 ELSE h.available_schools @> ARRAY[$3::text] END, false))"          \
    " AND ($5::int IS NULL OR r.year >= $5::int) AND ($6::int IS NULL OR r.year <= $6::int)"       \
    " AND ($7::int IS NULL OR age_num(r.age_rating) <= $7::int)"                                   \
    " AND ($8::int IS NULL OR $8::int BETWEEN coalesce(r.grade_from, r.grade_to)"                  \
    "      AND coalesce(r.grade_to, r.grade_from))"                                                \
    " AND ($9::text IS NULL OR lower(r.textbook_subject) = lower($9::text))"                       \
    " AND ($10::text IS NULL OR lower(r.language) = lower($10::text))" SEARCH_NOT_BLOCKED("r.id")

/* Records blocked by the federal list of extremist materials are left out
 * unless the connection's ibc.show_blocked is on (store_search_show_blocked:
 * the network's roles see them). */
#define SEARCH_NOT_BLOCKED(id)                                                                     \
    " AND (current_setting('ibc.show_blocked', true) = 'on' OR NOT EXISTS (SELECT 1"               \
    "      FROM extremist_blocked x WHERE x.record_id = " id "))"

/* Above this many matches (bounded by the postings of the rarest word) the
 * search walks postings instead of ranking every match; facets are then
 * counted over the first SEARCH_WALK_FACETS matches of the walk. */
#define SEARCH_EXACT_MAX 300
#define SEARCH_WALK_FACETS 200
/* Postings one request reads after the cursor when filters or other words may
 * reject some; the page then holds the hits among them. */
#define SEARCH_WALK_SCAN 300

/* A query that finds fewer records than this is corrected (keyboard layout,
 * a wrong letter or two) and searched again; the correction's hits follow. */
#define SEARCH_FORGIVE_BELOW 3

/* Facets are counted over at most this many newest records when browsing
 * without a query (the answer then says facets_approximate). */
#define SEARCH_FACET_CAP 10000
/* The fuzzy fallback ranks at most this many titles that pass the trigram
 * test (in the index's order), and says its total is approximate when it
 * meets the cap: a query of stop words only («моя», «того») found nothing in
 * full text and passed 60,935 titles of 1,000,000 to word_similarity, 2.6 s. */
#define SEARCH_FUZZY_CAP 1000

/* A search's answer from the store. meta: {total, next, facets_approximate,
 * and total_approximate for a walk}; items and facets: JSON text as
 * PostgreSQL printed it (without whitespace between tokens), which goes into
 * the reply without being parsed (ibc_reply_json_text). */
typedef struct {
    json_t *meta;
    char *items, *facets;
} search_result;

/* Chooses how to run a full-text search of sq->q: SEARCH_FULLTEXT when at
 * most SEARCH_EXACT_MAX records can match, else SEARCH_POSTINGS with the
 * driving lexemes filled in (also for a cursor of a postings walk: force). */
ibc_rc store_search_plan(ibc_ctx *ctx, search_query *sq, bool force_postings);

/* Runs the search into *out (the caller frees it with search_result_free):
 * meta {"total", "facets_approximate", "next": {"key", "id"} | null}, items
 * [...] and facets {...}. */
ibc_rc store_search(ibc_ctx *ctx, const search_query *sq, search_result *out);
/* Frees r's parts and empties it. */
void search_result_free(search_result *r);

#endif

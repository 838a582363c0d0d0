/* records.search: the union catalog's search. Full text first; when it finds
 * little, the query typed in the wrong keyboard layout or with a wrong letter
 * or two is corrected and searched again ("showing results for"); when still
 * nothing, trigram similarity on titles; without q, newest first. Filters,
 * facet counts and an opaque keyset cursor. */
#include "catalog.h"
#include "extremist/extremist.h"
#include "params.h"
#include "query_fix.h"
#include "store_search.h"
#include "store_suggest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ibc/json.h>

/* The cursor is the hex of "<mode>|<key>|<id>": opaque to clients, safe in a
 * query string. Writes it into out (>= 2 * 128 + 1 bytes). */
static void cursor_encode(char mode, const char *key, const char *id, char *out, size_t outlen)
{
    char plain[128];
    int n = snprintf(plain, sizeof plain, "%c|%s|%s", mode, key, id);
    size_t j = 0;
    for (int i = 0; i < n && j + 2 < outlen; i++)
        j += snprintf(out + j, outlen - j, "%02x", (unsigned char)plain[i]);
    out[j] = 0;
}

/* Parses a cursor into mode, key and id (written into key[64], id[37]).
 * IBC_EINVAL when it is not one this API wrote. */
static ibc_rc cursor_decode(ibc_ctx *ctx, const char *c, char *mode, bool *corrected, char key[64],
                            char id[37])
{
    char plain[128];
    size_t n = strlen(c);
    bool ok = n % 2 == 0 && n / 2 < sizeof plain && n >= 8;
    for (size_t i = 0; ok && i < n / 2; i++) {
        unsigned v;
        ok = isxdigit((unsigned char)c[2 * i]) && isxdigit((unsigned char)c[2 * i + 1]) &&
             sscanf(c + 2 * i, "%2x", &v) == 1 && v >= 0x20 && v < 0x7f;
        if (ok) plain[i] = (char)v;
    }
    if (ok) plain[n / 2] = 0;
    char *bar1 = ok ? strchr(plain, '|') : NULL, *bar2 = bar1 ? strrchr(plain, '|') : NULL;
    ok = bar1 && bar2 && bar1 != bar2 && bar1 == plain + 1 && bar2 - bar1 - 1 < 64 &&
         bar2 - bar1 > 1 && strlen(bar2 + 1) == 36;
    if (ok) {
        /* an upper-case mode: the pages of a corrected query */
        *corrected = isupper((unsigned char)plain[0]) != 0;
        *mode = (char)tolower((unsigned char)plain[0]);
        memcpy(key, bar1 + 1, bar2 - bar1 - 1);
        key[bar2 - bar1 - 1] = 0;
        memcpy(id, bar2 + 1, 37);
        ok = ibc_uuid_valid(id);
    }
    if (ok && *mode == SEARCH_POSTINGS) {
        ok = strlen(key) == 1 && key[0] >= '0' && key[0] <= '3';
    } else if (ok && (*mode == SEARCH_FULLTEXT || *mode == SEARCH_FUZZY)) {
        char *end;
        strtof(key, &end);
        ok = *end == 0;
    } else if (ok && *mode == SEARCH_NEWEST) {
        /* a timestamptz as PostgreSQL prints it: 2025-01-31 12:00:00.123456+00 */
        ok = strlen(key) >= 19 && isdigit((unsigned char)key[0]);
        for (const char *k = key; ok && *k; k++)
            ok = isdigit((unsigned char)*k) || strchr(" -:.+T", *k);
    } else {
        ok = false;
    }
    if (!ok)
        return ibc_fail(ctx, IBC_EINVAL,
                        "parameter 'cursor' is not a cursor of this search; pass next_cursor "
                        "from the previous page unchanged");
    return IBC_OK;
}

/* Reads and checks every parameter into sq. IBC_EINVAL naming the first bad one. */
static ibc_rc parse(ibc_ctx *ctx, const json_t *req, search_query *sq, char key[64], char id[37],
                    bool *has_cursor, bool *corrected)
{
    static const char *const allowed[] = {"q",       "type",    "school", "available", "year_from",
                                          "year_to", "age_max", "grade",  "subject",   "language",
                                          "limit",   "cursor",  NULL};
    long limit = 20;
    bool present;
    const char *cursor = NULL;
    *sq = (search_query){
        .available = -1, .year_from = -1, .year_to = -1, .age_max = -1, .grade = -1, .limit = 20};
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    record_filter f;
    if (rc == IBC_OK) rc = params_record_filter(ctx, req, &f);
    if (rc == IBC_OK) {
        sq->q = f.q, sq->type = f.type, sq->school = f.school, sq->subject = f.subject;
        sq->language = f.language, sq->available = f.available, sq->year_from = f.year_from;
        sq->year_to = f.year_to, sq->age_max = f.age_max, sq->grade = f.grade;
    }
    if (rc == IBC_OK) rc = param_int(ctx, req, "limit", 1, 100, &limit, &present);
    if (rc == IBC_OK) sq->limit = (int)limit;
    if (rc == IBC_OK) rc = param_str(ctx, req, "cursor", 256, &cursor);
    *has_cursor = cursor != NULL;
    if (rc == IBC_OK && cursor) {
        char mode = 0;
        rc = cursor_decode(ctx, cursor, &mode, corrected, key, id);
        if (rc == IBC_OK && (mode == SEARCH_NEWEST) != (sq->q == NULL))
            rc = ibc_fail(ctx, IBC_EINVAL,
                          "parameter 'cursor' belongs to a search %s q; repeat the parameters of "
                          "the first page",
                          mode == SEARCH_NEWEST ? "without" : "with");
        sq->mode = mode;
        sq->after_key = key;
        sq->after_id = id;
    } else if (rc == IBC_OK) {
        sq->mode = sq->q ? SEARCH_FULLTEXT : SEARCH_NEWEST;
    }
    return rc;
}

/* Full text for sq (its mode and lexemes chosen here); *res = the store's
 * answer. */
static ibc_rc run_fulltext(ibc_ctx *ctx, search_query *sq, bool has_cursor, search_result *res)
{
    ibc_rc rc = IBC_OK;
    /* many matches: walk postings rather than rank them all (store_search.h) */
    if (sq->mode == SEARCH_FULLTEXT && !has_cursor)
        rc = store_search_plan(ctx, sq, false);
    else if (sq->mode == SEARCH_POSTINGS)
        rc = store_search_plan(ctx, sq, true);
    if (rc == IBC_OK) rc = store_search(ctx, sq, res);
    return rc;
}

static long total_of(const search_result *res)
{
    return (long)json_integer_value(json_object_get(res->meta, "total"));
}

static bool approximate(const search_result *res)
{
    return json_is_true(json_object_get(res->meta, "total_approximate"));
}

/* Newest first or fuzzy: store_search, and a fuzzy answer that met
 * SEARCH_FUZZY_CAP says that its total is approximate. */
static ibc_rc run_stored(ibc_ctx *ctx, search_query *sq, search_result *res)
{
    ibc_rc rc = store_search(ctx, sq, res);
    if (rc == IBC_OK && sq->mode == SEARCH_FUZZY && total_of(res) >= SEARCH_FUZZY_CAP)
        json_object_set_new(res->meta, "total_approximate", json_true());
    return rc;
}

/* The query as it was probably meant, into fixed (empty: no idea): typed
 * with the Latin layout, or with unknown words close to known ones. */
static ibc_rc correction(ibc_ctx *ctx, const char *q, char *fixed, size_t len, const char **how)
{
    if (query_layout_ru(q, fixed, len)) {
        *how = "layout";
        return IBC_OK;
    }
    *how = "spelling";
    return store_search_correct(ctx, q, fixed, len);
}

/* The hits of `first` (the query as typed) ahead of those of `better` (the
 * corrected query) that are not among them, at most limit, into better's
 * items and total; better's other parts stay. A rare path (the query as typed
 * found fewer than SEARCH_FORGIVE_BELOW), so the items are parsed here. */
static ibc_rc rank_below(ibc_ctx *ctx, const search_result *first, search_result *better, int limit)
{
    json_t *mine = json_loads(first->items, 0, NULL), *theirs = json_loads(better->items, 0, NULL);
    json_t *items = json_copy(mine);
    size_t i, k;
    json_t *v, *w;
    long extra = 0;
    json_array_foreach(theirs, i, v)
    {
        bool dup = false;
        json_array_foreach(mine, k, w) dup |=
            json_equal(json_object_get(v, "id"), json_object_get(w, "id"));
        if (dup) continue;
        extra++;
        if ((int)json_array_size(items) < limit) json_array_append(items, v);
    }
    json_int_t total = total_of(first) + total_of(better) - ((long)json_array_size(theirs) - extra);
    char *text = items ? json_dumps(items, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(mine);
    json_decref(theirs);
    json_decref(items);
    if (!text) return ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    free(better->items);
    better->items = text;
    json_object_set_new(better->meta, "total", json_integer(total));
    return IBC_OK;
}

/* When the query as typed finds fewer than SEARCH_FORGIVE_BELOW records (and
 * knows it), searches the corrected query; keeps it when it finds more.
 * *shown = the corrected query (static storage) or NULL. */
static ibc_rc forgive(ibc_ctx *ctx, search_query *sq, search_result *res, const char **shown,
                      const char **how)
{
    static __thread char fixed[512];
    *shown = NULL;
    if (total_of(res) >= SEARCH_FORGIVE_BELOW || approximate(res)) return IBC_OK;
    ibc_rc rc = correction(ctx, sq->q, fixed, sizeof fixed, how);
    if (rc != IBC_OK || !fixed[0] || strcmp(fixed, sq->q) == 0) return rc;
    search_query alt = *sq;
    alt.q = fixed;
    alt.mode = SEARCH_FULLTEXT;
    search_result better = {0};
    rc = run_fulltext(ctx, &alt, false, &better);
    if (rc == IBC_OK && total_of(&better) > total_of(res)) {
        rc = rank_below(ctx, res, &better, sq->limit);
        if (rc == IBC_OK) {
            search_result first = *res;
            *res = better;
            better = first;
            *sq = alt;
            *shown = fixed;
        }
    }
    search_result_free(&better);
    return rc;
}

/* The answer of records.search from the store's result res (borrowed) for
 * sq; shown/how: the correction that was searched, or NULL. The members
 * other than items and facets are printed by jansson, those two go in as
 * PostgreSQL printed them. Returns the JSON text (malloc'd, *len its length),
 * NULL when out of memory. */
static char *answer(const search_query *sq, const search_result *res, const char *shown,
                    const char *how, size_t *len)
{
    json_t *next = json_object_get(res->meta, "next");
    json_t *cursor = json_null();
    if (json_is_object(next)) {
        char c[300];
        cursor_encode(shown ? (char)toupper(sq->mode) : (char)sq->mode,
                      json_string_value(json_object_get(next, "key")),
                      json_string_value(json_object_get(next, "id")), c, sizeof c);
        cursor = json_string(c);
    }
    const char *mode = sq->mode == SEARCH_FUZZY    ? "fuzzy"
                       : sq->mode == SEARCH_NEWEST ? "newest"
                                                   : "fulltext";
    /* ranked_by: "score" (ts_rank_cd or similarity), "field" (best field of
     * the rarest word: title, authors, subjects, annotation), "date" */
    const char *ranked_by = sq->mode == SEARCH_POSTINGS ? "field"
                            : sq->mode == SEARCH_NEWEST ? "date"
                                                        : "score";
    json_t *rest = json_pack(
        "{s:O, s:b, s:o, s:O, s:s, s:s}", "total", json_object_get(res->meta, "total"),
        "total_approximate", approximate(res), "next_cursor", cursor, "facets_approximate",
        json_object_get(res->meta, "facets_approximate"), "mode", mode, "ranked_by", ranked_by);
    if (rest && shown) {
        json_object_set_new(rest, "showing_results_for", json_string(shown));
        json_object_set_new(rest, "corrected", json_string(how));
    }
    char *tail = rest ? json_dumps(rest, JSON_COMPACT) : NULL;
    json_decref(rest);
    if (!tail) return NULL;
    /* {"items":ITEMS,"facets":FACETS,<tail without its '{'> */
    size_t n = strlen("{\"items\":,\"facets\":,") + strlen(res->items) + strlen(res->facets) +
               strlen(tail + 1);
    char *out = malloc(n + 1);
    if (out)
        *len = (size_t)snprintf(out, n + 1, "{\"items\":%s,\"facets\":%s,%s", res->items,
                                res->facets, tail + 1);
    free(tail);
    return out;
}

/* records.search: 200 {"items", "total", "next_cursor", "facets",
 * "facets_approximate", "mode"}; 400 naming a bad parameter. */
ibc_rc records_search(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    (void)reply; /* the answer is JSON text: ibc_reply_json_text */
    search_query sq;
    char key[64], id[37], fixed[512];
    bool has_cursor, corrected = false;
    const char *shown = NULL, *how = NULL;
    search_result res = {0};
    ibc_rc rc = parse(ctx, req, &sq, key, id, &has_cursor, &corrected);
    if (rc == IBC_OK) rc = extremist_search_scope(ctx);
    /* the next page of a corrected query: correct it the same way again */
    if (rc == IBC_OK && corrected) {
        rc = correction(ctx, sq.q, fixed, sizeof fixed, &how);
        if (rc == IBC_OK && fixed[0]) sq.q = shown = fixed;
    }
    if (rc == IBC_OK && sq.mode != SEARCH_NEWEST && sq.mode != SEARCH_FUZZY)
        rc = run_fulltext(ctx, &sq, has_cursor, &res);
    else if (rc == IBC_OK)
        rc = run_stored(ctx, &sq, &res);
    if (rc == IBC_OK && sq.q && !has_cursor && sq.mode != SEARCH_FUZZY)
        rc = forgive(ctx, &sq, &res, &shown, &how);
    /* full text found nothing (a walk that only scanned part of the postings
     * has not): maybe a typo; the cursor remembers the mode */
    if (rc == IBC_OK && (sq.mode == SEARCH_FULLTEXT || sq.mode == SEARCH_POSTINGS) && !has_cursor &&
        total_of(&res) == 0 && !approximate(&res)) {
        search_result_free(&res);
        sq.mode = SEARCH_FUZZY;
        rc = run_stored(ctx, &sq, &res);
    }
    size_t len = 0;
    char *text = rc == IBC_OK ? answer(&sq, &res, shown, how, &len) : NULL;
    search_result_free(&res);
    if (rc != IBC_OK) return rc;
    if (!text) return ibc_fail(ctx, IBC_EINTERNAL, "the search answer was incomplete");
    ibc_reply_json_text(ctx, text, len);
    return IBC_OK;
}

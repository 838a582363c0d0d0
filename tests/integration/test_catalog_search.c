/* Catalog search through the gateway: ranking, Russian stemming, the typo
 * fallback, every filter, facet counts, keyset pages that visit every match
 * once, near-duplicates and merge, and bad parameters. Each test marks its
 * records with a unique word, so that reruns on the same database and other
 * tests' records do not disturb the counts. */
#include "harness.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GET /api/v1/catalog/records?q=<q>&<rest> (rest may be ""). */
static h_resp *search(const char *key, const char *q, const char *fmt, ...)
{
    char rest[1024], enc[1024], path[2200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rest, sizeof rest, fmt, ap);
    va_end(ap);
    h_urlenc(q ? q : "", enc, sizeof enc);
    snprintf(path, sizeof path, "/api/v1/catalog/records?%s%s%s%s", q ? "q=" : "", q ? enc : "",
             q && rest[0] ? "&" : "", rest);
    return h_http("GET", path, key ? key : h_admin(), NULL, NULL);
}

/* Creates a record from a JSON body; returns its id (caller frees). */
static char *record(const char *fmt, ...)
{
    char body[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    return h_record(body);
}

/* Adds an item of school with status to a record. */
static void item(const char *rec, const char *school, const char *status)
{
    char *bc = h_uniq("SR");
    char body[512];
    snprintf(body, sizeof body,
             "{\"record_id\":\"%s\",\"barcode\":\"%s\",\"school\":\"%s\",\"status\":\"%s\"}", rec,
             bc, school, status);
    h_resp *r = h_http("POST", "/api/v1/catalog/items", h_admin(), body, NULL);
    assert_int_equal(r->status, 201);
    h_free(r);
    free(bc);
}

/* Position of id in the answer's items, or -1. */
static int pos(const h_resp *r, const char *id)
{
    json_t *items = json_object_get(r->json, "items");
    for (size_t i = 0; i < json_array_size(items); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(items, i), "id")), id) == 0)
            return (int)i;
    return -1;
}

static long total(const h_resp *r)
{
    return (long)json_integer_value(json_object_get(r->json, "total"));
}

/* Count of value in facet `name` (string or integer value), 0 when absent. */
static long facet(const h_resp *r, const char *name, const char *value)
{
    json_t *list = json_object_get(json_object_get(r->json, "facets"), name);
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *f = json_array_get(list, i), *v = json_object_get(f, "value");
        char buf[64];
        if (json_is_integer(v))
            snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        else
            snprintf(buf, sizeof buf, "%s", json_string_value(v));
        if (strcmp(buf, value) == 0) return (long)json_integer_value(json_object_get(f, "count"));
    }
    return 0;
}

/* Asserts that the answer holds exactly the ids given (NULL-terminated). */
static void expect_ids(const h_resp *r, ...)
{
    va_list ap;
    va_start(ap, r);
    long n = 0;
    for (const char *id; (id = va_arg(ap, const char *)); n++) {
        if (pos(r, id) < 0) fprintf(stderr, "missing %s in %s\n", id, r->body);
        assert_true(pos(r, id) >= 0);
    }
    va_end(ap);
    if (total(r) != n) fprintf(stderr, "expected %ld: %s\n", n, r->body);
    assert_int_equal(total(r), n);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), n);
}

static void title_match_ranks_above_annotation_match(void **state)
{
    (void)state;
    char *m = h_uniq("мк");
    char *in_annotation = record("{\"type\":\"book\",\"title\":\"Разные рассказы\","
                                 "\"annotation\":\"Сборник, где встречается %s.\"}",
                                 m);
    char *in_subjects = record("{\"type\":\"book\",\"title\":\"Очерки\",\"subjects\":[\"%s\"]}", m);
    char *in_title = record("{\"type\":\"book\",\"title\":\"Сказки %s\"}", m);
    char *in_author =
        record("{\"type\":\"book\",\"title\":\"Стихи\",\"authors\":[\"%s, И. И.\"]}", m);
    h_resp *r = search(NULL, m, "");
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "mode"), "fulltext");
    assert_int_equal(total(r), 4);
    /* title > authors > subjects > annotation */
    assert_int_equal(pos(r, in_title), 0);
    assert_int_equal(pos(r, in_author), 1);
    assert_int_equal(pos(r, in_subjects), 2);
    assert_int_equal(pos(r, in_annotation), 3);
    json_t *first = json_array_get(json_object_get(r->json, "items"), 0);
    assert_true(json_number_value(json_object_get(first, "score")) > 0);
    assert_null(json_object_get(first, "annotation"));
    h_free(r);
    free(in_annotation);
    free(in_subjects);
    free(in_title);
    free(in_author);
    free(m);
}

static void russian_stemming_finds_other_word_forms(void **state)
{
    (void)state;
    char *m = h_uniq("мк");
    char *id = record("{\"type\":\"textbook\",\"title\":\"Учебник истории %s\","
                      "\"authors\":[\"Пушкин, Александр Сергеевич\"]}",
                      m);
    char q[128];
    snprintf(q, sizeof q, "учебники %s", m);
    h_resp *r = search(NULL, q, "");
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "mode"), "fulltext");
    expect_ids(r, id, NULL);
    h_free(r);
    snprintf(q, sizeof q, "Историю %s", m);
    r = search(NULL, q, "");
    expect_ids(r, id, NULL);
    h_free(r);
    /* a name in another case finds the author */
    snprintf(q, sizeof q, "пушкина %s", m);
    r = search(NULL, q, "");
    expect_ids(r, id, NULL);
    h_free(r);
    /* stop words do not spoil a query */
    snprintf(q, sizeof q, "учебник и %s", m);
    r = search(NULL, q, "");
    expect_ids(r, id, NULL);
    h_free(r);
    free(id);
    free(m);
}

static void typo_is_corrected_from_the_catalog_words(void **state)
{
    (void)state;
    char *m = h_uniq("мк");
    char *id = record("{\"type\":\"textbook\",\"title\":\"Математика %s\"}", m);
    char q[128];
    snprintf(q, sizeof q, "матиматика %s", m);
    char *portal = h_new_key("school-portal", "portal");
    h_resp *r = search(portal, q, "limit=100");
    assert_int_equal(r->status, 200);
    /* "матиматика" is one letter from a word of the catalog: corrected */
    assert_string_equal(h_str(r, "mode"), "fulltext");
    assert_non_null(strstr(h_str(r, "showing_results_for"), "математика"));
    assert_int_equal(pos(r, id), 0);
    h_free(r);
    /* full text answers when it finds something */
    snprintf(q, sizeof q, "математика %s", m);
    r = search(portal, q, "");
    assert_string_equal(h_str(r, "mode"), "fulltext");
    expect_ids(r, id, NULL);
    h_free(r);
    free(portal);
    free(id);
    free(m);
}

static void every_filter_narrows_and_facets_count_the_whole_result(void **state)
{
    (void)state;
    char *m = h_uniq("мк");
    char *s1 = h_uniq("school-f1-"), *s2 = h_uniq("school-f2-");
    char *r1 = record("{\"type\":\"book\",\"title\":\"Повести %s\",\"year\":2001,"
                      "\"language\":\"rus\",\"age_rating\":\"6+\"}",
                      m);
    char *r2 = record("{\"type\":\"textbook\",\"title\":\"Физика %s\",\"year\":2010,"
                      "\"language\":\"eng\",\"age_rating\":\"12+\",\"textbook\":{\"subject\":"
                      "\"Физика\",\"grade_from\":5,\"grade_to\":6}}",
                      m);
    char *r3 = record("{\"type\":\"e-resource\",\"title\":\"Портал %s\",\"year\":2020,"
                      "\"language\":\"rus\",\"age_rating\":\"18+\",\"eresource\":{\"url\":"
                      "\"https://example.org/x\",\"access\":\"open\"}}",
                      m);
    char *r4 = record("{\"type\":\"book\",\"title\":\"Романы %s\",\"year\":2015,"
                      "\"language\":\"rus\",\"age_rating\":\"0+\"}",
                      m);
    item(r1, s1, "available");
    item(r2, s2, "in_repair");
    item(r4, s1, "available");
    item(r4, s2, "available");
    item(r4, s2, "lost");

    h_resp *r = search(NULL, m, "");
    expect_ids(r, r1, r2, r3, r4, NULL);
    assert_false(json_is_true(json_object_get(r->json, "facets_approximate")));
    assert_int_equal(facet(r, "type", "book"), 2);
    assert_int_equal(facet(r, "type", "textbook"), 1);
    assert_int_equal(facet(r, "type", "e-resource"), 1);
    assert_int_equal(facet(r, "school", s1), 2);
    assert_int_equal(facet(r, "school", s2), 2);
    assert_int_equal(facet(r, "year", "2001"), 1);
    assert_int_equal(facet(r, "year", "2015"), 1);
    assert_int_equal(facet(r, "language", "rus"), 3);
    assert_int_equal(facet(r, "language", "eng"), 1);
    h_free(r);

    /* facets are counted over the filtered result, every page alike */
    r = search(NULL, m, "type=book&limit=1");
    assert_int_equal(total(r), 2);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    assert_int_equal(facet(r, "type", "book"), 2);
    assert_int_equal(facet(r, "type", "textbook"), 0);
    assert_int_equal(facet(r, "school", s1), 2);
    assert_int_equal(facet(r, "school", s2), 1);
    h_free(r);

#define CHECK(params, ...)                                                                         \
    do {                                                                                           \
        h_resp *x = search(NULL, m, "%s", params);                                                 \
        assert_int_equal(x->status, 200);                                                          \
        expect_ids(x, __VA_ARGS__);                                                                \
        h_free(x);                                                                                 \
    } while (0)
    char p[256];
    CHECK("type=textbook", r2, NULL);
    snprintf(p, sizeof p, "school=%s", s1);
    CHECK(p, r1, r4, NULL);
    snprintf(p, sizeof p, "school=%s", s2); /* in repair is held; lost is not */
    CHECK(p, r2, r4, NULL);
    CHECK("available=true", r1, r4, NULL);
    CHECK("available=false", r2, r3, NULL);
    snprintf(p, sizeof p, "school=%s&available=true", s2);
    CHECK(p, r4, NULL);
    CHECK("year_from=2010", r2, r3, r4, NULL);
    CHECK("year_to=2012", r1, r2, NULL);
    CHECK("year_from=2011&year_to=2016", r4, NULL);
    CHECK("age_max=6", r1, r4, NULL);
    CHECK("age_max=12%2B", r1, r2, r4, NULL);
    CHECK("grade=6", r2, NULL);
    CHECK("subject=%D1%84%D0%B8%D0%B7%D0%B8%D0%BA%D0%B0", r2, NULL); /* "физика" */
    CHECK("language=eng", r2, NULL);
    CHECK("language=rus&type=book", r1, r4, NULL);
    CHECK("grade=9", NULL);

    /* without q: newest first, with the same filters */
    snprintf(p, sizeof p, "school=%s", s1);
    r = search(NULL, NULL, "%s", p);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "mode"), "newest");
    expect_ids(r, r4, r1, NULL);
    assert_int_equal(pos(r, r4), 0);
    assert_int_equal(facet(r, "school", s1), 2);
    h_free(r);
    free(r1);
    free(r2);
    free(r3);
    free(r4);
    free(s1);
    free(s2);
    free(m);
}

/* Follows next_cursor from the first page; counts how often each id of ids
 * was seen into seen[], returns the number of pages. */
static int walk(const char *q, const char *filter, int limit, char **ids, int n, int *seen,
                int *rows)
{
    char cursor[400] = "";
    int pages = 0;
    *rows = 0;
    do {
        h_resp *r = cursor[0] ? search(NULL, q, "%s&limit=%d&cursor=%s", filter, limit, cursor)
                              : search(NULL, q, "%s&limit=%d", filter, limit);
        assert_int_equal(r->status, 200);
        json_t *items = json_object_get(r->json, "items");
        assert_true((int)json_array_size(items) <= limit);
        *rows += (int)json_array_size(items);
        for (int k = 0; k < n; k++)
            seen[k] += pos(r, ids[k]) >= 0;
        const char *next = h_str(r, "next_cursor");
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        h_free(r);
        pages++;
    } while (cursor[0] && pages < 20);
    return pages;
}

static void pages_visit_every_match_exactly_once(void **state)
{
    (void)state;
    char *m = h_uniq("мк");
    char *school = h_uniq("school-pg-");
    char *ids[7];
    /* equal titles: equal ranks, so the id breaks the ties */
    for (int i = 0; i < 7; i++) {
        ids[i] = record("{\"type\":\"book\",\"title\":\"Повесть %s\"}", m);
        if (i < 5) item(ids[i], school, "available");
    }
    int seen[7] = {0}, rows;
    assert_int_equal(walk(m, "type=book", 3, ids, 7, seen, &rows), 3);
    assert_int_equal(rows, 7);
    for (int k = 0; k < 7; k++)
        assert_int_equal(seen[k], 1);

    /* browsing without q pages the same way */
    int seen2[5] = {0};
    char filter[128];
    snprintf(filter, sizeof filter, "school=%s", school);
    assert_int_equal(walk(NULL, filter, 2, ids, 5, seen2, &rows), 3);
    assert_int_equal(rows, 5);
    for (int k = 0; k < 5; k++)
        assert_int_equal(seen2[k], 1);
    for (int k = 0; k < 7; k++)
        free(ids[k]);
    free(school);
    free(m);
}

/* More matches than are ranked one by one (SEARCH_EXACT_MAX = 300): the
 * search walks postings, title matches first, and still pages through every
 * match once; facets and total are then approximate. */
static void many_matches_walk_title_first_and_page_through_all(void **state)
{
    (void)state;
    char *m = h_uniq("мк");
    enum { TITLED = 30, TOTAL = 1030 };
    static char *ids[TOTAL];
    for (int i = 0; i < TOTAL; i++)
        ids[i] = i < TITLED ? record("{\"type\":\"book\",\"title\":\"Хроника %s\"}", m)
                            : record("{\"type\":\"%s\",\"title\":\"Сборник\",\"annotation\":"
                                     "\"Упомянут %s.\"}",
                                     i < TITLED + 10 ? "textbook" : "book", m);
    h_resp *r = search(NULL, m, "limit=100");
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "mode"), "fulltext");
    assert_string_equal(h_str(r, "ranked_by"), "field");
    assert_true(json_is_true(json_object_get(r->json, "facets_approximate")));
    assert_true(json_is_true(json_object_get(r->json, "total_approximate")));
    assert_true(total(r) >= 200);
    /* every title match comes before every annotation match */
    for (int i = 0; i < TOTAL; i++) {
        int at = pos(r, ids[i]);
        if (i < TITLED)
            assert_true(at >= 0 && at < TITLED);
        else
            assert_true(at < 0 || at >= TITLED);
    }
    h_free(r);

    int *seen = calloc(TOTAL, sizeof *seen), rows;
    assert_int_equal(walk(m, "type=book", 100, ids, TOTAL, seen, &rows), 11);
    assert_int_equal(rows, TOTAL - 10);
    for (int k = 0; k < TOTAL; k++)
        assert_int_equal(seen[k], k >= TITLED && k < TITLED + 10 ? 0 : 1);
    free(seen);

    /* two words: the other word is checked for every candidate */
    char q2[128];
    snprintf(q2, sizeof q2, "%s хроники", m);
    seen = calloc(TOTAL, sizeof *seen);
    walk(q2, "type=book", 20, ids, TOTAL, seen, &rows);
    assert_int_equal(rows, TITLED);
    for (int k = 0; k < TOTAL; k++)
        assert_int_equal(seen[k], k < TITLED ? 1 : 0);
    free(seen);

    /* a filter that leaves few: pages may be short (each request scans a
     * bounded number of postings), yet every textbook comes exactly once */
    seen = calloc(TOTAL, sizeof *seen);
    int pages = walk(m, "type=textbook", 20, ids, TOTAL, seen, &rows);
    assert_true(pages >= 1 && pages <= 5); /* 1030 postings, 300 a request */
    assert_int_equal(rows, 10);
    for (int k = 0; k < TOTAL; k++)
        assert_int_equal(seen[k], k >= TITLED && k < TITLED + 10 ? 1 : 0);
    free(seen);
    r = search(NULL, m, "type=textbook");
    assert_int_equal(r->status, 200);
    assert_true(facet(r, "type", "textbook") <= 10);
    assert_int_equal(facet(r, "type", "book"), 0);
    h_free(r);
    for (int k = 0; k < TOTAL; k++)
        free(ids[k]);
    free(m);
}

/* A query of stop words only finds nothing in full text; the trigram
 * fallback ranks at most SEARCH_FUZZY_CAP (1,000) titles that pass its test,
 * not every one (60,935 of 1,000,000 records for «моя», 2.6 s), and says
 * that its total is then approximate. */
static void fuzzy_fallback_stops_at_its_cap(void **state)
{
    (void)state;
    char *m = h_uniq("тетрадь");
    for (int i = 0; i < 1001; i++)
        free(record("{\"type\":\"book\",\"title\":\"Моя %s\"}", m));
    h_resp *r = search(NULL, "моя", "limit=20");
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "mode"), "fuzzy");
    assert_int_equal(total(r), 1000);
    assert_true(json_is_true(json_object_get(r->json, "total_approximate")));
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 20);
    h_free(r);
    free(m);
}

static void similar_lists_near_duplicates_and_merge_moves_items(void **state)
{
    (void)state;
    h_events *ev = h_events_open("ibc.evt.catalog.>");
    char *m = h_uniq("мк");
    char *school = h_uniq("school-mg-");
    char *keep = record("{\"type\":\"book\",\"title\":\"Капитанская дочка %s\","
                        "\"authors\":[\"Пушкин, Александр Сергеевич\"],\"year\":1836}",
                        m);
    char *dup = record("{\"type\":\"book\",\"title\":\"Капитанская дочка: %s.\","
                       "\"authors\":[\"Пушкин А. С.\"],\"year\":1837}",
                       m);
    char *other_author = record("{\"type\":\"book\",\"title\":\"Капитанская дочка %s\","
                                "\"authors\":[\"Лермонтов, М. Ю.\"],\"year\":1836}",
                                m);
    char *far_year = record("{\"type\":\"book\",\"title\":\"Капитанская дочка %s\","
                            "\"authors\":[\"Пушкин, А. С.\"],\"year\":1900}",
                            m);
    item(dup, school, "available");
    item(dup, school, "in_repair");
    item(keep, school, "available");

    h_resp *r = h_get(h_admin(), "/api/v1/catalog/records/%s/similar", keep);
    assert_int_equal(r->status, 200);
    json_t *sim = json_object_get(r->json, "similar");
    int found = -1;
    for (size_t i = 0; i < json_array_size(sim); i++) {
        const char *id = json_string_value(json_object_get(json_array_get(sim, i), "id"));
        assert_string_not_equal(id, other_author);
        assert_string_not_equal(id, far_year);
        assert_string_not_equal(id, keep);
        if (strcmp(id, dup) == 0) found = (int)i;
    }
    assert_true(found >= 0);
    json_t *d = json_array_get(sim, found);
    double score = json_number_value(json_object_get(d, "score"));
    assert_true(score > 0.5 && score <= 1.0);
    assert_int_equal(json_integer_value(json_object_get(d, "items")), 2);
    h_free(r);

    char path[160], body[128];
    snprintf(path, sizeof path, "/api/v1/catalog/records/%s/merge", keep);
    r = h_http("POST", path, h_admin(), "{\"from\":\"not-a-uuid\"}", NULL);
    assert_int_equal(r->status, 400);
    h_free(r);
    snprintf(body, sizeof body, "{\"from\":\"%s\"}", keep);
    r = h_http("POST", path, h_admin(), body, NULL);
    assert_int_equal(r->status, 400);
    h_free(r);
    r = h_http("POST", path, h_admin(), "{\"from\":\"00000000-0000-0000-0000-000000000000\"}",
               NULL);
    assert_int_equal(r->status, 422);
    h_free(r);
    char *meth = h_new_key("resource-centre", "methodologist");
    snprintf(body, sizeof body, "{\"from\":\"%s\"}", dup);
    r = h_http("POST", path, meth, body, NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "moved_items")), 2);
    h_free(r);

    r = h_get(h_admin(), "/api/v1/catalog/records/%s", dup);
    assert_int_equal(r->status, 404);
    h_free(r);
    r = h_get(h_admin(), "/api/v1/catalog/items?record_id=%s", keep);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 3);
    h_free(r);
    r = h_get(h_admin(), "/api/v1/catalog/records/%s/availability", keep);
    assert_int_equal(json_integer_value(json_object_get(r->json, "held")), 3);
    assert_int_equal(json_integer_value(json_object_get(r->json, "available")), 2);
    h_free(r);
    /* the search sees the merged holdings */
    char filter[128];
    snprintf(filter, sizeof filter, "school=%s", school);
    r = search(NULL, m, "%s", filter);
    expect_ids(r, keep, NULL);
    h_free(r);

    json_t *e = h_events_find(ev, "ibc.evt.catalog.record.merged", keep, 10000);
    assert_non_null(e);
    json_t *data = json_object_get(e, "data");
    assert_string_equal(json_string_value(json_object_get(data, "merged_id")), dup);
    assert_int_equal(json_integer_value(json_object_get(data, "moved_items")), 2);
    json_decref(e);
    assert_int_equal(h_events_count(ev, "ibc.evt.catalog.record.deleted", dup, 300), 0);
    h_events_close(ev);
    free(meth);
    free(keep);
    free(dup);
    free(other_author);
    free(far_year);
    free(school);
    free(m);
}

static void bad_parameters_are_400(void **state)
{
    (void)state;
    static const struct {
        const char *query;
        const char *needle;
    } cases[] = {
        {"limit=0", "'limit'"},
        {"limit=1000", "'limit'"},
        {"limit=ten", "'limit'"},
        {"type=scroll", "'type'"},
        {"available=maybe", "'available'"},
        {"year_from=abc", "'year_from'"},
        {"year_from=2020&year_to=2010", "after"},
        {"year_to=3000", "'year_to'"},
        {"age_max=7", "'age_max'"},
        {"grade=12", "'grade'"},
        {"grade=0", "'grade'"},
        {"school=bad%20school", "'school'"},
        {"language=12", "'language'"},
        {"cursor=zzz", "'cursor'"},
        {"cursor=6e7c30", "'cursor'"},
        {"colour=red", "unknown query parameter 'colour'"},
        {"q=", "'q'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "/api/v1/catalog/records?%s", cases[i].query);
        h_resp *r = h_http("GET", path, h_admin(), NULL, NULL);
        if (r->status != 400 || !strstr(r->body, cases[i].needle))
            fprintf(stderr, "case %s: %ld %s\n", cases[i].query, r->status, r->body);
        assert_int_equal(r->status, 400);
        assert_non_null(strstr(r->body, cases[i].needle));
        assert_string_equal(h_header(r, "Content-Type"), "application/problem+json");
        h_free(r);
    }
    /* a query of 201 characters */
    char q[260];
    memset(q, 'a', 201);
    q[201] = 0;
    h_resp *r = search(NULL, q, "");
    assert_int_equal(r->status, 400);
    h_free(r);
    /* a cursor of a browse used with q */
    r = search(NULL, NULL, "limit=1");
    assert_int_equal(r->status, 200);
    const char *next = h_str(r, "next_cursor");
    assert_non_null(next);
    char *c = strdup(next);
    h_free(r);
    r = search(NULL, "повесть", "cursor=%s", c);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "without q"));
    h_free(r);
    free(c);
    r = h_get(h_admin(), "/api/v1/catalog/records/not-a-uuid/similar");
    assert_int_equal(r->status, 400);
    h_free(r);
    r = h_get(h_admin(), "/api/v1/catalog/records/00000000-0000-0000-0000-000000000000/similar");
    assert_int_equal(r->status, 404);
    h_free(r);
}

/* A word of Cyrillic letters unique to this run: prefix + the digits of
 * h_uniq spelt with ten letters (caller frees). */
static char *cyr_uniq(const char *prefix)
{
    static const char *const letters[] = {"а", "б", "в", "г", "д", "ж", "з", "к", "л", "м"};
    char *u = h_uniq(""), *out = malloc(strlen(prefix) + 2 * strlen(u) + 1);
    strcpy(out, prefix);
    for (const char *p = u; *p; p++)
        strcat(out, letters[*p - '0']);
    free(u);
    return out;
}

/* True when the search answer r lists record id. */
static bool lists(const h_resp *r, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r->json, "items"), i,
                       v) if (strcmp(json_string_value(json_object_get(v, "id")), id) ==
                              0) return true;
    return false;
}

/* Replaces the UTF-8 Cyrillic letter at character index at (2 bytes each) with rep. */
static void misspell(char *word, size_t at, const char *rep)
{
    memcpy(word + 2 * at, rep, 2);
}

static void typo_in_a_long_word_is_corrected(void **state)
{
    (void)state;
    char *word = cyr_uniq("повесть");
    char *id = record("{\"type\": \"book\", \"title\": \"Капитанская дочка %s\", \"authors\": "
                      "[\"Пушкин, Александр Сергеевич\"]}",
                      word);
    char *typo = strdup(word);
    misspell(typo, 3, "и"); /* повисть... */
    h_resp *r = search(NULL, typo, "limit=100");
    assert_int_equal(r->status, 200);
    assert_true(lists(r, id));
    assert_string_equal(h_str(r, "showing_results_for"), word);
    assert_string_equal(h_str(r, "corrected"), "spelling");
    h_free(r);
    misspell(typo, 5, "ш"); /* two letters wrong: повистш... */
    r = search(NULL, typo, "limit=100");
    assert_true(lists(r, id));
    h_free(r);
    /* the example: an author's name with one wrong letter */
    r = search(NULL, "пушкен", "limit=100");
    assert_int_equal(r->status, 200);
    assert_true(lists(r, id));
    assert_string_equal(h_str(r, "showing_results_for"), "пушкин");
    h_free(r);
    /* the exact query is not corrected */
    r = search(NULL, word, "");
    assert_true(lists(r, id));
    assert_null(json_object_get(r->json, "showing_results_for"));
    h_free(r);
    free(typo);
    free(id);
    free(word);
}

static void yo_and_ye_are_one_letter(void **state)
{
    (void)state;
    char *w1 = cyr_uniq("ель"), *w2 = cyr_uniq("ель");
    char *a =
        record("{\"type\": \"book\", \"title\": \"Ёлка %s\", \"authors\": [\"Алёшин, Пётр\"]}", w1);
    char *b = record("{\"type\": \"book\", \"title\": \"Елка %s\"}", w2);
    char q[200];
    snprintf(q, sizeof q, "елка %s", w1);
    h_resp *r = search(NULL, q, "");
    assert_int_equal(r->status, 200);
    assert_true(lists(r, a));
    assert_null(json_object_get(r->json, "showing_results_for"));
    h_free(r);
    snprintf(q, sizeof q, "ёлка %s", w2);
    r = search(NULL, q, "");
    assert_true(lists(r, b));
    h_free(r);
    snprintf(q, sizeof q, "алешин петр %s", w1);
    r = search(NULL, q, "");
    assert_true(lists(r, a));
    h_free(r);
    free(a);
    free(b);
    free(w1);
    free(w2);
}

static void wrong_keyboard_layout_is_recognised(void **state)
{
    (void)state;
    char *word = cyr_uniq("раскладка");
    char *id = record("{\"type\": \"book\", \"title\": \"Капитанская %s\"}", word);
    /* "капитанская" typed on the Latin layout */
    h_resp *r = search(NULL, "rfgbnfycrfz", "limit=100");
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "showing_results_for"), "капитанская");
    assert_string_equal(h_str(r, "corrected"), "layout");
    assert_true(json_integer_value(json_object_get(r->json, "total")) >= 1);
    h_free(r);
    r = search(NULL, "Rfgbnfycrfz", "limit=100");
    assert_string_equal(h_str(r, "showing_results_for"), "Капитанская");
    h_free(r);
    free(id);
    free(word);
}

static void suggest_completes_titles_and_authors(void **state)
{
    (void)state;
    char *word = cyr_uniq("подсказка");
    char *id = record("{\"type\": \"book\", \"title\": \"%s и лес\", \"authors\": [\"Ёжиков-%s, "
                      "Иван\"]}",
                      word, word);
    char prefix[200], enc[600], path[800];
    /* the title from its first letters, in another case */
    snprintf(prefix, sizeof prefix, "%.*s", (int)strlen(word) - 4, word);
    h_urlenc(prefix, enc, sizeof enc);
    snprintf(path, sizeof path, "/api/v1/catalog/suggest?q=%s&limit=20", enc);
    h_resp *r = h_http("GET", path, h_admin(), NULL, NULL);
    assert_int_equal(r->status, 200);
    bool title = false, author = false;
    size_t i;
    json_t *v;
    char want[300];
    snprintf(want, sizeof want, "%s и лес", word);
    json_array_foreach(json_object_get(r->json, "items"), i, v) title |=
        strcmp(json_string_value(json_object_get(v, "text")), want) == 0 &&
        strcmp(json_string_value(json_object_get(v, "kind")), "title") == 0;
    assert_true(title);
    h_free(r);
    /* an author with ё, typed with е */
    snprintf(prefix, sizeof prefix, "ежиков-%s", word);
    h_urlenc(prefix, enc, sizeof enc);
    snprintf(path, sizeof path, "/api/v1/catalog/suggest?q=%s", enc);
    r = h_http("GET", path, h_admin(), NULL, NULL);
    assert_int_equal(r->status, 200);
    snprintf(want, sizeof want, "Ёжиков-%s, Иван", word);
    json_array_foreach(json_object_get(r->json, "items"), i, v) author |=
        strcmp(json_string_value(json_object_get(v, "text")), want) == 0 &&
        strcmp(json_string_value(json_object_get(v, "kind")), "author") == 0;
    assert_true(author);
    h_free(r);
    /* a LIKE wildcard is a character like any other */
    r = h_http("GET", "/api/v1/catalog/suggest?q=%25", h_admin(), NULL, NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 0);
    h_free(r);
    r = h_http("GET", "/api/v1/catalog/suggest", h_admin(), NULL, NULL);
    assert_int_equal(r->status, 400);
    h_free(r);
    r = h_http("GET", "/api/v1/catalog/suggest?q=a&limit=500", h_admin(), NULL, NULL);
    assert_int_equal(r->status, 400);
    h_free(r);
    free(id);
    free(word);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(title_match_ranks_above_annotation_match),
        cmocka_unit_test(russian_stemming_finds_other_word_forms),
        cmocka_unit_test(typo_is_corrected_from_the_catalog_words),
        cmocka_unit_test(every_filter_narrows_and_facets_count_the_whole_result),
        cmocka_unit_test(pages_visit_every_match_exactly_once),
        cmocka_unit_test(many_matches_walk_title_first_and_page_through_all),
        cmocka_unit_test(fuzzy_fallback_stops_at_its_cap),
        cmocka_unit_test(similar_lists_near_duplicates_and_merge_moves_items),
        cmocka_unit_test(bad_parameters_are_400),
        cmocka_unit_test(typo_in_a_long_word_is_corrected),
        cmocka_unit_test(yo_and_ye_are_one_letter),
        cmocka_unit_test(wrong_keyboard_layout_is_recognised),
        cmocka_unit_test(suggest_completes_titles_and_authors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Stocktaking through the gateway: a check of 1,000 copies with known
 * missing, lent, written-off and foreign ones, a scanner's file with bad
 * lines, the report, writing the missing off by one act; 20,000 scans in
 * one request; bodies that are too big, not text or of the wrong type. */
#include "harness.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COPIES 1000
#define MISSING 7
#define LENT 3

static char *lib, *rec, *other_barcode;
static char today[16];
static json_t *items; /* the receipt's copies, in inventory order */

static const char *barcode(size_t i)
{
    return json_string_value(json_object_get(json_array_get(items, i), "barcode"));
}

static const char *item_id(size_t i)
{
    return json_string_value(json_object_get(json_array_get(items, i), "id"));
}

/* A receipt of `copies` copies of rec for the key's school; new reference to its items. */
static json_t *receive(const char *key, int copies)
{
    char *number = h_uniq("ST-");
    h_resp *r = h_post(key, "/api/v1/catalog/receipts",
                       "{\"number\":\"%s\",\"date\":\"%s\",\"source\":\"gift\",\"lines\":[{"
                       "\"record_id\":\"%s\",\"copies\":%d,\"price_kopecks\":25000}]}",
                       number, today, rec, copies);
    assert_int_equal(r->status, 201);
    json_t *out = json_incref(json_object_get(r->json, "items"));
    assert_int_equal(json_array_size(out), (size_t)copies);
    h_free(r);
    free(number);
    return out;
}

static int setup(void **state)
{
    (void)state;
    h_date_years_ago(0, today);
    char *school = h_uniq("stock-"); /* the key holds the school from here on */
    lib = h_new_key(school, "librarian");
    free(school);
    char *title = h_uniq("Проверка фонда ");
    h_resp *r = h_post(h_admin(), "/api/v1/catalog/records",
                       "{\"type\":\"book\",\"title\":\"%s\",\"bbk\":\"84\"}", title);
    assert_int_equal(r->status, 201);
    rec = strdup(h_str(r, "id"));
    h_free(r), free(title);
    double t0 = h_now_s();
    items = receive(lib, COPIES);
    fprintf(stderr, "a receipt of %d copies: %.0f ms\n", COPIES, (h_now_s() - t0) * 1000);
    char *other = h_uniq("stock-other-");
    char *other_key = h_new_key(other, "librarian");
    json_t *o = receive(other_key, 1);
    other_barcode = strdup(json_string_value(json_object_get(json_array_get(o, 0), "barcode")));
    json_decref(o), free(other), free(other_key);
    return 0;
}

static h_resp *post_text(const char *path, const char *text, const char *type)
{
    char ct[96];
    snprintf(ct, sizeof ct, "Content-Type: %s", type);
    const char *headers[] = {ct, NULL};
    return h_http_raw("POST", path, lib, text, strlen(text), headers);
}

/* Lends copies [lo, hi) to one reader and waits until the catalog knows. */
static void lend(size_t lo, size_t hi)
{
    char *card = h_uniq("STR");
    h_resp *rd =
        h_post(lib, "/api/v1/circulation/readers",
               "{\"card_barcode\":\"%s\",\"name\":\"Читатель\",\"category\":\"teacher\"}", card);
    assert_int_equal(rd->status, 201);
    for (size_t i = lo; i < hi; i++) {
        h_resp *lo_r =
            h_post(lib, "/api/v1/circulation/checkouts",
                   "{\"item_barcode\":\"%s\",\"reader_id\":\"%s\"}", barcode(i), h_str(rd, "id"));
        if (lo_r->status != 201) fprintf(stderr, "checkout: %s\n", lo_r->body);
        assert_int_equal(lo_r->status, 201);
        h_free(lo_r);
        char path[128];
        snprintf(path, sizeof path, "/api/v1/catalog/items/%s", item_id(i));
        assert_int_equal(h_poll_int(lib, path, "on_loan", 1, 10000), 1);
    }
    h_free(rd), free(card);
}

static bool in_report(const json_t *list, const char *bc)
{
    size_t i;
    json_t *it;
    json_array_foreach(list, i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "barcode")), bc) == 0) return true;
    }
    return false;
}

/* 1,000 copies: the first is written off, copies 1..3 lent, 4..10 missing,
 * the rest scanned (one twice), with another school's copy, an unknown
 * barcode and lines that hold no barcode. */
static void stocktake_of_1000_finds_the_missing_and_writes_them_off(void **state)
{
    (void)state;
    h_resp *w = h_post(lib, "/api/v1/catalog/write-offs",
                       "{\"number\":\"ST-W1\",\"date\":\"%s\",\"reason\":\"worn\",\"barcodes\":"
                       "[\"%s\"]}",
                       today, barcode(0));
    assert_int_equal(w->status, 201);
    h_free(w);
    lend(1, 1 + LENT);
    h_resp *st = h_post(lib, "/api/v1/catalog/stocktakes", "{\"note\":\"годовая\"}");
    assert_int_equal(st->status, 201);
    assert_string_equal(h_str(st, "state"), "open");
    char *id = strdup(h_str(st, "id")), path[160];
    h_free(st);
    /* a second check of the whole fund while this one is open: 409 */
    h_resp *twice = h_post(lib, "/api/v1/catalog/stocktakes", "{}");
    assert_int_equal(twice->status, 409);
    h_free(twice);

    /* one scan by hand, as JSON */
    snprintf(path, sizeof path, "/api/v1/catalog/stocktakes/%s/scans", id);
    char one[128];
    snprintf(one, sizeof one, "{\"barcodes\":[\"%s\"]}", barcode(1 + LENT + MISSING));
    h_resp *s1 = post_text(path, one, "application/json");
    assert_int_equal(s1->status, 200);
    assert_int_equal(json_integer_value(json_object_get(s1->json, "recorded")), 1);
    h_free(s1);

    /* the scanner's file */
    size_t cap = COPIES * 40 + 512, o = 0;
    char *file = malloc(cap);
    o += (size_t)snprintf(file + o, cap - o, "\xEF\xBB\xBF%s\r\n", barcode(0)); /* written off */
    for (size_t i = 1 + LENT + MISSING; i < COPIES; i++)
        o += (size_t)snprintf(file + o, cap - o, "%s;2026-12-06 10:00\r\n", barcode(i));
    o += (size_t)snprintf(file + o, cap - o, "%s\n\nNO-SUCH-BARCODE\nbad barcode here\n%s\n",
                          other_barcode, barcode(COPIES - 1));
    double t0 = h_now_s();
    h_resp *s = post_text(path, file, "text/plain");
    fprintf(stderr, "a file of %d lines: %.0f ms\n", COPIES, (h_now_s() - t0) * 1000);
    assert_int_equal(s->status, 200);
    int scanned = COPIES - 1 - LENT - MISSING; /* 989 of the school's, one of them before */
    assert_int_equal(json_integer_value(json_object_get(s->json, "recorded")), scanned - 1 + 3);
    assert_int_equal(json_integer_value(json_object_get(s->json, "repeated")), 2);
    json_t *rej = json_object_get(s->json, "rejected");
    assert_int_equal(json_array_size(rej), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(rej, 0), "line")),
                     scanned + 5);
    json_t *notes = json_object_get(s->json, "notes");
    assert_int_equal(json_array_size(notes), 3);
    const char *why[] = {"written_off", "other_school", "unknown"};
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(notes, i), "note")),
                            why[i]);
    h_free(s);
    free(file);

    snprintf(path, sizeof path, "/api/v1/catalog/stocktakes/%s/close", id);
    h_resp *c = h_post(lib, path, "{}");
    assert_int_equal(c->status, 200);
    json_t *rep = json_object_get(c->json, "report");
    assert_int_equal(json_integer_value(json_object_get(rep, "expected")), COPIES - 1);
    assert_int_equal(json_integer_value(json_object_get(rep, "found")), scanned);
    json_t *missing = json_object_get(rep, "missing");
    assert_int_equal(json_integer_value(json_object_get(missing, "copies")), MISSING);
    assert_int_equal(json_integer_value(json_object_get(missing, "sum_kopecks")), MISSING * 25000);
    for (size_t i = 1 + LENT; i < 1 + LENT + MISSING; i++)
        assert_true(in_report(json_object_get(missing, "items"), barcode(i)));
    json_t *lent = json_object_get(rep, "on_loan");
    assert_int_equal(json_integer_value(json_object_get(lent, "copies")), LENT);
    for (size_t i = 1; i < 1 + LENT; i++)
        assert_true(in_report(json_object_get(lent, "items"), barcode(i)));
    json_t *odd = json_object_get(rep, "not_expected");
    assert_int_equal(json_integer_value(json_object_get(odd, "copies")), 3);
    assert_true(in_report(json_object_get(odd, "items"), other_barcode));
    h_free(c);

    /* closed: no more scans, no second close */
    snprintf(path, sizeof path, "/api/v1/catalog/stocktakes/%s/scans", id);
    h_resp *late = post_text(path, barcode(5), "text/plain");
    assert_int_equal(late->status, 409);
    h_free(late);

    /* the missing go by one act; a second act for them is refused */
    h_resp *act = h_post(lib, "/api/v1/catalog/write-offs",
                         "{\"number\":\"ST-W2\",\"date\":\"%s\",\"reason\":\"lost\","
                         "\"stocktake_id\":\"%s\"}",
                         today, id);
    assert_int_equal(act->status, 201);
    assert_int_equal(json_integer_value(json_object_get(act->json, "copies")), MISSING);
    assert_string_equal(h_str(act, "stocktake_id"), id);
    h_free(act);
    act = h_post(lib, "/api/v1/catalog/write-offs",
                 "{\"number\":\"ST-W3\",\"date\":\"%s\",\"reason\":\"lost\",\"stocktake_id\":"
                 "\"%s\"}",
                 today, id);
    assert_int_equal(act->status, 409);
    h_free(act);
    h_resp *g = h_get(lib, "/api/v1/catalog/stocktakes/%s", id);
    assert_int_equal(g->status, 200);
    assert_non_null(h_str(g, "write_off_id"));
    h_free(g);
    /* another school's librarian does not see the check */
    char *sorg = h_uniq("stock-x-");
    char *stranger = h_new_key(sorg, "librarian");
    free(sorg);
    g = h_get(stranger, "/api/v1/catalog/stocktakes/%s", id);
    assert_int_equal(g->status, 404);
    h_free(g), free(stranger), free(id);
}

/* 20,000 lines in one request: one call, each barcode counted once. */
static void twenty_thousand_scans_are_one_request(void **state)
{
    (void)state;
    h_resp *st = h_post(lib, "/api/v1/catalog/stocktakes", "{\"kind\":\"books\"}");
    assert_int_equal(st->status, 201);
    char path[160];
    snprintf(path, sizeof path, "/api/v1/catalog/stocktakes/%s/scans", h_str(st, "id"));
    size_t cap = 20000 * 16 + 64, o = 0;
    char *file = malloc(cap);
    for (size_t i = 0; i < 20000; i++)
        o += (size_t)snprintf(file + o, cap - o, "%s\n", barcode(i % COPIES));
    double t0 = h_now_s();
    h_resp *s = post_text(path, file, "text/plain");
    double ms = (h_now_s() - t0) * 1000;
    fprintf(stderr, "20,000 scans in one request: %.0f ms\n", ms);
    assert_int_equal(s->status, 200);
    assert_int_equal(json_integer_value(json_object_get(s->json, "lines")), 20000);
    assert_int_equal(json_integer_value(json_object_get(s->json, "recorded")), COPIES);
    assert_int_equal(json_integer_value(json_object_get(s->json, "repeated")), 20000 - COPIES);
    assert_true(ms < 10000 * h_test_scale());
    h_free(s), free(file);
    snprintf(path, sizeof path, "/api/v1/catalog/stocktakes/%s/close", h_str(st, "id"));
    h_resp *c = h_post(lib, path, NULL);
    assert_int_equal(c->status, 200);
    h_free(c), h_free(st);
}

/* Bodies that cannot be scans: refused with a problem, nothing recorded. */
static void bad_scan_bodies_are_refused(void **state)
{
    (void)state;
    h_resp *st = h_post(lib, "/api/v1/catalog/stocktakes", "{\"kind\":\"periodicals\"}");
    assert_int_equal(st->status, 201);
    char path[160];
    snprintf(path, sizeof path, "/api/v1/catalog/stocktakes/%s/scans", h_str(st, "id"));
    /* 5 MiB: the gateway refuses it before reading */
    size_t big = 5u << 20;
    char *huge = malloc(big + 1);
    memset(huge, 'A', big);
    for (size_t i = 13; i < big; i += 14)
        huge[i] = '\n';
    huge[big] = 0;
    h_resp *r = post_text(path, huge, "text/plain");
    assert_int_equal(r->status, 413);
    h_free(r), free(huge);
    const char bin[] = {'1', '2', 0, '3', '\n'};
    const char *ct[] = {"Content-Type: text/plain", NULL};
    r = h_http_raw("POST", path, lib, bin, sizeof bin, ct);
    assert_int_equal(r->status, 400);
    h_free(r);
    r = post_text(path, "%PDF-1.4", "application/pdf");
    assert_int_equal(r->status, 415);
    h_free(r);
    r = post_text(path, "\n\n  \n", "text/plain");
    assert_int_equal(r->status, 400);
    h_free(r);
    r = post_text(path, "{\"barcodes\":[1,2]}", "application/json");
    assert_int_equal(r->status, 400);
    h_free(r);
    r = post_text(path, "{\"codes\":[\"1\"]}", "application/json");
    assert_int_equal(r->status, 400);
    h_free(r);
    h_resp *g = h_get(lib, "/api/v1/catalog/stocktakes/%s", h_str(st, "id"));
    assert_int_equal(json_integer_value(json_object_get(g->json, "scanned")), 0);
    h_free(g);
    /* bad parts of a fund; an unknown stocktake */
    r = h_post(lib, "/api/v1/catalog/stocktakes", "{\"kind\":\"comics\"}");
    assert_int_equal(r->status, 400);
    h_free(r);
    r = post_text("/api/v1/catalog/stocktakes/5f0c2f9e-8a1b-4c3d-9e2f-00000000beef/scans", "1",
                  "text/plain");
    assert_int_equal(r->status, 404);
    h_free(r);
    r = post_text("/api/v1/catalog/stocktakes/not-a-uuid/scans", "1", "text/plain");
    assert_int_equal(r->status, 400);
    h_free(r), h_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stocktake_of_1000_finds_the_missing_and_writes_them_off),
        cmocka_unit_test(twenty_thousand_scans_are_one_request),
        cmocka_unit_test(bad_scan_bodies_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

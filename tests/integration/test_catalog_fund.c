/* Fund accounting through the gateway: receipts that number their copies
 * in sequence (never reusing a number), write-off acts that leave nothing
 * half-written and that circulation obeys, the summary register as JSON,
 * CSV and XLSX (opened with openpyxl, a reader we did not write), the
 * inventory book, and bad input of every kind. */
#include "harness.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char *school_a, *school_b, *lib_a, *lib_b, *rec_book, *rec_textbook;
static char today[16];
static int year_now;

static char *new_record(const char *type, const char *bbk)
{
    char *title = h_uniq("Фонд ");
    h_resp *r = h_post(h_admin(), "/api/v1/catalog/records",
                       "{\"type\":\"%s\",\"title\":\"%s\",\"bbk\":\"%s\",\"age_rating\":\"12+\"}",
                       type, title, bbk);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    free(title);
    return id;
}

static int setup(void **state)
{
    (void)state;
    school_a = h_uniq("fund-a-");
    school_b = h_uniq("fund-b-");
    lib_a = h_new_key(school_a, "librarian");
    lib_b = h_new_key(school_b, "librarian");
    rec_book = new_record("book", "84(2Рос=Рус)6");
    rec_textbook = new_record("textbook", "22.1я72");
    h_date_years_ago(0, today);
    year_now = atoi(today);
    return 0;
}

/* POSTs a receipt of `copies` of the book at `price` kopecks and 2 of the
 * textbook at 12050 as key; number is the act's number. */
static h_resp *post_receipt(const char *key, const char *school, const char *number, int copies,
                            long price)
{
    return h_post(key, "/api/v1/catalog/receipts",
                  "{\"school\":\"%s\",\"number\":\"%s\",\"date\":\"%s\",\"source\":\"budget\","
                  "\"supplier\":\"Книжный коллектор\",\"lines\":["
                  "{\"record_id\":\"%s\",\"copies\":%d,\"price_kopecks\":%ld},"
                  "{\"record_id\":\"%s\",\"copies\":2,\"price_kopecks\":12050}]}",
                  school, number, today, rec_book, copies, price, rec_textbook);
}

static const char *item_field(const h_resp *r, size_t i, const char *member)
{
    json_t *it = json_array_get(json_object_get(r->json, "items"), i);
    return json_string_value(json_object_get(it, member));
}

static long count_receipts(const char *school)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM catalog.receipts WHERE school = '%s'", school);
    return h_sql_int(sql);
}

static long count_items(const char *school)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM catalog.items WHERE school = '%s'", school);
    return h_sql_int(sql);
}

/* Inventory numbers follow each other across receipts, and the number of a
 * written-off copy is not given again. */
static void receipt_numbers_copies_in_sequence_never_reused(void **state)
{
    (void)state;
    h_events *ev = h_events_open("ibc.evt.catalog.>");
    h_resp *r = post_receipt(lib_a, school_a, "П-1", 3, 35000);
    assert_int_equal(r->status, 201);
    assert_non_null(strstr(h_header(r, "Location"), "/api/v1/catalog/receipts/"));
    assert_int_equal(json_integer_value(json_object_get(r->json, "copies")), 5);
    assert_int_equal(json_integer_value(json_object_get(r->json, "sum_kopecks")),
                     3 * 35000 + 2 * 12050);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 5);
    for (size_t i = 0; i < 5; i++) {
        char want[8];
        snprintf(want, sizeof want, "%zu", i + 1);
        assert_string_equal(item_field(r, i, "inventory_number"), want);
        assert_int_equal(strlen(item_field(r, i, "barcode")), 13);
    }
    json_t *e = h_events_find(ev, "ibc.evt.catalog.receipt.accepted", h_str(r, "id"), 5000);
    assert_non_null(e);
    json_decref(e);
    e = h_events_find(ev, "ibc.evt.catalog.item.created", item_field(r, 4, "id"), 5000);
    assert_non_null(e);
    json_decref(e);
    h_events_close(ev);

    /* the last copy goes; the next receipt starts after it all the same */
    h_resp *w = h_post(lib_a, "/api/v1/catalog/write-offs",
                       "{\"number\":\"С-1\",\"date\":\"%s\",\"reason\":\"worn\",\"barcodes\":"
                       "[\"%s\"]}",
                       today, item_field(r, 4, "barcode"));
    assert_int_equal(w->status, 201);
    assert_int_equal(json_integer_value(json_object_get(w->json, "sum_kopecks")), 12050);
    h_resp *r2 = post_receipt(lib_a, school_a, "П-2", 1, 0);
    assert_int_equal(r2->status, 201);
    assert_string_equal(item_field(r2, 0, "inventory_number"), "6");
    assert_string_equal(item_field(r2, 2, "inventory_number"), "8");
    /* the receipt reads back with its lines and their number ranges */
    h_resp *g = h_get(lib_a, "/api/v1/catalog/receipts/%s", h_str(r2, "id"));
    assert_int_equal(g->status, 200);
    json_t *l2 = json_array_get(json_object_get(g->json, "lines"), 1);
    assert_string_equal(json_string_value(json_object_get(l2, "first_number")), "7");
    assert_string_equal(json_string_value(json_object_get(l2, "last_number")), "8");
    /* another school does not see it */
    h_resp *gb = h_get(lib_b, "/api/v1/catalog/receipts/%s", h_str(r2, "id"));
    assert_int_equal(gb->status, 404);
    h_free(r), h_free(w), h_free(r2), h_free(g), h_free(gb);
}

/* Every bad receipt is refused with a problem and writes nothing. */
static void bad_receipts_are_refused_and_write_nothing(void **state)
{
    (void)state;
    char *school = h_uniq("fund-bad-");
    char *key = h_new_key(school, "librarian");
    struct {
        const char *body;
        long status;
        const char *says;
    } cases[] = {
        {"{\"number\":\"1\",\"date\":\"@d\",\"source\":\"budget\",\"lines\":[{\"record_id\":\"@r\","
         "\"copies\":1,\"price_kopecks\":-100}]}",
         400, "price_kopecks"},
        {"{\"number\":\"1\",\"date\":\"@d\",\"source\":\"budget\",\"lines\":[{\"record_id\":\"@r\","
         "\"copies\":1,\"price_kopecks\":12.5}]}",
         400, "price_kopecks"},
        {"{\"number\":\"1\",\"date\":\"@d\",\"source\":\"budget\",\"lines\":[{\"record_id\":\"@r\","
         "\"copies\":0,\"price_kopecks\":1}]}",
         400, "copies"},
        {"{\"number\":\"1\",\"date\":\"@d\",\"source\":\"budget\",\"lines\":[{\"record_id\":\"@r\","
         "\"copies\":10000,\"price_kopecks\":1},{\"record_id\":\"@r\",\"copies\":10000,"
         "\"price_kopecks\":1},{\"record_id\":\"@r\",\"copies\":1,\"price_kopecks\":1}]}",
         400, "20000"},
        {"{\"number\":\"1\",\"date\":\"@d\",\"source\":\"grant\",\"lines\":[{\"record_id\":\"@r\","
         "\"copies\":1,\"price_kopecks\":1}]}",
         400, "grant_project_id"},
        {"{\"number\":\"1\",\"date\":\"2099-12-31\",\"source\":\"gift\",\"lines\":[{\"record_id\":"
         "\"@r\",\"copies\":1,\"price_kopecks\":1}]}",
         400, "future"},
        {"{\"number\":\"1\",\"date\":\"@d\",\"source\":\"stolen\",\"lines\":[{\"record_id\":\"@r\","
         "\"copies\":1,\"price_kopecks\":1}]}",
         400, "source"},
        {"{\"number\":\"1\",\"date\":\"@d\",\"source\":\"gift\",\"lines\":[]}", 400, "lines"},
        {"{\"number\":\"1\",\"date\":\"@d\",\"source\":\"gift\",\"lines\":[{\"record_id\":"
         "\"5f0c2f9e-8a1b-4c3d-9e2f-00000000beef\",\"copies\":1,\"price_kopecks\":1}]}",
         422, "lines[0].record_id"},
        {"{\"number\":\"1\",\"date\":\"@d\",\"source\":\"gift\",\"lines\":[{\"record_id\":\"@r\","
         "\"copies\":1,\"price_kopecks\":1,\"discount\":5}]}",
         400, "discount"},
        {"{\"school\":\"@b\",\"number\":\"1\",\"date\":\"@d\",\"source\":\"gift\",\"lines\":[{"
         "\"record_id\":\"@r\",\"copies\":1,\"price_kopecks\":1}]}",
         403, "own school"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[1024] = "";
        size_t o = 0;
        for (const char *p = cases[i].body; *p && o < sizeof body - 80; p++) {
            if (p[0] == '@' && p[1] == 'd')
                o += (size_t)snprintf(body + o, sizeof body - o, "%s", today), p++;
            else if (p[0] == '@' && p[1] == 'r')
                o += (size_t)snprintf(body + o, sizeof body - o, "%s", rec_book), p++;
            else if (p[0] == '@' && p[1] == 'b')
                o += (size_t)snprintf(body + o, sizeof body - o, "%s", school_b), p++;
            else
                body[o++] = *p;
        }
        body[o] = 0;
        h_resp *r = h_http("POST", "/api/v1/catalog/receipts", key, body, NULL);
        if (r->status != cases[i].status || !strstr(r->body, cases[i].says))
            fprintf(stderr, "case %zu: %ld %s\n", i, r->status, r->body);
        assert_int_equal(r->status, cases[i].status);
        assert_non_null(strstr(h_header(r, "Content-Type"), "application/problem+json"));
        assert_non_null(strstr(r->body, cases[i].says));
        h_free(r);
    }
    assert_int_equal(count_receipts(school), 0);
    assert_int_equal(count_items(school), 0);
    assert_int_equal(count_receipts(school_b), 0);
    /* a number is used once a year */
    h_resp *ok = post_receipt(key, school, "Н-7", 1, 100);
    assert_int_equal(ok->status, 201);
    h_resp *again = post_receipt(key, school, "Н-7", 1, 100);
    assert_int_equal(again->status, 409);
    assert_string_equal(h_str(again, "existing_id"), h_str(ok, "id"));
    assert_int_equal(count_items(school), 3);
    h_free(ok), h_free(again);
    free(school), free(key);
}

/* A reader of school and a copy of it lent to them; returns the loan id. */
static char *lend(const char *key, const char *barcode)
{
    char *card = h_uniq("FUNDR");
    h_resp *rd = h_post(key, "/api/v1/circulation/readers",
                        "{\"card_barcode\":\"%s\",\"name\":\"Читатель\",\"category\":\"student\","
                        "\"class\":\"5А\"}",
                        card);
    assert_int_equal(rd->status, 201);
    h_resp *lo = h_post(key, "/api/v1/circulation/checkouts",
                        "{\"item_barcode\":\"%s\",\"reader_id\":\"%s\"}", barcode, h_str(rd, "id"));
    if (lo->status != 201) fprintf(stderr, "checkout: %ld %s\n", lo->status, lo->body);
    assert_int_equal(lo->status, 201);
    char *id = strdup(h_str(lo, "id"));
    h_free(rd), h_free(lo), free(card);
    return id;
}

/* A checkout of barcode by a new reader of key's school that must be
 * refused with 409; returns the problem's body (caller frees). */
static char *lend_refused(const char *key, const char *barcode)
{
    char *card = h_uniq("FUNDR");
    h_resp *rd =
        h_post(key, "/api/v1/circulation/readers",
               "{\"card_barcode\":\"%s\",\"name\":\"Читатель\",\"category\":\"student\"}", card);
    assert_int_equal(rd->status, 201);
    h_resp *lo = h_post(key, "/api/v1/circulation/checkouts",
                        "{\"item_barcode\":\"%s\",\"reader_id\":\"%s\"}", barcode, h_str(rd, "id"));
    assert_int_equal(lo->status, 409);
    char *body = strdup(lo->body);
    h_free(rd), h_free(lo), free(card);
    return body;
}

/* Waits until the catalog knows the copy is on loan (circulation's event). */
static void wait_on_loan(const char *key, const char *item_id)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/catalog/items/%s", item_id);
    assert_int_equal(h_poll_int(key, path, "on_loan", 1, 10000), 1);
}

/* Writing off a copy on loan, an unknown barcode, another school's copy or
 * the same barcode twice changes nothing and names every bad line; a
 * written-off copy cannot be lent and keeps its history. */
static void write_off_is_all_or_nothing_and_circulation_obeys(void **state)
{
    (void)state;
    h_resp *r = post_receipt(lib_a, school_a, "П-3", 4, 20000);
    assert_int_equal(r->status, 201);
    const char *b0 = item_field(r, 0, "barcode"), *b1 = item_field(r, 1, "barcode");
    const char *b2 = item_field(r, 2, "barcode");
    char *loan = lend(lib_a, b1);
    wait_on_loan(lib_a, item_field(r, 1, "id"));
    h_resp *rb = post_receipt(lib_b, school_b, "B-1", 1, 100);
    assert_int_equal(rb->status, 201);

    h_resp *w = h_post(lib_a, "/api/v1/catalog/write-offs",
                       "{\"number\":\"С-2\",\"date\":\"%s\",\"reason\":\"lost\",\"barcodes\":"
                       "[\"%s\",\"%s\",\"NO-SUCH-1\",\"%s\",\"%s\"]}",
                       today, b0, b1, item_field(rb, 0, "barcode"), b0);
    assert_int_equal(w->status, 409); /* one is on loan: the state forbids it */
    json_t *pr = json_object_get(w->json, "problems");
    assert_int_equal(json_array_size(pr), 4);
    const char *want[] = {"on_loan", "unknown", "other_school", "duplicate"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(pr, i), "problem")),
                            want[i]);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(pr, 0), "line")), 2);
    h_free(w);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM catalog.items WHERE barcode = '%s' AND status = 'written_off'",
             b0);
    assert_int_equal(h_sql_int(sql), 0);
    /* only wrong barcodes: 422 */
    w = h_post(lib_a, "/api/v1/catalog/write-offs",
               "{\"number\":\"С-3\",\"date\":\"%s\",\"reason\":\"lost\",\"barcodes\":[\"NOPE\"]}",
               today);
    assert_int_equal(w->status, 422);
    h_free(w);
    /* another school's act */
    w = h_post(lib_a, "/api/v1/catalog/write-offs",
               "{\"school\":\"%s\",\"number\":\"С-3\",\"date\":\"%s\",\"reason\":\"lost\","
               "\"barcodes\":[\"%s\"]}",
               school_b, today, item_field(rb, 0, "barcode"));
    assert_int_equal(w->status, 403);
    h_free(w);

    /* the good ones go */
    w = h_post(lib_a, "/api/v1/catalog/write-offs",
               "{\"number\":\"С-4\",\"date\":\"%s\",\"reason\":\"damaged\",\"barcodes\":"
               "[\"%s\",\"%s\"]}",
               today, b0, b2);
    assert_int_equal(w->status, 201);
    assert_int_equal(json_integer_value(json_object_get(w->json, "copies")), 2);
    assert_int_equal(json_integer_value(json_object_get(w->json, "sum_kopecks")), 40000);
    h_resp *it = h_get(lib_a, "/api/v1/catalog/items/%s", item_field(r, 0, "id"));
    assert_string_equal(h_str(it, "status"), "written_off");
    json_t *wo = json_object_get(it->json, "write_off");
    assert_string_equal(json_string_value(json_object_get(wo, "act")), "С-4");
    assert_string_equal(json_string_value(json_object_get(wo, "id")), h_str(w, "id"));
    assert_string_equal(h_str(it, "receipt_id"), h_str(r, "id"));
    h_free(it);
    /* circulation refuses to lend it */
    char *card = h_uniq("FUNDR");
    h_resp *rd =
        h_post(lib_a, "/api/v1/circulation/readers",
               "{\"card_barcode\":\"%s\",\"name\":\"Читатель\",\"category\":\"student\"}", card);
    /* at once: the act withdrew the copy in circulation before it was
     * committed, not when circulation hears catalog.item.written_off */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM circulation.items WHERE barcode = '%s' "
             "AND status = 'written_off'",
             b0);
    assert_int_equal(h_sql_int(sql), 1);
    h_resp *lo = h_post(lib_a, "/api/v1/circulation/checkouts",
                        "{\"item_barcode\":\"%s\",\"reader_id\":\"%s\"}", b0, h_str(rd, "id"));
    assert_int_equal(lo->status, 409);
    assert_non_null(strstr(lo->body, "written off"));
    h_free(lo);
    /* the act reads back; again it is refused */
    h_resp *g = h_get(lib_a, "/api/v1/catalog/write-offs/%s", h_str(w, "id"));
    assert_int_equal(g->status, 200);
    assert_int_equal(json_array_size(json_object_get(g->json, "items")), 2);
    h_resp *again = h_post(lib_a, "/api/v1/catalog/write-offs",
                           "{\"number\":\"С-5\",\"date\":\"%s\",\"reason\":\"worn\",\"barcodes\":"
                           "[\"%s\"]}",
                           today, b0);
    assert_int_equal(again->status, 409);
    h_free(g), h_free(again), h_free(rd), free(card);
    h_free(w), h_free(r), h_free(rb), free(loan);
}

/* The circulation row of the copy with this barcode: status, and whether it
 * is withdrawn for an act the catalog's event has not confirmed yet. */
static long circ_count(const char *barcode, const char *status, bool withdrawn)
{
    char sql[300];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM circulation.items WHERE barcode = '%s' AND status = '%s' "
             "AND (withdrawn_by IS NOT NULL) = %s",
             barcode, status, withdrawn ? "true" : "false");
    return h_sql_int(sql);
}

/* Makes the copy look withdrawn for an act ten minutes ago in circulation
 * (the catalog's answer to it lost, or its event late). */
static void withdraw_by_hand(const char *barcode)
{
    char sql[400];
    snprintf(sql, sizeof sql,
             "SET search_path = circulation; WITH u AS (UPDATE items SET status_before = CASE WHEN "
             "status = "
             "'written_off' THEN 'available' ELSE status END, status = 'written_off', "
             "withdrawn_by = gen_random_uuid(), withdrawn_at = now() - interval '10 minutes' "
             "WHERE barcode = '%s' RETURNING 1) SELECT count(*) FROM u",
             barcode);
    assert_int_equal(h_sql_int(sql), 1);
}

/* Waits (IBC_WITHDRAW_SWEEP_SECONDS is 2 in the fixture) for the row. */
static void wait_circ(const char *barcode, const char *status, bool withdrawn)
{
    for (int i = 0; i < 150 && circ_count(barcode, status, withdrawn) != 1; i++)
        usleep(100000);
    assert_int_equal(circ_count(barcode, status, withdrawn), 1);
}

/* The race of an act with a loan: the catalog has not heard of the loan
 * (its on_loan is false, as in the milliseconds before circulation's event
 * arrives), and the act is still refused, by circulation, under the lock a
 * checkout takes; nothing is written on either side. After the return the
 * act goes, and a checkout right after it is refused. A withdrawal the
 * catalog never kept is undone by circulation's reconciling job, and one it
 * kept is confirmed. */
static void write_off_meets_a_loan_the_catalog_has_not_heard_of(void **state)
{
    (void)state;
    h_resp *r = post_receipt(lib_a, school_a, "П-7", 2, 15000);
    assert_int_equal(r->status, 201);
    const char *b0 = item_field(r, 0, "barcode"), *b1 = item_field(r, 1, "barcode");
    char *loan = lend(lib_a, b0);
    wait_on_loan(lib_a, item_field(r, 0, "id"));
    char sql[300];
    snprintf(sql, sizeof sql,
             "SET search_path = catalog; WITH u AS (UPDATE items SET on_loan = false "
             "WHERE barcode = '%s' "
             "RETURNING 1) SELECT count(*) FROM u",
             b0);
    assert_int_equal(h_sql_int(sql), 1);

    h_resp *w = h_post(lib_a, "/api/v1/catalog/write-offs",
                       "{\"number\":\"С-7\",\"date\":\"%s\",\"reason\":\"lost\",\"barcodes\":"
                       "[\"%s\",\"%s\"]}",
                       today, b1, b0);
    assert_int_equal(w->status, 409);
    json_t *pr = json_array_get(json_object_get(w->json, "problems"), 0);
    assert_int_equal(json_array_size(json_object_get(w->json, "problems")), 1);
    assert_string_equal(json_string_value(json_object_get(pr, "barcode")), b0);
    assert_string_equal(json_string_value(json_object_get(pr, "problem")), "on_loan");
    h_free(w);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM catalog.write_offs WHERE school = '%s' AND number = 'С-7'",
             school_a);
    assert_int_equal(h_sql_int(sql), 0);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM catalog.items WHERE barcode IN ('%s', '%s') "
             "AND status = 'written_off'",
             b0, b1);
    assert_int_equal(h_sql_int(sql), 0);
    assert_int_equal(circ_count(b1, "available", false), 1);

    /* returned, it goes; a checkout right after the 201 is refused */
    h_resp *in = h_post(lib_a, "/api/v1/circulation/checkins", "{\"item_barcode\":\"%s\"}", b0);
    assert_true(in->status == 200 || in->status == 201);
    w = h_post(lib_a, "/api/v1/catalog/write-offs",
               "{\"number\":\"С-8\",\"date\":\"%s\",\"reason\":\"worn\",\"barcodes\":[\"%s\"]}",
               today, b0);
    assert_int_equal(w->status, 201);
    char *again = lend_refused(lib_a, b0);
    assert_non_null(strstr(again, "written off"));
    free(again);

    /* circulation's job: a withdrawal whose act the catalog did not keep
     * (b1 is available there) is undone and b1 can be lent; one it kept (b0,
     * its event taken for late) is confirmed and b0 stays written off */
    withdraw_by_hand(b1);
    withdraw_by_hand(b0);
    wait_circ(b1, "available", false);
    wait_circ(b0, "written_off", false);
    free(lend(lib_a, b1));
    h_free(in), h_free(w), h_free(r), free(loan);
}

/* The register of school A: every receipt and act of this year, and the
 * movement in copies and kopecks by kind and section. */
static void fund_register_as_json_adds_up(void **state)
{
    (void)state;
    char *school = h_uniq("fund-ksu-");
    char *key = h_new_key(school, "librarian");
    h_resp *r = post_receipt(key, school, "1", 3, 35000); /* 3 books, 2 textbooks */
    assert_int_equal(r->status, 201);
    h_resp *w =
        h_post(key, "/api/v1/catalog/write-offs",
               "{\"number\":\"1\",\"date\":\"%s\",\"reason\":\"worn\",\"barcodes\":[\"%s\"]}",
               today, item_field(r, 0, "barcode"));
    assert_int_equal(w->status, 201);
    h_resp *g = h_get(key, "/api/v1/catalog/fund-register?year=%d", year_now);
    assert_int_equal(g->status, 200);
    json_t *p1 = json_object_get(g->json, "part1"), *p3 = json_object_get(g->json, "part3");
    assert_int_equal(json_array_size(json_object_get(p1, "receipts")), 1);
    json_t *total = json_object_get(p1, "total");
    assert_int_equal(json_integer_value(json_object_get(total, "copies")), 5);
    assert_int_equal(json_integer_value(json_object_get(total, "sum_kopecks")), 129100);
    json_t *kinds = json_object_get(total, "by_kind");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(kinds, "books"), "copies")),
                     3);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(kinds, "textbooks"), "copies")), 2);
    json_t *sect = json_object_get(total, "by_section");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(sect, "84"), "copies")), 3);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(sect, "2"), "copies")), 2);
    json_t *end = json_object_get(p3, "at_end");
    assert_int_equal(json_integer_value(json_object_get(end, "copies")), 4);
    assert_int_equal(json_integer_value(json_object_get(end, "sum_kopecks")), 129100 - 35000);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(p3, "at_start"), "copies")),
                     0);
    json_t *p2 = json_object_get(g->json, "part2");
    json_t *act = json_array_get(json_object_get(p2, "write_offs"), 0);
    assert_string_equal(json_string_value(json_object_get(act, "reason")), "worn");
    h_free(g);
    /* last year's register holds none of it, and its end is this year's start */
    g = h_get(key, "/api/v1/catalog/fund-register?year=%d", year_now - 1);
    assert_int_equal(g->status, 200);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_object_get(g->json, "part3"), "at_end"), "copies")),
                     0);
    h_free(g);
    /* bad parameters */
    const char *bad[] = {"year=12345", "year=abc", "format=pdf", "school=a%20b", "colour=red"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        g = h_get(key, "/api/v1/catalog/fund-register?%s", bad[i]);
        assert_int_equal(g->status, 400);
        h_free(g);
    }
    g = h_get(key, "/api/v1/catalog/fund-register?school=%s", school_a);
    assert_int_equal(g->status, 403);
    h_free(g);
    h_free(r), h_free(w), free(school), free(key);
}

/* CSV opens as Excel expects it (BOM, ';', decimal comma); XLSX opens in
 * openpyxl with its sheets, header, frozen row and number formats. */
static void fund_register_as_csv_and_xlsx(void **state)
{
    (void)state;
    char *school = h_uniq("fund-xlsx-");
    char *key = h_new_key(school, "librarian");
    h_resp *r = post_receipt(key, school, "К-1", 3, 35050);
    assert_int_equal(r->status, 201);
    h_free(r);
    h_resp *c = h_get(key, "/api/v1/catalog/fund-register?year=%d&format=csv", year_now);
    assert_int_equal(c->status, 200);
    assert_non_null(strstr(h_header(c, "Content-Type"), "text/csv"));
    assert_memory_equal(c->body, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(c->body, ";Дата;Номер акта;"));
    /* the receipt's row: 3 × 350,50 + 2 × 120,50 = 1292,50 roubles */
    assert_non_null(strstr(c->body, "К-1;бюджет;5;1292,50;3;2;"));
    h_free(c);

    h_resp *x = h_get(key, "/api/v1/catalog/fund-register?year=%d&format=xlsx", year_now);
    assert_int_equal(x->status, 200);
    assert_non_null(strstr(h_header(x, "Content-Type"), "spreadsheetml"));
    assert_non_null(strstr(h_header(x, "Content-Disposition"), ".xlsx"));
    const char *script =
        "import sys, openpyxl\n"
        "wb = openpyxl.load_workbook(sys.argv[1])\n"
        "print(\"|\".join(wb.sheetnames))\n"
        "ws = wb.worksheets[0]\n"
        "print(ws[\"A1\"].value, ws[\"E1\"].value, ws.freeze_panes, ws[\"A1\"].font.b)\n"
        "print(ws[\"B2\"].value, ws[\"D2\"].value, ws[\"E2\"].value, ws[\"E2\"].number_format, "
        "ws[\"A2\"].is_date)\n"
        "t = wb.worksheets[2]\n"
        "print(t[\"B5\"].value, t[\"D5\"].value, t[\"E5\"].value)\n";
    char *out = h_xlsx_read(x->body, x->len, script);
    h_free(x);
    fprintf(stderr, "openpyxl says:\n%s", out);
    assert_non_null(strstr(out, "Часть 1. Поступление|Часть 2. Выбытие|Часть 3. Итоги движения"));
    assert_non_null(strstr(out, "Дата Сумма, руб. A2 True"));
    assert_non_null(strstr(out, "К-1 5 1292.5 #,##0.00 True"));
    char line[128];
    snprintf(line, sizeof line, "Состоит на 31.12.%d 5 1292.5", year_now);
    assert_non_null(strstr(out, line));
    free(out), free(school), free(key);
}

/* The inventory book pages by number, and comes as a file in one piece. */
static void inventory_book_pages_and_files(void **state)
{
    (void)state;
    char *school = h_uniq("fund-inv-");
    char *key = h_new_key(school, "librarian");
    h_resp *r = post_receipt(key, school, "И-1", 10, 100); /* numbers 1..12 */
    assert_int_equal(r->status, 201);
    h_free(r);
    h_resp *p = h_get(key, "/api/v1/catalog/inventory-book?limit=5");
    assert_int_equal(p->status, 200);
    assert_int_equal(json_integer_value(json_object_get(p->json, "total")), 12);
    json_t *items = json_object_get(p->json, "items");
    assert_int_equal(json_array_size(items), 5);
    /* numbers sort as numbers: 1..5, then 6..10, not 1, 10, 11, 12, 2 */
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(items, 4), "inventory_number")), "5");
    h_resp *p2 =
        h_get(key, "/api/v1/catalog/inventory-book?limit=5&cursor=%s", h_str(p, "next_cursor"));
    assert_int_equal(p2->status, 200);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(p2->json, "items"), 4),
                                          "inventory_number")),
        "10");
    h_resp *c = h_get(key, "/api/v1/catalog/inventory-book?format=csv");
    assert_int_equal(c->status, 200);
    assert_non_null(strstr(c->body, "Инвентарный номер;Дата записи;Штрихкод"));
    assert_non_null(strstr(c->body, "\r\n12;"));
    h_resp *bad = h_get(key, "/api/v1/catalog/inventory-book?format=csv&cursor=5");
    assert_int_equal(bad->status, 400);
    h_free(bad);
    bad = h_get(key, "/api/v1/catalog/inventory-book?limit=0");
    assert_int_equal(bad->status, 400);
    h_free(p), h_free(p2), h_free(c), h_free(bad), free(school), free(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(receipt_numbers_copies_in_sequence_never_reused),
        cmocka_unit_test(bad_receipts_are_refused_and_write_nothing),
        cmocka_unit_test(write_off_is_all_or_nothing_and_circulation_obeys),
        cmocka_unit_test(write_off_meets_a_loan_the_catalog_has_not_heard_of),
        cmocka_unit_test(fund_register_as_json_adds_up),
        cmocka_unit_test(fund_register_as_csv_and_xlsx),
        cmocka_unit_test(inventory_book_pages_and_files),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

/* The library statistics through the gateway, fed by events: readers,
 * loans, visits derived from loans, copies and the ratios a school reports,
 * as JSON, CSV and XLSX (opened with openpyxl), and bad periods. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *school, *lib;

static char *record(const char *type)
{
    h_resp *r = h_post(h_admin(), "/api/v1/catalog/records",
                       "{\"type\":\"%s\",\"title\":\"Статистика\"}", type);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    return id;
}

static char *reader(const char *category)
{
    char *card = h_uniq("STATR");
    h_resp *r =
        h_post(lib, "/api/v1/circulation/readers",
               "{\"card_barcode\":\"%s\",\"name\":\"Ч\",\"category\":\"%s\"}", card, category);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r), free(card);
    return id;
}

static void lend(const char *barcode, const char *reader_id)
{
    h_resp *r = h_post(lib, "/api/v1/circulation/checkouts",
                       "{\"item_barcode\":\"%s\",\"reader_id\":\"%s\"}", barcode, reader_id);
    assert_int_equal(r->status, 201);
    h_free(r);
}

static const char *barcode_of(const h_resp *receipt, size_t i)
{
    json_t *it = json_array_get(json_object_get(receipt->json, "items"), i);
    return json_string_value(json_object_get(it, "barcode"));
}

static int setup(void **state)
{
    (void)state;
    school = h_uniq("stat-");
    lib = h_new_key(school, "librarian");
    char today[16];
    h_date_years_ago(0, today);
    char *book = record("book"), *textbook = record("textbook");
    h_resp *rc = h_post(lib, "/api/v1/catalog/receipts",
                        "{\"number\":\"S-1\",\"date\":\"%s\",\"source\":\"budget\",\"lines\":["
                        "{\"record_id\":\"%s\",\"copies\":2,\"price_kopecks\":100},"
                        "{\"record_id\":\"%s\",\"copies\":1,\"price_kopecks\":100}]}",
                        today, book, textbook);
    assert_int_equal(rc->status, 201);
    char *student = reader("student"), *teacher = reader("teacher");
    lend(barcode_of(rc, 0), student);
    lend(barcode_of(rc, 2), student);
    lend(barcode_of(rc, 1), teacher);
    h_free(rc), free(book), free(textbook), free(student), free(teacher);
    return 0;
}

/* Two readers, three loans on two reader-days, three copies. */
static void statistics_count_and_divide(void **state)
{
    (void)state;
    char path[160];
    snprintf(path, sizeof path, "/api/v1/monitoring/statistics?school=%s", school);
    assert_int_equal(h_poll_int(lib, path, "loans", 3, 15000), 3);
    assert_int_equal(h_poll_int(lib, path, "copies", 3, 15000), 3);
    h_resp *r = h_get(lib, "%s", path);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "readers")), 2);
    assert_int_equal(json_integer_value(json_object_get(r->json, "visits")), 2);
    assert_string_equal(h_str(r, "visits_source"), "derived_from_loans");
    assert_true(json_number_value(json_object_get(r->json, "loans_per_reader")) == 1.5);
    assert_true(json_number_value(json_object_get(r->json, "loans_per_copy")) == 1.0);
    assert_true(json_number_value(json_object_get(r->json, "copies_per_reader")) == 1.5);
    json_t *kind = json_object_get(r->json, "loans_by_kind");
    assert_int_equal(json_integer_value(json_object_get(kind, "books")), 2);
    assert_int_equal(json_integer_value(json_object_get(kind, "textbooks")), 1);
    json_t *cat = json_object_get(r->json, "loans_by_category");
    assert_int_equal(json_integer_value(json_object_get(cat, "student")), 2);
    h_free(r);

    r = h_get(lib, "/api/v1/monitoring/statistics?format=csv");
    assert_int_equal(r->status, 200);
    assert_memory_equal(r->body, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(r->body, "Показатель;Количество;Значение\r\n"));
    assert_non_null(strstr(r->body, "Читаемость;;1,50\r\n"));
    assert_non_null(strstr(r->body, "Книговыдач;3;\r\n"));
    h_free(r);

    r = h_get(lib, "/api/v1/monitoring/statistics?format=xlsx");
    assert_int_equal(r->status, 200);
    char file[] = "/tmp/ibc-stat-XXXXXX.xlsx";
    int fd = mkstemps(file, 5);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, r->body, r->len), (ssize_t)r->len);
    close(fd);
    h_free(r);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import sys, openpyxl; ws = openpyxl.load_workbook(sys.argv[1])"
             ".active; print(ws.freeze_panes, ws[\"A6\"].value, ws[\"C6\"].value, "
             "ws[\"C6\"].number_format)' '%s' 2>&1",
             file);
    FILE *p = popen(cmd, "r");
    char out[512] = "";
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = 0;
    assert_int_equal(pclose(p), 0);
    unlink(file);
    fprintf(stderr, "openpyxl says: %s", out);
    assert_non_null(strstr(out, "A2 Читаемость 1.5 #,##0.00"));
}

static void bad_periods_and_schools_are_refused(void **state)
{
    (void)state;
    const char *bad[] = {"period=2026-Q5", "period=2026-13", "period=26",  "period=abc",
                         "period=1999",    "format=pdf",     "colour=red", "school=a%20b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        h_resp *r = h_get(lib, "/api/v1/monitoring/statistics?%s", bad[i]);
        if (r->status != 400) fprintf(stderr, "%s: %ld %s\n", bad[i], r->status, r->body);
        assert_int_equal(r->status, 400);
        h_free(r);
    }
    char *other = h_uniq("stat-other-");
    h_resp *r = h_get(lib, "/api/v1/monitoring/statistics?school=%s", other);
    assert_int_equal(r->status, 403);
    h_free(r), free(other);
    r = h_get(lib, "/api/v1/monitoring/statistics?period=2026-02");
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "from"), "2026-02-01");
    assert_string_equal(h_str(r, "to"), "2026-02-28");
    h_free(r);
    r = h_get(lib, "/api/v1/monitoring/statistics?period=2026-Q4");
    assert_string_equal(h_str(r, "to"), "2026-12-31");
    h_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(statistics_count_and_divide),
        cmocka_unit_test(bad_periods_and_schools_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

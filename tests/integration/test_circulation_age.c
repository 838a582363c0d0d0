/* 436-ФЗ through the gateway: a reader's birth date, seen by their school
 * only; a checkout above the reader's age refused with age_restricted; a
 * teacher's override where the school allows it, logged; the report of the
 * fund's records without an age mark. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char *school, *lib, *rec16, *rec0, *rec_none;
static char today[16], born12[16];

static char *new_record(const char *mark)
{
    char *title = h_uniq("Возраст ");
    char extra[64] = "";
    if (mark) snprintf(extra, sizeof extra, ",\"age_rating\":\"%s\"", mark);
    h_resp *r = h_post(h_admin(), "/api/v1/catalog/records",
                       "{\"type\":\"book\",\"title\":\"%s\"%s}", title, extra);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r), free(title);
    return id;
}

/* Receives `copies` copies of rec; returns the first barcode (caller frees). */
static char *receive(const char *rec, int copies)
{
    char *number = h_uniq("AGE-");
    h_resp *r = h_post(lib, "/api/v1/catalog/receipts",
                       "{\"number\":\"%s\",\"date\":\"%s\",\"source\":\"gift\",\"lines\":[{"
                       "\"record_id\":\"%s\",\"copies\":%d,\"price_kopecks\":0}]}",
                       number, today, rec, copies);
    assert_int_equal(r->status, 201);
    json_t *it = json_array_get(json_object_get(r->json, "items"), 0);
    char *bc = strdup(json_string_value(json_object_get(it, "barcode")));
    h_free(r), free(number);
    return bc;
}

/* A reader of the school; birth may be NULL. Returns the id (caller frees). */
static char *reader(const char *category, const char *birth)
{
    char *card = h_uniq("AGER");
    char extra[64] = "";
    if (birth) snprintf(extra, sizeof extra, ",\"birth_date\":\"%s\"", birth);
    h_resp *r = h_post(lib, "/api/v1/circulation/readers",
                       "{\"card_barcode\":\"%s\",\"name\":\"Читатель\",\"category\":\"%s\"%s}",
                       card, category, extra);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r), free(card);
    return id;
}

static int setup(void **state)
{
    (void)state;
    h_date_years_ago(0, today);
    h_date_years_ago(12, born12);
    school = h_uniq("age-");
    lib = h_new_key(school, "librarian");
    rec16 = new_record("16+");
    rec0 = new_record("0+");
    rec_none = new_record(NULL);
    /* circulation learns each record's mark from the catalog's events */
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM circulation.records WHERE id IN ('%s', '%s') "
             "AND age_rating IS NOT NULL",
             rec16, rec0);
    for (int i = 0; i < 100 && h_sql_int(sql) != 2; i++)
        usleep(100000);
    assert_int_equal(h_sql_int(sql), 2);
    return 0;
}

static h_resp *checkout(const char *barcode, const char *reader_id, const char *teacher)
{
    char extra[96] = "";
    if (teacher) snprintf(extra, sizeof extra, ",\"age_override_teacher_id\":\"%s\"", teacher);
    return h_post(lib, "/api/v1/circulation/checkouts",
                  "{\"item_barcode\":\"%s\",\"reader_id\":\"%s\"%s}", barcode, reader_id, extra);
}

/* The birth date is the school's to see: not a methodologist's, not the
 * admin's of another organisation. */
static void birth_date_is_seen_by_the_school_only(void **state)
{
    (void)state;
    char *id = reader("student", born12);
    h_resp *own = h_get(lib, "/api/v1/circulation/readers/%s", id);
    assert_int_equal(own->status, 200);
    assert_string_equal(h_str(own, "birth_date"), born12);
    char *morg = h_uniq("age-net-");
    char *meth = h_new_key(morg, "methodologist");
    free(morg);
    h_resp *m = h_get(meth, "/api/v1/circulation/readers/%s", id);
    assert_int_equal(m->status, 200);
    assert_null(json_object_get(m->json, "birth_date"));
    h_resp *a = h_get(h_admin(), "/api/v1/circulation/readers/%s", id);
    assert_int_equal(a->status, 200);
    assert_null(json_object_get(a->json, "birth_date"));
    h_resp *list = h_get(meth, "/api/v1/circulation/readers?school=%s", school);
    assert_int_equal(list->status, 200);
    assert_null(strstr(list->body, "birth_date"));
    /* bad birth dates */
    const char *bad[] = {"2099-01-01", "1899-12-31", "2020-02-30", "12.05.2014"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *card = h_uniq("AGEB");
        h_resp *r = h_post(lib, "/api/v1/circulation/readers",
                           "{\"card_barcode\":\"%s\",\"name\":\"Ч\",\"category\":\"student\","
                           "\"birth_date\":\"%s\"}",
                           card, bad[i]);
        assert_int_equal(r->status, 400);
        assert_non_null(strstr(r->body, "birth_date"));
        h_free(r), free(card);
    }
    h_free(own), h_free(m), h_free(a), h_free(list), free(meth), free(id);
}

/* A 12-year-old cannot take a 16+ book; a 0+ one, yes; a reader of unknown
 * age, yes. */
static void checkout_above_the_readers_age_is_age_restricted(void **state)
{
    (void)state;
    char *kid = reader("student", born12), *unknown = reader("student", NULL);
    char *b16 = receive(rec16, 2), *b0 = receive(rec0, 1);
    h_resp *r = checkout(b16, kid, NULL);
    assert_int_equal(r->status, 409);
    assert_string_equal(h_str(r, "reason"), "age_restricted");
    assert_string_equal(h_str(r, "age_rating"), "16+");
    assert_int_equal(json_integer_value(json_object_get(r->json, "reader_age")), 12);
    assert_non_null(strstr(r->body, "age_restricted"));
    h_free(r);
    r = checkout(b0, kid, NULL);
    assert_int_equal(r->status, 201);
    h_free(r);
    r = checkout(b16, unknown, NULL);
    assert_int_equal(r->status, 201);
    h_free(r);
    free(kid), free(unknown), free(b16), free(b0);
}

/* A teacher may allow it where the school says so; each such loan is logged. */
static void a_teacher_overrides_where_the_school_allows_it(void **state)
{
    (void)state;
    char *kid = reader("student", born12), *teacher = reader("teacher", NULL);
    char *other_kid = reader("student", NULL);
    char *b16 = receive(rec16, 1);
    h_resp *r = checkout(b16, kid, teacher);
    assert_int_equal(r->status, 409); /* the school has not allowed it */
    assert_string_equal(h_str(r, "reason"), "age_restricted");
    assert_non_null(strstr(r->body, "teacher_age_override"));
    h_free(r);
    r = h_http("PUT", "/api/v1/circulation/settings", lib, "{\"teacher_age_override\":true}", NULL);
    assert_int_equal(r->status, 200);
    assert_true(json_is_true(json_object_get(r->json, "teacher_age_override")));
    h_free(r);
    r = checkout(b16, kid, other_kid); /* a student is no teacher */
    assert_int_equal(r->status, 422);
    h_free(r);
    r = checkout(b16, kid, "5f0c2f9e-8a1b-4c3d-9e2f-00000000beef");
    assert_int_equal(r->status, 422);
    h_free(r);
    r = checkout(b16, kid, "not-a-uuid");
    assert_int_equal(r->status, 400);
    h_free(r);
    r = checkout(b16, kid, teacher);
    assert_int_equal(r->status, 201);
    json_t *ov = json_object_get(r->json, "age_override");
    assert_string_equal(json_string_value(json_object_get(ov, "teacher_id")), teacher);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM circulation.age_overrides WHERE loan_id = '%s' AND "
             "teacher_id = '%s' AND reader_age = 12 AND age_rating = '16+'",
             h_str(r, "id"), teacher);
    assert_int_equal(h_sql_int(sql), 1);
    h_free(r);
    free(kid), free(teacher), free(other_kid), free(b16);
}

/* The report lists the school's records that have no age mark. */
static void report_lists_records_without_an_age_mark(void **state)
{
    (void)state;
    free(receive(rec_none, 2));
    h_resp *r = h_get(lib, "/api/v1/catalog/reports/no-age-mark?school=%s", school);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 1);
    json_t *it = json_array_get(json_object_get(r->json, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(it, "id")), rec_none);
    assert_int_equal(json_integer_value(json_object_get(it, "copies")), 2);
    h_free(r);
    r = h_get(lib, "/api/v1/catalog/reports/no-age-mark?limit=1");
    assert_int_equal(r->status, 200);
    assert_true(json_integer_value(json_object_get(r->json, "total")) >= 1);
    h_free(r);
    const char *bad[] = {"limit=0", "cursor=abc", "school=a%20b", "age=12"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = h_get(lib, "/api/v1/catalog/reports/no-age-mark?%s", bad[i]);
        assert_int_equal(r->status, 400);
        h_free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(birth_date_is_seen_by_the_school_only),
        cmocka_unit_test(checkout_above_the_readers_age_is_age_restricted),
        cmocka_unit_test(a_teacher_overrides_where_the_school_allows_it),
        cmocka_unit_test(report_lists_records_without_an_age_mark),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

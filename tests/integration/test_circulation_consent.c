/* 152-ФЗ through the gateway: consents to the processing of a reader's
 * personal data (a parent's for a minor), seen and recorded by the reader's
 * school only; the export of a reader's data; bad input refused whole. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *lib, *other_lib;
static char today[16], born10[16], born20[16];

/* A reader of the school; birth may be NULL. Returns the id (caller frees). */
static char *reader(const char *birth)
{
    char *card = h_uniq("PDR");
    char extra[64] = "";
    if (birth) snprintf(extra, sizeof extra, ",\"birth_date\":\"%s\"", birth);
    h_resp *r = h_post(lib, "/api/v1/circulation/readers",
                       "{\"card_barcode\":\"%s\",\"name\":\"Петров Пётр\",\"category\":"
                       "\"student\"%s}",
                       card, extra);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r), free(card);
    return id;
}

static h_resp *consent(const char *key, const char *id, const char *body)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/circulation/readers/%s/consents", id);
    return h_post(key, path, "%s", body);
}

/* Asserts the status of r and frees it. */
static void expect(h_resp *r, long status)
{
    assert_int_equal(r->status, status);
    h_free(r);
}

static long consents_of(const char *id)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM circulation.reader_consents WHERE reader_id = '%s'", id);
    return h_sql_int(sql);
}

static int setup(void **state)
{
    (void)state;
    h_date_years_ago(0, today);
    h_date_years_ago(10, born10);
    h_date_years_ago(20, born20);
    char *school = h_uniq("pd-"); /* the key holds the school from here on */
    lib = h_new_key(school, "librarian");
    free(school);
    char *other = h_uniq("pd-other-");
    other_lib = h_new_key(other, "librarian");
    free(other);
    return 0;
}

/* A parent's consent for a minor is recorded, listed on the reader for the
 * school, hidden from others; a minor's own consent is 422. */
static void parent_consent_for_a_minor(void **state)
{
    (void)state;
    char *kid = reader(born10);
    char body[256];
    snprintf(body, sizeof body, "{\"kind\":\"reader\",\"basis\":\"форма 1\",\"given_on\":\"%s\"}",
             today);
    expect(consent(lib, kid, body), 422);
    snprintf(body, sizeof body,
             "{\"kind\":\"parent\",\"basis\":\"форма 2\",\"given_on\":\"%s\",\"given_by\":"
             "\"Петрова Анна\"}",
             today);
    h_resp *r = consent(lib, kid, body);
    assert_int_equal(r->status, 201);
    assert_non_null(strstr(h_header(r, "Location"), kid));
    assert_string_equal(h_str(r, "kind"), "parent");
    h_free(r);
    r = h_get(lib, "/api/v1/circulation/readers/%s", kid);
    assert_int_equal(r->status, 200);
    json_t *list = json_object_get(r->json, "consents");
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "given_by")),
                        "Петрова Анна");
    h_free(r);
    r = h_get(h_admin(), "/api/v1/circulation/readers/%s", kid);
    assert_int_equal(r->status, 200);
    assert_null(json_object_get(r->json, "consents"));
    h_free(r);
    free(kid);
}

/* Another school's librarian gets 404 for both routes, and writes nothing;
 * the admin is refused (403). */
static void another_school_sees_nothing(void **state)
{
    (void)state;
    char *id = reader(born20);
    char body[160];
    snprintf(body, sizeof body, "{\"kind\":\"reader\",\"basis\":\"ф\",\"given_on\":\"%s\"}", today);
    expect(consent(other_lib, id, body), 404);
    expect(h_get(other_lib, "/api/v1/circulation/readers/%s/personal-data", id), 404);
    expect(consent(h_admin(), id, body), 403);
    expect(h_get(h_admin(), "/api/v1/circulation/readers/%s/personal-data", id), 403);
    assert_int_equal(consents_of(id), 0);
    free(id);
}

/* Bad dates, unknown kinds, a parent without a name, missing fields: 400,
 * nothing written. */
static void bad_consents_are_refused(void **state)
{
    (void)state;
    char *id = reader(NULL);
    const char *bad[] = {
        "{\"kind\":\"reader\",\"basis\":\"ф\",\"given_on\":\"2026-02-30\"}",
        "{\"kind\":\"reader\",\"basis\":\"ф\",\"given_on\":\"2999-01-01\"}",
        "{\"kind\":\"reader\",\"basis\":\"ф\",\"given_on\":\"1999-12-31\"}",
        "{\"kind\":\"reader\",\"basis\":\"ф\",\"given_on\":\"01.09.2026\"}",
        "{\"kind\":\"teacher\",\"basis\":\"ф\",\"given_on\":\"2026-01-01\"}",
        "{\"kind\":\"parent\",\"basis\":\"ф\",\"given_on\":\"2026-01-01\"}",
        "{\"kind\":\"reader\",\"basis\":\"\",\"given_on\":\"2026-01-01\"}",
        "{\"kind\":\"reader\",\"given_on\":\"2026-01-01\"}",
        "{\"kind\":\"reader\",\"basis\":\"ф\",\"given_on\":\"2026-01-01\",\"extra\":1}",
        "[]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        h_resp *r = consent(lib, id, bad[i]);
        assert_int_equal(r->status, 400);
        assert_string_equal(h_header(r, "Content-Type"), "application/problem+json");
        h_free(r);
    }
    expect(consent(lib, "not-a-uuid", bad[0]), 400);
    expect(h_get(lib, "/api/v1/circulation/readers/%s/personal-data",
                 "00000000-0000-4000-8000-000000000000"),
           404);
    assert_int_equal(consents_of(id), 0);
    free(id);
}

/* The export holds the reader with name and birth date, consents, loans. */
static void personal_data_export(void **state)
{
    (void)state;
    char *id = reader(born20);
    char body[160];
    snprintf(body, sizeof body, "{\"kind\":\"reader\",\"basis\":\"ф3\",\"given_on\":\"%s\"}",
             today);
    expect(consent(lib, id, body), 201);
    h_resp *r = h_get(lib, "/api/v1/circulation/readers/%s/personal-data", id);
    assert_int_equal(r->status, 200);
    json_t *rd = json_object_get(r->json, "reader");
    assert_string_equal(json_string_value(json_object_get(rd, "name")), "Петров Пётр");
    assert_string_equal(json_string_value(json_object_get(rd, "birth_date")), born20);
    assert_int_equal(json_array_size(json_object_get(r->json, "consents")), 1);
    assert_true(json_is_array(json_object_get(r->json, "loans")));
    assert_non_null(json_object_get(r->json, "exported_at"));
    h_free(r);
    free(id);
}

/* A reader who left long ago loses name, card and birth date to the
 * anonymiser (every 2 s in the test stack); their loans stay; a reader who
 * left yesterday keeps them. */
static void readers_who_left_long_ago_are_anonymised(void **state)
{
    (void)state;
    char *old = reader(born20), *recent = reader(born20);
    char sql[320];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM (SELECT 1 FROM circulation.readers WHERE id IN ('%s', '%s') "
             "AND left_at IS NULL) x",
             old, recent);
    assert_int_equal(h_sql_int(sql), 2);
    snprintf(sql, sizeof sql,
             "WITH u AS (UPDATE circulation.readers SET status = 'left' WHERE id IN ('%s', '%s') "
             "RETURNING 1) SELECT count(*) FROM u",
             old, recent);
    assert_int_equal(h_sql_int(sql), 2);
    snprintf(sql, sizeof sql,
             "WITH u AS (UPDATE circulation.readers SET left_at = now() - interval '1100 days' "
             "WHERE id = '%s' RETURNING 1) SELECT count(*) FROM u",
             old);
    assert_int_equal(h_sql_int(sql), 1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM circulation.readers WHERE id = '%s' AND anonymised_at IS NOT "
             "NULL AND birth_date IS NULL AND card_barcode = 'anon-' || id",
             old);
    for (int i = 0; i < 100 && h_sql_int(sql) != 1; i++)
        usleep(100000);
    assert_int_equal(h_sql_int(sql), 1);
    h_resp *r = h_get(lib, "/api/v1/circulation/readers/%s", old);
    assert_int_equal(r->status, 200);
    assert_string_not_equal(json_string_value(json_object_get(r->json, "name")), "Петров Пётр");
    assert_null(json_object_get(r->json, "birth_date"));
    h_free(r);
    r = h_get(lib, "/api/v1/circulation/readers/%s", recent);
    assert_string_equal(json_string_value(json_object_get(r->json, "name")), "Петров Пётр");
    assert_int_equal(json_object_get(r->json, "birth_date") != NULL, 1);
    h_free(r);
    free(old), free(recent);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parent_consent_for_a_minor),
        cmocka_unit_test(another_school_sees_nothing),
        cmocka_unit_test(bad_consents_are_refused),
        cmocka_unit_test(personal_data_export),
        cmocka_unit_test(readers_who_left_long_ago_are_anonymised),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

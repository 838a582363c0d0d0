/* Unit tests of services/catalog/record.c: record_normalize (validation,
 * flattening of textbook and eresource, grade order, URL scheme, read-only
 * members, nulls filled) and the ETag forms ibc_etag_version reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../services/catalog/record.h"

/* The columns record_normalize always fills (null or [] when not given). */
static const char *const columns[] = {"subtitle",
                                      "authors",
                                      "publisher",
                                      "place",
                                      "year",
                                      "isbn",
                                      "issn",
                                      "language",
                                      "bbk",
                                      "udk",
                                      "subjects",
                                      "annotation",
                                      "age_rating",
                                      "edition",
                                      "pages",
                                      "series",
                                      "textbook_subject",
                                      "grade_from",
                                      "grade_to",
                                      "fpu_number",
                                      "url",
                                      "access"};

/* Normalises the JSON text; returns rc, the message in ctx and *flat. */
static ibc_rc norm(ibc_ctx *ctx, const char *text, json_t **flat)
{
    json_error_t jerr;
    json_t *body = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!body) fail_msg("test JSON '%s': %s", text, jerr.text);
    memset(ctx, 0, sizeof *ctx);
    *flat = (json_t *)1; /* must be overwritten */
    ibc_rc rc = record_normalize(ctx, body, flat);
    json_decref(body);
    return rc;
}

/* Returns the flattened record of an accepted text; the caller decrefs. */
static json_t *accepted(const char *text)
{
    ibc_ctx ctx;
    json_t *flat;
    if (norm(&ctx, text, &flat) != IBC_OK) fail_msg("'%s' rejected: %s", text, ctx.err_detail);
    assert_non_null(flat);
    return flat;
}

/* Asserts the text is rejected with exactly this sentence and no output. */
static void rejected(const char *text, const char *message)
{
    ibc_ctx ctx;
    json_t *flat;
    if (norm(&ctx, text, &flat) != IBC_EINVAL) fail_msg("'%s' accepted", text);
    assert_null(flat);
    assert_int_equal(ctx.err, IBC_EINVAL);
    if (strcmp(ctx.err_detail, message) != 0)
        fail_msg("'%s': got \"%s\", want \"%s\"", text, ctx.err_detail, message);
}

static const char *str(json_t *flat, const char *key)
{
    return json_string_value(json_object_get(flat, key));
}

static void minimal_record_gets_every_column_filled(void **state)
{
    (void)state;
    json_t *flat = accepted("{\"type\":\"book\",\"title\":\"Азбука\"}");
    assert_string_equal(str(flat, "type"), "book");
    assert_string_equal(str(flat, "title"), "Азбука");
    for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++) {
        json_t *v = json_object_get(flat, columns[i]);
        if (!v) fail_msg("column '%s' missing", columns[i]);
        bool array = strcmp(columns[i], "authors") == 0 || strcmp(columns[i], "subjects") == 0;
        if (array ? !(json_is_array(v) && json_array_size(v) == 0) : !json_is_null(v))
            fail_msg("column '%s' is not %s", columns[i], array ? "[]" : "null");
    }
    assert_null(json_object_get(flat, "textbook"));
    assert_null(json_object_get(flat, "eresource"));
    assert_int_equal(json_object_size(flat), 2 + sizeof columns / sizeof columns[0]);
    json_decref(flat);
}

static void full_record_keeps_its_values(void **state)
{
    (void)state;
    json_t *flat = accepted("{\"type\":\"book\",\"title\":\"Капитанская дочка\","
                            "\"subtitle\":\"Повесть\",\"authors\":[\"Пушкин А. С.\"],"
                            "\"publisher\":\"Просвещение\",\"place\":\"Москва\",\"year\":2019,"
                            "\"language\":\"rus\",\"bbk\":\"84(2Рос=Рус)1\",\"udk\":\"821.161.1\","
                            "\"subjects\":[\"Русская литература\"],\"annotation\":\"…\","
                            "\"age_rating\":\"12+\",\"edition\":\"2-е изд.\",\"pages\":160,"
                            "\"series\":\"Школьная библиотека\",\"issn\":\"1234-5678\"}");
    assert_string_equal(str(flat, "subtitle"), "Повесть");
    assert_string_equal(json_string_value(json_array_get(json_object_get(flat, "authors"), 0)),
                        "Пушкин А. С.");
    assert_int_equal(json_integer_value(json_object_get(flat, "year")), 2019);
    assert_int_equal(json_integer_value(json_object_get(flat, "pages")), 160);
    assert_string_equal(str(flat, "age_rating"), "12+");
    assert_string_equal(str(flat, "bbk"), "84(2Рос=Рус)1");
    assert_string_equal(str(flat, "issn"), "1234-5678");
    json_decref(flat);
}

static void isbn_is_stored_as_13_digits(void **state)
{
    (void)state;
    json_t *flat = accepted("{\"type\":\"book\",\"title\":\"T\",\"isbn\":\"0-306-40615-2\"}");
    assert_string_equal(str(flat, "isbn"), "9780306406157");
    json_decref(flat);
    flat = accepted("{\"type\":\"book\",\"title\":\"T\",\"isbn\":\"978-5-389-07435-4\"}");
    assert_string_equal(str(flat, "isbn"), "9785389074354");
    json_decref(flat);
}

static void invalid_isbn_is_rejected_naming_it(void **state)
{
    (void)state;
    rejected("{\"type\":\"book\",\"title\":\"T\",\"isbn\":\"0-306-40615-3\"}",
             "'isbn' '0-306-40615-3' is not a valid ISBN-10 or ISBN-13 (check digit, length)");
    rejected("{\"type\":\"book\",\"title\":\"T\",\"isbn\":\"\"}", "'isbn' must not be empty");
    rejected("{\"type\":\"book\",\"title\":\"T\",\"isbn\":9780306406157}",
             "'isbn' must be a string");
}

static void textbook_is_flattened_into_columns(void **state)
{
    (void)state;
    json_t *flat = accepted("{\"type\":\"textbook\",\"title\":\"Математика. 5 класс\","
                            "\"textbook\":{\"subject\":\"Математика\",\"grade_from\":5,"
                            "\"grade_to\":6,\"fpu_number\":\"1.1.2.4.1.1.1\"}}");
    assert_null(json_object_get(flat, "textbook"));
    assert_string_equal(str(flat, "textbook_subject"), "Математика");
    assert_int_equal(json_integer_value(json_object_get(flat, "grade_from")), 5);
    assert_int_equal(json_integer_value(json_object_get(flat, "grade_to")), 6);
    assert_string_equal(str(flat, "fpu_number"), "1.1.2.4.1.1.1");
    json_decref(flat);
}

static void partial_textbook_leaves_the_rest_null(void **state)
{
    (void)state;
    json_t *flat =
        accepted("{\"type\":\"textbook\",\"title\":\"T\",\"textbook\":{\"grade_from\":7}}");
    assert_int_equal(json_integer_value(json_object_get(flat, "grade_from")), 7);
    assert_true(json_is_null(json_object_get(flat, "grade_to")));
    assert_true(json_is_null(json_object_get(flat, "textbook_subject")));
    assert_true(json_is_null(json_object_get(flat, "fpu_number")));
    json_decref(flat);
    flat = accepted("{\"type\":\"textbook\",\"title\":\"T\",\"textbook\":{}}");
    assert_true(json_is_null(json_object_get(flat, "grade_from")));
    assert_null(json_object_get(flat, "textbook"));
    json_decref(flat);
}

static void null_textbook_is_no_textbook(void **state)
{
    (void)state;
    json_t *flat = accepted("{\"type\":\"book\",\"title\":\"T\",\"textbook\":null}");
    assert_null(json_object_get(flat, "textbook"));
    assert_true(json_is_null(json_object_get(flat, "grade_from")));
    json_decref(flat);
}

static void grades_in_order_or_equal_are_accepted(void **state)
{
    (void)state;
    json_t *flat = accepted(
        "{\"type\":\"textbook\",\"title\":\"T\",\"textbook\":{\"grade_from\":1,\"grade_to\":11}}");
    json_decref(flat);
    flat = accepted(
        "{\"type\":\"textbook\",\"title\":\"T\",\"textbook\":{\"grade_from\":9,\"grade_to\":9}}");
    assert_int_equal(json_integer_value(json_object_get(flat, "grade_to")), 9);
    json_decref(flat);
}

static void grade_from_after_grade_to_is_rejected(void **state)
{
    (void)state;
    rejected(
        "{\"type\":\"textbook\",\"title\":\"T\",\"textbook\":{\"grade_from\":7,\"grade_to\":5}}",
        "'textbook.grade_from' (7) is after 'textbook.grade_to' (5)");
}

static void grades_outside_1_to_11_are_rejected(void **state)
{
    (void)state;
    rejected("{\"type\":\"textbook\",\"title\":\"T\",\"textbook\":{\"grade_to\":12}}",
             "'textbook.grade_to' must be from 1 to 11, not 12");
    rejected("{\"type\":\"textbook\",\"title\":\"T\",\"textbook\":{\"grade_from\":0}}",
             "'textbook.grade_from' must be from 1 to 11, not 0");
    rejected("{\"type\":\"textbook\",\"title\":\"T\",\"textbook\":{\"grade_from\":\"5\"}}",
             "'textbook.grade_from' must be an integer");
}

static void textbook_problems_are_named_with_their_prefix(void **state)
{
    (void)state;
    rejected("{\"type\":\"textbook\",\"title\":\"T\",\"textbook\":{\"class\":5}}",
             "unknown field 'textbook.class'");
    rejected("{\"type\":\"textbook\",\"title\":\"T\",\"textbook\":[5,6]}",
             "'textbook' must be an object");
    rejected("{\"type\":\"textbook\",\"title\":\"T\",\"textbook\":{\"subject\":\"\"}}",
             "'textbook.subject' must not be empty");
}

static void eresource_is_flattened_into_url_and_access(void **state)
{
    (void)state;
    json_t *flat = accepted("{\"type\":\"e-resource\",\"title\":\"T\",\"eresource\":"
                            "{\"url\":\"https://e.lanbook.com/book/1\",\"access\":\"licensed\"}}");
    assert_null(json_object_get(flat, "eresource"));
    assert_string_equal(str(flat, "url"), "https://e.lanbook.com/book/1");
    assert_string_equal(str(flat, "access"), "licensed");
    json_decref(flat);
    flat = accepted("{\"type\":\"e-resource\",\"title\":\"T\",\"eresource\":"
                    "{\"url\":\"http://school17.ru/lib\"}}");
    assert_string_equal(str(flat, "url"), "http://school17.ru/lib");
    assert_true(json_is_null(json_object_get(flat, "access")));
    json_decref(flat);
}

static void eresource_url_must_be_http_or_https(void **state)
{
    (void)state;
    rejected("{\"type\":\"e-resource\",\"title\":\"T\",\"eresource\":"
             "{\"url\":\"ftp://files.example/book\"}}",
             "'eresource.url' must start with http:// or https://");
    rejected("{\"type\":\"e-resource\",\"title\":\"T\",\"eresource\":"
             "{\"url\":\"javascript:alert(1)\"}}",
             "'eresource.url' must start with http:// or https://");
    rejected("{\"type\":\"e-resource\",\"title\":\"T\",\"eresource\":"
             "{\"url\":\"school17.ru/lib\"}}",
             "'eresource.url' must start with http:// or https://");
}

static void eresource_url_needs_a_host(void **state)
{
    (void)state;
    rejected("{\"type\":\"e-resource\",\"title\":\"T\",\"eresource\":{\"url\":\"https://\"}}",
             "'eresource.url' 'https://' names no host after the scheme");
    rejected("{\"type\":\"e-resource\",\"title\":\"T\",\"eresource\":{\"url\":\"http:///x\"}}",
             "'eresource.url' 'http:///x' names no host after the scheme");
}

static void eresource_problems_are_named_with_their_prefix(void **state)
{
    (void)state;
    rejected("{\"type\":\"e-resource\",\"title\":\"T\",\"eresource\":{}}",
             "'eresource.url' is required");
    rejected("{\"type\":\"e-resource\",\"title\":\"T\",\"eresource\":"
             "{\"url\":\"https://x.ru\",\"access\":\"free\"}}",
             "'eresource.access' must be one of open, network, school, licensed, not 'free'");
    rejected("{\"type\":\"e-resource\",\"title\":\"T\",\"eresource\":\"https://x.ru\"}",
             "'eresource' must be an object");
}

static void read_only_members_from_a_get_are_ignored(void **state)
{
    (void)state;
    json_t *flat = accepted("{\"id\":\"0189c6a2-7d7e-7cc1-9a2b-5f4e3d2c1b0a\",\"version\":3,"
                            "\"created_at\":\"2024-01-01T00:00:00Z\",\"updated_at\":null,"
                            "\"created_by_org\":\"school-17\",\"type\":\"book\",\"title\":\"T\"}");
    assert_null(json_object_get(flat, "id"));
    assert_null(json_object_get(flat, "version"));
    assert_null(json_object_get(flat, "created_at"));
    assert_null(json_object_get(flat, "updated_at"));
    assert_null(json_object_get(flat, "created_by_org"));
    assert_string_equal(str(flat, "title"), "T");
    json_decref(flat);
}

static void unknown_members_are_rejected(void **state)
{
    (void)state;
    rejected("{\"type\":\"book\",\"title\":\"T\",\"author\":\"Пушкин\"}", "unknown field 'author'");
    rejected("{\"type\":\"book\",\"title\":\"T\",\"grade_from\":5}", "unknown field 'grade_from'");
    rejected("{\"type\":\"book\",\"title\":\"T\",\"url\":\"https://x.ru\"}", "unknown field 'url'");
}

static void explicit_nulls_are_kept_as_nulls(void **state)
{
    (void)state;
    json_t *flat = accepted("{\"type\":\"book\",\"title\":\"T\",\"subtitle\":null,"
                            "\"year\":null,\"authors\":null,\"eresource\":null}");
    assert_true(json_is_null(json_object_get(flat, "subtitle")));
    assert_true(json_is_null(json_object_get(flat, "year")));
    assert_true(json_is_array(json_object_get(flat, "authors")));
    assert_true(json_is_null(json_object_get(flat, "url")));
    json_decref(flat);
}

static void required_members_and_type_are_checked(void **state)
{
    (void)state;
    rejected("{\"title\":\"T\"}", "'type' is required");
    rejected("{\"type\":\"book\"}", "'title' is required");
    rejected("{\"type\":\"book\",\"title\":null}", "'title' is required");
    rejected("{\"type\":\"book\",\"title\":\"\"}", "'title' must not be empty");
    rejected("{\"type\":\"novel\",\"title\":\"T\"}",
             "'type' must be one of book, textbook, e-resource, multimedia, periodical, "
             "methodical, not 'novel'");
    rejected("[]", "the body must be a JSON object");
    rejected("null", "the body must be a JSON object");
}

static void year_may_be_next_year_at_most(void **state)
{
    (void)state;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    int next = tm.tm_year + 1900 + 1;
    char text[128], want[128];
    snprintf(text, sizeof text, "{\"type\":\"book\",\"title\":\"T\",\"year\":%d}", next);
    json_decref(accepted(text));
    snprintf(text, sizeof text, "{\"type\":\"book\",\"title\":\"T\",\"year\":%d}", next + 1);
    snprintf(want, sizeof want, "'year' must be from 1000 to %d, not %d", next, next + 1);
    rejected(text, want);
    json_decref(accepted("{\"type\":\"book\",\"title\":\"T\",\"year\":1000}"));
    snprintf(want, sizeof want, "'year' must be from 1000 to %d, not 999", next);
    rejected("{\"type\":\"book\",\"title\":\"T\",\"year\":999}", want);
}

static void lengths_are_counted_in_characters(void **state)
{
    (void)state;
    /* 2000 Cyrillic letters (4000 bytes) are a valid title; 2001 are not */
    char *text = malloc(8200);
    strcpy(text, "{\"type\":\"book\",\"title\":\"");
    size_t n = strlen(text);
    for (int i = 0; i < 2000; i++, n += 2)
        memcpy(text + n, "ж", 2);
    strcpy(text + n, "\"}");
    json_decref(accepted(text));
    memcpy(text + n, "ж\"}", 5);
    rejected(text, "'title' is 2001 characters long; at most 2000 are allowed");
    free(text);
    rejected("{\"type\":\"book\",\"title\":\"T\",\"language\":\"r\"}",
             "'language' must be at least 2 characters long");
}

static void etag_forms_parse_to_the_version(void **state)
{
    (void)state;
    assert_int_equal(ibc_etag_version("3"), 3);
    assert_int_equal(ibc_etag_version("\"3\""), 3);
    assert_int_equal(ibc_etag_version("W/\"3\""), 3);
    assert_int_equal(ibc_etag_version("\"12345\""), 12345);
    assert_int_equal(ibc_etag_version("1"), 1);
}

static void bad_etags_are_minus_one(void **state)
{
    (void)state;
    static const char *bad[] = {"",
                                "\"\"",
                                "\"",
                                "0",
                                "\"0\"",
                                "-1",
                                "\"-3\"",
                                "abc",
                                "3abc",
                                "\"3",
                                "3\"",
                                "*",
                                "W/",
                                "W/\"\"",
                                "w/\"3\"",
                                "\"3\", \"4\"",
                                " 3",
                                "+3",
                                "\" 3\"",
                                "3 ",
                                "99999999999999999999999",
                                "\"99999999999999999999999\"",
                                "\"0x10\"",
                                "W/W/\"3\"",
                                "\"1111111111111111111111111111111111111111\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long v = ibc_etag_version(bad[i]);
        if (v != -1) fail_msg("'%s' parsed as %ld", bad[i], v);
    }
    assert_int_equal(ibc_etag_version(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(minimal_record_gets_every_column_filled),
        cmocka_unit_test(full_record_keeps_its_values),
        cmocka_unit_test(isbn_is_stored_as_13_digits),
        cmocka_unit_test(invalid_isbn_is_rejected_naming_it),
        cmocka_unit_test(textbook_is_flattened_into_columns),
        cmocka_unit_test(partial_textbook_leaves_the_rest_null),
        cmocka_unit_test(null_textbook_is_no_textbook),
        cmocka_unit_test(grades_in_order_or_equal_are_accepted),
        cmocka_unit_test(grade_from_after_grade_to_is_rejected),
        cmocka_unit_test(grades_outside_1_to_11_are_rejected),
        cmocka_unit_test(textbook_problems_are_named_with_their_prefix),
        cmocka_unit_test(eresource_is_flattened_into_url_and_access),
        cmocka_unit_test(eresource_url_must_be_http_or_https),
        cmocka_unit_test(eresource_url_needs_a_host),
        cmocka_unit_test(eresource_problems_are_named_with_their_prefix),
        cmocka_unit_test(read_only_members_from_a_get_are_ignored),
        cmocka_unit_test(unknown_members_are_rejected),
        cmocka_unit_test(explicit_nulls_are_kept_as_nulls),
        cmocka_unit_test(required_members_and_type_are_checked),
        cmocka_unit_test(year_may_be_next_year_at_most),
        cmocka_unit_test(lengths_are_counted_in_characters),
        cmocka_unit_test(etag_forms_parse_to_the_version),
        cmocka_unit_test(bad_etags_are_minus_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

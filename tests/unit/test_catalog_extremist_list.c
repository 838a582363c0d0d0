/* Reading the federal list of extremist materials
 * (services/catalog/extremist/list_parse.c): numbered text, HTML tables,
 * CSV; UTF-8 and windows-1251; entries split into description, court and
 * title; the limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/catalog/extremist/list_parse.h"

static json_t *parse_ok(list_format fmt, const char *type, const char *s, size_t len)
{
    list_parsed p;
    bool ok = list_parse((const unsigned char *)s, len ? len : strlen(s), fmt, type, &p);
    if (!ok) fprintf(stderr, "refused: %s\n", p.error);
    assert_true(ok);
    return p.entries;
}

static const char *field(const json_t *entries, size_t i, const char *k)
{
    return json_string_value(json_object_get(json_array_get(entries, i), k));
}

static void entry_splits_description_court_and_title(void **state)
{
    (void)state;
    const char *t =
        "  Книга  Иванова И.И. «Заглавие, часть 1»  (решение Энского суда от 1.1.2010);";
    json_t *e = list_entry_new(7, t, strlen(t));
    assert_int_equal(json_integer_value(json_object_get(e, "number")), 7);
    assert_string_equal(json_string_value(json_object_get(e, "description")),
                        "Книга Иванова И.И. «Заглавие, часть 1»");
    assert_string_equal(json_string_value(json_object_get(e, "court")),
                        "решение Энского суда от 1.1.2010");
    assert_string_equal(json_string_value(json_object_get(e, "title")), "Заглавие, часть 1");
    json_decref(e);
    /* no court, "quotes" */
    e = list_entry_new(1, "Листовка \"Призыв\" (2008 г.)", strlen("Листовка \"Призыв\" (2008 г.)"));
    assert_null(json_object_get(e, "court"));
    assert_string_equal(json_string_value(json_object_get(e, "title")), "Призыв");
    json_decref(e);
}

static void numbered_text_with_heading_and_continued_lines(void **state)
{
    (void)state;
    json_t *e = parse_ok(LIST_TEXT, "text/plain",
                         "\xEF\xBB\xBFСписок\r\n\r\n1. Первая (решение суда);\r\n"
                         "2. Вторая\r\n   продолжение (решение суда);\r\n10) Десятая\n",
                         0);
    assert_int_equal(json_array_size(e), 3);
    assert_string_equal(field(e, 1, "description"), "Вторая продолжение");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(e, 2), "number")), 10);
    json_decref(e);
}

static void windows_1251_is_converted(void **state)
{
    (void)state;
    /* "1. Книга" in windows-1251 */
    const char cp[] = "1. \xCA\xED\xE8\xE3\xE0 \xAB\xC0\xBB\n";
    json_t *e = parse_ok(LIST_TEXT, "text/plain", cp, 0);
    assert_string_equal(field(e, 0, "text"), "Книга «А»");
    json_decref(e);
}

static void html_rows_even_many(void **state)
{
    (void)state;
    size_t rows = 90000;
    char *s = malloc(rows * 48 + 64), *p = s;
    p += sprintf(p, "<table><tr><th>N</th><th>Материал</th></tr>");
    for (size_t i = 1; i <= rows; i++)
        p += sprintf(p, "<tr><td>%zu</td><td>x &amp; y</td></tr>", i);
    json_t *e = parse_ok(LIST_HTML, "text/html", s, (size_t)(p - s));
    assert_int_equal(json_array_size(e), rows);
    assert_string_equal(field(e, 0, "text"), "x & y");
    json_decref(e);
    free(s);
}

static void csv_quoted_and_multiline(void **state)
{
    (void)state;
    json_t *e = parse_ok(LIST_CSV, "text/csv", "N,Text\n1,\"a, \"\"b\"\"\nc\"\n2,d\n", 0);
    assert_int_equal(json_array_size(e), 2);
    assert_string_equal(field(e, 0, "text"), "a, \"b\" c");
    json_decref(e);
}

static void refusals(void **state)
{
    (void)state;
    list_parsed p;
    assert_false(list_parse((const unsigned char *)"no list", 7, LIST_TEXT, NULL, &p));
    json_decref(p.entries);
    assert_false(list_parse((const unsigned char *)"1. a\n1. b\n", 10, LIST_TEXT, NULL, &p));
    assert_non_null(strstr(p.error, "twice"));
    json_decref(p.entries);
    assert_false(list_parse((const unsigned char *)"1. a\0b", 6, LIST_TEXT, NULL, &p));
    assert_non_null(strstr(p.error, "not text"));
    json_decref(p.entries);
    size_t rows = 100001;
    char *s = malloc(rows * 12), *q = s;
    for (size_t i = 1; i <= rows; i++)
        q += sprintf(q, "%zu. x\n", i);
    assert_false(list_parse((const unsigned char *)s, (size_t)(q - s), LIST_TEXT, NULL, &p));
    assert_true(p.too_big);
    json_decref(p.entries);
    free(s);
}

/* a table behind 1,000 nested elements: read whole, or refused, never in
 * part (libxml2 stops at its depth limit) */
static void html_cut_short_is_refused(void **state)
{
    (void)state;
    size_t rows = 2000, depth = 1000;
    char *s = malloc(rows * 48 + depth * 5 + 16), *p = s;
    for (size_t i = 0; i < depth; i++)
        p += sprintf(p, "<div>");
    p += sprintf(p, "<table>");
    for (size_t i = 1; i <= rows; i++)
        p += sprintf(p, "<tr><td>%zu</td><td>x</td></tr>", i);
    list_parsed lp;
    bool ok = list_parse((const unsigned char *)s, (size_t)(p - s), LIST_HTML, NULL, &lp);
    fprintf(stderr, "%s: %zu entries, %s\n", ok ? "read" : "refused", json_array_size(lp.entries),
            lp.error);
    assert_true(!ok || json_array_size(lp.entries) == rows);
    json_decref(lp.entries);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(entry_splits_description_court_and_title),
        cmocka_unit_test(numbered_text_with_heading_and_continued_lines),
        cmocka_unit_test(windows_1251_is_converted),
        cmocka_unit_test(html_rows_even_many),
        cmocka_unit_test(csv_quoted_and_multiline),
        cmocka_unit_test(refusals),
        cmocka_unit_test(html_cut_short_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

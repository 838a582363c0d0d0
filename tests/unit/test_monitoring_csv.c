/* Unit tests of services/monitoring/csv.c: the BOM, ';' and CRLF, RFC 4180
 * quoting, decimal commas, and formulas a spreadsheet must not run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../services/monitoring/csv.h"

/* Takes the text of b and compares it with want (after the BOM). */
static void gives(csv_buf *b, const char *want)
{
    size_t len = 0;
    char *text = csv_take(b, &len);
    assert_non_null(text);
    assert_int_equal(len, strlen(text));
    assert_memory_equal(text, "\xEF\xBB\xBF", 3);
    if (strcmp(text + 3, want) != 0) fail_msg("got [%s], want [%s]", text + 3, want);
    free(text);
}

static void fields_are_separated_by_semicolons_and_rows_end_in_crlf(void **state)
{
    (void)state;
    csv_buf b;
    assert_true(csv_init(&b));
    csv_text(&b, "Школа");
    csv_int(&b, 7);
    csv_text(&b, NULL);
    csv_end_row(&b);
    csv_text(&b, "school-17");
    csv_end_row(&b);
    gives(&b, "Школа;7;\r\nschool-17\r\n");
}

static void separators_quotes_and_newlines_are_quoted(void **state)
{
    (void)state;
    csv_buf b;
    assert_true(csv_init(&b));
    csv_text(&b, "a;b");
    csv_text(&b, "say \"hi\"");
    csv_text(&b, "two\nlines");
    csv_end_row(&b);
    gives(&b, "\"a;b\";\"say \"\"hi\"\"\";\"two\nlines\"\r\n");
}

static void a_formula_is_defused_with_an_apostrophe(void **state)
{
    (void)state;
    csv_buf b;
    assert_true(csv_init(&b));
    csv_text(&b, "=HYPERLINK(\"x\")");
    csv_text(&b, "+1");
    csv_text(&b, "-2");
    csv_text(&b, "@SUM(A1)");
    csv_text(&b, "a=b");
    csv_end_row(&b);
    gives(&b, "\"'=HYPERLINK(\"\"x\"\")\";\"'+1\";\"'-2\";\"'@SUM(A1)\";a=b\r\n");
}

static void numbers_get_a_decimal_comma_and_nothing_else(void **state)
{
    (void)state;
    csv_buf b;
    assert_true(csv_init(&b));
    csv_number(&b, "83.3");
    csv_number(&b, "-0.5");
    csv_number(&b, "1e3");
    csv_number(&b, "12;=x");
    csv_number(&b, NULL);
    csv_end_row(&b);
    gives(&b, "83,3;-0,5;1e3;12;\r\n");
}

static void a_large_table_grows_the_buffer(void **state)
{
    (void)state;
    csv_buf b;
    assert_true(csv_init(&b));
    for (int i = 0; i < 20000; i++) {
        csv_int(&b, i);
        csv_text(&b, "учебник");
        csv_end_row(&b);
    }
    size_t len = 0;
    char *text = csv_take(&b, &len);
    assert_non_null(text);
    assert_non_null(strstr(text, "\r\n19999;учебник\r\n"));
    assert_int_equal(b.data, NULL);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fields_are_separated_by_semicolons_and_rows_end_in_crlf),
        cmocka_unit_test(separators_quotes_and_newlines_are_quoted),
        cmocka_unit_test(a_formula_is_defused_with_an_apostrophe),
        cmocka_unit_test(numbers_get_a_decimal_comma_and_nothing_else),
        cmocka_unit_test(a_large_table_grows_the_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

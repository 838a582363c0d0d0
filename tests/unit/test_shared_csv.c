/* Unit tests of shared/src/csv.c: the BOM, ';' and CRLF, RFC 4180
 * quoting, decimal commas, and formulas a spreadsheet must not run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <ibc/csv.h>

/* Takes the text of b and compares it with want (after the BOM). */
static void gives(ibc_csv_buf *b, const char *want)
{
    size_t len = 0;
    char *text = ibc_csv_take(b, &len);
    assert_non_null(text);
    assert_int_equal(len, strlen(text));
    assert_memory_equal(text, "\xEF\xBB\xBF", 3);
    if (strcmp(text + 3, want) != 0) fail_msg("got [%s], want [%s]", text + 3, want);
    free(text);
}

static void fields_are_separated_by_semicolons_and_rows_end_in_crlf(void **state)
{
    (void)state;
    ibc_csv_buf b;
    assert_true(ibc_csv_init(&b));
    ibc_csv_text(&b, "Школа");
    ibc_csv_int(&b, 7);
    ibc_csv_text(&b, NULL);
    ibc_csv_end_row(&b);
    ibc_csv_text(&b, "school-17");
    ibc_csv_end_row(&b);
    gives(&b, "Школа;7;\r\nschool-17\r\n");
}

static void separators_quotes_and_newlines_are_quoted(void **state)
{
    (void)state;
    ibc_csv_buf b;
    assert_true(ibc_csv_init(&b));
    ibc_csv_text(&b, "a;b");
    ibc_csv_text(&b, "say \"hi\"");
    ibc_csv_text(&b, "two\nlines");
    ibc_csv_end_row(&b);
    gives(&b, "\"a;b\";\"say \"\"hi\"\"\";\"two\nlines\"\r\n");
}

static void a_formula_is_defused_with_an_apostrophe(void **state)
{
    (void)state;
    ibc_csv_buf b;
    assert_true(ibc_csv_init(&b));
    ibc_csv_text(&b, "=HYPERLINK(\"x\")");
    ibc_csv_text(&b, "+1");
    ibc_csv_text(&b, "-2");
    ibc_csv_text(&b, "@SUM(A1)");
    ibc_csv_text(&b, "a=b");
    ibc_csv_end_row(&b);
    gives(&b, "\"'=HYPERLINK(\"\"x\"\")\";\"'+1\";\"'-2\";\"'@SUM(A1)\";a=b\r\n");
}

static void numbers_get_a_decimal_comma_and_nothing_else(void **state)
{
    (void)state;
    ibc_csv_buf b;
    assert_true(ibc_csv_init(&b));
    ibc_csv_number(&b, "83.3");
    ibc_csv_number(&b, "-0.5");
    ibc_csv_number(&b, "1e3");
    ibc_csv_number(&b, "12;=x");
    ibc_csv_number(&b, NULL);
    ibc_csv_end_row(&b);
    gives(&b, "83,3;-0,5;1e3;12;\r\n");
}

static void a_large_table_grows_the_buffer(void **state)
{
    (void)state;
    ibc_csv_buf b;
    assert_true(ibc_csv_init(&b));
    for (int i = 0; i < 20000; i++) {
        ibc_csv_int(&b, i);
        ibc_csv_text(&b, "учебник");
        ibc_csv_end_row(&b);
    }
    size_t len = 0;
    char *text = ibc_csv_take(&b, &len);
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

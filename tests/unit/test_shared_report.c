/* Unit tests of shared/src/report.c: CSV of several sheets under one header,
 * sheets of other columns as sections, kopecks as roubles with a decimal comma (negative too),
 * empty cells, and an XLSX that is a zip holding the workbook's parts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ibc/report.h>
#include <stdlib.h>
#include <string.h>

static const ibc_col cols[] = {
    {"Дата", IBC_COL_DATE},
    {"Акт", IBC_COL_TEXT},
    {"Экз.", IBC_COL_INT},
    {"Сумма", IBC_COL_KOPECKS},
};

static void csv_stacks_sheets_and_writes_roubles(void **state)
{
    (void)state;
    json_t *a =
        json_pack("[[s, s, i, i], [n, s, i, i]]", "2026-01-15", "П-1", 3, 105050, "=1+1", 0, -5);
    json_t *b = json_pack("[[s, n, i, i]]", "2026-02-01", 1, 1999);
    ibc_sheet sheets[] = {{"Часть 1", cols, 4, a}, {"Часть 2", cols, 4, b}};
    size_t len = 0;
    char *csv = ibc_report_csv(sheets, 2, &len);
    assert_non_null(csv);
    assert_int_equal(len, strlen(csv));
    assert_string_equal(csv, "\xEF\xBB\xBF;Дата;Акт;Экз.;Сумма\r\n"
                             "Часть 1;2026-01-15;П-1;3;1050,50\r\n"
                             "Часть 1;;\"'=1+1\";0;-0,05\r\n"
                             "Часть 2;2026-02-01;;1;19,99\r\n");
    free(csv);
    json_decref(a);
    json_decref(b);
}

static void one_sheet_has_no_sheet_column(void **state)
{
    (void)state;
    json_t *a = json_pack("[[s, s, i, i]]", "2026-01-15", "П-1", 1, 100);
    ibc_sheet sheet = {"Книга", cols, 4, a};
    size_t len = 0;
    char *csv = ibc_report_csv(&sheet, 1, &len);
    assert_string_equal(csv, "\xEF\xBB\xBF"
                             "Дата;Акт;Экз.;Сумма\r\n2026-01-15;П-1;1;1,00\r\n");
    free(csv);
    json_decref(a);
}

static void sheets_with_other_columns_are_sections(void **state)
{
    (void)state;
    static const ibc_col two[] = {{"Класс", IBC_COL_TEXT}, {"Читателей", IBC_COL_INT}};
    json_t *a = json_pack("[[s, s, i, i]]", "2026-01-15", "П-1", 1, 100);
    json_t *b = json_pack("[[s, i], [s, i]]", "5А", 12, "6Б", 3);
    ibc_sheet sheets[] = {{"Книга", cols, 4, a}, {"По классам", two, 2, b}};
    size_t len = 0;
    char *csv = ibc_report_csv(sheets, 2, &len);
    assert_string_equal(csv, "\xEF\xBB\xBF"
                             "Книга\r\nДата;Акт;Экз.;Сумма\r\n2026-01-15;П-1;1;1,00\r\n\r\n"
                             "По классам\r\nКласс;Читателей\r\n5А;12\r\n6Б;3\r\n");
    free(csv);
    json_decref(a);
    json_decref(b);
}

static void xlsx_is_a_zip_with_the_workbook(void **state)
{
    (void)state;
    json_t *a =
        json_pack("[[s, s, i, i], [s, n, n, n]]", "2026-01-15", "П-1", 3, 105050, "not a date");
    ibc_sheet sheets[] = {{"Часть 1. Поступление", cols, 4, a}, {"Часть 2", cols, 4, a}};
    size_t len = 0;
    char err[256] = "";
    char *x = ibc_report_xlsx(sheets, 2, &len, err, sizeof err);
    assert_non_null(x);
    assert_string_equal(err, "");
    assert_true(len > 1000);
    assert_memory_equal(x, "PK\x03\x04", 4);
    assert_non_null(memmem(x, len, "xl/worksheets/sheet2.xml", 24));
    free(x);
    json_decref(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_stacks_sheets_and_writes_roubles),
        cmocka_unit_test(one_sheet_has_no_sheet_column),
        cmocka_unit_test(sheets_with_other_columns_are_sections),
        cmocka_unit_test(xlsx_is_a_zip_with_the_workbook),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

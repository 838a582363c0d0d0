/* The fund's books of record: the summary register (книга суммарного учёта)
 * and the inventory book (инвентарная книга) of a school, as JSON, CSV or
 * XLSX. PostgreSQL computes them (fund_register(), fund_items); this file
 * turns them into rows. */
#include "fund.h"
#include "store_fund.h"

#include <ibc/report.h>
#include <ibc/request.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const formats[] = {"json", "csv", "xlsx", NULL};

/* More rows than this in one file: ask for a year at a time. */
#define BOOK_FILE_MAX_ROWS 100000

/* the register's columns after the first five, in order */
static const char *const kinds[] = {"books", "textbooks", "e_resources", "periodicals"};
static const char *const kind_titles[] = {"Книги", "Учебники", "Электронные ресурсы", "Периодика"};
static const char *const sections[] = {"1",  "2",  "3",  "4",  "5",  "6",  "7", "81",
                                       "83", "84", "85", "86", "87", "88", "9", "other"};
static const char *const section_titles[] = {"ББК 1 Общенаучное",
                                             "ББК 2 Естественные науки",
                                             "ББК 3 Техника",
                                             "ББК 4 Сельское хозяйство",
                                             "ББК 5 Здравоохранение",
                                             "ББК 6 Общественные науки",
                                             "ББК 7 Культура, образование",
                                             "ББК 81 Языкознание",
                                             "ББК 83 Литературоведение",
                                             "ББК 84 Художественная литература",
                                             "ББК 85 Искусство",
                                             "ББК 86 Религия",
                                             "ББК 87 Философия",
                                             "ББК 88 Психология",
                                             "ББК 9 Универсальное",
                                             "Без раздела ББК"};

static const char *label(const char *code)
{
    static const char *const map[][2] = {
        {"budget", "бюджет"},       {"gift", "дар"},
        {"grant", "грант"},         {"replacement", "взамен утерянных"},
        {"exchange", "обмен"},      {"worn", "ветхость"},
        {"lost", "утрата"},         {"outdated", "устарелость"},
        {"damaged", "повреждение"}, {"lost_by_reader", "утеряно читателем, возмещено"},
    };
    for (size_t i = 0; code && i < IBC_LEN(map); i++)
        if (strcmp(map[i][0], code) == 0) return map[i][1];
    return code;
}

#define NCOLS (5 + IBC_LEN(kinds) + IBC_LEN(sections))

static void register_columns(ibc_col *cols)
{
    cols[0] = (ibc_col){"Дата", IBC_COL_DATE};
    cols[1] = (ibc_col){"Номер акта", IBC_COL_TEXT};
    cols[2] = (ibc_col){"Источник / причина", IBC_COL_TEXT};
    cols[3] = (ibc_col){"Экземпляров", IBC_COL_INT};
    cols[4] = (ibc_col){"Сумма, руб.", IBC_COL_KOPECKS};
    for (size_t k = 0; k < IBC_LEN(kinds); k++)
        cols[5 + k] = (ibc_col){kind_titles[k], IBC_COL_INT};
    for (size_t s = 0; s < IBC_LEN(sections); s++)
        cols[5 + IBC_LEN(kinds) + s] = (ibc_col){section_titles[s], IBC_COL_INT};
}

static json_t *copies_of(const json_t *by, const char *key)
{
    const json_t *c = json_object_get(json_object_get(by, key), "copies");
    return json_integer(c ? json_integer_value(c) : 0);
}

/* One row: the first three cells, then the tally's copies, sum, kinds, sections. */
static json_t *tally_row(json_t *date, json_t *number, const char *what, const json_t *t)
{
    json_t *row =
        json_pack("[o, o, s?, O, O]", date ? date : json_null(), number ? number : json_null(),
                  label(what), json_object_get(t, "copies"), json_object_get(t, "sum_kopecks"));
    for (size_t k = 0; k < IBC_LEN(kinds); k++)
        json_array_append_new(row, copies_of(json_object_get(t, "by_kind"), kinds[k]));
    for (size_t s = 0; s < IBC_LEN(sections); s++)
        json_array_append_new(row, copies_of(json_object_get(t, "by_section"), sections[s]));
    return row;
}

/* The rows of part 1 or 2: each act, then the total. */
static json_t *acts_rows(const json_t *part, const char *list, const char *what)
{
    json_t *rows = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(part, list), i, a)
    {
        const char *code = json_string_value(json_object_get(a, what));
        json_array_append_new(rows, tally_row(json_incref(json_object_get(a, "date")),
                                              json_incref(json_object_get(a, "number")), code, a));
    }
    json_array_append_new(
        rows, tally_row(NULL, json_string("Итого"), NULL, json_object_get(part, "total")));
    return rows;
}

static json_t *movement_rows(const json_t *part3, long year)
{
    char start[32], end[32];
    snprintf(start, sizeof start, "Состоит на 01.01.%ld", year);
    snprintf(end, sizeof end, "Состоит на 31.12.%ld", year);
    static const char *const keys[] = {"at_start", "received", "written_off", "at_end"};
    const char *titles[] = {start, "Поступило за год", "Выбыло за год", end};
    json_t *rows = json_array();
    for (size_t i = 0; i < IBC_LEN(keys); i++)
        json_array_append_new(
            rows, tally_row(NULL, json_string(titles[i]), NULL, json_object_get(part3, keys[i])));
    return rows;
}

static ibc_rc register_file(ibc_ctx *ctx, const json_t *reg, const char *school, long year,
                            const char *format)
{
    ibc_col cols[NCOLS];
    register_columns(cols);
    json_t *p1 = acts_rows(json_object_get(reg, "part1"), "receipts", "source");
    json_t *p2 = acts_rows(json_object_get(reg, "part2"), "write_offs", "reason");
    json_t *p3 = movement_rows(json_object_get(reg, "part3"), year);
    ibc_sheet sheets[] = {
        {"Часть 1. Поступление", cols, NCOLS, p1},
        {"Часть 2. Выбытие", cols, NCOLS, p2},
        {"Часть 3. Итоги движения", cols, NCOLS, p3},
    };
    char name[128];
    snprintf(name, sizeof name, "ksu-%s-%ld", school, year);
    ibc_rc rc = ibc_report_reply(ctx, format, sheets, IBC_LEN(sheets), name);
    json_decref(p1);
    json_decref(p2);
    json_decref(p3);
    return rc;
}

static long this_year(void)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    return tm.tm_year + 1900;
}

/* fund_register.get: ?school= (default the caller's), year (default this
 * one), format json|csv|xlsx. 200 with the register; 403 for another
 * school's (librarian). */
ibc_rc fund_register_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"school", "year", "format", NULL};
    const char *school = NULL, *format = NULL;
    long year;
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = ibc_req_org(ctx, req, "school", &school);
    if (rc == IBC_OK) rc = ibc_req_int(ctx, req, "year", 1900, 2100, this_year(), &year);
    if (rc == IBC_OK) rc = ibc_req_enum(ctx, req, "format", formats, &format);
    if (rc == IBC_OK && !format) format = "json";
    if (rc == IBC_OK) rc = fund_school(ctx, school, &school);
    if (rc == IBC_OK) rc = store_fund_register(ctx, school, year, reply);
    if (rc == IBC_OK && strcmp(format, "json") != 0) {
        rc = register_file(ctx, *reply, school, year, format);
        json_decref(*reply);
        *reply = NULL;
    }
    return rc;
}

/* the inventory book's columns and the member of a row each shows */
static const ibc_col book_cols[] = {
    {"Инвентарный номер", IBC_COL_TEXT},
    {"Дата записи", IBC_COL_DATE},
    {"Штрихкод", IBC_COL_TEXT},
    {"Автор", IBC_COL_TEXT},
    {"Заглавие", IBC_COL_TEXT},
    {"Год издания", IBC_COL_INT},
    {"Вид", IBC_COL_TEXT},
    {"Раздел ББК", IBC_COL_TEXT},
    {"Цена, руб.", IBC_COL_KOPECKS},
    {"Акт поступления", IBC_COL_TEXT},
    {"Источник", IBC_COL_TEXT},
    {"Дата выбытия", IBC_COL_DATE},
    {"Акт списания", IBC_COL_TEXT},
    {"Причина выбытия", IBC_COL_TEXT},
};
static const char *const book_keys[] = {"inventory_number",
                                        "date",
                                        "barcode",
                                        "authors",
                                        "title",
                                        "year",
                                        "kind",
                                        "section",
                                        "price_kopecks",
                                        "receipt_number",
                                        "source",
                                        "write_off_date",
                                        "write_off_act",
                                        "write_off_reason"};

static ibc_rc book_file(ibc_ctx *ctx, const json_t *book, const char *school, long year,
                        const char *format)
{
    if (json_integer_value(json_object_get(book, "total")) > BOOK_FILE_MAX_ROWS)
        return ibc_fail(ctx, IBC_ETOOBIG,
                        "the inventory book has %lld rows, more than %d in one file; ask for one "
                        "year at a time with 'year'",
                        (long long)json_integer_value(json_object_get(book, "total")),
                        BOOK_FILE_MAX_ROWS);
    json_t *rows = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(book, "items"), i, it)
    {
        json_t *row = json_array();
        for (size_t c = 0; c < IBC_LEN(book_keys); c++) {
            json_t *v = json_object_get(it, book_keys[c]);
            const char *s = json_string_value(v);
            bool coded = c == 10 || c == 13;
            json_array_append_new(row, coded && s ? json_string(label(s))
                                                  : json_incref(v ? v : json_null()));
        }
        json_array_append_new(rows, row);
    }
    ibc_sheet sheet = {"Инвентарная книга", book_cols, IBC_LEN(book_cols), rows};
    char name[128];
    snprintf(name, sizeof name, year ? "inventory-%s-%ld" : "inventory-%s", school, year);
    ibc_rc rc = ibc_report_reply(ctx, format, &sheet, 1, name);
    json_decref(rows);
    return rc;
}

/* inventory_book.get: ?school=, year (entries of that year; all when
 * absent), format json|csv|xlsx; for JSON limit (1-1000, 100) and cursor.
 * 200 with {"items", "total", "next_cursor"} or the file; 413 for a file of
 * more than 100,000 rows. */
ibc_rc inventory_book_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"school", "year", "format", "limit", "cursor", NULL};
    const char *school = NULL, *format = NULL, *cursor = NULL;
    long year, limit;
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = ibc_req_org(ctx, req, "school", &school);
    if (rc == IBC_OK) rc = ibc_req_int(ctx, req, "year", 1900, 2100, 0, &year);
    if (rc == IBC_OK) rc = ibc_req_enum(ctx, req, "format", formats, &format);
    if (rc == IBC_OK) rc = ibc_req_int(ctx, req, "limit", 1, 1000, 100, &limit);
    if (rc == IBC_OK) rc = ibc_req_text(ctx, req, "cursor", 64, &cursor);
    bool file = rc == IBC_OK && format && strcmp(format, "json") != 0;
    if (rc == IBC_OK && file && (cursor || ibc_param(req, "limit")))
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "'limit' and 'cursor' page the JSON book; a file holds it all");
    if (rc == IBC_OK) rc = fund_school(ctx, school, &school);
    if (rc == IBC_OK)
        rc = store_inventory_book(ctx, school, year, cursor, file ? BOOK_FILE_MAX_ROWS : limit,
                                  reply);
    if (rc == IBC_OK && file) {
        rc = book_file(ctx, *reply, school, year, format);
        json_decref(*reply);
        *reply = NULL;
    }
    return rc;
}

/* reports.no_age_mark: ?school= (records its copies hold; absent: the whole
 * catalog), limit (1-1000, 100), cursor. 200 {"items": [{id, type, title,
 * authors, year, copies}], "total", "next_cursor"}: the records 436-ФЗ wants
 * marked before they are lent. */
ibc_rc age_marks_missing_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"school", "limit", "cursor", NULL};
    const char *school = NULL, *cursor = NULL;
    long limit;
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = ibc_req_org(ctx, req, "school", &school);
    if (rc == IBC_OK) rc = ibc_req_int(ctx, req, "limit", 1, 1000, 100, &limit);
    if (rc == IBC_OK) rc = ibc_req_uuid(ctx, req, "cursor", &cursor);
    if (rc == IBC_OK) rc = store_records_without_age_mark(ctx, school, cursor, limit, reply);
    return rc;
}

/* The library statistics a school reports (читаемость, посещаемость,
 * обращаемость, книгообеспеченность) with readers, loans and the fund broken
 * down, for a month, a quarter, a year or any span of days, for one school or
 * the network, as JSON, CSV (a section per breakdown) or XLSX (a sheet per
 * breakdown). Visits are the librarian's count of a day, or else derived from
 * loans, and the answer says which. */
#include "monitoring.h"
#include "store.h"

#include <ibc/report.h>
#include <ibc/request.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* "2026" | "2026-Q1" | "2026-03" into [from, to) as YYYY-MM-DD. */
static ibc_rc period_param(ibc_ctx *ctx, const char *p, char from[16], char to[16])
{
    int y, q, m;
    char tail;
    if (p && sscanf(p, "%4d-Q%1d%c", &y, &q, &tail) == 2 && strlen(p) == 7 && q >= 1 && q <= 4)
        m = (q - 1) * 3 + 1, q = 3;
    else if (p && sscanf(p, "%4d-%2d%c", &y, &m, &tail) == 2 && strlen(p) == 7 && m >= 1 && m <= 12)
        q = 1;
    else if (p && sscanf(p, "%4d%c", &y, &tail) == 1 && strlen(p) == 4)
        m = 1, q = 12;
    else
        return ibc_fail(ctx, IBC_EINVAL,
                        "'period' must be a year (2026), a quarter (2026-Q1) or a month "
                        "(2026-03), not '%.20s'",
                        p ? p : "");
    if (y < 2000 || y > 2100)
        return ibc_fail(ctx, IBC_EINVAL, "'period' %d is not a year of ibcnet", y);
    int em = m + q, ey = y + (em - 1) / 12;
    em = (em - 1) % 12 + 1;
    snprintf(from, 16, "%04d-%02d-01", y, m);
    snprintf(to, 16, "%04d-%02d-01", ey, em);
    return IBC_OK;
}

/* from..to (days, both counted) into [from, to + 1 day). */
static ibc_rc span_params(ibc_ctx *ctx, const json_t *req, char from[16], char to[16])
{
    const char *f, *t;
    ibc_rc rc = ibc_req_date(ctx, req, "from", &f);
    if (rc == IBC_OK) rc = ibc_req_date(ctx, req, "to", &t);
    if (rc == IBC_OK && (!f || !t))
        rc = ibc_fail(ctx, IBC_EINVAL, "'from' and 'to' go together: give both days, or 'period'");
    if (rc == IBC_OK) rc = ibc_req_range(ctx, f, t);
    if (rc == IBC_OK && (strcmp(f, "2000-01-01") < 0 || strcmp(t, "2100-12-31") > 0))
        rc = ibc_fail(ctx, IBC_EINVAL, "'from' and 'to' must lie within 2000 to 2100");
    if (rc != IBC_OK) return rc;
    struct tm tm = {0};
    sscanf(t, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
    tm.tm_year -= 1900, tm.tm_mon -= 1, tm.tm_mday += 1, tm.tm_hour = 12;
    time_t next = timegm(&tm);
    gmtime_r(&next, &tm);
    snprintf(from, 16, "%s", f);
    snprintf(to, 16, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    return IBC_OK;
}

/* The period asked for: `period`, or `from` and `to`, or this year. */
static ibc_rc period_of(ibc_ctx *ctx, const json_t *req, char from[16], char to[16], char name[32])
{
    const char *period = ibc_param(req, "period");
    bool span = ibc_param(req, "from") || ibc_param(req, "to");
    if (period && span)
        return ibc_fail(ctx, IBC_EINVAL, "give either 'period' or 'from' and 'to', not both");
    if (span) {
        ibc_rc rc = span_params(ctx, req, from, to);
        snprintf(name, 32, "%s_%s", ibc_param(req, "from"), ibc_param(req, "to"));
        return rc;
    }
    if (period)
        snprintf(name, 32, "%s", period);
    else {
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        snprintf(name, 32, "%04d", tm.tm_year + 1900);
    }
    return period_param(ctx, name, from, to);
}

/* ------------------------------------------------------------ the sheets */

static const ibc_col summary_cols[] = {
    {"Показатель", IBC_COL_TEXT},
    {"Количество", IBC_COL_INT},
    {"Значение", IBC_COL_HUNDREDTHS},
};

static json_t *count_row(const char *title, const json_t *v)
{
    return json_pack("[s, O, n]", title, v ? v : json_null());
}

static json_t *ratio_row(const char *title, const json_t *v)
{
    if (!json_is_number(v)) return json_pack("[s, n, n]", title);
    return json_pack("[s, n, I]", title, (json_int_t)llround(json_number_value(v) * 100));
}

/* The Russian word for a code of the answer; the code itself when none. */
static const char *label(const char *code, const char *none)
{
    static const char *const words[][2] = {
        {"student", "Учащиеся"},
        {"teacher", "Педагоги"},
        {"staff", "Сотрудники"},
        {"unknown", "Не известно"},
        {"books", "Книги"},
        {"textbooks", "Учебники"},
        {"e_resources", "Электронные ресурсы"},
        {"periodicals", "Периодические издания"},
        {"budget", "Бюджет"},
        {"gift", "Дар"},
        {"grant", "Грант"},
        {"replacement", "Замена утерянных"},
        {"exchange", "Обмен"},
        {"counter", "Счётчик библиотекаря"},
        {"derived", "По выдачам"},
        {"mixed", "Счётчик и выдачи"},
        {"before-1950", "До 1950"},
    };
    if (strcmp(code, "none") == 0) return none;
    for (size_t i = 0; i < IBC_LEN(words); i++)
        if (strcmp(code, words[i][0]) == 0) return words[i][1];
    return code;
}

static json_t *summary_rows(const json_t *s)
{
    json_t *rows = json_array();
    json_array_append_new(rows, count_row("Читателей", json_object_get(s, "readers")));
    json_array_append_new(rows, count_row("Книговыдач", json_object_get(s, "loans")));
    json_array_append_new(rows, count_row("Посещений", json_object_get(s, "visits")));
    json_array_append_new(rows, count_row("  по счётчику", json_object_get(s, "visits_counted")));
    json_array_append_new(rows, count_row("  по выдачам", json_object_get(s, "visits_derived")));
    json_t *src = json_string(label(json_string_value(json_object_get(s, "visits_source")), ""));
    json_array_append_new(rows, count_row("Источник посещений", src));
    json_decref(src);
    json_array_append_new(rows, count_row("Экземпляров в фонде", json_object_get(s, "copies")));
    json_array_append_new(rows, ratio_row("Читаемость", json_object_get(s, "loans_per_reader")));
    json_array_append_new(rows, ratio_row("Посещаемость", json_object_get(s, "visits_per_reader")));
    json_array_append_new(rows, ratio_row("Обращаемость", json_object_get(s, "loans_per_copy")));
    json_array_append_new(
        rows, ratio_row("Книгообеспеченность", json_object_get(s, "copies_per_reader")));
    return rows;
}

/* A breakdown of the answer: its member, sheet, columns, the word for "none". */
typedef struct {
    const char *member, *sheet, *group, *count, *none;
} breakdown;

static const breakdown breakdowns[] = {
    {"readers_by_category", "Читатели по категориям", "Категория", "Читателей", "Не указана"},
    {"readers_by_class", "Читатели по классам", "Класс", "Читателей", "Без класса"},
    {"loans_by_category", "Выдачи по категориям", "Категория читателя", "Выдач", "Не указана"},
    {"loans_by_class", "Выдачи по классам", "Класс", "Выдач", "Без класса"},
    {"loans_by_section", "Выдачи по разделам ББК", "Раздел ББК", "Выдач", "Без индекса ББК"},
    {"loans_by_kind", "Выдачи по видам", "Вид издания", "Выдач", "Не известно"},
    {"fund_by_age_mark", "Фонд по возрастной маркировке", "Маркировка", "Экземпляров",
     "Без маркировки"},
    {"fund_by_language", "Фонд по языкам", "Язык", "Экземпляров", "Не известно"},
    {"fund_by_year", "Фонд по годам издания", "Годы издания", "Экземпляров", "Не известно"},
    {"fund_by_source", "Фонд по источникам", "Источник поступления", "Экземпляров",
     "Без акта поступления"},
};
#define NBREAKDOWNS IBC_LEN(breakdowns)

/* Rows {group, count, share in hundredths of a percent} of one breakdown. */
static json_t *breakdown_rows(const json_t *counts, const char *none)
{
    json_int_t total = 0;
    const char *key;
    json_t *v, *rows = json_array();
    json_object_foreach((json_t *)counts, key, v) total += json_integer_value(v);
    json_object_foreach((json_t *)counts, key, v)
    {
        json_int_t n = json_integer_value(v);
        json_array_append_new(rows, json_pack("[s, I, I]", label(key, none), n,
                                              total ? (n * 10000 + total / 2) / total : 0));
    }
    return rows;
}

static const ibc_col day_cols[] = {
    {"Дата", IBC_COL_DATE},
    {"Посещений", IBC_COL_INT},
    {"Источник", IBC_COL_TEXT},
};

static json_t *day_rows(const json_t *days)
{
    size_t i;
    json_t *d, *rows = json_array();
    json_array_foreach(days, i, d)
    {
        json_array_append_new(
            rows, json_pack("[O, O, s]", json_object_get(d, "date"), json_object_get(d, "visits"),
                            label(json_string_value(json_object_get(d, "source")), "")));
    }
    return rows;
}

/* Answers the statistics as a file: the summary, each breakdown, the days. */
static ibc_rc statistics_file(ibc_ctx *ctx, const json_t *s, const char *format, const char *name)
{
    ibc_sheet sheets[NBREAKDOWNS + 2];
    ibc_col cols[NBREAKDOWNS][3];
    size_t n = 0;
    sheets[n++] = (ibc_sheet){"Сводка", summary_cols, IBC_LEN(summary_cols), summary_rows(s)};
    for (size_t b = 0; b < NBREAKDOWNS; b++) {
        cols[b][0] = (ibc_col){breakdowns[b].group, IBC_COL_TEXT};
        cols[b][1] = (ibc_col){breakdowns[b].count, IBC_COL_INT};
        cols[b][2] = (ibc_col){"Доля, %", IBC_COL_HUNDREDTHS};
        sheets[n++] = (ibc_sheet){
            breakdowns[b].sheet, cols[b], 3,
            breakdown_rows(json_object_get(s, breakdowns[b].member), breakdowns[b].none)};
    }
    sheets[n++] = (ibc_sheet){"Посещения по дням", day_cols, IBC_LEN(day_cols),
                              day_rows(json_object_get(s, "visits_by_day"))};
    ibc_rc rc = ibc_report_reply(ctx, format, sheets, n, name);
    for (size_t i = 0; i < n; i++)
        json_decref((json_t *)sheets[i].rows);
    return rc;
}

/* statistics.get: ?school= (a librarian's own by default; absent for the
 * network's roles: the network), period (a year, quarter or month; default
 * this year) or from and to (days, both counted), format json|csv|xlsx. 200
 * with the counts, breakdowns and ratios. */
ibc_rc statistics_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"school", "period", "from", "to", "format", NULL};
    static const char *const formats[] = {"json", "csv", "xlsx", NULL};
    const char *school, *format = NULL;
    char from[16], to[16], period[32];
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = mon_school_scope(ctx, req, &school);
    if (rc == IBC_OK) rc = ibc_req_enum(ctx, req, "format", formats, &format);
    if (rc == IBC_OK) rc = period_of(ctx, req, from, to, period);
    if (rc == IBC_OK) rc = store_statistics(ctx, school, from, to, reply);
    if (rc == IBC_OK && format && strcmp(format, "json") != 0) {
        char name[128];
        snprintf(name, sizeof name, "statistics-%s-%s", school ? school : "network", period);
        rc = statistics_file(ctx, *reply, format, name);
        json_decref(*reply);
        *reply = NULL;
    }
    if (rc == IBC_OK && *reply) json_object_set_new(*reply, "period", json_string(period));
    return rc;
}

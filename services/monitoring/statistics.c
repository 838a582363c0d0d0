/* The library statistics a school reports (читаемость, посещаемость,
 * обращаемость, книгообеспеченность) for a month, a quarter or a year, for
 * one school or the network, as JSON, CSV or XLSX. Visits are derived from
 * loans (a reader's day with a loan), and the answer says so. */
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

static const ibc_col cols[] = {
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

/* One row per count and ratio, then the breakdowns. */
static json_t *rows_of(const json_t *s)
{
    json_t *rows = json_array();
    json_array_append_new(rows, count_row("Читателей", json_object_get(s, "readers")));
    json_array_append_new(rows, count_row("Книговыдач", json_object_get(s, "loans")));
    json_array_append_new(rows, count_row("Посещений (по выдачам)", json_object_get(s, "visits")));
    json_array_append_new(rows, count_row("Экземпляров в фонде", json_object_get(s, "copies")));
    json_array_append_new(rows, ratio_row("Читаемость", json_object_get(s, "loans_per_reader")));
    json_array_append_new(rows, ratio_row("Посещаемость", json_object_get(s, "visits_per_reader")));
    json_array_append_new(rows, ratio_row("Обращаемость", json_object_get(s, "loans_per_copy")));
    json_array_append_new(
        rows, ratio_row("Книгообеспеченность", json_object_get(s, "copies_per_reader")));
    static const char *const groups[][2] = {{"readers_by_category", "Читатели: "},
                                            {"loans_by_category", "Выдачи читателям: "},
                                            {"loans_by_kind", "Выдачи по видам: "}};
    for (size_t g = 0; g < IBC_LEN(groups); g++) {
        const char *key;
        json_t *v;
        json_object_foreach(json_object_get(s, groups[g][0]), key, v)
        {
            char title[128];
            snprintf(title, sizeof title, "%s%s", groups[g][1], key);
            json_array_append_new(rows, count_row(title, v));
        }
    }
    return rows;
}

/* statistics.get: ?school= (a librarian's own by default; absent for the
 * network's roles: the network), period (default this year), format
 * json|csv|xlsx. 200 with the counts and ratios. */
ibc_rc statistics_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"school", "period", "format", NULL};
    static const char *const formats[] = {"json", "csv", "xlsx", NULL};
    const char *school, *format = NULL, *period = ibc_param(req, "period");
    char from[16], to[16], year[8];
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = mon_school_scope(ctx, req, &school);
    if (rc == IBC_OK) rc = ibc_req_enum(ctx, req, "format", formats, &format);
    if (rc == IBC_OK && !period) {
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        snprintf(year, sizeof year, "%04d", tm.tm_year + 1900);
        period = year;
    }
    if (rc == IBC_OK) rc = period_param(ctx, period, from, to);
    if (rc == IBC_OK) rc = store_statistics(ctx, school, from, to, reply);
    if (rc == IBC_OK && format && strcmp(format, "json") != 0) {
        json_t *rows = rows_of(*reply);
        ibc_sheet sheet = {"Статистика", cols, IBC_LEN(cols), rows};
        char name[128];
        snprintf(name, sizeof name, "statistics-%s-%s", school ? school : "network", period);
        rc = ibc_report_reply(ctx, format, &sheet, 1, name);
        json_decref(rows);
        json_decref(*reply);
        *reply = NULL;
    }
    if (rc == IBC_OK && *reply) json_object_set_new(*reply, "period", json_string(period));
    return rc;
}

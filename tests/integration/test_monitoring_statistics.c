/* The library statistics through the gateway, fed by events: readers in two
 * classes and two categories, loans of books from two BBK sections and a
 * textbook, copies from two receipts (budget and gift); visits counted by the
 * librarian for yesterday and derived from loans for today; every number of
 * the JSON, the CSV's sections and the XLSX's sheets (opened with openpyxl),
 * and the bad inputs. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char *school, *lib;
static char today[16], yesterday[16], tomorrow[16];

static void day_from_today(int days, char out[16])
{
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

static char *reader(const char *category, const char *cls)
{
    char *card = h_uniq("STATR"), extra[64] = "";
    if (cls) snprintf(extra, sizeof extra, ",\"class\":\"%s\"", cls);
    h_resp *r = h_post(lib, "/api/v1/circulation/readers",
                       "{\"card_barcode\":\"%s\",\"name\":\"Ч\",\"category\":\"%s\"%s}", card,
                       category, extra);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r), free(card);
    return id;
}

static void lend(const h_resp *receipt, size_t copy, const char *reader_id)
{
    json_t *it = json_array_get(json_object_get(receipt->json, "items"), copy);
    h_resp *r = h_post(lib, "/api/v1/circulation/checkouts",
                       "{\"item_barcode\":\"%s\",\"reader_id\":\"%s\"}",
                       json_string_value(json_object_get(it, "barcode")), reader_id);
    assert_int_equal(r->status, 201);
    h_free(r);
}

static h_resp *receipt(const char *number, const char *source, const char *lines)
{
    h_resp *r = h_post(lib, "/api/v1/catalog/receipts",
                       "{\"number\":\"%s\",\"date\":\"%s\",\"source\":\"%s\",\"lines\":[%s]}",
                       number, today, source, lines);
    assert_int_equal(r->status, 201);
    return r;
}

/* Copies: A (84, rus, 2015, 12+) ×2 and B (22.3 → 2, eng, 1987, 6+) from the
 * budget; a textbook (74.262 → 74, no language, year or mark) as a gift.
 * Readers: students of 5А and 6Б, a teacher. Loans: 5А takes A and B, 6Б the
 * textbook, the teacher the other A. */
static int setup(void **state)
{
    (void)state;
    school = h_uniq("stat-");
    lib = h_new_key(school, "librarian");
    h_date_years_ago(0, today);
    day_from_today(-1, yesterday);
    day_from_today(2, tomorrow);
    char *a = h_record("{\"type\":\"book\",\"title\":\"Стат А\",\"bbk\":\"84(2Рос=Рус)6\","
                       "\"language\":\"rus\",\"year\":2015,\"age_rating\":\"12+\"}");
    char *b = h_record("{\"type\":\"book\",\"title\":\"Стат Б\",\"bbk\":\" 22.3\","
                       "\"language\":\"eng\",\"year\":1987,\"age_rating\":\"6+\"}");
    char *t = h_record("{\"type\":\"textbook\",\"title\":\"Стат учебник\",\"bbk\":\"74.262\"}");
    char lines[512];
    snprintf(lines, sizeof lines,
             "{\"record_id\":\"%s\",\"copies\":2,\"price_kopecks\":100},"
             "{\"record_id\":\"%s\",\"copies\":1,\"price_kopecks\":100}",
             a, b);
    h_resp *budget = receipt("S-1", "budget", lines);
    snprintf(lines, sizeof lines, "{\"record_id\":\"%s\",\"copies\":1,\"price_kopecks\":0}", t);
    h_resp *gift = receipt("S-2", "gift", lines);
    char *s5 = reader("student", "5А"), *s6 = reader("student", "6Б");
    char *teacher = reader("teacher", NULL);
    lend(budget, 0, s5);
    lend(budget, 2, s5);
    lend(gift, 0, s6);
    lend(budget, 1, teacher);
    h_free(budget), h_free(gift);
    free(a), free(b), free(t), free(s5), free(s6), free(teacher);
    return 0;
}

static long member_int(const json_t *obj, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    char *dot = strchr(buf, '.');
    if (dot) {
        *dot = 0;
        return member_int(json_object_get(obj, buf), dot + 1);
    }
    json_t *v = json_object_get(obj, buf);
    if (!json_is_integer(v)) fprintf(stderr, "%s is not an integer\n", path);
    return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

static h_resp *stats(const char *key, const char *extra)
{
    return h_get(key, "/api/v1/monitoring/statistics?school=%s&from=%s&to=%s%s", school, yesterday,
                 today, extra);
}

static h_resp *put_visits(const char *key, const char *sch, const char *day, const char *body)
{
    char path[200];
    snprintf(path, sizeof path, "/api/v1/monitoring/visits/%s/%s", sch, day);
    return h_http("PUT", path, key, body, NULL);
}

static void wait_for_events(void)
{
    char path[200];
    snprintf(path, sizeof path, "/api/v1/monitoring/statistics?school=%s&from=%s&to=%s", school,
             yesterday, today);
    assert_int_equal(h_poll_int(lib, path, "loans", 4, 20000), 4);
    assert_int_equal(h_poll_int(lib, path, "copies", 4, 20000), 4);
    assert_int_equal(h_poll_int(lib, path, "readers", 3, 20000), 3);
}

/* Every number of the JSON is what setup made. */
static void statistics_break_down_what_was_done(void **state)
{
    (void)state;
    wait_for_events();
    h_resp *r = put_visits(lib, school, yesterday, "{\"visits\":7}");
    assert_int_equal(r->status, 200);
    assert_int_equal(member_int(r->json, "visits"), 7);
    h_free(r);

    r = stats(lib, "");
    assert_int_equal(r->status, 200);
    const json_t *j = r->json;
    static const struct {
        const char *path;
        long want;
    } want[] = {
        {"readers", 3},
        {"readers_by_category.student", 2},
        {"readers_by_category.teacher", 1},
        {"readers_by_class.5А", 1},
        {"readers_by_class.6Б", 1},
        {"readers_by_class.none", 1},
        {"loans", 4},
        {"loans_by_category.student", 3},
        {"loans_by_category.teacher", 1},
        {"loans_by_class.5А", 2},
        {"loans_by_class.6Б", 1},
        {"loans_by_class.none", 1},
        {"loans_by_section.84", 2},
        {"loans_by_section.2", 1},
        {"loans_by_section.74", 1},
        {"loans_by_kind.books", 3},
        {"loans_by_kind.textbooks", 1},
        {"visits", 10},
        {"visits_counted", 7},
        {"visits_derived", 3},
        {"copies", 4},
        {"fund_by_age_mark.12+", 2},
        {"fund_by_age_mark.6+", 1},
        {"fund_by_age_mark.none", 1},
        {"fund_by_language.rus", 2},
        {"fund_by_language.eng", 1},
        {"fund_by_language.unknown", 1},
        {"fund_by_year.2010-2019", 2},
        {"fund_by_year.1980-1989", 1},
        {"fund_by_year.unknown", 1},
        {"fund_by_source.budget", 3},
        {"fund_by_source.gift", 1},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        long got = member_int(j, want[i].path);
        if (got != want[i].want)
            fprintf(stderr, "%s: %ld, not %ld\n%s\n", want[i].path, got, want[i].want, r->body);
        assert_int_equal(got, want[i].want);
    }
    assert_int_equal(json_object_size(json_object_get(j, "loans_by_section")), 3);
    assert_int_equal(json_object_size(json_object_get(j, "fund_by_source")), 2);
    assert_string_equal(h_str(r, "visits_source"), "mixed");
    assert_string_equal(h_str(r, "from"), yesterday);
    assert_string_equal(h_str(r, "to"), today);
    json_t *days = json_object_get(j, "visits_by_day");
    assert_int_equal(json_array_size(days), 2);
    json_t *d0 = json_array_get(days, 0), *d1 = json_array_get(days, 1);
    assert_string_equal(json_string_value(json_object_get(d0, "date")), yesterday);
    assert_string_equal(json_string_value(json_object_get(d0, "source")), "counter");
    assert_int_equal(member_int(d0, "visits"), 7);
    assert_string_equal(json_string_value(json_object_get(d1, "date")), today);
    assert_string_equal(json_string_value(json_object_get(d1, "source")), "derived");
    assert_int_equal(member_int(d1, "visits"), 3);
    assert_true(json_number_value(json_object_get(j, "loans_per_reader")) == 1.33);
    assert_true(json_number_value(json_object_get(j, "visits_per_reader")) == 3.33);
    assert_true(json_number_value(json_object_get(j, "loans_per_copy")) == 1.0);
    assert_true(json_number_value(json_object_get(j, "copies_per_reader")) == 1.33);
    h_free(r);
}

/* The event of a day's count: school, date and count, nothing of who counted. */
static void expect_visits_event(h_events *ev, const char *verb, const char *day, long visits)
{
    char subject[128], ce_subject[128];
    snprintf(subject, sizeof subject, "ibc.evt.monitoring.visits.%s", verb);
    snprintf(ce_subject, sizeof ce_subject, "%s/%s", school, day);
    json_t *e = h_events_find(ev, subject, ce_subject, 10000);
    if (!e) fprintf(stderr, "no %s event for %s\n", subject, ce_subject);
    assert_non_null(e);
    const json_t *d = json_object_get(e, "data");
    assert_string_equal(json_string_value(json_object_get(d, "school")), school);
    assert_string_equal(json_string_value(json_object_get(d, "date")), day);
    assert_int_equal(member_int(d, "visits"), visits);
    assert_int_equal(json_object_size(d), 3);
    json_decref(e);
}

/* A count for today replaces the derived visits; removing it brings them
 * back. Each change is an event on the bus; a DELETE that finds no count
 * publishes none. */
static void a_counter_replaces_derived_visits_until_removed(void **state)
{
    (void)state;
    wait_for_events();
    h_events *ev = h_events_open("ibc.evt.monitoring.visits.>");
    h_resp *r = put_visits(lib, school, today, "{\"visits\":5}");
    assert_int_equal(r->status, 200);
    h_free(r);
    expect_visits_event(ev, "recorded", today, 5);
    r = h_get(lib, "/api/v1/monitoring/statistics?school=%s&from=%s&to=%s", school, today, today);
    assert_int_equal(member_int(r->json, "visits"), 5);
    assert_string_equal(h_str(r, "visits_source"), "counter");
    h_free(r);
    char path[200];
    snprintf(path, sizeof path, "/api/v1/monitoring/visits/%s/%s", school, today);
    for (int i = 0; i < 2; i++) { /* the second finds nothing to remove: the same answer */
        r = h_http("DELETE", path, lib, NULL, NULL);
        assert_int_equal(r->status, 204);
        h_free(r);
    }
    expect_visits_event(ev, "removed", today, 5);
    char ce_subject[128];
    snprintf(ce_subject, sizeof ce_subject, "%s/%s", school, today);
    assert_int_equal(h_events_count(ev, "ibc.evt.monitoring.visits.removed", ce_subject, 500), 1);
    h_events_close(ev);
    r = h_get(lib, "/api/v1/monitoring/statistics?school=%s&from=%s&to=%s", school, today, today);
    assert_int_equal(member_int(r->json, "visits"), 3);
    assert_string_equal(h_str(r, "visits_source"), "derived");
    h_free(r);
}

static void csv_has_a_section_per_breakdown(void **state)
{
    (void)state;
    wait_for_events();
    h_resp *r = stats(lib, "&format=csv");
    assert_int_equal(r->status, 200);
    assert_memory_equal(r->body, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(h_header(r, "Content-Type"), "text/csv"));
    const char *expect[] = {
        "\xEF\xBB\xBF"
        "Сводка\r\nПоказатель;Количество;Значение\r\nЧитателей;3;\r\nКниговыдач;4;\r\n",
        "Читаемость;;1,33\r\n",
        "\r\nВыдачи по разделам ББК\r\nРаздел ББК;Выдач;Доля, %\r\n2;1;25,00\r\n74;1;25,00\r\n"
        "84;2;50,00\r\n\r\n",
        "\r\nЧитатели по классам\r\nКласс;Читателей;Доля, %\r\n5А;1;33,33\r\n6Б;1;33,33\r\n"
        "Без класса;1;33,33\r\n",
        "\r\nФонд по источникам\r\nИсточник поступления;Экземпляров;Доля, %\r\n"
        "Бюджет;3;75,00\r\nДар;1;25,00\r\n",
        "Посещения по дням\r\nДата;Посещений;Источник\r\n",
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        if (!strstr(r->body, expect[i])) fprintf(stderr, "missing %s in\n%s\n", expect[i], r->body);
        assert_non_null(strstr(r->body, expect[i]));
    }
    h_free(r);
}

static void xlsx_has_a_sheet_per_breakdown(void **state)
{
    (void)state;
    wait_for_events();
    h_resp *r = stats(lib, "&format=xlsx");
    assert_int_equal(r->status, 200);
    char *out = h_xlsx_read(
        r->body, r->len,
        "import sys, openpyxl\n"
        "wb = openpyxl.load_workbook(sys.argv[1])\n"
        "print(\"|\".join(wb.sheetnames))\n"
        "s = wb[\"Сводка\"]\n"
        "print(s.freeze_panes, s[\"A2\"].value, s[\"B2\"].value, s[\"B3\"].value, "
        "s[\"B4\"].value)\n"
        "b = wb[\"Выдачи по разделам ББК\"]\n"
        "print(b.freeze_panes, b[\"A1\"].value, b[\"A4\"].value, b[\"B4\"].value, "
        "b[\"C4\"].value, b[\"C4\"].number_format)\n"
        "d = wb[\"Посещения по дням\"]\n"
        "print(d[\"A2\"].value.date(), d[\"B2\"].value, d[\"C2\"].value, d[\"B3\"].value)\n");
    h_free(r);
    fprintf(stderr, "openpyxl says:\n%s", out);
    assert_non_null(strstr(out, "Сводка|Читатели по категориям|Читатели по классам|"
                                "Выдачи по категориям|Выдачи по классам|Выдачи по разделам ББК|"
                                "Выдачи по видам|Фонд по возрастной маркировке|Фонд по языкам|"
                                "Фонд по годам издания|Фонд по источникам|Посещения по дням\n"));
    assert_non_null(strstr(out, "A2 Читателей 3 4 10\n"));
    assert_non_null(strstr(out, "A2 Раздел ББК 84 2 50 #,##0.00\n"));
    char days[128];
    snprintf(days, sizeof days, "%s 7 Счётчик библиотекаря 3\n", yesterday);
    assert_non_null(strstr(out, days));
    free(out);
}

/* The fund is counted as at the period's end: a copy received yesterday
 * (the receipt's date) and written off today is in yesterday's fund; the
 * copies received today are not; by the end of today it is gone again. */
static void the_fund_is_the_one_at_the_end_of_the_period(void **state)
{
    (void)state;
    wait_for_events();
    char *rec = h_record("{\"type\":\"book\",\"title\":\"Стат В\",\"language\":\"tat\"}");
    char line[160], number[40];
    snprintf(line, sizeof line, "{\"record_id\":\"%s\",\"copies\":1,\"price_kopecks\":50}", rec);
    h_resp *in = h_post(lib, "/api/v1/catalog/receipts",
                        "{\"number\":\"S-3\",\"date\":\"%s\",\"source\":\"exchange\","
                        "\"lines\":[%s]}",
                        yesterday, line);
    assert_int_equal(in->status, 201);
    json_t *copy = json_array_get(json_object_get(in->json, "items"), 0);
    snprintf(number, sizeof number, "W-%s", today);
    h_resp *out = h_post(lib, "/api/v1/catalog/write-offs",
                         "{\"number\":\"%s\",\"date\":\"%s\",\"reason\":\"worn\","
                         "\"barcodes\":[\"%s\"]}",
                         number, today, json_string_value(json_object_get(copy, "barcode")));
    assert_int_equal(out->status, 201);
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM monitoring.p_items WHERE id = '%s' AND written_off_on = '%s'",
             json_string_value(json_object_get(copy, "id")), today);
    long seen = 0;
    for (int i = 0; i < 200 && !seen; i++) /* the write-off reached the projection */
        if (!(seen = h_sql_int(sql))) usleep(100000);
    assert_int_equal(seen, 1);
    h_free(in), h_free(out), free(rec);

    char path[200];
    snprintf(path, sizeof path, "/api/v1/monitoring/statistics?school=%s&from=%s&to=%s", school,
             yesterday, yesterday);
    assert_int_equal(h_poll_int(lib, path, "copies", 1, 20000), 1);
    h_resp *r = h_get(lib, "%s", path);
    assert_int_equal(member_int(r->json, "fund_by_language.tat"), 1);
    assert_int_equal(member_int(r->json, "fund_by_source.exchange"), 1);
    assert_int_equal(json_object_size(json_object_get(r->json, "fund_by_source")), 1);
    h_free(r);
    /* through today: the four copies received today, not the one written off */
    snprintf(path, sizeof path, "/api/v1/monitoring/statistics?school=%s&from=%s&to=%s", school,
             yesterday, today);
    r = h_get(lib, "%s", path);
    assert_int_equal(member_int(r->json, "copies"), 4);
    assert_null(json_object_get(json_object_get(r->json, "fund_by_source"), "exchange"));
    h_free(r);
}

static void expect_problem(h_resp *r, long status, const char *what)
{
    if (r->status != status) fprintf(stderr, "%s: %ld %s\n", what, r->status, r->body);
    assert_int_equal(r->status, status);
    assert_non_null(strstr(h_header(r, "Content-Type"), "application/problem+json"));
    assert_non_null(h_str(r, "detail"));
    h_free(r);
}

/* The first level of a BBK index, as docs/openapi.yaml states the rule. */
static void bbk_sections_follow_the_documented_rule(void **state)
{
    (void)state;
    long wrong = h_sql_int(
        "SELECT count(*) FROM (VALUES ('84(2Рос=Рус)6', '84'), (' 63.3(2)', '63'), "
        "('74.262.8', '74'), ('22.1', '2'), ('9', '9'), ('Ш5(2=Р)7', 'Ш'), ('Т3(2)', 'Т'), "
        "('ё', 'none'), ('', 'none'), (NULL, 'none'), ('x84', 'none')) t(bbk, want) "
        "WHERE monitoring.stat_bbk_section(bbk) IS DISTINCT FROM want");
    assert_int_equal(wrong, 0);
    long decades = h_sql_int("SELECT count(*) FROM (VALUES (1949, 'before-1950'), "
                             "(1950, '1950-1959'), (2026, '2020-2029'), (NULL, 'unknown')) "
                             "t(y, want) WHERE monitoring.stat_year_bucket(y) <> want");
    assert_int_equal(decades, 0);
    /* a receipt's or an act's day in an event: a bad one counts as absent */
    long days = h_sql_int("SELECT count(*) FROM (VALUES ('2026-03-01', '2026-03-01'::date), "
                          "('2026-02-30', NULL), ('2026-13-01', NULL), ('01.03.2026', NULL), "
                          "('', NULL), (NULL, NULL)) t(s, want) "
                          "WHERE monitoring.event_day(s) IS NOT DISTINCT FROM want");
    assert_int_equal(days, 6);
}

static void bad_periods_and_schools_are_refused(void **state)
{
    (void)state;
    const char *bad[] = {"period=2026-Q5",
                         "period=2026-13",
                         "period=26",
                         "period=abc",
                         "period=1999",
                         "format=pdf",
                         "colour=red",
                         "school=a%20b",
                         "from=2026-03-10&to=2026-03-01",
                         "from=2026-03-01",
                         "to=2026-03-01",
                         "period=2026&from=2026-01-01&to=2026-01-31",
                         "from=2026-02-30&to=2026-03-01",
                         "from=1990-01-01&to=1990-02-01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_problem(h_get(lib, "/api/v1/monitoring/statistics?%s", bad[i]), 400, bad[i]);
    char *other = h_uniq("stat-other-");
    expect_problem(h_get(lib, "/api/v1/monitoring/statistics?school=%s", other), 403, "other");
    h_resp *r = h_get(lib, "/api/v1/monitoring/statistics?period=2026-02");
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "from"), "2026-02-01");
    assert_string_equal(h_str(r, "to"), "2026-02-28");
    h_free(r);
    r = h_get(lib, "/api/v1/monitoring/statistics?period=2026-Q4");
    assert_string_equal(h_str(r, "to"), "2026-12-31");
    h_free(r);
    r = h_get(lib, "/api/v1/monitoring/statistics?from=2026-12-31&to=2027-01-01");
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "to"), "2027-01-01");
    h_free(r);
    /* the network: an admin's view covers this school's figures too */
    r = h_get(h_admin(), "/api/v1/monitoring/statistics?from=%s&to=%s", yesterday, today);
    assert_int_equal(r->status, 200);
    assert_true(member_int(r->json, "loans") >= 4);
    assert_true(member_int(r->json, "visits_counted") >= 7);
    assert_null(json_string_value(json_object_get(r->json, "school")));
    h_free(r);
    free(other);
}

static void bad_visit_counts_are_refused(void **state)
{
    (void)state;
    char *other = h_uniq("stat-other-");
    h_events *ev = h_events_open("ibc.evt.monitoring.visits.>");
    expect_problem(put_visits(lib, school, yesterday, "{\"visits\":-1}"), 400, "negative");
    expect_problem(put_visits(lib, school, yesterday, "{\"visits\":\"7\"}"), 400, "string");
    expect_problem(put_visits(lib, school, yesterday, "{\"visits\":2000000}"), 400, "huge");
    expect_problem(put_visits(lib, school, yesterday, "{}"), 400, "missing");
    expect_problem(put_visits(lib, school, yesterday, "{\"visits\":1,\"x\":1}"), 400, "unknown");
    expect_problem(put_visits(lib, school, tomorrow, "{\"visits\":1}"), 400, "future");
    expect_problem(put_visits(lib, school, "2026-02-30", "{\"visits\":1}"), 400, "no such day");
    expect_problem(put_visits(lib, school, "1999-12-31", "{\"visits\":1}"), 400, "too early");
    expect_problem(put_visits(lib, other, yesterday, "{\"visits\":1}"), 403, "other school");
    /* a network role names a school of the directory */
    expect_problem(put_visits(h_admin(), other, yesterday, "{\"visits\":1}"), 404, "unlisted");
    char *portal = h_new_key(school, "portal");
    expect_problem(put_visits(portal, school, yesterday, "{\"visits\":1}"), 403, "portal");
    /* nothing of the refused counts was stored: yesterday still says 7 */
    h_resp *r = h_get(lib, "/api/v1/monitoring/statistics?school=%s&from=%s&to=%s", school,
                      yesterday, yesterday);
    assert_int_equal(member_int(r->json, "visits_counted"), 7);
    h_free(r);
    /* and nothing of them was published */
    char ce_subject[128];
    snprintf(ce_subject, sizeof ce_subject, "%s/%s", school, yesterday);
    assert_int_equal(h_events_count(ev, "ibc.evt.monitoring.visits.recorded", ce_subject, 1000), 0);
    snprintf(ce_subject, sizeof ce_subject, "%s/%s", other, yesterday);
    assert_int_equal(h_events_count(ev, "ibc.evt.monitoring.visits.recorded", ce_subject, 0), 0);
    h_events_close(ev);
    free(other), free(portal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(statistics_break_down_what_was_done),
        cmocka_unit_test(a_counter_replaces_derived_visits_until_removed),
        cmocka_unit_test(csv_has_a_section_per_breakdown),
        cmocka_unit_test(xlsx_has_a_sheet_per_breakdown),
        cmocka_unit_test(bbk_sections_follow_the_documented_rule),
        cmocka_unit_test(bad_periods_and_schools_are_refused),
        cmocka_unit_test(bad_visit_counts_are_refused),
        cmocka_unit_test(the_fund_is_the_one_at_the_end_of_the_period),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

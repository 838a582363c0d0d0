/* Monitoring through the gateway, its own data: the school directory and the
 * passport versions, survey campaigns with answers, completion and CSV, the
 * roadmap with overdue and progress, reading promotion and partnerships,
 * targets, and who may see and change what. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *meth, *integ, *portal;

/* YYYY-MM-DD of today + days, in buf[16]. */
static const char *day(int days, char *buf)
{
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, 16, "%Y-%m-%d", &tm);
    return buf;
}

static h_resp *put(const char *key, const char *path, const char *body, const char *const *headers)
{
    return h_http("PUT", path, key, body, headers);
}

/* Asserts status and, when needle is given, that the body names it. */
static void expect(h_resp *r, long status, const char *needle)
{
    if (r->status != status || (needle && !strstr(r->body, needle)))
        fprintf(stderr, "expected %ld '%s', got %ld %s\n", status, needle ? needle : "", r->status,
                r->body);
    assert_int_equal(r->status, status);
    if (needle) assert_non_null(strstr(r->body, needle));
    if (status >= 400) assert_string_equal(h_header(r, "Content-Type"), "application/problem+json");
    h_free(r);
}

/* Counts the matching events, waiting up to 10 s for `want` of them (the
 * outbox relay publishes asynchronously), and a moment for any extra. */
static int count_events(h_events *ev, const char *subject, const char *ce, int want)
{
    int n = 0;
    for (int i = 0; i < 50 && (n = h_events_count(ev, subject, ce, 200)) < want; i++)
        ;
    return n == want ? h_events_count(ev, subject, ce, 300) : n;
}

/* Creates a school with a unique id in district through the methodologist;
 * caller frees. */
static char *school_in(const char *district, const char *students)
{
    char *id = h_uniq("school-");
    h_resp *r = h_post(meth, "/api/v1/monitoring/schools",
                       "{\"id\":\"%s\",\"name\":\"Школа № %s\",\"district\":\"%s\","
                       "\"kind\":\"school\",\"students\":%s}",
                       id, id + 7, district, students);
    assert_int_equal(r->status, 201);
    h_free(r);
    return id;
}

static char *new_school(const char *students)
{
    return school_in("Северный", students);
}

static int setup(void **state)
{
    (void)state;
    meth = h_new_key("resource-centre", "methodologist");
    integ = h_new_key("resource-centre", "integrator");
    portal = h_new_key("school-1", "portal");
    return meth && integ && portal ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(meth);
    free(integ);
    free(portal);
    return 0;
}

static void directory_and_passport_keep_every_version(void **state)
{
    (void)state;
    h_events *ev = h_events_open("ibc.evt.monitoring.>");
    char *id = h_uniq("school-"), path[160], hist[200], d[16];
    h_resp *r = h_post(meth, "/api/v1/monitoring/schools",
                       "{\"id\":\"%s\",\"name\":\"Лицей № 3\",\"district\":\"Центральный\","
                       "\"kind\":\"lyceum\",\"students\":{\"5\":60,\"11\":48}}",
                       id);
    assert_int_equal(r->status, 201);
    assert_string_equal(h_header(r, "ETag"), "\"1\"");
    assert_int_equal(json_integer_value(json_object_get(r->json, "students_total")), 108);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r->json, "students"), "11")), 48);
    assert_string_equal(h_str(r, "ibc_level"), "none");
    h_free(r);
    /* the same id again: 409 */
    r = h_post(meth, "/api/v1/monitoring/schools",
               "{\"id\":\"%s\",\"name\":\"x\",\"kind\":\"school\"}", id);
    expect(r, 409, "already in the directory");

    char *lib = h_new_key(id, "librarian"), *other = h_new_key("school-other", "librarian");
    snprintf(path, sizeof path, "/api/v1/monitoring/schools/%s/passport", id);
    snprintf(hist, sizeof hist, "%s/history", path);
    r = h_get(lib, "%s", path);
    expect(r, 404, "no library passport yet");

    const char *v1 =
        "{\"area_m2\":86.5,\"reading_room_seats\":24,\"computers\":6,"
        "\"projector\":true,\"internet_mbps\":100,\"media_equipment\":[\"интерактивная "
        "панель\"],\"staff_count\":2,\"ibc_level\":\"pilot\",\"level_reached_on\":"
        "\"2025-09-01\"}";
    r = put(lib, path, v1, NULL);
    assert_int_equal(r->status, 201);
    assert_int_equal(json_integer_value(json_object_get(r->json, "version")), 1);
    h_free(r);
    /* a change: version 2; the same body again: still version 2 */
    const char *v2 =
        "{\"area_m2\":86.5,\"reading_room_seats\":24,\"computers\":10,"
        "\"projector\":true,\"internet_mbps\":100,\"media_equipment\":[\"интерактивная "
        "панель\"],\"staff_count\":2,\"ibc_level\":\"pilot\",\"level_reached_on\":"
        "\"2025-09-01\"}";
    const char *if1[] = {"If-Match: \"1\"", NULL};
    r = put(lib, path, v2, if1);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "version")), 2);
    h_free(r);
    r = put(lib, path, v2, NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "version")), 2);
    h_free(r);
    /* stale If-Match: 412 */
    r = put(lib, path, v1, if1);
    expect(r, 412, "version is 2");

    r = h_get(integ, "%s", hist);
    assert_int_equal(r->status, 200);
    json_t *versions = json_object_get(r->json, "versions");
    assert_int_equal(json_array_size(versions), 2);
    json_t *newest = json_array_get(versions, 0);
    assert_int_equal(json_integer_value(json_object_get(newest, "version")), 2);
    assert_int_equal(json_array_size(json_object_get(newest, "changed")), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(newest, "changed"), 0)),
                        "computers");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(versions, 1), "computers")),
                     6);
    h_free(r);
    /* as of yesterday there was none */
    r = h_get(meth, "%s?as_of=%s", path, day(-1, d));
    expect(r, 404, "had no library passport yet");
    r = h_get(meth, "/api/v1/monitoring/schools/%s", id);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "ibc_level"), "pilot");
    assert_int_equal(json_integer_value(json_object_get(r->json, "passport_version")), 2);
    h_free(r);

    /* the ИБЦ level indicator of the school: pilot now, not there last month */
    r = h_get(lib, "/api/v1/monitoring/indicators?months=2&school=%s", id);
    assert_int_equal(r->status, 200);
    json_t *lv = json_object_get(json_object_get(r->json, "indicators"), "ibc_schools");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(lv, "by_level"), "pilot")),
                     1);
    assert_int_equal(json_integer_value(json_object_get(lv, "value")), 0);
    json_t *last_month = json_array_get(json_object_get(lv, "history"), 0);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(last_month, "by_level"), "pilot")), 0);
    h_free(r);

    /* bad input names the problem */
    r = put(lib, path, "{\"ibc_level\":\"ibc\"}", NULL);
    expect(r, 400, "'level_reached_on' is required");
    r = put(lib, path, "{\"computers\":-1}", NULL);
    expect(r, 400, "'computers' must be from 0");
    r = put(lib, path, "{\"ibc_level\":\"great\"}", NULL);
    expect(r, 400, "'ibc_level' must be one of");
    char body[200];
    snprintf(body, sizeof body, "{\"ibc_level\":\"ibc\",\"level_reached_on\":\"%s\"}", day(30, d));
    r = put(lib, path, body, NULL);
    expect(r, 400, "in the future");
    r = h_post(meth, "/api/v1/monitoring/schools",
               "{\"id\":\"bad id\",\"name\":\"x\",\"kind\":\"school\"}");
    expect(r, 400, "'id' must be the school's organisation id");
    r = h_post(meth, "/api/v1/monitoring/schools",
               "{\"id\":\"s-x\",\"name\":\"x\",\"kind\":\"school\",\"students\":{\"12\":3}}");
    expect(r, 400, "grade \\\"1\\\" to \\\"11\\\"");
    r = h_post(meth, "/api/v1/monitoring/schools",
               "{\"id\":\"s-x\",\"name\":\"x\",\"kind\":\"college\"}");
    expect(r, 400, "'kind' must be one of");

    /* who may: another school's librarian neither reads nor writes; a portal
     * sees nothing; an integrator reads and does not write; a librarian does
     * not add schools */
    r = put(other, path, v1, NULL); /* another school is unknown to a librarian */
    expect(r, 404, "no school has id");
    r = h_get(other, "%s", path);
    expect(r, 404, "no school has id");
    r = h_get(portal, "%s", path);
    expect(r, 403, NULL);
    r = h_get(portal, "/api/v1/monitoring/schools");
    expect(r, 403, NULL);
    r = put(integ, path, v1, NULL);
    expect(r, 403, NULL);
    r = h_post(lib, "/api/v1/monitoring/schools",
               "{\"id\":\"s-y\",\"name\":\"y\",\"kind\":\"school\"}");
    expect(r, 403, NULL);
    /* a librarian's listing holds their own school only */
    r = h_get(lib, "/api/v1/monitoring/schools");
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 1);
    h_free(r);
    /* and the librarian updates the students of their school */
    snprintf(body, sizeof body,
             "{\"name\":\"Лицей № 3\",\"kind\":\"lyceum\",\"students\":{\"5\":61}}");
    r = put(lib, "/api/v1/monitoring/schools/x", body, NULL);
    expect(r, 404, "no school has id 'x'");
    char spath[160];
    snprintf(spath, sizeof spath, "/api/v1/monitoring/schools/%s", id);
    r = put(lib, spath, body, NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "students_total")), 61);
    h_free(r);

    /* events: the school created and updated, two passport versions */
    json_t *e = h_events_find(ev, "ibc.evt.monitoring.passport.updated", id, 10000);
    assert_non_null(e);
    assert_null(json_object_get(json_object_get(e, "data"), "recorded_by"));
    json_decref(e);
    assert_int_equal(count_events(ev, "ibc.evt.monitoring.passport.updated", id, 2), 2);
    assert_int_equal(count_events(ev, "ibc.evt.monitoring.school.created", id, 1), 1);
    assert_int_equal(count_events(ev, "ibc.evt.monitoring.school.updated", id, 1), 1);
    h_events_close(ev);
    free(lib);
    free(other);
    free(id);
}

static void survey_answers_once_corrects_until_closed(void **state)
{
    (void)state;
    h_events *ev = h_events_open("ibc.evt.monitoring.survey.>");
    char *a = new_school("{\"1\":20}"), *b = new_school("{\"1\":20}");
    char *lib = h_new_key(a, "librarian"), *libb = h_new_key(b, "librarian");
    const char *campaign = "{\"title\":\"Мониторинг, IV квартал 2026\",\"period\":\"2026-Q4\","
                           "\"questions\":[{\"code\":\"visits\",\"text\":\"Посещений за "
                           "квартал\",\"kind\":\"number\",\"min\":0},{\"code\":\"club\","
                           "\"text\":\"Есть читательский клуб?\",\"kind\":\"yes_no\"},{\"code\":"
                           "\"space\",\"text\":\"Зонирование\",\"kind\":\"choice\",\"choices\":["
                           "\"нет\",\"частично\",\"полностью\"]},{\"code\":\"note\",\"text\":"
                           "\"Комментарий; «кавычки»\",\"kind\":\"text\",\"required\":false}]}";
    h_resp *r = h_http("POST", "/api/v1/monitoring/campaigns", lib, campaign, NULL);
    expect(r, 403, NULL);
    r = h_post(meth, "/api/v1/monitoring/campaigns",
               "{\"title\":\"x\",\"questions\":[{\"code\":\"q\",\"text\":\"?\",\"kind\":"
               "\"choice\"}]}");
    expect(r, 400, "'questions[0].choices' is required");
    r = h_post(meth, "/api/v1/monitoring/campaigns",
               "{\"title\":\"x\",\"questions\":[{\"code\":\"q\",\"text\":\"?\",\"kind\":"
               "\"number\"},{\"code\":\"q\",\"text\":\"?\",\"kind\":\"text\"}]}");
    expect(r, 400, "used twice");
    r = h_post(meth, "/api/v1/monitoring/campaigns", "{\"title\":\"x\",\"questions\":[]}");
    expect(r, 400, "'questions' must be an array of 1 to 200");
    r = h_http("POST", "/api/v1/monitoring/campaigns", meth, campaign, NULL);
    assert_int_equal(r->status, 201);
    char *cid = strdup(h_str(r, "id"));
    assert_string_equal(h_str(r, "status"), "open");
    h_free(r);

    char path[256], pathb[256], base[160];
    snprintf(base, sizeof base, "/api/v1/monitoring/campaigns/%s", cid);
    snprintf(path, sizeof path, "%s/answers/%s", base, a);
    snprintf(pathb, sizeof pathb, "%s/answers/%s", base, b);
    /* wrong answers name the question */
    r = put(lib, path, "{\"answers\":{\"visits\":\"many\",\"club\":true,\"space\":\"нет\"}}", NULL);
    expect(r, 400, "'answers.visits' must be a number");
    r = put(lib, path, "{\"answers\":{\"visits\":-3,\"club\":true,\"space\":\"нет\"}}", NULL);
    expect(r, 400, "'answers.visits' must be from 0");
    r = put(lib, path, "{\"answers\":{\"visits\":3,\"club\":true,\"space\":\"везде\"}}", NULL);
    expect(r, 400, "not one of the question's choices");
    r = put(lib, path, "{\"answers\":{\"visits\":3,\"space\":\"нет\"}}", NULL);
    expect(r, 400, "'answers.club' is required");
    r = put(lib, path, "{\"answers\":{\"visits\":3,\"club\":true,\"space\":\"нет\",\"x\":1}}",
            NULL);
    expect(r, 400, "'answers.x' is not a question");
    r = put(libb, path, "{\"answers\":{\"visits\":3,\"club\":true,\"space\":\"нет\"}}", NULL);
    expect(r, 404, "no school has id");

    r = put(lib, path, "{\"answers\":{\"visits\":120,\"club\":false,\"space\":\"частично\"}}",
            NULL);
    assert_int_equal(r->status, 201);
    assert_int_equal(json_integer_value(json_object_get(r->json, "version")), 1);
    char *aid = strdup(h_str(r, "id"));
    h_free(r);
    r = put(lib, path,
            "{\"answers\":{\"visits\":125.5,\"club\":true,\"space\":\"частично\",\"note\":\"=1+1; "
            "\\\"клуб\\\"\"}}",
            NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "version")), 2);
    h_free(r);

    r = h_get(meth, "%s/completion", base);
    assert_int_equal(r->status, 200);
    json_t *by = json_object_get(r->json, "by_school");
    int seen_a = 0, seen_b = 0;
    size_t i;
    json_t *row;
    json_array_foreach(by, i, row)
    {
        const char *s = json_string_value(json_object_get(row, "school"));
        if (strcmp(s, a) == 0) seen_a = json_is_true(json_object_get(row, "answered")) ? 1 : -1;
        if (strcmp(s, b) == 0) seen_b = json_is_true(json_object_get(row, "answered")) ? 1 : -1;
    }
    assert_int_equal(seen_a, 1);
    assert_int_equal(seen_b, -1);
    assert_true(json_integer_value(json_object_get(r->json, "answered")) == 1);
    h_free(r);
    /* the completion indicator: this campaign, answered by the school */
    r = h_get(lib, "/api/v1/monitoring/indicators?months=1&school=%s", a);
    assert_int_equal(r->status, 200);
    json_t *sc = json_object_get(json_object_get(r->json, "indicators"), "survey_completion");
    json_t *camp = NULL, *c;
    json_array_foreach(json_object_get(sc, "history"), i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "campaign_id")), cid) == 0) camp = c;
    }
    assert_non_null(camp);
    assert_true(json_is_true(json_object_get(camp, "school_answered")));
    assert_true(json_integer_value(json_object_get(camp, "answered")) >= 1);
    assert_true(json_integer_value(json_object_get(camp, "schools")) >= 2);
    h_free(r);
    /* a librarian's completion lists their own school only */
    r = h_get(libb, "%s/completion", base);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "by_school")), 1);
    h_free(r);

    /* CSV: BOM, ';', a header with the questions, да/нет, decimal comma,
     * quoting, and a formula defused */
    const char *csv[] = {"Accept: text/csv", NULL};
    char url[300];
    snprintf(url, sizeof url, "%s/answers", base);
    r = h_http("GET", url, meth, NULL, csv);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_header(r, "Content-Type"), "text/csv; charset=utf-8");
    assert_memory_equal(r->body, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(r->body,
                           "Школа;Название;Ответ дан;Исправлен;Посещений за квартал;Есть "
                           "читательский клуб?;Зонирование;\"Комментарий; «кавычки»\"\r\n"));
    assert_non_null(strstr(r->body, ";125,5;да;частично;\"'=1+1; \"\"клуб\"\"\"\r\n"));
    h_free(r);

    snprintf(url, sizeof url, "%s/close", base);
    r = h_http("POST", url, lib, NULL, NULL);
    expect(r, 403, NULL);
    r = h_http("POST", url, meth, NULL, NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "status"), "closed");
    h_free(r);
    r = h_http("POST", url, meth, NULL, NULL);
    expect(r, 409, "closed already");
    r = put(lib, path, "{\"answers\":{\"visits\":1,\"club\":true,\"space\":\"нет\"}}", NULL);
    expect(r, 409, "is closed");
    r = put(libb, pathb, "{\"answers\":{\"visits\":1,\"club\":true,\"space\":\"нет\"}}", NULL);
    expect(r, 409, "is closed");
    /* the answer stands as corrected */
    r = h_get(integ, "%s", path);
    assert_int_equal(r->status, 200);
    assert_true(json_is_true(json_object_get(json_object_get(r->json, "answers"), "club")));
    h_free(r);

    json_t *e = h_events_find(ev, "ibc.evt.monitoring.survey.answered", aid, 10000);
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "data"), "school")),
                        a);
    json_decref(e);
    assert_int_equal(count_events(ev, "ibc.evt.monitoring.survey.answered", aid, 2), 2);
    free(aid);
    h_events_close(ev);
    free(cid);
    free(lib);
    free(libb);
    free(a);
    free(b);
}

static void roadmap_overdue_by_date_and_progress_per_section(void **state)
{
    (void)state;
    h_events *ev = h_events_open("ibc.evt.monitoring.roadmap.>");
    char *section = h_uniq("section-"), *school = new_school("{}"), d1[16], d2[16];
    char *lib = h_new_key(school, "librarian"), *other = h_new_key("school-zz", "librarian");
    char body[1024];
    snprintf(body, sizeof body,
             "{\"section\":\"%s\",\"title\":\"Зонирование библиотеки\",\"deadline\":\"%s\","
             "\"responsible_org\":\"%s\",\"expected_result\":\"Проект зонирования\"}",
             section, day(-3, d1), school);
    h_resp *r = h_http("POST", "/api/v1/monitoring/roadmap/activities", lib, body, NULL);
    expect(r, 403, NULL);
    r = h_http("POST", "/api/v1/monitoring/roadmap/activities", meth, body, NULL);
    assert_int_equal(r->status, 201);
    assert_true(json_is_true(json_object_get(r->json, "overdue")));
    assert_string_equal(h_str(r, "status"), "planned");
    char *late = strdup(h_str(r, "id"));
    h_free(r);
    snprintf(body, sizeof body,
             "{\"section\":\"%s\",\"title\":\"Медиатека\",\"deadline\":\"%s\","
             "\"responsible_org\":\"resource-centre\",\"status\":\"in_progress\"}",
             section, day(40, d2));
    r = h_http("POST", "/api/v1/monitoring/roadmap/activities", meth, body, NULL);
    assert_int_equal(r->status, 201);
    assert_false(json_is_true(json_object_get(r->json, "overdue")));
    h_free(r);
    r = h_post(meth, "/api/v1/monitoring/roadmap/activities",
               "{\"section\":\"s\",\"title\":\"t\",\"deadline\":\"2026-02-30\","
               "\"responsible_org\":\"x\"}");
    expect(r, 400, "'deadline' must be a real date");
    r = h_post(meth, "/api/v1/monitoring/roadmap/activities",
               "{\"section\":\"s\",\"title\":\"t\",\"deadline\":\"2026-02-03\","
               "\"responsible_org\":\"x\",\"done_on\":\"2026-02-01\"}");
    expect(r, 400, "'done_on' is only for");

    r = h_get(integ, "/api/v1/monitoring/roadmap/activities?section=%s&status=overdue", section);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 1);
    h_free(r);
    char progress_path[] = "/api/v1/monitoring/roadmap/progress";
    r = h_get(integ, "%s", progress_path);
    assert_int_equal(r->status, 200);
    json_t *sec = NULL, *s;
    size_t i;
    json_array_foreach(json_object_get(r->json, "sections"), i, s)
    {
        if (strcmp(json_string_value(json_object_get(s, "section")), section) == 0) sec = s;
    }
    assert_non_null(sec);
    assert_int_equal(json_integer_value(json_object_get(sec, "activities")), 2);
    assert_int_equal(json_integer_value(json_object_get(sec, "overdue")), 1);
    assert_int_equal(json_integer_value(json_object_get(sec, "in_progress")), 1);
    assert_int_equal(json_integer_value(json_object_get(sec, "done")), 0);
    h_free(r);

    /* evidence: the responsible school may add it, another school may not */
    char path[200], url[260];
    snprintf(path, sizeof path, "/api/v1/monitoring/roadmap/activities/%s", late);
    snprintf(url, sizeof url, "%s/evidence", path);
    r = h_http("POST", url, lib, "{\"url\":\"ftp://example.org/plan\"}", NULL);
    expect(r, 400, "must start with http");
    r = h_http("POST", url, other, "{\"url\":\"https://school.example/plan.pdf\"}", NULL);
    expect(r, 403, NULL);
    r = h_http("POST", url, lib, "{\"url\":\"https://school.example/plan.pdf\",\"title\":\"План\"}",
               NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "evidence")), 1);
    h_free(r);
    /* done: no longer overdue, done_on set; If-Match stale is 412 */
    snprintf(body, sizeof body,
             "{\"section\":\"%s\",\"title\":\"Зонирование библиотеки\",\"deadline\":\"%s\","
             "\"responsible_org\":\"%s\",\"status\":\"done\"}",
             section, d1, school);
    const char *stale[] = {"If-Match: \"1\"", NULL};
    r = put(meth, path, body, stale);
    expect(r, 412, "version is 2");
    r = put(meth, path, body, NULL);
    assert_int_equal(r->status, 200);
    assert_false(json_is_true(json_object_get(r->json, "overdue")));
    assert_non_null(h_str(r, "done_on"));
    /* evidence not sent back is dropped by a PUT: a replace */
    assert_int_equal(json_array_size(json_object_get(r->json, "evidence")), 0);
    h_free(r);
    r = h_get(integ, "/api/v1/monitoring/roadmap/activities?section=%s&status=overdue", section);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 0);
    h_free(r);
    r = h_get(integ, "%s", progress_path);
    sec = NULL;
    json_array_foreach(json_object_get(r->json, "sections"), i, s)
    {
        if (strcmp(json_string_value(json_object_get(s, "section")), section) == 0) sec = s;
    }
    assert_non_null(sec);
    assert_int_equal(json_integer_value(json_object_get(sec, "done")), 1);
    assert_int_equal(json_integer_value(json_object_get(sec, "overdue")), 0);
    assert_true(json_real_value(json_object_get(sec, "share_done")) > 0.49);
    h_free(r);
    r = h_get(meth, "/api/v1/monitoring/roadmap/activities?status=late");
    expect(r, 400, "'status' must be one of");
    r = h_http("DELETE", path, meth, NULL, NULL);
    assert_int_equal(r->status, 204);
    h_free(r);
    r = h_get(meth, "%s", path);
    expect(r, 404, "no roadmap activity");

    json_t *e = h_events_find(ev, "ibc.evt.monitoring.roadmap.updated", late, 10000);
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "data"), "change")),
                        "created");
    json_decref(e);
    /* created, evidence, updated, deleted */
    assert_int_equal(count_events(ev, "ibc.evt.monitoring.roadmap.updated", late, 4), 4);
    h_events_close(ev);
    free(late);
    free(lib);
    free(other);
    free(school);
    free(section);
}

static void promotions_and_partnerships_of_a_school(void **state)
{
    (void)state;
    char *school = new_school("{}"), d[16], d2[16], body[512];
    char *lib = h_new_key(school, "librarian"), *other = h_new_key("school-qq", "librarian");
    snprintf(body, sizeof body,
             "{\"campaign\":\"Я читаю\",\"held_on\":\"%s\",\"participants\":120}", day(-2, d));
    h_resp *r = h_http("POST", "/api/v1/monitoring/promotions", lib, body, NULL);
    assert_int_equal(r->status, 201);
    assert_string_equal(h_str(r, "school"), school);
    char *pid = strdup(h_str(r, "id"));
    h_free(r);
    snprintf(body, sizeof body,
             "{\"campaign\":\"Неделя детской книги\",\"held_on\":\"%s\",\"participants\":45}",
             day(-1, d));
    r = h_http("POST", "/api/v1/monitoring/promotions", lib, body, NULL);
    assert_int_equal(r->status, 201);
    h_free(r);
    snprintf(body, sizeof body, "{\"campaign\":\"x\",\"held_on\":\"%s\",\"participants\":1}",
             day(5, d));
    r = h_http("POST", "/api/v1/monitoring/promotions", lib, body, NULL);
    expect(r, 400, "in the future");
    snprintf(body, sizeof body,
             "{\"school\":\"%s\",\"campaign\":\"x\",\"held_on\":\"%s\",\"participants\":1}", school,
             day(-1, d));
    r = h_http("POST", "/api/v1/monitoring/promotions", other, body, NULL);
    expect(r, 403, NULL);
    r = h_get(meth, "/api/v1/monitoring/promotions?school=%s", school);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 2);
    assert_int_equal(json_integer_value(json_object_get(r->json, "participants")), 165);
    h_free(r);
    r = h_get(other, "/api/v1/monitoring/promotions?school=%s", school);
    expect(r, 403, NULL);
    char path[160];
    snprintf(path, sizeof path, "/api/v1/monitoring/promotions/%s", pid);
    r = h_http("DELETE", path, other, NULL, NULL);
    expect(r, 404, "no reading-promotion event has id");
    r = h_http("DELETE", path, lib, NULL, NULL);
    assert_int_equal(r->status, 204);
    h_free(r);

    snprintf(body, sizeof body,
             "{\"partner\":\"ЦБС, филиал № 4\",\"signed_on\":\"%s\",\"valid_until\":\"%s\"}",
             day(-10, d), day(-20, d2));
    r = h_http("POST", "/api/v1/monitoring/partnerships", lib, body, NULL);
    expect(r, 400, "before 'signed_on'");
    snprintf(body, sizeof body,
             "{\"partner\":\"ЦБС, филиал № 4\",\"signed_on\":\"%s\",\"valid_until\":\"%s\"}",
             day(-10, d), day(355, d2));
    r = h_http("POST", "/api/v1/monitoring/partnerships", lib, body, NULL);
    assert_int_equal(r->status, 201);
    assert_true(json_is_true(json_object_get(r->json, "active")));
    h_free(r);
    snprintf(body, sizeof body,
             "{\"partner\":\"Детская библиотека\",\"signed_on\":\"%s\",\"valid_until\":\"%s\"}",
             day(-400, d), day(-35, d2));
    r = h_http("POST", "/api/v1/monitoring/partnerships", lib, body, NULL);
    assert_int_equal(r->status, 201);
    assert_false(json_is_true(json_object_get(r->json, "active")));
    h_free(r);
    r = h_get(lib, "/api/v1/monitoring/partnerships?active=true");
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 1);
    h_free(r);
    r = h_get(integ, "/api/v1/monitoring/partnerships?school=%s", school);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 2);
    h_free(r);
    free(pid);
    free(lib);
    free(other);
    free(school);
}

static void targets_are_set_by_a_methodologist(void **state)
{
    (void)state;
    char *lib = h_new_key("school-5", "librarian");
    h_resp *r = put(lib, "/api/v1/monitoring/targets/catalog_records", "{\"target\":1}", NULL);
    expect(r, 403, NULL);
    r = put(meth, "/api/v1/monitoring/targets/books", "{\"target\":1}", NULL);
    expect(r, 404, "there is no indicator 'books'");
    r = put(meth, "/api/v1/monitoring/targets/trained_staff_share", "{\"target\":80}", NULL);
    expect(r, 400, "from 0 to 1");
    r = put(meth, "/api/v1/monitoring/targets/catalog_records", "{\"target\":-5}", NULL);
    expect(r, 400, "'target' must be from 0");
    r = put(meth, "/api/v1/monitoring/targets/trained_staff_share", "{\"target\":0.8}", NULL);
    assert_int_equal(r->status, 200);
    h_free(r);
    r = put(meth, "/api/v1/monitoring/targets/catalog_records", "{\"target\":25000}", NULL);
    assert_int_equal(r->status, 200);
    h_free(r);
    r = h_get(lib, "/api/v1/monitoring/indicators?months=3");
    assert_int_equal(r->status, 200);
    json_t *ind = json_object_get(r->json, "indicators");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(ind, "catalog_records"), "target")),
        25000);
    assert_true(json_real_value(
                    json_object_get(json_object_get(ind, "trained_staff_share"), "target")) == 0.8);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(ind, "ibc_schools"), "target")), 20);
    assert_int_equal(
        json_array_size(json_object_get(json_object_get(ind, "loans_per_month"), "history")), 3);
    assert_non_null(json_object_get(r->json, "lag"));
    h_free(r);
    r = h_get(portal, "/api/v1/monitoring/indicators");
    expect(r, 403, NULL);
    r = h_get(meth, "/api/v1/monitoring/indicators?months=100");
    expect(r, 400, "'months' must be an integer from 1 to 60");
    r = h_get(lib, "/api/v1/monitoring/indicators?school=school-6");
    expect(r, 403, "only their own school");
    /* the seed network's target again */
    r = put(meth, "/api/v1/monitoring/targets/catalog_records", "{\"target\":20000}", NULL);
    assert_int_equal(r->status, 200);
    h_free(r);
    r = h_get(integ, "/api/v1/monitoring/targets");
    assert_int_equal(r->status, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 7);
    h_free(r);
    free(lib);
}

/* GET path?query: 200 with at most want_items items, the page's limit and offset echoed. */
static void expect_page(const char *key, const char *path, long limit, long offset, size_t items,
                        long total)
{
    h_resp *r =
        h_get(key, "%s%slimit=%ld&offset=%ld", path, strchr(path, '?') ? "&" : "?", limit, offset);
    if (r->status != 200) fail_msg("%s: %ld %s", path, r->status, r->body);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), items);
    assert_int_equal(json_integer_value(json_object_get(r->json, "limit")), limit);
    assert_int_equal(json_integer_value(json_object_get(r->json, "offset")), offset);
    if (total >= 0) assert_int_equal(json_integer_value(json_object_get(r->json, "total")), total);
    h_free(r);
}

static void every_list_is_paged_with_a_hard_maximum(void **state)
{
    (void)state;
    static const char *const lists[] = {
        "/api/v1/monitoring/schools",
        "/api/v1/monitoring/campaigns",
        "/api/v1/monitoring/promotions",
        "/api/v1/monitoring/partnerships",
        "/api/v1/monitoring/roadmap/activities",
    };
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        expect(h_get(meth, "%s?limit=501", lists[i]), 400,
               "'limit' must be an integer from 1 to 500");
        expect(h_get(meth, "%s?limit=0", lists[i]), 400, "'limit'");
        expect(h_get(meth, "%s?offset=-1", lists[i]), 400, "'offset'");
        h_resp *r = h_get(meth, "%s", lists[i]);
        assert_int_equal(r->status, 200);
        assert_int_equal(json_integer_value(json_object_get(r->json, "limit")), 50);
        assert_true(json_array_size(json_object_get(r->json, "items")) <= 50);
        h_free(r);
    }
    /* three events of one school, two to a page; the totals count all three */
    char *school = new_school("{}"), d[16], body[256], path[160];
    char *lib = h_new_key(school, "librarian");
    for (int i = 1; i <= 3; i++) {
        snprintf(body, sizeof body, "{\"campaign\":\"c%d\",\"held_on\":\"%s\",\"participants\":%d}",
                 i, day(-i, d), i * 10);
        h_resp *r = h_http("POST", "/api/v1/monitoring/promotions", lib, body, NULL);
        assert_int_equal(r->status, 201);
        h_free(r);
    }
    snprintf(path, sizeof path, "/api/v1/monitoring/promotions?school=%s", school);
    expect_page(meth, path, 2, 0, 2, 3);
    expect_page(meth, path, 2, 2, 1, 3);
    expect_page(meth, path, 2, 4, 0, 3);
    h_resp *r = h_get(meth, "%s&limit=1&offset=2", path);
    assert_int_equal(json_integer_value(json_object_get(r->json, "participants")), 60);
    /* newest first: the third page of one is the oldest event */
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r->json, "items"), 0), "campaign")),
                        "c3");
    h_free(r);
    free(lib);
    free(school);
}

/* The integer at obj.key of r's body. */
static long long num(const json_t *obj, const char *key)
{
    return (long long)json_integer_value(json_object_get(obj, key));
}

/* The dashboard's district filter: completion, provision and the
 * indicators count the named district's schools only. */
static void district_narrows_completion_provision_and_indicators(void **state)
{
    (void)state;
    char *north = h_uniq("north-"), *south = h_uniq("south-");
    char *a = school_in(north, "{\"3\":21}"), *b = school_in(south, "{\"3\":21}");
    char *lib = h_new_key(a, "librarian");
    h_resp *r = h_post(meth, "/api/v1/monitoring/campaigns",
                       "{\"title\":\"По районам\",\"questions\":[{\"code\":\"q\",\"text\":"
                       "\"?\",\"kind\":\"number\"}]}");
    assert_int_equal(r->status, 201);
    char *cid = strdup(h_str(r, "id"));
    h_free(r);
    char path[256];
    snprintf(path, sizeof path, "/api/v1/monitoring/campaigns/%s/answers/%s", cid, a);
    r = put(lib, path, "{\"answers\":{\"q\":1}}", NULL);
    assert_int_equal(r->status, 201);
    h_free(r);

    const char *const districts[] = {north, south};
    const char *const schools[] = {a, b};
    for (int i = 0; i < 2; i++) {
        r = h_get(meth, "/api/v1/monitoring/campaigns/%s/completion?district=%s", cid,
                  districts[i]);
        assert_int_equal(r->status, 200);
        assert_int_equal(num(r->json, "schools"), 1);
        assert_int_equal(num(r->json, "answered"), i == 0 ? 1 : 0);
        json_t *by = json_object_get(r->json, "by_school");
        assert_int_equal(json_array_size(by), 1);
        assert_string_equal(json_string_value(json_object_get(json_array_get(by, 0), "school")),
                            schools[i]);
        h_free(r);
        r = h_get(meth, "/api/v1/monitoring/reports/textbook-provision?district=%s", districts[i]);
        assert_int_equal(r->status, 200);
        assert_int_equal(num(r->json, "schools"), 1);
        assert_string_equal(json_string_value(json_object_get(r->json, "district")), districts[i]);
        h_free(r);
        r = h_get(meth, "/api/v1/monitoring/indicators?months=1&district=%s", districts[i]);
        assert_int_equal(r->status, 200);
        json_t *sc = json_object_get(json_object_get(r->json, "indicators"), "survey_completion");
        json_t *last = json_array_get(json_object_get(sc, "history"),
                                      json_array_size(json_object_get(sc, "history")) - 1);
        assert_string_equal(json_string_value(json_object_get(last, "campaign_id")), cid);
        assert_int_equal(num(last, "schools"), 1);
        assert_int_equal(num(last, "answered"), i == 0 ? 1 : 0);
        h_free(r);
    }
    /* the network counts both */
    r = h_get(meth, "/api/v1/monitoring/campaigns/%s/completion", cid);
    assert_true(num(r->json, "schools") >= 2);
    h_free(r);
    /* a district nobody has: nothing, not an error; a bad one: 400 */
    r = h_get(meth, "/api/v1/monitoring/campaigns/%s/completion?district=nowhere-%s", cid, north);
    assert_int_equal(r->status, 200);
    assert_int_equal(num(r->json, "schools"), 0);
    assert_true(json_is_null(json_object_get(r->json, "share")));
    h_free(r);
    expect(h_get(meth, "/api/v1/monitoring/reports/textbook-provision?district="), 400,
           "'district' must have 1 to 200 characters");
    char longd[260];
    memset(longd, 'x', 201);
    longd[201] = 0;
    expect(h_get(meth, "/api/v1/monitoring/indicators?district=%s", longd), 400, "'district'");
    free(cid);
    free(lib);
    free(a);
    free(b);
    free(north);
    free(south);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(directory_and_passport_keep_every_version),
        cmocka_unit_test(survey_answers_once_corrects_until_closed),
        cmocka_unit_test(roadmap_overdue_by_date_and_progress_per_section),
        cmocka_unit_test(promotions_and_partnerships_of_a_school),
        cmocka_unit_test(targets_are_set_by_a_methodologist),
        cmocka_unit_test(every_list_is_paged_with_a_hard_maximum),
        cmocka_unit_test(district_narrows_completion_provision_and_indicators),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

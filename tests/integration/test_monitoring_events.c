/* Monitoring's indicators fed by the other services' events, driven through
 * the gateway as a client would: catalog records and items move the union
 * catalog count and the textbook provision report (JSON and CSV), loans move
 * loans and active readers, completions the trained-staff share, grant
 * projects the transformation projects. A copy of a real event published
 * again with the same CloudEvents id changes nothing, and a rebuild that
 * replays the stream gives the same numbers. Events are asynchronous: every
 * check polls with a deadline. */
#include "harness.h"

#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEADLINE_MS 20000

static char *meth, *lib, *libt, *school, *other, *subject, *subject_q, *record_id;
static char *item_barcode; /* an item of `school`, for the loan */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *day(int days, char *buf)
{
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, 16, "%Y-%m-%d", &tm);
    return buf;
}

/* Percent-encodes s for a query string; caller frees. */
static char *esc(const char *s)
{
    char *out = malloc(strlen(s) * 3 + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.')
            *o++ = (char)*p;
        else
            o += sprintf(o, "%%%02X", *p);
    }
    *o = 0;
    return out;
}

/* The member at a dotted path ("a.b.0.c"; numbers index arrays), borrowed. */
static json_t *jget(json_t *j, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
        j = json_is_array(j) ? json_array_get(j, (size_t)atoi(k)) : json_object_get(j, k);
    return j;
}

/* GET path as key and the integer at jpath; -1 when absent, -2 on HTTP error. */
static long long probe(const char *key, const char *path, const char *jpath)
{
    h_resp *r = h_get(key, "%s", path);
    long long v = -2;
    if (r->status == 200) {
        json_t *x = jget(r->json, jpath);
        v = json_is_integer(x) ? (long long)json_integer_value(x) : -1;
    } else {
        fprintf(stderr, "GET %s: %ld %s\n", path, r->status, r->body);
    }
    h_free(r);
    return v;
}

/* Polls until the integer at jpath is want; returns the last value seen. */
static long long wait_for(const char *key, const char *path, const char *jpath, long long want)
{
    long long end = now_ms() + DEADLINE_MS, v;
    do {
        if ((v = probe(key, path, jpath)) == want) return v;
        usleep(150000);
    } while (now_ms() < end);
    fprintf(stderr, "%s %s: waited for %lld, last %lld\n", path, jpath, want, v);
    return v;
}

static void indicators_path(char *buf, size_t n, const char *sch)
{
    snprintf(buf, n, "/api/v1/monitoring/indicators?months=3&school=%s", sch);
}

/* Path of the provision report of sch (NULL: network) for the test's subject and grade. */
static void provision_path(char *buf, size_t n, const char *sch, int grade)
{
    if (sch)
        snprintf(buf, n,
                 "/api/v1/monitoring/reports/textbook-provision?school=%s&subject=%s&grade=%d", sch,
                 subject_q, grade);
    else
        snprintf(buf, n, "/api/v1/monitoring/reports/textbook-provision?subject=%s&grade=%d",
                 subject_q, grade);
}

/* Creates an item of the test's record in sch; returns its id (caller frees). */
static char *new_item(const char *key, const char *sch, char **barcode)
{
    char *bc = h_uniq("mon-");
    h_resp *r = h_post(key, "/api/v1/catalog/items",
                       "{\"record_id\":\"%s\",\"barcode\":\"%s\",\"school\":\"%s\","
                       "\"source\":\"textbook_fund\"}",
                       record_id, bc, sch);
    if (r->status != 201) fprintf(stderr, "item: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    if (barcode)
        *barcode = bc;
    else
        free(bc);
    return id;
}

static int setup(void **state)
{
    (void)state;
    meth = h_new_key("resource-centre", "methodologist");
    school = h_uniq("sch-");
    other = h_uniq("sch-");
    lib = h_new_key(school, "librarian");
    libt = h_new_key(other, "librarian");
    subject = h_uniq("Алгебра ");
    subject_q = esc(subject);
    if (!meth || !lib || !libt) return -1;
    /* grade 7: 25 and 30 students; grade 8: 20 in the first school */
    h_resp *r = h_post(meth, "/api/v1/monitoring/schools",
                       "{\"id\":\"%s\",\"name\":\"Гимназия\",\"kind\":\"gymnasium\","
                       "\"students\":{\"7\":25,\"8\":20}}",
                       school);
    long s1 = r->status;
    h_free(r);
    r = h_post(meth, "/api/v1/monitoring/schools",
               "{\"id\":\"%s\",\"name\":\"Школа\",\"kind\":\"school\",\"students\":{\"7\":30}}",
               other);
    long s2 = r->status;
    h_free(r);
    return s1 == 201 && s2 == 201 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(meth);
    free(lib);
    free(libt);
    free(school);
    free(other);
    free(subject);
    free(subject_q);
    free(record_id);
    free(item_barcode);
    return 0;
}

static void catalog_items_move_records_and_textbook_provision(void **state)
{
    (void)state;
    long long before =
        probe(meth, "/api/v1/monitoring/indicators?months=1", "indicators.catalog_records.value");
    assert_true(before >= 0);
    /* a textbook for grades 7 to 8 of the test's subject, and a plain book */
    h_resp *r = h_post(lib, "/api/v1/catalog/records",
                       "{\"type\":\"textbook\",\"title\":\"Алгебра. 7–8 классы\","
                       "\"textbook\":{\"subject\":\"%s\",\"grade_from\":7,\"grade_to\":8}}",
                       subject);
    assert_int_equal(r->status, 201);
    record_id = strdup(h_str(r, "id"));
    h_free(r);
    r = h_post(lib, "/api/v1/catalog/records", "{\"type\":\"book\",\"title\":\"Повести\"}");
    assert_int_equal(r->status, 201);
    h_free(r);

    /* three copies in the school, one in the other school */
    char *ids[3];
    for (int i = 0; i < 3; i++)
        ids[i] = new_item(lib, school, i == 0 ? &item_barcode : NULL);
    char *theirs = new_item(libt, other, NULL);

    char path[512];
    provision_path(path, sizeof path, school, 7);
    assert_int_equal(wait_for(lib, path, "rows.0.copies", 3), 3);
    assert_int_equal(probe(lib, path, "rows.0.students"), 25);
    r = h_get(lib, "%s", path);
    assert_string_equal(json_string_value(jget(r->json, "rows.0.subject")), subject);
    assert_true(json_real_value(jget(r->json, "rows.0.share")) == 0.12);
    assert_int_equal(json_array_size(json_object_get(r->json, "rows")), 1);
    h_free(r);
    /* grade 8 is covered by the same textbook */
    provision_path(path, sizeof path, school, 8);
    assert_int_equal(probe(lib, path, "rows.0.copies"), 3);
    assert_int_equal(probe(lib, path, "rows.0.students"), 20);
    /* the network sums the two schools: 55 students, 4 copies */
    provision_path(path, sizeof path, NULL, 7);
    assert_int_equal(wait_for(meth, path, "rows.0.copies", 4), 4);
    assert_int_equal(probe(meth, path, "rows.0.students"), 55);
    assert_int_equal(probe(meth, path, "rows.0.schools"), 2);
    /* a librarian does not see another school's report */
    provision_path(path, sizeof path, other, 7);
    r = h_get(lib, "%s", path);
    assert_int_equal(r->status, 403);
    h_free(r);
    r = h_get(lib, "/api/v1/monitoring/reports/textbook-provision?grade=12");
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "'grade' must be an integer from 1 to 11"));
    h_free(r);

    /* a copy written off no longer counts */
    char wpath[160];
    snprintf(wpath, sizeof wpath, "/api/v1/catalog/items/%s/write-off", ids[2]);
    r = h_http("POST", wpath, lib, "{\"act\":\"А-17\",\"reason\":\"ветхость\"}", NULL);
    if (r->status >= 300) fprintf(stderr, "write-off: %ld %s\n", r->status, r->body);
    assert_true(r->status >= 200 && r->status < 300);
    h_free(r);
    provision_path(path, sizeof path, school, 7);
    assert_int_equal(wait_for(lib, path, "rows.0.copies", 2), 2);

    /* CSV for a spreadsheet: BOM, ';', a decimal comma */
    const char *csv[] = {"Accept: text/csv", NULL};
    r = h_http("GET", path, lib, NULL, csv);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_header(r, "Content-Type"), "text/csv; charset=utf-8");
    assert_memory_equal(r->body, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(r->body, "Школа;Класс;Предмет;Учащихся;Экземпляров учебников;"
                                    "Обеспеченность, %\r\n"));
    char line[256];
    snprintf(line, sizeof line, "\r\n%s;7;%s;25;2;8,0\r\n", school, subject);
    assert_non_null(strstr(r->body, line));
    h_free(r);

    /* the union catalog grew by the two records; the school holds two copies */
    long long after = wait_for(meth, "/api/v1/monitoring/indicators?months=1",
                               "indicators.catalog_records.value", before + 2);
    assert_true(after >= before + 2);
    indicators_path(path, sizeof path, school);
    assert_int_equal(wait_for(lib, path, "indicators.catalog_records.items", 2), 2);
    for (int i = 0; i < 3; i++)
        free(ids[i]);
    free(theirs);
}

static void loans_move_loans_and_active_readers(void **state)
{
    (void)state;
    assert_non_null(item_barcode);
    char *card = h_uniq("card-");
    h_resp *r = h_post(lib, "/api/v1/circulation/readers",
                       "{\"card_barcode\":\"%s\",\"name\":\"Читатель\",\"category\":\"student\","
                       "\"class\":\"7А\"}",
                       card);
    if (r->status == 404 && strstr(r->body, "route")) {
        h_free(r);
        free(card);
        skip();
    }
    if (r->status != 201) fprintf(stderr, "reader: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 201);
    char *reader = strdup(h_str(r, "id"));
    h_free(r);
    /* circulation learns the item from catalog's events: retry until it knows it */
    long status = 0;
    for (long long end = now_ms() + DEADLINE_MS; now_ms() < end && status != 201;) {
        r = h_post(lib, "/api/v1/circulation/checkouts",
                   "{\"item_barcode\":\"%s\",\"reader_id\":\"%s\"}", item_barcode, reader);
        status = r->status;
        if (status != 201 && now_ms() + 200 >= end)
            fprintf(stderr, "checkout: %ld %s\n", r->status, r->body);
        h_free(r);
        if (status != 201) usleep(200000);
    }
    assert_int_equal(status, 201);
    char path[256];
    indicators_path(path, sizeof path, school);
    assert_int_equal(wait_for(lib, path, "indicators.loans_per_month.value", 1), 1);
    assert_int_equal(wait_for(lib, path, "indicators.active_readers.value", 1), 1);
    assert_int_equal(probe(lib, path, "indicators.active_readers.registered"), 1);
    assert_int_equal(probe(lib, path, "indicators.loans_per_month.open_loans"), 1);
    assert_int_equal(probe(lib, path, "indicators.loans_per_month.history.2.value"), 1);
    assert_int_equal(probe(lib, path, "indicators.loans_per_month.history.1.value"), 0);
    /* the other school saw none */
    indicators_path(path, sizeof path, other);
    assert_int_equal(probe(libt, path, "indicators.loans_per_month.value"), 0);
    free(reader);
    free(card);
}

static void completions_move_the_trained_staff_share(void **state)
{
    (void)state;
    char d1[16], d2[16], *staff[2];
    for (int i = 0; i < 2; i++) {
        h_resp *r =
            h_post(lib, "/api/v1/training/staff",
                   "{\"full_name\":\"Сотрудник %d\",\"position\":\"педагог-библиотекарь\"}", i);
        if (r->status != 201) fprintf(stderr, "staff: %ld %s\n", r->status, r->body);
        assert_int_equal(r->status, 201);
        staff[i] = strdup(h_str(r, "id"));
        h_free(r);
    }
    h_resp *r =
        h_post(meth, "/api/v1/training/courses",
               "{\"title\":\"ИБЦ: новые форматы\",\"provider\":\"ИРО\",\"kind\":\"course\","
               "\"format\":\"distance\",\"hours\":36,\"starts_on\":\"%s\",\"ends_on\":\"%s\"}",
               day(-10, d1), day(-2, d2));
    if (r->status != 201) fprintf(stderr, "course: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 201);
    char *course = strdup(h_str(r, "id"));
    h_free(r);
    r = h_post(lib, "/api/v1/training/enrolments", "{\"course_id\":\"%s\",\"staff_id\":\"%s\"}",
               course, staff[0]);
    if (r->status != 201) fprintf(stderr, "enrol: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 201);
    char *enrolment = strdup(h_str(r, "id")), url[200], *cert = h_uniq("УД-");
    h_free(r);
    char path[256];
    indicators_path(path, sizeof path, school);
    assert_int_equal(wait_for(lib, path, "indicators.trained_staff_share.staff", 2), 2);
    assert_int_equal(probe(lib, path, "indicators.trained_staff_share.trained"), 0);

    snprintf(url, sizeof url, "/api/v1/training/enrolments/%s/complete", enrolment);
    char body[256];
    snprintf(body, sizeof body, "{\"completed_on\":\"%s\",\"certificate_number\":\"%s\"}",
             day(-2, d2), cert);
    r = h_http("POST", url, meth, body, NULL);
    if (r->status >= 300) fprintf(stderr, "complete: %ld %s\n", r->status, r->body);
    assert_true(r->status >= 200 && r->status < 300);
    h_free(r);
    assert_int_equal(wait_for(lib, path, "indicators.trained_staff_share.trained", 1), 1);
    r = h_get(lib, "%s", path);
    assert_true(json_real_value(jget(r->json, "indicators.trained_staff_share.value")) == 0.5);
    h_free(r);
    for (int i = 0; i < 2; i++)
        free(staff[i]);
    free(course);
    free(enrolment);
    free(cert);
}

static void grant_projects_move_transformation_projects(void **state)
{
    (void)state;
    char d[16];
    h_resp *r = h_post(meth, "/api/v1/grants/programmes",
                       "{\"funder\":\"Минпросвещения\",\"level\":\"regional\",\"title\":\"ИБЦ "
                       "2027\",\"deadline\":\"%s\",\"amount_min\":0,\"amount_max\":2000000}",
                       day(60, d));
    if (r->status != 201) fprintf(stderr, "programme: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 201);
    char *programme = strdup(h_str(r, "id"));
    h_free(r);
    r = h_post(lib, "/api/v1/grants/projects",
               "{\"title\":\"Школьный ИБЦ\",\"programme_id\":\"%s\",\"requested_amount\":900000}",
               programme);
    if (r->status != 201) fprintf(stderr, "project: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 201);
    char *project = strdup(h_str(r, "id")), url[200];
    h_free(r);
    char path[256];
    indicators_path(path, sizeof path, school);
    assert_int_equal(wait_for(lib, path, "indicators.transformation_projects.total", 1), 1);
    assert_int_equal(probe(lib, path, "indicators.transformation_projects.value"), 0);
    assert_int_equal(probe(lib, path, "indicators.transformation_projects.by_status.draft"), 1);

    snprintf(url, sizeof url, "/api/v1/grants/projects/%s/transitions", project);
    const char *steps[] = {"{\"to\":\"submitted\"}", "{\"to\":\"under_review\"}",
                           "{\"to\":\"approved\",\"awarded_amount\":800000}"};
    for (int i = 0; i < 3; i++) {
        r = h_http("POST", url, h_admin(), steps[i], NULL);
        if (r->status >= 300) fprintf(stderr, "transition: %ld %s\n", r->status, r->body);
        assert_true(r->status >= 200 && r->status < 300);
        h_free(r);
    }
    assert_int_equal(wait_for(lib, path, "indicators.transformation_projects.value", 1), 1);
    assert_int_equal(probe(lib, path, "indicators.transformation_projects.by_status.approved"), 1);
    assert_int_equal(probe(lib, path, "indicators.transformation_projects.history.2.value"), 1);
    free(programme);
    free(project);
}

/* Creates a textbook record of subj for one grade; returns its id (caller frees). */
static char *new_textbook(const char *subj, int grade)
{
    h_resp *r = h_post(lib, "/api/v1/catalog/records",
                       "{\"type\":\"textbook\",\"title\":\"Литература, %d класс\","
                       "\"textbook\":{\"subject\":\"%s\",\"grade_from\":%d,\"grade_to\":%d}}",
                       grade, subj, grade, grade);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    return id;
}

static void a_merge_moves_the_copies_to_the_kept_record(void **state)
{
    (void)state;
    char *subj = h_uniq("lit-"), path[512];
    char *kept = new_textbook(subj, 7), *merged = new_textbook(subj, 8);
    char *saved = record_id;
    record_id = kept;
    char *a = new_item(lib, school, NULL);
    record_id = merged;
    char *b = new_item(lib, school, NULL);
    record_id = saved;
    snprintf(path, sizeof path,
             "/api/v1/monitoring/reports/textbook-provision?school=%s&subject=%s&grade=8", school,
             subj);
    assert_int_equal(wait_for(lib, path, "rows.0.copies", 1), 1);
    char url[160];
    snprintf(url, sizeof url, "/api/v1/catalog/records/%s/merge", kept);
    h_resp *r = h_post(meth, url, "{\"from\":\"%s\"}", merged);
    if (r->status != 200) fprintf(stderr, "merge: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 200);
    h_free(r);
    /* the grade-8 textbook is gone; its copy now counts for the kept grade-7 record */
    assert_int_equal(wait_for(lib, path, "rows.0.copies", 0), 0);
    snprintf(path, sizeof path,
             "/api/v1/monitoring/reports/textbook-provision?school=%s&subject=%s&grade=7", school,
             subj);
    assert_int_equal(wait_for(lib, path, "rows.0.copies", 2), 2);
    free(a);
    free(b);
    free(kept);
    free(merged);
    free(subj);
}

/* Publishes text on subject to JetStream (no Nats-Msg-Id: the stream stores
 * it), as the service whose event it is: "ibc.evt.<service>...." */
static void js_publish(const char *subject_name, const json_t *event)
{
    jsCtx *js = NULL;
    jsPubAck *pa = NULL;
    jsErrCode jerr = 0;
    char *text = json_dumps(event, JSON_COMPACT);
    char service[32] = "";
    sscanf(subject_name, "ibc.evt.%31[^.]", service);
    natsConnection *nc = h_nats_connect(service);
    natsStatus s = nc ? NATS_OK : NATS_CONNECTION_CLOSED;
    if (s == NATS_OK) s = natsConnection_JetStream(&js, nc, NULL);
    if (s == NATS_OK) s = js_Publish(&pa, js, subject_name, text, (int)strlen(text), NULL, &jerr);
    if (s != NATS_OK) fprintf(stderr, "publish: %s (%d)\n", natsStatus_GetText(s), (int)jerr);
    assert_int_equal(s, NATS_OK);
    assert_non_null(pa);
    assert_false(pa->Duplicate);
    jsPubAck_Destroy(pa);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    free(text);
}

static void a_duplicated_event_changes_nothing(void **state)
{
    (void)state;
    h_events *ev = h_events_open("ibc.evt.catalog.item.created");
    assert_non_null(ev);
    char path[512];
    provision_path(path, sizeof path, school, 7);
    long long before = probe(lib, path, "rows.0.copies");
    assert_true(before >= 0);
    char *id = new_item(lib, school, NULL);
    assert_int_equal(wait_for(lib, path, "rows.0.copies", before + 1), before + 1);
    json_t *e = h_events_find(ev, "ibc.evt.catalog.item.created", id, 10000);
    assert_non_null(e);
    /* the same event again, and a copy with the same id that would mark the
     * copy lost: neither may count */
    js_publish("ibc.evt.catalog.item.created", e);
    json_t *lost = json_deep_copy(e);
    json_object_set_new(json_object_get(lost, "data"), "status", json_string("lost"));
    js_publish("ibc.evt.catalog.item.created", lost);
    /* a later real event: once it counts, the copies before it were handled */
    char *next = new_item(lib, school, NULL);
    assert_int_equal(wait_for(lib, path, "rows.0.copies", before + 2), before + 2);
    usleep(500000);
    assert_int_equal(probe(lib, path, "rows.0.copies"), before + 2);
    json_decref(lost);
    json_decref(e);
    h_events_close(ev);
    free(id);
    free(next);
}

/* What the projections give for the test's school: the figures a replay must
 * give back. New reference. */
static json_t *fingerprint(void)
{
    char path[512];
    indicators_path(path, sizeof path, school);
    h_resp *r = h_get(lib, "%s", path);
    assert_int_equal(r->status, 200);
    json_t *ind = json_object_get(r->json, "indicators");
    static const char *const keep[] = {"catalog_records", "transformation_projects",
                                       "trained_staff_share", "active_readers", "loans_per_month"};
    json_t *f = json_object();
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        json_t *x = json_deep_copy(json_object_get(ind, keep[i]));
        /* network-wide counts may move with other tests; the school's may not */
        if (i == 0) {
            json_object_del(x, "value");
            json_object_del(x, "textbooks");
            json_object_del(x, "history");
        }
        json_object_del(x, "progress");
        json_object_set_new(f, keep[i], x);
    }
    h_free(r);
    for (int grade = 7; grade <= 8; grade++) {
        provision_path(path, sizeof path, school, grade);
        r = h_get(lib, "%s", path);
        assert_int_equal(r->status, 200);
        json_object_set(f, grade == 7 ? "provision7" : "provision8",
                        json_object_get(r->json, "rows"));
        h_free(r);
    }
    return f;
}

static void replaying_the_stream_gives_the_same_numbers(void **state)
{
    (void)state;
    json_t *before = fingerprint();
    char *dump = json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS);
    fprintf(stderr, "before the rebuild: %s\n", dump);
    free(dump);
    h_resp *r = h_http("POST", "/api/v1/monitoring/indicators/rebuild", lib, NULL, NULL);
    assert_int_equal(r->status, 403);
    h_free(r);
    r = h_http("POST", "/api/v1/monitoring/indicators/rebuild", meth, NULL, NULL);
    assert_int_equal(r->status, 202);
    /* it forgot every event it had applied, the copies included */
    assert_true(json_integer_value(json_object_get(r->json, "events_forgotten")) >= 10);
    h_free(r);
    json_t *after = NULL;
    bool same = false;
    for (long long end = now_ms() + 30000; !same && now_ms() < end;) {
        json_decref(after);
        after = fingerprint();
        same = json_equal(before, after);
        if (!same) usleep(200000);
    }
    if (!same) {
        dump = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS);
        fprintf(stderr, "after the rebuild: %s\n", dump);
        free(dump);
    }
    assert_true(same);
    /* and it stays so once the replay is over */
    char path[256];
    indicators_path(path, sizeof path, school);
    assert_int_equal(wait_for(lib, path, "lag", 0), 0);
    json_t *settled = fingerprint();
    assert_true(json_equal(before, settled));
    json_decref(settled);
    json_decref(after);
    json_decref(before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catalog_items_move_records_and_textbook_provision),
        cmocka_unit_test(loans_move_loans_and_active_readers),
        cmocka_unit_test(completions_move_the_trained_staff_share),
        cmocka_unit_test(grant_projects_move_transformation_projects),
        cmocka_unit_test(a_merge_moves_the_copies_to_the_kept_record),
        cmocka_unit_test(a_duplicated_event_changes_nothing),
        cmocka_unit_test(replaying_the_stream_gives_the_same_numbers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

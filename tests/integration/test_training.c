/* The training service through the gateway: staff, courses, enrolments with
 * attendance, completion and cancellation, the due list and the staff
 * record; each forbidden transition, each forbidden role and bad input, and
 * the capacity of a course under parallel enrolments. Every school is unique
 * to the run so that reruns on the same database pass. */
#include "harness.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------- helpers */

/* Today shifted by years and days, as YYYY-MM-DD in out[11]. */
static void day(int years, int days, char out[11])
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    tm.tm_year += years;
    tm.tm_mday += days;
    tm.tm_hour = 12;
    mktime(&tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static const char *jstr(const json_t *o, const char *m)
{
    return json_string_value(json_object_get(o, m));
}

static long long jint(const json_t *o, const char *m)
{
    return json_integer_value(json_object_get(o, m));
}

/* Asserts the status and, when needle is not NULL, that the body holds it;
 * prints the body on a mismatch. Frees r. */
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

static h_resp *put(const char *key, const char *path, const char *etag, const char *body)
{
    char hdr[64];
    snprintf(hdr, sizeof hdr, "If-Match: %s", etag);
    const char *headers[] = {hdr, NULL};
    return h_http("PUT", path, key, body, etag ? headers : NULL);
}

/* Creates a staff member of school with key; returns the new id (caller frees). */
static char *new_staff(const char *key, const char *school, const char *name, const char *extra)
{
    h_resp *r = h_post(key, "/api/v1/training/staff",
                       "{\"full_name\":\"%s\",\"position\":\"педагог-библиотекарь\","
                       "\"school\":\"%s\"%s%s}",
                       name, school, extra ? "," : "", extra ? extra : "");
    if (r->status != 201) fprintf(stderr, "new_staff: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    return id;
}

/* Creates a course (as admin) running from starts to ends; capacity 0 means
 * none. Returns the new id (caller frees). */
static char *new_course(const char *kind, const char *starts, const char *ends, int hours,
                        int capacity)
{
    char cap[32] = "";
    if (capacity) snprintf(cap, sizeof cap, ",\"capacity\":%d", capacity);
    char *title = h_uniq("Курс ");
    h_resp *r = h_post(h_admin(), "/api/v1/training/courses",
                       "{\"title\":\"%s\",\"provider\":\"ИРО\",\"kind\":\"%s\","
                       "\"format\":\"distance\",\"hours\":%d,\"starts_on\":\"%s\","
                       "\"ends_on\":\"%s\"%s}",
                       title, kind, hours, starts, ends, cap);
    if (r->status != 201) fprintf(stderr, "new_course: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    free(title);
    return id;
}

static h_resp *enrol(const char *key, const char *course, const char *staff)
{
    return h_post(key, "/api/v1/training/enrolments", "{\"course_id\":\"%s\",\"staff_id\":\"%s\"}",
                  course, staff);
}

/* Enrols staff in course as admin and returns the enrolment id (caller frees). */
static char *enrolled(const char *course, const char *staff)
{
    h_resp *r = enrol(h_admin(), course, staff);
    if (r->status != 201) fprintf(stderr, "enrol: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    return id;
}

static h_resp *act(const char *key, const char *enrolment, const char *action, const char *body)
{
    char path[160];
    snprintf(path, sizeof path, "/api/v1/training/enrolments/%s/%s", enrolment, action);
    return h_http("POST", path, key, body, NULL);
}

/* The enrolment's status as read by admin. */
static char *status_of(const char *enrolment)
{
    h_resp *r = h_get(h_admin(), "/api/v1/training/enrolments/%s", enrolment);
    assert_int_equal(r->status, 200);
    char *s = strdup(h_str(r, "status"));
    h_free(r);
    return s;
}

static void assert_status(const char *enrolment, const char *want)
{
    char *s = status_of(enrolment);
    assert_string_equal(s, want);
    free(s);
}

/* ------------------------------------------------------------------ staff */

static void staff_crud_by_own_librarian_with_events(void **state)
{
    (void)state;
    char *school = h_uniq("sch-a"), *other = h_uniq("sch-b");
    char *lib = h_new_key(school, "librarian");
    h_events *ev = h_events_open("ibc.evt.training.>");
    assert_non_null(ev);

    /* the school defaults to the librarian's own */
    h_resp *r = h_post(lib, "/api/v1/training/staff",
                       "{\"full_name\":\"Смирнова Анна Викторовна\",\"position\":\"заведующая "
                       "библиотекой\",\"hired_on\":\"2012-09-01\"}");
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    assert_string_equal(h_str(r, "school"), school);
    assert_string_equal(h_str(r, "full_name"), "Смирнова Анна Викторовна");
    assert_string_equal(h_header(r, "ETag"), "\"1\"");
    assert_non_null(strstr(h_header(r, "Location"), id));
    h_free(r);

    char path[128];
    snprintf(path, sizeof path, "/api/v1/training/staff/%s", id);
    r = h_get(lib, "%s", path);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "position"), "заведующая библиотекой");
    h_free(r);

    const char *body = "{\"full_name\":\"Смирнова Анна Викторовна\",\"position\":\"педагог-"
                       "библиотекарь\",\"hired_on\":\"2012-09-01\"}";
    expect(put(lib, path, NULL, body), 428, "If-Match");
    expect(put(lib, path, "\"5\"", body), 412, "version is 1");
    expect(put(lib, path, "\"x\"", body), 400, "not an ETag");
    r = put(lib, path, "\"1\"", body);
    assert_int_equal(r->status, 200);
    assert_int_equal(jint(r->json, "version"), 2);
    assert_string_equal(h_str(r, "position"), "педагог-библиотекарь");
    assert_string_equal(h_header(r, "ETag"), "\"2\"");
    h_free(r);
    /* a librarian cannot move staff to another school; nothing changes */
    char moved[256];
    snprintf(moved, sizeof moved, "{\"full_name\":\"Смирнова А. В.\",\"school\":\"%s\"}", other);
    expect(put(lib, path, "\"2\"", moved), 403, "own school");
    r = h_get(lib, "%s", path);
    assert_int_equal(jint(r->json, "version"), 2);
    assert_string_equal(h_str(r, "school"), school);
    h_free(r);

    expect(h_http("DELETE", path, lib, NULL, NULL), 204, NULL);
    expect(h_get(lib, "%s", path), 404, "no staff member");

    json_t *e = h_events_find(ev, "ibc.evt.training.staff.created", id, 10000);
    assert_non_null(e);
    json_t *data = json_object_get(e, "data");
    assert_string_equal(jstr(data, "id"), id);
    assert_string_equal(jstr(data, "school"), school);
    assert_null(json_object_get(data, "full_name")); /* events carry no names */
    char *text = json_dumps(e, 0);
    assert_null(strstr(text, "Смирнова"));
    free(text);
    json_decref(e);
    assert_int_equal(h_events_count(ev, "ibc.evt.training.staff.deleted", id, 2000), 1);
    assert_int_equal(h_events_count(ev, "ibc.evt.training.staff.updated", id, 0), 1);
    h_events_close(ev);
    free(id);
    free(lib);
    free(school);
    free(other);
}

static void librarian_sees_and_changes_own_school_only(void **state)
{
    (void)state;
    char *mine = h_uniq("sch-c"), *theirs = h_uniq("sch-d");
    char *lib = h_new_key(mine, "librarian"), *other = h_new_key(theirs, "librarian");
    char *own = new_staff(lib, mine, "Кузнецова Ольга", NULL);
    char *foreign = new_staff(other, theirs, "Попова Елена", NULL);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/training/staff/%s", foreign);

    /* another school's staff member does not exist for this librarian */
    expect(h_get(lib, "%s", path), 404, "no staff member has id");
    expect(h_get(lib, "%s/record", path), 404, "no staff member has id");
    expect(put(lib, path, "\"1\"", "{\"full_name\":\"X\"}"), 404, "no staff member has id");
    expect(h_http("DELETE", path, lib, NULL, NULL), 404, "no staff member has id");
    char body[256];
    snprintf(body, sizeof body, "{\"full_name\":\"Новый\",\"school\":\"%s\"}", theirs);
    expect(h_post(lib, "/api/v1/training/staff", "%s", body), 403, "own school");
    expect(h_get(lib, "/api/v1/training/staff?school=%s", theirs), 403, "own school");
    expect(h_get(lib, "/api/v1/training/due?school=%s", theirs), 403, "own school");
    expect(h_get(lib, "/api/v1/training/enrolments?school=%s", theirs), 403, "own school");

    /* its list holds its own school only, whatever else exists */
    h_resp *r = h_get(lib, "/api/v1/training/staff");
    assert_int_equal(r->status, 200);
    assert_int_equal(jint(r->json, "total"), 1);
    assert_string_equal(jstr(json_array_get(json_object_get(r->json, "items"), 0), "id"), own);
    h_free(r);
    /* the other school's staff member is untouched */
    r = h_get(h_admin(), "%s", path);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "full_name"), "Попова Елена");
    assert_int_equal(jint(r->json, "version"), 1);
    h_free(r);
    free(own);
    free(foreign);
    free(lib);
    free(other);
    free(mine);
    free(theirs);
}

static void integrator_reads_without_names_and_portal_sees_nothing(void **state)
{
    (void)state;
    char *school = h_uniq("sch-e");
    char *lib = h_new_key(school, "librarian");
    char *integ = h_new_key("integrator-1", "integrator");
    char *portal = h_new_key(school, "portal");
    char *meth = h_new_key("resource-centre", "methodologist");
    char *id = new_staff(lib, school, "Волкова Ирина", NULL);

    h_resp *r = h_get(integ, "/api/v1/training/staff/%s", id);
    assert_int_equal(r->status, 200);
    assert_null(h_str(r, "full_name"));
    assert_string_equal(h_str(r, "school"), school);
    h_free(r);
    r = h_get(integ, "/api/v1/training/staff?school=%s", school);
    assert_int_equal(r->status, 200);
    assert_int_equal(jint(r->json, "total"), 1);
    assert_null(strstr(r->body, "Волкова"));
    h_free(r);
    r = h_get(integ, "/api/v1/training/due?school=%s", school);
    assert_int_equal(r->status, 200);
    assert_null(strstr(r->body, "Волкова"));
    assert_int_equal(jint(r->json, "overdue"), 1);
    h_free(r);
    expect(h_get(integ, "/api/v1/training/staff?q=%%D0%%92"), 403, "names");
    /* a methodologist sees the name */
    r = h_get(meth, "/api/v1/training/staff/%s", id);
    assert_string_equal(h_str(r, "full_name"), "Волкова Ирина");
    h_free(r);

    /* the integrator reads only; the portal sees nothing of training */
    expect(
        h_post(integ, "/api/v1/training/staff", "{\"full_name\":\"X\",\"school\":\"%s\"}", school),
        403, "integrator");
    static const char *const portal_paths[] = {
        "/api/v1/training/staff", "/api/v1/training/courses",  "/api/v1/training/enrolments",
        "/api/v1/training/due",   "/api/v1/training/staff/%s", "/api/v1/training/staff/%s/record",
    };
    for (size_t i = 0; i < sizeof portal_paths / sizeof portal_paths[0]; i++) {
        char path[160];
        snprintf(path, sizeof path, portal_paths[i], id);
        expect(h_get(portal, "%s", path), 403, "portal");
    }
    expect(h_post(portal, "/api/v1/training/staff", "{\"full_name\":\"X\"}"), 403, "portal");
    free(id);
    free(lib);
    free(integ);
    free(portal);
    free(meth);
    free(school);
}

static void staff_bad_input_is_400_and_nothing_is_written(void **state)
{
    (void)state;
    char *school = h_uniq("sch-f");
    char *lib = h_new_key(school, "librarian");
    static const struct {
        const char *body, *needle;
    } cases[] = {
        {"{}", "'full_name' is required"},
        {"{\"full_name\":42}", "'full_name' must be a string"},
        {"{\"full_name\":\"\"}", "'full_name' must not be empty"},
        {"{\"full_name\":\"X\",\"hired_on\":\"2020-02-30\"}", "'hired_on' must be a real date"},
        {"{\"full_name\":\"X\",\"hired_on\":\"2020-02-01\",\"left_on\":\"2019-01-01\"}",
         "'left_on' (2019-01-01) is before 'hired_on'"},
        {"{\"full_name\":\"X\",\"school\":\"no spaces allowed\"}", "organisation id"},
        {"{\"full_name\":\"X\",\"salary\":100}", "unknown field 'salary'"},
        {"[1]", "JSON object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect(h_http("POST", "/api/v1/training/staff", lib, cases[i].body, NULL), 400,
               cases[i].needle);
    h_resp *r = h_get(lib, "/api/v1/training/staff");
    assert_int_equal(jint(r->json, "total"), 0);
    h_free(r);
    /* query parameters are checked too */
    expect(h_get(lib, "/api/v1/training/staff?status=gone"), 400, "'status' must be one of");
    expect(h_get(lib, "/api/v1/training/staff?limit=0"), 400, "'limit'");
    expect(h_get(lib, "/api/v1/training/staff?limit=ten"), 400, "'limit'");
    expect(h_get(lib, "/api/v1/training/staff?from=2020-05-01&to=2020-01-01"), 400, "after");
    expect(h_get(lib, "/api/v1/training/staff?colour=red"), 400, "unknown query parameter");
    expect(h_get(lib, "/api/v1/training/staff/not-a-uuid"), 400, "UUID");
    expect(h_get(lib, "/api/v1/training/due?within_days=-1"), 400, "'within_days'");
    expect(h_get(lib, "/api/v1/training/due?within_days=abc"), 400, "'within_days'");
    free(lib);
    free(school);
}

static void lists_are_paged_and_filtered(void **state)
{
    (void)state;
    char *school = h_uniq("sch-g");
    char *lib = h_new_key(school, "librarian");
    char *a = new_staff(lib, school, "Алексеева", "\"hired_on\":\"2010-01-10\"");
    char *b = new_staff(lib, school, "Борисова", "\"hired_on\":\"2015-06-01\"");
    char *c = new_staff(lib, school, "Васильева",
                        "\"hired_on\":\"2018-03-01\",\"left_on\":\"2020-08-31\"");
    h_resp *r = h_get(lib, "/api/v1/training/staff?limit=2");
    assert_int_equal(r->status, 200);
    assert_int_equal(jint(r->json, "total"), 3);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 2);
    assert_string_equal(jstr(json_array_get(json_object_get(r->json, "items"), 0), "id"), a);
    h_free(r);
    r = h_get(lib, "/api/v1/training/staff?limit=2&offset=2");
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    assert_string_equal(jstr(json_array_get(json_object_get(r->json, "items"), 0), "id"), c);
    h_free(r);
    r = h_get(lib, "/api/v1/training/staff?status=left");
    assert_int_equal(jint(r->json, "total"), 1);
    h_free(r);
    r = h_get(lib, "/api/v1/training/staff?status=active");
    assert_int_equal(jint(r->json, "total"), 2);
    h_free(r);
    r = h_get(lib, "/api/v1/training/staff?from=2014-01-01&to=2016-01-01");
    assert_int_equal(jint(r->json, "total"), 1);
    assert_string_equal(jstr(json_array_get(json_object_get(r->json, "items"), 0), "id"), b);
    h_free(r);
    r = h_get(h_admin(), "/api/v1/training/staff?school=%s&q=%%D0%%91%%D0%%BE%%D1%%80", school);
    assert_int_equal(jint(r->json, "total"), 1); /* "Бор" */
    h_free(r);

    /* courses by kind and dates, enrolments by status and course */
    char *course = new_course("seminar", "2031-03-01", "2031-03-02", 8, 0);
    char *e1 = enrolled(course, a);
    char *e2 = enrolled(course, b);
    expect(act(h_admin(), e2, "cancel", NULL), 200, "cancelled");
    r = h_get(lib, "/api/v1/training/enrolments?course_id=%s&status=enrolled", course);
    assert_int_equal(jint(r->json, "total"), 1);
    assert_string_equal(jstr(json_array_get(json_object_get(r->json, "items"), 0), "id"), e1);
    h_free(r);
    r = h_get(lib, "/api/v1/training/enrolments?course_id=%s", course);
    assert_int_equal(jint(r->json, "total"), 2);
    h_free(r);
    r = h_get(lib, "/api/v1/training/enrolments?course_id=%s&from=2031-04-01", course);
    assert_int_equal(jint(r->json, "total"), 0);
    h_free(r);
    r = h_get(lib, "/api/v1/training/courses?kind=seminar&from=2031-03-02&to=2031-03-02&limit=200");
    assert_int_equal(r->status, 200);
    bool found = false;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(r->json, "items"), i, item)
    {
        found |= strcmp(jstr(item, "id"), course) == 0;
        assert_string_equal(jstr(item, "kind"), "seminar");
        assert_string_equal(jstr(item, "status"), "upcoming");
    }
    assert_true(found);
    h_free(r);
    expect(h_get(lib, "/api/v1/training/courses?kind=lecture"), 400, "'kind' must be one of");
    expect(h_get(lib, "/api/v1/training/enrolments?status=done"), 400, "'status' must be one of");
    expect(h_get(lib, "/api/v1/training/enrolments?course_id=42"), 400, "UUID");
    free(a);
    free(b);
    free(c);
    free(e1);
    free(e2);
    free(course);
    free(lib);
    free(school);
}

/* ---------------------------------------------------------------- courses */

static void courses_are_run_by_methodologists_and_checked(void **state)
{
    (void)state;
    char *meth = h_new_key("resource-centre", "methodologist");
    char *lib = h_new_key("school-1", "librarian");
    char *integ = h_new_key("integrator-1", "integrator");
    char *title = h_uniq("Информационно-библиотечный центр ");
    char body[1024];
    snprintf(body, sizeof body,
             "{\"title\":\"%s\",\"provider\":\"ГАУ ДПО ИРО\",\"kind\":\"course\","
             "\"format\":\"blended\",\"hours\":72,\"starts_on\":\"2031-02-01\","
             "\"ends_on\":\"2031-02-28\",\"capacity\":25,\"location\":\"ауд. 12\","
             "\"materials\":[{\"title\":\"Модуль 1\",\"url\":\"https://lms.example/m1\"}]}",
             title);
    expect(h_http("POST", "/api/v1/training/courses", lib, body, NULL), 403, "librarian");
    expect(h_http("POST", "/api/v1/training/courses", integ, body, NULL), 403, "integrator");

    h_events *ev = h_events_open("ibc.evt.training.>");
    h_resp *r = h_http("POST", "/api/v1/training/courses", meth, body, NULL);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    assert_int_equal(jint(r->json, "seats_left"), 25);
    assert_string_equal(jstr(json_array_get(json_object_get(r->json, "materials"), 0), "url"),
                        "https://lms.example/m1");
    h_free(r);
    json_t *e = h_events_find(ev, "ibc.evt.training.course.created", id, 10000);
    assert_non_null(e);
    assert_int_equal(jint(json_object_get(e, "data"), "hours"), 72);
    json_decref(e);
    h_events_close(ev);

    /* bad input: a clear 400 naming the field, and no course written */
    static const struct {
        const char *body, *needle;
    } cases[] = {
        {"{\"title\":\"%s\",\"provider\":\"P\",\"kind\":\"course\",\"format\":\"distance\","
         "\"hours\":16,\"starts_on\":\"2031-05-10\",\"ends_on\":\"2031-05-01\"}",
         "'ends_on' (2031-05-01) is before 'starts_on' (2031-05-10)"},
        {"{\"title\":\"%s\",\"provider\":\"P\",\"kind\":\"course\",\"format\":\"distance\","
         "\"hours\":-16,\"starts_on\":\"2031-05-01\",\"ends_on\":\"2031-05-10\"}",
         "'hours' must be from 1"},
        {"{\"title\":\"%s\",\"provider\":\"P\",\"kind\":\"course\",\"format\":\"distance\","
         "\"hours\":\"16\",\"starts_on\":\"2031-05-01\",\"ends_on\":\"2031-05-10\"}",
         "'hours' must be an integer"},
        {"{\"title\":\"%s\",\"provider\":\"P\",\"kind\":\"course\",\"format\":\"distance\","
         "\"hours\":16,\"starts_on\":\"2031-05-01\",\"ends_on\":\"2031-05-10\",\"capacity\":\"5\"}",
         "'capacity' must be an integer"},
        {"{\"title\":\"%s\",\"provider\":\"P\",\"kind\":\"course\",\"format\":\"distance\","
         "\"hours\":16,\"starts_on\":\"2031-05-01\",\"ends_on\":\"2031-05-10\",\"capacity\":0}",
         "'capacity' must be from 1"},
        {"{\"title\":\"%s\",\"provider\":\"P\",\"kind\":\"lecture\",\"format\":\"distance\","
         "\"hours\":16,\"starts_on\":\"2031-05-01\",\"ends_on\":\"2031-05-10\"}",
         "'kind' must be one of course, seminar, webinar, consultation"},
        {"{\"title\":\"%s\",\"provider\":\"P\",\"kind\":\"course\",\"format\":\"online\","
         "\"hours\":16,\"starts_on\":\"2031-05-01\",\"ends_on\":\"2031-05-10\"}",
         "'format' must be one of in_person, distance, blended"},
        {"{\"title\":\"%s\",\"provider\":\"P\",\"kind\":\"course\",\"format\":\"distance\","
         "\"hours\":16,\"starts_on\":\"2031-05-01\",\"ends_on\":\"2031-05-10\","
         "\"materials\":[{\"url\":\"ftp://x.example/a\"}]}",
         "'materials[0].url' must start with http"},
        {"{\"title\":\"%s\",\"provider\":\"P\",\"kind\":\"course\",\"format\":\"distance\","
         "\"hours\":16,\"starts_on\":\"2031-05-01\",\"ends_on\":\"2031-05-10\","
         "\"materials\":\"https://x.example\"}",
         "'materials' must be an array"},
        {"{\"title\":\"%s\",\"provider\":\"P\",\"kind\":\"course\",\"format\":\"distance\","
         "\"hours\":16,\"starts_on\":\"2031-05-01\",\"ends_on\":\"2031-05-10\",\"colour\":1}",
         "unknown field 'colour'"},
        {"{\"title\":\"%s\",\"provider\":\"P\",\"kind\":\"course\",\"format\":\"distance\","
         "\"hours\":16,\"starts_on\":\"2031-05-01\"}",
         "'ends_on' is required"},
    };
    char *bad = h_uniq("badcourse");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(body, sizeof body, cases[i].body, bad);
        expect(h_http("POST", "/api/v1/training/courses", meth, body, NULL), 400, cases[i].needle);
    }
    r = h_get(meth, "/api/v1/training/courses?q=%s", bad);
    assert_int_equal(r->status, 200);
    assert_int_equal(jint(r->json, "total"), 0);
    h_free(r);
    free(bad);

    /* update: If-Match, capacity not below the seats taken, librarian 403 */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/training/courses/%s", id);
    char *school = h_uniq("sch-h");
    char *slib = h_new_key(school, "librarian");
    char *s1 = new_staff(slib, school, "Первая", NULL),
         *s2 = new_staff(slib, school, "Вторая", NULL);
    free(enrolled(id, s1));
    free(enrolled(id, s2));
    char smaller[1024];
    snprintf(smaller, sizeof smaller,
             "{\"title\":\"%s\",\"provider\":\"ГАУ ДПО ИРО\",\"kind\":\"course\","
             "\"format\":\"blended\",\"hours\":72,\"starts_on\":\"2031-02-01\","
             "\"ends_on\":\"2031-02-28\",\"capacity\":%d}",
             title, 1);
    expect(put(lib, path, "\"1\"", smaller), 403, "librarian");
    expect(put(meth, path, NULL, smaller), 428, "If-Match");
    expect(put(meth, path, "\"1\"", smaller), 409, "cannot drop to 1");
    snprintf(smaller, sizeof smaller,
             "{\"title\":\"%s\",\"provider\":\"ГАУ ДПО ИРО\",\"kind\":\"course\","
             "\"format\":\"blended\",\"hours\":72,\"starts_on\":\"2031-02-01\","
             "\"ends_on\":\"2031-02-28\",\"capacity\":%d}",
             title, 2);
    r = put(meth, path, "\"1\"", smaller);
    assert_int_equal(r->status, 200);
    assert_int_equal(jint(r->json, "capacity"), 2);
    assert_int_equal(jint(r->json, "seats_left"), 0);
    assert_int_equal(jint(r->json, "version"), 2);
    h_free(r);
    expect(put(meth, path, "\"1\"", smaller), 412, "version is 2");
    r = h_get(integ, "%s", path);
    assert_int_equal(r->status, 200);
    assert_int_equal(jint(r->json, "enrolled"), 2);
    assert_string_equal(h_header(r, "ETag"), "\"2\"");
    h_free(r);
    free(s1);
    free(s2);
    free(slib);
    free(school);
    free(id);
    free(title);
    free(meth);
    free(lib);
    free(integ);
}

/* ------------------------------------------------------------- enrolments */

static void enrolment_workflow_with_attendance_completion_and_events(void **state)
{
    (void)state;
    char *school = h_uniq("sch-i");
    char *lib = h_new_key(school, "librarian");
    char *meth = h_new_key("resource-centre", "methodologist");
    char *staff = new_staff(lib, school, "Орлова Наталья", NULL);
    char starts[11], ends[11], done[11], mid[11];
    day(0, -40, starts);
    day(0, -10, ends);
    day(0, -9, done);
    day(0, -20, mid);
    char *course = new_course("course", starts, ends, 36, 10);
    h_events *ev = h_events_open("ibc.evt.training.>");

    /* the librarian enrols their own staff member */
    h_resp *r = enrol(lib, course, staff);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    assert_string_equal(h_str(r, "status"), "enrolled");
    assert_string_equal(h_str(r, "school"), school);
    h_free(r);
    expect(enrol(lib, course, staff), 409, "already enrolled");

    /* attendance and completion belong to the course's runners */
    char body[256];
    snprintf(body, sizeof body, "{\"date\":\"%s\",\"present\":true,\"hours\":6}", mid);
    expect(act(lib, id, "attendance", body), 403, "librarian");
    r = act(meth, id, "attendance", body);
    assert_int_equal(r->status, 200);
    assert_int_equal(jint(r->json, "days_present"), 1);
    h_free(r);
    /* the same day again corrects it rather than adding one */
    snprintf(body, sizeof body, "{\"date\":\"%s\",\"present\":false}", mid);
    r = act(meth, id, "attendance", body);
    assert_int_equal(r->status, 200);
    assert_int_equal(jint(r->json, "days_present"), 0);
    assert_int_equal(json_array_size(json_object_get(r->json, "attendance")), 1);
    h_free(r);
    expect(act(meth, id, "attendance", "{\"date\":\"2001-01-01\",\"present\":true}"), 400,
           "outside the course's dates");
    expect(act(meth, id, "attendance", "{\"date\":\"2001-01-01\",\"present\":\"yes\"}"), 400,
           "'present' must be true or false");

    char *cert = h_uniq("ПК-");
    snprintf(body, sizeof body,
             "{\"certificate_number\":\"%s\",\"hours\":36,\"completed_on\":\"%s\"}", cert, done);
    expect(act(lib, id, "complete", body), 403, "librarian");
    r = act(meth, id, "complete", body);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "status"), "completed");
    assert_string_equal(h_str(r, "certificate_number"), cert);
    assert_int_equal(jint(r->json, "hours_earned"), 36);
    assert_string_equal(h_str(r, "completed_on"), done);
    h_free(r);

    /* the record and the due list follow */
    r = h_get(lib, "/api/v1/training/staff/%s/record", staff);
    assert_int_equal(r->status, 200);
    assert_int_equal(jint(r->json, "hours_total"), 36);
    assert_string_equal(h_str(r, "last_completed_on"), done);
    assert_string_equal(jstr(json_object_get(r->json, "staff"), "full_name"), "Орлова Наталья");
    json_t *first = json_array_get(json_object_get(r->json, "enrolments"), 0);
    assert_string_equal(jstr(first, "id"), id);
    assert_string_equal(jstr(json_object_get(first, "course"), "id"), course);
    h_free(r);
    r = h_get(lib, "/api/v1/training/due?within_days=365");
    assert_int_equal(r->status, 200);
    assert_int_equal(jint(r->json, "overdue"), 0);
    assert_int_equal(jint(r->json, "due_soon"), 0);
    h_free(r);

    json_t *e = h_events_find(ev, "ibc.evt.training.enrolment.completed", id, 10000);
    assert_non_null(e);
    json_t *data = json_object_get(e, "data");
    assert_string_equal(jstr(data, "course_id"), course);
    assert_string_equal(jstr(data, "staff_id"), staff);
    assert_string_equal(jstr(data, "school"), school);
    assert_int_equal(jint(data, "hours"), 36);
    assert_string_equal(jstr(data, "completed_on"), done);
    json_decref(e);
    assert_int_equal(h_events_count(ev, "ibc.evt.training.enrolment.created", id, 1000), 1);
    assert_int_equal(h_events_count(ev, "ibc.evt.training.attendance.recorded", id, 0), 2);

    /* a librarian cancels their own school's enrolment: the seat is freed */
    char *staff2 = new_staff(lib, school, "Соколова Дарья", NULL);
    r = enrol(lib, course, staff2);
    assert_int_equal(r->status, 201);
    char *id2 = strdup(h_str(r, "id"));
    h_free(r);
    r = h_get(lib, "/api/v1/training/courses/%s", course);
    assert_int_equal(jint(r->json, "enrolled"), 2);
    h_free(r);
    r = act(lib, id2, "cancel", "{\"reason\":\"болезнь\"}");
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "status"), "cancelled");
    h_free(r);
    r = h_get(lib, "/api/v1/training/courses/%s", course);
    assert_int_equal(jint(r->json, "enrolled"), 1);
    h_free(r);
    e = h_events_find(ev, "ibc.evt.training.enrolment.cancelled", id2, 10000);
    assert_non_null(e);
    assert_string_equal(jstr(json_object_get(e, "data"), "school"), school);
    json_decref(e);
    /* a cancelled enrolment may be made again */
    r = enrol(lib, course, staff2);
    assert_int_equal(r->status, 201);
    h_free(r);
    h_events_close(ev);
    free(id);
    free(id2);
    free(cert);
    free(staff);
    free(staff2);
    free(course);
    free(lib);
    free(meth);
    free(school);
}

static void forbidden_transitions_are_409_and_change_nothing(void **state)
{
    (void)state;
    char *school = h_uniq("sch-j");
    char *lib = h_new_key(school, "librarian");
    char *other = h_new_key("elsewhere-1", "librarian");
    char *a = new_staff(lib, school, "Петрова", NULL),
         *b = new_staff(lib, school, "Сидорова", NULL);
    char starts[11], ends[11];
    day(0, -5, starts);
    day(0, -1, ends);
    char *course = new_course("course", starts, ends, 16, 0);
    char *done = enrolled(course, a), *cancelled = enrolled(course, b);
    char *cert = h_uniq("CERT-"), body[256];
    snprintf(body, sizeof body, "{\"certificate_number\":\"%s\",\"completed_on\":\"%s\"}", cert,
             ends);
    expect(act(h_admin(), done, "complete", body), 200, "completed");
    expect(act(lib, cancelled, "cancel", NULL), 200, "cancelled");

    /* completed and cancelled are final, the same state included */
    snprintf(body, sizeof body, "{\"certificate_number\":\"%s-2\",\"completed_on\":\"%s\"}", cert,
             ends);
    expect(act(h_admin(), done, "complete", body), 409, "is completed, which is final");
    expect(act(h_admin(), done, "cancel", NULL), 409, "is completed, which is final");
    expect(act(h_admin(), cancelled, "cancel", NULL), 409, "is cancelled, which is final");
    expect(act(h_admin(), cancelled, "complete", body), 409, "is cancelled, which is final");
    snprintf(body, sizeof body, "{\"date\":\"%s\",\"present\":true}", starts);
    expect(act(h_admin(), cancelled, "attendance", body), 409, "is cancelled");
    /* another school's librarian may not cancel, and learns nothing of the state */
    expect(act(other, done, "cancel", NULL), 404, "no enrolment has id");

    assert_status(done, "completed");
    assert_status(cancelled, "cancelled");
    h_resp *r = h_get(h_admin(), "/api/v1/training/enrolments/%s", done);
    assert_string_equal(h_str(r, "certificate_number"), cert);
    h_free(r);
    r = h_get(h_admin(), "/api/v1/training/enrolments/%s", cancelled);
    assert_int_equal(json_array_size(json_object_get(r->json, "attendance")), 0);
    h_free(r);
    expect(act(h_admin(), "00000000-0000-4000-8000-000000000000", "cancel", NULL), 404,
           "no enrolment");
    free(a);
    free(b);
    free(course);
    free(done);
    free(cancelled);
    free(cert);
    free(lib);
    free(other);
    free(school);
}

static void completion_bad_input_and_reused_certificate(void **state)
{
    (void)state;
    char *school = h_uniq("sch-k");
    char *lib = h_new_key(school, "librarian");
    char *a = new_staff(lib, school, "Морозова", NULL),
         *b = new_staff(lib, school, "Новикова", NULL);
    char starts[11], ends[11], before[11], future[11];
    day(0, -30, starts);
    day(0, -2, ends);
    day(0, -31, before);
    day(0, 3, future);
    char *course = new_course("course", starts, ends, 72, 0);
    char *ea = enrolled(course, a), *eb = enrolled(course, b);
    char *cert = h_uniq("PK-A"), body[256];

    struct {
        char body[256];
        const char *needle;
    } cases[7];
    snprintf(cases[0].body, 256,
             "{\"certificate_number\":\"%s\",\"hours\":-8,\"completed_on\":\"%s\"}", cert, ends);
    cases[0].needle = "'hours' must be from 1";
    snprintf(cases[1].body, 256,
             "{\"certificate_number\":\"%s\",\"hours\":\"72\",\"completed_on\":\"%s\"}", cert,
             ends);
    cases[1].needle = "'hours' must be an integer";
    snprintf(cases[2].body, 256,
             "{\"certificate_number\":\"%s\",\"hours\":73,\"completed_on\":\"%s\"}", cert, ends);
    cases[2].needle = "exceeds the course's 72 hours";
    snprintf(cases[3].body, 256, "{\"certificate_number\":\"%s\",\"completed_on\":\"%s\"}", cert,
             before);
    cases[3].needle = "is before the course starts";
    snprintf(cases[4].body, 256, "{\"certificate_number\":\"%s\",\"completed_on\":\"%s\"}", cert,
             future);
    cases[4].needle = "is in the future";
    snprintf(cases[5].body, 256, "{\"completed_on\":\"%s\"}", ends);
    cases[5].needle = "'certificate_number' is required";
    snprintf(cases[6].body, 256, "{\"certificate_number\":\"  \",\"completed_on\":\"%s\"}", ends);
    cases[6].needle = "must not be blank";
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect(act(h_admin(), ea, "complete", cases[i].body), 400, cases[i].needle);
    assert_status(ea, "enrolled");

    snprintf(body, sizeof body, "{\"certificate_number\":\"%s\",\"completed_on\":\"%s\"}", cert,
             ends);
    h_resp *r = act(h_admin(), ea, "complete", body);
    assert_int_equal(r->status, 200);
    assert_int_equal(jint(r->json, "hours_earned"), 72); /* the course's by default */
    h_free(r);
    /* the same number, in another case, for another person: 409, nothing changed */
    char lower[128];
    snprintf(lower, sizeof lower, "%s", cert);
    for (char *p = lower; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    snprintf(body, sizeof body, "{\"certificate_number\":\"%s\",\"completed_on\":\"%s\"}", lower,
             ends);
    expect(act(h_admin(), eb, "complete", body), 409, "already recorded");
    assert_status(eb, "enrolled");
    free(a);
    free(b);
    free(course);
    free(ea);
    free(eb);
    free(cert);
    free(lib);
    free(school);
}

static void enrolment_bad_input_and_wrong_school(void **state)
{
    (void)state;
    char *school = h_uniq("sch-l"), *theirs = h_uniq("sch-m");
    char *lib = h_new_key(school, "librarian"), *other = h_new_key(theirs, "librarian");
    char *meth = h_new_key("resource-centre", "methodologist");
    char *mine = new_staff(lib, school, "Лебедева", NULL);
    char *foreign = new_staff(other, theirs, "Егорова", NULL);
    char *gone =
        new_staff(lib, school, "Ушедшая", "\"hired_on\":\"2010-01-01\",\"left_on\":\"2020-01-01\"");
    char *course = new_course("webinar", "2031-01-10", "2031-01-10", 2, 0);

    expect(enrol(lib, course, foreign), 404, "no staff member");
    expect(enrol(lib, course, gone), 409, "has left");
    expect(enrol(lib, "00000000-0000-4000-8000-000000000000", mine), 404, "no course");
    expect(enrol(lib, course, "00000000-0000-4000-8000-000000000000"), 404, "no staff member");
    expect(enrol(lib, "42", mine), 400, "'course_id' must be a UUID");
    expect(h_post(lib, "/api/v1/training/enrolments", "{\"course_id\":\"%s\"}", course), 400,
           "'staff_id' is required");
    /* a methodologist enrols anyone */
    h_resp *r = enrol(meth, course, foreign);
    assert_int_equal(r->status, 201);
    assert_string_equal(h_str(r, "school"), theirs);
    char *eid = strdup(h_str(r, "id"));
    h_free(r);
    /* the other school's enrolment is hidden from this librarian */
    expect(h_get(lib, "/api/v1/training/enrolments/%s", eid), 404, "no enrolment has id");
    r = h_get(lib, "/api/v1/training/enrolments?course_id=%s", course);
    assert_int_equal(jint(r->json, "total"), 0);
    h_free(r);
    /* nothing was written by the refused requests */
    r = h_get(h_admin(), "/api/v1/training/courses/%s", course);
    assert_int_equal(jint(r->json, "enrolled"), 1);
    h_free(r);
    /* a staff member with a history cannot be deleted */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/training/staff/%s", foreign);
    expect(h_http("DELETE", path, other, NULL, NULL), 409, "left_on");
    free(eid);
    free(mine);
    free(foreign);
    free(gone);
    free(course);
    free(lib);
    free(other);
    free(meth);
    free(school);
    free(theirs);
}

typedef struct {
    const char *course, *staff;
    long status;
} enrol_job;

static void *enrol_thread(void *arg)
{
    enrol_job *j = arg;
    h_resp *r = enrol(h_admin(), j->course, j->staff);
    j->status = r->status;
    if (r->status != 201 && r->status != 409)
        fprintf(stderr, "enrol: %ld %s\n", r->status, r->body);
    h_free(r);
    return NULL;
}

static void capacity_holds_under_parallel_enrolments(void **state)
{
    (void)state;
    enum { N = 20, CAPACITY = 5 };
    char *school = h_uniq("sch-n");
    char *lib = h_new_key(school, "librarian");
    char *course = new_course("course", "2031-09-01", "2031-09-30", 72, CAPACITY);
    char *staff[N + 1];
    enrol_job jobs[N];
    pthread_t threads[N];
    for (int i = 0; i <= N; i++) {
        char name[32];
        snprintf(name, sizeof name, "Сотрудник %d", i);
        staff[i] = new_staff(lib, school, name, NULL);
    }
    for (int i = 0; i < N; i++) {
        jobs[i] = (enrol_job){course, staff[i], 0};
        pthread_create(&threads[i], NULL, enrol_thread, &jobs[i]);
    }
    int created = 0, full = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(threads[i], NULL);
        created += jobs[i].status == 201;
        full += jobs[i].status == 409;
    }
    assert_int_equal(created, CAPACITY);
    assert_int_equal(full, N - CAPACITY);
    h_resp *r = h_get(h_admin(), "/api/v1/training/courses/%s", course);
    assert_int_equal(jint(r->json, "enrolled"), CAPACITY);
    assert_int_equal(jint(r->json, "seats_left"), 0);
    h_free(r);
    r = h_get(h_admin(), "/api/v1/training/enrolments?course_id=%s", course);
    assert_int_equal(jint(r->json, "total"), CAPACITY);
    char *first = strdup(jstr(json_array_get(json_object_get(r->json, "items"), 0), "id"));
    h_free(r);
    expect(enrol(lib, course, staff[N]), 409, "is full: all 5 seats are taken");
    /* a cancellation frees exactly one seat */
    expect(act(lib, first, "cancel", NULL), 200, "cancelled");
    expect(enrol(lib, course, staff[N]), 201, NULL);
    int waiting = 0;
    for (int i = 0; i < N && !waiting; i++)
        if (jobs[i].status == 409) {
            expect(enrol(lib, course, staff[i]), 409, "is full");
            waiting = 1;
        }
    assert_true(waiting);
    for (int i = 0; i <= N; i++)
        free(staff[i]);
    free(first);
    free(course);
    free(lib);
    free(school);
}

/* Creates a qualifying (or not) course that ended on `on` and completes staff's enrolment in it. */
static void completed_on(const char *staff, const char *kind, const char *on)
{
    char *course = new_course(kind, on, on, 16, 0);
    char *e = enrolled(course, staff);
    char *cert = h_uniq("DUE-"), body[160];
    snprintf(body, sizeof body, "{\"certificate_number\":\"%s\",\"completed_on\":\"%s\"}", cert,
             on);
    expect(act(h_admin(), e, "complete", body), 200, "completed");
    free(cert);
    free(e);
    free(course);
}

/* The entry of staff id in a due report, or NULL. Borrowed. */
static json_t *due_entry(const json_t *report, const char *id)
{
    size_t i, j;
    json_t *s, *m;
    json_array_foreach(json_object_get(report, "schools"), i, s) json_array_foreach(
        json_object_get(s, "staff"), j, m) if (strcmp(jstr(m, "id"), id) == 0) return m;
    return NULL;
}

static void due_lists_overdue_and_due_soon_per_school(void **state)
{
    (void)state;
    char *school = h_uniq("sch-o");
    char *lib = h_new_key(school, "librarian");
    char *never = new_staff(lib, school, "Никогда", NULL);
    char *stale = new_staff(lib, school, "Давно", NULL);
    char *soon = new_staff(lib, school, "Скоро", NULL);
    char *fresh = new_staff(lib, school, "Недавно", NULL);
    char *webinar = new_staff(lib, school, "Вебинар", NULL);
    char *left = new_staff(lib, school, "Ушла", "\"left_on\":\"2020-01-01\"");
    char d[11];
    day(-3, -10, d);
    completed_on(stale, "course", d);
    day(-3, 30, d);
    completed_on(soon, "course", d);
    day(0, -100, d);
    completed_on(fresh, "course", d);
    completed_on(webinar, "webinar", d); /* a webinar does not count as qualification */

    h_resp *r = h_get(lib, "/api/v1/training/due?within_days=90");
    assert_int_equal(r->status, 200);
    assert_int_equal(jint(r->json, "overdue"), 3);
    assert_int_equal(jint(r->json, "due_soon"), 1);
    json_t *schools = json_object_get(r->json, "schools");
    assert_int_equal(json_array_size(schools), 1);
    assert_string_equal(jstr(json_array_get(schools, 0), "school"), school);
    assert_string_equal(jstr(due_entry(r->json, never), "state"), "overdue");
    assert_null(json_object_get(due_entry(r->json, never), "last_completed_on"));
    assert_string_equal(jstr(due_entry(r->json, stale), "state"), "overdue");
    assert_string_equal(jstr(due_entry(r->json, webinar), "state"), "overdue");
    json_t *s = due_entry(r->json, soon);
    assert_string_equal(jstr(s, "state"), "due_soon");
    assert_true(jint(s, "days_left") >= 28 && jint(s, "days_left") <= 31);
    assert_string_equal(jstr(s, "full_name"), "Скоро");
    assert_null(due_entry(r->json, fresh));
    assert_null(due_entry(r->json, left));
    h_free(r);
    /* pages of two staff: the counts and the total are over all four */
    for (int offset = 0; offset <= 4; offset += 2) {
        r = h_get(lib, "/api/v1/training/due?within_days=90&limit=2&offset=%d", offset);
        assert_int_equal(r->status, 200);
        assert_int_equal(jint(r->json, "overdue"), 3);
        assert_int_equal(jint(r->json, "total"), 4);
        assert_int_equal(jint(r->json, "limit"), 2);
        schools = json_object_get(r->json, "schools");
        size_t want = offset < 4 ? 2 : 0;
        assert_int_equal(want
                             ? json_array_size(json_object_get(json_array_get(schools, 0), "staff"))
                             : json_array_size(schools),
                         want);
        h_free(r);
    }
    expect(h_get(lib, "/api/v1/training/due?limit=201"), 400, "'limit'");
    /* a shorter horizon drops the one due in a month */
    r = h_get(lib, "/api/v1/training/due?within_days=10");
    assert_int_equal(jint(r->json, "overdue"), 3);
    assert_int_equal(jint(r->json, "due_soon"), 0);
    h_free(r);
    /* network-wide, by school */
    r = h_get(h_admin(), "/api/v1/training/due?school=%s&within_days=0", school);
    assert_int_equal(jint(r->json, "overdue"), 3);
    h_free(r);
    free(never);
    free(stale);
    free(soon);
    free(fresh);
    free(webinar);
    free(left);
    free(lib);
    free(school);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(staff_crud_by_own_librarian_with_events),
        cmocka_unit_test(librarian_sees_and_changes_own_school_only),
        cmocka_unit_test(integrator_reads_without_names_and_portal_sees_nothing),
        cmocka_unit_test(staff_bad_input_is_400_and_nothing_is_written),
        cmocka_unit_test(lists_are_paged_and_filtered),
        cmocka_unit_test(courses_are_run_by_methodologists_and_checked),
        cmocka_unit_test(enrolment_workflow_with_attendance_completion_and_events),
        cmocka_unit_test(forbidden_transitions_are_409_and_change_nothing),
        cmocka_unit_test(completion_bad_input_and_reused_certificate),
        cmocka_unit_test(enrolment_bad_input_and_wrong_school),
        cmocka_unit_test(capacity_holds_under_parallel_enrolments),
        cmocka_unit_test(due_lists_overdue_and_due_soon_per_school),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

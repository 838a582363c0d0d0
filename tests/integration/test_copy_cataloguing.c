/* Copy cataloguing (issue 15, part 2) through the gateway against a real
 * remote Z39.50 target: yaz-ztest (Debian yaz), started by the stack fixture
 * as the target "ztest". A search shows the records without saving them;
 * importing chosen positions goes through the MARC import, so a second
 * import of the same record creates nothing. An unknown target, one that
 * refuses connections, one that never answers, bad PQF and bad positions
 * are clear problem+json answers. */
#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static long num(const json_t *o, const char *name)
{
    return (long)json_integer_value(json_object_get(o, name));
}

static long catalog_total(const char *q)
{
    char enc[256], path[400];
    h_urlenc(q, enc, sizeof enc);
    snprintf(path, sizeof path, "/api/v1/catalog/records?q=%s", enc);
    h_resp *r = h_http("GET", path, h_admin(), NULL, NULL);
    assert_int_equal(r->status, 200);
    long n = num(r->json, "total");
    h_free(r);
    return n;
}

static void is_problem(const h_resp *r, long status)
{
    if (r->status != status) fprintf(stderr, "%ld: %s\n", r->status, r->body);
    assert_int_equal(r->status, status);
    assert_non_null(strstr(h_header(r, "Content-Type"), "application/problem+json"));
    assert_non_null(h_str(r, "detail"));
}

static void search_shows_records_without_saving(void **state)
{
    (void)state;
    long before = catalog_total("program computer");
    h_resp *r = h_post(h_admin(), "/api/v1/catalog/copy-searches",
                       "{\"target\":\"ztest\",\"query\":\"computer\",\"limit\":3}");
    if (r->status != 201) fprintf(stderr, "%s\n", r->body);
    assert_int_equal(r->status, 201);
    assert_true(num(r->json, "total") > 0);
    json_t *recs = json_object_get(r->json, "records");
    assert_int_equal(json_array_size(recs), 3);
    json_t *rec = json_object_get(json_array_get(recs, 0), "record");
    assert_non_null(strstr(json_string_value(json_object_get(rec, "title")), "computer"));
    json_t *src = json_object_get(rec, "source");
    assert_string_equal(json_string_value(json_object_get(src, "target")), "ztest");
    assert_non_null(strstr(h_header(r, "Location"), "/api/v1/catalog/copy-searches/"));
    h_free(r);
    assert_int_equal(catalog_total("program computer"), before);
}

static void import_goes_through_the_import_and_dedups(void **state)
{
    (void)state;
    h_resp *r = h_post(h_admin(), "/api/v1/catalog/copy-searches",
                       "{\"target\":\"ztest\",\"query\":\"@attr 1=4 computer\",\"limit\":2}");
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    char path[200];
    snprintf(path, sizeof path, "/api/v1/catalog/copy-searches/%s/import", id);
    long before = catalog_total("program computer");
    json_t *jobs[2];
    for (int i = 0; i < 2; i++) {
        r = h_post(h_admin(), path, "{\"positions\":[2]}");
        if (r->status != 202) fprintf(stderr, "%s\n", r->body);
        assert_int_equal(r->status, 202);
        assert_non_null(strstr(h_header(r, "Location"), "/api/v1/catalog/imports/"));
        jobs[i] = h_marc_wait(h_admin(), h_str(r, "id"), 30);
        h_free(r);
        assert_string_equal(json_string_value(json_object_get(jobs[i], "status")), "done");
    }
    /* the first import creates the record unless an earlier run did; the
     * second finds it by its control number */
    assert_int_equal(num(jobs[0], "created") + num(jobs[0], "merged") + num(jobs[0], "unchanged"),
                     1);
    assert_int_equal(num(jobs[1], "created"), 0);
    assert_int_equal(num(jobs[1], "merged") + num(jobs[1], "unchanged"), 1);
    assert_int_equal(catalog_total("program computer"), before + num(jobs[0], "created"));
    json_decref(jobs[0]);
    json_decref(jobs[1]);
    /* positions that are not records of the search */
    r = h_post(h_admin(), path, "{\"positions\":[7]}");
    is_problem(r, 400);
    h_free(r);
    r = h_post(h_admin(), path, "{\"positions\":\"1\"}");
    is_problem(r, 400);
    h_free(r);
    r = h_post(h_admin(), path, "{\"positions\":[1],\"x\":1}");
    is_problem(r, 400);
    h_free(r);
    /* another school's librarian does not see this search */
    char *lib = h_new_key("school-copy-2", "librarian");
    r = h_post(lib, path, "{\"positions\":[1]}");
    is_problem(r, 404);
    h_free(r);
    free(lib);
    r = h_post(h_admin(),
               "/api/v1/catalog/copy-searches/00000000-0000-4000-8000-000000000000/import",
               "{\"positions\":[1]}");
    is_problem(r, 404);
    h_free(r);
    free(id);
}

/* A socket on base+9302 that takes connections and never answers. */
static int silent_listener(void)
{
    char path[512];
    long base = 20000;
    snprintf(path, sizeof path, "%s/port-base", getenv("IBC_TEST_RUN_DIR"));
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%ld", &base), 1);
    fclose(f);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(base + 9302))};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(s, 8), 0);
    return s;
}

static void unreachable_slow_and_unknown_targets_are_clear_errors(void **state)
{
    (void)state;
    h_resp *r = h_post(h_admin(), "/api/v1/catalog/copy-searches",
                       "{\"target\":\"nosuch\",\"query\":\"x\"}");
    is_problem(r, 400);
    assert_non_null(strstr(h_str(r, "detail"), "ztest"));
    h_free(r);
    r = h_post(h_admin(), "/api/v1/catalog/copy-searches",
               "{\"target\":\"refused\",\"query\":\"x\"}");
    is_problem(r, 503);
    assert_non_null(strstr(h_str(r, "detail"), "could not be reached"));
    h_free(r);
    int s = silent_listener();
    double t0 = h_now_s();
    r = h_post(h_admin(), "/api/v1/catalog/copy-searches",
               "{\"target\":\"silent\",\"query\":\"x\"}");
    is_problem(r, 504);
    assert_non_null(strstr(h_str(r, "detail"), "did not answer in time"));
    assert_true(h_now_s() - t0 < 15 * h_test_scale());
    h_free(r);
    close(s);
    r = h_post(h_admin(), "/api/v1/catalog/copy-searches",
               "{\"target\":\"ztest\",\"query\":\"@attr 1=4\"}");
    is_problem(r, 400);
    h_free(r);
    r = h_post(h_admin(), "/api/v1/catalog/copy-searches", "{\"target\":\"ztest\"}");
    is_problem(r, 400);
    h_free(r);
    r = h_post(h_admin(), "/api/v1/catalog/copy-searches",
               "{\"target\":\"ztest\",\"query\":\"x\",\"limit\":500}");
    is_problem(r, 400);
    h_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(search_shows_records_without_saving),
        cmocka_unit_test(import_goes_through_the_import_and_dedups),
        cmocka_unit_test(unreachable_slow_and_unknown_targets_are_clear_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

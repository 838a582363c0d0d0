/* The running skeleton through the gateway: records CRUD with events, keys and
 * roles, body limits, bad input, and a stopped service. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static h_resp *create_record(const char *key, const char *isbn)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"type\":\"book\",\"title\":\"Капитанская дочка\",\"authors\":[\"Пушкин, "
             "Александр Сергеевич\"],\"year\":1836,\"isbn\":\"%s\"}",
             isbn);
    return h_http("POST", "/api/v1/catalog/records", key, body, NULL);
}

static void record_crud_emits_one_event_per_change(void **state)
{
    (void)state;
    h_events *ev = h_events_open("ibc.evt.>");
    assert_non_null(ev);
    char *isbn = h_isbn();
    h_resp *r = create_record(h_admin(), isbn);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    assert_string_equal(h_str(r, "isbn"), isbn);
    assert_string_equal(h_header(r, "ETag"), "\"1\"");
    h_free(r);

    r = h_get(h_admin(), "/api/v1/catalog/records/%s", id);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "title"), "Капитанская дочка");
    assert_string_equal(json_string_value(json_array_get(json_object_get(r->json, "authors"), 0)),
                        "Пушкин, Александр Сергеевич");
    h_free(r);

    char path[128];
    snprintf(path, sizeof path, "/api/v1/catalog/records/%s", id);
    const char *body = "{\"type\":\"book\",\"title\":\"Капитанская дочка. Повести\",\"year\":1837}";
    /* no If-Match: 428 */
    r = h_http("PUT", path, h_admin(), body, NULL);
    assert_int_equal(r->status, 428);
    h_free(r);
    const char *stale[] = {"If-Match: \"7\"", NULL};
    r = h_http("PUT", path, h_admin(), body, stale);
    assert_int_equal(r->status, 412);
    h_free(r);
    const char *fresh[] = {"If-Match: \"1\"", NULL};
    r = h_http("PUT", path, h_admin(), body, fresh);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "version")), 2);
    assert_string_equal(h_header(r, "ETag"), "\"2\"");
    h_free(r);

    r = h_http("DELETE", path, h_admin(), NULL, NULL);
    assert_int_equal(r->status, 204);
    h_free(r);
    r = h_get(h_admin(), "%s", path);
    assert_int_equal(r->status, 404);
    assert_string_equal(h_header(r, "Content-Type"), "application/problem+json");
    h_free(r);

    json_t *e = h_events_find(ev, "ibc.evt.catalog.record.deleted", id, 10000);
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "specversion")), "1.0");
    assert_string_equal(json_string_value(json_object_get(e, "type")),
                        "ibcnet.catalog.record.deleted");
    json_decref(e);
    assert_int_equal(h_events_count(ev, "ibc.evt.catalog.record.created", id, 500), 1);
    assert_int_equal(h_events_count(ev, "ibc.evt.catalog.record.updated", id, 0), 1);
    assert_int_equal(h_events_count(ev, "ibc.evt.catalog.record.deleted", id, 0), 1);
    h_events_close(ev);
    free(id);
    free(isbn);
}

static void duplicate_isbn_is_409_with_existing_id(void **state)
{
    (void)state;
    char *isbn = h_isbn();
    h_resp *a = create_record(h_admin(), isbn);
    assert_int_equal(a->status, 201);
    h_resp *b = create_record(h_admin(), isbn);
    assert_int_equal(b->status, 409);
    assert_string_equal(h_str(b, "existing_id"), h_str(a, "id"));
    h_free(a);
    h_free(b);
    free(isbn);
}

static void wrong_key_is_401_and_wrong_role_is_403(void **state)
{
    (void)state;
    h_resp *r = h_get(NULL, "/api/v1/catalog/ping");
    assert_int_equal(r->status, 401);
    h_free(r);
    r = h_get("ibc_not-a-real-key", "/api/v1/catalog/ping");
    assert_int_equal(r->status, 401);
    h_free(r);
    char *portal = h_new_key("school-1", "portal");
    assert_non_null(portal);
    r = create_record(portal, "9785020138506");
    assert_int_equal(r->status, 403);
    h_free(r);
    r = h_http("POST", "/api/v1/admin/keys", portal, "{\"org\":\"x\",\"role\":\"admin\"}", NULL);
    assert_int_equal(r->status, 403);
    h_free(r);
    free(portal);
}

static void revoked_key_is_401(void **state)
{
    (void)state;
    h_resp *r =
        h_post(h_admin(), "/api/v1/admin/keys", "{\"org\":\"school-2\",\"role\":\"librarian\"}");
    assert_int_equal(r->status, 201);
    char *key = strdup(h_str(r, "key")), *id = strdup(h_str(r, "id"));
    h_free(r);
    r = h_get(key, "/api/v1/catalog/ping");
    assert_int_equal(r->status, 200);
    h_free(r);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/admin/keys/%s", id);
    r = h_http("DELETE", path, h_admin(), NULL, NULL);
    assert_int_equal(r->status, 204);
    h_free(r);
    r = h_get(key, "/api/v1/catalog/ping");
    assert_int_equal(r->status, 401);
    h_free(r);
    free(key);
    free(id);
}

static void key_list_is_one_page_at_a_time(void **state)
{
    (void)state;
    h_resp *r = h_get(h_admin(), "/api/v1/admin/keys?limit=1&offset=0");
    assert_int_equal(r->status, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    long total = (long)json_integer_value(json_object_get(r->json, "total"));
    assert_true(total >= 2); /* the admin's and the revoked one above, at least */
    assert_int_equal(json_integer_value(json_object_get(r->json, "limit")), 1);
    h_free(r);
    r = h_get(h_admin(), "/api/v1/admin/keys?offset=%ld", total);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 0);
    h_free(r);
    const char *bad[] = {"limit=501", "limit=0", "limit=x", "offset=-1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        r = h_get(h_admin(), "/api/v1/admin/keys?%s", bad[i]);
        assert_int_equal(r->status, 400);
        h_free(r);
    }
}

static void body_over_limit_is_413(void **state)
{
    (void)state;
    size_t n = 2 * 1024 * 1024;
    char *big = malloc(n + 1);
    memset(big, 'a', n);
    memcpy(big, "{\"type\":\"book\",\"title\":\"", 24);
    memcpy(big + n - 2, "\"}", 2);
    big[n] = 0;
    h_resp *r = h_http("POST", "/api/v1/catalog/records", h_admin(), big, NULL);
    assert_int_equal(r->status, 413);
    assert_non_null(strstr(r->body, "larger than"));
    h_free(r);
    free(big);
}

static void bad_input_is_a_clear_4xx(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        long status;
        const char *needle;
    } cases[] = {
        {"{\"type\":\"book\",", 400, "not valid JSON"},
        {"[1,2]", 400, "JSON object"},
        {"{\"type\":\"book\"}", 400, "'title' is required"},
        {"{\"type\":\"scroll\",\"title\":\"x\"}", 400, "'type' must be one of"},
        {"{\"type\":\"book\",\"title\":42}", 400, "'title' must be a string"},
        {"{\"type\":\"book\",\"title\":\"x\",\"year\":3000}", 400, "'year' must be from"},
        {"{\"type\":\"book\",\"title\":\"x\",\"isbn\":\"978-5-02-013850-7\"}", 400,
         "not a valid ISBN"},
        {"{\"type\":\"book\",\"title\":\"x\",\"colour\":\"red\"}", 400, "unknown field 'colour'"},
        {"{\"type\":\"book\",\"title\":\"x\",\"type\":\"book\"}", 400, "duplicate"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        h_resp *r = h_http("POST", "/api/v1/catalog/records", h_admin(), cases[i].body, NULL);
        if (r->status != cases[i].status || !strstr(r->body, cases[i].needle))
            fprintf(stderr, "case %zu: %ld %s\n", i, r->status, r->body);
        assert_int_equal(r->status, cases[i].status);
        assert_non_null(strstr(r->body, cases[i].needle));
        assert_string_equal(h_header(r, "Content-Type"), "application/problem+json");
        h_free(r);
    }
    /* invalid UTF-8 in the body and in the path */
    h_resp *r = h_http("POST", "/api/v1/catalog/records", h_admin(),
                       "{\"type\":\"book\",\"title\":\"\xC3\x28\"}", NULL);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "UTF-8"));
    h_free(r);
    r = h_get(h_admin(), "/api/v1/catalog/records/%%C3%%28");
    assert_true(r->status == 400 || r->status == 404);
    assert_string_equal(h_header(r, "Content-Type"), "application/problem+json");
    h_free(r);
    /* wrong media type, unknown route, wrong method */
    const char *xml[] = {"Content-Type: text/xml", NULL};
    r = h_http("POST", "/api/v1/catalog/records", h_admin(), "<record/>", xml);
    assert_int_equal(r->status, 415);
    h_free(r);
    r = h_get(h_admin(), "/api/v1/nowhere");
    assert_int_equal(r->status, 404);
    h_free(r);
    r = h_http("PATCH", "/api/v1/catalog/records", h_admin(), "{}", NULL);
    assert_int_equal(r->status, 405);
    assert_non_null(h_header(r, "Allow"));
    h_free(r);
}

static void every_service_answers_ping(void **state)
{
    (void)state;
    const char *names[] = {"catalog", "circulation", "training", "grants", "monitoring"};
    for (int i = 0; i < 5; i++) {
        h_resp *r = h_get(h_admin(), "/api/v1/%s/ping", names[i]);
        assert_int_equal(r->status, 200);
        assert_string_equal(h_str(r, "service"), names[i]);
        assert_non_null(h_str(r, "instance"));
        h_free(r);
    }
}

/* Pings service until it answers 200 (10 s at most); the last status. */
static long wait_ping(const char *service)
{
    long status = 0;
    for (int i = 0; i < 100 && status != 200; i++) {
        h_resp *r = h_get(h_admin(), "/api/v1/%s/ping", service);
        status = r->status;
        h_free(r);
        if (status != 200) usleep(100000);
    }
    return status;
}

static void stopped_service_is_503_not_a_hang(void **state)
{
    (void)state;
    assert_int_equal(h_stack("stop", "training"), 0);
    h_resp *r = h_get(h_admin(), "/api/v1/training/ping");
    assert_int_equal(r->status, 503);
    assert_non_null(strstr(r->body, "training"));
    h_free(r);
    assert_int_equal(h_stack("start", "training"), 0);
    assert_int_equal(wait_ping("training"), 200);
}

/* Stored Idempotency-Key replies are forgotten after IBC_IDEMPOTENCY_HOURS
 * (24), the inbox's ids of applied events after IBC_INBOX_DAYS (30): a
 * service purges them at start and every ten minutes. */
static void old_idempotency_replies_and_inbox_rows_are_purged(void **state)
{
    (void)state;
    h_sql_int("INSERT INTO training.idempotency (principal, key, action, request_hash, reply, "
              "created_at) VALUES ('test', 'purge-old', 'staff.create', 'h', '{}', "
              "now() - interval '25 hours'), ('test', 'purge-new', 'staff.create', 'h', '{}', "
              "now() - interval '23 hours')");
    h_sql_int("INSERT INTO training.inbox (event_id, subject, received_at) VALUES "
              "(gen_random_uuid(), 'test.purge-old', now() - interval '31 days'), "
              "(gen_random_uuid(), 'test.purge-new', now() - interval '29 days')");
    assert_int_equal(h_stack("stop", "training"), 0);
    assert_int_equal(h_stack("start", "training"), 0);
    long left = 1;
    for (int i = 0; i < 100 && left != 0; i++) {
        left = h_sql_int("SELECT count(*) FROM training.idempotency WHERE key = 'purge-old'");
        if (left != 0) usleep(100000);
    }
    assert_int_equal(left, 0);
    assert_int_equal(h_sql_int("SELECT count(*) FROM training.idempotency WHERE key = 'purge-new'"),
                     1);
    /* the same pass deletes the old inbox row (after the replies) and keeps the newer */
    for (int i = 0; i < 50 && (left = h_sql_int("SELECT count(*) FROM training.inbox WHERE "
                                                "subject = 'test.purge-old'")) != 0;
         i++)
        usleep(100000);
    assert_int_equal(
        h_sql_int("SELECT count(*) FROM training.inbox WHERE subject = 'test.purge-old'"), 0);
    assert_int_equal(
        h_sql_int("SELECT count(*) FROM training.inbox WHERE subject = 'test.purge-new'"), 1);
    h_sql_int("DELETE FROM training.inbox WHERE subject LIKE 'test.purge-%'");
    h_sql_int("DELETE FROM training.idempotency WHERE principal = 'test'");
    assert_int_equal(wait_ping("training"), 200);
}

static void silent_service_is_504_after_the_timeout(void **state)
{
    (void)state;
    /* a stopped (SIGSTOP) process keeps its subscription but never answers */
    assert_int_equal(h_stack("pause", "grants"), 0);
    h_resp *r = h_get(h_admin(), "/api/v1/grants/ping");
    assert_int_equal(h_stack("resume", "grants"), 0);
    assert_int_equal(r->status, 504);
    assert_non_null(strstr(r->body, "did not answer"));
    h_free(r);
}

static void health_and_metrics_need_no_key_on_the_admin_port_only(void **state)
{
    (void)state;
    h_resp *r = h_admin_get("/healthz");
    assert_int_equal(r->status, 200);
    h_free(r);
    r = h_admin_get("/readyz");
    assert_int_equal(r->status, 200);
    h_free(r);
    r = h_admin_get("/metrics");
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->body, "ibc_http_requests_total"));
    h_free(r);
    r = h_admin_http("HEAD", "/readyz", NULL);
    assert_int_equal(r->status, 200);
    h_free(r);
    /* the admin listener reads nothing: another method is 405 before its body */
    r = h_admin_http("POST", "/metrics", "{\"reset\":true}");
    assert_int_equal(r->status, 405);
    assert_string_equal(h_header(r, "Allow"), "GET, HEAD");
    h_free(r);
    r = h_admin_get("/metrics/../../etc/passwd");
    assert_int_equal(r->status, 404);
    h_free(r);
    /* the public port serves the API only */
    static const char *const admin_paths[] = {"/metrics", "/healthz", "/readyz"};
    for (size_t i = 0; i < sizeof admin_paths / sizeof *admin_paths; i++) {
        r = h_get(NULL, "%s", admin_paths[i]);
        assert_int_equal(r->status, 404);
        assert_null(strstr(r->body, "ibc_http_requests_total"));
        h_free(r);
    }
}

static void services_survive_a_database_restart(void **state)
{
    (void)state;
    char *isbn = h_isbn();
    h_resp *r = create_record(h_admin(), isbn);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    assert_int_equal(h_stack("restart-pg", NULL), 0);
    /* every worker's connection and the gateway's pool died with the server:
     * each request must still succeed on a fresh connection */
    for (int i = 0; i < 12; i++) {
        r = h_get(h_admin(), "/api/v1/catalog/records/%s", id);
        assert_int_equal(r->status, 200);
        h_free(r);
    }
    char *isbn2 = h_isbn();
    r = create_record(h_admin(), isbn2);
    assert_int_equal(r->status, 201);
    h_free(r);
    free(isbn);
    free(isbn2);
    free(id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(record_crud_emits_one_event_per_change),
        cmocka_unit_test(duplicate_isbn_is_409_with_existing_id),
        cmocka_unit_test(wrong_key_is_401_and_wrong_role_is_403),
        cmocka_unit_test(revoked_key_is_401),
        cmocka_unit_test(key_list_is_one_page_at_a_time),
        cmocka_unit_test(body_over_limit_is_413),
        cmocka_unit_test(bad_input_is_a_clear_4xx),
        cmocka_unit_test(every_service_answers_ping),
        cmocka_unit_test(stopped_service_is_503_not_a_hang),
        cmocka_unit_test(old_idempotency_replies_and_inbox_rows_are_purged),
        cmocka_unit_test(silent_service_is_504_after_the_timeout),
        cmocka_unit_test(health_and_metrics_need_no_key_on_the_admin_port_only),
        cmocka_unit_test(services_survive_a_database_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* A hot standby (streaming replication) on base+5433: the catalog's search is
 * answered there, the same as the primary answers it, within the staleness
 * bound; with the standby stopped the primary answers, without errors; a read
 * of a record just written stays on the primary; and a failover (promote the
 * standby, restart the processes with the new DSN) loses nothing committed
 * before it. Suggestions, a streamed export, OAI-PMH, the grants summary and
 * the monitoring indicators are answered by the standby too. The group starts the standby and puts
 * the fixture back as it was (no standby, the first primary) at the end. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_STALENESS_MS 1000 /* IBC_READ_MAX_STALENESS_MS's default */

/* GET /api/v1/catalog/records?q=word as the admin. */
static h_resp *search(const char *word)
{
    return h_get(h_admin(), "/api/v1/catalog/records?q=%s&limit=50", word);
}

/* True when r was answered by the standby. */
static int from_standby(const h_resp *r)
{
    const char *v = h_header(r, "Ibc-Read-Source");
    return v && strcmp(v, "standby") == 0;
}

/* The catalog's counter ibc_read_routing_total for target and reason (its
 * metrics listener, base+9101); -1 when the series is missing. */
static long routed(const char *target, const char *reason)
{
    char path[1024], base[16] = "", cmd[256], want[160], line[512];
    snprintf(path, sizeof path, "%s/port-base", getenv("IBC_TEST_RUN_DIR"));
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(base, sizeof base, f));
    fclose(f);
    snprintf(cmd, sizeof cmd, "curl -fsS http://127.0.0.1:%d/metrics", atoi(base) + 9101);
    snprintf(want, sizeof want,
             "ibc_read_routing_total{service=\"catalog\",target=\"%s\",reason=\"%s\"} ", target,
             reason);
    long v = -1;
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    while (fgets(line, sizeof line, p))
        if (strncmp(line, want, strlen(want)) == 0) v = atol(line + strlen(want));
    pclose(p);
    return v;
}

/* Searches for word until the standby answers with total records, for at
 * most timeout_s; the last answer (caller frees), which the test checks. */
static h_resp *search_on_standby(const char *word, long total, double timeout_s)
{
    double end = h_now_s() + timeout_s;
    for (;;) {
        h_resp *r = search(word);
        assert_int_equal(r->status, 200);
        if ((from_standby(r) && json_integer_value(json_object_get(r->json, "total")) == total) ||
            h_now_s() > end)
            return r;
        h_free(r);
        usleep(100000);
    }
}

/* Catalogues n records whose titles carry word; ids into ids (caller frees). */
static void records(const char *word, int n, char **ids)
{
    for (int i = 0; i < n; i++) {
        char body[256];
        snprintf(body, sizeof body, "{\"type\":\"book\",\"title\":\"%s копия %d\",\"year\":2021}",
                 word, i);
        ids[i] = h_record(body);
    }
}

static int group_setup(void **state)
{
    (void)state;
    assert_int_equal(h_stack("standby-up", NULL), 0);
    assert_int_equal(h_stack("repoint", NULL), 0);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    assert_int_equal(h_stack("standby-discard", NULL), 0);
    assert_int_equal(h_stack("repoint", NULL), 0);
    return 0;
}

static void search_is_answered_by_the_standby_as_the_primary_answers_it(void **state)
{
    (void)state;
    char *word = h_uniq("stdbq"), *ids[3];
    records(word, 3, ids);
    long before = routed("standby", "fresh");
    h_resp *standby = search_on_standby(word, 3, 5 * h_test_scale());
    assert_true(from_standby(standby));
    assert_int_equal(json_integer_value(json_object_get(standby->json, "total")), 3);
    const char *stale = h_header(standby, "Ibc-Read-Staleness-Ms");
    assert_non_null(stale);
    assert_in_range(atol(stale), 0, MAX_STALENESS_MS);
    assert_true(routed("standby", "fresh") > before);

    /* the standby stops: every read is answered, by the primary, the same */
    /* each counted as unreachable, or as failed when a worker's connection
     * still looked live and the read broke on it */
    long away = routed("primary", "unreachable") + routed("primary", "failed");
    assert_int_equal(h_stack("standby-stop", NULL), 0);
    for (int i = 0; i < 20; i++) {
        h_resp *r = search(word);
        assert_int_equal(r->status, 200);
        assert_string_equal(h_header(r, "Ibc-Read-Source"), "primary");
        assert_true(json_equal(r->json, standby->json));
        h_free(r);
    }
    assert_true(routed("primary", "unreachable") + routed("primary", "failed") >= away + 20);

    /* back: the reads return to it (a worker tries again within 30 s) */
    assert_int_equal(h_stack("standby-up", NULL), 0);
    h_resp *again = search_on_standby(word, 3, 40 * h_test_scale());
    assert_true(from_standby(again));
    h_free(again);
    h_free(standby);
    for (int i = 0; i < 3; i++)
        free(ids[i]);
    free(word);
}

/* GETs path as the admin until the standby answers it, for at most 5 s;
 * the test fails unless that answer is 200 and says so. */
static void answered_by_standby(const char *path)
{
    double end = h_now_s() + 5 * h_test_scale();
    h_resp *r;
    while (r = h_get(h_admin(), "%s", path),
           r->status == 200 && !from_standby(r) && h_now_s() < end) {
        h_free(r);
        usleep(100000);
    }
    if (r->status != 200 || !from_standby(r))
        fail_msg("%s: %ld from %s", path, r->status, h_header(r, "Ibc-Read-Source"));
    h_free(r);
}

static void other_reads_fit_for_the_standby_are_answered_there(void **state)
{
    (void)state;
    char *word = h_uniq("stdbo"), *id, path[256];
    records(word, 1, &id);
    snprintf(path, sizeof path, "/api/v1/catalog/suggest?q=%.5s", word);
    answered_by_standby(path);
    snprintf(path, sizeof path, "/api/v1/catalog/export?format=json&q=%s", word);
    answered_by_standby(path); /* a streamed reply */
    answered_by_standby("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc");
    answered_by_standby("/api/v1/grants/summary");
    answered_by_standby("/api/v1/monitoring/indicators");
    free(id);
    free(word);
}

static void read_of_a_record_just_written_stays_on_the_primary(void **state)
{
    (void)state;
    char *word = h_uniq("stdbw");
    for (int i = 0; i < 20; i++) {
        char *id;
        records(word, 1, &id);
        h_resp *r = h_get(h_admin(), "/api/v1/catalog/records/%s", id);
        assert_int_equal(r->status, 200);
        assert_string_equal(h_str(r, "id"), id);
        assert_null(h_header(r, "Ibc-Read-Source"));
        h_free(r);
        free(id);
    }
    free(word);
}

static void failover_to_the_promoted_standby_loses_nothing_committed(void **state)
{
    (void)state;
    enum { N = 20 };
    char *word = h_uniq("stdbf"), *ids[N];
    records(word, N, ids); /* the last one committed just before the promotion */
    assert_int_equal(h_stack("promote-standby", NULL), 0);
    assert_int_equal(h_stack("repoint", NULL), 0);

    for (int i = 0; i < N; i++) {
        h_resp *r = h_get(h_admin(), "/api/v1/catalog/records/%s", ids[i]);
        assert_int_equal(r->status, 200);
        h_free(r);
        free(ids[i]);
    }
    char *after;
    records(word, 1, &after); /* writes work again: 201 */
    h_resp *r = search(word);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), N + 1);
    assert_null(h_header(r, "Ibc-Read-Source")); /* no standby is left */
    h_free(r);
    free(after);
    free(word);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(search_is_answered_by_the_standby_as_the_primary_answers_it),
        cmocka_unit_test(other_reads_fit_for_the_standby_are_answered_there),
        cmocka_unit_test(read_of_a_record_just_written_stays_on_the_primary),
        cmocka_unit_test(failover_to_the_promoted_standby_loses_nothing_committed),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

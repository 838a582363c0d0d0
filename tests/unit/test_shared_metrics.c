/* Unit tests of shared/src/metrics.c: counters, gauges, histograms with
 * cumulative buckets, the Prometheus text format and exact totals under
 * concurrent updates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ibc/ibc.h>
#include <ibc/metrics.h>

static int reset(void **state)
{
    (void)state;
    ibc_metrics_reset();
    return 0;
}

/* Number of times needle occurs in hay. */
static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Asserts that the rendered text has this exact line. */
static void has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)); p++)
        if ((p == text || p[-1] == '\n') && p[n] == '\n') return;
    fail_msg("no line '%s' in:\n%s", line, text);
}

static void counter_renders_help_type_and_value(void **state)
{
    (void)state;
    ibc_metric *c = ibc_counter("ibc_loans_total", "Loans issued.", "");
    ibc_metric_add(c, 2);
    ibc_metric_add(c, 3);
    char *text = ibc_metrics_render();
    assert_string_equal(text, "# HELP ibc_loans_total Loans issued.\n"
                              "# TYPE ibc_loans_total counter\n"
                              "ibc_loans_total 5\n");
    free(text);
}

static void counter_starts_at_zero(void **state)
{
    (void)state;
    ibc_counter("ibc_zero_total", "Nothing yet.", NULL);
    char *text = ibc_metrics_render();
    has_line(text, "ibc_zero_total 0");
    free(text);
}

static void same_name_and_labels_is_the_same_series(void **state)
{
    (void)state;
    ibc_metric *a = ibc_counter("ibc_req_total", "Requests.", "action=\"get\"");
    ibc_metric *b = ibc_counter("ibc_req_total", "Requests.", "action=\"get\"");
    ibc_metric *c = ibc_counter("ibc_req_total", "Requests.", "action=\"put\"");
    assert_ptr_equal(a, b);
    assert_ptr_not_equal(a, c);
    /* NULL labels and "" are the same series */
    assert_ptr_equal(ibc_counter("ibc_x_total", "X.", NULL), ibc_counter("ibc_x_total", "X.", ""));
}

static void labels_render_inside_braces(void **state)
{
    (void)state;
    ibc_metric_add(ibc_counter("ibc_req_total", "Requests.", "action=\"get\",status=\"200\""), 7);
    char *text = ibc_metrics_render();
    has_line(text, "ibc_req_total{action=\"get\",status=\"200\"} 7");
    free(text);
}

static void help_and_type_appear_once_per_family(void **state)
{
    (void)state;
    ibc_metric_add(ibc_counter("ibc_req_total", "Requests.", "action=\"a\""), 1);
    ibc_metric_add(ibc_gauge("ibc_inflight", "In flight.", ""), 1);
    ibc_metric_add(ibc_counter("ibc_req_total", "Requests.", "action=\"b\""), 2);
    ibc_metric_add(ibc_counter("ibc_req_total", "Requests.", "action=\"c\""), 3);
    char *text = ibc_metrics_render();
    assert_int_equal(count(text, "# HELP ibc_req_total "), 1);
    assert_int_equal(count(text, "# TYPE ibc_req_total counter\n"), 1);
    assert_int_equal(count(text, "# HELP ibc_inflight "), 1);
    assert_int_equal(count(text, "# TYPE ibc_inflight gauge\n"), 1);
    /* every series of a family follows its header, before the next family */
    const char *hdr = strstr(text, "# TYPE ibc_req_total counter\n");
    const char *a = strstr(text, "ibc_req_total{action=\"a\"} 1\n");
    const char *b = strstr(text, "ibc_req_total{action=\"b\"} 2\n");
    const char *c = strstr(text, "ibc_req_total{action=\"c\"} 3\n");
    const char *g = strstr(text, "# HELP ibc_inflight ");
    assert_non_null(hdr);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_non_null(g);
    assert_true(hdr < a && a < b && b < c && c < g);
    free(text);
}

static void every_line_is_a_comment_or_a_sample(void **state)
{
    (void)state;
    ibc_metric_add(ibc_counter("ibc_a_total", "A.", "k=\"v\""), 1);
    ibc_metric_set(ibc_gauge("ibc_b", "B.", ""), -4);
    ibc_metric_observe(ibc_histogram("ibc_c_seconds", "C.", "action=\"x\""), 0.2);
    char *text = ibc_metrics_render();
    assert_true(strlen(text) > 0);
    assert_int_equal(text[strlen(text) - 1], '\n');
    char *save, *copy = strdup(text);
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "# HELP ", 7) == 0 || strncmp(line, "# TYPE ", 7) == 0) continue;
        /* name{labels} value, or name value; the name is [a-zA-Z_:][a-zA-Z0-9_:]* */
        const char *p = line;
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_'))
            fail_msg("bad line '%s'", line);
        p += strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:");
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (!close) fail_msg("unclosed labels in '%s'", line);
            p = close + 1;
        }
        if (*p != ' ') fail_msg("no space before the value in '%s'", line);
        char *end;
        strtod(p + 1, &end);
        if (end == p + 1 || *end) fail_msg("bad value in '%s'", line);
    }
    free(copy);
    free(text);
}

static void gauge_adds_and_sets(void **state)
{
    (void)state;
    ibc_metric *g = ibc_gauge("ibc_queue_depth", "Depth.", "");
    ibc_metric_add(g, 10);
    ibc_metric_add(g, -3);
    char *text = ibc_metrics_render();
    has_line(text, "# TYPE ibc_queue_depth gauge");
    has_line(text, "ibc_queue_depth 7");
    free(text);
    ibc_metric_set(g, -42);
    text = ibc_metrics_render();
    has_line(text, "ibc_queue_depth -42");
    free(text);
}

static void help_defaults_to_the_name(void **state)
{
    (void)state;
    ibc_gauge("ibc_nohelp", NULL, "");
    char *text = ibc_metrics_render();
    has_line(text, "# HELP ibc_nohelp ibc_nohelp");
    free(text);
}

static void histogram_buckets_are_cumulative_with_sum_and_count(void **state)
{
    (void)state;
    ibc_metric *h = ibc_histogram("ibc_rpc_seconds", "RPC latency.", "");
    ibc_metric_observe(h, 0.0005); /* on a boundary: le is inclusive */
    ibc_metric_observe(h, 0.003);
    ibc_metric_observe(h, 0.003);
    ibc_metric_observe(h, 0.7);
    ibc_metric_observe(h, 20); /* above the last bucket: only +Inf */
    char *text = ibc_metrics_render();
    has_line(text, "# TYPE ibc_rpc_seconds histogram");
    has_line(text, "ibc_rpc_seconds_bucket{le=\"0.0005\"} 1");
    has_line(text, "ibc_rpc_seconds_bucket{le=\"0.001\"} 1");
    has_line(text, "ibc_rpc_seconds_bucket{le=\"0.0025\"} 1");
    has_line(text, "ibc_rpc_seconds_bucket{le=\"0.005\"} 3");
    has_line(text, "ibc_rpc_seconds_bucket{le=\"0.01\"} 3");
    has_line(text, "ibc_rpc_seconds_bucket{le=\"0.5\"} 3");
    has_line(text, "ibc_rpc_seconds_bucket{le=\"1\"} 4");
    has_line(text, "ibc_rpc_seconds_bucket{le=\"2.5\"} 4");
    has_line(text, "ibc_rpc_seconds_bucket{le=\"10\"} 4");
    has_line(text, "ibc_rpc_seconds_bucket{le=\"+Inf\"} 5");
    has_line(text, "ibc_rpc_seconds_count 5");
    const char *sum = strstr(text, "\nibc_rpc_seconds_sum ");
    assert_non_null(sum);
    assert_true(abs((int)(strtod(sum + 21, NULL) * 1e6) - 20706500) <= 1);
    /* 14 finite buckets and +Inf, in increasing order, never decreasing */
    assert_int_equal(count(text, "ibc_rpc_seconds_bucket{"), 15);
    long prev = -1;
    for (const char *p = text; (p = strstr(p, "ibc_rpc_seconds_bucket{")); p++) {
        long v = strtol(strchr(p, '}') + 2, NULL, 10);
        assert_true(v >= prev);
        prev = v;
    }
    assert_int_equal(prev, 5);
    free(text);
}

static void histogram_labels_come_before_le(void **state)
{
    (void)state;
    ibc_metric_observe(ibc_histogram("ibc_h_seconds", "H.", "action=\"records.get\""), 0.5);
    char *text = ibc_metrics_render();
    has_line(text, "ibc_h_seconds_bucket{action=\"records.get\",le=\"0.25\"} 0");
    has_line(text, "ibc_h_seconds_bucket{action=\"records.get\",le=\"0.5\"} 1");
    has_line(text, "ibc_h_seconds_bucket{action=\"records.get\",le=\"+Inf\"} 1");
    has_line(text, "ibc_h_seconds_sum{action=\"records.get\"} 0.500000000");
    has_line(text, "ibc_h_seconds_count{action=\"records.get\"} 1");
    assert_int_equal(count(text, "# TYPE ibc_h_seconds histogram\n"), 1);
    free(text);
}

static void empty_histogram_renders_zeros(void **state)
{
    (void)state;
    ibc_histogram("ibc_idle_seconds", "Idle.", "");
    char *text = ibc_metrics_render();
    has_line(text, "ibc_idle_seconds_bucket{le=\"0.0005\"} 0");
    has_line(text, "ibc_idle_seconds_bucket{le=\"+Inf\"} 0");
    has_line(text, "ibc_idle_seconds_sum 0.000000000");
    has_line(text, "ibc_idle_seconds_count 0");
    free(text);
}

static void updates_of_a_null_metric_are_ignored(void **state)
{
    (void)state;
    ibc_metric_add(NULL, 1);
    ibc_metric_set(NULL, 1);
    ibc_metric_observe(NULL, 1.0);
    char *text = ibc_metrics_render();
    assert_string_equal(text, "");
    free(text);
}

static void reset_forgets_every_series(void **state)
{
    (void)state;
    ibc_metric_add(ibc_counter("ibc_gone_total", "Gone.", ""), 9);
    ibc_metrics_reset();
    char *text = ibc_metrics_render();
    assert_string_equal(text, "");
    free(text);
    /* a series created again starts from zero */
    ibc_metric_add(ibc_counter("ibc_gone_total", "Gone.", ""), 1);
    text = ibc_metrics_render();
    has_line(text, "ibc_gone_total 1");
    free(text);
}

static void render_grows_past_its_first_buffer(void **state)
{
    (void)state;
    char labels[64];
    for (int i = 0; i < 300; i++) {
        snprintf(labels, sizeof labels, "school=\"school-%03d\"", i);
        ibc_metric_add(ibc_counter("ibc_many_total", "Many series.", labels), i);
    }
    char *text = ibc_metrics_render();
    assert_non_null(text);
    assert_true(strlen(text) > 4096);
    assert_int_equal(count(text, "\nibc_many_total{"), 300);
    has_line(text, "ibc_many_total{school=\"school-000\"} 0");
    has_line(text, "ibc_many_total{school=\"school-299\"} 299");
    assert_int_equal(count(text, "# HELP ibc_many_total "), 1);
    free(text);
}

enum { THREADS = 4, ITERATIONS = 100000 };

static void *hammer(void *arg)
{
    (void)arg;
    /* each thread looks the series up itself: registration is under test too */
    ibc_metric *c = ibc_counter("ibc_concurrent_total", "Concurrent.", "k=\"v\"");
    ibc_metric *g = ibc_gauge("ibc_concurrent_gauge", "Concurrent.", "");
    ibc_metric *h = ibc_histogram("ibc_concurrent_seconds", "Concurrent.", "");
    for (int i = 0; i < ITERATIONS; i++) {
        ibc_metric_add(c, 1);
        ibc_metric_add(g, 2);
        ibc_metric_add(g, -1);
        ibc_metric_observe(h, 0.001);
        if (i % 1000 == 0) ibc_metric_add(ibc_counter("ibc_concurrent_total", "C.", "k=\"v\""), 0);
    }
    return NULL;
}

static void four_threads_incrementing_give_the_exact_total(void **state)
{
    (void)state;
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, hammer, NULL), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    char *text = ibc_metrics_render();
    char line[128];
    snprintf(line, sizeof line, "ibc_concurrent_total{k=\"v\"} %d", THREADS * ITERATIONS);
    has_line(text, line);
    snprintf(line, sizeof line, "ibc_concurrent_gauge %d", THREADS * ITERATIONS);
    has_line(text, line);
    snprintf(line, sizeof line, "ibc_concurrent_seconds_count %d", THREADS * ITERATIONS);
    has_line(text, line);
    snprintf(line, sizeof line, "ibc_concurrent_seconds_bucket{le=\"0.001\"} %d",
             THREADS * ITERATIONS);
    has_line(text, line);
    snprintf(line, sizeof line, "ibc_concurrent_seconds_bucket{le=\"0.0005\"} 0");
    has_line(text, line);
    /* one series each, not one per thread */
    assert_int_equal(count(text, "\nibc_concurrent_total{"), 1);
    assert_int_equal(count(text, "# HELP ibc_concurrent_total "), 1);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(counter_renders_help_type_and_value, reset),
        cmocka_unit_test_setup(counter_starts_at_zero, reset),
        cmocka_unit_test_setup(same_name_and_labels_is_the_same_series, reset),
        cmocka_unit_test_setup(labels_render_inside_braces, reset),
        cmocka_unit_test_setup(help_and_type_appear_once_per_family, reset),
        cmocka_unit_test_setup(every_line_is_a_comment_or_a_sample, reset),
        cmocka_unit_test_setup(gauge_adds_and_sets, reset),
        cmocka_unit_test_setup(help_defaults_to_the_name, reset),
        cmocka_unit_test_setup(histogram_buckets_are_cumulative_with_sum_and_count, reset),
        cmocka_unit_test_setup(histogram_labels_come_before_le, reset),
        cmocka_unit_test_setup(empty_histogram_renders_zeros, reset),
        cmocka_unit_test_setup(updates_of_a_null_metric_are_ignored, reset),
        cmocka_unit_test_setup(reset_forgets_every_series, reset),
        cmocka_unit_test_setup(render_grows_past_its_first_buffer, reset),
        cmocka_unit_test_setup(four_threads_incrementing_give_the_exact_total, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of shared/src/config.c: defaults, overrides from the environment
 * (through our own getenv), and every malformed value rejected with a
 * sentence naming the variable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ibc/ibc.h>

/* The fake environment: up to 16 NAME=value pairs. */
static struct {
    const char *name, *value;
} env[16];
static size_t nenv;

static const char *fake_getenv(const char *name)
{
    for (size_t i = 0; i < nenv; i++)
        if (strcmp(env[i].name, name) == 0) return env[i].value;
    return NULL;
}

static void set(const char *name, const char *value)
{
    assert_true(nenv < IBC_LEN(env));
    env[nenv].name = name;
    env[nenv].value = value;
    nenv++;
}

static int clear(void **state)
{
    (void)state;
    nenv = 0;
    return 0;
}

static void defaults_match_the_local_stack(void **state)
{
    (void)state;
    ibc_config cfg;
    char err[256] = "";
    assert_int_equal(ibc_config_load(&cfg, "catalog", fake_getenv, err, sizeof err), IBC_OK);
    assert_string_equal(err, "");
    assert_string_equal(cfg.nats_url, "nats://127.0.0.1:14222");
    assert_string_equal(cfg.pg_dsn, "host=127.0.0.1 port=15432 dbname=ibc user=ibc");
    assert_string_equal(cfg.migrations_dir, "migrations");
    assert_string_equal(cfg.log_level, "info");
    assert_string_equal(cfg.bind_address, "127.0.0.1");
    assert_string_equal(cfg.admin_bind_address, "127.0.0.1");
    assert_int_equal(cfg.http_port, 18080);
    assert_int_equal(cfg.metrics_port, 19101);
    assert_int_equal(cfg.workers, 8);
    assert_int_equal(cfg.events_gather_ms, 20);
    assert_int_equal(cfg.idempotency_hours, 24);
    assert_int_equal(cfg.events_max_age_days, 30);
    assert_true(cfg.events_max_bytes == 4L << 30);
    assert_int_equal(cfg.statement_timeout_ms, 5000);
    assert_string_equal(cfg.context_key, ""); /* no default: the processes refuse to start */
    assert_int_equal(cfg.request_timeout_ms, 10000);
    assert_int_equal(cfg.max_body, 1L << 20);
    assert_true(cfg.migrate);
    /* host-pid: unique per process, never empty */
    assert_true(strlen(cfg.instance_id) > 2);
    assert_non_null(strchr(cfg.instance_id, '-'));
}

static void default_metrics_port_depends_on_the_service(void **state)
{
    (void)state;
    static const struct {
        const char *service;
        int port;
    } want[] = {{"catalog", 19101}, {"circulation", 19102}, {"training", 19103},
                {"grants", 19104},  {"monitoring", 19105},  {"gateway", 19100},
                {"migrate", 0},     {"unknown", 0},         {NULL, 0}};
    for (size_t i = 0; i < IBC_LEN(want); i++) {
        ibc_config cfg;
        char err[256];
        assert_int_equal(ibc_config_load(&cfg, want[i].service, fake_getenv, err, sizeof err),
                         IBC_OK);
        assert_int_equal(cfg.metrics_port, want[i].port);
    }
}

static void every_variable_overrides_its_default(void **state)
{
    (void)state;
    set("IBC_NATS_URL", "nats://u:p@10.0.0.1:4222");
    set("IBC_PG_DSN", "host=db port=5432 dbname=x user=y");
    set("IBC_MIGRATIONS_DIR", "/opt/ibc/migrations");
    set("IBC_LOG_LEVEL", "debug");
    set("IBC_INSTANCE_ID", "catalog-1");
    set("IBC_BIND_ADDRESS", "0.0.0.0");
    set("IBC_ADMIN_BIND_ADDRESS", "10.1.2.3");
    set("IBC_HTTP_PORT", "8080");
    set("IBC_METRICS_PORT", "9101");
    set("IBC_WORKERS", "16");
    set("IBC_REQUEST_TIMEOUT_MS", "2500");
    set("IBC_MAX_BODY", "67108864");
    set("IBC_MIGRATE", "0");
    ibc_config cfg;
    char err[256] = "";
    assert_int_equal(ibc_config_load(&cfg, "grants", fake_getenv, err, sizeof err), IBC_OK);
    assert_string_equal(cfg.nats_url, "nats://u:p@10.0.0.1:4222");
    assert_string_equal(cfg.pg_dsn, "host=db port=5432 dbname=x user=y");
    assert_string_equal(cfg.migrations_dir, "/opt/ibc/migrations");
    assert_string_equal(cfg.log_level, "debug");
    assert_string_equal(cfg.instance_id, "catalog-1");
    assert_string_equal(cfg.bind_address, "0.0.0.0");
    assert_string_equal(cfg.admin_bind_address, "10.1.2.3");
    assert_int_equal(cfg.http_port, 8080);
    assert_int_equal(cfg.metrics_port, 9101);
    assert_int_equal(cfg.workers, 16);
    assert_int_equal(cfg.request_timeout_ms, 2500);
    assert_int_equal(cfg.max_body, 67108864L);
    assert_false(cfg.migrate);
}

static void limits_are_inclusive(void **state)
{
    (void)state;
    static const struct {
        const char *name, *value;
        size_t off;
        long want;
    } cases[] = {
        {"IBC_HTTP_PORT", "1", offsetof(ibc_config, http_port), 1},
        {"IBC_HTTP_PORT", "65535", offsetof(ibc_config, http_port), 65535},
        {"IBC_METRICS_PORT", "0", offsetof(ibc_config, metrics_port), 0},
        {"IBC_METRICS_PORT", "65535", offsetof(ibc_config, metrics_port), 65535},
        {"IBC_WORKERS", "1", offsetof(ibc_config, workers), 1},
        {"IBC_WORKERS", "256", offsetof(ibc_config, workers), 256},
        {"IBC_REQUEST_TIMEOUT_MS", "10", offsetof(ibc_config, request_timeout_ms), 10},
        {"IBC_REQUEST_TIMEOUT_MS", "600000", offsetof(ibc_config, request_timeout_ms), 600000},
        {"IBC_EVENTS_GATHER_MS", "0", offsetof(ibc_config, events_gather_ms), 0},
        {"IBC_EVENTS_GATHER_MS", "10000", offsetof(ibc_config, events_gather_ms), 10000},
        {"IBC_IDEMPOTENCY_HOURS", "1", offsetof(ibc_config, idempotency_hours), 1},
        {"IBC_IDEMPOTENCY_HOURS", "8760", offsetof(ibc_config, idempotency_hours), 8760},
        {"IBC_EVENTS_MAX_AGE_DAYS", "1", offsetof(ibc_config, events_max_age_days), 1},
        {"IBC_EVENTS_MAX_AGE_DAYS", "36500", offsetof(ibc_config, events_max_age_days), 36500},
        {"IBC_STATEMENT_TIMEOUT_MS", "0", offsetof(ibc_config, statement_timeout_ms), 0},
        {"IBC_STATEMENT_TIMEOUT_MS", "600000", offsetof(ibc_config, statement_timeout_ms), 600000},
    };
    for (size_t i = 0; i < IBC_LEN(cases); i++) {
        nenv = 0;
        set(cases[i].name, cases[i].value);
        ibc_config cfg;
        char err[256] = "";
        if (ibc_config_load(&cfg, "catalog", fake_getenv, err, sizeof err) != IBC_OK)
            fail_msg("%s=%s rejected: %s", cases[i].name, cases[i].value, err);
        assert_int_equal(*(int *)((char *)&cfg + cases[i].off), cases[i].want);
    }
    nenv = 0;
    set("IBC_MAX_BODY", "1024");
    ibc_config cfg;
    char err[256];
    assert_int_equal(ibc_config_load(&cfg, "catalog", fake_getenv, err, sizeof err), IBC_OK);
    assert_int_equal(cfg.max_body, 1024);
    nenv = 0;
    set("IBC_MAX_BODY", "1073741824");
    assert_int_equal(ibc_config_load(&cfg, "catalog", fake_getenv, err, sizeof err), IBC_OK);
    assert_int_equal(cfg.max_body, 1L << 30);
    nenv = 0;
    set("IBC_EVENTS_MAX_BYTES", "1048576");
    assert_int_equal(ibc_config_load(&cfg, "catalog", fake_getenv, err, sizeof err), IBC_OK);
    assert_true(cfg.events_max_bytes == 1L << 20);
    nenv = 0;
    set("IBC_MIGRATE", "1");
    assert_int_equal(ibc_config_load(&cfg, "catalog", fake_getenv, err, sizeof err), IBC_OK);
    assert_true(cfg.migrate);
}

static void every_log_level_is_accepted(void **state)
{
    (void)state;
    static const char *levels[] = {"debug", "info", "warn", "error"};
    for (size_t i = 0; i < IBC_LEN(levels); i++) {
        nenv = 0;
        set("IBC_LOG_LEVEL", levels[i]);
        ibc_config cfg;
        char err[256] = "";
        assert_int_equal(ibc_config_load(&cfg, "catalog", fake_getenv, err, sizeof err), IBC_OK);
        assert_string_equal(cfg.log_level, levels[i]);
    }
}

/* Loads with NAME=value alone and asserts a rejection naming NAME. */
static void rejected(const char *name, const char *value)
{
    nenv = 0;
    set(name, value);
    ibc_config cfg;
    char err[256] = "";
    ibc_rc rc = ibc_config_load(&cfg, "catalog", fake_getenv, err, sizeof err);
    if (rc != IBC_EINVAL) fail_msg("%s='%.60s' was accepted", name, value);
    if (strncmp(err, name, strlen(name)) != 0 || err[strlen(name)] != ' ')
        fail_msg("%s='%.60s': message '%s' does not name the variable", name, value, err);
}

static void malformed_numbers_are_rejected_naming_the_variable(void **state)
{
    (void)state;
    static const char *numeric[] = {
        "IBC_HTTP_PORT",          "IBC_METRICS_PORT",      "IBC_WORKERS",
        "IBC_REQUEST_TIMEOUT_MS", "IBC_MAX_BODY",          "IBC_MIGRATE",
        "IBC_EVENTS_GATHER_MS",   "IBC_IDEMPOTENCY_HOURS", "IBC_EVENTS_MAX_AGE_DAYS",
        "IBC_EVENTS_MAX_BYTES",   "IBC_INBOX_DAYS",        "IBC_STREAM_REPLICAS"};
    static const char *bad[] = {
        "",
        "abc",
        "12x",
        "1.5",
        "1e3",
        "0x10",
        " 80",
        "80 ",
        "+80",
        "--1",
        "-",
        "80\n",
        "٣",
        "99999999999999999999999",
        "-99999999999999999999999",
    };
    for (size_t i = 0; i < IBC_LEN(numeric); i++)
        for (size_t j = 0; j < IBC_LEN(bad); j++)
            rejected(numeric[i], bad[j]);
}

static void numbers_out_of_range_are_rejected_with_the_range(void **state)
{
    (void)state;
    rejected("IBC_HTTP_PORT", "0");
    rejected("IBC_HTTP_PORT", "65536");
    rejected("IBC_HTTP_PORT", "-1");
    rejected("IBC_METRICS_PORT", "-1");
    rejected("IBC_METRICS_PORT", "65536");
    rejected("IBC_WORKERS", "0");
    rejected("IBC_WORKERS", "257");
    rejected("IBC_EVENTS_GATHER_MS", "-1");
    rejected("IBC_EVENTS_GATHER_MS", "10001");
    rejected("IBC_IDEMPOTENCY_HOURS", "0");
    rejected("IBC_EVENTS_MAX_AGE_DAYS", "0");
    rejected("IBC_EVENTS_MAX_AGE_DAYS", "36501");
    rejected("IBC_EVENTS_MAX_BYTES", "1048575");
    rejected("IBC_REQUEST_TIMEOUT_MS", "9");
    rejected("IBC_REQUEST_TIMEOUT_MS", "600001");
    rejected("IBC_MAX_BODY", "1023");
    rejected("IBC_MAX_BODY", "1073741825");
    rejected("IBC_MIGRATE", "2");
    rejected("IBC_MIGRATE", "-1");
    rejected("IBC_MIGRATE", "true");
    rejected("IBC_MIGRATE", "yes");

    nenv = 0;
    set("IBC_WORKERS", "1000");
    ibc_config cfg;
    char err[256];
    assert_int_equal(ibc_config_load(&cfg, "catalog", fake_getenv, err, sizeof err), IBC_EINVAL);
    assert_string_equal(err, "IBC_WORKERS must be an integer from 1 to 256, not '1000'");
}

static void too_long_strings_are_rejected_naming_the_variable(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        size_t max; /* longest accepted */
    } strs[] = {{"IBC_NATS_URL", 1023},
                {"IBC_PG_DSN", 1023},
                {"IBC_MIGRATIONS_DIR", 511},
                {"IBC_INSTANCE_ID", 63},
                {"IBC_BIND_ADDRESS", 63}};
    char *s = malloc(2048);
    for (size_t i = 0; i < IBC_LEN(strs); i++) {
        memset(s, 'a', strs[i].max);
        s[strs[i].max] = 0;
        nenv = 0;
        set(strs[i].name, s);
        ibc_config cfg;
        char err[256] = "";
        if (ibc_config_load(&cfg, "catalog", fake_getenv, err, sizeof err) != IBC_OK)
            fail_msg("%s of %zu characters rejected: %s", strs[i].name, strs[i].max, err);
        memset(s, 'a', strs[i].max + 1);
        s[strs[i].max + 1] = 0;
        rejected(strs[i].name, s);
        char want[128];
        snprintf(want, sizeof want, "%s is longer than %zu characters", strs[i].name, strs[i].max);
        nenv = 0;
        set(strs[i].name, s);
        assert_int_equal(ibc_config_load(&cfg, "catalog", fake_getenv, err, sizeof err),
                         IBC_EINVAL);
        assert_string_equal(err, want);
    }
    free(s);
}

static void unknown_log_level_is_rejected_naming_the_variable(void **state)
{
    (void)state;
    static const char *bad[] = {
        "", "verbose", "DEBUG", "Info", "warning", "trace", "info ", "0", "a-very-long-level-name"};
    for (size_t i = 0; i < IBC_LEN(bad); i++)
        rejected("IBC_LOG_LEVEL", bad[i]);
}

static void empty_addresses_are_rejected_naming_the_variable(void **state)
{
    (void)state;
    rejected("IBC_NATS_URL", "");
    rejected("IBC_MIGRATIONS_DIR", "");
    rejected("IBC_INSTANCE_ID", "");
    rejected("IBC_BIND_ADDRESS", "");
}

static void context_keys_are_read_and_an_empty_previous_key_means_none(void **state)
{
    (void)state;
    set("IBC_CONTEXT_KEY", "current-key-0123456789-0123456789");
    set("IBC_CONTEXT_KEY_PREVIOUS", "");
    ibc_config cfg;
    char err[256];
    assert_int_equal(ibc_config_load(&cfg, "catalog", fake_getenv, err, sizeof err), IBC_OK);
    assert_string_equal(cfg.context_key, "current-key-0123456789-0123456789");
    assert_string_equal(cfg.context_key_previous, "");
    rejected("IBC_CONTEXT_KEY", "");
    rejected("IBC_STATEMENT_TIMEOUT_MS", "600001");
    rejected("IBC_STATEMENT_TIMEOUT_MS", "-1");
}

static void empty_pg_dsn_means_libpq_defaults(void **state)
{
    (void)state;
    /* libpq reads PGHOST etc. for an empty conninfo: a valid choice */
    set("IBC_PG_DSN", "");
    ibc_config cfg;
    char err[256];
    assert_int_equal(ibc_config_load(&cfg, "catalog", fake_getenv, err, sizeof err), IBC_OK);
    assert_string_equal(cfg.pg_dsn, "");
}

static void a_cluster_url_list_gives_each_server(void **state)
{
    (void)state;
    set("IBC_NATS_URL", "nats://u:p@127.0.0.1:4222, nats://u:p@127.0.0.1:4223 ,,"
                        "nats://u:p@127.0.0.1:4224");
    set("IBC_STREAM_REPLICAS", "3");
    ibc_config cfg;
    char err[256] = "", buf[sizeof cfg.nats_url];
    assert_int_equal(ibc_config_load(&cfg, "catalog", fake_getenv, err, sizeof err), IBC_OK);
    assert_int_equal(cfg.stream_replicas, 3);
    const char *urls[4];
    assert_int_equal(ibc_config_nats_servers(&cfg, buf, sizeof buf, urls, 4), 3);
    assert_string_equal(urls[0], "nats://u:p@127.0.0.1:4222");
    assert_string_equal(urls[1], "nats://u:p@127.0.0.1:4223");
    assert_string_equal(urls[2], "nats://u:p@127.0.0.1:4224");
    assert_int_equal(ibc_config_nats_servers(&cfg, buf, sizeof buf, urls, 2), 0);
}

static void a_url_list_without_a_server_is_rejected(void **state)
{
    (void)state;
    set("IBC_NATS_URL", " , ,");
    ibc_config cfg;
    char err[256] = "";
    assert_int_equal(ibc_config_load(&cfg, "catalog", fake_getenv, err, sizeof err), IBC_EINVAL);
    assert_non_null(strstr(err, "IBC_NATS_URL"));
    nenv = 0;
    set("IBC_STREAM_REPLICAS", "0");
    assert_int_equal(ibc_config_load(&cfg, "catalog", fake_getenv, err, sizeof err), IBC_EINVAL);
    assert_non_null(strstr(err, "IBC_STREAM_REPLICAS"));
}

static void error_message_is_truncated_to_errlen(void **state)
{
    (void)state;
    set("IBC_HTTP_PORT", "nope");
    ibc_config cfg;
    char err[16];
    memset(err, 'z', sizeof err);
    assert_int_equal(ibc_config_load(&cfg, "catalog", fake_getenv, err, sizeof err), IBC_EINVAL);
    assert_int_equal(err[15], 0);
    assert_string_equal(err, "IBC_HTTP_PORT m");
}

static void null_getenv_reads_the_process_environment(void **state)
{
    (void)state;
    unsetenv("IBC_METRICS_PORT");
    setenv("IBC_WORKERS", "7", 1);
    setenv("IBC_LOG_LEVEL", "warn", 1);
    ibc_config cfg;
    char err[256] = "";
    ibc_rc rc = ibc_config_load(&cfg, "training", NULL, err, sizeof err);
    unsetenv("IBC_WORKERS");
    unsetenv("IBC_LOG_LEVEL");
    assert_int_equal(rc, IBC_OK);
    assert_int_equal(cfg.workers, 7);
    assert_string_equal(cfg.log_level, "warn");
    assert_int_equal(cfg.metrics_port, 19103);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(defaults_match_the_local_stack, clear),
        cmocka_unit_test_setup(default_metrics_port_depends_on_the_service, clear),
        cmocka_unit_test_setup(every_variable_overrides_its_default, clear),
        cmocka_unit_test_setup(limits_are_inclusive, clear),
        cmocka_unit_test_setup(every_log_level_is_accepted, clear),
        cmocka_unit_test_setup(malformed_numbers_are_rejected_naming_the_variable, clear),
        cmocka_unit_test_setup(numbers_out_of_range_are_rejected_with_the_range, clear),
        cmocka_unit_test_setup(too_long_strings_are_rejected_naming_the_variable, clear),
        cmocka_unit_test_setup(unknown_log_level_is_rejected_naming_the_variable, clear),
        cmocka_unit_test_setup(empty_addresses_are_rejected_naming_the_variable, clear),
        cmocka_unit_test_setup(context_keys_are_read_and_an_empty_previous_key_means_none, clear),
        cmocka_unit_test_setup(empty_pg_dsn_means_libpq_defaults, clear),
        cmocka_unit_test_setup(a_cluster_url_list_gives_each_server, clear),
        cmocka_unit_test_setup(a_url_list_without_a_server_is_rejected, clear),
        cmocka_unit_test_setup(error_message_is_truncated_to_errlen, clear),
        cmocka_unit_test_setup(null_getenv_reads_the_process_environment, clear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

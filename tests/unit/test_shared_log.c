/* Unit tests of what shared/src/log.c and db.c let into a log line: no
 * password of a NATS URL or a PostgreSQL DSN. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ibc/ibc.h>

static void safe(const char *url, const char *want)
{
    char out[256];
    ibc_log_safe_url(url, out, sizeof out);
    assert_string_equal(out, want);
}

static void url_password_is_hidden(void **state)
{
    (void)state;
    safe("nats://ibc:s3cret@127.0.0.1:4222", "nats://***@127.0.0.1:4222");
    safe("nats://token@nats:4222", "nats://***@nats:4222");
    safe("nats://127.0.0.1:4222", "nats://127.0.0.1:4222");
    safe("nats://a:x@h1:1,nats://b:y@h2:2", "nats://***@h1:1,nats://***@h2:2");
    safe("tls://u:p@host", "tls://***@host");
    /* an @ after the path is not a user: it stays */
    safe("nats://host:1/a@b", "nats://host:1/a@b");
    safe("", "");
}

static void url_is_truncated_safely(void **state)
{
    (void)state;
    char out[12];
    ibc_log_safe_url("nats://user:password@a-long-host-name:4222", out, sizeof out);
    assert_int_equal(strlen(out), sizeof out - 1);
    assert_null(strstr(out, "pass"));
}

static void scrub_replaces_every_occurrence(void **state)
{
    (void)state;
    char msg[] = "pw=hunter2 and again hunter2!";
    ibc_log_scrub(msg, "hunter2");
    assert_string_equal(msg, "pw=*** and again ***!");
    char same[] = "nothing here";
    ibc_log_scrub(same, NULL);
    ibc_log_scrub(same, "");
    assert_string_equal(same, "nothing here");
    char stars[] = "a**b";
    ibc_log_scrub(stars, "**"); /* must end although the mask matches the secret */
    assert_string_equal(stars, "a**b");
}

/* Runs ibc_db_connect(dsn) with stderr in a file; returns what was logged (caller frees). */
static char *connect_log(const char *dsn)
{
    char path[] = "/tmp/test_shared_log.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    PGconn *c = ibc_db_connect(dsn, NULL);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    assert_null(c);
    char *text = calloc(1, 8192);
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, text, 8191);
    assert_true(n > 0);
    close(fd);
    unlink(path);
    return text;
}

static void dsn_password_is_not_logged(void **state)
{
    (void)state;
    /* a password with a blank, unquoted: libpq would say 'missing "=" after "Tail7"' */
    char *log = connect_log("host=127.0.0.1 port=1 password=Zq9 Tail7");
    assert_null(strstr(log, "Tail7"));
    assert_non_null(strstr(log, "cannot be parsed"));
    free(log);
    log = connect_log("host=127.0.0.1 port=1 connect_timeout=2 user=u password=Pw0rdXYZ");
    assert_null(strstr(log, "Pw0rdXYZ"));
    assert_non_null(strstr(log, "database connect failed"));
    free(log);
}

int main(void)
{
    ibc_log_init("test", "debug");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(url_password_is_hidden),
        cmocka_unit_test(url_is_truncated_safely),
        cmocka_unit_test(scrub_replaces_every_occurrence),
        cmocka_unit_test(dsn_password_is_not_logged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

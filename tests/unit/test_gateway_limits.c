/* Unit tests of gateway/limits.c: settings, the token bucket, the count of
 * connections per address and the in-flight cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "../../gateway/limits.h"

static const char *env_name, *env_value;

static const char *fake_getenv(const char *name)
{
    return env_name && strcmp(name, env_name) == 0 ? env_value : NULL;
}

static void defaults_are_documented_ones(void **state)
{
    (void)state;
    gw_limits l;
    char err[256] = "";
    env_name = NULL;
    assert_int_equal(gw_limits_load(&l, fake_getenv, err, sizeof err), IBC_OK);
    assert_int_equal(l.per_address, 64);
    assert_int_equal(l.header_timeout_s, 10);
    assert_int_equal(l.idle_timeout_s, 60);
    assert_int_equal(l.import_body, 32L << 20);
    assert_int_equal(l.in_flight, 256);
    assert_int_equal(l.rate[0], 100);  /* admin */
    assert_int_equal(l.burst[0], 200); /* twice the rate */
    assert_int_equal(l.rate[4], 20);   /* integrator */
    assert_int_equal(l.rate[5], 10);   /* anonymous (/oai), per client address */
    assert_int_equal(l.burst[5], 20);
}

static void a_bad_value_is_named(void **state)
{
    (void)state;
    gw_limits l;
    char err[256] = "";
    env_name = "IBC_RATE_PORTAL", env_value = "ten";
    assert_int_equal(gw_limits_load(&l, fake_getenv, err, sizeof err), IBC_EINVAL);
    assert_non_null(strstr(err, "IBC_RATE_PORTAL"));
    env_name = "IBC_MAX_CONNECTIONS_PER_IP", env_value = "0";
    assert_int_equal(gw_limits_load(&l, fake_getenv, err, sizeof err), IBC_EINVAL);
    assert_non_null(strstr(err, "IBC_MAX_CONNECTIONS_PER_IP"));
    env_name = "IBC_BURST_INTEGRATOR", env_value = "7";
    assert_int_equal(gw_limits_load(&l, fake_getenv, err, sizeof err), IBC_OK);
    assert_int_equal(l.burst[4], 7);
    env_name = "IBC_RATE_ANONYMOUS", env_value = "-1";
    assert_int_equal(gw_limits_load(&l, fake_getenv, err, sizeof err), IBC_EINVAL);
    assert_non_null(strstr(err, "IBC_RATE_ANONYMOUS"));
    env_name = NULL;
}

static void the_bucket_allows_a_burst_then_the_rate(void **state)
{
    (void)state;
    int wait = 0;
    for (int i = 0; i < 3; i++)
        assert_true(gw_rate_take("k1", 2, 3, 100.0, &wait));
    assert_false(gw_rate_take("k1", 2, 3, 100.0, &wait));
    assert_int_equal(wait, 1);
    /* another key has its own bucket */
    assert_true(gw_rate_take("k2", 2, 3, 100.0, &wait));
    /* half a second at 2/s is one token */
    assert_true(gw_rate_take("k1", 2, 3, 100.5, &wait));
    assert_false(gw_rate_take("k1", 2, 3, 100.5, &wait));
    /* a long pause refills to the burst, no more */
    for (int i = 0; i < 3; i++)
        assert_true(gw_rate_take("k1", 2, 3, 200.0, &wait));
    assert_false(gw_rate_take("k1", 2, 3, 200.0, &wait));
    /* a slow rate asks for a longer wait */
    assert_true(gw_rate_take("k3", 1, 1, 0.0, &wait) == true);
    assert_false(gw_rate_take("k3", 1, 1, 0.0, &wait));
    assert_int_equal(wait, 1);
    /* rate 0 is no limit */
    for (int i = 0; i < 1000; i++)
        assert_true(gw_rate_take("k4", 0, 1, 0.0, &wait));
}

static void connections_are_counted_per_address(void **state)
{
    (void)state;
    struct sockaddr_in a = {.sin_family = AF_INET}, b = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    inet_pton(AF_INET, "127.0.0.2", &b.sin_addr);
    for (int i = 0; i < 3; i++) {
        assert_true(gw_address_may_connect((struct sockaddr *)&a, 3));
        gw_address_opened((struct sockaddr *)&a);
    }
    assert_false(gw_address_may_connect((struct sockaddr *)&a, 3));
    assert_true(gw_address_may_connect((struct sockaddr *)&b, 3));
    gw_address_closed((struct sockaddr *)&a);
    assert_true(gw_address_may_connect((struct sockaddr *)&a, 3));
    gw_address_closed((struct sockaddr *)&a);
    gw_address_closed((struct sockaddr *)&a);
    /* the entry is gone: a fresh count */
    assert_true(gw_address_may_connect((struct sockaddr *)&a, 1));
}

static void the_in_flight_cap_holds_and_gives_back(void **state)
{
    (void)state;
    assert_true(gw_in_flight_enter(2));
    assert_true(gw_in_flight_enter(2));
    assert_false(gw_in_flight_enter(2));
    gw_in_flight_leave();
    assert_true(gw_in_flight_enter(2));
    gw_in_flight_leave();
    gw_in_flight_leave();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_documented_ones),
        cmocka_unit_test(a_bad_value_is_named),
        cmocka_unit_test(the_bucket_allows_a_burst_then_the_rate),
        cmocka_unit_test(connections_are_counted_per_address),
        cmocka_unit_test(the_in_flight_cap_holds_and_gives_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

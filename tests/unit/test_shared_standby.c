/* Unit tests of shared/src/standby.c's arithmetic: an LSN is parsed as
 * PostgreSQL prints it, and the standby's data is as fresh as the newest
 * sample of the primary's position that it has replayed, never fresher. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ibc/standby.h>

static void lsn_is_parsed_as_postgresql_prints_it(void **state)
{
    (void)state;
    unsigned long long v = 0;
    assert_true(ibc_standby_parse_lsn("0/3000000", &v));
    assert_true(v == 0x3000000ULL);
    assert_true(ibc_standby_parse_lsn("16/B374D848", &v));
    assert_true(v == (0x16ULL << 32 | 0xB374D848ULL));
}

static void malformed_lsn_is_refused(void **state)
{
    (void)state;
    unsigned long long v = 0;
    assert_false(ibc_standby_parse_lsn(NULL, &v));
    assert_false(ibc_standby_parse_lsn("", &v));
    assert_false(ibc_standby_parse_lsn("16", &v));
    assert_false(ibc_standby_parse_lsn("16/B374D848x", &v));
    assert_false(ibc_standby_parse_lsn("1/2/3", &v));
}

static void freshness_is_the_newest_replayed_sample(void **state)
{
    (void)state;
    const unsigned long long lsn[] = {100, 200, 300, 400};
    const double t[] = {1.0, 1.5, 2.0, 2.5};
    assert_true(ibc_standby_fresh_at(lsn, t, 4, 400) == 2.5);
    assert_true(ibc_standby_fresh_at(lsn, t, 4, 399) == 2.0); /* not 2.5: 400 is missing */
    assert_true(ibc_standby_fresh_at(lsn, t, 4, 250) == 1.5);
    assert_true(ibc_standby_fresh_at(lsn, t, 4, 100) == 1.0);
}

static void nothing_replayed_is_unknown(void **state)
{
    (void)state;
    const unsigned long long lsn[] = {100, 200};
    const double t[] = {1.0, 1.5};
    assert_true(ibc_standby_fresh_at(lsn, t, 2, 99) < 0);
    assert_true(ibc_standby_fresh_at(lsn, t, 0, 1000) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lsn_is_parsed_as_postgresql_prints_it),
        cmocka_unit_test(malformed_lsn_is_refused),
        cmocka_unit_test(freshness_is_the_newest_replayed_sample),
        cmocka_unit_test(nothing_replayed_is_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

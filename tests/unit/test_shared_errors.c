/* Unit tests of shared/src/errors.c: every rc of the project's one error enum
 * maps to the intended HTTP status, problem type slug and title. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <ibc/ibc.h>

static const struct {
    ibc_rc rc;
    int status;
    const char *type;
    const char *title;
} want[] = {
    {IBC_OK, 200, "ok", "OK"},
    {IBC_EINVAL, 400, "invalid-input", "Invalid input"},
    {IBC_EUNAUTH, 401, "unauthorized", "Unauthorized"},
    {IBC_EFORBIDDEN, 403, "forbidden", "Forbidden"},
    {IBC_ENOTFOUND, 404, "not-found", "Not found"},
    {IBC_ENOTALLOWED, 405, "method-not-allowed", "Method not allowed"},
    {IBC_ECONFLICT, 409, "conflict", "Conflict"},
    {IBC_EPRECOND, 412, "precondition-failed", "Precondition failed"},
    {IBC_ETOOBIG, 413, "payload-too-large", "Payload too large"},
    {IBC_EUNSUPPORTED, 415, "unsupported-media-type", "Unsupported media type"},
    {IBC_EUNPROCESSABLE, 422, "unprocessable", "Unprocessable content"},
    {IBC_EPRECOND_REQ, 428, "precondition-required", "Precondition required"},
    {IBC_ETOOMANY, 429, "too-many-requests", "Too many requests"},
    {IBC_ERETRY, 503, "retry", "Concurrent update, retry"},
    {IBC_EDB, 503, "database-unavailable", "Database unavailable"},
    {IBC_EBUS, 503, "service-unavailable", "Service unavailable"},
    {IBC_EBUSY, 503, "overloaded", "Too many requests in flight"},
    {IBC_ETIMEOUT, 504, "timeout", "Service did not answer in time"},
    {IBC_ENOMEM, 500, "internal", "Internal error"},
    {IBC_EINTERNAL, 500, "internal", "Internal error"},
};

static void every_rc_maps_to_its_intended_status_type_and_title(void **state)
{
    (void)state;
    for (size_t i = 0; i < IBC_LEN(want); i++) {
        if (ibc_rc_status(want[i].rc) != want[i].status)
            fail_msg("rc %d: status %d, want %d", want[i].rc, ibc_rc_status(want[i].rc),
                     want[i].status);
        assert_string_equal(ibc_rc_type(want[i].rc), want[i].type);
        assert_string_equal(ibc_rc_title(want[i].rc), want[i].title);
    }
}

static void the_expectation_table_covers_every_rc(void **state)
{
    (void)state;
    /* a new rc added to the enum must be added here and to errors.c */
    assert_int_equal(IBC_LEN(want), IBC_RC_COUNT);
    for (size_t i = 0; i < IBC_LEN(want); i++)
        assert_int_equal(want[i].rc, (int)i);
}

static void every_rc_has_a_table_row(void **state)
{
    (void)state;
    /* a forgotten row in errors.c would read as status 0 and NULL strings */
    for (int rc = 0; rc < IBC_RC_COUNT; rc++) {
        int status = ibc_rc_status((ibc_rc)rc);
        if (status < 200 || status > 599) fail_msg("rc %d has status %d", rc, status);
        assert_non_null(ibc_rc_type((ibc_rc)rc));
        assert_non_null(ibc_rc_title((ibc_rc)rc));
        assert_true(strlen(ibc_rc_type((ibc_rc)rc)) > 0);
        assert_true(strlen(ibc_rc_title((ibc_rc)rc)) > 0);
    }
}

static void every_error_rc_is_a_4xx_or_5xx(void **state)
{
    (void)state;
    for (int rc = IBC_EINVAL; rc < IBC_RC_COUNT; rc++) {
        int status = ibc_rc_status((ibc_rc)rc);
        if (status < 400) fail_msg("error rc %d maps to %d", rc, status);
    }
}

static void caller_errors_are_4xx_and_server_errors_5xx(void **state)
{
    (void)state;
    static const ibc_rc caller[] = {IBC_EINVAL,         IBC_EUNAUTH,     IBC_EFORBIDDEN,
                                    IBC_ENOTFOUND,      IBC_ENOTALLOWED, IBC_ECONFLICT,
                                    IBC_EPRECOND,       IBC_ETOOBIG,     IBC_EUNSUPPORTED,
                                    IBC_EUNPROCESSABLE, IBC_EPRECOND_REQ};
    static const ibc_rc server[] = {IBC_ERETRY,   IBC_EDB,    IBC_EBUS,
                                    IBC_ETIMEOUT, IBC_ENOMEM, IBC_EINTERNAL};
    for (size_t i = 0; i < IBC_LEN(caller); i++) {
        int s = ibc_rc_status(caller[i]);
        assert_true(s >= 400 && s < 500);
    }
    for (size_t i = 0; i < IBC_LEN(server); i++) {
        int s = ibc_rc_status(server[i]);
        assert_true(s >= 500 && s < 600);
    }
}

static void problem_type_slugs_are_url_safe(void **state)
{
    (void)state;
    for (int rc = 0; rc < IBC_RC_COUNT; rc++)
        for (const char *p = ibc_rc_type((ibc_rc)rc); *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || *p == '-'))
                fail_msg("rc %d: slug '%s' has '%c'", rc, ibc_rc_type((ibc_rc)rc), *p);
}

static void out_of_range_rc_is_an_internal_error(void **state)
{
    (void)state;
    static const int bad[] = {IBC_RC_COUNT, IBC_RC_COUNT + 1, 1000, -1};
    for (size_t i = 0; i < IBC_LEN(bad); i++) {
        ibc_rc rc = (ibc_rc)bad[i];
        assert_int_equal(ibc_rc_status(rc), 500);
        assert_string_equal(ibc_rc_type(rc), "internal");
        assert_string_equal(ibc_rc_title(rc), "Internal error");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_rc_maps_to_its_intended_status_type_and_title),
        cmocka_unit_test(the_expectation_table_covers_every_rc),
        cmocka_unit_test(every_rc_has_a_table_row),
        cmocka_unit_test(every_error_rc_is_a_4xx_or_5xx),
        cmocka_unit_test(caller_errors_are_4xx_and_server_errors_5xx),
        cmocka_unit_test(problem_type_slugs_are_url_safe),
        cmocka_unit_test(out_of_range_rc_is_an_internal_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

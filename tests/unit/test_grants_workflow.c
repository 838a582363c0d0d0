/* The grant workflow's tables and the grants service's pure helpers: which
 * jumps are allowed, who may make them, how the allowed ones are named,
 * amounts with kopecks, organisation ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../services/grants/grants.h"
#include "../../services/grants/workflow.h"

#include <string.h>

static void statuses_parse_and_name_each_other(void **state)
{
    (void)state;
    for (int s = 0; s < GS_COUNT; s++)
        assert_int_equal(grant_status_parse(grant_status_name(s)), s);
    assert_int_equal(grant_status_parse("flying"), GS_UNKNOWN);
    assert_int_equal(grant_status_parse("Draft"), GS_UNKNOWN);
    assert_int_equal(grant_status_parse(NULL), GS_UNKNOWN);
    assert_string_equal(grant_status_name(GS_UNKNOWN), "");
    assert_null(grant_status_names[GS_COUNT]);
}

static void the_table_allows_exactly_the_documented_jumps(void **state)
{
    (void)state;
    static const struct {
        int from, to;
    } allowed[] = {
        {GS_DRAFT, GS_SUBMITTED},        {GS_DRAFT, GS_WITHDRAWN},
        {GS_SUBMITTED, GS_UNDER_REVIEW}, {GS_SUBMITTED, GS_WITHDRAWN},
        {GS_UNDER_REVIEW, GS_APPROVED},  {GS_UNDER_REVIEW, GS_REJECTED},
        {GS_UNDER_REVIEW, GS_WITHDRAWN}, {GS_APPROVED, GS_IN_PROGRESS},
        {GS_APPROVED, GS_WITHDRAWN},     {GS_IN_PROGRESS, GS_COMPLETED},
        {GS_IN_PROGRESS, GS_WITHDRAWN},
    };
    int count = 0;
    for (int f = 0; f < GS_COUNT; f++)
        for (int t = 0; t < GS_COUNT; t++) {
            bool want = false;
            for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
                want = want || (allowed[i].from == f && allowed[i].to == t);
            assert_int_equal(grant_may_go(f, t), want);
            count += grant_may_go(f, t);
        }
    assert_int_equal(count, 11);
    for (int s = 0; s < GS_COUNT; s++)
        assert_false(grant_may_go(s, s));
    assert_false(grant_may_go(GS_UNKNOWN, GS_DRAFT));
    assert_false(grant_may_go(GS_DRAFT, GS_COUNT));
}

static void final_statuses_have_no_way_out(void **state)
{
    (void)state;
    assert_true(grant_status_final(GS_REJECTED));
    assert_true(grant_status_final(GS_COMPLETED));
    assert_true(grant_status_final(GS_WITHDRAWN));
    assert_false(grant_status_final(GS_DRAFT));
    assert_false(grant_status_final(GS_APPROVED));
    assert_false(grant_status_final(GS_UNKNOWN));
    json_t *a = grant_next_json(GS_COMPLETED);
    assert_int_equal(json_array_size(a), 0);
    json_decref(a);
}

static void allowed_statuses_are_named_in_a_sentence(void **state)
{
    (void)state;
    char buf[128];
    assert_string_equal(grant_next_text(GS_DRAFT, buf, sizeof buf), "submitted or withdrawn");
    assert_string_equal(grant_next_text(GS_UNDER_REVIEW, buf, sizeof buf),
                        "approved, rejected or withdrawn");
    assert_string_equal(grant_next_text(GS_REJECTED, buf, sizeof buf), "");
    json_t *a = grant_next_json(GS_UNDER_REVIEW);
    assert_int_equal(json_array_size(a), 3);
    assert_string_equal(json_string_value(json_array_get(a, 0)), "approved");
    assert_string_equal(json_string_value(json_array_get(a, 2)), "withdrawn");
    json_decref(a);
}

static void the_school_submits_and_the_lab_decides(void **state)
{
    (void)state;
    assert_true(grant_role_may("librarian", GS_SUBMITTED));
    assert_true(grant_role_may("librarian", GS_WITHDRAWN));
    assert_true(grant_role_may("librarian", GS_IN_PROGRESS));
    assert_false(grant_role_may("librarian", GS_UNDER_REVIEW));
    assert_false(grant_role_may("librarian", GS_APPROVED));
    assert_false(grant_role_may("librarian", GS_REJECTED));
    assert_false(grant_role_may("methodologist", GS_SUBMITTED));
    assert_false(grant_role_may("methodologist", GS_WITHDRAWN));
    assert_true(grant_role_may("methodologist", GS_UNDER_REVIEW));
    assert_true(grant_role_may("methodologist", GS_APPROVED));
    assert_true(grant_role_may("methodologist", GS_REJECTED));
    assert_true(grant_role_may("methodologist", GS_COMPLETED));
    for (int s = GS_SUBMITTED; s < GS_COUNT; s++) {
        assert_true(grant_role_may("admin", s));
        assert_false(grant_role_may("integrator", s));
        assert_false(grant_role_may("portal", s));
        assert_false(grant_role_may(NULL, s));
    }
    assert_false(grant_role_may("admin", GS_DRAFT));
    assert_non_null(strstr(grant_who_may(GS_APPROVED), "methodologist"));
    assert_string_equal(grant_verb(GS_SUBMITTED), "submit a project");
}

static void actions_are_the_jumps_the_role_may_make(void **state)
{
    (void)state;
    json_t *a = grant_actions_json(GS_DRAFT, "librarian");
    assert_int_equal(json_array_size(a), 2);
    assert_string_equal(json_string_value(json_array_get(a, 0)), "submitted");
    assert_string_equal(json_string_value(json_array_get(a, 1)), "withdrawn");
    json_decref(a);
    a = grant_actions_json(GS_DRAFT, "methodologist");
    assert_int_equal(json_array_size(a), 0);
    json_decref(a);
    a = grant_actions_json(GS_UNDER_REVIEW, "methodologist");
    assert_int_equal(json_array_size(a), 2);
    assert_string_equal(json_string_value(json_array_get(a, 1)), "rejected");
    json_decref(a);
    a = grant_actions_json(GS_UNDER_REVIEW, "admin");
    assert_int_equal(json_array_size(a), 3);
    json_decref(a);
    for (const char *const *r = (const char *const[]){"integrator", "portal", NULL}; *r; r++) {
        a = grant_actions_json(GS_APPROVED, *r);
        assert_int_equal(json_array_size(a), 0);
        json_decref(a);
    }
    a = grant_actions_json(GS_COMPLETED, "admin");
    assert_int_equal(json_array_size(a), 0);
    json_decref(a);
}

static void amounts_have_at_most_kopecks(void **state)
{
    (void)state;
    assert_true(grants_amount_valid(0));
    assert_true(grants_amount_valid(1234567.89));
    assert_true(grants_amount_valid(999999999999.99));
    assert_true(grants_amount_valid(0.1));
    assert_false(grants_amount_valid(10.005));
    assert_false(grants_amount_valid(0.001));
    assert_int_equal(grants_kopecks(1234567.89), 123456789);
    assert_int_equal(grants_kopecks(0.29), 29);
}

static void organisation_ids_and_urls(void **state)
{
    (void)state;
    assert_true(ibc_org_valid("school-17"));
    assert_true(ibc_org_valid("resource.centre_1"));
    assert_false(ibc_org_valid(""));
    assert_false(ibc_org_valid(NULL));
    assert_false(ibc_org_valid("school 17"));
    assert_false(ibc_org_valid("школа-17"));
    char long_id[70];
    memset(long_id, 'a', 65);
    long_id[65] = 0;
    assert_false(ibc_org_valid(long_id));
    assert_true(grants_url_valid("https://grants.example/p"));
    assert_false(grants_url_valid("ftp://x"));
    assert_false(grants_url_valid("https://"));
    assert_false(grants_url_valid(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(statuses_parse_and_name_each_other),
        cmocka_unit_test(the_table_allows_exactly_the_documented_jumps),
        cmocka_unit_test(final_statuses_have_no_way_out),
        cmocka_unit_test(allowed_statuses_are_named_in_a_sentence),
        cmocka_unit_test(the_school_submits_and_the_lab_decides),
        cmocka_unit_test(actions_are_the_jumps_the_role_may_make),
        cmocka_unit_test(amounts_have_at_most_kopecks),
        cmocka_unit_test(organisation_ids_and_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of services/training/access.c and the shared request helpers: which role and
 * organisation may read and change which school's training data, who sees
 * staff names, and the checks of query parameters and If-Match. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <nats/nats.h>
#include <string.h>

#include "../../services/training/access.h"
#include <ibc/request.h>

static ibc_ctx caller(const char *role, const char *org)
{
    ibc_ctx ctx = {0};
    ctx.role = role;
    ctx.org = org;
    return ctx;
}

static void librarian_works_on_own_school_only(void **state)
{
    (void)state;
    ibc_ctx c = caller("librarian", "school-1");
    const char *school;
    assert_int_equal(access_read(&c, "school-1", "x"), IBC_OK);
    assert_int_equal(access_write(&c, "school-1", "x"), IBC_OK);
    assert_int_equal(access_read(&c, "school-2", "staff member 1"), IBC_EFORBIDDEN);
    assert_non_null(strstr(c.err_detail, "staff member 1 belongs to 'school-2'"));
    assert_int_equal(access_write(&c, "school-2", "x"), IBC_EFORBIDDEN);
    assert_int_equal(access_network(&c, "create courses"), IBC_EFORBIDDEN);
    /* lists are narrowed to the own school, another one is refused */
    assert_int_equal(access_list_school(&c, NULL, &school), IBC_OK);
    assert_string_equal(school, "school-1");
    assert_int_equal(access_list_school(&c, "school-1", &school), IBC_OK);
    assert_int_equal(access_list_school(&c, "school-2", &school), IBC_EFORBIDDEN);
    assert_true(access_names(&c, "school-1"));
    assert_false(access_names(&c, "school-2"));
    const char *all, *own;
    access_names_params(&c, &all, &own);
    assert_string_equal(all, "f");
    assert_string_equal(own, "school-1");
    /* a librarian without an organisation owns nothing */
    ibc_ctx none = caller("librarian", "");
    assert_int_equal(access_write(&none, "", "x"), IBC_EFORBIDDEN);
    assert_false(access_names(&none, ""));
}

/* Another school's staff member or enrolment does not exist for a
 * librarian: the sentence is the store's for an unknown id, nothing more. */
static void another_schools_object_reads_like_an_unknown_one(void **state)
{
    (void)state;
    ibc_ctx c = caller("librarian", "school-1");
    assert_int_equal(access_object(&c, "school-2", false, "staff member", "7", ""), IBC_ENOTFOUND);
    assert_string_equal(c.err_detail, "no staff member has id '7'");
    c = caller("librarian", "school-1");
    assert_int_equal(access_object(&c, "school-2", true, "staff member", "7", " ('staff_id')"),
                     IBC_ENOTFOUND);
    assert_string_equal(c.err_detail, "no staff member has id '7' ('staff_id')");
    assert_null(strstr(c.err_detail, "school-2"));
    c = caller("librarian", "school-1");
    assert_int_equal(access_object(&c, "school-1", true, "enrolment", "7", ""), IBC_OK);
    c = caller("methodologist", "centre");
    assert_int_equal(access_object(&c, "school-2", true, "enrolment", "7", ""), IBC_OK);
    /* a role that may not read at all still learns it from a 403 */
    c = caller("portal", "school-2");
    assert_int_equal(access_object(&c, "school-2", false, "enrolment", "7", ""), IBC_EFORBIDDEN);
    c = caller("integrator", "x");
    assert_int_equal(access_object(&c, "school-2", false, "enrolment", "7", ""), IBC_OK);
    assert_int_equal(access_object(&c, "school-2", true, "enrolment", "7", ""), IBC_EFORBIDDEN);
}

static void network_roles_do_everything(void **state)
{
    (void)state;
    const char *roles[] = {"admin", "methodologist"};
    for (int i = 0; i < 2; i++) {
        ibc_ctx c = caller(roles[i], "resource-centre");
        const char *school, *all, *own;
        assert_int_equal(access_read(&c, "school-9", "x"), IBC_OK);
        assert_int_equal(access_write(&c, "school-9", "x"), IBC_OK);
        assert_int_equal(access_network(&c, "x"), IBC_OK);
        assert_int_equal(access_list_school(&c, NULL, &school), IBC_OK);
        assert_null(school);
        assert_int_equal(access_list_school(&c, "school-9", &school), IBC_OK);
        assert_string_equal(school, "school-9");
        assert_true(access_names(&c, "school-9"));
        access_names_params(&c, &all, &own);
        assert_string_equal(all, "t");
        assert_null(own);
    }
}

static void integrator_reads_without_names_portal_nothing(void **state)
{
    (void)state;
    ibc_ctx c = caller("integrator", "school-1");
    const char *school, *all, *own;
    assert_int_equal(access_read(&c, "school-9", "x"), IBC_OK);
    assert_int_equal(access_list_school(&c, "school-9", &school), IBC_OK);
    assert_int_equal(access_write(&c, "school-1", "x"), IBC_EFORBIDDEN);
    assert_false(access_names(&c, "school-1")); /* even of its own organisation */
    access_names_params(&c, &all, &own);
    assert_string_equal(all, "f");
    assert_null(own);
    const char *denied[] = {"portal", "", "root"};
    for (int i = 0; i < 3; i++) {
        ibc_ctx p = caller(denied[i], "school-1");
        assert_int_equal(access_read(&p, "school-1", "x"), IBC_EFORBIDDEN);
        assert_int_equal(access_list_school(&p, NULL, &school), IBC_EFORBIDDEN);
        assert_int_equal(access_write(&p, "school-1", "x"), IBC_EFORBIDDEN);
        assert_false(access_names(&p, "school-1"));
    }
}

/* A request envelope with these query parameters (pairs, NULL-terminated). */
static json_t *request(const char *k, ...)
{
    json_t *params = json_object();
    va_list ap;
    va_start(ap, k);
    for (const char *key = k; key; key = va_arg(ap, const char *))
        json_object_set_new(params, key, json_string(va_arg(ap, const char *)));
    va_end(ap);
    return json_pack("{s:o}", "params", params);
}

static void query_parameters_are_checked(void **state)
{
    (void)state;
    ibc_ctx c = caller("admin", "x");
    long n;
    const char *s;
    json_t *r = request("limit", "20", "offset", "0", "status", "left", "from", "2024-01-31",
                        "school", "school-1", NULL);
    static const char *const allowed[] = {"limit", "offset", "status", "from", "school", NULL};
    static const char *const statuses[] = {"active", "left", NULL};
    assert_int_equal(ibc_req_only(&c, r, allowed), IBC_OK);
    assert_int_equal(ibc_req_int(&c, r, "limit", 1, 200, 50, &n), IBC_OK);
    assert_int_equal(n, 20);
    assert_int_equal(ibc_req_int(&c, r, "absent", 1, 200, 50, &n), IBC_OK);
    assert_int_equal(n, 50);
    assert_int_equal(ibc_req_enum(&c, r, "status", statuses, &s), IBC_OK);
    assert_string_equal(s, "left");
    assert_int_equal(ibc_req_date(&c, r, "from", &s), IBC_OK);
    assert_int_equal(ibc_req_org(&c, r, "school", &s), IBC_OK);
    static const char *const fewer[] = {"limit", NULL};
    assert_int_equal(ibc_req_only(&c, r, fewer), IBC_EINVAL);
    assert_non_null(strstr(c.err_detail, "unknown query parameter"));
    json_decref(r);

    static const struct {
        const char *name, *value, *needle;
    } bad[] = {
        {"limit", "0", "'limit' must be an integer from 1 to 200"},
        {"limit", "201", "'limit'"},
        {"limit", "2x", "'limit'"},
        {"limit", "", "'limit'"},
        {"limit", "99999999999999999999", "'limit'"},
        {"from", "2024-02-30", "'from' must be a real date"},
        {"status", "gone", "'status' must be one of active, left, not 'gone'"},
        {"school", "школа", "organisation id"},
        {"id", "123", "must be a UUID"},
        {"course_id", "zzz", "'course_id' must be a UUID"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = request(bad[i].name, bad[i].value, NULL);
        c = caller("admin", "x");
        ibc_rc rc;
        if (strcmp(bad[i].name, "limit") == 0)
            rc = ibc_req_int(&c, r, "limit", 1, 200, 50, &n);
        else if (strcmp(bad[i].name, "from") == 0)
            rc = ibc_req_date(&c, r, "from", &s);
        else if (strcmp(bad[i].name, "status") == 0)
            rc = ibc_req_enum(&c, r, "status", statuses, &s);
        else if (strcmp(bad[i].name, "school") == 0)
            rc = ibc_req_org(&c, r, "school", &s);
        else if (strcmp(bad[i].name, "id") == 0)
            rc = ibc_req_id(&c, r, "id", "course", &s);
        else
            rc = ibc_req_uuid(&c, r, "course_id", &s);
        if (rc != IBC_EINVAL || !strstr(c.err_detail, bad[i].needle))
            fail_msg("%s=%s: rc %d '%s'", bad[i].name, bad[i].value, rc, c.err_detail);
        json_decref(r);
    }
    c = caller("admin", "x");
    assert_int_equal(ibc_req_range(&c, "2024-05-01", "2024-01-01"), IBC_EINVAL);
    assert_int_equal(ibc_req_range(&c, "2024-01-01", "2024-01-01"), IBC_OK);
    assert_int_equal(ibc_req_range(&c, NULL, "2024-01-01"), IBC_OK);
}

/* q_if_match on a message carrying value as If-Match (NULL: none). */
static ibc_rc if_match(const char *value, long *version)
{
    natsMsg *m = NULL;
    assert_int_equal(natsMsg_Create(&m, "ibc.rpc.training.x", NULL, "", 0), NATS_OK);
    if (value) assert_int_equal(natsMsgHeader_Set(m, "If-Match", value), NATS_OK);
    ibc_ctx c = caller("admin", "x");
    c.msg = m;
    ibc_rc rc = ibc_if_match(&c, true, version);
    natsMsg_Destroy(m);
    return rc;
}

static void if_match_takes_this_apis_etags_only(void **state)
{
    (void)state;
    long v;
    assert_int_equal(if_match("\"3\"", &v), IBC_OK);
    assert_int_equal(v, 3);
    assert_int_equal(if_match("W/\"12\"", &v), IBC_OK);
    assert_int_equal(v, 12);
    assert_int_equal(if_match("7", &v), IBC_OK);
    assert_int_equal(v, 7);
    assert_int_equal(if_match(NULL, &v), IBC_EPRECOND_REQ);
    const char *bad[] = {
        "\"\"", "\"0\"", "\"-1\"", "\"x\"", "*", "\"3", "\"99999999999999999999999\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (if_match(bad[i], &v) != IBC_EINVAL) fail_msg("If-Match %s accepted", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(librarian_works_on_own_school_only),
        cmocka_unit_test(another_schools_object_reads_like_an_unknown_one),
        cmocka_unit_test(network_roles_do_everything),
        cmocka_unit_test(integrator_reads_without_names_portal_nothing),
        cmocka_unit_test(query_parameters_are_checked),
        cmocka_unit_test(if_match_takes_this_apis_etags_only),
    };
    nats_Open(-1); /* natsMsg_Destroy needs the library's collector */
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    nats_Close();
    return failed;
}

/* Unit tests of gateway/routes.c: path matching (literal beats parameter,
 * parameters captured, trailing slash, 405 with the Allow list, unknown
 * paths), role bits, and sanity of the real route table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../gateway/routes.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The parameter route comes first: order must not decide. */
static const gw_route table[] = {
    {"GET", "/api/v1/items/{id}", "t.items.get", ROLES_ALL},
    {"GET", "/api/v1/items", "t.items.list", ROLES_ALL},
    {"POST", "/api/v1/items", "t.items.create", ROLES_STAFF},
    {"PUT", "/api/v1/items/{id}", "t.items.update", ROLES_STAFF},
    {"GET", "/api/v1/items/export", "t.items.export", ROLES_NETWORK},
    {"DELETE", "/api/v1/items/{id}/copies/{copy}", "t.copies.delete", ROLE_ADMIN},
    {"GET", "/api/v1/schools/{school}/items/{id}", "t.school.item", ROLES_ALL},
    {"GET", "/api/v1/schools/{school}/items/special", "t.school.special", ROLES_ALL},
};

/* The same routes with the literal first. */
static const gw_route reversed[] = {
    {"GET", "/api/v1/items/export", "t.items.export", ROLES_NETWORK},
    {"GET", "/api/v1/items/{id}", "t.items.get", ROLES_ALL},
};

typedef struct {
    json_t *params;
    bool known;
    char allow[64];
} result;

/* Matches against table; r gets params, path_known and Allow. */
static const gw_route *match(const gw_route *routes, size_t n, const char *method, const char *path,
                             result *r)
{
    r->params = json_object();
    r->known = false;
    memset(r->allow, 'x', sizeof r->allow);
    return gw_route_match(routes, n, method, path, r->params, &r->known, r->allow, sizeof r->allow);
}

static void done(result *r)
{
    json_decref(r->params);
}

static const char *param(result *r, const char *name)
{
    return json_string_value(json_object_get(r->params, name));
}

static void literal_path_matches_its_route(void **state)
{
    (void)state;
    result r;
    const gw_route *rt = match(table, N(table), "GET", "/api/v1/items", &r);
    assert_non_null(rt);
    assert_string_equal(rt->subject, "t.items.list");
    assert_true(r.known);
    assert_int_equal(json_object_size(r.params), 0);
    done(&r);
    rt = match(table, N(table), "POST", "/api/v1/items", &r);
    assert_string_equal(rt->subject, "t.items.create");
    done(&r);
}

static void parameter_is_captured_as_a_string(void **state)
{
    (void)state;
    result r;
    const gw_route *rt = match(table, N(table), "GET", "/api/v1/items/4f2a-b9", &r);
    assert_non_null(rt);
    assert_string_equal(rt->subject, "t.items.get");
    assert_string_equal(param(&r, "id"), "4f2a-b9");
    assert_int_equal(json_object_size(r.params), 1);
    done(&r);
}

static void several_parameters_are_captured(void **state)
{
    (void)state;
    result r;
    const gw_route *rt = match(table, N(table), "DELETE", "/api/v1/items/i-1/copies/c-2", &r);
    assert_non_null(rt);
    assert_string_equal(rt->subject, "t.copies.delete");
    assert_string_equal(param(&r, "id"), "i-1");
    assert_string_equal(param(&r, "copy"), "c-2");
    done(&r);
    rt = match(table, N(table), "GET", "/api/v1/schools/school-17/items/42", &r);
    assert_string_equal(rt->subject, "t.school.item");
    assert_string_equal(param(&r, "school"), "school-17");
    assert_string_equal(param(&r, "id"), "42");
    done(&r);
}

static void parameter_is_percent_decoded_and_keeps_utf8(void **state)
{
    (void)state;
    result r;
    const gw_route *rt = match(table, N(table), "GET", "/api/v1/items/Пушкин%20А", &r);
    assert_non_null(rt);
    assert_string_equal(param(&r, "id"), "Пушкин А");
    done(&r);
    rt = match(table, N(table), "GET", "/api/v1/items/%D0%9F%d1%83", &r);
    assert_string_equal(param(&r, "id"), "Пу");
    done(&r);
}

static void parameter_with_broken_escape_or_bad_utf8_is_kept_raw(void **state)
{
    (void)state;
    static const char *raw[] = {"%C3%28", "ab%2", "%zz", "%00x", "50%"};
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
        char path[64];
        snprintf(path, sizeof path, "/api/v1/items/%s", raw[i]);
        result r;
        assert_non_null(match(table, N(table), "GET", path, &r));
        assert_string_equal(param(&r, "id"), raw[i]);
        done(&r);
    }
}

static void literal_beats_parameter_whatever_the_order(void **state)
{
    (void)state;
    result r;
    const gw_route *rt = match(table, N(table), "GET", "/api/v1/items/export", &r);
    assert_non_null(rt);
    assert_string_equal(rt->subject, "t.items.export");
    assert_int_equal(json_object_size(r.params), 0); /* no id=export */
    done(&r);
    rt = match(reversed, N(reversed), "GET", "/api/v1/items/export", &r);
    assert_string_equal(rt->subject, "t.items.export");
    done(&r);
    rt = match(reversed, N(reversed), "GET", "/api/v1/items/other", &r);
    assert_string_equal(rt->subject, "t.items.get");
    assert_string_equal(param(&r, "id"), "other");
    done(&r);
    rt = match(table, N(table), "GET", "/api/v1/schools/s1/items/special", &r);
    assert_string_equal(rt->subject, "t.school.special");
    assert_string_equal(param(&r, "school"), "s1");
    assert_null(param(&r, "id"));
    done(&r);
}

static void literal_of_another_method_does_not_shadow_a_parameter(void **state)
{
    (void)state;
    result r;
    /* only GET has /items/export; PUT /items/export is PUT /items/{id} */
    const gw_route *rt = match(table, N(table), "PUT", "/api/v1/items/export", &r);
    assert_non_null(rt);
    assert_string_equal(rt->subject, "t.items.update");
    assert_string_equal(param(&r, "id"), "export");
    done(&r);
}

static void trailing_slash_is_ignored(void **state)
{
    (void)state;
    result r;
    const gw_route *rt = match(table, N(table), "GET", "/api/v1/items/", &r);
    assert_non_null(rt);
    assert_string_equal(rt->subject, "t.items.list");
    done(&r);
    rt = match(table, N(table), "GET", "/api/v1/items/abc/", &r);
    assert_non_null(rt);
    assert_string_equal(rt->subject, "t.items.get");
    assert_string_equal(param(&r, "id"), "abc");
    done(&r);
    rt = match(table, N(table), "GET", "/api/v1/items/export/", &r);
    assert_string_equal(rt->subject, "t.items.export");
    done(&r);
}

static void double_slashes_and_empty_segments_do_not_match(void **state)
{
    (void)state;
    static const char *bad[] = {"/api/v1/items//",
                                "/api/v1//items",
                                "//api/v1/items",
                                "/api/v1/items//copies/c",
                                "/api/v1/items/a//copies/c",
                                "/api/v1/items/a/copies/"};
    for (size_t i = 0; i < N(bad); i++) {
        result r;
        const gw_route *rt = match(table, N(table), "DELETE", bad[i], &r);
        if (rt) fail_msg("'%s' matched %s", bad[i], rt->subject);
        done(&r);
        rt = match(table, N(table), "GET", bad[i], &r);
        if (rt) fail_msg("GET '%s' matched %s", bad[i], rt->subject);
        done(&r);
    }
}

static void unknown_path_is_not_known_and_has_empty_allow(void **state)
{
    (void)state;
    static const char *unknown[] = {"/",
                                    "",
                                    "/api/v1",
                                    "/api/v1/item",
                                    "/api/v1/itemsx",
                                    "/api/v1/Items",
                                    "/api/v1/items/a/b",
                                    "/api/v1/items/a/copies",
                                    "api/v1/items",
                                    "/api/v2/items",
                                    "/api/v1/items?x=1"};
    for (size_t i = 0; i < N(unknown); i++) {
        result r;
        const gw_route *rt = match(table, N(table), "GET", unknown[i], &r);
        if (rt) fail_msg("'%s' matched %s", unknown[i], rt->subject);
        if (r.known) fail_msg("'%s' is known", unknown[i]);
        assert_string_equal(r.allow, "");
        assert_int_equal(json_object_size(r.params), 0);
        done(&r);
    }
}

static void other_method_on_a_known_path_lists_the_allowed_ones(void **state)
{
    (void)state;
    result r;
    const gw_route *rt = match(table, N(table), "PATCH", "/api/v1/items/abc", &r);
    assert_null(rt);
    assert_true(r.known);
    assert_string_equal(r.allow, "GET, PUT");
    assert_int_equal(json_object_size(r.params), 0);
    done(&r);
    rt = match(table, N(table), "DELETE", "/api/v1/items", &r);
    assert_null(rt);
    assert_true(r.known);
    assert_string_equal(r.allow, "GET, POST");
    done(&r);
    /* /items/export is served by GET export and (as a parameter) by GET and PUT /items/{id} */
    rt = match(table, N(table), "POST", "/api/v1/items/export", &r);
    assert_null(rt);
    assert_true(r.known);
    assert_string_equal(r.allow, "GET, PUT");
    done(&r);
    rt = match(table, N(table), "GET", "/api/v1/items/a/copies/b", &r);
    assert_null(rt);
    assert_true(r.known);
    assert_string_equal(r.allow, "DELETE");
    done(&r);
}

static void methods_are_case_sensitive(void **state)
{
    (void)state;
    result r;
    const gw_route *rt = match(table, N(table), "get", "/api/v1/items", &r);
    assert_null(rt);
    assert_true(r.known);
    assert_string_equal(r.allow, "GET, POST");
    done(&r);
}

static void allow_list_is_cut_to_its_buffer(void **state)
{
    (void)state;
    char allow[6];
    memset(allow, 'x', sizeof allow);
    bool known = false;
    json_t *params = json_object();
    const gw_route *rt = gw_route_match(table, N(table), "PATCH", "/api/v1/items", params, &known,
                                        allow, sizeof allow);
    assert_null(rt);
    assert_true(known);
    assert_int_equal(allow[sizeof allow - 1], 0);
    assert_string_equal(allow, "GET, ");
    json_decref(params);
}

static void null_allow_buffer_is_allowed(void **state)
{
    (void)state;
    bool known = false;
    json_t *params = json_object();
    assert_null(gw_route_match(table, N(table), "PATCH", "/api/v1/items", params, &known, NULL, 0));
    assert_true(known);
    json_decref(params);
}

static void role_names_map_to_distinct_bits(void **state)
{
    (void)state;
    assert_int_equal(gw_role_bit("admin"), ROLE_ADMIN);
    assert_int_equal(gw_role_bit("methodologist"), ROLE_METHODOLOGIST);
    assert_int_equal(gw_role_bit("librarian"), ROLE_LIBRARIAN);
    assert_int_equal(gw_role_bit("portal"), ROLE_PORTAL);
    assert_int_equal(gw_role_bit("integrator"), ROLE_INTEGRATOR);
    unsigned all = 0;
    static const char *names[] = {"admin", "methodologist", "librarian", "portal", "integrator"};
    for (size_t i = 0; i < N(names); i++) {
        unsigned b = gw_role_bit(names[i]);
        assert_int_equal(b & (b - 1), 0); /* one bit */
        assert_int_equal(all & b, 0);     /* not shared */
        all |= b;
    }
    assert_int_equal(all, ROLES_ALL);
}

static void unknown_role_names_have_no_bit(void **state)
{
    (void)state;
    static const char *bad[] = {"", "Admin", "ADMIN", "admin ", "root", "teacher", "librarians"};
    for (size_t i = 0; i < N(bad); i++)
        assert_int_equal(gw_role_bit(bad[i]), 0);
    assert_int_equal(gw_role_bit(NULL), 0);
}

static void role_groups_hold_the_intended_roles(void **state)
{
    (void)state;
    assert_int_equal(ROLES_STAFF, ROLE_ADMIN | ROLE_METHODOLOGIST | ROLE_LIBRARIAN);
    assert_int_equal(ROLES_STAFF & (ROLE_PORTAL | ROLE_INTEGRATOR), 0);
    assert_int_equal(ROLES_NETWORK, ROLE_ADMIN | ROLE_METHODOLOGIST);
    assert_int_equal(ROLES_NETWORK & ROLE_LIBRARIAN, 0);
    assert_int_equal(ROLES_READ_ALL, ROLES_ALL);
}

/* ---------------------------------------------------- the real table */

/* Writes the path with every {param} replaced by {} into out. */
static void shape(const char *path, char *out, size_t outlen)
{
    size_t o = 0;
    for (const char *p = path; *p && o + 3 < outlen; p++) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (close) {
                out[o++] = '{';
                out[o++] = '}';
                p = close;
                continue;
            }
        }
        out[o++] = *p;
    }
    out[o] = 0;
}

static void real_table_has_no_two_rows_with_the_same_method_and_path(void **state)
{
    (void)state;
    assert_true(gw_nroutes > 0);
    for (size_t i = 0; i < gw_nroutes; i++) {
        char a[512];
        shape(gw_routes[i].path, a, sizeof a);
        for (size_t j = i + 1; j < gw_nroutes; j++) {
            if (strcmp(gw_routes[i].method, gw_routes[j].method)) continue;
            char b[512];
            shape(gw_routes[j].path, b, sizeof b);
            /* "/x/{id}" and "/x/{rid}" are the same route too */
            if (strcmp(a, b) == 0)
                fail_msg("rows %zu and %zu: %s %s and %s (subjects %s, %s)", i, j,
                         gw_routes[i].method, gw_routes[i].path, gw_routes[j].path,
                         gw_routes[i].subject, gw_routes[j].subject);
        }
    }
}

/* A route without a key is a protocol's public endpoint outside the API
 * (OAI-PMH at /oai), never a route of /api/v1, and it only reads. */
static void only_protocol_routes_are_public(void **state)
{
    (void)state;
    size_t n = 0;
    for (size_t i = 0; i < gw_nroutes; i++) {
        const gw_route *r = &gw_routes[i];
        if (!(r->roles & ROLE_ANONYMOUS)) continue;
        n++;
        if (strncmp(r->path, "/api/", 5) == 0 || strncmp(r->subject, "local:", 6) == 0)
            fail_msg("row %zu: %s %s is public", i, r->method, r->path);
        assert_string_equal(r->subject, "catalog.oai.request");
    }
    assert_int_equal(n, 2); /* GET and POST /oai */
}

static void real_table_rows_are_well_formed(void **state)
{
    (void)state;
    static const char *methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    for (size_t i = 0; i < gw_nroutes; i++) {
        const gw_route *r = &gw_routes[i];
        bool method_ok = false;
        for (size_t m = 0; m < N(methods); m++)
            method_ok |= strcmp(r->method, methods[m]) == 0;
        if (!method_ok) fail_msg("row %zu: method '%s'", i, r->method);
        /* the API is under /api/v1/; a public protocol (OAI-PMH) at its own path */
        bool public_route = r->roles & ROLE_ANONYMOUS;
        if (strncmp(r->path, public_route ? "/" : "/api/v1/", public_route ? 1 : 8) != 0)
            fail_msg("row %zu: path '%s'", i, r->path);
        size_t len = strlen(r->path);
        if (r->path[len - 1] == '/') fail_msg("row %zu: trailing slash in '%s'", i, r->path);
        if (strstr(r->path, "//")) fail_msg("row %zu: empty segment in '%s'", i, r->path);
        if (!r->subject || !*r->subject || strchr(r->subject, ' ') || strchr(r->subject, '*') ||
            strchr(r->subject, '>'))
            fail_msg("row %zu (%s %s): subject '%s'", i, r->method, r->path,
                     r->subject ? r->subject : "(null)");
        /* ROLES_PUBLIC (signing in) is the one bit beyond the roles and anonymous */
        if (r->roles == 0 || (r->roles & ~(unsigned)(ROLES_ALL | ROLE_ANONYMOUS | ROLES_PUBLIC)))
            fail_msg("row %zu (%s %s): roles %#x", i, r->method, r->path, r->roles);
        if (r->body != BODY_JSON && r->body != BODY_RAW)
            fail_msg("row %zu (%s %s): body kind %d", i, r->method, r->path, r->body);
        if ((r->max_body < 0 && r->max_body != GW_BODY_IMPORT) || r->timeout_ms < 0)
            fail_msg("row %zu (%s %s): negative limit", i, r->method, r->path);
        /* parameter names are identifiers and the braces are balanced */
        for (const char *p = r->path; (p = strchr(p, '{')); p++) {
            const char *close = strchr(p, '}');
            if (!close || close - p < 2 || memchr(p, '/', close - p))
                fail_msg("row %zu: bad parameter in '%s'", i, r->path);
            for (const char *q = p + 1; q < close; q++)
                if (!((*q >= 'a' && *q <= 'z') || *q == '_' || (*q >= '0' && *q <= '9')))
                    fail_msg("row %zu: parameter name in '%s'", i, r->path);
        }
    }
}

static void real_table_rows_are_reachable(void **state)
{
    (void)state;
    /* each row, with its parameters filled in with an unlikely value, is matched
     * to a row with the same method and path shape (not shadowed by another) */
    for (size_t i = 0; i < gw_nroutes; i++) {
        char path[512];
        size_t o = 0;
        for (const char *p = gw_routes[i].path; *p && o + 8 < sizeof path; p++) {
            if (*p == '{') {
                memcpy(path + o, "zq9-x7", 6);
                o += 6;
                p = strchr(p, '}');
                continue;
            }
            path[o++] = *p;
        }
        path[o] = 0;
        result r;
        const gw_route *rt = match(gw_routes, gw_nroutes, gw_routes[i].method, path, &r);
        if (rt != &gw_routes[i])
            fail_msg("%s %s (%s) is reached as %s", gw_routes[i].method, gw_routes[i].path, path,
                     rt ? rt->path : "nothing");
        done(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(literal_path_matches_its_route),
        cmocka_unit_test(parameter_is_captured_as_a_string),
        cmocka_unit_test(several_parameters_are_captured),
        cmocka_unit_test(parameter_is_percent_decoded_and_keeps_utf8),
        cmocka_unit_test(parameter_with_broken_escape_or_bad_utf8_is_kept_raw),
        cmocka_unit_test(literal_beats_parameter_whatever_the_order),
        cmocka_unit_test(literal_of_another_method_does_not_shadow_a_parameter),
        cmocka_unit_test(trailing_slash_is_ignored),
        cmocka_unit_test(double_slashes_and_empty_segments_do_not_match),
        cmocka_unit_test(unknown_path_is_not_known_and_has_empty_allow),
        cmocka_unit_test(other_method_on_a_known_path_lists_the_allowed_ones),
        cmocka_unit_test(methods_are_case_sensitive),
        cmocka_unit_test(allow_list_is_cut_to_its_buffer),
        cmocka_unit_test(null_allow_buffer_is_allowed),
        cmocka_unit_test(role_names_map_to_distinct_bits),
        cmocka_unit_test(unknown_role_names_have_no_bit),
        cmocka_unit_test(role_groups_hold_the_intended_roles),
        cmocka_unit_test(real_table_has_no_two_rows_with_the_same_method_and_path),
        cmocka_unit_test(real_table_rows_are_well_formed),
        cmocka_unit_test(only_protocol_routes_are_public),
        cmocka_unit_test(real_table_rows_are_reachable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The web workstation's side of the gateway: static pages (types, caching,
 * security headers, no way out of gateway/web by any spelling of ".."), and
 * people's sign-in: sessions in an HttpOnly cookie, the CSRF token on every
 * write, logout, lock-out after 10 wrong passwords, password change, and the
 * admin's accounts; a session carries the same role and school rules as a key. */
#include "harness.h"


#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* One raw request line to the gateway (no client normalises the path);
 * returns the whole response (caller frees). */
static char *raw(const char *method, const char *target, const char *extra)
{
    const char *url = h_env("IBC_GATEWAY_URL");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(atoi(strrchr(url, ':') + 1))};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&to, sizeof to), 0);
    char req[2048];
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n",
                     method, target, extra ? extra : "");
    assert_int_equal(write(fd, req, (size_t)n), n);
    size_t cap = 1 << 16, len = 0;
    char *buf = calloc(1, cap + 1);
    ssize_t k;
    while (len < cap && (k = read(fd, buf + len, cap - len)) > 0)
        len += (size_t)k;
    close(fd);
    return buf;
}

static int raw_status(const char *method, const char *target)
{
    char *r = raw(method, target, NULL);
    int status = 0;
    sscanf(r, "HTTP/1.%*d %d", &status);
    free(r);
    return status;
}

static void index_is_html_with_csp_and_revalidated(void **state)
{
    (void)state;
    char *r = raw("GET", "/", NULL);
    assert_non_null(strstr(r, "HTTP/1.1 200"));
    assert_non_null(strstr(r, "Content-Type: text/html; charset=utf-8"));
    assert_non_null(strstr(r, "script-src 'self';"));
    assert_null(strstr(r, "unsafe-inline"));
    assert_non_null(strstr(r, "X-Content-Type-Options: nosniff"));
    assert_non_null(strstr(r, "Cache-Control: no-cache"));
    assert_non_null(strstr(r, "<html"));
    const char *e = strstr(r, "ETag: ");
    assert_non_null(e);
    char etag[64], hdr[128];
    assert_int_equal(sscanf(e + 6, "%63s", etag), 1);
    snprintf(hdr, sizeof hdr, "If-None-Match: %s\r\n", etag);
    char *again = raw("GET", "/index.html", hdr);
    assert_non_null(strstr(again, "HTTP/1.1 304"));
    free(again), free(r);
    r = raw("GET", "/app.js", NULL);
    assert_non_null(strstr(r, "Content-Type: text/javascript; charset=utf-8"));
    free(r);
    r = raw("GET", "/style.css", NULL);
    assert_non_null(strstr(r, "Content-Type: text/css; charset=utf-8"));
    free(r);
}

static void no_path_leaves_the_web_folder(void **state)
{
    (void)state;
    static const char *paths[] = {
        "/../gateway.h",
        "/../../CMakeLists.txt",
        "/%2e%2e/gateway.h",
        "/%2E%2E%2Fgateway.h",
        "/..%2fweb.c",
        "/.%2e/.%2e/etc/passwd",
        "/..%5cweb.c",
        "/%252e%252e/web.c",
        "/index.html%00.js",
        "/index.html/",
        "/./index.html",
        "//etc/passwd",
        "/web/index.html",
        "/.hidden",
        "/index.HTML",
        "/%69ndex.html",
        "/..",
        "/api",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        int s = raw_status("GET", paths[i]);
        if (s != 404) fprintf(stderr, "%s -> %d\n", paths[i], s);
        assert_int_equal(s, 404);
    }
    char *r = raw("GET", "/no-such-page.html", NULL);
    assert_non_null(strstr(r, "Content-Type: application/problem+json"));
    free(r);
    assert_int_equal(raw_status("POST", "/index.html"), 405);
    assert_int_equal(raw_status("DELETE", "/"), 405);
}

/* Signs in; returns "ibc_session=..." (caller frees) and the CSRF token in csrf. */
static char *sign_in(const char *login, const char *password, char csrf[64], long *status)
{
    char body[512];
    snprintf(body, sizeof body, "{\"login\":\"%s\",\"password\":\"%s\"}", login, password);
    h_resp *r = h_http("POST", "/api/v1/session", NULL, body, NULL);
    *status = r->status;
    char *cookie = NULL;
    const char *sc = h_header(r, "Set-Cookie");
    if (r->status == 201) {
        assert_non_null(sc);
        assert_non_null(strstr(sc, "HttpOnly"));
        assert_non_null(strstr(sc, "SameSite=Strict"));
        assert_non_null(strstr(sc, "Path=/"));
        cookie = strndup(sc, strcspn(sc, ";"));
        snprintf(csrf, 64, "%s", h_str(r, "csrf_token"));
    }
    h_free(r);
    return cookie;
}

/* A request as the session: cookie, and the CSRF token when csrf is not NULL. */
static h_resp *as(const char *cookie, const char *csrf, const char *method, const char *path,
                  const char *body)
{
    char c[256], t[128];
    snprintf(c, sizeof c, "Cookie: %s", cookie);
    snprintf(t, sizeof t, "X-CSRF-Token: %s", csrf ? csrf : "");
    const char *h[] = {c, csrf ? t : NULL, NULL};
    return h_http(method, path, NULL, body, h);
}

/* Makes an account through the admin key; returns its login (caller frees). */
static char *account(const char *org, const char *role, const char *password, char **id)
{
    char *login = h_uniq("web");
    h_resp *r = h_post(h_admin(), "/api/v1/admin/accounts",
                       "{\"login\":\"%s\",\"org\":\"%s\",\"role\":\"%s\",\"password\":\"%s\","
                       "\"name\":\"Мария Ивановна\"}",
                       login, org, role, password);
    assert_int_equal(r->status, 201);
    assert_null(strstr(r->body, "argon2")); /* the hash never leaves */
    if (id) *id = strdup(h_str(r, "id"));
    h_free(r);
    return login;
}

static void a_session_reads_and_writes_only_with_its_csrf_token(void **state)
{
    (void)state;
    char *school = h_uniq("web-s-"), csrf[64];
    char *login = account(school, "librarian", "пароль-библиотекаря", NULL);
    long st;
    char *cookie = sign_in(login, "пароль-библиотекаря", csrf, &st);
    assert_int_equal(st, 201);
    h_resp *r = as(cookie, NULL, "GET", "/api/v1/session", NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "org"), school);
    assert_string_equal(h_str(r, "role"), "librarian");
    assert_string_equal(h_str(r, "csrf_token"), csrf);
    h_free(r);
    const char *reader = "{\"card_barcode\":\"%s\",\"name\":\"Петя\",\"category\":\"student\"}";
    char body[256], *card = h_uniq("WEBCARD");
    snprintf(body, sizeof body, reader, card);
    r = as(cookie, NULL, "POST", "/api/v1/circulation/readers", body);
    assert_int_equal(r->status, 403); /* no token */
    assert_non_null(strstr(h_str(r, "detail"), "CSRF"));
    h_free(r);
    r = as(cookie, "wrong-token-of-the-same-length-as-a-real-one", "POST",
           "/api/v1/circulation/readers", body);
    assert_int_equal(r->status, 403);
    h_free(r);
    r = as(cookie, csrf, "POST", "/api/v1/circulation/readers", body);
    assert_int_equal(r->status, 201);
    assert_string_equal(h_str(r, "school"), school); /* the session's school */
    h_free(r);
    /* the same rules as a key: a librarian names no other school, is no admin */
    snprintf(body, sizeof body,
             "{\"card_barcode\":\"X%s\",\"name\":\"Петя\",\"category\":\"student\",\"school\":"
             "\"another-school\"}",
             card);
    r = as(cookie, csrf, "POST", "/api/v1/circulation/readers", body);
    assert_int_equal(r->status, 403);
    h_free(r);
    r = as(cookie, csrf, "GET", "/api/v1/admin/accounts", NULL);
    assert_int_equal(r->status, 403);
    h_free(r);
    /* a 50 MB upload through the session is refused from its headers alone */
    char hdr[512];
    snprintf(hdr, sizeof hdr,
             "%s\r\nX-CSRF-Token: %s\r\nContent-Type: application/marc\r\n"
             "Content-Length: 52428800\r\n",
             cookie, csrf);
    memmove(hdr + 8, hdr, strlen(hdr) + 1);
    memcpy(hdr, "Cookie: ", 8);
    char *big = raw("POST", "/api/v1/catalog/imports?format=marc21", hdr);
    assert_non_null(strstr(big, "HTTP/1.1 413"));
    assert_non_null(strstr(big, "application/problem+json"));
    free(big);
    /* logout ends the session at once */
    r = as(cookie, csrf, "DELETE", "/api/v1/session", NULL);
    assert_int_equal(r->status, 204);
    assert_non_null(strstr(h_header(r, "Set-Cookie"), "Max-Age=0"));
    h_free(r);
    r = as(cookie, NULL, "GET", "/api/v1/catalog/records", NULL);
    assert_int_equal(r->status, 401);
    h_free(r);
    r = as("ibc_session=made-up", NULL, "GET", "/api/v1/catalog/records", NULL);
    assert_int_equal(r->status, 401);
    h_free(r);
    free(school), free(login), free(cookie), free(card);
}

/* Someone who knows a login and guesses from one address locks that address
 * out, not the account's owner at another (127.0.0.2 here); sign-ins from one
 * address are rate limited. */
static void wrong_passwords_from_one_address_do_not_lock_the_owner_out_elsewhere(void **state)
{
    (void)state;
    char *id, csrf[64], *login = account("web-lock2", "librarian", "верный-пароль-2", &id);
    long st;
    h_source_address("127.0.0.3");
    for (int i = 0; i < 10; i++) {
        free(sign_in(login, "неверный-пароль", csrf, &st));
        assert_int_equal(st, 401);
    }
    free(sign_in(login, "верный-пароль-2", csrf, &st));
    assert_int_equal(st, 429); /* this address is locked out of the account */
    h_source_address("127.0.0.2");
    char *cookie = sign_in(login, "верный-пароль-2", csrf, &st);
    assert_int_equal(st, 201); /* its owner is not */
    assert_non_null(cookie);
    free(cookie);
    /* an address that tries too often is slowed down, whatever the login:
     * forty attempts against a burst of 30 (a login over 64 characters is
     * refused without hashing, so they come fast even on a slow machine) */
    h_source_address("127.0.0.4");
    int limited = 0;
    char body[160];
    snprintf(body, sizeof body, "{\"login\":\"%070d\",\"password\":\"x\"}", 0);
    for (int i = 0; i < 40; i++) {
        h_resp *r = h_http("POST", "/api/v1/session", NULL, body, NULL);
        if (r->status == 429) {
            limited++;
            assert_non_null(h_header(r, "Retry-After"));
            assert_non_null(strstr(h_header(r, "Content-Type"), "application/problem+json"));
        } else {
            assert_int_equal(r->status, 401);
        }
        h_free(r);
    }
    h_source_address(NULL);
    assert_true(limited > 0);
    free(login), free(id);
}

static void ten_wrong_passwords_lock_the_account_until_the_admin_unlocks_it(void **state)
{
    (void)state;
    char *id, csrf[64], *login = account("web-lock", "librarian", "верный-пароль-1", &id);
    long st;
    for (int i = 0; i < 10; i++) {
        free(sign_in(login, "неверный-пароль", csrf, &st));
        assert_int_equal(st, 401);
    }
    char *cookie = sign_in(login, "верный-пароль-1", csrf, &st);
    assert_int_equal(st, 429); /* locked, even with the right password */
    assert_null(cookie);
    h_resp *r = h_http("GET", "/api/v1/admin/accounts?limit=500", h_admin(), NULL, NULL);
    assert_non_null(strstr(r->body, login));
    h_free(r);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/admin/accounts/%s", id);
    r = h_http("PATCH", path, h_admin(), "{\"unlock\":true}", NULL);
    assert_int_equal(r->status, 200);
    h_free(r);
    cookie = sign_in(login, "верный-пароль-1", csrf, &st);
    assert_int_equal(st, 201);
    /* an unknown login answers as a wrong password does */
    free(sign_in("no-such-person", "верный-пароль-1", csrf, &st));
    assert_int_equal(st, 401);
    /* disabling ends the session */
    r = h_http("PATCH", path, h_admin(), "{\"disabled\":true}", NULL);
    assert_int_equal(r->status, 200);
    h_free(r);
    r = as(cookie, NULL, "GET", "/api/v1/session", NULL);
    assert_int_equal(r->status, 401);
    h_free(r);
    free(cookie), free(login), free(id);
}

static void a_person_changes_their_password(void **state)
{
    (void)state;
    char csrf[64], *login = account("web-pw", "methodologist", "старый-пароль", NULL);
    long st;
    char *cookie = sign_in(login, "старый-пароль", csrf, &st);
    h_resp *r = as(cookie, csrf, "PUT", "/api/v1/session/password",
                   "{\"current\":\"не-тот-пароль\",\"new\":\"новый-пароль-1\"}");
    assert_int_equal(r->status, 422);
    h_free(r);
    r = as(cookie, csrf, "PUT", "/api/v1/session/password",
           "{\"current\":\"старый-пароль\",\"new\":\"short\"}");
    assert_int_equal(r->status, 400);
    h_free(r);
    r = as(cookie, NULL, "PUT", "/api/v1/session/password",
           "{\"current\":\"старый-пароль\",\"new\":\"новый-пароль-1\"}");
    assert_int_equal(r->status, 403); /* CSRF */
    h_free(r);
    r = as(cookie, csrf, "PUT", "/api/v1/session/password",
           "{\"current\":\"старый-пароль\",\"new\":\"новый-пароль-1\"}");
    assert_int_equal(r->status, 204);
    h_free(r);
    free(sign_in(login, "старый-пароль", csrf, &st));
    assert_int_equal(st, 401);
    char *again = sign_in(login, "новый-пароль-1", csrf, &st);
    assert_int_equal(st, 201);
    free(again), free(cookie), free(login);
}

static void accounts_refuse_bad_fields(void **state)
{
    (void)state;
    static const char *bodies[] = {
        "{\"login\":\"ok-login\",\"org\":\"s\",\"role\":\"portal\",\"password\":\"long-enough-1\"}",
        "{\"login\":\"Bad "
        "Login\",\"org\":\"s\",\"role\":\"librarian\",\"password\":\"long-enough-1\"}",
        "{\"login\":\"ok-login\",\"org\":\"s "
        "s\",\"role\":\"librarian\",\"password\":\"long-enough-1\"}",
        "{\"login\":\"ok-login\",\"org\":\"s\",\"role\":\"librarian\",\"password\":\"short\"}",
        "{\"login\":\"ok-login\",\"org\":\"s\",\"role\":\"librarian\"}",
        "{\"login\":\"ok-login\",\"org\":\"s\",\"role\":\"librarian\",\"password\":\"long-enough-"
        "1\","
        "\"extra\":1}",
        "[]",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        h_resp *r = h_http("POST", "/api/v1/admin/accounts", h_admin(), bodies[i], NULL);
        if (r->status != 400) fprintf(stderr, "%s -> %ld %s\n", bodies[i], r->status, r->body);
        assert_int_equal(r->status, 400);
        h_free(r);
    }
    char *login = account("web-dup", "librarian", "long-enough-1", NULL);
    h_resp *r = h_post(h_admin(), "/api/v1/admin/accounts",
                       "{\"login\":\"%s\",\"org\":\"x\",\"role\":\"admin\",\"password\":"
                       "\"long-enough-1\"}",
                       login);
    assert_int_equal(r->status, 409);
    h_free(r);
    r = h_http("PATCH", "/api/v1/admin/accounts/5f0c2f9e-8a1b-4c3d-9e2f-00000000beef", h_admin(),
               "{\"name\":\"x\"}", NULL);
    assert_int_equal(r->status, 404);
    h_free(r);
    r = h_http("POST", "/api/v1/session", NULL, "{\"login\":1}", NULL);
    assert_int_equal(r->status, 400);
    h_free(r);
    free(login);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(index_is_html_with_csp_and_revalidated),
        cmocka_unit_test(no_path_leaves_the_web_folder),
        cmocka_unit_test(a_session_reads_and_writes_only_with_its_csrf_token),
        cmocka_unit_test(ten_wrong_passwords_lock_the_account_until_the_admin_unlocks_it),
        cmocka_unit_test(wrong_passwords_from_one_address_do_not_lock_the_owner_out_elsewhere),
        cmocka_unit_test(a_person_changes_their_password),
        cmocka_unit_test(accounts_refuse_bad_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

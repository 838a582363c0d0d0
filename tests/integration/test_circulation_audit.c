/* 152-ФЗ's audit log through the gateway: every read of a reader's personal
 * data (card, list with names, export) and every change leaves one row with
 * who, when, what and the request id; a refused change leaves none; the
 * admin and the reader's own school read it (JSON, CSV), nobody else; bad
 * filters are 400 problem+json; the service's role can neither update nor
 * delete a row; anonymisation keeps the rows, which never held a name. */
#include "harness.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NAME "Сидорова Мария"

static char *school, *lib, *other_lib, *method;

static int setup(void **state)
{
    (void)state;
    school = h_uniq("aud-"); /* the key holds the school from here on */
    lib = h_new_key(school, "librarian");
    char *other = h_uniq("aud-other-");
    other_lib = h_new_key(other, "librarian");
    free(other);
    method = h_new_key("resource-centre", "methodologist");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(school), free(lib), free(other_lib), free(method);
    return 0;
}

/* A reader of the school; its id (caller frees). */
static char *reader(void)
{
    char *card = h_uniq("AUD");
    h_resp *r = h_post(lib, "/api/v1/circulation/readers",
                       "{\"card_barcode\":\"%s\",\"name\":\"" NAME "\",\"category\":\"student\","
                       "\"class\":\"5А\",\"birth_date\":\"2014-03-01\"}",
                       card);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r), free(card);
    return id;
}

/* The audit rows of the reader as `key` sees them (r->json, caller frees). */
static h_resp *log_of(const char *key, const char *id)
{
    return h_get(key, "/api/v1/circulation/audit?reader=%s&limit=500", id);
}

/* The actions of the page's rows, oldest first, space-separated. */
static void actions_of(const h_resp *r, char *out, size_t len)
{
    json_t *items = json_object_get(r->json, "items");
    out[0] = 0;
    for (size_t i = json_array_size(items); i-- > 0;) {
        const char *a = json_string_value(json_object_get(json_array_get(items, i), "action"));
        strncat(out, a, len - strlen(out) - 2);
        if (i) strcat(out, " ");
    }
}

static const char *fields_of(const json_t *row, char *out, size_t len)
{
    char *t = json_dumps(json_object_get(row, "fields"), JSON_COMPACT);
    snprintf(out, len, "%s", t);
    free(t);
    return out;
}

/* Card, list, update, consent and export leave one row each, in order, with
 * who, the request id and the fields; a refused update leaves none; the log
 * carries no name. */
static void reads_and_changes_are_logged_once_each(void **state)
{
    (void)state;
    char *id = reader();
    h_resp *r = h_get(lib, "/api/v1/circulation/readers/%s", id);
    assert_int_equal(r->status, 200);
    h_free(r);
    r = h_get(lib, "/api/v1/circulation/readers?class=5А&limit=500");
    assert_int_equal(r->status, 200);
    h_free(r);
    /* a refused change: a card barcode of another reader (409) */
    char *id2 = reader();
    h_resp *g = h_get(lib, "/api/v1/circulation/readers/%s", id2);
    char path[160], body[320];
    snprintf(path, sizeof path, "/api/v1/circulation/readers/%s", id);
    snprintf(body, sizeof body, "{\"card_barcode\":\"%s\",\"name\":\"x\",\"category\":\"student\"}",
             h_str(g, "card_barcode"));
    h_free(g);
    r = h_http("PUT", path, lib, body, NULL);
    assert_int_equal(r->status, 409);
    h_free(r);
    /* the update changes the name and the class */
    r = h_get(lib, "/api/v1/circulation/readers/%s", id);
    snprintf(body, sizeof body,
             "{\"card_barcode\":\"%s\",\"name\":\"Сидорова Мария Ивановна\",\"category\":"
             "\"student\",\"class\":\"6А\",\"birth_date\":\"2014-03-01\"}",
             h_str(r, "card_barcode"));
    h_free(r);
    r = h_http("PUT", path, lib, body, NULL);
    assert_int_equal(r->status, 200);
    h_free(r);
    snprintf(path, sizeof path, "/api/v1/circulation/readers/%s/consents", id);
    r = h_post(lib, path,
               "{\"kind\":\"parent\",\"basis\":\"заявление\",\"given_on\":\"2026-09-01\","
               "\"given_by\":\"Сидоров Иван\"}");
    assert_int_equal(r->status, 201);
    h_free(r);
    r = h_get(lib, "/api/v1/circulation/readers/%s/personal-data", id);
    assert_int_equal(r->status, 200);
    h_free(r);

    r = log_of(lib, id);
    assert_int_equal(r->status, 200);
    char acts[256], f[256];
    actions_of(r, acts, sizeof acts);
    /* the list showed the class 5А: this reader alone so far */
    assert_string_equal(acts, "create read list read update consent export");
    json_t *items = json_object_get(r->json, "items");
    json_t *update = json_array_get(items, 2), *list = json_array_get(items, 4);
    assert_string_equal(fields_of(update, f, sizeof f), "[\"name\",\"class\"]");
    assert_string_equal(
        fields_of(json_array_get(items, 0), f, sizeof f),
        "[\"name\",\"card_barcode\",\"birth_date\",\"class\",\"consents\",\"loans\"]");
    assert_int_equal(json_array_size(json_object_get(list, "reader_ids")), 1);
    json_t *row = json_array_get(items, 6);
    assert_string_equal(json_string_value(json_object_get(row, "role")), "librarian");
    assert_string_equal(json_string_value(json_object_get(row, "org")), school);
    assert_string_equal(json_string_value(json_object_get(row, "school")), school);
    assert_true(strlen(json_string_value(json_object_get(row, "principal"))) > 0);
    assert_true(strlen(json_string_value(json_object_get(row, "request_id"))) > 0);
    char *text = json_dumps(r->json, JSON_COMPACT);
    assert_null(strstr(text, "Сидоров"));
    assert_null(strstr(text, "AUD"));
    free(text);
    /* by principal and period: the same rows; a day without rows: none */
    char enc[256];
    h_urlenc(json_string_value(json_object_get(row, "principal")), enc, sizeof enc);
    h_resp *p =
        h_get(lib, "/api/v1/circulation/audit?reader=%s&principal=%s&from=2000-01-01", id, enc);
    assert_int_equal(json_integer_value(json_object_get(p->json, "total")), 7);
    h_free(p);
    p = h_get(lib, "/api/v1/circulation/audit?reader=%s&to=2000-01-01", id);
    assert_int_equal(json_integer_value(json_object_get(p->json, "total")), 0);
    h_free(p);
    h_free(r);
    free(id), free(id2);
}

/* Another school's librarian: 404 for our reader, 403 for our school, and
 * its own log shows none of ours; the methodologist: 403; the admin sees
 * the rows and narrows them by school. A methodologist's card (no name) is
 * not a read of personal data. */
static void only_the_admin_and_the_school_read_the_log(void **state)
{
    (void)state;
    char *id = reader();
    h_resp *r = log_of(other_lib, id);
    assert_int_equal(r->status, 404);
    assert_string_equal(h_header(r, "Content-Type"), "application/problem+json");
    h_free(r);
    r = h_get(other_lib, "/api/v1/circulation/audit?school=%s", school);
    assert_int_equal(r->status, 403);
    h_free(r);
    r = h_get(other_lib, "/api/v1/circulation/audit?limit=500");
    assert_int_equal(r->status, 200);
    char *text = json_dumps(r->json, JSON_COMPACT);
    assert_null(strstr(text, id));
    free(text);
    h_free(r);
    r = log_of(method, id);
    assert_int_equal(r->status, 403);
    h_free(r);
    r = h_get(method, "/api/v1/circulation/readers/%s", id);
    assert_int_equal(r->status, 200);
    assert_null(json_object_get(r->json, "name"));
    h_free(r);
    r = h_get(h_admin(), "/api/v1/circulation/readers/%s", id);
    assert_int_equal(r->status, 200);
    h_free(r);
    r = h_get(h_admin(), "/api/v1/circulation/audit?reader=%s&school=%s", id, school);
    assert_int_equal(r->status, 200);
    char acts[128];
    actions_of(r, acts, sizeof acts);
    assert_string_equal(acts, "create read"); /* the admin's; not the methodologist's */
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r->json, "items"), 0), "role")),
                        "admin");
    h_free(r);
    free(id);
}

static void bad_filters_are_400_problems(void **state)
{
    (void)state;
    char longp[260];
    memset(longp, 'p', 201);
    longp[201] = 0;
    const char *bad[] = {
        "reader=not-a-uuid", "from=2026-13-01", "to=yesterday", "from=2026-05-02&to=2026-05-01",
        "action=steal",      "limit=0",         "limit=100000", "offset=-1",
        "format=xml",        "foo=1",           "school=a%20b", NULL,
    };
    char q[512];
    for (const char **b = bad; *b; b++) {
        h_resp *r = h_get(lib, "/api/v1/circulation/audit?%s", *b);
        if (r->status != 400) fail_msg("%s: %ld", *b, r->status);
        assert_string_equal(h_header(r, "Content-Type"), "application/problem+json");
        h_free(r);
    }
    snprintf(q, sizeof q, "/api/v1/circulation/audit?principal=%s", longp);
    h_resp *r = h_get(lib, "%s", q);
    assert_int_equal(r->status, 400);
    h_free(r);
}

/* format=csv: the page as CSV with the BOM, ';' and the reader's id. */
static void the_log_exports_as_csv(void **state)
{
    (void)state;
    char *id = reader();
    h_resp *r = h_get(lib, "/api/v1/circulation/audit?reader=%s&format=csv", id);
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(h_header(r, "Content-Type"), "text/csv"));
    assert_memory_equal(r->body, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(r->body, "Кто;Роль"));
    assert_non_null(strstr(r->body, id));
    assert_non_null(strstr(r->body, ";create;"));
    h_free(r);
    free(id);
}

/* Runs sql as the cluster's admin, optionally as `role`; the SQLSTATE of
 * its failure into state ("" on success). */
static void try_sql(const char *role, const char *sql, char state[6])
{
    PGconn *db = PQconnectdb(h_env("IBC_PG_DSN"));
    assert_int_equal(PQstatus(db), CONNECTION_OK);
    char set[96];
    snprintf(set, sizeof set, "SET ROLE %s", role ? role : "NONE");
    PQclear(PQexec(db, set));
    PGresult *r = PQexec(db, sql);
    const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    snprintf(state, 6, "%s", s ? s : "");
    PQclear(r);
    PQfinish(db);
}

/* The service's role may insert and read, not update, delete or truncate;
 * the trigger refuses even the cluster's admin. */
static void the_log_is_append_only(void **state)
{
    (void)state;
    char *id = reader();
    char sql[200], st[6];
    long before = h_sql_int("SELECT count(*) FROM circulation.pd_audit_log");
    const char *changes[] = {"UPDATE circulation.pd_audit_log SET principal = 'x'",
                             "DELETE FROM circulation.pd_audit_log",
                             "TRUNCATE circulation.pd_audit_log", NULL};
    for (const char **c = changes; *c; c++) {
        try_sql("circulation_app", *c, st);
        if (strcmp(st, "42501") != 0) fail_msg("as circulation_app %s: %s", *c, st);
        try_sql(NULL, *c, st);
        if (strcmp(st, "42501") != 0) fail_msg("as admin %s: %s", *c, st);
    }
    snprintf(sql, sizeof sql, "SELECT count(*) FROM circulation.pd_audit_log");
    assert_true(h_sql_int(sql) >= before);
    try_sql("circulation_app", "SELECT count(*) FROM circulation.pd_audit_log", st);
    assert_string_equal(st, "");
    free(id);
}

/* A reader who left long ago is anonymised: its rows stay, one more says
 * the anonymiser removed the fields, and none holds a name or a card. */
static void anonymisation_keeps_the_rows_without_names(void **state)
{
    (void)state;
    char *id = reader();
    h_resp *r = h_get(lib, "/api/v1/circulation/readers/%s", id);
    h_free(r);
    char sql[400];
    snprintf(sql, sizeof sql,
             "WITH u AS (UPDATE circulation.readers SET status = 'left' WHERE id = '%s' "
             "RETURNING 1) SELECT count(*) FROM u",
             id);
    assert_int_equal(h_sql_int(sql), 1);
    snprintf(sql, sizeof sql,
             "WITH u AS (UPDATE circulation.readers SET left_at = now() - interval '1100 days' "
             "WHERE id = '%s' RETURNING 1) SELECT count(*) FROM u",
             id);
    assert_int_equal(h_sql_int(sql), 1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM circulation.pd_audit_log WHERE reader_ids @> ARRAY['%s'::uuid] "
             "AND action = 'anonymise'",
             id);
    for (int i = 0; i < 100 && h_sql_int(sql) != 1; i++)
        usleep(100000);
    assert_int_equal(h_sql_int(sql), 1);
    r = log_of(lib, id);
    char acts[128];
    actions_of(r, acts, sizeof acts);
    /* the status change to 'left' went through SQL here, not the API */
    assert_string_equal(acts, "create read anonymise");
    json_t *last = json_array_get(json_object_get(r->json, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(last, "principal")),
                        "job:readers.anonymise");
    h_free(r);
    assert_int_equal(h_sql_int("SELECT count(*) FROM circulation.pd_audit_log a "
                               "WHERE a::text LIKE '%Сидоров%' OR a::text LIKE '%AUD%'"),
                     0);
    free(id);
}

/* An overdue list with names is a list of personal data: one row naming the
 * reader; the methodologist's list (ids only) leaves none. */
static void an_overdue_list_with_names_is_logged(void **state)
{
    (void)state;
    char today[16], yesterday[16];
    h_date_years_ago(0, today);
    long d = h_sql_int("SELECT to_char(current_date - 1, 'YYYYMMDD')::int");
    snprintf(yesterday, sizeof yesterday, "%04ld-%02ld-%02ld", d / 10000, d / 100 % 100, d % 100);
    char *rec = h_record("{\"type\":\"book\",\"title\":\"Журнал просрочек\"}");
    char *number = h_uniq("AUDR-");
    h_resp *rc = h_post(lib, "/api/v1/catalog/receipts",
                        "{\"number\":\"%s\",\"date\":\"%s\",\"source\":\"gift\",\"lines\":[{"
                        "\"record_id\":\"%s\",\"copies\":1,\"price_kopecks\":0}]}",
                        number, today, rec);
    assert_int_equal(rc->status, 201);
    const char *barcode = json_string_value(
        json_object_get(json_array_get(json_object_get(rc->json, "items"), 0), "barcode"));
    char *id = reader();
    h_resp *lo = h_post(lib, "/api/v1/circulation/checkouts",
                        "{\"item_barcode\":\"%s\",\"reader_id\":\"%s\",\"due_date\":\"%s\"}",
                        barcode, id, yesterday);
    assert_int_equal(lo->status, 201);
    h_resp *r = h_get(method, "/api/v1/circulation/overdue?school=%s", school);
    assert_int_equal(r->status, 200);
    h_free(r);
    r = h_get(lib, "/api/v1/circulation/overdue?format=csv");
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->body, NAME));
    h_free(r);
    r = h_get(lib, "/api/v1/circulation/audit?reader=%s&action=list", id);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 1);
    h_free(r);
    h_free(lo), h_free(rc), free(number), free(rec), free(id);
}

/* The cost of a read's log row: the same INSERT the service runs, each a
 * transaction of its own as a read's is, timed as the service's role; and
 * a reader card through the gateway, for scale. Prints both. */
static void a_read_row_costs_little(void **state)
{
    (void)state;
    char *id = reader();
    PGconn *db = PQconnectdb(h_env("IBC_PG_DSN"));
    PQclear(PQexec(db, "SET ROLE circulation_app"));
    char readers[160];
    snprintf(readers, sizeof readers, "[{\"id\":\"%s\",\"school\":\"%s\"}]", id, school);
    char rid[64];
    const char *p[] = {"bench", "librarian", school, rid, "read", readers, "[\"name\"]"};
    PGresult *prep = PQprepare(
        db, "a",
        "INSERT INTO circulation.pd_audit_log (principal, role, org, request_id, action, school, "
        "reader_ids, fields) SELECT $1, $2, $3, $4, $5, e->>'school', array_agg((e->>'id')::uuid "
        "ORDER BY n), ARRAY(SELECT jsonb_array_elements_text($7::jsonb)) FROM "
        "jsonb_array_elements($6::jsonb) WITH ORDINALITY AS x(e, n) GROUP BY e->>'school'",
        7, NULL);
    assert_int_equal(PQresultStatus(prep), PGRES_COMMAND_OK);
    PQclear(prep);
    enum { N = 300 };
    double t0 = h_now_s();
    for (int i = 0; i < N; i++) { /* each a request of its own */
        snprintf(rid, sizeof rid, "bench-%s-%d", id, i);
        PGresult *r = PQexecPrepared(db, "a", 7, p, NULL, NULL, 0);
        assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
        PQclear(r);
    }
    double row_ms = (h_now_s() - t0) * 1000 / N;
    /* one request's row twice (a read the gateway sent to two replicas) is
     * refused by the log itself (0072); the service adds ON CONFLICT DO
     * NOTHING, so the second replica's read still answers */
    PGresult *twice = PQexecPrepared(db, "a", 7, p, NULL, NULL, 0);
    assert_string_equal(PQresultErrorField(twice, PG_DIAG_SQLSTATE), "23505");
    PQclear(twice);
    PQfinish(db);
    /* the same card read with a log row (the school's librarian: names) and
     * without one (the methodologist: ids only), interleaved */
    double with = 0, without = 0;
    for (int i = 0; i < N; i++) {
        t0 = h_now_s();
        h_resp *r = h_get(lib, "/api/v1/circulation/readers/%s", id);
        with += h_now_s() - t0;
        assert_int_equal(r->status, 200);
        h_free(r);
        t0 = h_now_s();
        r = h_get(method, "/api/v1/circulation/readers/%s", id);
        without += h_now_s() - t0;
        assert_int_equal(r->status, 200);
        h_free(r);
    }
    double get_ms = with * 1000 / N, plain_ms = without * 1000 / N;
    print_message("audit row alone: %.3f ms; reader card through the gateway: %.3f ms logged, "
                  "%.3f ms not logged\n",
                  row_ms, get_ms, plain_ms);
    assert_true(row_ms < get_ms);
    free(id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_and_changes_are_logged_once_each),
        cmocka_unit_test(only_the_admin_and_the_school_read_the_log),
        cmocka_unit_test(bad_filters_are_400_problems),
        cmocka_unit_test(the_log_exports_as_csv),
        cmocka_unit_test(the_log_is_append_only),
        cmocka_unit_test(anonymisation_keeps_the_rows_without_names),
        cmocka_unit_test(an_overdue_list_with_names_is_logged),
        cmocka_unit_test(a_read_row_costs_little),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* A context services can trust, and deadlines end to end, tried as someone on
 * the bus would: requests sent straight to a service over NATS unsigned, with
 * a forged signature, with a gateway's signature on a changed org or payload,
 * and past their deadline are refused with the right reason and counted; a
 * service calling another passes the caller's org and role on, signed; a POST
 * retried with its Idempotency-Key after a 504 is done once; the catalog's
 * records.find (the Z39.50 server's door) keeps its contract. */
#include "harness.h"

#include <curl/curl.h>
#include <ibc/db.h>
#include <ibc/signing.h>
#include <nats/nats.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static natsConnection *nc;
static ibc_context_keys keys;
static char key_text[300]; /* the stack's IBC_CONTEXT_KEY */

/* The value of NAME=value in the test stack's file (a secrets file that
 * scripts/stack wrote, or port-base when name is NULL), into out. */
static void run_file_value(const char *file, const char *name, char *out, size_t outlen)
{
    char path[1024], line[512];
    snprintf(path, sizeof path, "%s/%s", getenv("IBC_TEST_RUN_DIR"), file);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = name ? strlen(name) : 0;
    out[0] = 0;
    while (!out[0] && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!name)
            snprintf(out, outlen, "%s", line);
        else if (strncmp(line, name, n) == 0 && line[n] == '=')
            snprintf(out, outlen, "%s", line + n + 1);
    }
    fclose(f);
    if (!out[0]) fail_msg("%s has no %s", path, name ? name : "line");
}

/* A NATS connection as one of the stack's processes (its user and private
 * inbox prefix): someone who holds that password, not the context key. */
static natsConnection *connect_as(const char *user)
{
    char var[64], pass[128], base[16], url[256], inbox[64];
    snprintf(var, sizeof var, "IBC_NATS_%s_PASSWORD", user);
    for (char *c = var; *c; c++)
        *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    run_file_value("nats.secrets", var, pass, sizeof pass);
    run_file_value("port-base", NULL, base, sizeof base);
    snprintf(url, sizeof url, "nats://%s:%s@127.0.0.1:%d", user, pass, atoi(base) + 4222);
    snprintf(inbox, sizeof inbox, "_INBOX_%s", user);
    natsConnection *c = NULL;
    natsOptions *o = NULL;
    natsStatus s = natsOptions_Create(&o);
    if (s == NATS_OK) s = natsOptions_SetURL(o, url);
    if (s == NATS_OK) s = natsOptions_SetCustomInboxPrefix(o, inbox);
    if (s == NATS_OK) s = natsConnection_Connect(&c, o);
    natsOptions_Destroy(o);
    if (s != NATS_OK) fail_msg("NATS as %s: %s", user, natsStatus_GetText(s));
    return c;
}

static int setup(void **state)
{
    (void)state;
    run_file_value("context.secrets", "IBC_CONTEXT_KEY", key_text, sizeof key_text);
    char err[256];
    assert_int_equal(ibc_context_keys_init(&keys, key_text, NULL, err, sizeof err), IBC_OK);
    /* the gateway's NATS user may publish every ibc.rpc.>: what the context
     * key protects against is someone holding that password */
    nc = connect_as("gateway");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    natsConnection_Destroy(nc);
    return 0;
}

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
    char **buf = arg;
    size_t old = *buf ? strlen(*buf) : 0;
    char *b = realloc(*buf, old + size * n + 1);
    memcpy(b + old, p, size * n);
    b[old + size * n] = 0;
    *buf = b;
    return size * n;
}

/* ibc_requests_refused_total of a service (index 1..5 as in scripts/stack:
 * catalog, circulation, training, grants, monitoring) for reason; 0 when the
 * series does not exist yet. */
/* The /metrics text of service number index (as refused()); caller frees. */
static char *metrics_text(int index)
{
    char base[16], url[128];
    run_file_value("port-base", NULL, base, sizeof base);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/metrics", atoi(base) + 9100 + index);
    CURL *c = curl_easy_init();
    char *body = NULL;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_cleanup(c);
    assert_non_null(body);
    return body;
}

static long refused(int index, const char *service, const char *reason)
{
    char series[160];
    char *body = metrics_text(index);
    snprintf(series, sizeof series, "ibc_requests_refused_total{service=\"%s\",reason=\"%s\"} ",
             service, reason);
    const char *at = body ? strstr(body, series) : NULL;
    long n = at ? atol(at + strlen(series)) : 0;
    free(body);
    return n;
}

/* Sends m (borrowed) straight to the service and returns the reply envelope
 * (new reference). */
static json_t *ask(natsMsg *m)
{
    natsMsg *r = NULL;
    assert_int_equal(natsConnection_RequestMsg(&r, nc, m, 5000), NATS_OK);
    json_t *env = json_loadb(natsMsg_GetData(r), natsMsg_GetDataLength(r), 0, NULL);
    natsMsg_Destroy(r);
    assert_non_null(env);
    return env;
}

static int status_of(const json_t *env)
{
    return (int)json_integer_value(json_object_get(env, "status"));
}

static const char *detail_of(const json_t *env)
{
    return json_string_value(json_object_get(json_object_get(env, "error"), "detail"));
}

/* A request to training.staff.list as an admin of resource-centre would
 * make it, deadline `ahead_ms` from now; signed when sign is true. */
static natsMsg *staff_list(long long ahead_ms, bool sign)
{
    natsMsg *m = NULL;
    const char *payload = "{\"params\":{}}";
    char when[24];
    snprintf(when, sizeof when, "%lld", ibc_realtime_ms() + ahead_ms);
    assert_int_equal(
        natsMsg_Create(&m, "ibc.rpc.training.staff.list", NULL, payload, (int)strlen(payload)),
        NATS_OK);
    natsMsgHeader_Set(m, "Ibc-Request-Id", "context-test");
    natsMsgHeader_Set(m, "Ibc-Org", "resource-centre");
    natsMsgHeader_Set(m, "Ibc-Role", "admin");
    natsMsgHeader_Set(m, "Ibc-Principal", "forger");
    natsMsgHeader_Set(m, "Ibc-Deadline", when);
    if (sign) assert_int_equal(ibc_context_sign(&keys, m), IBC_OK);
    return m;
}

/* Sends m and checks a refusal with status and a detail containing needle,
 * counted once more under reason. */
static void refused_as(natsMsg *m, int status, const char *needle, const char *reason)
{
    long before = refused(3, "training", reason);
    json_t *env = ask(m);
    assert_int_equal(status_of(env), status);
    if (!strstr(detail_of(env), needle)) fail_msg("detail '%s' lacks '%s'", detail_of(env), needle);
    json_decref(env);
    assert_int_equal(refused(3, "training", reason), before + 1);
}

static void unsigned_request_is_refused(void **state)
{
    (void)state;
    /* every reason's series is there before any refusal: grants, which this
     * test never calls */
    char *text = metrics_text(4);
    for (const char *const *r =
             (const char *const[]){"unsigned", "malformed", "bad_signature", "expired", NULL};
         *r; r++) {
        char series[128];
        snprintf(series, sizeof series,
                 "ibc_requests_refused_total{service=\"grants\",reason=\"%s\"} ", *r);
        if (!strstr(text, series)) fail_msg("no %s", series);
    }
    free(text);
    natsMsg *m = staff_list(5000, false);
    refused_as(m, 401, "is not signed", "unsigned");
    natsMsg_Destroy(m);
}

static void forged_signature_is_refused(void **state)
{
    (void)state;
    natsMsg *m = staff_list(5000, false);
    char sig[80];
    /* the right key id (it reveals nothing), a made-up MAC */
    snprintf(sig, sizeof sig, "v1.%s.%064d", keys.current.kid, 7);
    natsMsgHeader_Set(m, "Ibc-Signature", sig);
    refused_as(m, 401, "does not match", "bad_signature");
    /* an unknown key id */
    snprintf(sig, sizeof sig, "v1.%s.%064d", "0badc0de", 7);
    natsMsgHeader_Set(m, "Ibc-Signature", sig);
    refused_as(m, 401, "does not match", "bad_signature");
    natsMsgHeader_Set(m, "Ibc-Signature", "v1.Ibc-Org-admin");
    refused_as(m, 401, "is malformed", "malformed");
    natsMsg_Destroy(m);
}

/* A copy of m (a message the gateway signed) with one header changed. */
static natsMsg *changed(natsMsg *m, const char *name, const char *value, const char *payload)
{
    natsMsg *c = NULL;
    const char *data = payload ? payload : natsMsg_GetData(m);
    int len = payload ? (int)strlen(payload) : natsMsg_GetDataLength(m);
    assert_int_equal(natsMsg_Create(&c, natsMsg_GetSubject(m), NULL, data, len), NATS_OK);
    const char **names = NULL;
    int n = 0;
    assert_int_equal(natsMsgHeader_Keys(m, &names, &n), NATS_OK);
    for (int i = 0; i < n; i++) {
        const char *v = NULL;
        natsMsgHeader_Get(m, names[i], &v);
        natsMsgHeader_Set(c, names[i], name && strcmp(names[i], name) == 0 ? value : v);
    }
    free((void *)names);
    return c;
}

/* The gateway's own request, captured on the bus while a librarian lists
 * staff, replayed with another org or payload: its signature no longer fits. */
static void gateway_signature_does_not_cover_a_changed_org_or_payload(void **state)
{
    (void)state;
    char *librarian = h_new_key("school-ctx-1", "librarian");
    natsConnection *spy = connect_as("training"); /* may listen to training's requests */
    natsSubscription *sub = NULL;
    assert_int_equal(natsConnection_SubscribeSync(&sub, spy, "ibc.rpc.training.staff.list"),
                     NATS_OK);
    natsConnection_Flush(spy);
    h_resp *r = h_get(librarian, "/api/v1/training/staff");
    assert_int_equal(r->status, 200);
    h_free(r);
    natsMsg *seen = NULL;
    assert_int_equal(natsSubscription_NextMsg(&seen, sub, 2000), NATS_OK);
    const char *v = NULL;
    assert_int_equal(natsMsgHeader_Get(seen, "Ibc-Org", &v), NATS_OK);
    assert_string_equal(v, "school-ctx-1");
    assert_int_equal(natsMsgHeader_Get(seen, "Ibc-Signature", &v), NATS_OK);

    natsMsg *m = changed(seen, "Ibc-Org", "school-ctx-2", NULL);
    refused_as(m, 401, "does not match", "bad_signature");
    natsMsg_Destroy(m);
    m = changed(seen, "Ibc-Role", "admin", NULL);
    refused_as(m, 401, "does not match", "bad_signature");
    natsMsg_Destroy(m);
    m = changed(seen, NULL, NULL, "{\"params\":{\"school\":\"school-ctx-2\"}}");
    refused_as(m, 401, "does not match", "bad_signature");
    natsMsg_Destroy(m);
    /* unchanged, within its deadline, it is the gateway's request: answered */
    m = changed(seen, NULL, NULL, NULL);
    json_t *env = ask(m);
    assert_int_equal(status_of(env), 200);
    json_decref(env);
    natsMsg_Destroy(m);
    natsMsg_Destroy(seen);
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(spy);
    free(librarian);
}

static void expired_deadline_is_dropped_before_the_handler(void **state)
{
    (void)state;
    natsMsg *m = staff_list(-1000, true);
    refused_as(m, 504, "deadline passed", "expired");
    natsMsg_Destroy(m);
    /* the same, signed with a deadline ahead: answered (the key is right) */
    m = staff_list(5000, true);
    json_t *env = ask(m);
    assert_int_equal(status_of(env), 200);
    json_decref(env);
    natsMsg_Destroy(m);
    /* a deadline an hour ahead is no deadline the gateway sets */
    m = staff_list(3600 * 1000LL, true);
    refused_as(m, 401, "is malformed", "malformed");
    natsMsg_Destroy(m);
}

/* A checkout of a barcode circulation has not seen makes it ask the catalog:
 * that call carries the librarian's org, role, principal and request id, names
 * circulation as Via, ends no later than the gateway's deadline, and is
 * signed. */
static void service_call_keeps_the_callers_org_and_role(void **state)
{
    (void)state;
    char *librarian = h_new_key("school-ctx-3", "librarian");
    char *barcode = h_uniq("CTX-NONE-");
    natsConnection *spy = connect_as("catalog");
    natsSubscription *sub = NULL;
    assert_int_equal(natsConnection_SubscribeSync(&sub, spy, "ibc.rpc.catalog.items.lookup"),
                     NATS_OK);
    natsConnection_Flush(spy);
    char body[256];
    snprintf(body, sizeof body,
             "{\"item_barcode\":\"%s\",\"reader_id\":\"00000000-0000-4000-8000-000000000001\"}",
             barcode);
    const char *hdrs[] = {"Ibc-Request-Id: ctx-call-1", NULL};
    long long sent = ibc_realtime_ms();
    h_resp *r = h_http("POST", "/api/v1/circulation/checkouts", librarian, body, hdrs);
    assert_int_equal(r->status, 404);
    h_free(r);

    natsMsg *call = NULL;
    assert_int_equal(natsSubscription_NextMsg(&call, sub, 2000), NATS_OK);
    const char *want[][2] = {{"Ibc-Org", "school-ctx-3"},
                             {"Ibc-Role", "librarian"},
                             {"Ibc-Via", "circulation"},
                             {"Ibc-Request-Id", "ctx-call-1"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *v = NULL;
        assert_int_equal(natsMsgHeader_Get(call, want[i][0], &v), NATS_OK);
        assert_string_equal(v, want[i][1]);
    }
    const char *principal = NULL;
    assert_int_equal(natsMsgHeader_Get(call, "Ibc-Principal", &principal), NATS_OK);
    assert_true(strlen(principal) > 0);
    long long deadline = 0;
    ibc_context_verdict v = ibc_context_verify(&keys, call, sent, &deadline);
    assert_int_equal(v, IBC_CONTEXT_VALID);
    /* the gateway's deadline is its request timeout (5 s in the test stack) */
    assert_true(deadline <= ibc_realtime_ms() + 5000);
    /* and it cannot be stretched into more rights */
    natsMsg *m = changed(call, "Ibc-Role", "admin", NULL);
    assert_int_equal(ibc_context_verify(&keys, m, sent, &deadline), IBC_CONTEXT_BAD_SIGNATURE);
    natsMsg_Destroy(m);
    natsMsg_Destroy(call);
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(spy);
    free(barcode);
    free(librarian);
}

/* A POST that met a paused service got 504; the service, resumed, drops the
 * expired request (each copy the gateway sent); the client's retry with the
 * same Idempotency-Key creates the staff member, and another retry gets the
 * same answer: one row. */
static void post_retried_after_a_504_is_done_once(void **state)
{
    (void)state;
    char *name = h_uniq("Retry After Timeout ");
    char *idem = h_uniq("idem-504-");
    char body[256], header[128];
    snprintf(body, sizeof body, "{\"full_name\":\"%s\",\"school\":\"school-ctx-4\"}", name);
    snprintf(header, sizeof header, "Idempotency-Key: %s", idem);
    const char *hdrs[] = {header, NULL};
    long expired = refused(3, "training", "expired");

    assert_int_equal(h_stack("pause", "training"), 0);
    h_resp *r = h_http("POST", "/api/v1/training/staff", h_admin(), body, hdrs);
    assert_int_equal(h_stack("resume", "training"), 0);
    assert_int_equal(r->status, 504);
    h_free(r);

    r = h_http("POST", "/api/v1/training/staff", h_admin(), body, hdrs);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    r = h_http("POST", "/api/v1/training/staff", h_admin(), body, hdrs);
    assert_int_equal(r->status, 201);
    assert_string_equal(h_str(r, "id"), id);
    h_free(r);

    char sql[512];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM training.staff WHERE full_name = '%s'", name);
    assert_int_equal(h_sql_int(sql), 1);
    /* the request that waited through the pause was dropped, not run late:
     * each of its copies (the gateway sends a write with Idempotency-Key
     * again every IBC_ATTEMPT_TIMEOUT_MS, 1.5 s, within the fixture's 5 s:
     * four copies) */
    for (int i = 0; i < 20 && refused(3, "training", "expired") == expired; i++)
        usleep(100000);
    usleep(300000);
    long dropped = refused(3, "training", "expired") - expired;
    assert_in_range(dropped, 1, 4);
    free(id);
    free(idem);
    free(name);
}

/* The gateway's own write, POST /admin/keys, honours Idempotency-Key too: a
 * retry creates no second key and says which key the first made (its secret
 * is shown once and not kept); the same key with another body is 422. */
static void key_creation_retried_with_its_idempotency_key_is_done_once(void **state)
{
    (void)state;
    char *name = h_uniq("idem key ");
    char *idem = h_uniq("idem-key-");
    char body[256], header[128];
    snprintf(body, sizeof body, "{\"org\":\"school-ctx-5\",\"role\":\"portal\",\"name\":\"%s\"}",
             name);
    snprintf(header, sizeof header, "Idempotency-Key: %s", idem);
    const char *hdrs[] = {header, NULL};
    h_resp *r = h_http("POST", "/api/v1/admin/keys", h_admin(), body, hdrs);
    assert_int_equal(r->status, 201);
    assert_non_null(h_str(r, "key"));
    char *id = strdup(h_str(r, "id")), *secret = strdup(h_str(r, "key"));
    h_free(r);
    r = h_http("POST", "/api/v1/admin/keys", h_admin(), body, hdrs);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, id));
    assert_null(strstr(r->body, secret)); /* shown once, never again */
    h_free(r);
    r = h_http("POST", "/api/v1/admin/keys", h_admin(),
               "{\"org\":\"school-ctx-5\",\"role\":\"admin\"}", hdrs);
    assert_int_equal(r->status, 422);
    h_free(r);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM gateway.api_keys WHERE name = '%s'", name);
    assert_int_equal(h_sql_int(sql), 1);
    free(secret);
    free(id);
    free(idem);
    free(name);
}

/* A worker's connection carries statement_timeout as a connection option: a
 * statement longer than it is cancelled (57014, a 504 for the caller), and
 * the option survives the reset after a lost connection. */
static void worker_connections_cancel_a_statement_past_the_timeout(void **state)
{
    (void)state;
    PGconn *db = ibc_db_connect_timeout(h_env("IBC_PG_DSN"), "training", 200);
    assert_non_null(db);
    for (int round = 0; round < 2; round++) {
        PGresult *r = PQexec(db, "SELECT pg_sleep(1)");
        assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
        assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "57014");
        assert_int_equal(ibc_db_rc(r), IBC_ETIMEOUT);
        PQclear(r);
        r = PQexec(db, "SELECT pg_sleep(0.05)");
        assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
        PQclear(r);
        PQreset(db);
    }
    PQfinish(db);
}

/* After all the refusals above, no log of the stack holds the key (nor
 * does any refusal's log line hold a signature). */
static void no_log_holds_the_context_key(void **state)
{
    (void)state;
    static const char *const names[] = {"gateway",  "catalog", "circulation",
                                        "training", "grants",  "monitoring"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/logs/%s.log", getenv("IBC_TEST_RUN_DIR"), names[i]);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        char line[8192];
        while (fgets(line, sizeof line, f)) {
            if (strstr(line, key_text)) fail_msg("%s.log holds the context key", names[i]);
            if (strstr(line, "refused") && strstr(line, "v1."))
                fail_msg("%s.log: a refusal quotes a signature: %s", names[i], line);
        }
        fclose(f);
    }
}

/* catalog.records.find as ibc-z3950 asks it (role portal, org z3950),
 * signed; the reply envelope. */
static json_t *find(const char *fmt, ...)
{
    char inner[1024], body[1100], when[24];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(inner, sizeof inner, fmt, ap);
    va_end(ap);
    snprintf(body, sizeof body, "{\"params\":{},\"body\":%s}", inner);
    natsMsg *m = NULL;
    snprintf(when, sizeof when, "%lld", ibc_realtime_ms() + 5000);
    assert_int_equal(
        natsMsg_Create(&m, "ibc.rpc.catalog.records.find", NULL, body, (int)strlen(body)), NATS_OK);
    natsMsgHeader_Set(m, "Ibc-Request-Id", "find-test");
    natsMsgHeader_Set(m, "Ibc-Org", "z3950");
    natsMsgHeader_Set(m, "Ibc-Role", "portal");
    natsMsgHeader_Set(m, "Ibc-Principal", "z3950");
    natsMsgHeader_Set(m, "Ibc-Deadline", when);
    assert_int_equal(ibc_context_sign(&keys, m), IBC_OK);
    json_t *env = ask(m);
    natsMsg_Destroy(m);
    return env;
}

/* The record of a records.find reply by ids (the first). */
static const json_t *found(const json_t *env)
{
    if (status_of(env) != 200) fail_msg("records.find: %d %s", status_of(env), detail_of(env));
    return json_array_get(json_object_get(json_object_get(env, "body"), "records"), 0);
}

/* records.find, the Z39.50 server's door into the catalog: each form carries
 * what it says and nothing else (ISO 2709 whose leader gives its own length,
 * holdings for OPAC, Dublin Core alone for dc, everything without a form);
 * a count beyond exact_up_to is estimated and says so; bad fields are 400. */
static void records_find_forms_and_estimates(void **state)
{
    (void)state;
    char *w = h_uniq("Навигаторы"), body[256], *id = NULL;
    for (int i = 0; i < 3; i++) {
        snprintf(body, sizeof body, "{\"type\":\"book\",\"title\":\"%s %d\",\"year\":2001}", w, i);
        char *made = h_record(body);
        if (i == 0)
            id = made;
        else
            free(made);
    }
    json_t *env = find("{\"ids\":[\"%s\"],\"syntax\":\"marc21\",\"form\":\"iso2709\"}", id);
    const json_t *r = found(env);
    const char *iso = json_string_value(json_object_get(r, "iso2709"));
    assert_non_null(iso);
    size_t n = json_string_length(json_object_get(r, "iso2709"));
    assert_int_equal(strtol((char[6]){iso[0], iso[1], iso[2], iso[3], iso[4], 0}, NULL, 10), n);
    assert_int_equal(iso[n - 1], 0x1d);
    assert_non_null(strstr(iso, w));
    assert_null(json_object_get(r, "marcxml"));
    assert_true(json_is_null(json_object_get(r, "holdings")));
    assert_true(json_is_null(json_object_get(r, "dc")));
    json_decref(env);
    env = find("{\"ids\":[\"%s\"],\"syntax\":\"marc21\",\"form\":\"opac\"}", id);
    r = found(env);
    assert_true(json_is_string(json_object_get(r, "iso2709")));
    assert_true(json_is_array(json_object_get(r, "holdings")));
    json_decref(env);
    env = find("{\"ids\":[\"%s\"],\"syntax\":\"marc21\",\"form\":\"dc\"}", id);
    r = found(env);
    assert_non_null(
        strstr(json_string_value(json_object_get(json_object_get(r, "dc"), "title")), w));
    assert_null(json_object_get(r, "iso2709"));
    assert_null(json_object_get(r, "marcxml"));
    json_decref(env);
    env = find("{\"ids\":[\"%s\"],\"syntax\":\"marc21\"}", id);
    r = found(env);
    assert_true(json_is_string(json_object_get(r, "marcxml")));
    assert_true(json_is_array(json_object_get(r, "holdings")));
    assert_true(json_is_object(json_object_get(r, "dc")));
    json_decref(env);
    /* three hits: exact up to the page's end, estimated beyond it */
    static const char q[] = "{\"query\":{\"index\":\"title\",\"term\":\"%s\"},\"ids_only\":true,"
                            "\"limit\":%d,\"exact_up_to\":1}";
    env = find(q, w, 1);
    const json_t *b = json_object_get(env, "body");
    assert_int_equal(status_of(env), 200);
    assert_true(json_is_true(json_object_get(b, "estimated")));
    assert_true(json_integer_value(json_object_get(b, "total")) >= 2);
    assert_int_equal(json_array_size(json_object_get(b, "ids")), 1);
    json_decref(env);
    env = find(q, w, 3);
    b = json_object_get(env, "body");
    assert_true(json_is_false(json_object_get(b, "estimated")));
    assert_int_equal(json_integer_value(json_object_get(b, "total")), 3);
    json_decref(env);
    static const char *const bad[] = {
        "{\"ids\":[\"%s\"],\"form\":\"pdf\"}",
        "{\"ids\":[\"%s\"],\"form\":5}",
        "{\"query\":{\"index\":\"title\",\"term\":\"%s\"},\"ids_only\":true,\"exact_up_to\":0}",
        "{\"query\":{\"index\":\"title\",\"term\":\"%s\"},\"ids_only\":true,"
        "\"exact_up_to\":3000000000}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        env = find(bad[i], i < 2 ? id : w);
        assert_int_equal(status_of(env), 400);
        json_decref(env);
    }
    free(id);
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unsigned_request_is_refused),
        cmocka_unit_test(forged_signature_is_refused),
        cmocka_unit_test(gateway_signature_does_not_cover_a_changed_org_or_payload),
        cmocka_unit_test(expired_deadline_is_dropped_before_the_handler),
        cmocka_unit_test(service_call_keeps_the_callers_org_and_role),
        cmocka_unit_test(post_retried_after_a_504_is_done_once),
        cmocka_unit_test(key_creation_retried_with_its_idempotency_key_is_done_once),
        cmocka_unit_test(worker_connections_cancel_a_statement_past_the_timeout),
        cmocka_unit_test(no_log_holds_the_context_key),
        cmocka_unit_test(records_find_forms_and_estimates),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

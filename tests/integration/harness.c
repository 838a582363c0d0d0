/* The integration harness (see harness.h). */
#include "harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <libpq-fe.h>
#include <ctype.h>
#include <nats/nats.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_VARS 32
static char var_names[MAX_VARS][64], var_values[MAX_VARS][512];
static int nvars;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;

static void load_env(void)
{
    const char *dir = getenv("IBC_TEST_RUN_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/env", dir ? dir : ".run-test");
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "harness: cannot read %s (is the stack.up fixture running?)\n", path);
        exit(1);
    }
    char line[1024];
    while (nvars < MAX_VARS && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        char *eq = strchr(line, '=');
        if (!eq) continue;
        *eq = 0;
        char *v = eq + 1;
        size_t n = strlen(v);
        if (n >= 2 && v[0] == '"' && v[n - 1] == '"') v[n - 1] = 0, v++;
        snprintf(var_names[nvars], sizeof var_names[0], "%s", line);
        snprintf(var_values[nvars], sizeof var_values[0], "%s", v);
        nvars++;
    }
    fclose(f);
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

const char *h_env(const char *name)
{
    pthread_once(&env_once, load_env);
    for (int i = 0; i < nvars; i++)
        if (strcmp(var_names[i], name) == 0) return var_values[i];
    return NULL;
}

const char *h_admin(void)
{
    return h_env("IBC_ADMIN_KEY");
}

typedef struct {
    char *data;
    size_t len;
} sink;

static size_t collect(char *ptr, size_t size, size_t n, void *arg)
{
    sink *s = arg;
    size_t add = size * n;
    char *d = realloc(s->data, s->len + add + 1);
    if (!d) return 0;
    memcpy(d + s->len, ptr, add);
    s->data = d;
    s->len += add;
    d[s->len] = 0;
    return add;
}

/* Every response is written as one JSON line to
 * $IBC_TEST_RUN_DIR/responses/<pid>.jsonl (method, path with its query,
 * status, content_type, and the body when it is JSON), for the docs.responses
 * test (tools/check-responses.mjs) to validate against docs/openapi.yaml. */
static FILE *responses_file(void)
{
    static FILE *f;
    static bool tried;
    if (tried) return f;
    tried = true;
    const char *run = getenv("IBC_TEST_RUN_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/responses", run ? run : ".run-test");
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "harness: cannot make %s: %s\n", path, strerror(errno));
        exit(1);
    }
    snprintf(path + strlen(path), sizeof path - strlen(path), "/%ld.jsonl", (long)getpid());
    if (!(f = fopen(path, "a"))) {
        fprintf(stderr, "harness: cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return f;
}

static void record_response(const char *method, const char *path, const h_resp *r)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    const char *ct = h_header(r, "Content-Type");
    json_t *line = json_pack("{s:s, s:s, s:i, s:s?}", "method", method, "path", path, "status",
                             (json_int_t)r->status, "content_type", ct);
    if (ct && strstr(ct, "json")) {
        json_t *text = json_stringn(r->body, r->len);
        json_object_set_new(line, text ? "body" : "body_not_utf8", text ? text : json_true());
    } else {
        json_object_set_new(line, "body_len", json_integer((json_int_t)r->len));
    }
    char *text = json_dumps(line, JSON_COMPACT);
    json_decref(line);
    pthread_mutex_lock(&lock);
    FILE *f = responses_file();
    fprintf(f, "%s\n", text);
    fflush(f);
    pthread_mutex_unlock(&lock);
    free(text);
}

/* The calling thread's curl handle, kept alive across its requests and
 * cleaned up (its connection closed) when the thread ends: a test that
 * starts threads by the hundred must not leave their connections open, or
 * the gateway's per-address connection limit refuses the next ones. */
static pthread_key_t curl_key;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void make_curl_key(void)
{
    pthread_key_create(&curl_key, (void (*)(void *))curl_easy_cleanup);
}
static CURL *thread_curl(void)
{
    pthread_once(&curl_once, make_curl_key);
    CURL *c = pthread_getspecific(curl_key);
    if (!c) {
        c = curl_easy_init();
        pthread_setspecific(curl_key, c);
    }
    return c;
}

static __thread char source_address[64];

void h_source_address(const char *ip)
{
    snprintf(source_address, sizeof source_address, "%s", ip ? ip : "");
}

/* A request to base + path (see h_http_raw). */
static h_resp *http_at(const char *base, const char *method, const char *path, const char *key,
                       const void *body, size_t len, const char *const *headers)
{
    h_resp *r = calloc(1, sizeof *r);
    char *url = malloc(strlen(base) + strlen(path) + 1);
    sprintf(url, "%s%s", base, path);
    /* one kept-alive connection per thread: a new TCP connection per request
     * made long tests a third slower */
    CURL *c = thread_curl();
    curl_easy_reset(c);
    struct curl_slist *hl = NULL;
    bool has_ct = false, has_expect = false;
    for (const char *const *h = headers; h && *h; h++) {
        hl = curl_slist_append(hl, *h);
        if (strncasecmp(*h, "Content-Type:", 13) == 0) has_ct = true;
        if (strncasecmp(*h, "Expect:", 7) == 0) has_expect = true;
    }
    if (body && !has_ct) hl = curl_slist_append(hl, "Content-Type: application/json");
    if (key) {
        char auth[600];
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
        hl = curl_slist_append(hl, auth);
    }
    if (!has_expect) hl = curl_slist_append(hl, "Expect:");
    sink b = {0}, hd = {0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    if (source_address[0]) {
        /* a connection of its own from that address, none kept for others */
        curl_easy_setopt(c, CURLOPT_INTERFACE, source_address);
        curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    }
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &hd);
    /* 120 s, longer with IBC_TEST_SCALE (sanitized processes on a loaded
     * machine took over 120 s for a 23 MB MARC upload), at most 600 s */
    double scaled = 120 * h_test_scale();
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)(scaled < 600 ? scaled : 600));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    if (strcmp(method, "HEAD") == 0) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    CURLcode cc = curl_easy_perform(c);
    if (cc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    else
        fprintf(stderr, "harness: %s %s: %s\n", method, path, curl_easy_strerror(cc));
    r->body = b.data ? b.data : strdup("");
    r->len = b.len;
    r->headers = hd.data ? hd.data : strdup("");
    if (r->len) r->json = json_loadb(r->body, r->len, JSON_DECODE_ANY, NULL);
    curl_slist_free_all(hl);
    free(url);
    return r;
}

h_resp *h_http_raw(const char *method, const char *path, const char *key, const void *body,
                   size_t len, const char *const *headers)
{
    h_resp *r = http_at(h_env("IBC_GATEWAY_URL"), method, path, key, body, len, headers);
    if (r->status) record_response(method, path, r); /* the public API's answers only */
    return r;
}

h_resp *h_admin_http(const char *method, const char *path, const char *body)
{
    return http_at(h_env("IBC_GATEWAY_ADMIN_URL"), method, path, NULL, body,
                   body ? strlen(body) : 0, NULL);
}

h_resp *h_admin_get(const char *path)
{
    return h_admin_http("GET", path, NULL);
}

h_resp *h_http(const char *method, const char *path, const char *key, const char *body,
               const char *const *headers)
{
    return h_http_raw(method, path, key, body, body ? strlen(body) : 0, headers);
}

h_resp *h_get(const char *key, const char *fmt, ...)
{
    char path[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    return h_http("GET", path, key, NULL, NULL);
}

h_resp *h_vpost(const char *key, const char *path, const char *fmt, va_list ap)
{
    char *body = NULL;
    /* no body when fmt is NULL (glibc refuses a NULL format; ASan's
     * interceptor crashed on it) */
    if (fmt && vasprintf(&body, fmt, ap) < 0) body = NULL;
    h_resp *r = h_http("POST", path, key, body, NULL);
    free(body);
    return r;
}

h_resp *h_post(const char *key, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    h_resp *r = h_vpost(key, path, fmt, ap);
    va_end(ap);
    return r;
}

void h_free(h_resp *r)
{
    if (!r) return;
    free(r->body);
    free(r->headers);
    json_decref(r->json);
    free(r);
}

const char *h_header(const h_resp *r, const char *name)
{
    static _Thread_local char value[1024];
    size_t n = strlen(name);
    for (const char *line = r->headers; line && *line;) {
        const char *end = strstr(line, "\r\n");
        if (!end) end = line + strlen(line);
        if ((size_t)(end - line) > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            snprintf(value, sizeof value, "%.*s", (int)(end - v), v);
            return value;
        }
        line = *end ? end + 2 : end;
    }
    return NULL;
}

const char *h_str(const h_resp *r, const char *member)
{
    return json_string_value(json_object_get(r->json, member));
}

char *h_new_key(const char *org, const char *role)
{
    char body[256];
    snprintf(body, sizeof body, "{\"org\":\"%s\",\"role\":\"%s\",\"name\":\"test\"}", org, role);
    h_resp *r = h_http("POST", "/api/v1/admin/keys", h_admin(), body, NULL);
    if (r->status != 201) {
        fprintf(stderr, "harness: key for %s/%s: %ld %s\n", org, role, r->status, r->body);
        h_free(r);
        return NULL;
    }
    char *key = strdup(h_str(r, "key"));
    h_free(r);
    return key;
}

char *h_uniq(const char *prefix)
{
    static unsigned counter;
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    unsigned n = ++counter;
    pthread_mutex_unlock(&lock);
    char *s = NULL;
    if (asprintf(&s, "%s%ld%03u%u", prefix, (long)time(NULL) % 100000, (unsigned)getpid() % 1000,
                 n) < 0)
        return NULL;
    return s;
}

char *h_isbn(void)
{
    static unsigned counter;
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    unsigned n = ++counter;
    pthread_mutex_unlock(&lock);
    char d[14];
    unsigned long long body = ((unsigned long long)time(NULL) % 1000ULL) * 1000000ULL +
                              ((unsigned)getpid() % 1000) * 1000ULL + n % 1000;
    snprintf(d, sizeof d, "979%09llu", body % 1000000000ULL);
    int sum = 0;
    for (int i = 0; i < 12; i++)
        sum += (d[i] - '0') * (i % 2 ? 3 : 1);
    d[12] = (char)('0' + (10 - sum % 10) % 10);
    d[13] = 0;
    return strdup(d);
}

/* ------------------------------------------------------------------ events */

struct h_events {
    natsConnection *nc;
    natsSubscription *sub;
    json_t *seen; /* array of {"nats": subject, "event": CloudEvent} */
};

/* The servers of a URL list ("a,b,c": a cluster's nodes) on o. */
static natsStatus set_servers(natsOptions *o, const char *list)
{
    char buf[2048];
    const char *urls[16];
    int n = 0;
    if (!list) return NATS_INVALID_ARG;
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *u = strtok_r(buf, ",", &save); u && n < 16; u = strtok_r(NULL, ",", &save))
        urls[n++] = u;
    return natsOptions_SetServers(o, urls, n);
}

natsConnection *h_nats_connect(const char *user)
{
    char var[64], inbox[64];
    snprintf(var, sizeof var, "IBC_NATS_%s_URL", user);
    for (char *p = var; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    snprintf(inbox, sizeof inbox, "_INBOX_%s", user);
    natsConnection *nc = NULL;
    natsOptions *o = NULL;
    natsStatus s = natsOptions_Create(&o);
    if (s == NATS_OK) s = set_servers(o, h_env(var));
    if (s == NATS_OK) s = natsOptions_SetCustomInboxPrefix(o, inbox);
    if (s == NATS_OK) s = natsConnection_Connect(&nc, o);
    natsOptions_Destroy(o);
    if (s != NATS_OK) fprintf(stderr, "harness: NATS as %s: %s\n", user, natsStatus_GetText(s));
    return s == NATS_OK ? nc : NULL;
}

h_events *h_events_open(const char *subject)
{
    h_events *ev = calloc(1, sizeof *ev);
    ev->nc = h_nats_connect("integrator");
    natsStatus s = ev->nc ? NATS_OK : NATS_CONNECTION_CLOSED;
    if (s == NATS_OK) s = natsConnection_SubscribeSync(&ev->sub, ev->nc, subject);
    if (s == NATS_OK) s = natsConnection_Flush(ev->nc);
    if (s != NATS_OK) {
        fprintf(stderr, "harness: NATS subscribe %s: %s\n", subject, natsStatus_GetText(s));
        free(ev);
        return NULL;
    }
    ev->seen = json_array();
    return ev;
}

static bool matches(json_t *item, const char *nats_subject, const char *ce_subject)
{
    const char *ns = json_string_value(json_object_get(item, "nats"));
    const char *cs = json_string_value(json_object_get(json_object_get(item, "event"), "subject"));
    return ns && strcmp(ns, nats_subject) == 0 &&
           (!ce_subject || (cs && strcmp(cs, ce_subject) == 0));
}

/* Receives one message into seen; false on timeout. */
static bool pull(h_events *ev, int timeout_ms)
{
    natsMsg *m = NULL;
    if (natsSubscription_NextMsg(&m, ev->sub, timeout_ms) != NATS_OK) return false;
    json_t *e = json_loadb(natsMsg_GetData(m), natsMsg_GetDataLength(m), 0, NULL);
    json_array_append_new(ev->seen, json_pack("{s:s, s:o}", "nats", natsMsg_GetSubject(m), "event",
                                              e ? e : json_null()));
    natsMsg_Destroy(m);
    return true;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

json_t *h_events_find(h_events *ev, const char *nats_subject, const char *ce_subject,
                      int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    size_t i = 0;
    for (;;) {
        for (; i < json_array_size(ev->seen); i++) {
            json_t *item = json_array_get(ev->seen, i);
            if (matches(item, nats_subject, ce_subject))
                return json_incref(json_object_get(item, "event"));
        }
        long long left = deadline - now_ms();
        if (left <= 0 || !pull(ev, (int)left)) return NULL;
    }
}

int h_events_count(h_events *ev, const char *nats_subject, const char *ce_subject, int settle_ms)
{
    long long deadline = now_ms() + settle_ms;
    long long left;
    while ((left = deadline - now_ms()) > 0)
        pull(ev, (int)left);
    int n = 0;
    size_t i;
    json_t *item;
    json_array_foreach(ev->seen, i, item) n += matches(item, nats_subject, ce_subject);
    return n;
}

void h_events_close(h_events *ev)
{
    if (!ev) return;
    natsSubscription_Destroy(ev->sub);
    natsConnection_Destroy(ev->nc);
    json_decref(ev->seen);
    free(ev);
}

int h_stack(const char *cmd, const char *name)
{
    char line[2048];
    snprintf(line, sizeof line, "'%s' %s '%s' '%s' %s", getenv("IBC_TEST_FIXTURE"), cmd,
             getenv("IBC_TEST_RUN_DIR"), getenv("IBC_TEST_BIN_DIR"), name ? name : "");
    return system(line);
}

pid_t h_stack_pid(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.pid", getenv("IBC_TEST_RUN_DIR"), name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    long pid = 0;
    assert_int_equal(fscanf(f, "%ld", &pid), 1);
    fclose(f);
    return (pid_t)pid;
}

const char *h_marc_dir(void)
{
    const char *d = getenv("IBC_MARC_DIR");
    if (!d || !*d) {
        /* a missing fixture must fail the test, never skip it */
        fprintf(stderr, "harness: IBC_MARC_DIR is not set (CTest passes tests/data/marc)\n");
        exit(1);
    }
    return d;
}

char *h_marc_fixture(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", h_marc_dir(), name);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open fixture %s", path);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    char *data = malloc(*len + 1);
    assert_int_equal(fread(data, 1, *len, f), *len);
    data[*len] = 0;
    fclose(f);
    return data;
}

h_resp *h_marc_submit(const char *key, const char *query, const char *content_type,
                      const void *data, size_t len)
{
    char path[512], ct[128];
    snprintf(path, sizeof path, "/api/v1/catalog/imports?%s", query);
    snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
    const char *headers[] = {ct, NULL};
    return h_http_raw("POST", path, key, data, len, headers);
}

double h_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Polls the job until it is done or failed; returns it (new reference). */
json_t *h_marc_wait(const char *key, const char *id, double timeout_s)
{
    double t0 = h_now_s();
    for (;;) {
        h_resp *r = h_get(key, "/api/v1/catalog/imports/%s", id);
        if (r->status != 503) assert_int_equal(r->status, 200); /* 503: still starting */
        const char *status = r->status == 200 ? h_str(r, "status") : "";
        if (strcmp(status, "done") == 0 || strcmp(status, "failed") == 0 ||
            strcmp(status, "cancelled") == 0) {
            json_t *job = json_incref(r->json);
            h_free(r);
            return job;
        }
        h_free(r);
        /* a wait, not a speed claim: sanitized runs get IBC_TEST_SCALE times as long */
        if (h_now_s() - t0 > timeout_s * h_test_scale())
            fail_msg("import %s did not finish in %.0f s", id, timeout_s * h_test_scale());
        usleep(50000);
    }
}

/* Submits and waits: the finished job (new reference). */
json_t *h_marc_import(const char *key, const char *query, const char *content_type,
                      const void *data, size_t len)
{
    h_resp *r = h_marc_submit(key, query, content_type, data, len);
    if (r->status != 202) fail_msg("import answered %ld: %s", r->status, r->body);
    char *id = strdup(h_str(r, "id"));
    char location[128];
    snprintf(location, sizeof location, "/api/v1/catalog/imports/%s", id);
    assert_string_equal(h_header(r, "Location"), location);
    assert_string_equal(h_str(r, "status"), "queued");
    h_free(r);
    json_t *job = h_marc_wait(key, id, 30);
    free(id);
    return job;
}

long h_poll_int(const char *key, const char *path, const char *member, long want, int timeout_ms)
{
    long got = -1;
    for (int waited = 0;; waited += 100) {
        h_resp *r = h_get(key, "%s", path);
        json_t *v = json_object_get(r->json, member);
        got = json_is_integer(v)   ? (long)json_integer_value(v)
              : json_is_boolean(v) ? json_is_true(v)
                                   : -1;
        h_free(r);
        if (got == want || waited >= timeout_ms) return got;
        usleep(100000);
    }
}

long h_sql_int(const char *sql)
{
    PGconn *db = PQconnectdb(h_env("IBC_PG_DSN"));
    if (PQstatus(db) != CONNECTION_OK) {
        fprintf(stderr, "harness: %s", PQerrorMessage(db));
        exit(1);
    }
    PGresult *r = PQexec(db, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        fprintf(stderr, "harness: %s: %s", sql, PQerrorMessage(db));
        exit(1);
    }
    long v = st == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)
                 ? atol(PQgetvalue(r, 0, 0))
                 : -1;
    PQclear(r);
    PQfinish(db);
    return v;
}

double h_test_scale(void)
{
    const char *v = getenv("IBC_TEST_SCALE");
    double f = v ? atof(v) : 1.0;
    return f >= 1.0 ? f : 1.0;
}

void h_urlenc(const char *s, char *out, size_t outlen)
{
    size_t j = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && j + 4 < outlen; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            out[j++] = (char)*p;
        else
            j += (size_t)snprintf(out + j, outlen - j, "%%%02X", *p);
    }
    out[j] = 0;
}

char *h_record(const char *body)
{
    h_resp *r = h_http("POST", "/api/v1/catalog/records", h_admin(), body, NULL);
    if (r->status != 201) fprintf(stderr, "record: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    return id;
}

void h_date_years_ago(int years, char out[16])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    tm.tm_year -= years;
    strftime(out, 16, "%Y-%m-%d", &tm);
}

/* Debian's python3 (python3-openpyxl), not a python of PATH, which may be
 * another installation without it. */
char *h_xlsx_read(const void *data, size_t len, const char *script)
{
    char path[] = "/tmp/ibc-xlsx-XXXXXX.xlsx"; /* openpyxl goes by the extension */
    int fd = mkstemps(path, 5);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c '%s' '%s' 2>&1", script, path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *out = calloc(1, 65536);
    size_t n = fread(out, 1, 65535, p);
    out[n] = 0;
    int rc = pclose(p);
    unlink(path);
    if (rc != 0) fprintf(stderr, "python3 with openpyxl failed:\n%s", out);
    assert_int_equal(rc, 0);
    return out;
}

/* The integration tests' harness: HTTP through the gateway (libcurl), events
 * from a real NATS subscriber, and control of the private test stack. Use it
 * with cmocka: every check is an assertion that can fail. */
#ifndef HARNESS_H
#define HARNESS_H

#include <jansson.h>
#include <nats/nats.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

typedef struct {
    long status;
    char *body; /* NUL-terminated */
    size_t len;
    json_t *json;  /* parsed body when it is JSON, else NULL */
    char *headers; /* raw response headers */
} h_resp;

/* Value of a variable of the test stack's env file (IBC_GATEWAY_URL,
 * IBC_GATEWAY_ADMIN_URL, IBC_ADMIN_KEY, IBC_NATS_INTEGRATOR_URL, IBC_NATS_<SERVICE>_URL,
 * IBC_PG_DSN). Borrowed. */
const char *h_env(const char *name);
/* The admin key that the stack created. Borrowed. */
const char *h_admin(void);

/* Sends a request to the gateway. path starts with "/". key may be NULL (no
 * Authorization). body may be NULL; when given it is sent as JSON unless
 * headers name another Content-Type. headers: NULL-terminated "Name: value"
 * list or NULL. Caller frees with h_free. Never NULL (status 0 on failure). */
h_resp *h_http(const char *method, const char *path, const char *key, const char *body,
               const char *const *headers);
/* The same with a binary body of len bytes. */
h_resp *h_http_raw(const char *method, const char *path, const char *key, const void *body,
                   size_t len, const char *const *headers);
/* The calling thread's next requests come from ip (a loopback address such as
 * 127.0.0.2: another client to the gateway), or again from the default with
 * NULL. */
void h_source_address(const char *ip);
/* GET on the gateway's admin listener (/metrics, /healthz, /readyz). */
h_resp *h_admin_get(const char *path);
/* Any method on it, with an optional body. */
h_resp *h_admin_http(const char *method, const char *path, const char *body);
/* printf-style path and JSON body helpers. */
h_resp *h_get(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
h_resp *h_post(const char *key, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* h_post with a va_list. */
h_resp *h_vpost(const char *key, const char *path, const char *fmt, va_list ap);
void h_free(h_resp *r);
/* A response header's value (case-insensitive name) copied into a static
 * thread-local buffer, or NULL. */
const char *h_header(const h_resp *r, const char *name);
/* Shorthand: a string member of r->json, or NULL. */
const char *h_str(const h_resp *r, const char *member);

/* Catalogues a record (JSON body) as the admin; its id (caller frees). The
 * test fails unless the answer is 201. */
char *h_record(const char *body);
/* Percent-encodes s for a query string into out (truncated to outlen). */
void h_urlenc(const char *s, char *out, size_t outlen);

/* Creates an API key for org and role through the admin API; caller frees. */
/* Runs sql on the stack's database (for what no route shows, such as a
 * service's housekeeping) and returns the first column of the first row as
 * a number; -1 when there is none; the test fails on an SQL error. */
long h_sql_int(const char *sql);

/* GETs path as key until the top-level member (an integer, or a boolean as
 * 1/0) equals want, for at most timeout_ms (every 100 ms): for projections
 * that follow events. Returns the last value read (-1 when absent). */
long h_poll_int(const char *key, const char *path, const char *member, long want, int timeout_ms);
char *h_new_key(const char *org, const char *role);
/* A string unique to this process and call, with the given prefix. Caller frees. */
char *h_uniq(const char *prefix);
/* A valid ISBN-13 unique to this process and call (check digit computed). Caller frees. */
char *h_isbn(void);

/* Connects to NATS as `user` ("integrator" or a service's name) with that
 * user's URL from the env file and its private inbox prefix _INBOX_<user>;
 * NULL (and a line on stderr) when it cannot. */
natsConnection *h_nats_connect(const char *user);

/* Events: a real NATS subscriber (core subscription) on `subject`, e.g.
 * "ibc.evt.>". Open it before the action whose events you expect. */
typedef struct h_events h_events;
/* Subscribes as the stack's default integrator, as an integrator would. */
h_events *h_events_open(const char *subject);
/* Waits up to timeout_ms for an event on nats_subject (exact) whose CloudEvents
 * `subject` equals ce_subject (NULL: any); returns a new reference or NULL.
 * Events seen while waiting are kept for later calls. */
json_t *h_events_find(h_events *ev, const char *nats_subject, const char *ce_subject,
                      int timeout_ms);
/* Counts matching events seen so far and during settle_ms more. */
int h_events_count(h_events *ev, const char *nats_subject, const char *ce_subject, int settle_ms);
void h_events_close(h_events *ev);

/* Runs the stack fixture: h_stack("stop", "training") / h_stack("start", ...). 0 on success. */
int h_stack(const char *cmd, const char *name);
/* The pid in the test stack's NAME.pid (a process the stack started). */
pid_t h_stack_pid(const char *name);
/* The MARC fixtures (tests/data/marc, passed by CTest as IBC_MARC_DIR). */
const char *h_marc_dir(void);

/* MARC import helpers: a fixture's bytes (caller frees; fails the test when
 * missing); a POST of data to /api/v1/catalog/imports?query; polling a job
 * until done, failed or cancelled (new reference); submit and wait (new reference). */
char *h_marc_fixture(const char *name, size_t *len);
h_resp *h_marc_submit(const char *key, const char *query, const char *content_type,
                      const void *data, size_t len);
json_t *h_marc_wait(const char *key, const char *id, double timeout_s);
json_t *h_marc_import(const char *key, const char *query, const char *content_type,
                      const void *data, size_t len);
/* Opens an XLSX file (data[0..len), written to a temporary *.xlsx that is
 * removed) with Debian's python3 and openpyxl, a reader we did not write:
 * runs `script` with the file's path as sys.argv[1] and returns its stdout
 * (caller frees). The test fails when python3 does. */
char *h_xlsx_read(const void *data, size_t len, const char *script);
/* Today's date (UTC) `years` years ago as YYYY-MM-DD into out (0: today). */
void h_date_years_ago(int years, char out[16]);
/* Seconds of a monotonic clock. */
double h_now_s(void);
/* How much slower and larger the processes under test are than a plain build:
 * IBC_TEST_SCALE (scripts/ci-sanitize sets 8 for ASan/UBSan, whose quarantine
 * keeps freed memory), 1 unless set. Bounds on time and RSS are multiplied by it. */
double h_test_scale(void);

#endif

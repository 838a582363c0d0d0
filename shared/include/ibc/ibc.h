/* libibc: the runtime that every ibcnet service and the gateway link.
 * A service is a name plus a table of {action, handler}; this header is what a
 * service's handlers and store see of the runtime. */
#ifndef IBC_IBC_H
#define IBC_IBC_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define IBC_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define IBC_VERSION "0.1.0"

/* One error enum for the whole project; ibc_rc_status() maps it to HTTP. */
typedef enum {
    IBC_OK = 0,
    IBC_EINVAL,       /* 400: the caller's input is wrong */
    IBC_EUNAUTH,      /* 401 */
    IBC_EFORBIDDEN,   /* 403 */
    IBC_ENOTFOUND,    /* 404 */
    IBC_ENOTALLOWED,  /* 405 */
    IBC_ECONFLICT,    /* 409: the state of the data forbids it */
    IBC_EPRECOND,     /* 412: If-Match does not match */
    IBC_ETOOBIG,      /* 413 */
    IBC_EUNSUPPORTED, /* 415: media type */
    IBC_EUNPROCESSABLE, /* 422: well-formed but semantically wrong */
    IBC_EPRECOND_REQ, /* 428: If-Match missing */
    IBC_ETOOMANY,     /* 429: the caller's rate limit is spent */
    IBC_ERETRY,       /* serialization failure: the runtime retries the call */
    IBC_EDB,          /* 503: database unavailable or failed */
    IBC_EBUS,         /* 503: NATS unavailable */
    IBC_EBUSY,        /* 503: the gateway has too many requests in flight */
    IBC_ETIMEOUT,     /* 504 */
    IBC_ENOMEM,       /* 500 */
    IBC_EINTERNAL,    /* 500 */
    IBC_RC_COUNT
} ibc_rc;

/* HTTP status for rc; never fails. */
int ibc_rc_status(ibc_rc rc);
/* Short machine-readable problem type slug for rc (e.g. "invalid-input"). */
const char *ibc_rc_type(ibc_rc rc);
/* Human title for rc (e.g. "Invalid input"). */
const char *ibc_rc_title(ibc_rc rc);

/* ---------------------------------------------------------------- logging */
typedef enum { IBC_LOG_DEBUG, IBC_LOG_INFO, IBC_LOG_WARN, IBC_LOG_ERROR } ibc_log_level;
/* Sets the service name written on every line and the minimum level. */
/* Seconds on the monotonic clock: for timing and deadlines, never for dates. */
double ibc_monotonic_s(void);
void ibc_log_init(const char *service, const char *level);
/* Writes one JSON line to stderr; request_id may be NULL. */
void ibc_log(ibc_log_level lvl, const char *request_id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Copies url (a NATS URL or a comma-separated list of them) into out with
 * each "user:password@" replaced by "***@", so that it can be logged.
 * Truncates to outlen; never fails. */
void ibc_log_safe_url(const char *url, char *out, size_t outlen);
/* Replaces every occurrence of secret in msg (in place) with "***"; nothing
 * when secret is NULL or empty. */
void ibc_log_scrub(char *msg, const char *secret);

/* ------------------------------------------------------------ configuration */
typedef struct {
    char nats_url[512];
    char pg_dsn[1024];
    char migrations_dir[512];
    char log_level[16];
    char instance_id[64];
    char bind_address[64]; /* where HTTP listeners bind; 127.0.0.1 unless told */
    char admin_bind_address[64]; /* where /metrics, /healthz, /readyz bind; 127.0.0.1 */
    int http_port;          /* gateway only */
    int metrics_port;       /* 0 disables the metrics listener */
    int workers;            /* queue subscriptions, each with its own connection */
    int request_timeout_ms; /* gateway: wait for a service reply */
    long max_body;          /* gateway: default body limit in bytes */
    int max_connections;    /* gateway: open HTTP connections at most */
    int events_gather_ms;   /* consumers: after a short batch, let events gather this long */
    int idempotency_hours;  /* how long a stored Idempotency-Key reply is kept */
    int statement_timeout_ms; /* services: PostgreSQL statement_timeout of the workers; 0 none */
    char context_key[257];    /* signs and verifies the request context (secret) */
    char context_key_previous[257]; /* verifies only, during a key rotation (secret) */
    int inbox_days;         /* how long an applied event's id is kept in the inbox */
    bool migrate;           /* apply migrations at start */

    /* the IBC_EVENTS stream keeps an event this long and this many bytes of
     * events at most (the oldest go first) */
    int events_max_age_days;
    long events_max_bytes;
} ibc_config;

typedef const char *(*ibc_getenv_fn)(const char *name);
/* Fills cfg from the environment (read through get, NULL means getenv) with
 * defaults that work for `make up`. `service` picks the default metrics port.
 * Returns IBC_EINVAL and writes a sentence to err for a malformed value. */
ibc_rc ibc_config_load(ibc_config *cfg, const char *service, ibc_getenv_fn get, char *err,
                       size_t errlen);
/* Parses a decimal integer in [min, max] (no blanks, no '+'); false on
 * anything else. For settings that live outside ibc_config. */
bool ibc_config_int(const char *s, long min, long max, long *out);

/* ----------------------------------------------------------------- context */
typedef struct ibc_worker ibc_worker;

/* Everything a handler knows of its call. Strings are borrowed for the call. */
typedef struct ibc_ctx {
    const char *service;
    const char *action;
    const char *request_id;
    const char *org;       /* caller's organisation, "" when unknown */
    const char *role;      /* admin, methodologist, librarian, portal, integrator */
    const char *principal; /* key id of the caller */
    const char *via;       /* the service that called on the caller's behalf, or NULL */
    long long deadline_ms; /* the caller gives up then (ms since the epoch); 0 none */
    const char *idempotency_key;
    PGconn *db;            /* the worker's own connection; in a transaction unless read-only */
    ibc_worker *worker;
    void *msg;             /* the NATS message (natsMsg *), for ibc_header() */
    int status;            /* reply status on success, 200 unless the handler sets it */
    json_t *reply_headers; /* object of extra HTTP headers for the reply */
    ibc_rc err;
    char err_detail[1024];
    json_t *err_ext;       /* extra problem members, e.g. {"existing_id": ...} */
    const char *content_type; /* for a raw reply; NULL means JSON */
    char *raw;             /* raw reply body (malloc'd), sent base64 in the envelope */
    size_t raw_len;
    int stream_state;      /* 0 none, 1 streaming, 2 ended: see ibc_stream_begin */
    unsigned stream_seq;
    char *stream_buf;      /* small writes are gathered into 64 KiB chunks */
    size_t stream_len;
    json_t *deferred_events; /* runtime: a write action's events, written with its COMMIT */
} ibc_ctx;

/* Records the error and a sentence for the caller; returns rc. */
ibc_rc ibc_fail(ibc_ctx *ctx, ibc_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adds `name: value` to the reply's HTTP headers (copies both). */
void ibc_set_header(ibc_ctx *ctx, const char *name, const char *value);
/* A request header forwarded by the gateway (e.g. "If-Match"), or NULL. Borrowed. */
const char *ibc_header(const ibc_ctx *ctx, const char *name);
/* True when the caller has this role. */
bool ibc_role_is(const ibc_ctx *ctx, const char *role);
/* True for admin and methodologist: they see every organisation. */
bool ibc_role_network_wide(const ibc_ctx *ctx);

/* Writes an event to the outbox inside the handler's transaction. The relay
 * publishes it as a CloudEvent on ibc.evt.<service>.<entity>.<verb>.
 * Steals `data`. Fails with IBC_EDB. */
ibc_rc ibc_emit(ibc_ctx *ctx, const char *entity, const char *verb, const char *subject_id,
                json_t *data);
/* Call after a COMMIT: when this thread wrote events since its last call, wakes
 * this process's outbox relay, which then publishes them at once (without it,
 * the relay finds them within half a second). The runtime calls it for actions
 * and consumers; code that commits on its own (an import job) calls it too. */
void ibc_outbox_committed(void);

/* Calls another service over NATS: subject is "<service>.<action>", e.g.
 * "catalog.items.lookup"; params and body are borrowed (may be NULL). The
 * caller's request id, org, role and principal travel along, with this
 * service as Ibc-Via and the earlier of the caller's deadline and now +
 * timeout_ms, signed anew (the callee checks the signature as it does the
 * gateway's). IBC_ETIMEOUT at once when the caller's deadline has passed. On a 2xx reply
 * *reply gets a new reference to its body (may be NULL); on an error reply the
 * rc of its status with its detail in ctx; IBC_EBUS/IBC_ETIMEOUT when nobody
 * answers. */
ibc_rc ibc_call(ibc_ctx *ctx, const char *subject, const json_t *params, const json_t *body,
                json_t **reply, int timeout_ms);

/* Streamed replies, for bodies too large for one message (exports). The
 * handler calls begin, then write as often as it likes, then end, and returns
 * IBC_OK with *reply NULL. Only for routes marked as streamed in the gateway.
 * An error after begin aborts the HTTP response. Each returns IBC_EBUS when
 * the bus refused the chunk. */
ibc_rc ibc_stream_begin(ibc_ctx *ctx, int status, const char *content_type);
ibc_rc ibc_stream_write(ibc_ctx *ctx, const void *data, size_t len);
ibc_rc ibc_stream_end(ibc_ctx *ctx);

/* ----------------------------------------------------------------- database */
/* Runs a parameterised statement on ctx->db, prepared once per connection and
 * keyed by the address of `sql` (pass string literals). On failure maps the
 * SQLSTATE to an rc with a sentence in ctx and returns NULL. Caller PQclear()s. */
PGresult *ibc_db_exec(ibc_ctx *ctx, const char *sql, int nparams, const char *const *params);
/* Runs a statement whose first column of the first row is JSON; *out gets a new
 * reference. IBC_ENOTFOUND when it returns no row or SQL NULL. */
ibc_rc ibc_db_json(ibc_ctx *ctx, json_t **out, const char *sql, int nparams,
                   const char *const *params);
/* ibc_db_json with the JSON text of `body` as parameter $1 and rest[0..nrest)
 * (at most 7) as $2...: the common "jsonb_populate_record($1::jsonb)" write. */
ibc_rc ibc_db_json_with(ibc_ctx *ctx, json_t **out, const char *sql, const json_t *body, int nrest,
                        const char *const *rest);
/* Runs a statement for its effect only; IBC_OK or the mapped error. */
ibc_rc ibc_db_run(ibc_ctx *ctx, const char *sql, int nparams, const char *const *params);
/* The same two, run unprepared (PQexecParams), so that PostgreSQL plans the
 * statement for the actual values each time: for statements with optional
 * filters written "$n IS NULL OR ...", which a generic prepared plan cannot
 * prune. */
PGresult *ibc_db_exec_planned(ibc_ctx *ctx, const char *sql, int nparams,
                              const char *const *params);
ibc_rc ibc_db_json_planned(ibc_ctx *ctx, json_t **out, const char *sql, int nparams,
                           const char *const *params);
/* A write action's transaction: the runtime defers its BEGIN, which then
 * travels with the first statement run through ibc_db_* (one round trip less),
 * and sends its events, its Idempotency-Key reply and COMMIT in one round trip
 * (libpq's pipeline mode). Code that uses ctx->db with libpq directly in a
 * write action calls ibc_db_begin() first. */
typedef struct {
    const char *sql; /* prepared once per connection, keyed by this address */
    int nparams;
    const char *const *params;
} ibc_db_step;
void ibc_db_begin_deferred(PGconn *conn); /* NULL: none pending */
bool ibc_db_begin_is_pending(const PGconn *conn);
/* Sends the pending BEGIN of ctx->db now (no-op when none is pending). */
ibc_rc ibc_db_begin(ibc_ctx *ctx);
/* Runs steps[0..n) (at most 8) and COMMIT in one round trip, with the pending
 * BEGIN when no statement ran yet (and nothing at all when n is 0 too). On
 * failure the transaction is left for the caller to roll back. */
ibc_rc ibc_db_commit(ibc_ctx *ctx, int n, const ibc_db_step *steps);
/* Maps a failed result's SQLSTATE to an rc (23505 → conflict, 22xxx → invalid, ...). */
ibc_rc ibc_db_rc(const PGresult *res);
/* Connects with the DSN, sets search_path to `schema`,public (schema may be NULL).
 * Returns NULL when the server cannot be reached. */
PGconn *ibc_db_connect(const char *dsn, const char *schema);
/* The same with the session's statement_timeout set (ms; 0 keeps the
 * server's default): for connections that serve requests. */
PGconn *ibc_db_connect_timeout(const char *dsn, const char *schema, int statement_timeout_ms);
/* Applies migrations_dir/common/ then migrations_dir/<schema>/ files not yet
 * applied, each once, in order, in its own transaction, under an advisory lock. */
ibc_rc ibc_migrate(PGconn *db, const char *schema, const char *migrations_dir, char *err,
                   size_t errlen);

/* A small pool of connections for a multi-threaded caller (the gateway). */
typedef struct ibc_db_pool ibc_db_pool;
ibc_db_pool *ibc_db_pool_create(const char *dsn, const char *schema, int size);
/* Borrows a live connection, waiting for one; NULL when the database is down. */
PGconn *ibc_db_pool_get(ibc_db_pool *pool);
/* Returns a borrowed connection to the pool. */
void ibc_db_pool_put(ibc_db_pool *pool, PGconn *conn);
void ibc_db_pool_destroy(ibc_db_pool *pool);
/* Closes a connection of this thread and forgets its prepared statements
 * (call it in the thread that used it, e.g. before a worker thread ends). */
void ibc_db_close(PGconn *conn);
/* Resets a broken connection; true when it is live again. */
bool ibc_db_ensure(PGconn *conn);

/* ----------------------------------------------------------------- service */
typedef ibc_rc (*ibc_handler)(ibc_ctx *ctx, const json_t *req, json_t **reply);

enum { IBC_ACTION_TX = 0, IBC_ACTION_READONLY = 1 };

typedef struct {
    const char *name; /* "records.get": the subject is ibc.rpc.<service>.<name> */
    ibc_handler fn;
    int flags;        /* IBC_ACTION_READONLY runs without a transaction */
} ibc_action;

/* ------------------------------------------------------------- events in */
/* Handles one event of the stream inside a transaction on ctx->db. The runtime
 * records the event id in the service's `inbox` table in that transaction and
 * skips an id it has seen, so a redelivered or duplicated event changes
 * nothing. ctx->org and ctx->role are "" (no caller). Return IBC_OK to commit
 * and acknowledge; an error rolls back and the event is delivered again later
 * (IBC_EINVAL: the event is malformed, logged, acknowledged and skipped). */
typedef ibc_rc (*ibc_event_handler)(ibc_ctx *ctx, const char *subject, const json_t *event);
/* Handles the new events of one delivered batch at once, in stream order, in
 * the batch's transaction: one statement for many events instead of one per
 * event. On any error the runtime redoes the batch one event per transaction
 * (calling this with n == 1), so that only the bad event is skipped
 * (IBC_EINVAL) or retried. */
typedef ibc_rc (*ibc_event_batch_handler)(ibc_ctx *ctx, size_t n, const char *const *subjects,
                                          const json_t *const *events);

typedef struct {
    const char *subject; /* filter, wildcards allowed: "ibc.evt.catalog.item.*" */
    ibc_event_handler fn;          /* one event at a time, or */
    ibc_event_batch_handler batch; /* a batch at a time (fn NULL) */
} ibc_event_sub;

/* Makes every consumer of this service start again from the beginning of the
 * stream (after the caller cleared its projections and its inbox in a
 * committed transaction). Returns at once; the consumers rewind within a second. */
void ibc_events_rewind(void);
/* Events of the stream not yet delivered to this service's consumers (sum). */
long long ibc_events_lag(void);

/* Started in its own thread after the runtime connected; gets the bus
 * connection (natsConnection *) and the configuration. */
typedef void (*ibc_start_hook)(void *nc, const ibc_config *cfg);

typedef struct {
    const char *name;
    const ibc_action *actions;
    size_t nactions;
    ibc_start_hook on_start; /* may be NULL */
    const ibc_event_sub *events; /* durable JetStream consumers, may be NULL */
    size_t nevents;
} ibc_service_def;

/* Runs a service until SIGTERM/SIGINT; returns the process exit code. */
int ibc_service_main(const char *name, const ibc_action *actions, size_t nactions);
int ibc_service_run(const ibc_service_def *def);

#include "request.h"

#endif

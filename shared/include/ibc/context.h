/* The context of one call: who calls, until when, on which database
 * connection, and what the handler answers or how it failed. Built by the
 * runtime (service.c for requests and events, job.c for background work);
 * no service builds one by hand. ibc_fail records a failure in it. */
#ifndef IBC_CONTEXT_H
#define IBC_CONTEXT_H

#include "errors.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

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
    PGconn *db; /* the worker's own connection; in a transaction unless read-only */
    ibc_worker *worker;
    void *msg;             /* the NATS message (natsMsg *), for ibc_header() */
    int status;            /* reply status on success, 200 unless the handler sets it */
    json_t *reply_headers; /* object of extra HTTP headers for the reply */
    ibc_rc err;
    char err_detail[1024];
    json_t *err_ext;          /* extra problem members, e.g. {"existing_id": ...} */
    const char *content_type; /* for a raw reply; NULL means JSON */
    char *raw;                /* raw reply body (malloc'd), sent base64 in the envelope */
    size_t raw_len;
    char *json_text; /* a JSON reply body already encoded (malloc'd), sent as it is */
    size_t json_len;
    int stream_state; /* 0 none, 1 streaming, 2 ended: see ibc_stream_begin */
    unsigned stream_seq;
    char *stream_buf; /* small writes are gathered into 64 KiB chunks */
    size_t stream_len;
    json_t *deferred_events; /* runtime: a write action's events, written with its COMMIT */
} ibc_ctx;

/* Records the error and a sentence for the caller; returns rc. */
ibc_rc ibc_fail(ibc_ctx *ctx, ibc_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* ibc_fail with a machine-readable reason: the problem gets the member
 * `reason` (a stable snake_case code, documented with the route), beside any
 * members already in ctx->err_ext, so that a client need not parse detail. */
ibc_rc ibc_fail_reason(ibc_ctx *ctx, ibc_rc rc, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds `name: value` to the reply's HTTP headers (copies both). */
void ibc_set_header(ibc_ctx *ctx, const char *name, const char *value);
/* Answers with a JSON body already encoded (text, len bytes, valid JSON:
 * neither the runtime nor the gateway parses it); takes text. The handler then
 * leaves its *reply NULL. */
void ibc_reply_json_text(ibc_ctx *ctx, char *text, size_t len);
/* A request header forwarded by the gateway (e.g. "If-Match"), or NULL. Borrowed. */
const char *ibc_header(const ibc_ctx *ctx, const char *name);
/* True when the caller has this role. */
bool ibc_role_is(const ibc_ctx *ctx, const char *role);
/* True for admin and methodologist: they see every organisation. */
bool ibc_role_network_wide(const ibc_ctx *ctx);

#endif

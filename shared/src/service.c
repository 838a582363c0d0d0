/* The service runtime. A service is a name and a table of actions; this file
 * connects it to NATS and PostgreSQL, opens one queue subscription per worker
 * (each with its own database connection), and for every request decodes the
 * envelope, runs the handler in a transaction, replays or records an
 * Idempotency-Key, encodes the reply, and counts and times the call. */
#include "ibc/service.h"
#include "ibc/admin_http.h"
#include "ibc/bus.h"
#include "ibc/db.h"
#include "ibc/discovery.h"
#include "ibc/envelope.h"
#include "ibc/job.h"
#include "ibc/log.h"
#include "ibc/metrics.h"
#include "ibc/migrate.h"
#include "ibc/outbox.h"
#include "ibc/process.h"
#include "ibc/request.h"
#include "ibc/signing.h"
#include "ibc/standby.h"

#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct service service;

/* workers per replica for the copies the gateway resends to every replica */
#define RESEND_WORKERS 2

struct ibc_worker {
    service *svc;
    int index;
    PGconn *db;
    int timeout_pid;      /* db's backend when timeout_ms was set (a new one: the default) */
    long long timeout_ms; /* db's statement_timeout (fit_statement_timeout) */
    ibc_standby *standby; /* reads fit for it, when IBC_PG_READ_DSN names one */
    natsSubscription *sub;
};

struct service {
    const ibc_service_def *def;
    ibc_config cfg;
    natsConnection *nc;
    ibc_worker *workers;
    ibc_context_keys keys;   /* verify every request's context, sign our calls */
    char prefix[128];        /* "ibc.rpc.<name>." */
    char resend_prefix[128]; /* "ibc.rpcall.<name>.": the gateway's resent copies */
    int nworkers;            /* cfg.workers on prefix, then RESEND_WORKERS */
    const char **endpoints;  /* the actions' names, then "ping": $SRV's endpoints */
    ibc_discovery *discovery;
};

/* the running service, for calls and streams made from any thread */
static service *the_service;

/* ------------------------------------------------------------ ctx helpers */

/* Maps an HTTP status of another service's reply back to an rc. */
static ibc_rc rc_of_status(int status)
{
    for (int rc = IBC_EINVAL; rc < IBC_RC_COUNT; rc++)
        if (ibc_rc_status((ibc_rc)rc) == status) return (ibc_rc)rc;
    return status >= 500 ? IBC_EBUS : IBC_EINVAL;
}

/* Builds the signed request of a call on the caller's behalf: the caller's
 * request id, principal, org and role as they were verified, this service as
 * Ibc-Via, the call's deadline. Never more than the caller had: nothing here
 * takes an org or role from anywhere but ctx. *m is new (caller destroys). */
static natsStatus call_message(const ibc_ctx *ctx, const char *subject, const json_t *params,
                               const json_t *body, long long deadline, natsMsg **m)
{
    char full[256], when[24];
    snprintf(full, sizeof full, "ibc.rpc.%s", subject);
    snprintf(when, sizeof when, "%lld", deadline);
    char *payload = ibc_envelope_request(params, body);
    if (!payload) return NATS_NO_MEMORY;
    natsStatus s = natsMsg_Create(m, full, NULL, payload, (int)strlen(payload));
    free(payload);
    if (s == NATS_OK && ctx->request_id)
        s = natsMsgHeader_Set(*m, "Ibc-Request-Id", ctx->request_id);
    /* an empty value is left out, not sent empty: the receiving side reads
     * an empty header as absent, and the MAC it computed differed (a job's
     * call, with no caller, was refused as badly signed); absent reads as ""
     * there all the same */
    if (s == NATS_OK && ctx->org && *ctx->org) s = natsMsgHeader_Set(*m, "Ibc-Org", ctx->org);
    if (s == NATS_OK && ctx->role && *ctx->role) s = natsMsgHeader_Set(*m, "Ibc-Role", ctx->role);
    if (s == NATS_OK && ctx->principal && *ctx->principal)
        s = natsMsgHeader_Set(*m, "Ibc-Principal", ctx->principal);
    if (s == NATS_OK) s = natsMsgHeader_Set(*m, "Ibc-Via", the_service->def->name);
    if (s == NATS_OK) s = natsMsgHeader_Set(*m, "Ibc-Deadline", when);
    if (s == NATS_OK && ibc_context_sign(&the_service->keys, *m) != IBC_OK) s = NATS_ERR;
    return s;
}

ibc_rc ibc_call(ibc_ctx *ctx, const char *subject, const json_t *params, const json_t *body,
                json_t **reply, int timeout_ms)
{
    *reply = NULL;
    if (!the_service) return ibc_fail(ctx, IBC_EBUS, "no bus connection");
    long long now = ibc_realtime_ms(), deadline = now + timeout_ms;
    if (ctx->deadline_ms > 0 && ctx->deadline_ms < deadline) deadline = ctx->deadline_ms;
    if (deadline <= now) return ibc_fail(ctx, IBC_ETIMEOUT, "no time was left to ask %s", subject);
    natsMsg *m = NULL, *r = NULL;
    natsStatus s = call_message(ctx, subject, params, body, deadline, &m);
    if (s == NATS_OK) s = natsConnection_RequestMsg(&r, the_service->nc, m, (int)(deadline - now));
    natsMsg_Destroy(m);
    if (s == NATS_TIMEOUT) return ibc_fail(ctx, IBC_ETIMEOUT, "%s did not answer in time", subject);
    if (s != NATS_OK) return ibc_fail(ctx, IBC_EBUS, "%s is not available", subject);
    json_t *env = json_loadb(natsMsg_GetData(r), natsMsg_GetDataLength(r), 0, NULL);
    natsMsg_Destroy(r);
    int status = (int)json_integer_value(json_object_get(env, "status"));
    ibc_rc rc = IBC_OK;
    if (!env || status < 100) {
        rc = ibc_fail(ctx, IBC_EBUS, "%s sent a malformed reply", subject);
    } else if (status >= 300) {
        const char *detail = json_string_value(json_object_get(json_object_get(env, "error"), "detail"));
        rc = ibc_fail(ctx, rc_of_status(status), "%s", detail ? detail : "request failed");
    } else {
        *reply = json_incref(json_object_get(env, "body"));
    }
    json_decref(env);
    return rc;
}

/* Publishes one stream message to the request's reply subject. */
static ibc_rc stream_publish(ibc_ctx *ctx, const char *kind, const void *data, size_t len)
{
    const char *reply_to = ctx->msg ? natsMsg_GetReply((natsMsg *)ctx->msg) : NULL;
    if (!reply_to || !the_service) return ibc_fail(ctx, IBC_EBUS, "this request cannot stream");
    natsMsg *m = NULL;
    char seq[16];
    snprintf(seq, sizeof seq, "%u", ctx->stream_seq++);
    natsStatus s = natsMsg_Create(&m, reply_to, NULL, data, (int)len);
    if (s == NATS_OK) s = natsMsgHeader_Set(m, "Ibc-Stream", kind);
    if (s == NATS_OK) s = natsMsgHeader_Set(m, "Ibc-Stream-Seq", seq);
    if (s == NATS_OK) s = natsConnection_PublishMsg(the_service->nc, m);
    natsMsg_Destroy(m);
    return s == NATS_OK ? IBC_OK : ibc_fail(ctx, IBC_EBUS, "the stream was interrupted");
}

ibc_rc ibc_stream_begin(ibc_ctx *ctx, int status, const char *content_type)
{
    json_t *env = json_pack("{s:i, s:s, s:b}", "status", status, "content_type", content_type,
                            "stream", 1);
    if (ctx->reply_headers) json_object_set(env, "headers", ctx->reply_headers);
    char *text = json_dumps(env, JSON_COMPACT);
    json_decref(env);
    ibc_rc rc = stream_publish(ctx, "begin", text, strlen(text));
    free(text);
    if (rc == IBC_OK) ctx->stream_state = 1;
    return rc;
}

#define STREAM_CHUNK 65536

/* Sends the gathered bytes as one chunk. */
static ibc_rc stream_flush(ibc_ctx *ctx)
{
    if (ctx->stream_len == 0) return IBC_OK;
    ibc_rc rc = stream_publish(ctx, "data", ctx->stream_buf, ctx->stream_len);
    ctx->stream_len = 0;
    return rc;
}

ibc_rc ibc_stream_write(ibc_ctx *ctx, const void *data, size_t len)
{
    if (!ctx->stream_buf && !(ctx->stream_buf = malloc(STREAM_CHUNK)))
        return ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    const char *p = data;
    while (len > 0) {
        size_t n = STREAM_CHUNK - ctx->stream_len;
        if (n > len) n = len;
        memcpy(ctx->stream_buf + ctx->stream_len, p, n);
        ctx->stream_len += n;
        p += n;
        len -= n;
        if (ctx->stream_len == STREAM_CHUNK && stream_flush(ctx) != IBC_OK) return ctx->err;
    }
    return IBC_OK;
}

ibc_rc ibc_stream_end(ibc_ctx *ctx)
{
    ibc_rc rc = stream_flush(ctx);
    if (rc == IBC_OK) rc = stream_publish(ctx, "end", "", 0);
    ctx->stream_state = 2;
    return rc;
}

/* ------------------------------------------------------------- dispatch */

static const ibc_action *find_action(const service *svc, const char *name)
{
    for (size_t i = 0; i < svc->def->nactions; i++)
        if (strcmp(svc->def->actions[i].name, name) == 0) return &svc->def->actions[i];
    return NULL;
}

static ibc_rc ping(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    (void)req;
    service *svc = ctx->worker->svc;
    *reply = json_pack("{s:s, s:s, s:s}", "service", svc->def->name, "version", IBC_VERSION,
                       "instance", svc->cfg.instance_id);
    return IBC_OK;
}

static const char sql_idem_get[] =
    "SELECT action, request_hash = md5($3), reply FROM idempotency "
    "WHERE principal = $1 AND key = $2";
static const char sql_idem_put[] =
    "INSERT INTO idempotency(principal, key, action, request_hash, reply) "
    "VALUES ($1, $2, $4, md5($3), $5)";

/* Looks up a stored reply for the key; *stored is malloc'd or NULL. */
static ibc_rc idem_lookup(ibc_ctx *ctx, const char *payload, char **stored)
{
    *stored = NULL;
    const char *p[] = {ctx->principal, ctx->idempotency_key, payload};
    PGresult *r = ibc_db_exec(ctx, sql_idem_get, 3, p);
    if (!r) return ctx->err;
    ibc_rc rc = IBC_OK;
    if (PQntuples(r) > 0) {
        if (strcmp(PQgetvalue(r, 0, 0), ctx->action) || strcmp(PQgetvalue(r, 0, 1), "t"))
            rc = ibc_fail(ctx, IBC_EUNPROCESSABLE,
                          "Idempotency-Key '%s' was already used for a different request",
                          ctx->idempotency_key);
        else
            *stored = strdup(PQgetvalue(r, 0, 2));
    }
    PQclear(r);
    return rc;
}

/* Encodes the reply of a finished call; caller frees. */
static char *encode_reply(ibc_ctx *ctx, ibc_rc rc, json_t *body)
{
    char *out;
    if (rc != IBC_OK) {
        if (!ctx->err_detail[0]) snprintf(ctx->err_detail, sizeof ctx->err_detail, "%s", ibc_rc_title(rc));
        out = ibc_envelope_error(rc, ctx->err_detail, ctx->err_ext);
    } else if (ctx->raw) {
        out = ibc_envelope_reply_raw(ctx->status,
                                     ctx->content_type ? ctx->content_type
                                                       : "application/octet-stream",
                                     ctx->raw, ctx->raw_len, ctx->reply_headers);
    } else if (ctx->json_text) {
        out =
            ibc_envelope_reply_text(ctx->status, ctx->json_text, ctx->json_len, ctx->reply_headers);
    } else {
        out = ibc_envelope_reply(ctx->status, body, ctx->reply_headers);
    }
    if (!out) {
        /* answer all the same: a caller left without one waits for its timeout */
        ibc_log(IBC_LOG_ERROR, ctx->request_id, "%s: the reply could not be encoded", ctx->action);
        out = ibc_envelope_error(IBC_EINTERNAL, "the reply could not be encoded", NULL);
    }
    return out;
}

static void ctx_clear_result(ibc_ctx *ctx)
{
    json_decref(ctx->reply_headers);
    json_decref(ctx->err_ext);
    free(ctx->raw);
    free(ctx->json_text);
    ctx->reply_headers = ctx->err_ext = NULL;
    ctx->raw = ctx->json_text = NULL;
    ctx->raw_len = ctx->json_len = 0;
    ctx->content_type = NULL;
    ctx->stream_state = 0;
    ctx->stream_len = 0;
    ctx->err = IBC_OK;
    ctx->err_detail[0] = 0;
    ctx->status = 200;
}

/* Rolls back ctx->db's transaction if one is open; forgets a pending BEGIN. */
static void end_failed_tx(ibc_ctx *ctx)
{
    ibc_db_begin_deferred(NULL);
    if (PQstatus(ctx->db) == CONNECTION_OK && PQtransactionStatus(ctx->db) != PQTRANS_IDLE)
        ibc_db_simple(ctx->db, "ROLLBACK");
}

/* Commits the handler's deferred events and, with an Idempotency-Key, the
 * reply out, in one round trip with the COMMIT. */
static ibc_rc commit_reply(ibc_ctx *ctx, bool idem, const char *payload, const char *out)
{
    ibc_rc rc;
    ibc_db_step steps[2];
    const char *ev_param[1];
    char *ev_text = NULL;
    int n = 0;
    if (ibc_outbox_deferred_step(ctx, &ev_text, ev_param, &steps[n])) n++;
    const char *p[] = {ctx->principal, ctx->idempotency_key, payload, ctx->action, out};
    if (idem) steps[n++] = (ibc_db_step){sql_idem_put, 5, p};
    if (json_array_size(ctx->deferred_events) > 0 && !ev_text)
        rc = ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    else
        rc = ibc_db_commit(ctx, n, steps);
    free(ev_text);
    if (rc == IBC_OK) ibc_outbox_committed();
    /* the key's row was written by a concurrent call with the same key */
    else if (idem && rc == IBC_ECONFLICT)
        rc = IBC_ERETRY;
    return rc;
}

/* The reply stored for ctx's Idempotency-Key (caller frees), or NULL; ctx's
 * failure is left as it is. */
static char *stored_reply(const ibc_ctx *ctx, const char *payload)
{
    char *stored = NULL;
    ibc_ctx probe = *ctx;
    probe.err_detail[0] = 0;
    if (idem_lookup(&probe, payload, &stored) == IBC_OK && stored) return stored;
    return NULL;
}

/* Runs the action once inside a transaction (unless read-only) and returns
 * the encoded reply (caller frees). *rc_out is the handler's result. The
 * BEGIN goes with the first statement, and the events, the Idempotency-Key
 * reply and the COMMIT go together: a checkout is three round trips. */
static char *run_once(ibc_ctx *ctx, const ibc_action *act, const json_t *req, const char *payload,
                      ibc_rc *rc_out)
{
    bool tx = !(act->flags & IBC_ACTION_READONLY);
    bool idem = tx && ctx->idempotency_key && *ctx->idempotency_key;
    json_t *body = NULL;
    char *out = NULL;
    ibc_rc rc = IBC_OK;

    if (tx) {
        ibc_db_begin_deferred(ctx->db);
        ctx->deferred_events = json_array();
    }
    if (idem) {
        char *stored = NULL;
        rc = idem_lookup(ctx, payload, &stored);
        if (rc == IBC_OK && stored) {
            end_failed_tx(ctx);
            json_decref(ctx->deferred_events);
            ctx->deferred_events = NULL;
            *rc_out = IBC_OK;
            return stored;
        }
        if (rc != IBC_OK) goto done;
    }
    rc = act->fn(ctx, req, &body);
    if (rc == IBC_OK && ctx->err != IBC_OK) rc = ctx->err;
    if (rc != IBC_OK && ctx->err == IBC_OK) ibc_fail(ctx, rc, "%s", ibc_rc_title(rc));
    out = encode_reply(ctx, rc, body);
    if (tx && rc == IBC_OK) rc = commit_reply(ctx, idem, payload, out);
done:
    if (tx) {
        if (rc != IBC_OK) end_failed_tx(ctx);
        ibc_db_begin_deferred(NULL);
        json_decref(ctx->deferred_events);
        ctx->deferred_events = NULL;
    }
    if (rc != IBC_OK) {
        free(out);
        out = NULL;
        if (idem && rc != IBC_ERETRY && PQstatus(ctx->db) == CONNECTION_OK) {
            /* a concurrent call with the same key may have won: answer as it did */
            char *stored = stored_reply(ctx, payload);
            if (stored) {
                *rc_out = IBC_OK;
                json_decref(body);
                return stored;
            }
        }
    }
    json_decref(body);
    *rc_out = rc;
    return out;
}

/* Checks the signed context of msg before anything else is done with it.
 * IBC_OK, or ctx failed with 401 (unsigned, malformed, badly signed: only a
 * client that bypassed the gateway sends that) or 504 (the deadline passed
 * while the request waited: its caller has given up); each refusal counted in
 * ibc_requests_refused_total{service,reason} and logged without secrets. */
/* The refusals counter of this service for a reason. */
static ibc_metric *refused_counter(const service *svc, ibc_context_verdict v)
{
    char labels[128];
    snprintf(labels, sizeof labels, "service=\"%s\",reason=\"%s\"", svc->def->name,
             ibc_context_verdict_name(v));
    return ibc_counter("ibc_requests_refused_total",
                       "Requests refused before their handler ran, by reason", labels);
}

static ibc_rc check_context(service *svc, natsMsg *msg, ibc_ctx *ctx)
{
    long long now = ibc_realtime_ms();
    ibc_context_verdict v = ibc_context_verify(&svc->keys, msg, now, &ctx->deadline_ms);
    if (v == IBC_CONTEXT_VALID) return IBC_OK;
    ibc_metric_add(refused_counter(svc, v), 1);
    if (v == IBC_CONTEXT_EXPIRED) {
        ibc_log(IBC_LOG_INFO, ctx->request_id, "%.100s dropped: its deadline passed %lld ms ago",
                natsMsg_GetSubject(msg), now - ctx->deadline_ms);
        return ibc_fail(ctx, IBC_ETIMEOUT, "the request's deadline passed before %s could start it",
                        svc->def->name);
    }
    ibc_log(IBC_LOG_WARN, NULL, "%.100s refused: request context %s", natsMsg_GetSubject(msg),
            ibc_context_verdict_name(v));
    static const char *const why[] = {
        [IBC_CONTEXT_UNSIGNED] = "is not signed",
        [IBC_CONTEXT_MALFORMED] = "is malformed",
        [IBC_CONTEXT_BAD_SIGNATURE] = "has a signature that does not match",
    };
    return ibc_fail(ctx, IBC_EUNAUTH,
                    "the request context %s: %s accepts requests only through the gateway", why[v],
                    svc->def->name);
}

static const char *header_or(natsMsg *m, const char *name, const char *dflt)
{
    const char *v = NULL;
    if (natsMsgHeader_Get(m, name, &v) != NATS_OK || !v) return dflt;
    return v;
}

/* A read on the standby whose deadline lies further ahead than the worker's
 * statement_timeout may run its statements until that deadline: the standby
 * session's timeout is raised for it (and reset after, as the standby's
 * connection may change under the worker). True when raised. */
static bool widen_statement_timeout(ibc_ctx *ctx, int default_ms)
{
    long long left = ctx->deadline_ms - ibc_realtime_ms();
    if (default_ms <= 0 || left <= default_ms) return false;
    char sql[64];
    snprintf(sql, sizeof sql, "SET statement_timeout = %lld", left);
    return ibc_db_simple(ctx->db, sql);
}

/* Sets the worker connection's statement_timeout for ctx's request: at least
 * the time left until its deadline, and at least IBC_STATEMENT_TIMEOUT_MS.
 * The session keeps its value while that lies between what the request wants
 * and three times as much, and a SET gives a fifth more than wanted: so a
 * statement never ends before its caller stops waiting, may run at most three
 * times as long, and routes of 5 and 10 s (a checkout, a checkin) share one
 * value. A SET comes only when a route of a quite different timeout (a MARC
 * upload's 60 s) comes along, instead of a SET and a RESET around every
 * request, which were two of a record by id's four round trips. A reconnected
 * session (another backend) has the connection's default again. */
static void fit_statement_timeout(ibc_worker *w, const ibc_ctx *ctx)
{
    long long dflt = w->svc->cfg.statement_timeout_ms;
    if (dflt <= 0) return; /* no timeout at all */
    long long left = ctx->deadline_ms - ibc_realtime_ms();
    long long want = left > dflt ? left : dflt;
    int pid = PQbackendPID(w->db);
    if (pid != w->timeout_pid) w->timeout_pid = pid, w->timeout_ms = dflt;
    if (w->timeout_ms >= want && w->timeout_ms <= 3 * want) return;
    char sql[64];
    snprintf(sql, sizeof sql, "SET statement_timeout = %lld", want + want / 5);
    if (ibc_db_simple(w->db, sql)) w->timeout_ms = want + want / 5;
}

/* A worker's connection: statements of a request end after
 * IBC_STATEMENT_TIMEOUT_MS, as its caller stops waiting about then. */
static PGconn *worker_connect(const service *svc)
{
    return ibc_db_connect_timeout(svc->cfg.pg_dsn, svc->def->name, svc->cfg.statement_timeout_ms);
}

/* Fills ctx for the request msg from the headers the gateway sent. */
static void ctx_from_msg(ibc_ctx *ctx, service *svc, ibc_worker *w, natsMsg *msg,
                         const char *action_name)
{
    ctx->service = svc->def->name;
    ctx->action = action_name;
    ctx->request_id = header_or(msg, "Ibc-Request-Id", NULL);
    ctx->org = header_or(msg, "Ibc-Org", "");
    ctx->role = header_or(msg, "Ibc-Role", "");
    ctx->principal = header_or(msg, "Ibc-Principal", "");
    ctx->via = header_or(msg, "Ibc-Via", NULL);
    ctx->idempotency_key = header_or(msg, "Idempotency-Key", NULL);
    ctx->worker = w;
    ctx->msg = msg;
    ctx->status = 200;
}

/* Runs a read fit for the standby there, when the standby may answer now:
 * true when it did (*out and *rc its result, the reply saying where it came
 * from and how old it may be), false when the primary must answer (a failure
 * of the standby's own is forgotten then: nothing was sent). */
static bool run_on_standby(ibc_ctx *ctx, ibc_worker *w, const ibc_action *act, json_t *req,
                           natsMsg *msg, ibc_rc *rc, char **out)
{
    long long stale = 0;
    ctx->db = ibc_standby_pick(w->standby, w->db, &stale);
    if (!ctx->db) return false;
    bool widened = widen_statement_timeout(ctx, w->svc->cfg.statement_timeout_ms);
    ctx_clear_result(ctx);
    char ms[24];
    snprintf(ms, sizeof ms, "%lld", stale);
    ibc_set_header(ctx, "Ibc-Read-Source", "standby");
    ibc_set_header(ctx, "Ibc-Read-Staleness-Ms", ms);
    *out = run_once(ctx, act, req, natsMsg_GetData(msg), rc);
    if (widened && PQstatus(ctx->db) == CONNECTION_OK)
        ibc_db_simple(ctx->db, "RESET statement_timeout");
    if ((*rc == IBC_EDB || *rc == IBC_ERETRY) && ctx->stream_state == 0) {
        /* the standby went away, or replay cancelled the query */
        ibc_standby_failed(w->standby);
        free(*out);
        *out = NULL;
        return false;
    }
    ibc_standby_served(w->standby);
    return true;
}

/* Runs act (with ctx's database), again after a lost connection or a retry
 * verdict; returns the encoded reply (caller frees) and the result in *rc.
 * A read fit for the standby goes there first when one is configured. */
static char *run_with_retries(ibc_ctx *ctx, ibc_worker *w, const ibc_action *act, json_t *req,
                              natsMsg *msg, ibc_rc *rc)
{
    char *out = NULL;
    bool standby = w->standby && (act->flags & IBC_ACTION_STALE_OK);
    if (standby && run_on_standby(ctx, w, act, req, msg, rc, &out)) return out;
    ctx->db = w->db;
    fit_statement_timeout(w, ctx);
    const char *payload = natsMsg_GetData(msg);
    for (int attempt = 0; attempt < 5; attempt++) {
        ctx_clear_result(ctx);
        if (standby) ibc_set_header(ctx, "Ibc-Read-Source", "primary");
        out = run_once(ctx, act, req, payload, rc);
        if (*rc == IBC_EDB && PQstatus(w->db) == CONNECTION_BAD && attempt == 0 &&
            ibc_db_ensure(w->db)) {
            /* the server restarted under us: the transaction died with the
             * connection, so nothing of it was committed; run it again */
            free(out);
            out = NULL;
            continue;
        }
        if (*rc != IBC_ERETRY) break;
        struct timespec ts = {0, (1 + attempt) * 2000000L};
        nanosleep(&ts, NULL);
    }
    if (*rc != IBC_OK && PQstatus(w->db) != CONNECTION_OK) ibc_db_ensure(w->db);
    return out;
}

/* Logs a failed request and counts it in the metrics and the discovery
 * statistics (index: the action's index there). */
static void record_request(service *svc, const ibc_action *act, size_t index, const ibc_ctx *ctx,
                           const char *action_name, ibc_rc rc, const char *out, double t0)
{
    int status = rc == IBC_OK ? ctx->status : ibc_rc_status(rc);
    if (rc == IBC_OK && out && strncmp(out, "{\"status\":", 10) == 0)
        status = atoi(out + 10); /* a replayed Idempotency-Key answer keeps its status */
    if (status >= 500)
        ibc_log(IBC_LOG_ERROR, ctx->request_id, "%s failed: %s", action_name, ctx->err_detail);
    char labels[256];
    snprintf(labels, sizeof labels, "service=\"%s\",action=\"%.80s\",status=\"%d\"", svc->def->name,
             act ? act->name : "unknown", status);
    ibc_metric_add(
        ibc_counter("ibc_requests_total", "Requests handled, by action and status", labels), 1);
    snprintf(labels, sizeof labels, "service=\"%s\",action=\"%.80s\"", svc->def->name,
             act ? act->name : "unknown");
    double took = ibc_monotonic_s() - t0;
    ibc_metric_observe(ibc_histogram("ibc_request_duration_seconds",
                                     "Time to handle a request, by action", labels),
                       took);
    ibc_discovery_count(svc->discovery, index, status, took);
}

/* The action named by a request's subject: what follows the service's
 * prefix, or the prefix of the copies the gateway sends to every replica. */
static const char *action_of(const service *svc, const char *subject)
{
    size_t n = strlen(svc->prefix);
    if (strncmp(subject, svc->prefix, n) == 0) return subject + n;
    n = strlen(svc->resend_prefix);
    return strncmp(subject, svc->resend_prefix, n) == 0 ? subject + n : subject;
}

/* The subscription callback: one message at a time per worker. */
static void on_request(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    (void)sub;
    ibc_worker *w = closure;
    service *svc = w->svc;
    double t0 = ibc_monotonic_s();
    const char *subject = natsMsg_GetSubject(msg);
    const char *reply_to = natsMsg_GetReply(msg);
    const char *action_name = action_of(svc, subject);

    ibc_ctx ctx = {0};
    ctx_from_msg(&ctx, svc, w, msg, action_name);

    static const ibc_action builtin_ping = {"ping", ping, IBC_ACTION_READONLY};
    const ibc_action *act =
        strcmp(action_name, "ping") == 0 ? &builtin_ping : find_action(svc, action_name);
    json_t *req = NULL;
    char *out = NULL;
    char err[256];
    ibc_rc rc = check_context(svc, msg, &ctx);

    if (rc != IBC_OK) {
        /* refused before anything ran: the reply says why */
    } else if (!act) {
        rc = ibc_fail(&ctx, IBC_ENOTFOUND, "%s has no action '%s'", svc->def->name, action_name);
    } else if (ibc_envelope_decode(natsMsg_GetData(msg), natsMsg_GetDataLength(msg), &req, err,
                                   sizeof err) != IBC_OK) {
        rc = ibc_fail(&ctx, IBC_EINVAL, "%s", err);
    } else if (act->fn != ping && (!w->db || !ibc_db_ensure(w->db))) {
        if (!w->db) w->db = worker_connect(svc);
        if (!w->db) rc = ibc_fail(&ctx, IBC_EDB, "the database is not available");
    }
    if (rc == IBC_OK) out = run_with_retries(&ctx, w, act, req, msg, &rc);
    if (ctx.stream_state != 0) {
        /* the handler streamed its answer; an error after begin aborts the stream */
        if (ctx.stream_state == 1 || rc != IBC_OK) stream_publish(&ctx, "error", "", 0);
        free(out);
        out = NULL;
    } else {
        if (!out) out = encode_reply(&ctx, rc, NULL);
        if (reply_to && out) natsConnection_PublishString(nc, reply_to, out);
    }

    size_t index = act == &builtin_ping ? svc->def->nactions
                   : act                ? (size_t)(act - svc->def->actions)
                                        : SIZE_MAX;
    record_request(svc, act, index, &ctx, action_name, rc, out, t0);
    ctx_clear_result(&ctx);
    free(ctx.stream_buf);
    free(out);
    json_decref(req);
    natsMsg_Destroy(msg);
}

/* /readyz: NATS connected and PostgreSQL answers. */
static bool service_ready(void *arg)
{
    service *svc = arg;
    return natsConnection_Status(svc->nc) == NATS_CONN_STATUS_CONNECTED &&
           PQping(svc->cfg.pg_dsn) == PQPING_OK;
}

/* A resident job's thread owns a copy of the configuration: the runtime's
 * own lives in ibc_service_run's frame, which a detached thread outlives. */
typedef struct {
    const ibc_resident_job *job;
    natsConnection *nc;
    ibc_config cfg;
} resident_args;

static void *resident_thread(void *arg)
{
    resident_args *r = arg;
    r->job->run(r->nc, &r->cfg);
    free(r);
    return NULL;
}

/* Starts each resident job in a detached thread; false when one cannot start. */
static bool start_resident(const ibc_service_def *def, natsConnection *nc, const ibc_config *cfg)
{
    for (size_t i = 0; i < def->nresident; i++) {
        resident_args *r = malloc(sizeof *r);
        pthread_t t;
        if (!r) return false;
        *r = (resident_args){&def->resident[i], nc, *cfg};
        if (pthread_create(&t, NULL, resident_thread, r) != 0) {
            ibc_log(IBC_LOG_ERROR, NULL, "cannot start the job %s", def->resident[i].name);
            free(r);
            return false;
        }
        pthread_detach(t);
    }
    return true;
}

typedef struct {
    const ibc_job_def *def;
    const char *service;
    const ibc_config *cfg;
} job_args;

static void *job_thread(void *arg)
{
    job_args *a = arg;
    ibc_job_run_every(a->def, a->service, a->cfg);
    free(a);
    return NULL;
}

/* The periodic jobs' threads, joined at the stop: a thread still alive at
 * exit would leave its connection and its TLS library state behind. */
#define MAX_JOB_THREADS 32
static pthread_t job_threads[MAX_JOB_THREADS];
static size_t njob_threads;

/* Starts a thread for each periodic job of def; false when one could not
 * start. */
static bool start_jobs(const ibc_service_def *def, const ibc_config *cfg)
{
    for (size_t i = 0; i < def->njobs && njob_threads < MAX_JOB_THREADS; i++) {
        job_args *a = malloc(sizeof *a);
        if (!a) return false;
        *a = (job_args){&def->jobs[i], def->name, cfg};
        if (pthread_create(&job_threads[njob_threads], NULL, job_thread, a) != 0) {
            free(a);
            return false;
        }
        njob_threads++;
    }
    return true;
}

/* After ibc_jobs_stop: waits for each periodic job to finish its run. */
static void join_jobs(void)
{
    for (size_t i = 0; i < njob_threads; i++)
        pthread_join(job_threads[i], NULL);
    njob_threads = 0;
}

/* Answers the NATS service API for this replica: one endpoint per action. */
static bool start_discovery(service *svc)
{
    const ibc_service_def *def = svc->def;
    svc->endpoints = calloc(def->nactions + 1, sizeof *svc->endpoints);
    if (!svc->endpoints) return false;
    for (size_t i = 0; i < def->nactions; i++) svc->endpoints[i] = def->actions[i].name;
    svc->endpoints[def->nactions] = "ping";
    svc->discovery = ibc_discovery_start(svc->nc, def->name, IBC_VERSION, svc->cfg.instance_id,
                                         svc->endpoints, def->nactions + 1, svc->prefix,
                                         def->name);
    return svc->discovery != NULL;
}

/* Applies the migrations, waiting for the database; false when it cannot. */
static bool run_migrations(const ibc_config *cfg, const char *name)
{
    char err[256];
    PGconn *db = ibc_process_db_wait(cfg->pg_dsn);
    if (!db) {
        ibc_log(IBC_LOG_ERROR, NULL, "database unreachable, giving up migrations");
        return false;
    }
    ibc_rc rc = ibc_migrate(db, name, cfg->migrations_dir, err, sizeof err);
    PQfinish(db);
    if (rc != IBC_OK) {
        ibc_log(IBC_LOG_ERROR, NULL, "migrations failed: %s", err);
        return false;
    }
    return true;
}

/* Starts the workers, each with its database connection and its queue
 * subscription: cfg.workers share the service's queue group on
 * "ibc.rpc.<name>.>" with every other replica; RESEND_WORKERS more take
 * "ibc.rpcall.<name>.>" in a group of this replica's own, so that each live
 * replica gets one copy of a request the gateway resends (a replica that
 * stopped answering cannot take the resent copy from the others). False when
 * one cannot subscribe. */
static bool start_workers(service *svc)
{
    char subject[160], resend[160], group[160];
    snprintf(subject, sizeof subject, "%s>", svc->prefix);
    snprintf(resend, sizeof resend, "%s>", svc->resend_prefix);
    snprintf(group, sizeof group, "%s-%s", svc->def->name, svc->cfg.instance_id);
    for (char *c = group; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '-') *c = '_';
    svc->nworkers = svc->cfg.workers + RESEND_WORKERS;
    svc->workers = calloc(svc->nworkers, sizeof *svc->workers);
    if (!svc->workers) return false;
    for (int i = 0; i < svc->nworkers; i++) {
        ibc_worker *w = &svc->workers[i];
        w->svc = svc;
        w->index = i;
        w->db = worker_connect(svc);
        if (svc->cfg.pg_read_dsn[0])
            w->standby =
                ibc_standby_create(svc->cfg.pg_read_dsn, svc->def->name,
                                   svc->cfg.statement_timeout_ms, svc->cfg.read_max_staleness_ms);
        bool own = i >= svc->cfg.workers;
        const char *subj = own ? resend : subject;
        natsStatus s = natsConnection_QueueSubscribe(&w->sub, svc->nc, subj,
                                                     own ? group : svc->def->name, on_request, w);
        if (s == NATS_OK) s = natsSubscription_SetPendingLimits(w->sub, 100000, 512 * 1024 * 1024);
        if (s != NATS_OK) {
            ibc_log(IBC_LOG_ERROR, NULL, "cannot subscribe to %s: %s", subj, natsStatus_GetText(s));
            return false;
        }
    }
    return true;
}

/* After the stop signal: drains the workers and stops everything started. */
static void stop_service(service *svc)
{
    ibc_jobs_stop();
    for (int i = 0; i < svc->nworkers; i++)
        natsSubscription_Drain(svc->workers[i].sub);
    for (int i = 0; i < svc->nworkers; i++) {
        natsSubscription_WaitForDrainCompletion(svc->workers[i].sub, 5000);
        natsSubscription_Destroy(svc->workers[i].sub);
    }
    ibc_discovery_stop(svc->discovery);
    free(svc->endpoints);
    ibc_admin_http_stop();
    ibc_consumers_stop();
    join_jobs();
    ibc_outbox_relay_stop();
    for (int i = 0; i < svc->nworkers; i++) {
        if (svc->workers[i].db) PQfinish(svc->workers[i].db);
        ibc_standby_destroy(svc->workers[i].standby);
    }
    free(svc->workers);
    natsConnection_Destroy(svc->nc);
    nats_Close();
}

int ibc_service_run(const ibc_service_def *def)
{
    service svc = {.def = def};
    char err[256];
    if (ibc_config_load(&svc.cfg, def->name, NULL, err, sizeof err) != IBC_OK) {
        fprintf(stderr, "%s: %s\n", def->name, err);
        return 2;
    }
    ibc_log_init(def->name, svc.cfg.log_level);
    if (ibc_context_keys_init(&svc.keys, svc.cfg.context_key, svc.cfg.context_key_previous, err,
                              sizeof err) != IBC_OK) {
        fprintf(stderr, "%s: %s\n", def->name, err);
        return 2;
    }
    /* every reason's series exists from the start at 0, so that an alert on
     * its rate sees the first refusal */
    for (int v = IBC_CONTEXT_UNSIGNED; v <= IBC_CONTEXT_EXPIRED; v++)
        refused_counter(&svc, (ibc_context_verdict)v);
    snprintf(svc.prefix, sizeof svc.prefix, "ibc.rpc.%s.", def->name);
    snprintf(svc.resend_prefix, sizeof svc.resend_prefix, "ibc.rpcall.%s.", def->name);

    /* SIGINT/SIGTERM are taken by ibc_process_wait below, in no other thread */
    sigset_t sigs;
    ibc_process_signals(&sigs);
    ibc_process_memory(&svc.cfg);

    if (svc.cfg.migrate && !run_migrations(&svc.cfg, def->name)) return 1;

    ibc_bus_connect(&svc.nc, &svc.cfg, def->name);
    the_service = &svc;
    if (ibc_bus_ensure_stream(svc.nc, &svc.cfg) != IBC_OK)
        ibc_log(IBC_LOG_WARN, NULL, "events stream not ready; the relay will retry");
    ibc_outbox_relay_start(svc.nc, &svc.cfg, def->name);

    if (!start_workers(&svc)) return 1;
    if (!start_discovery(&svc)) return 1;
    natsConnection_Flush(svc.nc);
    if (ibc_consumers_start(svc.nc, &svc.cfg, def->name, def->events, def->nevents) != IBC_OK)
        return 1;
    if (ibc_admin_http_start(svc.cfg.admin_bind_address, svc.cfg.metrics_port, service_ready, &svc) != 0) return 1;
    if (!start_resident(def, svc.nc, &svc.cfg) || !start_jobs(def, &svc.cfg)) return 1;
    ibc_log(IBC_LOG_INFO, NULL, "%s %s ready: %d workers on %s>, %d on %s>, metrics on :%d",
            def->name, IBC_VERSION, svc.cfg.workers, svc.prefix, RESEND_WORKERS, svc.resend_prefix,
            svc.cfg.metrics_port);

    int sig = ibc_process_wait(&sigs, &svc.cfg);
    ibc_log(IBC_LOG_INFO, NULL, "signal %d: draining", sig);
    stop_service(&svc);
    return 0;
}

int ibc_service_main(const char *name, const ibc_action *actions, size_t nactions)
{
    static ibc_service_def def;
    def = (ibc_service_def){.name = name, .actions = actions, .nactions = nactions};
    return ibc_service_run(&def);
}

/* One API request: authenticate, match the route, check the role, turn the
 * HTTP request into a NATS request envelope, and the reply into HTTP. Errors
 * leave as application/problem+json (RFC 9457). No business logic here. */
#include "gateway.h"
#include "session.h"

#include <ibc/envelope.h>
#include <ibc/random.h>
#include <ibc/metrics.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <ulfius.h>
#include <unistd.h>

/* The client's headers that travel to the service. */
static const char *const gw_forwarded_headers[] = {"Idempotency-Key", "If-Match", "If-None-Match",
                                                   "Accept"};

/* Sends a problem; always returns U_CALLBACK_COMPLETE. */
static int problem(struct _u_response *resp, ibc_rc rc, const char *rid, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int problem(struct _u_response *resp, ibc_rc rc, const char *rid, const char *fmt, ...)
{
    char detail[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    int status = ibc_rc_status(rc);
    json_t *p = ibc_problem(status, ibc_rc_type(rc), ibc_rc_title(rc), detail);
    if (rid) json_object_set_new(p, "request_id", json_string(rid));
    char *text = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    ulfius_set_string_body_response(resp, status, text ? text : "{}");
    free(text);
    u_map_put(resp->map_header, "Content-Type", "application/problem+json");
    return U_CALLBACK_COMPLETE;
}

static bool request_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64) return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              *s == '-' || *s == '_' || *s == '.'))
            return false;
    return true;
}

static bool is_json_type(const char *ct)
{
    if (!ct) return false;
    size_t n = strcspn(ct, ";");
    while (n && ct[n - 1] == ' ') n--;
    return (n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
           (n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0);
}

/* Handles the gateway's own routes (API keys). */
static int local_route(const struct _u_request *req, const gw_route *rt, const json_t *params,
                       const json_t *body, const gw_principal *who, const char *idem,
                       const char *rid, struct _u_response *resp)
{
    PGconn *db = ibc_db_pool_get(gw.pool);
    if (!db) return problem(resp, IBC_EDB, rid, "the key store is not available");
    json_t *out = NULL;
    char err[512] = "";
    ibc_rc rc;
    int status = 200;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (strncmp(rt->subject, "local:keys.", 11) != 0) {
            rc = gw_people_call(db, rt->subject + 6, req, params, body, who, &out, &status, resp,
                                err, sizeof err);
        } else if (strcmp(rt->subject, "local:keys.create") == 0) {
            rc = gw_keys_create(db, body, who->id, idem, &out, err, sizeof err);
            status = 201;
        } else if (strcmp(rt->subject, "local:keys.list") == 0) {
            rc = gw_keys_list(db, params, &out, err, sizeof err);
        } else {
            rc = gw_keys_revoke(db, json_string_value(json_object_get(params, "id")), err,
                                sizeof err);
            status = 204;
        }
        /* each is one statement: when the server restarted since the
         * connection was last used, nothing happened; reconnect and redo */
        if (rc != IBC_EDB || PQstatus(db) != CONNECTION_BAD) break;
        PQreset(db);
    }
    ibc_db_pool_put(gw.pool, db);
    if (rc != IBC_OK)
        return problem(resp, rc, rid, "%s", err[0] ? err : ibc_rc_title(rc));
    if (out) {
        char *text = json_dumps(out, JSON_COMPACT);
        ulfius_set_string_body_response(resp, status, text);
        u_map_put(resp->map_header, "Content-Type", "application/json");
        free(text);
        json_decref(out);
    } else {
        resp->status = status;
    }
    return U_CALLBACK_COMPLETE;
}

/* Copies the reply envelope's "headers" onto the response. */
static void put_headers(struct _u_response *resp, const json_t *env)
{
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(env, "headers"), k, v)
    {
        if (json_is_string(v)) u_map_put(resp->map_header, k, json_string_value(v));
    }
}

/* A success reply whose body need not be parsed (ibc_envelope_body_at):
 * status and headers come from the bytes before the body, which goes on as
 * the service printed it. -1 for any other reply (send_reply parses it). */
static int send_reply_as_is(struct _u_response *resp, const char *data, int len)
{
    size_t at, blen;
    if (!ibc_envelope_body_at(data, (size_t)len, &at, &blen)) return -1;
    json_t *env = ibc_envelope_head(data, at);
    int status = (int)json_integer_value(json_object_get(env, "status"));
    if (!env || status < 200 || status > 599 || status == 401) {
        json_decref(env);
        return -1;
    }
    put_headers(resp, env);
    json_decref(env);
    if (status == 204) {
        resp->status = status;
        return U_CALLBACK_COMPLETE;
    }
    ulfius_set_binary_body_response(resp, status, data + at, blen);
    u_map_put(resp->map_header, "Content-Type", "application/json");
    return U_CALLBACK_COMPLETE;
}

/* Maps a service reply envelope onto the HTTP response. */
static int send_reply(struct _u_response *resp, const char *data, int len, const char *rid)
{
    int fast = send_reply_as_is(resp, data, len);
    if (fast >= 0) return fast;
    json_error_t jerr;
    json_t *env = json_loadb(data, len, 0, &jerr);
    int status = (int)json_integer_value(json_object_get(env, "status"));
    if (!env || status < 100 || status > 599) {
        json_decref(env);
        return problem(resp, IBC_EINTERNAL, rid, "the service sent a malformed reply");
    }
    put_headers(resp, env);

    json_t *err = json_object_get(env, "error");
    json_t *raw = json_object_get(env, "raw");
    if (status == 401) {
        /* the client's key was good (we checked it): the service refused our
         * signature, so the gateway and it do not share IBC_CONTEXT_KEY */
        json_decref(env);
        ibc_log(IBC_LOG_ERROR, rid,
                "a service refused the gateway's request context: "
                "check that IBC_CONTEXT_KEY is the same everywhere");
        return problem(resp, IBC_EBUS, rid, "the service did not accept the gateway's request");
    }
    if (err) {
        json_object_set_new(err, "request_id", json_string(rid));
        char *text = json_dumps(err, JSON_COMPACT);
        ulfius_set_string_body_response(resp, status, text);
        u_map_put(resp->map_header, "Content-Type", "application/problem+json");
        free(text);
    } else if (raw) {
        size_t n;
        unsigned char *bytes =
            ibc_base64_decode(json_string_value(raw), json_string_length(raw), &n);
        if (!bytes) {
            json_decref(env);
            return problem(resp, IBC_EINTERNAL, rid, "the service sent a malformed body");
        }
        ulfius_set_binary_body_response(resp, status, (const char *)bytes, n);
        const char *ct = json_string_value(json_object_get(env, "content_type"));
        u_map_put(resp->map_header, "Content-Type", ct ? ct : "application/octet-stream");
        free(bytes);
    } else {
        json_t *body = json_object_get(env, "body");
        if (body && status != 204) {
            /* 15 digits: decimals such as 1234567.89 print as sent (see envelope.c) */
            char *text =
                json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
            ulfius_set_string_body_response(resp, status, text);
            u_map_put(resp->map_header, "Content-Type", "application/json");
            free(text);
        } else {
            resp->status = status;
        }
    }
    json_decref(env);
    return U_CALLBACK_COMPLETE;
}

/* A streamed reply in flight: the inbox subscription and the current chunk. */
typedef struct {
    natsSubscription *sub;
    natsMsg *chunk;
    size_t off;
    int timeout_ms;
    bool done;
} gw_stream;

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    gw_stream *st = cls;
    while (!st->done) {
        if (st->chunk && st->off < (size_t)natsMsg_GetDataLength(st->chunk)) {
            size_t left = natsMsg_GetDataLength(st->chunk) - st->off;
            size_t n = left < max ? left : max;
            memcpy(buf, natsMsg_GetData(st->chunk) + st->off, n);
            st->off += n;
            return (ssize_t)n;
        }
        natsMsg_Destroy(st->chunk);
        st->chunk = NULL;
        st->off = 0;
        if (natsSubscription_NextMsg(&st->chunk, st->sub, st->timeout_ms) != NATS_OK) {
            ibc_log(IBC_LOG_WARN, NULL, "stream: no chunk within %d ms, aborting", st->timeout_ms);
            return U_STREAM_ERROR;
        }
        const char *kind = NULL;
        natsMsgHeader_Get(st->chunk, "Ibc-Stream", &kind);
        if (kind && strcmp(kind, "end") == 0) st->done = true;
        else if (!kind || strcmp(kind, "data") != 0) return U_STREAM_ERROR;
    }
    return U_STREAM_END;
}

static void stream_free(void *cls)
{
    gw_stream *st = cls;
    natsMsg_Destroy(st->chunk);
    natsSubscription_Destroy(st->sub);
    free(st);
}

/* Maps a failed NATS request onto its problem; returns U_CALLBACK_COMPLETE. */
static int bus_problem(struct _u_response *resp, natsStatus s, const char *service, int timeout_ms,
                       const char *rid)
{
    if (s == NATS_NO_RESPONDERS)
        return problem(resp, IBC_EBUS, rid, "the %s service is not running", service);
    if (s == NATS_TIMEOUT)
        return problem(resp, IBC_ETIMEOUT, rid, "the %s service did not answer within %d ms",
                       service, timeout_ms);
    return problem(resp, IBC_EBUS, rid, "the message bus is not available: %s",
                   natsStatus_GetText(s));
}

/* The subject of msg's copy for every live replica: "ibc.rpc.<service>.<action>"
 * becomes "ibc.rpcall.<service>.<action>" (each replica takes it in a queue
 * group of its own, so a replica that stopped answering cannot take it from
 * the others). */
static void resend_subject(const natsMsg *msg, char *out, size_t n)
{
    const char *subject = natsMsg_GetSubject((natsMsg *)msg);
    snprintf(out, n, "ibc.rpcall.%s", subject + strlen("ibc.rpc."));
}

/* Publishes a copy of msg, its context headers included, with inbox as its
 * reply subject; a resent copy goes to every replica, signed anew for its
 * subject. */
static natsStatus publish_with_inbox(natsMsg *msg, const char *inbox, bool resend)
{
    static const char *hdrs[] = {"Ibc-Request-Id", "Ibc-Org",       "Ibc-Role",
                                 "Ibc-Principal",  "Ibc-Deadline",  "Idempotency-Key",
                                 "If-Match",       "If-None-Match", "Accept"};
    char subject[256];
    if (resend)
        resend_subject(msg, subject, sizeof subject);
    else
        snprintf(subject, sizeof subject, "%s", natsMsg_GetSubject(msg));
    natsMsg *copy = NULL;
    natsStatus s =
        natsMsg_Create(&copy, subject, inbox, natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
    for (size_t i = 0; s == NATS_OK && i < IBC_LEN(hdrs); i++) {
        const char *v = NULL;
        if (natsMsgHeader_Get(msg, hdrs[i], &v) == NATS_OK && v)
            s = natsMsgHeader_Set(copy, hdrs[i], v);
    }
    const char *sig = NULL;
    if (s == NATS_OK && !resend && natsMsgHeader_Get(msg, "Ibc-Signature", &sig) == NATS_OK)
        s = natsMsgHeader_Set(copy, "Ibc-Signature", sig);
    else if (s == NATS_OK && ibc_context_sign(&gw.keys, copy) != IBC_OK)
        s = NATS_ERR;
    if (s == NATS_OK) s = natsConnection_PublishMsg(gw.nc, copy);
    natsMsg_Destroy(copy);
    return s;
}

/* The retry budget: every request earns a tenth of a resend and ten more
 * come each second, up to 100 in store; a resend spends one. When replicas
 * are slow rather than dead, resends add load: the budget keeps them to
 * about a tenth of the traffic (plus 10/s) instead of doubling it. */
static struct {
    pthread_mutex_t lock;
    double tokens, at;
} budget = {PTHREAD_MUTEX_INITIALIZER, 100, 0};

static void budget_earn(double amount)
{
    pthread_mutex_lock(&budget.lock);
    double now = ibc_monotonic_s();
    if (budget.at > 0) amount += (now - budget.at) * 10.0;
    budget.at = now;
    budget.tokens = budget.tokens + amount > 100 ? 100 : budget.tokens + amount;
    pthread_mutex_unlock(&budget.lock);
}

/* True when a resend may be spent; counts the decision per service. */
static bool budget_spend(const char *service)
{
    budget_earn(0);
    pthread_mutex_lock(&budget.lock);
    bool ok = budget.tokens >= 1;
    if (ok) budget.tokens -= 1;
    pthread_mutex_unlock(&budget.lock);
    char labels[128];
    snprintf(labels, sizeof labels, "service=\"%s\",outcome=\"%s\"", service,
             ok ? "resent" : "over_budget");
    ibc_metric_add(ibc_counter("ibc_gateway_resends_total",
                               "Requests sent again to every replica after a late reply, and "
                               "those the retry budget refused",
                               labels),
                   1);
    return ok;
}

/* Publishes msg with inbox as its reply subject and waits within timeout_ms
 * for the first reply (*head). With attempt_ms > 0 it sends msg again to every
 * replica whenever attempt_ms pass without a reply (while the retry budget
 * lasts): any live replica answers it, and the first reply of any copy wins. */
static natsStatus await_reply(natsSubscription *sub, natsMsg *msg, const char *inbox,
                              int timeout_ms, int attempt_ms, natsMsg **head)
{
    double end = ibc_monotonic_s() + timeout_ms / 1000.0;
    const char *service = natsMsg_GetSubject(msg) + strlen("ibc.rpc.");
    char svc[64];
    snprintf(svc, sizeof svc, "%.*s", (int)strcspn(service, "."), service);
    if (attempt_ms > 0) budget_earn(0.1);
    /* no responders: the service's replicas are (re)connecting to NATS, e.g.
     * after a NATS node died; nobody got the request, so it is sent again
     * every 100 ms for one attempt's time before the 503 */
    double responders_by = ibc_monotonic_s() + attempt_ms / 1000.0;
    natsStatus s = publish_with_inbox(msg, inbox, false);
    while (s == NATS_OK) {
        int left = (int)((end - ibc_monotonic_s()) * 1000.0);
        if (left <= 0) return NATS_TIMEOUT;
        int wait = attempt_ms > 0 && attempt_ms < left ? attempt_ms : left;
        s = natsSubscription_NextMsg(head, sub, wait);
        if (s == NATS_OK && natsMsg_IsNoResponders(*head) && ibc_monotonic_s() < responders_by &&
            left > 100) {
            natsMsg_Destroy(*head);
            *head = NULL;
            usleep(100 * 1000);
            s = publish_with_inbox(msg, inbox, false);
            continue;
        }
        if (s != NATS_TIMEOUT || wait == left) return s;
        if (!budget_spend(svc)) {
            attempt_ms = 0; /* wait for the copies already sent */
            continue;
        }
        const char *rid = NULL;
        natsMsgHeader_Get(msg, "Ibc-Request-Id", &rid);
        ibc_log(IBC_LOG_WARN, rid, "no reply on %s within %d ms: sending it to every replica",
                natsMsg_GetSubject(msg), wait);
        s = publish_with_inbox(msg, inbox, true);
    }
    return s;
}

/* Starts streaming to the client after the "begin" envelope head; takes
 * *sub (sets it NULL). Returns U_CALLBACK_COMPLETE. */
static int stream_begin(struct _u_response *resp, natsMsg *head, natsSubscription **sub,
                        int timeout_ms)
{
    json_t *env = json_loadb(natsMsg_GetData(head), natsMsg_GetDataLength(head), 0, NULL);
    int status = (int)json_integer_value(json_object_get(env, "status"));
    const char *ct = json_string_value(json_object_get(env, "content_type"));
    put_headers(resp, env);
    u_map_put(resp->map_header, "Content-Type", ct ? ct : "application/octet-stream");
    gw_stream *st = calloc(1, sizeof *st);
    st->sub = *sub;
    st->timeout_ms = timeout_ms;
    *sub = NULL; /* owned by the stream now */
    ulfius_set_stream_response(resp, status >= 200 && status < 600 ? status : 200, stream_read,
                               stream_free, U_STREAM_SIZE_UNKNOWN, 65536, st);
    json_decref(env);
    return U_CALLBACK_COMPLETE;
}

/* Sends msg with a private inbox and relays the reply: one envelope, or a
 * "begin" envelope followed by data chunks streamed to the client. */
static int stream_request(struct _u_response *resp, natsMsg *msg, int timeout_ms, int attempt_ms,
                          const char *service, const char *rid)
{
    char inbox[IBC_INBOX_PREFIX_MAX + 32];
    natsSubscription *sub = NULL;
    natsMsg *head = NULL;
    ibc_bus_new_inbox(inbox, sizeof inbox, "gateway");
    natsStatus s = natsConnection_SubscribeSync(&sub, gw.nc, inbox);
    if (s == NATS_OK) s = natsSubscription_SetPendingLimits(sub, -1, 256 * 1024 * 1024);
    if (s == NATS_OK) s = await_reply(sub, msg, inbox, timeout_ms, attempt_ms, &head);
    if (s == NATS_OK && natsMsg_IsNoResponders(head)) s = NATS_NO_RESPONDERS;
    int ret;
    const char *kind = NULL;
    if (s != NATS_OK) {
        ret = bus_problem(resp, s, service, timeout_ms, rid);
    } else if (natsMsgHeader_Get(head, "Ibc-Stream", &kind), !kind) {
        ret = send_reply(resp, natsMsg_GetData(head), natsMsg_GetDataLength(head), rid);
    } else {
        ret = stream_begin(resp, head, &sub, timeout_ms);
    }
    natsMsg_Destroy(head);
    natsSubscription_Destroy(sub);
    return ret;
}

/* Sets the request's deadline (now + timeout: when this gateway stops
 * waiting) and signs the context headers already on msg with its subject and
 * payload. Call it after the last header that the service reads is set. */
static natsStatus sign_context(natsMsg *msg, int timeout_ms)
{
    char when[24];
    snprintf(when, sizeof when, "%lld", ibc_realtime_ms() + timeout_ms);
    natsStatus s = natsMsgHeader_Set(msg, "Ibc-Deadline", when);
    if (s == NATS_OK && ibc_context_sign(&gw.keys, msg) != IBC_OK) s = NATS_ERR;
    return s;
}

/* Records the request in the metrics and tags the response with its id. */
static void account(const struct _u_request *req, struct _u_response *resp, const gw_admission *adm)
{
    const gw_route *rt = adm->route;
    u_map_put(resp->map_header, "Ibc-Request-Id", adm->rid);
    char labels[256];
    snprintf(labels, sizeof labels, "route=\"%s %s\",status=\"%ld\"", rt ? rt->method : "-",
             rt ? rt->path : "unmatched", resp->status);
    ibc_metric_add(
        ibc_counter("ibc_http_requests_total", "HTTP requests by route and status", labels), 1);
    snprintf(labels, sizeof labels, "route=\"%s %s\"", rt ? rt->method : "-",
             rt ? rt->path : "unmatched");
    ibc_metric_observe(
        ibc_histogram("ibc_http_request_duration_seconds", "HTTP request time by route", labels),
        ibc_monotonic_s() - adm->t0);
    if (resp->status >= 500)
        ibc_log(IBC_LOG_WARN, adm->rid, "%s %s -> %ld", req->http_verb, req->url_path,
                resp->status);
}

/* Finds the route; false with a 400, 404 or 405 in resp. */
static bool admit_route(const struct _u_request *req, struct _u_response *resp, gw_admission *adm)
{
    const char *path = req->url_path ? req->url_path : "";
    if (!ibc_utf8_valid(path, strlen(path)))
        return problem(resp, IBC_EINVAL, adm->rid, "the request path is not valid UTF-8"), false;
    bool path_known;
    char allow[64];
    adm->route = gw_route_match(gw_routes, gw_nroutes, req->http_verb, path, adm->params,
                                &path_known, allow, sizeof allow);
    if (adm->route) return true;
    if (path_known) {
        u_map_put(resp->map_header, "Allow", allow);
        problem(resp, IBC_ENOTALLOWED, adm->rid, "%s is not allowed on %s; allowed: %s",
                req->http_verb, path, allow);
    } else {
        problem(resp, IBC_ENOTFOUND, adm->rid, "no route %s %s", req->http_verb, path);
    }
    return false;
}

/* A caller without a key on a public route: role anonymous, and the client
 * address as its id, so that the rate limit applies per address. */
static void admit_anonymous(const struct _u_request *req, gw_admission *adm)
{
    char host[INET6_ADDRSTRLEN];
    gw_address_text(req->client_address, host, sizeof host);
    snprintf(adm->who.id, sizeof adm->who.id, "addr:%s", host);
    adm->who.org[0] = 0;
    snprintf(adm->who.role, sizeof adm->who.role, "anonymous");
}

/* Resolves the key and checks its role; false with a 401, 403 or 503. A
 * public route admits a request without a key as anonymous. */
static bool admit_role(const struct _u_request *req, struct _u_response *resp, gw_admission *adm);

/* A person's session (the cookie): resolves it, and for a write checks its
 * CSRF token; false with a 401, 403 or 503. */
static bool admit_session(const struct _u_request *req, struct _u_response *resp, gw_admission *adm,
                          const char *tok)
{
    char csrf[64];
    ibc_rc rc = gw_session_lookup(tok, &adm->who, csrf);
    if (rc == IBC_EDB)
        return problem(resp, IBC_EDB, adm->rid, "the session store is not available"), false;
    if (rc != IBC_OK) {
        gw_refusal("unauthenticated");
        problem(resp, IBC_EUNAUTH, adm->rid, "the session has ended: sign in again");
        return false;
    }
    bool write = strcmp(req->http_verb, "GET") != 0 && strcmp(req->http_verb, "HEAD") != 0;
    if (write && !gw_csrf_ok(req, csrf)) {
        gw_refusal("csrf");
        problem(resp, IBC_EFORBIDDEN, adm->rid,
                "a write through a session must carry its CSRF token in the %s header",
                GW_CSRF_HEADER);
        return false;
    }
    return admit_role(req, resp, adm);
}

/* Resolves the key (or the session) and checks its role; false with a 401,
 * 403 or 503. */
static bool admit_key(const struct _u_request *req, struct _u_response *resp, gw_admission *adm)
{
    if (adm->route->roles & ROLES_PUBLIC) return true;
    const char *authz = u_map_get_case(req->map_header, "Authorization");
    if (!authz && (adm->route->roles & ROLE_ANONYMOUS)) {
        admit_anonymous(req, adm);
        return true;
    }
    char tok[80];
    if (!authz && gw_session_cookie(req, tok, sizeof tok))
        return admit_session(req, resp, adm, tok);
    if (!authz || strncasecmp(authz, "Bearer ", 7) != 0) {
        gw_refusal("unauthenticated");
        u_map_put(resp->map_header, "WWW-Authenticate", "Bearer");
        problem(resp, IBC_EUNAUTH, adm->rid, "send an API key as 'Authorization: Bearer <key>'");
        return false;
    }
    ibc_rc arc = gw_auth_lookup(authz + 7, &adm->who);
    if (arc == IBC_EDB)
        return problem(resp, IBC_EDB, adm->rid, "the key store is not available"), false;
    if (arc != IBC_OK) {
        gw_refusal("unauthenticated");
        u_map_put(resp->map_header, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
        problem(resp, IBC_EUNAUTH, adm->rid, "the API key is unknown or revoked");
        return false;
    }
    return admit_role(req, resp, adm);
}

/* The caller's role against the route's; false with a 403. */
static bool admit_role(const struct _u_request *req, struct _u_response *resp, gw_admission *adm)
{
    if (!(gw_role_bit(adm->who.role) & adm->route->roles)) {
        problem(resp, IBC_EFORBIDDEN, adm->rid, "the role '%s' may not %s %s", adm->who.role,
                req->http_verb, req->url_path);
        return false;
    }
    return true;
}

/* The key's token bucket; false with a 429 and Retry-After. */
static bool admit_rate(struct _u_response *resp, gw_admission *adm)
{
    if (adm->route->roles & ROLES_PUBLIC) return true; /* sign-in: hashing is capped instead */
    unsigned bit = gw_role_bit(adm->who.role);
    int role = bit ? __builtin_ctz(bit) : 0, wait_s = 1;
    if (gw_rate_take(adm->who.id, gw.limits.rate[role], gw.limits.burst[role], ibc_monotonic_s(),
                     &wait_s))
        return true;
    gw_refusal("rate_limited");
    char after[16];
    snprintf(after, sizeof after, "%d", wait_s);
    u_map_put(resp->map_header, "Retry-After", after);
    problem(resp, IBC_ETOOMANY, adm->rid,
            "this key may make %d requests a second (bursts of %d); retry in %d s",
            gw.limits.rate[role], gw.limits.burst[role], wait_s);
    return false;
}

/* The announced Content-Length against the route's limit; false with a 413. */
static bool admit_length(const struct _u_request *req, struct _u_response *resp, gw_admission *adm)
{
    long limit = adm->route->max_body;
    adm->max_body = limit == GW_BODY_IMPORT ? gw.limits.import_body
                    : limit > 0             ? limit
                                            : gw.cfg.max_body;
    const char *cl = u_map_get_case(req->map_header, "Content-Length");
    if (!cl) return true;
    char *end;
    unsigned long long n = strtoull(cl, &end, 10);
    if (end != cl && *end == 0 && n <= (unsigned long long)adm->max_body) return true;
    gw_request_too_big(req, resp, adm);
    return false;
}

bool gw_request_admit(const struct _u_request *req, struct _u_response *resp, gw_admission *adm)
{
    memset(adm, 0, sizeof *adm);
    adm->t0 = ibc_monotonic_s();
    adm->params = json_object();
    const char *given = u_map_get_case(req->map_header, "Ibc-Request-Id");
    if (!given) given = u_map_get_case(req->map_header, "X-Request-Id");
    if (given && request_id_ok(given))
        snprintf(adm->rid, sizeof adm->rid, "%s", given);
    else
        ibc_uuid_v4(adm->rid);
    bool ok = admit_route(req, resp, adm) && admit_key(req, resp, adm) && admit_rate(resp, adm) &&
              admit_length(req, resp, adm);
    if (!ok) account(req, resp, adm);
    return ok;
}

void gw_request_too_big(const struct _u_request *req, struct _u_response *resp, gw_admission *adm)
{
    (void)req;
    gw_refusal("body_too_large");
    problem(resp, IBC_ETOOBIG, adm->rid, "the body is larger than %ld bytes", adm->max_body);
}

void gw_admission_clear(gw_admission *adm)
{
    json_decref(adm->params);
    adm->params = NULL;
}

/* The stages after admission (route matched, key authenticated, rate and
 * length limited: gw_request_admit): read the query and the body, gate the
 * requests in flight, forward over NATS, reply. Each stage answers with a
 * problem in resp when it refuses. */

/* Query parameters join the path parameters in adm->params; false with a 400. */
static bool read_query(const struct _u_request *req, struct _u_response *resp, gw_admission *adm)
{
    const char **keys = u_map_enum_keys(req->map_url);
    for (int i = 0; keys && keys[i]; i++) {
        const char *v = u_map_get(req->map_url, keys[i]);
        if (!ibc_utf8_valid(keys[i], strlen(keys[i])) || !v || !ibc_utf8_valid(v, strlen(v))) {
            problem(resp, IBC_EINVAL, adm->rid, "query parameter '%.64s' is not valid UTF-8",
                    ibc_utf8_valid(keys[i], strlen(keys[i])) ? keys[i] : "?");
            return false;
        }
        if (!json_object_get(adm->params, keys[i]))
            json_object_set_new(adm->params, keys[i], json_string(v));
    }
    return true;
}

/* *body = the JSON body, or a non-JSON body as {content_type, base64}, or
 * NULL when there is none (the listener read at most adm->max_body bytes);
 * new reference. False with a 400 or 415. */
static bool read_body(const struct _u_request *req, struct _u_response *resp,
                      const gw_admission *adm, json_t **body)
{
    size_t blen = req->binary_body_length;
    const char *ct = u_map_get_case(req->map_header, "Content-Type");
    *body = NULL;
    if (ct && !ibc_utf8_valid(ct, strlen(ct)))
        return problem(resp, IBC_EINVAL, adm->rid, "the Content-Type header is not valid UTF-8"),
               false;
    if (blen > 0 && adm->route->body == BODY_JSON) {
        if (!is_json_type(ct))
            return problem(resp, IBC_EUNSUPPORTED, adm->rid,
                           "send the body as application/json, not '%.64s'", ct ? ct : "(none)"),
                   false;
        if (!ibc_utf8_valid(req->binary_body, blen))
            return problem(resp, IBC_EINVAL, adm->rid, "the body is not valid UTF-8"), false;
        json_error_t jerr;
        *body = json_loadb(req->binary_body, blen, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
        if (!*body)
            return problem(resp, IBC_EINVAL, adm->rid,
                           "the body is not valid JSON: %s at line %d, column %d", jerr.text,
                           jerr.line, jerr.column),
                   false;
    } else if (blen > 0) {
        size_t n;
        char *b64 = ibc_base64_encode(req->binary_body, blen, &n);
        *body = json_pack("{s:s, s:s%}", "content_type", ct ? ct : "application/octet-stream",
                          "base64", b64, n);
        free(b64);
    }
    return true;
}

/* A bounded number of requests wait on the services; the rest hear at once
 * that they may retry, instead of queueing without end. False with a 503. */
static bool enter_in_flight(struct _u_response *resp, const gw_admission *adm)
{
    if (gw_in_flight_enter(gw.limits.in_flight)) return true;
    gw_refusal("in_flight");
    u_map_put(resp->map_header, "Retry-After", "1");
    problem(resp, IBC_EBUSY, adm->rid,
            "the gateway has %d requests waiting on the services; retry in a second",
            gw.limits.in_flight);
    return false;
}

/* The client headers a service reads, checked; false with a 400. */
static bool forwarded_headers_ok(const struct _u_request *req, struct _u_response *resp,
                                 const gw_admission *adm)
{
    for (size_t i = 0; i < IBC_LEN(gw_forwarded_headers); i++) {
        const char *h = gw_forwarded_headers[i];
        const char *v = u_map_get_case(req->map_header, h);
        if (v && strlen(v) > 256)
            return problem(resp, IBC_EINVAL, adm->rid, "header %s is longer than 256 characters",
                           h),
                   false;
        if (v && !ibc_utf8_valid(v, strlen(v)))
            return problem(resp, IBC_EINVAL, adm->rid, "header %s is not valid UTF-8", h), false;
    }
    return true;
}

/* *out = the NATS request for the route: envelope of params and body, the
 * caller's context and forwarded headers, signed; caller destroys it. */
static natsStatus request_msg(const struct _u_request *req, const gw_admission *adm,
                              const json_t *body, int timeout_ms, natsMsg **out)
{
    char subject[256];
    snprintf(subject, sizeof subject, "ibc.rpc.%s", adm->route->subject);
    char *payload = ibc_envelope_request(adm->params, body);
    natsMsg *msg = NULL;
    natsStatus s = natsMsg_Create(&msg, subject, NULL, payload, (int)strlen(payload));
    free(payload);
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, "Ibc-Request-Id", adm->rid);
    /* an anonymous caller has no organisation: no header (an empty value
     * does not survive the trip, and the signature would differ) */
    if (s == NATS_OK && adm->who.org[0]) s = natsMsgHeader_Set(msg, "Ibc-Org", adm->who.org);
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, "Ibc-Role", adm->who.role);
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, "Ibc-Principal", adm->who.id);
    for (size_t i = 0; s == NATS_OK && i < IBC_LEN(gw_forwarded_headers); i++) {
        const char *v = u_map_get_case(req->map_header, gw_forwarded_headers[i]);
        if (v) s = natsMsgHeader_Set(msg, gw_forwarded_headers[i], v);
    }
    if (s == NATS_OK) s = sign_context(msg, timeout_ms);
    *out = msg;
    return s;
}

/* The request may be sent again when a reply is late: a read, or a write
 * whose Idempotency-Key makes the service do it once. A streamed reply is
 * not (two copies' chunks would mix). */
static bool may_resend(const struct _u_request *req, const gw_route *rt)
{
    /* 0 turns retries off: one attempt over the connection's shared inbox */
    if (rt->stream || gw.cfg.attempt_timeout_ms == 0) return false;
    const char *m = req->http_verb;
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 ||
           u_map_get_case(req->map_header, "Idempotency-Key") != NULL;
}

/* Forwards the request to its service and relays the reply; a request that
 * may be sent again (may_resend) goes over a private inbox, see await_reply. */
static int forward(const struct _u_request *req, struct _u_response *resp, const gw_admission *adm,
                   const json_t *body)
{
    const gw_route *rt = adm->route;
    if (!forwarded_headers_ok(req, resp, adm)) return U_CALLBACK_COMPLETE;
    int timeout = rt->timeout_ms ? rt->timeout_ms : gw.cfg.request_timeout_ms;
    char service[64];
    snprintf(service, sizeof service, "%.*s", (int)strcspn(rt->subject, "."), rt->subject);
    natsMsg *msg = NULL, *reply = NULL;
    natsStatus s = request_msg(req, adm, body, timeout, &msg);
    int ret;
    if (s == NATS_OK && (rt->stream || may_resend(req, rt))) {
        int attempt = rt->stream ? 0 : gw.cfg.attempt_timeout_ms;
        ret = stream_request(resp, msg, timeout, attempt, service, adm->rid);
    } else {
        if (s == NATS_OK) s = natsConnection_RequestMsg(&reply, gw.nc, msg, timeout);
        if (s != NATS_OK)
            ret = bus_problem(resp, s, service, timeout, adm->rid);
        else
            ret = send_reply(resp, natsMsg_GetData(reply), natsMsg_GetDataLength(reply), adm->rid);
    }
    natsMsg_Destroy(msg);
    natsMsg_Destroy(reply);
    return ret;
}

/* Step two (see gateway.h); returns the ulfius callback status. */
static int handle(const struct _u_request *req, struct _u_response *resp, gw_admission *adm)
{
    json_t *body = NULL;
    int ret = U_CALLBACK_COMPLETE;
    if (!read_query(req, resp, adm) || !read_body(req, resp, adm, &body)) goto done;
    if (strncmp(adm->route->subject, "local:", 6) == 0) {
        ret = local_route(req, adm->route, adm->params, body, &adm->who,
                          u_map_get_case(req->map_header, "Idempotency-Key"), adm->rid, resp);
    } else if (enter_in_flight(resp, adm)) {
        ret = forward(req, resp, adm, body);
        gw_in_flight_leave();
    }
done:
    json_decref(body);
    return ret;
}

void gw_request_finish(const struct _u_request *req, struct _u_response *resp, gw_admission *adm)
{
    handle(req, resp, adm);
    account(req, resp, adm);
}

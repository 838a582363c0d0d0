/* The public HTTP listener, on libmicrohttpd directly. ulfius reads a whole
 * body before it calls an endpoint, so a client without a key could make
 * the gateway read (and hold) 32 MiB; here the request is admitted from its
 * headers alone (key, role, rate, Content-Length), refused at once when it
 * must be, and its body read only up to the route's limit. Requests and
 * responses are ulfius's structures, so that proxy.c does not see the
 * difference. A client address holds at most IBC_MAX_CONNECTIONS_PER_IP
 * connections, and a connection that stays silent is closed. */
#include "listener.h"

#include "gateway.h"
#include "web.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <ulfius.h>

/* One request on a connection, from its request line to its completion. */
typedef struct {
    struct _u_request req;
    gw_admission adm;
    bool admitted, refused;
    /* an answer (a refusal, a page) to a request without a body, held until
     * libmicrohttpd has the whole request: answered at the first call,
     * libmicrohttpd would close the connection (it cannot know that no body
     * follows), and the client would pay a new connection for each refusal */
    struct _u_response *held;
} exchange;

static struct MHD_Daemon *daemon_;

/* The accept policy: the client's address has fewer connections than its limit. */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t len)
{
    (void)cls, (void)len;
    if (gw_address_may_connect(addr, gw.limits.per_address)) return MHD_YES;
    gw_refusal("connections_per_address");
    return MHD_NO;
}

static void connection_notify(void *cls, struct MHD_Connection *c, void **socket_ctx,
                              enum MHD_ConnectionNotificationCode code)
{
    (void)cls, (void)socket_ctx;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci) return;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        gw_address_opened(ci->client_addr);
    else
        gw_address_closed(ci->client_addr);
}

/* Called with the raw request target once the request line is in: starts
 * the exchange (the path stays percent-encoded; routes.c decodes segments). */
static void *uri_logged(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls, (void)c;
    exchange *x = calloc(1, sizeof *x);
    if (!x) return NULL;
    ulfius_init_request(&x->req);
    x->req.url_path = strndup(uri, strcspn(uri, "?"));
    return x;
}

static enum MHD_Result fill_map(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    (void)kind;
    if (key) u_map_put(cls, key, value ? value : "");
    return MHD_YES;
}

/* Queues resp (ulfius's structure) on the connection; frees its content. */
static enum MHD_Result send_response(struct MHD_Connection *c, struct _u_response *resp)
{
    struct MHD_Response *r;
    if (resp->stream_callback)
        r = MHD_create_response_from_callback(resp->stream_size, resp->stream_block_size,
                                              resp->stream_callback, resp->stream_user_data,
                                              resp->stream_callback_free);
    else
        r = MHD_create_response_from_buffer(resp->binary_body_length, resp->binary_body,
                                            MHD_RESPMEM_MUST_COPY);
    const char **keys = u_map_enum_keys(resp->map_header);
    for (int i = 0; r && keys && keys[i]; i++)
        MHD_add_response_header(r, keys[i], u_map_get(resp->map_header, keys[i]));
    enum MHD_Result ok = r ? MHD_queue_response(c, (unsigned)resp->status, r) : MHD_NO;
    if (r) MHD_destroy_response(r);
    ulfius_clean_response(resp);
    return ok;
}

/* The request announces a body (Content-Length above 0, or chunked). */
static bool announces_body(const struct _u_request *req)
{
    const char *cl = u_map_get_case(req->map_header, "Content-Length");
    return (cl && strcmp(cl, "0") != 0) || u_map_get_case(req->map_header, "Transfer-Encoding");
}

/* A refusal or a page in resp: with a body announced, queued at once
 * (libmicrohttpd then closes the connection without reading the body);
 * without one, held for the request's last call, so that the connection
 * stays open. */
static enum MHD_Result answer(struct MHD_Connection *c, exchange *x, struct _u_response *resp)
{
    x->refused = true;
    if (announces_body(&x->req) || !(x->held = malloc(sizeof *x->held)))
        return send_response(c, resp);
    *x->held = *resp; /* takes over its header map and body */
    return MHD_YES;
}

/* First call, headers complete: admission, and a refusal's answer. */
static enum MHD_Result admit(struct MHD_Connection *c, exchange *x, const char *method)
{
    x->req.http_verb = strdup(method);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) { /* ulfius_clean_request frees it */
        x->req.client_address = malloc(sizeof(struct sockaddr_storage));
        if (x->req.client_address)
            memcpy(x->req.client_address, ci->client_addr,
                   ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                          : sizeof(struct sockaddr_in));
    }
    MHD_get_connection_values(c, MHD_HEADER_KIND, fill_map, x->req.map_header);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, fill_map, x->req.map_url);
    struct _u_response resp;
    ulfius_init_response(&resp);
    if (gw_web_path(x->req.url_path)) { /* a page or an asset: no body is read */
        gw_web_serve(&x->req, &resp);
        return answer(c, x, &resp);
    }
    x->admitted = gw_request_admit(&x->req, &resp, &x->adm);
    if (x->admitted) {
        ulfius_clean_response(&resp);
        MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT,
                                  (unsigned)gw.limits.idle_timeout_s);
        return MHD_YES;
    }
    return answer(c, x, &resp);
}

/* A piece of the body: kept while within the limit, else a 413 at once. */
static enum MHD_Result take_body(struct MHD_Connection *c, exchange *x, const char *data,
                                 size_t *size)
{
    size_t have = x->req.binary_body_length, n = *size;
    *size = 0;
    if (x->refused) return MHD_YES; /* answered already: the rest is not read */
    if (have + n > (size_t)x->adm.max_body) {
        struct _u_response resp;
        ulfius_init_response(&resp);
        gw_request_too_big(&x->req, &resp, &x->adm);
        x->refused = true;
        return send_response(c, &resp);
    }
    char *b = realloc(x->req.binary_body, have + n);
    if (!b) return MHD_NO;
    memcpy(b + have, data, n);
    x->req.binary_body = b;
    x->req.binary_body_length = have + n;
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **ctx)
{
    (void)cls, (void)url, (void)version;
    exchange *x = *ctx;
    if (!x) return MHD_NO;
    if (!x->req.http_verb) return admit(c, x, method);
    if (*upload_data_size) return take_body(c, x, upload_data, upload_data_size);
    if (x->held) {
        struct _u_response *held = x->held;
        x->held = NULL;
        enum MHD_Result ok = send_response(c, held);
        free(held);
        return ok;
    }
    if (x->refused) return MHD_YES;
    struct _u_response resp;
    ulfius_init_response(&resp);
    gw_request_finish(&x->req, &resp, &x->adm);
    x->refused = true; /* answered */
    return send_response(c, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **ctx,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    exchange *x = *ctx;
    *ctx = NULL;
    if (toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED) gw_refusal("timeout");
    /* back to the short timeout while the next request's headers come */
    MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT,
                              (unsigned)gw.limits.header_timeout_s);
    if (!x) return;
    if (x->held) { /* the client went before its answer */
        ulfius_clean_response(x->held);
        free(x->held);
    }
    gw_admission_clear(&x->adm);
    ulfius_clean_request(&x->req);
    free(x);
}

int gw_listener_start(void)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(gw.cfg.http_port)};
    if (inet_pton(AF_INET, gw.cfg.bind_address, &addr.sin_addr) != 1) return -1;
    /* a thread per connection (requests block on NATS); poll(), since
     * select() cannot watch a descriptor above 1023 */
    unsigned flags =
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    daemon_ = MHD_start_daemon(
        flags, (uint16_t)gw.cfg.http_port, accept_policy, NULL, on_request, NULL,
        MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_CONNECTION_LIMIT, (unsigned)gw.cfg.max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)gw.limits.header_timeout_s,
        MHD_OPTION_NOTIFY_CONNECTION, connection_notify, NULL, MHD_OPTION_URI_LOG_CALLBACK,
        uri_logged, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
    return daemon_ ? 0 : -1;
}

void gw_listener_stop(void)
{
    if (daemon_) MHD_stop_daemon(daemon_);
    daemon_ = NULL;
}

/* Each service's small HTTP listener for operators: Prometheus /metrics,
 * /healthz (the process runs) and /readyz (its dependencies answer).
 * On libmicrohttpd directly: three fixed GET routes need no framework, and
 * a service that does not link ulfius does not map libcurl and its
 * dependencies either (about 1.6 MB of resident pages a process). */
#include "ibc/admin_http.h"
#include "ibc/log.h"
#include "ibc/metrics.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

enum { ADMIN_CONNECTIONS = 32, ADMIN_TIMEOUT_S = 10 };

static struct MHD_Daemon *admin;
static ibc_ready_fn ready_fn;
static void *ready_arg;

/* Queues status with body (copied), its Content-Type and, unless NULL, Allow. */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             const char *body, const char *allow)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (allow) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **ctx)
{
    (void)cls, (void)version, (void)upload_data;
    static const char json[] = "application/json";
    /* another method is answered at the first call, when the headers are
     * in: its body is not read (libmicrohttpd then closes the connection) */
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, json, "{\"status\":\"method not allowed\"}",
                     "GET, HEAD");
    static int seen; /* a GET is answered at its last call: the connection stays open */
    if (!*ctx) {
        *ctx = &seen;
        return MHD_YES;
    }
    *upload_data_size = 0; /* a GET's body, if any, is not kept */
    if (strcmp(url, "/metrics") == 0) {
        char *text = ibc_metrics_render();
        if (!text)
            return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", "out of memory\n", NULL);
        enum MHD_Result ok = reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4", text, NULL);
        free(text);
        return ok;
    }
    if (strcmp(url, "/healthz") == 0)
        return reply(c, MHD_HTTP_OK, json, "{\"status\":\"ok\"}", NULL);
    if (strcmp(url, "/readyz") == 0) {
        bool ok = !ready_fn || ready_fn(ready_arg);
        return reply(c, ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, json,
                     ok ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}", NULL);
    }
    return reply(c, MHD_HTTP_NOT_FOUND, json, "{\"status\":\"not found\"}", NULL);
}

/* Starts the listener; 0 on success, -1 when the port cannot be bound. */
int ibc_admin_http_start(const char *bind, int port, ibc_ready_fn ready, void *arg)
{
    if (port <= 0) return 0;
    ready_fn = ready;
    ready_arg = arg;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, bind, &addr.sin_addr) != 1) return -1;
    /* a thread per connection: /readyz pings PostgreSQL, which may take a while */
    admin =
        MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD,
                         (uint16_t)port, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, &addr,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned)ADMIN_CONNECTIONS,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)ADMIN_TIMEOUT_S, MHD_OPTION_END);
    if (!admin) {
        ibc_log(IBC_LOG_ERROR, NULL, "cannot listen for metrics on port %d", port);
        return -1;
    }
    return 0;
}

void ibc_admin_http_stop(void)
{
    if (admin) MHD_stop_daemon(admin);
    admin = NULL;
}

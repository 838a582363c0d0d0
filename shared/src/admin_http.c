/* Each service's small HTTP listener for operators: Prometheus /metrics,
 * /healthz (the process runs) and /readyz (its dependencies answer). */
#include "ibc/admin_http.h"
#include "ibc/log.h"
#include "ibc/metrics.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <ulfius.h>

static struct _u_instance admin;
static bool started;
static ibc_ready_fn ready_fn;
static void *ready_arg;

static int cb_metrics(const struct _u_request *req, struct _u_response *resp, void *data)
{
    (void)req;
    (void)data;
    char *text = ibc_metrics_render();
    if (!text) return ulfius_set_string_body_response(resp, 500, "out of memory\n"), U_CALLBACK_COMPLETE;
    ulfius_set_string_body_response(resp, 200, text);
    u_map_put(resp->map_header, "Content-Type", "text/plain; version=0.0.4");
    free(text);
    return U_CALLBACK_COMPLETE;
}

static int cb_healthz(const struct _u_request *req, struct _u_response *resp, void *data)
{
    (void)req;
    (void)data;
    ulfius_set_string_body_response(resp, 200, "{\"status\":\"ok\"}");
    u_map_put(resp->map_header, "Content-Type", "application/json");
    return U_CALLBACK_COMPLETE;
}

static int cb_readyz(const struct _u_request *req, struct _u_response *resp, void *data)
{
    (void)req;
    (void)data;
    bool ok = !ready_fn || ready_fn(ready_arg);
    ulfius_set_string_body_response(resp, ok ? 200 : 503,
                                    ok ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}");
    u_map_put(resp->map_header, "Content-Type", "application/json");
    return U_CALLBACK_COMPLETE;
}

/* Starts the listener; 0 on success, -1 when the port cannot be bound. */
int ibc_admin_http_start(const char *bind, int port, ibc_ready_fn ready, void *arg)
{
    if (port <= 0) return 0;
    ready_fn = ready;
    ready_arg = arg;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, bind, &addr.sin_addr) != 1) return -1;
    if (ulfius_init_instance(&admin, port, &addr, NULL) != U_OK) return -1;
    admin.max_post_body_size = 1024;
    ulfius_add_endpoint_by_val(&admin, "GET", "/metrics", NULL, 0, cb_metrics, NULL);
    ulfius_add_endpoint_by_val(&admin, "GET", "/healthz", NULL, 0, cb_healthz, NULL);
    ulfius_add_endpoint_by_val(&admin, "GET", "/readyz", NULL, 0, cb_readyz, NULL);
    if (ulfius_start_framework(&admin) != U_OK) {
        ibc_log(IBC_LOG_ERROR, NULL, "cannot listen for metrics on port %d", port);
        ulfius_clean_instance(&admin);
        return -1;
    }
    started = true;
    return 0;
}

void ibc_admin_http_stop(void)
{
    if (!started) return;
    ulfius_stop_framework(&admin);
    ulfius_clean_instance(&admin);
    started = false;
}

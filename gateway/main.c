/* ibc-gateway: the HTTP front of ibcnet. Serves /api/v1 through the routes
 * table, /healthz, /readyz and /metrics without a key. With the argument
 * `create-key --org ORG --role ROLE [--name NAME]` it creates a key, prints it
 * as JSON and exits (how `make up` makes the first admin key). */
#include "gateway.h"

#include <arpa/inet.h>
#include <ibc/envelope.h>
#include <ibc/metrics.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ulfius.h>

gw_state gw;

static int cb_healthz(const struct _u_request *req, struct _u_response *resp, void *data)
{
    (void)req, (void)data;
    ulfius_set_string_body_response(resp, 200, "{\"status\":\"ok\"}");
    u_map_put(resp->map_header, "Content-Type", "application/json");
    return U_CALLBACK_COMPLETE;
}

static int cb_readyz(const struct _u_request *req, struct _u_response *resp, void *data)
{
    (void)req, (void)data;
    bool nats_ok = natsConnection_Status(gw.nc) == NATS_CONN_STATUS_CONNECTED;
    bool pg_ok = false;
    PGconn *db = ibc_db_pool_get(gw.pool);
    if (db) {
        PGresult *r = PQexec(db, "SELECT 1");
        pg_ok = PQresultStatus(r) == PGRES_TUPLES_OK;
        PQclear(r);
        ibc_db_pool_put(gw.pool, db);
    }
    json_t *j = json_pack("{s:s, s:b, s:b}", "status", nats_ok && pg_ok ? "ready" : "not ready",
                          "nats", nats_ok, "postgres", pg_ok);
    char *text = json_dumps(j, JSON_COMPACT);
    ulfius_set_string_body_response(resp, nats_ok && pg_ok ? 200 : 503, text);
    u_map_put(resp->map_header, "Content-Type", "application/json");
    free(text);
    json_decref(j);
    return U_CALLBACK_COMPLETE;
}

static int cb_metrics(const struct _u_request *req, struct _u_response *resp, void *data)
{
    (void)req, (void)data;
    char *text = ibc_metrics_render();
    ulfius_set_string_body_response(resp, text ? 200 : 500, text ? text : "");
    u_map_put(resp->map_header, "Content-Type", "text/plain; version=0.0.4");
    free(text);
    return U_CALLBACK_COMPLETE;
}

static int cb_not_found(const struct _u_request *req, struct _u_response *resp, void *data)
{
    (void)data;
    char detail[300];
    snprintf(detail, sizeof detail, "no route %.16s %.200s", req->http_verb,
             ibc_utf8_valid(req->url_path, strlen(req->url_path)) ? req->url_path : "(not UTF-8)");
    json_t *p = ibc_problem(404, "not-found", "Not found", detail);
    char *text = json_dumps(p, JSON_COMPACT);
    ulfius_set_string_body_response(resp, 404, text);
    u_map_put(resp->map_header, "Content-Type", "application/problem+json");
    free(text);
    json_decref(p);
    return U_CALLBACK_COMPLETE;
}

static PGconn *migrated_connection(void)
{
    char err[512];
    PGconn *db = NULL;
    for (int i = 0; !(db = ibc_db_connect(gw.cfg.pg_dsn, NULL)); i++) {
        if (i == 120) return NULL;
        struct timespec ts = {0, 500000000L};
        nanosleep(&ts, NULL);
    }
    if (gw.cfg.migrate && ibc_migrate(db, "gateway", gw.cfg.migrations_dir, err, sizeof err) != IBC_OK) {
        ibc_log(IBC_LOG_ERROR, NULL, "gateway migrations failed: %s", err);
        PQfinish(db);
        return NULL;
    }
    return db;
}

static int create_key(int argc, char **argv)
{
    const char *org = NULL, *role = NULL, *name = "";
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--org") == 0) org = argv[i + 1];
        else if (strcmp(argv[i], "--role") == 0) role = argv[i + 1];
        else if (strcmp(argv[i], "--name") == 0) name = argv[i + 1];
    }
    if (!org || !role) {
        fprintf(stderr, "usage: ibc-gateway create-key --org ORG --role ROLE [--name NAME]\n");
        return 2;
    }
    PGconn *db = migrated_connection();
    if (!db) return 1;
    PGresult *r = PQexec(db, "SET search_path = gateway, public");
    PQclear(r);
    json_t *body = json_pack("{s:s, s:s, s:s}", "org", org, "role", role, "name", name), *out;
    char err[512];
    ibc_rc rc = gw_keys_create(db, body, "", &out, err, sizeof err);
    json_decref(body);
    PQfinish(db);
    if (rc != IBC_OK) {
        fprintf(stderr, "ibc-gateway: %s\n", rc == IBC_EINVAL ? err : "database error");
        return 1;
    }
    char *text = json_dumps(out, JSON_COMPACT);
    printf("%s\n", text);
    free(text);
    json_decref(out);
    return 0;
}

int main(int argc, char **argv)
{
    char err[256];
    if (ibc_config_load(&gw.cfg, "gateway", NULL, err, sizeof err) != IBC_OK) {
        fprintf(stderr, "ibc-gateway: %s\n", err);
        return 2;
    }
    ibc_log_init("gateway", gw.cfg.log_level);
    if (argc > 1 && strcmp(argv[1], "create-key") == 0) return create_key(argc, argv);

    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    PGconn *db = migrated_connection();
    if (!db) return 1;
    PQfinish(db);
    gw.pool = ibc_db_pool_create(gw.cfg.pg_dsn, "gateway", 8);
    gw_auth_init(gw.pool);
    ibc_bus_connect(&gw.nc, &gw.cfg, "gateway");

    gw.max_body_any = gw.cfg.max_body;
    for (size_t i = 0; i < gw_nroutes; i++)
        if (gw_routes[i].max_body > gw.max_body_any) gw.max_body_any = gw_routes[i].max_body;

    struct _u_instance http;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(gw.cfg.http_port)};
    if (inet_pton(AF_INET, gw.cfg.bind_address, &addr.sin_addr) != 1 ||
        ulfius_init_instance(&http, gw.cfg.http_port, &addr, NULL) != U_OK) {
        ibc_log(IBC_LOG_ERROR, NULL, "bad bind address %s", gw.cfg.bind_address);
        return 1;
    }
    /* one byte over the largest limit, so that an oversized body is seen as such */
    http.max_post_body_size = gw.max_body_any + 1;
    /* bodies are read raw (binary_body) and judged by their Content-Type in
     * proxy.c; ulfius's form parsers are not used, and a malformed multipart
     * body made them drop the connection without an answer */
    http.allowed_post_processor = U_POST_PROCESS_NONE;
    /* ulfius would silently drop a query parameter or header that is not
     * UTF-8 (a filter ?school=%FF became no filter); proxy.c answers 400 */
    http.check_utf8 = 0;
    ulfius_add_endpoint_by_val(&http, "GET", "/healthz", NULL, 0, cb_healthz, NULL);
    ulfius_add_endpoint_by_val(&http, "GET", "/readyz", NULL, 0, cb_readyz, NULL);
    ulfius_add_endpoint_by_val(&http, "GET", "/metrics", NULL, 0, cb_metrics, NULL);
    ulfius_add_endpoint_by_val(&http, "*", "/api", "*", 0, gw_api_callback, NULL);
    ulfius_set_default_endpoint(&http, cb_not_found, NULL);
    /* a thread per connection (requests block on NATS), but a bounded number
     * of connections and an idle timeout, so that no client can exhaust us */
    struct MHD_OptionItem ops[] = {
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)mhd_request_completed, NULL},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)ulfius_uri_logger, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, &addr},
        {MHD_OPTION_CONNECTION_LIMIT, gw.cfg.max_connections, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, 60, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    if (ulfius_start_framework_with_mhd_options(
            &http, MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
            ops) != U_OK) {
        ibc_log(IBC_LOG_ERROR, NULL, "cannot listen on %s:%d", gw.cfg.bind_address,
                gw.cfg.http_port);
        return 1;
    }
    ibc_log(IBC_LOG_INFO, NULL, "gateway %s listening on http://%s:%d", IBC_VERSION,
            gw.cfg.bind_address, gw.cfg.http_port);

    int sig;
    sigwait(&sigs, &sig);
    ibc_log(IBC_LOG_INFO, NULL, "signal %d: stopping", sig);
    ulfius_stop_framework(&http);
    ulfius_clean_instance(&http);
    natsConnection_Destroy(gw.nc);
    ibc_db_pool_destroy(gw.pool);
    nats_Close();
    return 0;
}

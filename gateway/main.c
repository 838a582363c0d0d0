/* ibc-gateway: the HTTP front of ibcnet. Serves /api/v1 through the routes
 * table on the public port, and /healthz, /readyz and /metrics on the admin
 * port (IBC_METRICS_PORT, bound to IBC_ADMIN_BIND_ADDRESS). With the argument
 * `create-key --org ORG --role ROLE [--name NAME]` it creates a key, prints it
 * as JSON and exits (how `make up` makes the first admin key); with
 * `create-account` it makes a person's account the same way (the first admin
 * of the web workstation). */
#include "gateway.h"
#include "listener.h"
#include "session.h"
#include "web.h"

#include <ibc/admin_http.h>
#include <ibc/process.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gw_state gw;

/* /readyz on the admin listener: NATS connected and PostgreSQL answers. */
static bool gateway_ready(void *arg)
{
    (void)arg;
    if (natsConnection_Status(gw.nc) != NATS_CONN_STATUS_CONNECTED) return false;
    PGconn *db = ibc_db_pool_get(gw.pool);
    if (!db) return false;
    PGresult *r = PQexec(db, "SELECT 1");
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    ibc_db_pool_put(gw.pool, db);
    return ok;
}

static PGconn *migrated_connection(void)
{
    char err[512];
    PGconn *db = ibc_process_db_wait(gw.cfg.pg_dsn);
    if (!db) return NULL;
    if (gw.cfg.migrate && ibc_migrate(db, "gateway", gw.cfg.migrations_dir, err, sizeof err) != IBC_OK) {
        ibc_log(IBC_LOG_ERROR, NULL, "gateway migrations failed: %s", err);
        PQfinish(db);
        return NULL;
    }
    return db;
}

/* Prints out on stdout and drops it; returns 0 (the exit status). */
static int print_json(json_t *out)
{
    char *text = json_dumps(out, JSON_COMPACT);
    printf("%s\n", text);
    free(text);
    json_decref(out);
    return 0;
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
    ibc_rc rc = gw_keys_create(db, body, "", NULL, &out, err, sizeof err);
    json_decref(body);
    PQfinish(db);
    if (rc != IBC_OK) {
        fprintf(stderr, "ibc-gateway: %s\n", rc == IBC_EINVAL ? err : "database error");
        return 1;
    }
    return print_json(out);
}

/* create-account --login L --org O --role R [--name N], the password from
 * IBC_ACCOUNT_PASSWORD (never an argument: ps shows those). An account with
 * that login already there is left as it is (exit 0), so `make up` may repeat. */
static int create_account(int argc, char **argv)
{
    json_t *body = json_object();
    for (int i = 2; i + 1 < argc; i += 2)
        if (strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i], "--password") != 0)
            json_object_set_new(body, argv[i] + 2, json_string(argv[i + 1]));
    const char *pw = getenv("IBC_ACCOUNT_PASSWORD");
    if (!pw || !json_object_get(body, "login")) {
        fprintf(stderr, "usage: IBC_ACCOUNT_PASSWORD=... ibc-gateway create-account --login L "
                        "--org ORG --role ROLE [--name NAME]\n");
        json_decref(body);
        return 2;
    }
    json_object_set_new(body, "password", json_string(pw));
    PGconn *db = migrated_connection();
    if (!db || !gw_session_init(NULL)) return json_decref(body), 1;
    PQclear(PQexec(db, "SET search_path = gateway, public"));
    json_t *out = NULL;
    char err[512] = "";
    ibc_rc rc = gw_accounts_create(db, body, &out, err, sizeof err);
    json_decref(body);
    PQfinish(db);
    if (rc == IBC_ECONFLICT) {
        fprintf(stderr, "ibc-gateway: %s; left as it is\n", err);
        return 0;
    }
    if (rc != IBC_OK) {
        fprintf(stderr, "ibc-gateway: %s\n", err[0] ? err : "database error");
        return 1;
    }
    return print_json(out);
}

int main(int argc, char **argv)
{
    char err[256];
    if (ibc_config_load(&gw.cfg, "gateway", NULL, err, sizeof err) != IBC_OK ||
        gw_limits_load(&gw.limits, NULL, err, sizeof err) != IBC_OK) {
        fprintf(stderr, "ibc-gateway: %s\n", err);
        return 2;
    }
    ibc_log_init("gateway", gw.cfg.log_level);
    if (argc > 1 && strcmp(argv[1], "create-key") == 0) return create_key(argc, argv);
    if (argc > 1 && strcmp(argv[1], "create-account") == 0) return create_account(argc, argv);
    if (ibc_context_keys_init(&gw.keys, gw.cfg.context_key, gw.cfg.context_key_previous, err,
                              sizeof err) != IBC_OK) {
        fprintf(stderr, "ibc-gateway: %s\n", err);
        return 2;
    }

    sigset_t sigs;
    ibc_process_signals(&sigs);
    ibc_process_memory(&gw.cfg);

    PGconn *db = migrated_connection();
    if (!db) return 1;
    PQfinish(db);
    gw.pool = ibc_db_pool_create(gw.cfg.pg_dsn, "gateway", 8);
    gw_auth_init(gw.pool);
    if (!gw_session_init(gw.pool)) {
        fprintf(stderr, "ibc-gateway: libsodium cannot be initialised\n");
        return 1;
    }
    const char *web = getenv("IBC_WEB_DIR");
    gw_web_load(web && *web ? web : GW_WEB_DIR_DEFAULT);
    ibc_bus_connect(&gw.nc, &gw.cfg, "gateway");

    if (ibc_admin_http_start(gw.cfg.admin_bind_address, gw.cfg.metrics_port, gateway_ready,
                             NULL) != 0)
        return 1;
    if (gw_listener_start() != 0) {
        ibc_log(IBC_LOG_ERROR, NULL, "cannot listen on %s:%d", gw.cfg.bind_address,
                gw.cfg.http_port);
        return 1;
    }
    ibc_log(IBC_LOG_INFO, NULL, "gateway %s listening on http://%s:%d, admin on %s:%d",
            IBC_VERSION, gw.cfg.bind_address, gw.cfg.http_port, gw.cfg.admin_bind_address,
            gw.cfg.metrics_port);

    int sig = ibc_process_wait(&sigs, &gw.cfg);
    ibc_log(IBC_LOG_INFO, NULL, "signal %d: stopping", sig);
    gw_listener_stop();
    ibc_admin_http_stop();
    natsConnection_Destroy(gw.nc);
    ibc_db_pool_destroy(gw.pool);
    nats_Close();
    return 0;
}

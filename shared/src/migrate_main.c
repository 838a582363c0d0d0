/* ibc-migrate: applies the migrations of the schemas named on the command
 * line (default: every service and the gateway), then exits. */
#include "ibc/ibc.h"

#include <stdio.h>
#include <time.h>

int main(int argc, char **argv)
{
    static const char *all[] = {"gateway", "catalog", "circulation", "training", "grants",
                                "monitoring"};
    ibc_config cfg;
    char err[512];
    if (ibc_config_load(&cfg, "migrate", NULL, err, sizeof err) != IBC_OK) {
        fprintf(stderr, "ibc-migrate: %s\n", err);
        return 2;
    }
    ibc_log_init("migrate", cfg.log_level);
    PGconn *db = NULL;
    for (int i = 0; !(db = ibc_db_connect(cfg.pg_dsn, NULL)); i++) {
        if (i == 120) return 1; /* a minute: the database container may still be starting */
        struct timespec ts = {0, 500000000L};
        nanosleep(&ts, NULL);
    }
    int n = argc > 1 ? argc - 1 : (int)IBC_LEN(all);
    for (int i = 0; i < n; i++) {
        const char *schema = argc > 1 ? argv[i + 1] : all[i];
        if (ibc_migrate(db, schema, cfg.migrations_dir, err, sizeof err) != IBC_OK) {
            fprintf(stderr, "ibc-migrate: %s: %s\n", schema, err);
            PQfinish(db);
            return 1;
        }
    }
    PQfinish(db);
    return 0;
}

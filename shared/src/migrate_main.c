/* ibc-migrate: applies the migrations of the schemas named on the command
 * line (default: every service and the gateway), then exits. Each schema is
 * migrated as its owner role: IBC_PG_DSN_<SCHEMA> (upper case) when set,
 * else IBC_PG_DSN. */
#include "ibc/config.h"
#include "ibc/db.h"
#include "ibc/log.h"
#include "ibc/migrate.h"
#include "ibc/process.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Returns IBC_PG_DSN_<SCHEMA> when set, else dflt; borrows both. */
static const char *dsn_of(const char *schema, const char *dflt)
{
    char name[64] = "IBC_PG_DSN_";
    size_t n = strlen(name);
    for (const char *c = schema; *c && n + 1 < sizeof name; c++)
        name[n++] = (char)toupper((unsigned char)*c);
    name[n] = 0;
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

/* Migrates one schema on a connection of its own; false (said on stderr) on failure. */
static bool migrate_one(const ibc_config *cfg, const char *schema)
{
    char err[512];
    PGconn *db = ibc_process_db_wait(dsn_of(schema, cfg->pg_dsn));
    if (!db) return false;
    bool ok = ibc_migrate(db, schema, cfg->migrations_dir, err, sizeof err) == IBC_OK;
    if (!ok) fprintf(stderr, "ibc-migrate: %s: %s\n", schema, err);
    PQfinish(db);
    return ok;
}

int main(int argc, char **argv)
{
    static const char *all[] = {"gateway",  "catalog", "circulation",
                                "training", "grants",  "monitoring"};
    ibc_config cfg;
    char err[512];
    if (ibc_config_load(&cfg, "migrate", NULL, err, sizeof err) != IBC_OK) {
        fprintf(stderr, "ibc-migrate: %s\n", err);
        return 2;
    }
    ibc_log_init("migrate", cfg.log_level);
    int n = argc > 1 ? argc - 1 : (int)IBC_LEN(all);
    for (int i = 0; i < n; i++)
        if (!migrate_one(&cfg, argc > 1 ? argv[i + 1] : all[i])) return 1;
    return 0;
}

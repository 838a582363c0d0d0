/* circulation: readers, loan rules, loans, holds, class sets of textbooks and
 * loans between schools; a projection of the catalog's items fed by its
 * events; a sweeper that expires holds whose time has passed. */
#include "circulation.h"

#include <ibc/bus.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const ibc_action actions[] = {
    {"readers.create", readers_create, IBC_ACTION_TX},
    {"readers.list", readers_list, IBC_ACTION_READONLY},
    {"readers.get", readers_get, IBC_ACTION_READONLY},
    {"readers.update", readers_update, IBC_ACTION_TX},
    {"readers.delete", readers_delete, IBC_ACTION_TX},
    {"policies.list", policies_list, IBC_ACTION_READONLY},
    {"policies.put", policies_put, IBC_ACTION_TX},
    {"settings.get", settings_get, IBC_ACTION_READONLY},
    {"settings.put", settings_put, IBC_ACTION_TX},
    {"checkouts.create", checkouts_create, IBC_ACTION_TX},
    {"checkins.create", checkins_create, IBC_ACTION_TX},
    {"loans.list", loans_list, IBC_ACTION_READONLY},
    {"loans.get", loans_get, IBC_ACTION_READONLY},
    {"loans.renew", loans_renew, IBC_ACTION_TX},
    {"overdue.list", overdue_list, IBC_ACTION_READONLY},
    {"holds.create", holds_create, IBC_ACTION_TX},
    {"holds.list", holds_list, IBC_ACTION_READONLY},
    {"holds.get", holds_get, IBC_ACTION_READONLY},
    {"holds.cancel", holds_cancel, IBC_ACTION_TX},
    {"holds.expire", holds_expire, IBC_ACTION_TX},
    {"classsets.issue", classsets_issue, IBC_ACTION_TX},
    {"classsets.return", classsets_return, IBC_ACTION_TX},
    {"classsets.list", classsets_list, IBC_ACTION_READONLY},
    {"transfers.create", transfers_create, IBC_ACTION_TX},
    {"transfers.list", transfers_list, IBC_ACTION_READONLY},
    {"transfers.get", transfers_get, IBC_ACTION_READONLY},
    {"transfers.transition", transfers_transition, IBC_ACTION_TX},
};

static const ibc_event_sub events[] = {
    {"ibc.evt.catalog.item.*", on_catalog_item, NULL},
    {"ibc.evt.catalog.record.*", on_catalog_record, NULL},
};

/* Runs one sweep in its own transaction; false when the database failed. */
static bool sweep_once(PGconn *db)
{
    ibc_ctx ctx = {.service = "circulation",
                   .action = "holds.sweep",
                   .org = "",
                   .role = "",
                   .principal = "",
                   .db = db,
                   .status = 200};
    PGresult *r = PQexec(db, "BEGIN");
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) return false;
    long n = 0;
    ibc_rc rc = holds_expire_run(&ctx, "", &n);
    r = PQexec(db, rc == IBC_OK ? "COMMIT" : "ROLLBACK");
    ok = rc == IBC_OK && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (ok) ibc_outbox_committed();
    if (n > 0 && ok) ibc_log(IBC_LOG_INFO, NULL, "expired %ld holds", n);
    if (rc != IBC_OK) ibc_log(IBC_LOG_WARN, NULL, "hold sweep failed: %s", ctx.err_detail);
    json_decref(ctx.reply_headers);
    json_decref(ctx.err_ext);
    return ok;
}

/* Expires holds every IBC_HOLD_SWEEP_SECONDS (60 by default) on its own
 * connection; every replica may run it (rows are taken SKIP LOCKED). */
static void sweeper(void *nc, const ibc_config *cfg)
{
    (void)nc;
    const char *s = getenv("IBC_HOLD_SWEEP_SECONDS");
    long every = s ? atol(s) : 60;
    if (every <= 0) return;
    PGconn *db = NULL;
    for (;;) {
        struct timespec ts = {every, 0};
        nanosleep(&ts, NULL);
        if (!db) db = ibc_db_connect(cfg->pg_dsn, "circulation");
        if (db && !sweep_once(db) && !ibc_db_ensure(db)) {
            PQfinish(db);
            db = NULL;
        }
    }
}

int main(void)
{
    static const ibc_service_def def = {
        .name = "circulation",
        .actions = actions,
        .nactions = IBC_LEN(actions),
        .on_start = sweeper,
        .events = events,
        .nevents = IBC_LEN(events),
    };
    return ibc_service_run(&def);
}

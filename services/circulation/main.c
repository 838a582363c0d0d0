/* circulation: readers, loan rules, loans, holds, class sets of textbooks and
 * loans between schools; a projection of the catalog's items fed by its
 * events; a sweeper that expires holds whose time has passed and marks the
 * loans that became overdue. */
#include "audit.h"
#include "circulation.h"

#include <ibc/ibc.h>
#include <stdio.h>
#include <stdlib.h>

static const ibc_action actions[] = {
    {"readers.create", readers_create, IBC_ACTION_TX},
    {"readers.list", readers_list, IBC_ACTION_READONLY},
    {"readers.get", readers_get, IBC_ACTION_READONLY},
    {"readers.update", readers_update, IBC_ACTION_TX},
    {"readers.delete", readers_delete, IBC_ACTION_TX},
    {"readers.consents.add", readers_consent_add, IBC_ACTION_TX},
    {"readers.personal_data", readers_personal_data, IBC_ACTION_READONLY},
    {"audit.list", audit_list, IBC_ACTION_READONLY},
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
    /* the catalog's write-off acts (withdraw.c): asked by the catalog only */
    {"items.withdraw", items_withdraw, IBC_ACTION_TX},
    {"items.restore", items_restore, IBC_ACTION_TX},
};

static const ibc_event_sub events[] = {
    {"ibc.evt.catalog.item.*", on_catalog_item, NULL},
    {"ibc.evt.catalog.record.*", on_catalog_record, NULL},
};

/* holds.sweep: expires the holds whose time has passed, in the job's
 * transaction; every replica may run it (rows are taken SKIP LOCKED). */
static ibc_rc sweep(ibc_job *job, ibc_ctx *ctx)
{
    long n = 0, late = 0;
    ibc_rc rc = holds_expire_run(ctx, "", &n);
    if (rc == IBC_OK) rc = overdue_mark_run(ctx, &late);
    ibc_job_progress(job, n + late, n + late);
    if (rc == IBC_OK && n > 0) ibc_log(IBC_LOG_INFO, NULL, "expired %ld holds", n);
    if (rc == IBC_OK && late > 0) ibc_log(IBC_LOG_INFO, NULL, "marked %ld loans overdue", late);
    return rc;
}

/* Days after leaving that a reader's personal data is kept (152-ФЗ). */
static long anonymise_after_days = 1095;

/* readers.anonymise: removes the personal data of readers who left
 * IBC_ANONYMISE_AFTER_DAYS ago, keeping their loans for the statistics. */
static ibc_rc anonymise(ibc_job *job, ibc_ctx *ctx)
{
    long n = 0;
    ibc_rc rc = readers_anonymise_run(ctx, anonymise_after_days, &n);
    ibc_job_progress(job, n, n);
    if (rc == IBC_OK && n > 0) ibc_log(IBC_LOG_INFO, NULL, "anonymised %ld readers who left", n);
    return rc;
}

/* items.reconcile: copies withdrawn for a write-off act whose event has not
 * come after 5 minutes are settled by asking the catalog (withdraw.c). */
static ibc_rc reconcile(ibc_job *job, ibc_ctx *ctx)
{
    long seen = 0, undone = 0;
    ibc_rc rc = items_reconcile_run(ctx, 300, &seen, &undone);
    ibc_job_progress(job, seen, seen);
    if (rc == IBC_OK && undone > 0)
        ibc_log(IBC_LOG_WARN, NULL,
                "%ld copies withdrawn for an act the catalog did not keep "
                "got their status back",
                undone);
    return rc;
}

/* every IBC_HOLD_SWEEP_SECONDS (60 by default; 0 turns it off), every
 * IBC_WITHDRAW_SWEEP_SECONDS (60), every
 * IBC_ANONYMISE_SWEEP_SECONDS (3600) */
static const ibc_job_def jobs[] = {
    {"holds.sweep", sweep, 60, "IBC_HOLD_SWEEP_SECONDS"},
    {"readers.anonymise", anonymise, 3600, "IBC_ANONYMISE_SWEEP_SECONDS"},
    {"items.reconcile", reconcile, 60, "IBC_WITHDRAW_SWEEP_SECONDS"},
};

int main(void)
{
    const char *days = getenv("IBC_ANONYMISE_AFTER_DAYS");
    if (days && !ibc_config_int(days, 1, 36500, &anonymise_after_days)) {
        fprintf(stderr, "IBC_ANONYMISE_AFTER_DAYS must be 1 to 36500 days, not '%.20s'\n", days);
        return 1;
    }
    static const ibc_service_def def = {
        .name = "circulation",
        .actions = actions,
        .nactions = IBC_LEN(actions),
        .events = events,
        .nevents = IBC_LEN(events),
        .jobs = jobs,
        .njobs = IBC_LEN(jobs),
    };
    return ibc_service_run(&def);
}

/* circulation's periodic jobs (the runtime runs each in a thread of its
 * own, in a transaction per run): holds that expired and loans that became
 * overdue, the 152-ФЗ anonymiser, and the write-off withdrawals to settle. */
#include "circulation.h"

#include <stdio.h>
#include <stdlib.h>

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
const ibc_job_def circulation_jobs[CIRCULATION_NJOBS] = {
    {"holds.sweep", sweep, 60, "IBC_HOLD_SWEEP_SECONDS"},
    {"readers.anonymise", anonymise, 3600, "IBC_ANONYMISE_SWEEP_SECONDS"},
    {"items.reconcile", reconcile, 60, "IBC_WITHDRAW_SWEEP_SECONDS"},
};

bool circulation_jobs_configure(void)
{
    const char *days = getenv("IBC_ANONYMISE_AFTER_DAYS");
    if (days && !ibc_config_int(days, 1, 36500, &anonymise_after_days)) {
        fprintf(stderr, "IBC_ANONYMISE_AFTER_DAYS must be 1 to 36500 days, not '%.20s'\n", days);
        return false;
    }
    return true;
}

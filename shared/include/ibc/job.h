/* Background work: a job runs outside any request (hold expiry, MARC
 * imports) on its own PostgreSQL connection, with a context the runtime builds
 * (no service fills an ibc_ctx by hand), transaction helpers that wake the
 * outbox relay on COMMIT, progress and cancellation. A periodic job is
 * declared in the service's ibc_service_def and run by the runtime. */
#ifndef IBC_JOB_H
#define IBC_JOB_H

#include "config.h"
#include "context.h"

#include <stdbool.h>

typedef struct ibc_job ibc_job;

/* Opens a job of `service` named `name` (the action its log lines and
 * metrics carry) with its own connection to dsn, search_path `schema`.
 * NULL when the database cannot be reached. Close it in the thread that
 * used it. */
ibc_job *ibc_job_open(const char *service, const char *name, const char *dsn, const char *schema);
/* Closes the job's connection (when it has one) and frees it; NULL is fine. */
void ibc_job_close(ibc_job *job);
/* The job's context: its connection in ctx->db, no caller (org and role "").
 * Borrowed for the job's life. */
ibc_ctx *ibc_job_ctx(ibc_job *job);
/* Resets the job's connection when it broke; true when it is live. */
bool ibc_job_ensure(ibc_job *job);

/* Waits up to timeout_ms for a NOTIFY on the job's connection (after its
 * LISTEN) and drops what came: a job woken by a NOTIFY looks for its work
 * in the tables. */
void ibc_job_wait_notify(ibc_job *job, int timeout_ms);

/* Transactions on ctx->db (a job's, or a handler's that runs its own, such
 * as a read-only export). begin: "BEGIN" followed by `mode` (NULL or e.g.
 * "ISOLATION LEVEL REPEATABLE READ READ ONLY"). commit: COMMIT, then wakes
 * the outbox relay for the events the transaction wrote. rollback: ends a
 * transaction that is open, keeps ctx's failure. begin fails with IBC_EDB,
 * commit with the rc of its SQLSTATE (IBC_ERETRY for a serialization
 * failure), each with a sentence in ctx; a failed commit is rolled back. */
ibc_rc ibc_tx_begin(ibc_ctx *ctx, const char *mode);
ibc_rc ibc_tx_commit(ibc_ctx *ctx);
void ibc_tx_rollback(ibc_ctx *ctx);

/* Says how far the job's current run is (units done of total; total 0 when
 * unknown): the gauges ibc_job_done_units / ibc_job_planned_units{service,job}. */
void ibc_job_progress(ibc_job *job, long long done, long long total);
/* Asks the job to stop at its next check (any thread). */
void ibc_job_cancel(ibc_job *job);
/* True when the job was cancelled or the process is stopping: a long job
 * checks it between steps and returns IBC_ETIMEOUT or commits what it has. */
bool ibc_job_cancelled(const ibc_job *job);
/* Cancels every job of the process (the runtime calls it on SIGTERM). */
void ibc_jobs_stop(void);

/* One run of a periodic job, inside a transaction on ctx->db that the
 * runtime commits on IBC_OK and rolls back otherwise. */
typedef ibc_rc (*ibc_job_fn)(ibc_job *job, ibc_ctx *ctx);

typedef struct {
    const char *name; /* "holds.sweep" */
    ibc_job_fn fn;
    int every_s;            /* seconds between runs, unless every_knob says */
    const char *every_knob; /* environment variable that overrides every_s; 0 or less: never */
} ibc_job_def;

/* Runs def every def->every_s seconds until the process stops, each run in
 * its own transaction on the job's connection (reconnecting when it broke);
 * logs a failed run. Blocks: the runtime calls it in a thread of its own. */
void ibc_job_run_every(const ibc_job_def *def, const char *service, const ibc_config *cfg);

#endif

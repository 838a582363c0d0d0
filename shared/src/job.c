/* Background jobs (see ibc/job.h): a context of the runtime's making on the
 * job's own connection, transactions that wake the outbox relay, progress as
 * gauges, cancellation, and the loop of a periodic job. */
#include "ibc/job.h"
#include "ibc/db.h"
#include "ibc/log.h"
#include "ibc/metrics.h"
#include "ibc/outbox.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ibc_job {
    ibc_ctx ctx;
    char *service, *name, *dsn, *schema;
    atomic_bool cancelled;
    ibc_metric *done, *total;
};

/* set on SIGTERM: every job stops at its next check; a periodic job's wait
 * between runs ends at once (stop_cond) */
static atomic_bool stopping;
static pthread_mutex_t stop_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cond = PTHREAD_COND_INITIALIZER;

ibc_job *ibc_job_open(const char *service, const char *name, const char *dsn, const char *schema)
{
    ibc_job *job = calloc(1, sizeof *job);
    if (!job) return NULL;
    job->service = strdup(service);
    job->name = strdup(name);
    job->dsn = strdup(dsn);
    job->schema = schema ? strdup(schema) : NULL;
    job->ctx = (ibc_ctx){.service = job->service,
                         .action = job->name,
                         .org = "",
                         .role = "",
                         .principal = "",
                         .status = 200};
    char labels[192];
    snprintf(labels, sizeof labels, "service=\"%s\",job=\"%.80s\"", service, name);
    job->done = ibc_gauge("ibc_job_done_units", "Units done of a job's current run", labels);
    job->total =
        ibc_gauge("ibc_job_planned_units", "Units of a job's current run (0: unknown)", labels);
    if (job->service && job->name && job->dsn && (!schema || job->schema))
        job->ctx.db = ibc_db_connect(dsn, schema);
    if (!job->ctx.db) {
        ibc_job_close(job);
        return NULL;
    }
    return job;
}

void ibc_job_close(ibc_job *job)
{
    if (!job) return;
    if (job->ctx.db) ibc_db_close(job->ctx.db);
    json_decref(job->ctx.reply_headers);
    json_decref(job->ctx.err_ext);
    free(job->service);
    free(job->name);
    free(job->dsn);
    free(job->schema);
    free(job);
}

ibc_ctx *ibc_job_ctx(ibc_job *job)
{
    return &job->ctx;
}

bool ibc_job_ensure(ibc_job *job)
{
    return ibc_db_ensure(job->ctx.db);
}

ibc_rc ibc_tx_begin(ibc_ctx *ctx, const char *mode)
{
    char sql[128];
    snprintf(sql, sizeof sql, "BEGIN%s%s", mode ? " " : "", mode ? mode : "");
    if (!ibc_db_simple(ctx->db, sql))
        return ibc_fail(ctx, IBC_EDB, "the database did not start a transaction");
    return IBC_OK;
}

ibc_rc ibc_tx_commit(ibc_ctx *ctx)
{
    PGresult *r = PQexec(ctx->db, "COMMIT");
    ibc_rc rc = PQresultStatus(r) == PGRES_COMMAND_OK ? IBC_OK : ibc_db_rc(r);
    if (rc != IBC_OK)
        ibc_fail(ctx, rc, "the transaction could not be committed: %s", PQerrorMessage(ctx->db));
    PQclear(r);
    if (rc != IBC_OK) {
        ibc_tx_rollback(ctx);
        return rc;
    }
    ibc_outbox_committed();
    return IBC_OK;
}

void ibc_tx_rollback(ibc_ctx *ctx)
{
    if (PQstatus(ctx->db) == CONNECTION_OK && PQtransactionStatus(ctx->db) != PQTRANS_IDLE)
        ibc_db_simple(ctx->db, "ROLLBACK");
}

void ibc_job_wait_notify(ibc_job *job, int timeout_ms)
{
    PGconn *db = job->ctx.db;
    struct pollfd pfd = {.fd = PQsocket(db), .events = POLLIN};
    if (pfd.fd >= 0 && poll(&pfd, 1, timeout_ms) > 0) PQconsumeInput(db);
    PGnotify *n;
    while ((n = PQnotifies(db)))
        PQfreemem(n);
}

void ibc_job_progress(ibc_job *job, long long done, long long total)
{
    ibc_metric_set(job->done, done);
    ibc_metric_set(job->total, total);
}

void ibc_job_cancel(ibc_job *job)
{
    atomic_store(&job->cancelled, true);
}

bool ibc_job_cancelled(const ibc_job *job)
{
    return atomic_load(&stopping) || atomic_load(&job->cancelled);
}

void ibc_jobs_stop(void)
{
    pthread_mutex_lock(&stop_mu);
    atomic_store(&stopping, true);
    pthread_cond_broadcast(&stop_cond);
    pthread_mutex_unlock(&stop_mu);
}

/* Waits `every` seconds, or less when the jobs are told to stop. */
static void wait_for_next_run(long every)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += every;
    pthread_mutex_lock(&stop_mu);
    while (!atomic_load(&stopping) && pthread_cond_timedwait(&stop_cond, &stop_mu, &until) == 0) {
    }
    pthread_mutex_unlock(&stop_mu);
}

/* One run of a periodic job in its own transaction; false when the
 * connection failed (the caller reconnects). */
static bool run_once(const ibc_job_def *def, ibc_job *job)
{
    ibc_ctx *ctx = &job->ctx;
    ctx->err = IBC_OK;
    ctx->err_detail[0] = 0;
    ibc_rc rc = ibc_tx_begin(ctx, NULL);
    if (rc == IBC_OK) rc = def->fn(job, ctx);
    if (rc == IBC_OK) rc = ibc_tx_commit(ctx);
    if (rc != IBC_OK) {
        ibc_tx_rollback(ctx);
        ibc_log(IBC_LOG_WARN, NULL, "%s: %s failed: %s", job->service, def->name,
                ctx->err_detail[0] ? ctx->err_detail : ibc_rc_title(rc));
    }
    return PQstatus(ctx->db) == CONNECTION_OK;
}

/* The seconds between runs: def->every_s, or the knob's value when set. */
static long period(const ibc_job_def *def)
{
    const char *s = def->every_knob ? getenv(def->every_knob) : NULL;
    return s ? atol(s) : def->every_s;
}

void ibc_job_run_every(const ibc_job_def *def, const char *service, const ibc_config *cfg)
{
    long every = period(def);
    if (every <= 0) return;
    ibc_job *job = NULL;
    while (!atomic_load(&stopping)) {
        wait_for_next_run(every);
        if (atomic_load(&stopping)) break;
        if (!job) job = ibc_job_open(service, def->name, cfg->pg_dsn, service);
        if (job && !run_once(def, job) && !ibc_job_ensure(job)) {
            ibc_job_close(job);
            job = NULL;
        }
    }
    ibc_job_close(job);
}

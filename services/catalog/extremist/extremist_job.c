/* The matching job of the federal list: an upload stores a version with
 * matching "queued" and NOTIFYs catalog_extremist; this thread, on its own
 * connection (ibc_job, as the MARC import's), takes each queued version in
 * turn under an advisory lock (one catalog instance runs it), marks it
 * running, and matches it in one transaction with its events: the matches,
 * the carried decisions, the blocks and "done" are committed together, or
 * the run rolls back and the version is marked "failed" with the reason.
 * When the database went away mid-run the version stays "running" and is
 * run again once it is back. */
#include "extremist.h"
#include "store_extremist.h"

#include <ibc/job.h>
#include <ibc/log.h>
#include <ibc/outbox.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A run's statement timeout, unless IBC_EXTREMIST_MATCH_TIMEOUT_S says. */
#define RUN_TIMEOUT_S 1800

static void run_timeout(char *buf, size_t len)
{
    const char *s = getenv("IBC_EXTREMIST_MATCH_TIMEOUT_S");
    long v = s ? atol(s) : 0;
    snprintf(buf, len, "%lds", v > 0 ? v : RUN_TIMEOUT_S);
}

/* Matches version id and commits it with its events; IBC_OK, or the rc of
 * the failed run (rolled back). */
static ibc_rc run_version(ibc_ctx *ctx, const char *id)
{
    char timeout[32];
    json_t *v = NULL;
    run_timeout(timeout, sizeof timeout);
    ibc_rc rc = ibc_tx_begin(ctx, NULL);
    if (rc == IBC_OK) rc = store_extremist_match_run(ctx, id, timeout, &v);
    if (rc == IBC_OK) rc = extremist_emit_matched(ctx, v);
    if (rc == IBC_OK) rc = ibc_tx_commit(ctx);
    if (rc != IBC_OK) ibc_tx_rollback(ctx);
    if (rc == IBC_OK) {
        const json_t *m = json_object_get(v, "matching");
        ibc_log(
            IBC_LOG_INFO, id, "extremist list version %lld matched in %.3f s: %lld matches",
            (long long)json_integer_value(json_object_get(v, "version")),
            json_number_value(json_object_get(m, "seconds")),
            (long long)json_integer_value(json_object_get(json_object_get(m, "stats"), "matches")));
    }
    json_decref(v);
    return rc;
}

/* Runs version id to its end: done, failed, or left running when the
 * database went away (then false: stop for now). */
static bool run_one(ibc_job *job, const char *id)
{
    ibc_ctx *ctx = ibc_job_ctx(job);
    ctx->request_id = id;
    ibc_rc rc = store_extremist_running(ctx, id);
    if (rc == IBC_OK) rc = run_version(ctx, id);
    bool live = PQstatus(ctx->db) == CONNECTION_OK;
    if (rc != IBC_OK && rc != IBC_ENOTFOUND && live) {
        char why[300], timeout[32];
        run_timeout(timeout, sizeof timeout);
        if (rc == IBC_ETIMEOUT)
            snprintf(why, sizeof why,
                     "matching took longer than the %s a run may (IBC_EXTREMIST_MATCH_TIMEOUT_S)",
                     timeout);
        else
            snprintf(why, sizeof why, "%s", ctx->err_detail);
        ibc_log(IBC_LOG_WARN, id, "matching extremist list version %s failed: %s", id, why);
        ctx->err = IBC_OK;
        store_extremist_failed(ctx, id, why);
    } else if (rc != IBC_OK && !live) {
        ibc_log(IBC_LOG_WARN, id, "matching %s paused: the database went away", id);
    }
    ctx->request_id = NULL;
    ctx->err = IBC_OK;
    return live;
}

/* Runs every version queued or running that no other instance holds. */
static void run_pending(ibc_job *job)
{
    ibc_ctx *ctx = ibc_job_ctx(job);
    json_t *ids = NULL, *v;
    size_t i;
    if (store_extremist_pending(ctx, &ids) != IBC_OK) return;
    json_array_foreach(ids, i, v)
    {
        const char *id = json_string_value(v);
        bool got = false;
        if (!id || store_extremist_lock(ctx, id, &got) != IBC_OK || !got) continue;
        if (!run_one(job, id)) break; /* the connection is gone: its lock too */
        store_extremist_unlock(ctx, id);
    }
    json_decref(ids);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

void extremist_job_run(void *nc, const ibc_config *cfg)
{
    (void)nc;
    const char *dsn = cfg->pg_dsn; /* the job's own copy (ibc_resident_job) */
    ibc_job *job = NULL;
    int backoff = 200;
    while (!job || !ibc_job_cancelled(job)) {
        if (!job || PQstatus(ibc_job_ctx(job)->db) != CONNECTION_OK) {
            ibc_job_close(job);
            job = ibc_job_open("catalog", "extremist_lists.match", dsn, "catalog");
            if (!job || !ibc_db_simple(ibc_job_ctx(job)->db, "LISTEN catalog_extremist")) {
                ibc_job_close(job);
                job = NULL;
                sleep_ms(backoff);
                backoff = backoff < 5000 ? backoff * 2 : 5000;
                continue;
            }
            backoff = 200;
        }
        run_pending(job);
        ibc_job_wait_notify(job, 2000);
    }
    ibc_job_close(job);
}

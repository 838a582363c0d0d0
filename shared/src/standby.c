/* Reads from a hot standby. Each worker keeps a connection to the standby and,
 * at most every CHECK_S, samples the primary's WAL insert position (with its
 * time) and the standby's replay position: the standby then has everything
 * the primary had written at the newest sample it has replayed, so a reply
 * from it is at most (now - that sample's time) old. Sampling the primary
 * first makes that a bound, never an estimate. The samples and the freshness
 * are the process's, shared by its workers (one standby server behind one
 * DSN, whose replay only moves forward): under load the workers' checks
 * interleave, and the bound is a fraction of CHECK_S. */
#include "ibc/standby.h"
#include "ibc/log.h"
#include "ibc/metrics.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_S 0.5
#define GAP_S 0.05   /* a sample of the primary younger than this is enough */
#define NSAMPLES 256 /* so the ring covers 12.8 s at least (IBC_READ_MAX_STALENESS_MS <= 10 s) */

/* The primary's positions sampled by any worker, oldest first, and when the
 * standby last had them; under the lock. */
static struct {
    pthread_mutex_t lock;
    unsigned long long lsn[NSAMPLES];
    double t[NSAMPLES];
    int n;
    double fresh_at; /* at the last check, the standby had the primary's data
                      * of then; -1 unknown */
} shared = {PTHREAD_MUTEX_INITIALIZER, {0}, {0}, 0, -1};

struct ibc_standby {
    char *dsn, *schema;
    int statement_timeout_ms;
    int max_staleness_ms;
    PGconn *conn;
    double next_check; /* monotonic s */
    double connect_at; /* a lost standby is connected again from then on */
    double backoff;    /* s: doubles from 1 to 30 while the standby stays away */
    bool usable;       /* reachable, in recovery, answered the last check */
    ibc_metric *to_standby, *stale, *unreachable, *failed, *staleness;
};

bool ibc_standby_parse_lsn(const char *text, unsigned long long *out)
{
    unsigned hi, lo;
    char end;
    if (!text || sscanf(text, "%8X/%8X%c", &hi, &lo, &end) != 2) return false;
    *out = (unsigned long long)hi << 32 | lo;
    return true;
}

double ibc_standby_fresh_at(const unsigned long long *lsn, const double *t, int n,
                            unsigned long long replayed)
{
    for (int i = n - 1; i >= 0; i--)
        if (lsn[i] <= replayed) return t[i];
    return -1;
}

/* The counter of reads routed to target for reason. */
static ibc_metric *routed(const char *service, const char *target, const char *reason)
{
    char labels[160];
    snprintf(labels, sizeof labels, "service=\"%s\",target=\"%s\",reason=\"%s\"", service, target,
             reason);
    return ibc_counter("ibc_read_routing_total",
                       "Reads fit for the standby, by where they ran and why", labels);
}

ibc_standby *ibc_standby_create(const char *dsn, const char *service, int statement_timeout_ms,
                                int max_staleness_ms)
{
    ibc_standby *sb = calloc(1, sizeof *sb);
    if (!sb || !(sb->dsn = strdup(dsn)) || !(sb->schema = strdup(service))) {
        ibc_standby_destroy(sb);
        return NULL;
    }
    sb->statement_timeout_ms = statement_timeout_ms;
    sb->max_staleness_ms = max_staleness_ms;
    sb->to_standby = routed(service, "standby", "fresh");
    sb->stale = routed(service, "primary", "stale");
    sb->unreachable = routed(service, "primary", "unreachable");
    sb->failed = routed(service, "primary", "failed");
    char labels[96];
    snprintf(labels, sizeof labels, "service=\"%s\"", service);
    sb->staleness = ibc_histogram("ibc_standby_staleness_seconds",
                                  "How old the standby's data was at most, at each check", labels);
    return sb;
}

/* Runs a one-row query on c; the first column's value copied to out, and the
 * second's first character to flag when asked. False on any failure. */
static bool query_row(PGconn *c, const char *sql, char *out, size_t outlen, char *flag)
{
    PGresult *r = PQexec(c, sql);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0);
    if (ok) {
        snprintf(out, outlen, "%s", PQgetvalue(r, 0, 0));
        if (flag) *flag = PQnfields(r) > 1 ? PQgetvalue(r, 0, 1)[0] : 0;
    }
    PQclear(r);
    return ok;
}

/* Samples the primary's position now into the shared ring; false when it did
 * not answer. */
static bool sample_primary(PGconn *primary, double now)
{
    char text[64];
    unsigned long long lsn;
    pthread_mutex_lock(&shared.lock);
    bool recent = shared.n > 0 && now - shared.t[shared.n - 1] < GAP_S;
    pthread_mutex_unlock(&shared.lock);
    if (recent) return true; /* another worker has just asked */
    /* the insert position: a commit made with synchronous_commit=off is
     * answered before its WAL is written, and is included here all the same */
    if (!query_row(primary, "SELECT pg_current_wal_insert_lsn()", text, sizeof text, NULL) ||
        !ibc_standby_parse_lsn(text, &lsn))
        return false;
    pthread_mutex_lock(&shared.lock);
    if (shared.n == NSAMPLES) {
        memmove(shared.lsn, shared.lsn + 1, (NSAMPLES - 1) * sizeof *shared.lsn);
        memmove(shared.t, shared.t + 1, (NSAMPLES - 1) * sizeof *shared.t);
        shared.n--;
    }
    /* workers sample at about the same time: keep the ring in time order */
    int i = shared.n++;
    for (; i > 0 && shared.t[i - 1] > now; i--) {
        shared.lsn[i] = shared.lsn[i - 1];
        shared.t[i] = shared.t[i - 1];
    }
    shared.lsn[i] = lsn;
    shared.t[i] = now;
    pthread_mutex_unlock(&shared.lock);
    return true;
}

/* The connection, made again when it was lost and the back-off allows (each
 * failed attempt is logged: fewer of them while the standby stays away). */
static PGconn *standby_conn(ibc_standby *sb, double now)
{
    if (sb->conn && PQstatus(sb->conn) == CONNECTION_OK) PQconsumeInput(sb->conn);
    if (sb->conn && PQstatus(sb->conn) != CONNECTION_OK) {
        ibc_db_close(sb->conn);
        sb->conn = NULL;
    }
    if (sb->conn || now < sb->connect_at) return sb->conn;
    sb->conn = ibc_db_connect_timeout(sb->dsn, sb->schema, sb->statement_timeout_ms);
    sb->backoff = sb->conn ? 0 : sb->backoff < 1 ? 1 : sb->backoff < 16 ? sb->backoff * 2 : 30;
    sb->connect_at = now + sb->backoff;
    return sb->conn;
}

/* Asks the standby how far it has replayed; false when it cannot serve reads
 * (unreachable, or promoted: it is no longer the primary's copy). */
static bool standby_replayed(ibc_standby *sb, double now, unsigned long long *replayed)
{
    if (!standby_conn(sb, now)) return false;
    char text[64], recovering = 0;
    if (!query_row(sb->conn, "SELECT pg_last_wal_replay_lsn(), pg_is_in_recovery()", text,
                   sizeof text, &recovering))
        return false;
    return recovering == 't' && ibc_standby_parse_lsn(text, replayed);
}

/* Runs the check when it is due. */
static void check(ibc_standby *sb, PGconn *primary, double now)
{
    if (now < sb->next_check) return;
    sb->next_check = now + CHECK_S;
    unsigned long long replayed;
    sb->usable = primary && sample_primary(primary, now) && standby_replayed(sb, now, &replayed);
    if (!sb->usable) return;
    pthread_mutex_lock(&shared.lock);
    double at = ibc_standby_fresh_at(shared.lsn, shared.t, shared.n, replayed);
    /* not the greater of the two: a standby restarted replays again from
     * its last restartpoint, and its data is then older than it was */
    shared.fresh_at = at;
    pthread_mutex_unlock(&shared.lock);
    if (at >= 0) ibc_metric_observe(sb->staleness, now - at);
}

/* When the standby last had all of the primary's data (-1 unknown). */
static double fresh_at(void)
{
    pthread_mutex_lock(&shared.lock);
    double at = shared.fresh_at;
    pthread_mutex_unlock(&shared.lock);
    return at;
}

PGconn *ibc_standby_pick(ibc_standby *sb, PGconn *primary, long long *staleness_ms)
{
    double now = ibc_monotonic_s();
    check(sb, primary, now);
    if (!sb->usable || !sb->conn) {
        ibc_metric_add(sb->unreachable, 1);
        return NULL;
    }
    double at = fresh_at();
    long long stale = at < 0 ? -1 : (long long)((now - at) * 1000 + 0.999);
    if (stale < 0 || stale > sb->max_staleness_ms) {
        ibc_metric_add(sb->stale, 1);
        return NULL;
    }
    *staleness_ms = stale;
    return sb->conn;
}

void ibc_standby_served(ibc_standby *sb)
{
    ibc_metric_add(sb->to_standby, 1);
}

void ibc_standby_failed(ibc_standby *sb)
{
    sb->usable = false;
    ibc_metric_add(sb->failed, 1);
}

void ibc_standby_destroy(ibc_standby *sb)
{
    if (!sb) return;
    if (sb->conn) ibc_db_close(sb->conn);
    free(sb->dsn);
    free(sb->schema);
    free(sb);
}

/* The transactional outbox: ibc_emit() writes an event row in the handler's
 * transaction; the relay thread publishes pending rows to JetStream as
 * CloudEvents 1.0 with Nats-Msg-Id = event id, and deletes them only after
 * JetStream acknowledged them (the stream is the record of what happened; a
 * delete is one write where marking and purging later were two). A crash
 * between publish and delete leads to a second publish that the stream's
 * duplicate window drops.
 *
 * The relay is woken in-process after a commit that wrote events
 * (ibc_outbox_committed) and otherwise polls twice a second, which also
 * catches rows of other writers and of replicas that died before publishing.
 * It is not woken by NOTIFY: PostgreSQL serialises the commits of all
 * transactions that notify (PreCommit_Notify takes a database-wide lock held
 * until the commit is flushed), which held every service's writes to one
 * commit, and one disk flush, at a time. */
#include "ibc/outbox.h"
#include "ibc/bus.h"
#include "ibc/log.h"
#include "ibc/metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char sql_emit[] =
    "INSERT INTO outbox(subject, type, source, subject_id, data) VALUES ($1, $2, $3, $4, $5)";

/* The deferred events of an action, in the order emitted: one statement. */
static const char sql_emit_many[] =
    "INSERT INTO outbox (subject, type, source, subject_id, data) "
    "SELECT e->>0, e->>1, e->>2, e->>3, e->4 "
    "FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY n";

bool ibc_outbox_deferred_step(ibc_ctx *ctx, char **text, const char **param, ibc_db_step *step)
{
    *text = NULL;
    if (!ctx->deferred_events || json_array_size(ctx->deferred_events) == 0) return false;
    *text = json_dumps(ctx->deferred_events, JSON_COMPACT | JSON_REAL_PRECISION(15));
    if (!*text) return false;
    param[0] = *text;
    *step = (ibc_db_step){sql_emit_many, 1, param};
    return true;
}

/* set by ibc_emit, cleared by ibc_outbox_committed */
static _Thread_local bool emitted;

/* Writes the event row; steals data. */
ibc_rc ibc_emit(ibc_ctx *ctx, const char *entity, const char *verb, const char *subject_id,
                json_t *data)
{
    char subject[256], type[256], source[128];
    snprintf(subject, sizeof subject, "ibc.evt.%s.%s.%s", ctx->service, entity, verb);
    snprintf(type, sizeof type, "ibcnet.%s.%s.%s", ctx->service, entity, verb);
    snprintf(source, sizeof source, "/ibcnet/%s", ctx->service);
    if (ctx->deferred_events) {
        /* written with the action's COMMIT (ibc_outbox_deferred_step) */
        json_array_append_new(ctx->deferred_events,
                              json_pack("[s, s, s, s?, o]", subject, type, source, subject_id,
                                        data ? data : json_null()));
        emitted = true;
        return IBC_OK;
    }
    char *text = json_dumps(data ? data : json_null(),
                            JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    json_decref(data);
    if (!text) return ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    const char *p[] = {subject, type, source, subject_id, text};
    PGresult *r = ibc_db_exec(ctx, sql_emit, 5, p);
    free(text);
    if (!r) return ctx->err;
    PQclear(r);
    emitted = true;
    return IBC_OK;
}

typedef struct {
    natsConnection *nc;
    const ibc_config *cfg; /* borrowed: the process's, for its whole life */
    char *dsn, *schema;
    int idempotency_hours, inbox_days;
    double next_purge; /* monotonic seconds */
    pthread_t thread;
    atomic_bool stop;
    atomic_bool publish_failed;
    ibc_metric *published, *failures;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool woken; /* under lock */
} relay;

static relay *_Atomic the_relay;

void ibc_outbox_committed(void)
{
    if (!emitted) return;
    emitted = false;
    relay *rl = atomic_load(&the_relay);
    if (!rl) return;
    pthread_mutex_lock(&rl->lock);
    rl->woken = true;
    pthread_cond_signal(&rl->wake);
    pthread_mutex_unlock(&rl->lock);
}

/* Waits until woken or for timeout_ms; after a wake-up, lets the events of
 * other commits of that moment gather for 2 ms, so that a busy service
 * publishes them in one batch (one round trip, one commit) rather than one
 * by one. */
static void wait_wake(relay *rl, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += (long)timeout_ms * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&rl->lock);
    while (!rl->woken && !atomic_load(&rl->stop))
        if (pthread_cond_timedwait(&rl->wake, &rl->lock, &until) != 0) break;
    bool woken = rl->woken;
    rl->woken = false;
    pthread_mutex_unlock(&rl->lock);
    if (woken) {
        struct timespec gather = {0, 2000000L};
        nanosleep(&gather, NULL);
    }
}

static void on_pub_error(jsCtx *js, jsPubAckErr *pae, void *closure)
{
    (void)js;
    relay *rl = closure;
    atomic_store(&rl->publish_failed, true);
    ibc_log(IBC_LOG_WARN, NULL, "event publish not acknowledged: %s",
            pae->ErrText ? pae->ErrText : natsStatus_GetText(pae->Err));
}

/* Takes up to 500 rows in order (SKIP LOCKED: two replicas never publish the
 * same rows at once) and deletes them in the same statement; the delete
 * commits only after JetStream acknowledged every one, else rolls back. One
 * round trip with its BEGIN, one for the COMMIT. The rows are chosen once, as
 * an array (an init plan): as `seq IN (SELECT ...)` the planner, believing
 * the outbox nearly empty (its statistics lag behind an import's thousands of
 * rows), re-ran the locking subquery for every row of the outbox, up to 1.5 s
 * and 650,000 buffers a call, and took more than 500 rows. */
static const char sql_take[] =
    "BEGIN; "
    "WITH d AS (DELETE FROM outbox WHERE seq = ANY (ARRAY(SELECT seq FROM outbox ORDER BY seq "
    "LIMIT 500 FOR UPDATE SKIP LOCKED)) RETURNING seq, id, subject, type, source, subject_id, "
    "data, created_at) "
    "SELECT id::text, subject, json_build_object('specversion', '1.0', 'id', id, "
    "'source', source, 'type', type, "
    "'time', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "'subject', subject_id, 'datacontenttype', 'application/json', 'data', data)::text "
    "FROM d ORDER BY seq";

/* Forgets the publishes of a failed batch that JetStream never answered:
 * nats.c keeps waiting for their acks for ever, and every later batch's
 * js_PublishAsyncComplete would time out waiting for them too (seen when a
 * cluster's stream leader was killed: the relay stalled for good). The batch
 * is rolled back and sent again; the stream drops whichever of them it had
 * stored, by Nats-Msg-Id. */
static void drop_unacknowledged(jsCtx *js)
{
    natsMsgList pending = {0};
    if (js_PublishAsyncGetPendingList(&pending, js) != NATS_OK) return;
    ibc_log(IBC_LOG_WARN, NULL, "dropping %d unacknowledged publishes; the batch is sent again",
            pending.Count);
    natsMsgList_Destroy(&pending);
}

/* Publishes one batch; returns rows published, -1 on failure. */
static int relay_batch(relay *rl, PGconn *db, jsCtx *js)
{
    PGresult *r = PQexec(db, sql_take);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        ibc_db_simple(db, "ROLLBACK");
        return -1;
    }
    int n = PQntuples(r);
    atomic_store(&rl->publish_failed, false);
    bool ok = true;
    for (int i = 0; i < n && ok; i++) {
        natsMsg *m = NULL;
        natsStatus s = natsMsg_Create(&m, PQgetvalue(r, i, 1), NULL, PQgetvalue(r, i, 2),
                                      PQgetlength(r, i, 2));
        if (s == NATS_OK) s = natsMsgHeader_Set(m, "Nats-Msg-Id", PQgetvalue(r, i, 0));
        if (s == NATS_OK) s = natsMsgHeader_Set(m, "Content-Type", "application/cloudevents+json");
        if (s == NATS_OK) s = js_PublishMsgAsync(js, &m, NULL);
        natsMsg_Destroy(m); /* NULL when the library took it */
        ok = s == NATS_OK;
    }
    if (ok && n > 0) {
        jsPubOptions po;
        jsPubOptions_Init(&po);
        po.MaxWait = 5000;
        ok = js_PublishAsyncComplete(js, &po) == NATS_OK && !atomic_load(&rl->publish_failed);
    }
    if (!ok) drop_unacknowledged(js);
    PQclear(r);
    if (!ok || !ibc_db_simple(db, "COMMIT")) {
        ibc_db_simple(db, "ROLLBACK");
        ibc_metric_add(rl->failures, 1);
        return -1;
    }
    ibc_metric_add(rl->published, n);
    return n;
}

/* Deletes what sql ($1: the age) selects, 10,000 rows a statement (short
 * transactions); returns the rows deleted. */
static long purge_older(PGconn *db, const char *sql, int age)
{
    char text[16];
    snprintf(text, sizeof text, "%d", age);
    const char *p[] = {text};
    long total = 0;
    for (;;) {
        PGresult *r = PQexecParams(db, sql, 1, NULL, p, NULL, NULL, 0);
        long n = PQresultStatus(r) == PGRES_COMMAND_OK ? atol(PQcmdTuples(r)) : -1;
        PQclear(r);
        if (n <= 0) break;
        total += n;
        if (n < 10000) break;
    }
    return total;
}

/* Every ten minutes, stored Idempotency-Key replies older than
 * IBC_IDEMPOTENCY_HOURS and inbox rows (ids of applied events) older than
 * IBC_INBOX_DAYS are forgotten; any replica may do it. The relay's thread
 * does it because it is the service's one housekeeping connection. An event
 * redelivered after its inbox row is gone would be applied again, so the
 * rows are kept at least as long as the stream keeps events
 * (IBC_EVENTS_MAX_AGE_DAYS). */
static void purge_old_rows(relay *rl, PGconn *db)
{
    double now = ibc_monotonic_s();
    if (now < rl->next_purge) return;
    rl->next_purge = now + 600;
    long n =
        purge_older(db,
                    "DELETE FROM idempotency WHERE ctid = ANY (ARRAY(SELECT ctid FROM idempotency "
                    "WHERE created_at < now() - make_interval(hours => $1::int) LIMIT 10000))",
                    rl->idempotency_hours);
    if (n > 0)
        ibc_log(IBC_LOG_INFO, NULL, "forgot %ld Idempotency-Key replies older than %d hours", n,
                rl->idempotency_hours);
    n = purge_older(db,
                    "DELETE FROM inbox WHERE ctid = ANY (ARRAY(SELECT ctid FROM inbox "
                    "WHERE received_at < now() - make_interval(days => $1::int) LIMIT 10000))",
                    rl->inbox_days);
    if (n > 0)
        ibc_log(IBC_LOG_INFO, NULL, "forgot %ld inbox rows of events applied over %d days ago", n,
                rl->inbox_days);
}

static void *relay_main(void *arg)
{
    relay *rl = arg;
    jsCtx *js = NULL;
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.PublishAsync.ErrHandler = on_pub_error;
    jo.PublishAsync.ErrHandlerClosure = rl;
    jo.PublishAsync.MaxPending = 1000;
    if (natsConnection_JetStream(&js, rl->nc, &jo) != NATS_OK) {
        ibc_log(IBC_LOG_ERROR, NULL, "outbox relay: no JetStream context");
        return NULL;
    }
    PGconn *db = NULL;
    int backoff = 100;
    while (!atomic_load(&rl->stop)) {
        if (!db || PQstatus(db) != CONNECTION_OK) {
            if (db) PQfinish(db);
            db = ibc_db_connect(rl->dsn, rl->schema);
            /* losing the delete of published rows in a crash only publishes
             * them again, which the stream's duplicate window drops: the
             * relay's commits need not wait for the disk */
            char set[200];
            snprintf(set, sizeof set,
                     "SET synchronous_commit = off; SET application_name = '%s relay'", rl->schema);
            if (!db || !ibc_db_simple(db, set)) {
                if (db) PQfinish(db);
                db = NULL;
                struct timespec ts = {0, backoff * 1000000L};
                nanosleep(&ts, NULL);
                backoff = backoff < 2000 ? backoff * 2 : 2000;
                continue;
            }
            backoff = 100;
        }
        int n = relay_batch(rl, db, js);
        if (n < 0) {
            if (ibc_bus_ensure_stream(rl->nc, rl->cfg) != IBC_OK || PQstatus(db) != CONNECTION_OK) {
                struct timespec ts = {0, 500 * 1000000L};
                nanosleep(&ts, NULL);
            }
            continue;
        }
        if (n < 500) {
            purge_old_rows(rl, db);
            wait_wake(rl, 500);
        }
    }
    if (db) PQfinish(db);
    jsCtx_Destroy(js);
    return NULL;
}

/* Starts the relay thread for schema's outbox. */
ibc_rc ibc_outbox_relay_start(natsConnection *nc, const ibc_config *cfg, const char *schema)
{
    relay *rl = calloc(1, sizeof *rl);
    if (!rl) return IBC_ENOMEM;
    rl->nc = nc;
    pthread_mutex_init(&rl->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&rl->wake, &ca);
    pthread_condattr_destroy(&ca);
    rl->cfg = cfg;
    rl->dsn = strdup(cfg->pg_dsn);
    rl->idempotency_hours = cfg->idempotency_hours;
    /* an id forgotten while its event is still in the stream could be
     * applied again on a replay: never shorter than the stream keeps events */
    rl->inbox_days =
        cfg->inbox_days > cfg->events_max_age_days ? cfg->inbox_days : cfg->events_max_age_days;
    rl->schema = strdup(schema);
    char labels[128];
    snprintf(labels, sizeof labels, "service=\"%s\"", schema);
    rl->published = ibc_counter("ibc_events_published_total",
                                "Events published from the outbox to JetStream", labels);
    rl->failures = ibc_counter("ibc_outbox_relay_failures_total",
                               "Outbox batches that could not be published", labels);
    if (pthread_create(&rl->thread, NULL, relay_main, rl) != 0) {
        free(rl->dsn);
        free(rl->schema);
        free(rl);
        return IBC_EINTERNAL;
    }
    atomic_store(&the_relay, rl);
    return IBC_OK;
}

void ibc_outbox_relay_stop(void)
{
    relay *rl = atomic_exchange(&the_relay, NULL);
    if (!rl) return;
    atomic_store(&rl->stop, true);
    pthread_mutex_lock(&rl->lock);
    pthread_cond_signal(&rl->wake);
    pthread_mutex_unlock(&rl->lock);
    pthread_join(rl->thread, NULL);
    free(rl->dsn);
    free(rl->schema);
    pthread_mutex_destroy(&rl->lock);
    pthread_cond_destroy(&rl->wake);
    free(rl);
}

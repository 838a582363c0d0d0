/* Event consumers: one durable JetStream pull consumer per ibc_event_sub of a
 * service, each in its own thread with its own PostgreSQL connection. Each
 * event's id is recorded in the service's inbox table in the transaction that
 * applies it; an id already in the inbox is skipped, so redelivery after a
 * crash or a duplicated publish changes
 * nothing. Messages are acknowledged only after the commit. A batch is one
 * transaction; when an event of it fails, its events are applied one per
 * transaction, so that only the bad one is skipped or retried. */
#include "ibc/consumer.h"
#include "ibc/bus.h"
#include "ibc/db.h"
#include "ibc/json.h"
#include "ibc/log.h"
#include "ibc/metrics.h"
#include "ibc/outbox.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define BATCH 256

typedef struct {
    const ibc_event_sub *sub;
    const char *service;
    char durable[160];
    natsConnection *nc;
    const ibc_config *cfg;
    pthread_t thread;
    _Atomic long long lag;
    ibc_metric *lag_gauge, *applied, *skipped, *failed;
} consumer;

static consumer *consumers;
static size_t nconsumers;
static atomic_int rewind_gen;
static atomic_bool stopping;

void ibc_events_rewind(void)
{
    atomic_fetch_add(&rewind_gen, 1);
}

long long ibc_events_lag(void)
{
    long long sum = 0;
    for (size_t i = 0; i < nconsumers; i++) sum += atomic_load(&consumers[i].lag);
    return sum;
}

/* A durable name from service and filter: letters, digits, '_' and '-'. */
static void durable_name(char *out, size_t len, const char *service, const char *subject)
{
    size_t o = (size_t)snprintf(out, len, "%s-", service);
    for (const char *s = subject; *s && o + 4 < len; s++) {
        if (*s == '*') o += snprintf(out + o, len - o, "any");
        else if (*s == '>') o += snprintf(out + o, len - o, "all");
        else if (*s == '.') out[o++] = '_';
        else out[o++] = *s;
    }
    out[o] = 0;
}

/* The batch's event ids go into the inbox in one statement; the ids it
 * returns are the ones not seen before. */
static const char sql_inbox[] =
    "INSERT INTO inbox(event_id, subject) SELECT * FROM unnest($1::uuid[], $2::text[]) "
    "ON CONFLICT DO NOTHING RETURNING event_id::text";

enum outcome { APPLIED, SKIPPED, MALFORMED, FAILED };

typedef struct {
    json_t *event;  /* parsed CloudEvent, or NULL when malformed */
    const char *id; /* borrowed from event */
    bool fresh;     /* not in the inbox before this batch: apply it */
} pending;

/* Parses msgs into p[]; a message without a JSON object and a UUID id is
 * MALFORMED. Returns how many are well formed. */
static int parse_batch(consumer *c, natsMsg **msgs, int n, pending *p, enum outcome *out)
{
    int good = 0;
    for (int i = 0; i < n; i++) {
        p[i] = (pending){0};
        out[i] = SKIPPED;
        json_t *e = json_loadb(natsMsg_GetData(msgs[i]), natsMsg_GetDataLength(msgs[i]), 0, NULL);
        const char *id = json_string_value(json_object_get(e, "id"));
        if (!e || !id || !ibc_uuid_valid(id)) {
            ibc_log(IBC_LOG_WARN, NULL, "%s: skipping malformed event on %s", c->durable,
                    natsMsg_GetSubject(msgs[i]));
            json_decref(e);
            out[i] = MALFORMED;
            continue;
        }
        p[i].event = e;
        p[i].id = id;
        good++;
    }
    return good;
}

/* Records the well-formed ids of p[] in the inbox (one statement) and marks
 * the ones that were not there as fresh. False when the statement failed. */
static bool inbox_claim(ibc_ctx *ctx, pending *p, int n, natsMsg **msgs)
{
    size_t cap = 4, ilen = 0, slen = 0;
    for (int i = 0; i < n; i++)
        if (p[i].event) cap += 40 + strlen(natsMsg_GetSubject(msgs[i])) + 4;
    char *ids = malloc(cap), *subjects = malloc(cap);
    if (!ids || !subjects) {
        free(ids);
        free(subjects);
        return false;
    }
    ilen += snprintf(ids, cap, "{");
    slen += snprintf(subjects, cap, "{");
    for (int i = 0; i < n; i++) {
        if (!p[i].event) continue;
        /* ids are checked UUIDs, subjects NATS tokens: no quoting needed beyond "" */
        ilen += snprintf(ids + ilen, cap - ilen, "%s%s", ilen > 1 ? "," : "", p[i].id);
        slen += snprintf(subjects + slen, cap - slen, "%s\"%s\"", slen > 1 ? "," : "",
                         natsMsg_GetSubject(msgs[i]));
    }
    snprintf(ids + ilen, cap - ilen, "}");
    snprintf(subjects + slen, cap - slen, "}");
    const char *params[] = {ids, subjects};
    PGresult *r = ibc_db_exec(ctx, sql_inbox, 2, params);
    free(ids);
    free(subjects);
    if (!r) return false;
    for (int k = 0; k < PQntuples(r); k++) {
        const char *fresh = PQgetvalue(r, k, 0);
        /* the first message with that id applies it; a repeat in the batch is a duplicate */
        for (int i = 0; i < n; i++)
            if (p[i].event && !p[i].fresh && strcasecmp(p[i].id, fresh) == 0) {
                p[i].fresh = true;
                break;
            }
    }
    PQclear(r);
    return true;
}

/* Hands the fresh events of p[0..n) to the subscription's batch handler in
 * one call; marks them all APPLIED, or all FAILED / MALFORMED. */
static bool apply_many(consumer *c, ibc_ctx *ctx, natsMsg **msgs, int n, pending *p,
                       enum outcome *out)
{
    const char *subjects[BATCH];
    const json_t *events[BATCH];
    size_t k = 0;
    for (int i = 0; i < n; i++)
        if (p[i].event && p[i].fresh) {
            subjects[k] = natsMsg_GetSubject(msgs[i]);
            events[k++] = p[i].event;
        }
    if (k == 0) return true;
    ctx->action = subjects[0];
    ctx->request_id = k == 1 ? json_string_value(json_object_get(events[0], "id")) : NULL;
    ibc_rc rc = c->sub->batch(ctx, k, subjects, events);
    for (int i = 0; i < n; i++)
        if (p[i].event && p[i].fresh)
            out[i] = rc == IBC_OK ? APPLIED : rc == IBC_EINVAL ? MALFORMED : FAILED;
    if (rc != IBC_OK)
        ibc_log(IBC_LOG_WARN, ctx->request_id, "%s: %zu event(s) not applied: %s", c->durable, k,
                ctx->err_detail);
    return rc == IBC_OK;
}

/* Applies msgs[0..n) in one transaction; true when every well-formed event
 * was applied or already seen and the commit succeeded. No savepoint per
 * event: a batch of more than 64 savepoints overflowed PostgreSQL's
 * subtransaction cache, and every other backend of the database then paid for
 * it on each visibility check (pg_subtrans lookups). */
static bool apply_batch(consumer *c, PGconn *db, natsMsg **msgs, int count, enum outcome *out)
{
    pending p[BATCH];
    int n = count;
    int good = parse_batch(c, msgs, n, p, out);
    bool ok = good == 0 || ibc_db_simple(db, "BEGIN");
    ibc_ctx ctx = {0};
    ctx.service = c->service;
    ctx.org = ctx.role = ctx.principal = "";
    ctx.db = db;
    ctx.status = 200;
    if (ok && good > 0 && !inbox_claim(&ctx, p, n, msgs)) {
        ok = false;
        for (int i = 0; i < n; i++)
            if (p[i].event) out[i] = FAILED;
    }
    if (ok && c->sub->batch) {
        ok = apply_many(c, &ctx, msgs, n, p, out);
        n = 0; /* done: skip the loop below */
    }
    for (int i = 0; ok && i < n; i++) {
        if (!p[i].event || !p[i].fresh) continue; /* malformed, or seen before */
        ctx.action = natsMsg_GetSubject(msgs[i]);
        ctx.request_id = p[i].id;
        ctx.err = IBC_OK;
        ctx.err_detail[0] = 0;
        ibc_rc rc = c->sub->fn(&ctx, ctx.action, p[i].event);
        out[i] = rc == IBC_OK ? APPLIED : rc == IBC_EINVAL ? MALFORMED : FAILED;
        if (rc != IBC_OK) {
            ibc_log(IBC_LOG_WARN, p[i].id, "%s: event %s not applied: %s", c->durable, ctx.action,
                    ctx.err_detail);
            ok = false;
        }
    }
    if (good > 0) {
        if (ok && !ibc_db_simple(db, "COMMIT")) ok = false;
        if (!ok) ibc_db_simple(db, "ROLLBACK");
    }
    json_decref(ctx.reply_headers);
    json_decref(ctx.err_ext);
    free(ctx.raw);
    for (int i = 0; i < count; i++)
        json_decref(p[i].event);
    if (ok && good > 0) ibc_outbox_committed(); /* a handler may have emitted */
    return ok;
}

static natsSubscription *subscribe(consumer *c, jsCtx *js)
{
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = IBC_EVENTS_STREAM;
    so.Config.Durable = c->durable;
    so.Config.DeliverPolicy = js_DeliverAll;
    so.Config.AckPolicy = js_AckExplicit;
    so.Config.AckWait = (int64_t)60 * 1000000000LL;
    so.Config.MaxAckPending = 4 * BATCH;
    so.Config.FilterSubject = c->sub->subject;
    /* Replicas left 0: the durable has as many copies as the stream
     * (IBC_STREAM_REPLICAS), and follows it when the stream is scaled */
    natsSubscription *sub = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_PullSubscribe(&sub, js, c->sub->subject, c->durable, NULL, &so, &jerr);
    if (s != NATS_OK) {
        ibc_log(IBC_LOG_WARN, NULL, "%s: cannot subscribe: %s (%d)", c->durable,
                natsStatus_GetText(s), (int)jerr);
        ibc_bus_ensure_stream(c->nc, c->cfg);
        return NULL;
    }
    return sub;
}

static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* After a rewind (its generation changed): drops the subscription and the
 * durable consumer, so that the next subscribe starts at the stream's start. */
static void follow_rewind(consumer *c, jsCtx *js, int *gen, natsSubscription **sub)
{
    if (*gen == atomic_load(&rewind_gen)) return;
    *gen = atomic_load(&rewind_gen);
    natsSubscription_Destroy(*sub);
    *sub = NULL;
    jsErrCode jerr = 0;
    js_DeleteConsumer(js, IBC_EVENTS_STREAM, c->durable, NULL, &jerr);
    ibc_log(IBC_LOG_INFO, NULL, "%s: rewound to the start of the stream", c->durable);
}

/* Connects *db when it is not connected; false when the database is not there. */
static bool ensure_db(consumer *c, PGconn **db)
{
    if (*db && PQstatus(*db) == CONNECTION_OK) return true;
    if (*db) PQfinish(*db);
    if (!(*db = ibc_db_connect(c->cfg->pg_dsn, c->service))) return false;
    /* pg_stat_activity tells the consumers apart */
    char set[240];
    snprintf(set, sizeof set, "SET application_name = '%.60s'", c->durable);
    ibc_db_simple(*db, set);
    return true;
}

/* Applies a fetched batch, acks, naks or terminates each message, and
 * records the lag the last message reports. */
static void settle_batch(consumer *c, PGconn *db, natsMsgList *list)
{
    enum outcome out[BATCH];
    bool batch_ok = apply_batch(c, db, list->Msgs, list->Count, out);
    /* a batch with a bad event: each event alone, so that only that one
     * is skipped (malformed) or retried (failed) */
    for (int i = 0; !batch_ok && i < list->Count; i++)
        if (!apply_batch(c, db, &list->Msgs[i], 1, &out[i]) && out[i] == APPLIED)
            out[i] = FAILED; /* applied but the commit failed */
    for (int i = 0; i < list->Count; i++) {
        natsMsg *m = list->Msgs[i];
        if (out[i] == FAILED || PQstatus(db) != CONNECTION_OK) {
            natsMsg_NakWithDelay(m, 1000, NULL);
            ibc_metric_add(c->failed, 1);
        } else {
            if (out[i] == MALFORMED)
                natsMsg_Term(m, NULL);
            else
                natsMsg_Ack(m, NULL);
            ibc_metric_add(out[i] == APPLIED ? c->applied : c->skipped, 1);
        }
    }
    if (list->Count > 0) {
        jsMsgMetaData *meta = NULL;
        if (natsMsg_GetMetaData(&meta, list->Msgs[list->Count - 1]) == NATS_OK) {
            atomic_store(&c->lag, (long long)meta->NumPending);
            ibc_metric_set(c->lag_gauge, (int64_t)meta->NumPending);
            jsMsgMetaData_Destroy(meta);
        }
    }
}

static void *consumer_main(void *arg)
{
    consumer *c = arg;
    jsCtx *js = NULL;
    if (natsConnection_JetStream(&js, c->nc, NULL) != NATS_OK) return NULL;
    natsSubscription *sub = NULL;
    PGconn *db = NULL;
    int gen = atomic_load(&rewind_gen);
    int failures = 0;
    while (!atomic_load(&stopping)) {
        follow_rewind(c, js, &gen, &sub);
        if (!sub && !(sub = subscribe(c, js))) {
            pause_ms(1000);
            continue;
        }
        if (!ensure_db(c, &db)) {
            pause_ms(1000);
            continue;
        }
        natsMsgList list = {0};
        jsErrCode jerr = 0;
        natsStatus s = natsSubscription_Fetch(&list, sub, BATCH, 1000, &jerr);
        if (s == NATS_TIMEOUT) {
            atomic_store(&c->lag, 0);
            ibc_metric_set(c->lag_gauge, 0);
            continue;
        }
        if (s != NATS_OK) {
            natsMsgList_Destroy(&list);
            /* the consumer may be gone (another replica rewound, or an
             * operator deleted it): after a few failures subscribe again,
             * which creates it anew if nobody else did */
            if (++failures >= 3) {
                natsSubscription_Destroy(sub);
                sub = NULL;
                failures = 0;
            }
            pause_ms(500);
            continue;
        }
        failures = 0;
        settle_batch(c, db, &list);
        bool short_batch = list.Count < BATCH;
        natsMsgList_Destroy(&list);
        /* the stream had no more: let the next events gather, so that a busy
         * network is applied in batches of many events (one transaction, one
         * statement each) rather than one or two at a time */
        if (short_batch && c->cfg->events_gather_ms > 0) pause_ms(c->cfg->events_gather_ms);
    }
    natsSubscription_Destroy(sub);
    if (db) PQfinish(db);
    jsCtx_Destroy(js);
    return NULL;
}

/* Deletes this service's durable consumers that no subscription of this
 * version uses (a subscription whose filter changed gets a new durable; the
 * old one would keep every event pending forever). Only names this runtime
 * makes, "<service>-ibc_evt_...", are touched. */
static void drop_unused_durables(natsConnection *nc, const char *service)
{
    jsCtx *js = NULL;
    jsConsumerNamesList *names = NULL;
    jsErrCode jerr = 0;
    if (natsConnection_JetStream(&js, nc, NULL) != NATS_OK) return;
    if (js_ConsumerNames(&names, js, IBC_EVENTS_STREAM, NULL, &jerr) == NATS_OK && names) {
        char prefix[160];
        snprintf(prefix, sizeof prefix, "%s-ibc_evt_", service);
        for (int i = 0; i < names->Count; i++) {
            const char *name = names->List[i];
            if (strncmp(name, prefix, strlen(prefix)) != 0) continue;
            bool used = false;
            for (size_t k = 0; k < nconsumers && !used; k++)
                used = strcmp(consumers[k].durable, name) == 0;
            if (used) continue;
            if (js_DeleteConsumer(js, IBC_EVENTS_STREAM, name, NULL, &jerr) == NATS_OK)
                ibc_log(IBC_LOG_INFO, NULL, "deleted the durable consumer %s: no longer used",
                        name);
        }
        jsConsumerNamesList_Destroy(names);
    }
    jsCtx_Destroy(js);
}

/* Starts a consumer thread per subscription; called by the service runtime. */
ibc_rc ibc_consumers_start(natsConnection *nc, const ibc_config *cfg, const char *service,
                           const ibc_event_sub *subs, size_t n)
{
    if (n == 0) return IBC_OK;
    consumers = calloc(n, sizeof *consumers);
    if (!consumers) return IBC_ENOMEM;
    nconsumers = n;
    for (size_t i = 0; i < n; i++) {
        consumer *c = &consumers[i];
        c->sub = &subs[i];
        c->service = service;
        c->nc = nc;
        c->cfg = cfg;
        durable_name(c->durable, sizeof c->durable, service, subs[i].subject);
        char labels[256];
        snprintf(labels, sizeof labels, "consumer=\"%s\"", c->durable);
        c->lag_gauge = ibc_gauge("ibc_events_lag", "Events not yet delivered to a consumer", labels);
        c->applied = ibc_counter("ibc_events_applied_total", "Events applied", labels);
        c->skipped =
            ibc_counter("ibc_events_duplicates_total", "Events skipped as already seen", labels);
        c->failed = ibc_counter("ibc_events_failed_total", "Events that failed and will be retried",
                                labels);
    }
    drop_unused_durables(nc, service);
    for (size_t i = 0; i < n; i++)
        if (pthread_create(&consumers[i].thread, NULL, consumer_main, &consumers[i]) != 0)
            return IBC_EINTERNAL;
    return IBC_OK;
}

void ibc_consumers_stop(void)
{
    atomic_store(&stopping, true);
    for (size_t i = 0; i < nconsumers; i++) pthread_join(consumers[i].thread, NULL);
    free(consumers);
    consumers = NULL;
    nconsumers = 0;
}

/* $SRV.PING / $SRV.INFO / $SRV.STATS of the NATS service protocol
 * (io.nats.micro.v1), answered by every replica from lock-free counters that
 * the request path bumps. Each replica subscribes without a queue group, so a
 * request on $SRV.PING gathers one answer per replica. */
#include "ibc/discovery.h"
#include "ibc/log.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    atomic_uint_fast64_t requests, errors, nanos;
    atomic_int last_error; /* the status of the last 5xx, 0 when none */
} endpoint_stats;

enum { VERB_PING, VERB_INFO, VERB_STATS, NVERBS };
static const char *const verbs[NVERBS] = {"PING", "INFO", "STATS"};
static const char *const types[NVERBS] = {"io.nats.micro.v1.ping_response",
                                          "io.nats.micro.v1.info_response",
                                          "io.nats.micro.v1.stats_response"};

typedef struct {
    ibc_discovery *d;
    int verb;
} sub_closure;

struct ibc_discovery {
    natsConnection *nc;
    const char *name, *version, *prefix, *queue;
    const char *const *endpoints;
    size_t n;
    char id[64];
    char started[40];
    endpoint_stats *stats;
    sub_closure closures[NVERBS];
    natsSubscription *subs[NVERBS * 3];
};

void ibc_discovery_id(const char *instance, char *out, size_t outlen)
{
    size_t i = 0;
    for (; instance[i] && i + 1 < outlen; i++) {
        char c = instance[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_';
        out[i] = ok ? c : '_';
    }
    out[i] = '\0';
}

/* The part every response shares: type, name, id, version, metadata. New reference. */
static json_t *response_head(const ibc_discovery *d, int verb)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:{}}", "type", types[verb], "name", d->name, "id",
                     d->id, "version", d->version, "metadata");
}

static json_t *endpoint_json(const ibc_discovery *d, size_t i, int verb)
{
    char subject[256];
    snprintf(subject, sizeof subject, "%s%s", d->prefix, d->endpoints[i]);
    json_t *e = json_pack("{s:s, s:s, s:s}", "name", d->endpoints[i], "subject", subject,
                          "queue_group", d->queue);
    if (verb == VERB_INFO) {
        json_object_set_new(e, "metadata", json_object());
        return e;
    }
    const endpoint_stats *s = &d->stats[i];
    uint64_t reqs = atomic_load(&s->requests), nanos = atomic_load(&s->nanos);
    int last = atomic_load(&s->last_error);
    char last_error[32] = "";
    if (last) snprintf(last_error, sizeof last_error, "status %d", last);
    json_object_set_new(e, "num_requests", json_integer((json_int_t)reqs));
    json_object_set_new(e, "num_errors", json_integer((json_int_t)atomic_load(&s->errors)));
    json_object_set_new(e, "last_error", json_string(last_error));
    json_object_set_new(e, "data", json_null());
    json_object_set_new(e, "processing_time", json_integer((json_int_t)nanos));
    json_object_set_new(e, "average_processing_time",
                        json_integer(reqs ? (json_int_t)(nanos / reqs) : 0));
    return e;
}

/* The answer to one verb. New reference. */
static json_t *response(const ibc_discovery *d, int verb)
{
    json_t *r = response_head(d, verb);
    if (verb == VERB_PING) return r;
    json_t *eps = json_array();
    for (size_t i = 0; i < d->n; i++)
        json_array_append_new(eps, endpoint_json(d, i, verb));
    json_object_set_new(r, "endpoints", eps);
    if (verb == VERB_INFO)
        json_object_set_new(r, "description", json_sprintf("ibcnet %s service", d->name));
    else
        json_object_set_new(r, "started", json_string(d->started));
    return r;
}

static void on_srv(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    (void)sub;
    const sub_closure *c = closure;
    const char *reply = natsMsg_GetReply(msg);
    if (reply) {
        json_t *r = response(c->d, c->verb);
        char *text = json_dumps(r, JSON_COMPACT);
        if (text) natsConnection_PublishString(nc, reply, text);
        free(text);
        json_decref(r);
    }
    natsMsg_Destroy(msg);
}

static void stamp_started(ibc_discovery *d)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(d->started, sizeof d->started, "%s.%09ldZ", base, ts.tv_nsec);
}

static bool subscribe_all(ibc_discovery *d)
{
    size_t k = 0;
    for (int v = 0; v < NVERBS; v++) {
        d->closures[v] = (sub_closure){d, v};
        char subjects[3][192];
        snprintf(subjects[0], sizeof subjects[0], "$SRV.%s", verbs[v]);
        snprintf(subjects[1], sizeof subjects[1], "$SRV.%s.%s", verbs[v], d->name);
        snprintf(subjects[2], sizeof subjects[2], "$SRV.%s.%s.%s", verbs[v], d->name, d->id);
        for (int j = 0; j < 3; j++, k++) {
            natsStatus s =
                natsConnection_Subscribe(&d->subs[k], d->nc, subjects[j], on_srv, &d->closures[v]);
            if (s != NATS_OK) {
                ibc_log(IBC_LOG_ERROR, NULL, "cannot subscribe to %s: %s", subjects[j],
                        natsStatus_GetText(s));
                return false;
            }
        }
    }
    return true;
}

ibc_discovery *ibc_discovery_start(natsConnection *nc, const char *name, const char *version,
                                   const char *instance, const char *const *endpoints, size_t n,
                                   const char *subject_prefix, const char *queue)
{
    ibc_discovery *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    *d = (ibc_discovery){.nc = nc,
                         .name = name,
                         .version = version,
                         .prefix = subject_prefix,
                         .queue = queue,
                         .endpoints = endpoints,
                         .n = n};
    ibc_discovery_id(instance, d->id, sizeof d->id);
    stamp_started(d);
    d->stats = calloc(n ? n : 1, sizeof *d->stats);
    if (!d->stats || !subscribe_all(d)) {
        ibc_discovery_stop(d);
        return NULL;
    }
    return d;
}

void ibc_discovery_count(ibc_discovery *d, size_t i, int status, double seconds)
{
    if (!d || i >= d->n) return;
    endpoint_stats *s = &d->stats[i];
    atomic_fetch_add(&s->requests, 1);
    atomic_fetch_add(&s->nanos, (uint64_t)(seconds * 1e9));
    if (status >= 500) {
        atomic_fetch_add(&s->errors, 1);
        atomic_store(&s->last_error, status);
    }
}

void ibc_discovery_stop(ibc_discovery *d)
{
    if (!d) return;
    for (size_t k = 0; k < NVERBS * 3; k++)
        natsSubscription_Destroy(d->subs[k]);
    free(d->stats);
    free(d);
}

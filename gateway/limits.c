/* The gateway's limits (see limits.h): their settings, the per-address
 * connection table, the per-key token buckets and the in-flight counter.
 * Tables are hash tables under one mutex each: an entry per address or key
 * costs a few dozen bytes, and the address table drops an address's entry
 * when its last connection closes. */
#include "limits.h"

#include <arpa/inet.h>

#include <ibc/metrics.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 1024

static const char *const role_names[GW_NROLES] = {"ADMIN",  "METHODOLOGIST", "LIBRARIAN",
                                                  "PORTAL", "INTEGRATOR",    "ANONYMOUS"};
/* requests per second per key, by role: staff work in bursts of a page of
 * requests; portals and integrators are programs and get less; a caller
 * without a key (public routes: OAI-PMH harvesters) least, per address */
static const int default_rate[GW_NROLES] = {100, 100, 100, 50, 20, 10};

static ibc_rc load_int(ibc_getenv_fn get, const char *env, long min, long max, long *out, char *err,
                       size_t errlen)
{
    const char *v = get(env);
    if (v && !ibc_config_int(v, min, max, out)) {
        snprintf(err, errlen, "%s must be an integer from %ld to %ld, not '%.40s'", env, min, max,
                 v);
        return IBC_EINVAL;
    }
    return IBC_OK;
}

static ibc_rc load_rates(gw_limits *l, ibc_getenv_fn get, char *err, size_t errlen)
{
    for (int i = 0; i < GW_NROLES; i++) {
        char env[48];
        long rate = default_rate[i], burst = -1;
        snprintf(env, sizeof env, "IBC_RATE_%s", role_names[i]);
        if (load_int(get, env, 0, 1000000, &rate, err, errlen) != IBC_OK) return IBC_EINVAL;
        snprintf(env, sizeof env, "IBC_BURST_%s", role_names[i]);
        if (load_int(get, env, 1, 2000000, &burst, err, errlen) != IBC_OK) return IBC_EINVAL;
        l->rate[i] = (int)rate;
        l->burst[i] = burst > 0 ? (int)burst : (rate > 0 ? 2 * (int)rate : 1);
    }
    return IBC_OK;
}

/* requests waiting on the services now: what IBC_MAX_IN_FLIGHT caps */
static ibc_metric *in_flight_gauge(void)
{
    static ibc_metric *g;
    if (!g) g = ibc_gauge("ibc_gateway_in_flight", "Requests waiting on the services now", "");
    return g;
}

ibc_rc gw_limits_load(gw_limits *l, ibc_getenv_fn get, char *err, size_t errlen)
{
    in_flight_gauge(); /* exposed from the start, at 0 */
    if (!get) get = (ibc_getenv_fn)getenv;
    long per_address = 64, header = 10, idle = 60, import = 32L << 20, in_flight = 256;
    const struct {
        const char *env;
        long min, max, *v;
    } nums[] = {
        {"IBC_MAX_CONNECTIONS_PER_IP", 1, 65535, &per_address},
        {"IBC_HEADER_TIMEOUT_S", 1, 3600, &header},
        {"IBC_IDLE_TIMEOUT_S", 1, 3600, &idle},
        {"IBC_MAX_IMPORT_BODY", 1024, 1L << 30, &import},
        {"IBC_MAX_IN_FLIGHT", 1, 1000000, &in_flight},
    };
    for (size_t i = 0; i < IBC_LEN(nums); i++)
        if (load_int(get, nums[i].env, nums[i].min, nums[i].max, nums[i].v, err, errlen) != IBC_OK)
            return IBC_EINVAL;
    *l = (gw_limits){.per_address = (int)per_address,
                     .header_timeout_s = (int)header,
                     .idle_timeout_s = (int)idle,
                     .import_body = import,
                     .in_flight = (int)in_flight};
    return load_rates(l, get, err, errlen);
}

/* ------------------------------------------------------------ addresses */
typedef struct addr_entry {
    unsigned char ip[16]; /* IPv4 mapped into the first four bytes */
    int family, count;
    struct addr_entry *next;
} addr_entry;

static addr_entry *addr_table[BUCKETS];
static pthread_mutex_t addr_lock = PTHREAD_MUTEX_INITIALIZER;

/* The address bytes of a (port-less) client address; false for other families. */
static bool addr_key(const struct sockaddr *a, unsigned char ip[16], int *family)
{
    memset(ip, 0, 16);
    *family = a ? a->sa_family : 0;
    if (*family == AF_INET)
        memcpy(ip, &((const struct sockaddr_in *)a)->sin_addr, 4);
    else if (*family == AF_INET6)
        memcpy(ip, &((const struct sockaddr_in6 *)a)->sin6_addr, 16);
    else
        return false;
    return true;
}

/* The slot holding the address, or where it would go; under addr_lock. */
static addr_entry **addr_find(const unsigned char ip[16], int family)
{
    unsigned h = (unsigned)family;
    for (int i = 0; i < 16; i++)
        h = h * 31 + ip[i];
    addr_entry **e = &addr_table[h % BUCKETS];
    while (*e && !((*e)->family == family && memcmp((*e)->ip, ip, 16) == 0))
        e = &(*e)->next;
    return e;
}

void gw_address_text(const struct sockaddr *addr, char *out, size_t n)
{
    snprintf(out, n, "unknown");
    if (addr && addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)addr)->sin_addr, out, (socklen_t)n);
    else if (addr && addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)addr)->sin6_addr, out, (socklen_t)n);
}

bool gw_address_may_connect(const struct sockaddr *addr, int limit)
{
    unsigned char ip[16];
    int family;
    if (!addr_key(addr, ip, &family)) return true;
    pthread_mutex_lock(&addr_lock);
    addr_entry **e = addr_find(ip, family);
    bool ok = !*e || (*e)->count < limit;
    pthread_mutex_unlock(&addr_lock);
    return ok;
}

/* Adds delta to the address's count, dropping the entry at zero. */
static void address_count(const struct sockaddr *addr, int delta)
{
    unsigned char ip[16];
    int family;
    if (!addr_key(addr, ip, &family)) return;
    pthread_mutex_lock(&addr_lock);
    addr_entry **e = addr_find(ip, family);
    if (!*e && delta > 0 && (*e = calloc(1, sizeof **e))) {
        memcpy((*e)->ip, ip, 16);
        (*e)->family = family;
    }
    if (*e && ((*e)->count += delta) <= 0) {
        addr_entry *gone = *e;
        *e = gone->next;
        free(gone);
    }
    pthread_mutex_unlock(&addr_lock);
}

void gw_address_opened(const struct sockaddr *addr)
{
    address_count(addr, 1);
}

void gw_address_closed(const struct sockaddr *addr)
{
    address_count(addr, -1);
}

/* ------------------------------------------------------------ key buckets */
/* One per API key that made a request; there are as many as keys, so they
 * are kept for the process's life. */
typedef struct bucket {
    char key_id[40];
    double tokens, at;
    struct bucket *next;
} bucket;

static bucket *key_table[BUCKETS];
static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;

/* The key's bucket, created full; NULL when out of memory. Under key_lock. */
static bucket *bucket_of(const char *key_id, int burst, double now)
{
    unsigned h = 0;
    for (const char *c = key_id; *c; c++)
        h = h * 31 + (unsigned char)*c;
    bucket **b = &key_table[h % BUCKETS];
    while (*b && strcmp((*b)->key_id, key_id) != 0)
        b = &(*b)->next;
    if (!*b && (*b = calloc(1, sizeof **b))) {
        snprintf((*b)->key_id, sizeof(*b)->key_id, "%s", key_id);
        (*b)->tokens = burst;
        (*b)->at = now;
    }
    return *b;
}

bool gw_rate_take(const char *key_id, double rate, int burst, double now, int *retry_after_s)
{
    if (rate <= 0) return true;
    pthread_mutex_lock(&key_lock);
    bucket *b = bucket_of(key_id, burst, now);
    bool ok = true;
    if (b) {
        b->tokens = fmin(burst, b->tokens + (now - b->at) * rate);
        b->at = now;
        if (b->tokens >= 1)
            b->tokens -= 1;
        else
            ok = false;
        if (!ok) *retry_after_s = (int)ceil((1 - b->tokens) / rate);
        if (!ok && *retry_after_s < 1) *retry_after_s = 1;
    }
    pthread_mutex_unlock(&key_lock);
    return ok;
}

/* ------------------------------------------------------------ in flight */
static atomic_int in_flight;

bool gw_in_flight_enter(int cap)
{
    if (atomic_fetch_add(&in_flight, 1) < cap) {
        ibc_metric_add(in_flight_gauge(), 1);
        return true;
    }
    atomic_fetch_sub(&in_flight, 1);
    return false;
}

void gw_in_flight_leave(void)
{
    ibc_metric_add(in_flight_gauge(), -1);
    atomic_fetch_sub(&in_flight, 1);
}

void gw_refusal(const char *reason)
{
    char labels[64];
    snprintf(labels, sizeof labels, "reason=\"%s\"", reason);
    ibc_metric_add(ibc_counter("ibc_gateway_refusals_total",
                               "Requests and connections the gateway refused, by reason", labels),
                   1);
}

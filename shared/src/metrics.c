/* Prometheus metrics. Series are found in a small hash table under a mutex
 * (only on first use of a series per call site, callers keep the pointer or
 * look up again cheaply); updates are lock-free atomics. */
#include "ibc/metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { COUNTER, GAUGE, HISTOGRAM };

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,    0.25,  0.5,    1,     2.5,  5,     10};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

struct ibc_metric {
    char *name, *help, *labels;
    enum kind kind;
    _Atomic int64_t value;                 /* counter, gauge; histogram count */
    _Atomic int64_t sum_ns;                /* histogram */
    _Atomic int64_t bucket[NBUCKETS];      /* histogram, not cumulative */
    struct ibc_metric *next_in_bucket;
    struct ibc_metric *next;               /* registration order */
};

#define TABLE 512
static ibc_metric *table[TABLE];
static ibc_metric *first, *last;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned hash2(const char *a, const char *b)
{
    unsigned h = 2166136261u;
    for (; *a; a++) h = (h ^ (unsigned char)*a) * 16777619u;
    h = (h ^ '{') * 16777619u;
    for (; *b; b++) h = (h ^ (unsigned char)*b) * 16777619u;
    return h % TABLE;
}

/* Finds or creates a series; returns NULL only when out of memory. */
static ibc_metric *get(enum kind kind, const char *name, const char *help, const char *labels)
{
    if (!labels) labels = "";
    unsigned h = hash2(name, labels);
    pthread_mutex_lock(&lock);
    ibc_metric *m = table[h];
    while (m && (strcmp(m->name, name) || strcmp(m->labels, labels))) m = m->next_in_bucket;
    if (!m && (m = calloc(1, sizeof *m))) {
        m->name = strdup(name);
        m->help = strdup(help ? help : name);
        m->labels = strdup(labels);
        m->kind = kind;
        m->next_in_bucket = table[h];
        table[h] = m;
        if (last) last->next = m;
        else first = m;
        last = m;
    }
    pthread_mutex_unlock(&lock);
    return m;
}

ibc_metric *ibc_counter(const char *name, const char *help, const char *labels)
{
    return get(COUNTER, name, help, labels);
}

ibc_metric *ibc_gauge(const char *name, const char *help, const char *labels)
{
    return get(GAUGE, name, help, labels);
}

ibc_metric *ibc_histogram(const char *name, const char *help, const char *labels)
{
    return get(HISTOGRAM, name, help, labels);
}

void ibc_metric_add(ibc_metric *m, int64_t delta)
{
    if (m) atomic_fetch_add_explicit(&m->value, delta, memory_order_relaxed);
}

void ibc_metric_set(ibc_metric *m, int64_t value)
{
    if (m) atomic_store_explicit(&m->value, value, memory_order_relaxed);
}

void ibc_metric_observe(ibc_metric *m, double seconds)
{
    if (!m) return;
    size_t i = 0;
    while (i < NBUCKETS && seconds > buckets[i]) i++;
    if (i < NBUCKETS) atomic_fetch_add_explicit(&m->bucket[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_ns, (int64_t)(seconds * 1e9), memory_order_relaxed);
    atomic_fetch_add_explicit(&m->value, 1, memory_order_relaxed);
}

/* A growing string buffer for rendering. */
typedef struct {
    char *s;
    size_t len, cap;
    bool failed;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf *b, const char *fmt, ...)
{
    if (b->failed) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = true;
            return;
        }
        if (b->len + (size_t)n < b->cap) {
            b->len += n;
            return;
        }
        size_t cap = (b->cap + n + 1) * 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->failed = true;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

static void series(buf *b, const char *name, const char *suffix, const char *labels,
                   const char *extra)
{
    bool any = *labels || (extra && *extra);
    put(b, "%s%s%s%s%s%s%s", name, suffix, any ? "{" : "", labels,
        (*labels && extra && *extra) ? "," : "", extra ? extra : "", any ? "}" : "");
}

/* Renders all series grouped by name, HELP and TYPE once per name. Caller frees. */
char *ibc_metrics_render(void)
{
    buf b = {malloc(4096), 0, 4096, false};
    if (!b.s) return NULL;
    b.s[0] = 0;
    pthread_mutex_lock(&lock);
    for (ibc_metric *f = first; f; f = f->next) {
        /* a family is printed at its first series; skip series seen before */
        bool seen = false;
        for (ibc_metric *p = first; p != f; p = p->next)
            if (strcmp(p->name, f->name) == 0) {
                seen = true;
                break;
            }
        if (seen) continue;
        static const char *types[] = {"counter", "gauge", "histogram"};
        put(&b, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name, types[f->kind]);
        for (ibc_metric *m = f; m; m = m->next) {
            if (strcmp(m->name, f->name)) continue;
            int64_t count = atomic_load(&m->value);
            if (m->kind != HISTOGRAM) {
                series(&b, m->name, "", m->labels, NULL);
                put(&b, " %lld\n", (long long)count);
                continue;
            }
            int64_t cum = 0;
            for (size_t i = 0; i < NBUCKETS; i++) {
                cum += atomic_load(&m->bucket[i]);
                char le[32];
                snprintf(le, sizeof le, "le=\"%g\"", buckets[i]);
                series(&b, m->name, "_bucket", m->labels, le);
                put(&b, " %lld\n", (long long)cum);
            }
            series(&b, m->name, "_bucket", m->labels, "le=\"+Inf\"");
            put(&b, " %lld\n", (long long)count);
            series(&b, m->name, "_sum", m->labels, NULL);
            put(&b, " %.9f\n", atomic_load(&m->sum_ns) / 1e9);
            series(&b, m->name, "_count", m->labels, NULL);
            put(&b, " %lld\n", (long long)count);
        }
    }
    pthread_mutex_unlock(&lock);
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* Frees every series; not safe while other threads update metrics. */
void ibc_metrics_reset(void)
{
    pthread_mutex_lock(&lock);
    for (ibc_metric *m = first, *n; m; m = n) {
        n = m->next;
        free(m->name);
        free(m->help);
        free(m->labels);
        free(m);
    }
    memset(table, 0, sizeof table);
    first = last = NULL;
    pthread_mutex_unlock(&lock);
}

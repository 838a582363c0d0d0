/* The circulation load driver: a thread per librarian's desk, each with its
 * school's key, its readers and its own copies, lends copies (POST /checkouts)
 * and takes them back (POST /checkins) through the gateway, over kept-alive
 * connections, after a warm-up pass. Prints the requests per second and the
 * latency percentiles of each call.
 *
 *   checkout_bench URL DESKS_FILE DURATION [MODE [RATE]]
 *
 * DESKS_FILE has a line per desk: KEY READER_ID[,READER_ID...] BARCODE...
 * separated by spaces; copy i goes to reader i modulo the desk's readers. MODE is
 *   loop    (default) each desk lends a copy and takes it back, copy after
 *           copy, for DURATION seconds;
 *   phases  each desk lends all its copies, then, once every desk has done
 *           so, takes them all back; each phase is timed from its start to
 *           the last desk's end. DURATION is not used.
 * RATE (requests a second over all desks; 0, the default, for a closed loop)
 * paces the desks in an open loop: desk d sends its k-th request at
 * start + (d + k * desks) / RATE, and its latency counts from that time, so
 * a slow answer is not hidden by the requests it delayed. */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The calls of one kind (checkouts or checkins; in phases mode, one phase). */
typedef struct {
    double *lat; /* seconds, of the answered calls */
    long n, cap;
    long sent, errors;
    long late; /* open loop: sent more than 1 ms after their time */
} series;

typedef struct {
    char buf[2048];
    size_t len;
} sink;

typedef struct {
    int index;
    char **readers; /* copy i goes to readers[i % nreaders] */
    int nreaders;
    char **barcodes;
    int nbarcodes;
    CURL *curl;
    struct curl_slist *headers;
    sink reply;
    series call[2]; /* [0] checkouts, [1] checkins */
    long k;         /* requests sent since the schedule started */
    double done[2]; /* phases mode: when the desk ended each phase */
    long errors;    /* every failed call, the warm-up's too */
    long warm_errors;
    char first_error[512];
} desk;

enum { CHECKOUT, CHECKIN };

static const char *base;
static bool phases;
static double rate; /* 0: closed loop */
static int ndesks;
static double start, end; /* of the current phase or of the loop */
static pthread_barrier_t gate;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
    struct timespec ts = {.tv_sec = (time_t)t};
    ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
        /* interrupted: sleep the rest */
    }
}

/* The desks wait at the gate until every desk and main have come; main
 * then sets the start time and lets them go through a second wait, so that
 * every desk reads the same start. */
static void pass_gate(void)
{
    pthread_barrier_wait(&gate);
    pthread_barrier_wait(&gate);
}

static void open_gate(double duration)
{
    pthread_barrier_wait(&gate);
    start = now();
    end = start + duration;
    pthread_barrier_wait(&gate);
}

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
    sink *s = arg;
    size_t len = size * n;
    size_t room = sizeof s->buf - 1 - s->len;
    size_t take = len < room ? len : room;
    memcpy(s->buf + s->len, p, take);
    s->len += take;
    s->buf[s->len] = 0;
    return len;
}

/* POSTs body to path; returns the HTTP status (0 on a transport error). */
static long post(desk *d, const char *path, const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", base, path);
    d->reply.len = 0;
    d->reply.buf[0] = 0;
    curl_easy_setopt(d->curl, CURLOPT_URL, url);
    curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, d->headers);
    curl_easy_setopt(d->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, &d->reply);
    curl_easy_setopt(d->curl, CURLOPT_TIMEOUT, 30L);
    long status = 0;
    if (curl_easy_perform(d->curl) == CURLE_OK)
        curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

static void error(desk *d, const char *what, long status)
{
    if (d->errors++ == 0)
        snprintf(d->first_error, sizeof d->first_error, "%s: %ld %.400s", what, status,
                 d->reply.buf);
}

/* Lends (CHECKOUT) or takes back (CHECKIN) copy i; returns the status. */
static long lend_or_return(desk *d, int kind, int i)
{
    char body[256];
    if (kind == CHECKOUT) {
        snprintf(body, sizeof body, "{\"item_barcode\":\"%s\",\"reader_id\":\"%s\"}",
                 d->barcodes[i], d->readers[i % d->nreaders]);
        return post(d, "/api/v1/circulation/checkouts", body);
    }
    snprintf(body, sizeof body, "{\"item_barcode\":\"%s\"}", d->barcodes[i]);
    return post(d, "/api/v1/circulation/checkins", body);
}

static const long expected[2] = {201, 200};

/* An unmeasured call of the warm-up; false when it failed. */
static bool warm(desk *d, int kind, int i)
{
    long st = lend_or_return(d, kind, i);
    if (st == expected[kind]) return true;
    d->warm_errors++;
    error(d, kind == CHECKOUT ? "warm-up checkout" : "warm-up checkin", st);
    return false;
}

/* When the desk's next request is due: now in a closed loop, its slot in
 * the open-loop schedule otherwise (desks spread evenly over an interval). */
static double next_slot(const desk *d)
{
    return rate > 0 ? start + (d->index + (double)d->k * ndesks) / rate : now();
}

/* A measured call into series s: waits for its slot when paced, and counts
 * its latency from that slot, not from when it could be sent. */
static bool measured(desk *d, series *s, int kind, int i)
{
    double slot = next_slot(d);
    d->k++;
    if (rate > 0) {
        sleep_until(slot); /* returns at once when late */
        if (now() - slot > 1e-3) s->late++;
    }
    long st = lend_or_return(d, kind, i);
    double t1 = now();
    s->sent++;
    if (st != expected[kind]) {
        s->errors++;
        error(d, kind == CHECKOUT ? "checkout" : "checkin", st);
        return false;
    }
    if (s->n < s->cap) s->lat[s->n++] = t1 - slot;
    return true;
}

/* loop mode: lend and take back copy after copy until the end; a copy lent
 * is always taken back, so the end never leaves one on loan. Paced, a desk
 * behind its schedule still sends every request due before the end (at
 * once), so that the ones a slow answer delayed are counted, not dropped. */
static void loop(desk *d)
{
    for (int i = 0; next_slot(d) < end; i = (i + 1) % d->nbarcodes)
        if (measured(d, &d->call[CHECKOUT], CHECKOUT, i))
            measured(d, &d->call[CHECKIN], CHECKIN, i);
}

/* phases mode, one phase: every copy of the desk, lent or taken back. */
static void phase(desk *d, int kind)
{
    d->k = 0;
    for (int i = 0; i < d->nbarcodes; i++)
        measured(d, &d->call[kind], kind, i);
    d->done[kind] = now();
}

static void *run(void *arg)
{
    desk *d = arg;
    d->curl = curl_easy_init();

    /* leave nothing on loan from an earlier run (most answer 409: not on loan) */
    for (int i = 0; i < d->nbarcodes; i++)
        lend_or_return(d, CHECKIN, i);
    /* warm-up, not measured: connections open, statements prepared, and
     * circulation has met every copy. In a running network it knows copies
     * from the catalog's item events; the generated catalog was written
     * without them, so a copy's first lending would also be its first
     * lookup in the catalog, which is not what the benchmark measures */
    for (int i = 0; i < d->nbarcodes; i++)
        if (warm(d, CHECKOUT, i)) warm(d, CHECKIN, i);

    pass_gate();
    if (!phases) {
        loop(d);
    } else {
        phase(d, CHECKOUT);
        pass_gate(); /* every desk has lent all its copies */
        phase(d, CHECKIN);
    }
    curl_easy_cleanup(d->curl);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* "p50=… p90=… p99=… max=…" of n latencies, which it sorts. */
static const char *percentiles(double *v, long n)
{
    static char buf[128];
    if (n == 0) return "no samples";
    qsort(v, (size_t)n, sizeof *v, cmp);
    snprintf(buf, sizeof buf, "p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms", v[n / 2] * 1e3,
             v[(long)(n * 0.90)] * 1e3, v[(long)(n * 0.99)] * 1e3, v[n - 1] * 1e3);
    return buf;
}

/* The calls of all desks in one series: kind CHECKOUT, CHECKIN, or -1 for both. */
static series gather(const desk *desks, int kind)
{
    series all = {0};
    for (int i = 0; i < ndesks; i++)
        for (int k = 0; k < 2; k++)
            if (kind < 0 || kind == k) all.cap += desks[i].call[k].n;
    all.lat = malloc(sizeof(double) * (size_t)(all.cap + 1));
    for (int i = 0; i < ndesks; i++)
        for (int k = 0; k < 2; k++) {
            const series *s = &desks[i].call[k];
            if (kind >= 0 && kind != k) continue;
            memcpy(all.lat + all.n, s->lat, sizeof(double) * (size_t)s->n);
            all.n += s->n, all.sent += s->sent, all.errors += s->errors, all.late += s->late;
        }
    return all;
}

static void report_loop(const desk *desks, double elapsed, int copies)
{
    series out = gather(desks, CHECKOUT), in = gather(desks, CHECKIN), all = gather(desks, -1);
    printf("clients=%d duration=%.1fs copies=%d checkouts=%ld checkins=%ld errors=%ld\n", ndesks,
           elapsed, copies, out.n, in.n, all.errors);
    printf("checkouts/s=%.0f requests/s=%.0f\n", out.n / elapsed, all.n / elapsed);
    if (rate > 0)
        printf("late=%ld of %ld requests sent more than 1 ms after their time\n", all.late,
               all.sent);
    printf("%-9s n=%ld %s\n", "checkout", out.n, percentiles(out.lat, out.n));
    printf("%-9s n=%ld %s\n", "checkin", in.n, percentiles(in.lat, in.n));
    printf("%-9s n=%ld %s\n", "both", all.n, percentiles(all.lat, all.n));
}

/* A phase lasts from its start to the last desk's end. */
static void report_phase(const desk *desks, int kind, double started)
{
    double last = started;
    for (int i = 0; i < ndesks; i++)
        if (desks[i].done[kind] > last) last = desks[i].done[kind];
    double elapsed = last - started;
    series s = gather(desks, kind);
    printf("%-9s requests=%ld elapsed=%.2fs requests/s=%.0f %s errors=%ld",
           kind == CHECKOUT ? "checkout" : "checkin", s.sent, elapsed,
           elapsed > 0 ? s.sent / elapsed : 0.0, percentiles(s.lat, s.n), s.errors);
    if (rate > 0) printf(" late=%ld", s.late);
    printf("\n");
}

/* Reads the desks file: a desk per non-empty line, KEY READER BARCODE... */
static desk *read_desks(const char *path, int *count)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(2);
    }
    desk *desks = NULL;
    char *line = NULL;
    size_t size = 0;
    int n = 0;
    for (int lineno = 1; getline(&line, &size, f) != -1; lineno++) {
        char *save, *key = strtok_r(line, " \t\r\n", &save);
        if (!key) continue;
        desks = realloc(desks, sizeof *desks * (size_t)(n + 1));
        desk *d = memset(&desks[n], 0, sizeof *desks);
        d->index = n;
        char auth[512];
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
        d->headers = curl_slist_append(NULL, auth);
        d->headers = curl_slist_append(d->headers, "Content-Type: application/json");
        /* READER_ID[,READER_ID...] */
        char *readers = strtok_r(NULL, " \t\r\n", &save), *rsave;
        for (char *r = readers ? strtok_r(readers, ",", &rsave) : NULL; r;
             r = strtok_r(NULL, ",", &rsave)) {
            d->readers = realloc(d->readers, sizeof(char *) * (size_t)(d->nreaders + 1));
            d->readers[d->nreaders++] = strdup(r);
        }
        for (char *b; (b = strtok_r(NULL, " \t\r\n", &save));) {
            d->barcodes = realloc(d->barcodes, sizeof(char *) * (size_t)(d->nbarcodes + 1));
            d->barcodes[d->nbarcodes++] = strdup(b);
        }
        if (d->nbarcodes == 0 || d->nreaders == 0) {
            fprintf(stderr, "%s:%d: need KEY, READER_IDs and at least one barcode\n", path, lineno);
            exit(2);
        }
        n++;
    }
    free(line);
    fclose(f);
    *count = n;
    return desks;
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 6 ||
        (argc > 4 && strcmp(argv[4], "loop") != 0 && strcmp(argv[4], "phases") != 0)) {
        fprintf(stderr, "usage: %s URL DESKS_FILE DURATION [loop|phases [RATE]]\n", argv[0]);
        return 2;
    }
    base = argv[1];
    int duration = atoi(argv[3]);
    phases = argc > 4 && strcmp(argv[4], "phases") == 0;
    rate = argc > 5 ? atof(argv[5]) : 0;
    curl_global_init(CURL_GLOBAL_ALL);
    desk *desks = read_desks(argv[2], &ndesks);
    if (ndesks < 1 || rate < 0 || (!phases && duration < 1)) {
        fprintf(stderr, "need a desk, a RATE of 0 or more and, in loop mode, a DURATION\n");
        return 2;
    }
    if (rate > 0)
        printf("mode=%s rate=%g/s (open loop: latency from each request's scheduled time)\n",
               phases ? "phases" : "loop", rate);
    else
        printf("mode=%s (closed loop)\n", phases ? "phases" : "loop");
    fflush(stdout);

    pthread_t *tid = calloc((size_t)ndesks, sizeof *tid);
    int copies = 0;
    pthread_barrier_init(&gate, NULL, (unsigned)ndesks + 1);
    for (int i = 0; i < ndesks; i++) {
        desk *d = &desks[i];
        /* phases: one call per copy; loop: room for 5,000 calls a second */
        long cap = phases ? d->nbarcodes : (long)duration * 5000 + 1000;
        for (int k = 0; k < 2; k++) {
            d->call[k].cap = cap;
            d->call[k].lat = malloc(sizeof(double) * (size_t)cap);
        }
        copies += d->nbarcodes;
        pthread_create(&tid[i], NULL, run, d);
    }
    double started[2] = {0};
    open_gate(duration); /* every desk warmed up */
    started[0] = start;
    if (phases) {
        open_gate(0); /* every desk through phase 1 */
        started[1] = start;
    }
    for (int i = 0; i < ndesks; i++)
        pthread_join(tid[i], NULL);
    double elapsed = now() - started[0];

    long errors = 0, warm_errors = 0;
    for (int i = 0; i < ndesks; i++) {
        errors += desks[i].errors, warm_errors += desks[i].warm_errors;
        if (desks[i].errors)
            fprintf(stderr, "desk %d: %ld errors, first: %s\n", i, desks[i].errors,
                    desks[i].first_error);
        curl_slist_free_all(desks[i].headers);
    }
    /* not in the figures below, but they fail the run as well */
    if (warm_errors) printf("warm-up: %ld calls failed\n", warm_errors);
    if (phases) {
        printf("clients=%d copies=%d (%d a desk)\n", ndesks, copies, copies / ndesks);
        report_phase(desks, CHECKOUT, started[0]);
        report_phase(desks, CHECKIN, started[1]);
    } else {
        report_loop(desks, elapsed, copies);
    }
    curl_global_cleanup();
    return errors ? 1 : 0;
}

/* The circulation load driver: CLIENTS threads, each a librarian's desk with
 * one reader and its own copies, lend a copy (POST /checkouts) and take it
 * back (POST /checkins) in a loop through the gateway, over kept-alive
 * connections, for DURATION seconds after a warm-up pass. Prints the
 * checkouts per second and the latency percentiles of each call.
 *
 *   checkout_bench URL KEY READERS_FILE BARCODES_FILE CLIENTS DURATION
 *
 * READERS_FILE has a reader id per line (one per client, reused when
 * fewer); BARCODES_FILE has barcodes, split evenly over the clients. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    int index;
    const char *reader;
    char **barcodes;
    int nbarcodes;
    double *out_lat, *in_lat; /* seconds */
    long nout, nin, cap;
    long errors;
    char first_error[512];
} desk;

static const char *base, *key;
static atomic_int phase; /* 0 warm-up, 1 measured, 2 stop */
static pthread_barrier_t ready;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct {
    char buf[2048];
    size_t len;
} sink;

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
static long post(CURL *c, struct curl_slist *headers, const char *path, const char *body, sink *s)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", base, path);
    s->len = 0;
    s->buf[0] = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

static void error(desk *d, const char *what, long status, const sink *s)
{
    if (d->errors++ == 0)
        snprintf(d->first_error, sizeof d->first_error, "%s: %ld %.400s", what, status, s->buf);
}

static void *run(void *arg)
{
    desk *d = arg;
    CURL *c = curl_easy_init();
    char auth[256], body[256];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    sink s;

    /* leave nothing on loan from an earlier run */
    for (int i = 0; i < d->nbarcodes; i++) {
        snprintf(body, sizeof body, "{\"item_barcode\":\"%s\"}", d->barcodes[i]);
        post(c, h, "/api/v1/circulation/checkins", body, &s);
    }
    /* warm-up: one pass over the desk's copies, not measured */
    for (int i = 0; i < d->nbarcodes; i++) {
        snprintf(body, sizeof body, "{\"item_barcode\":\"%s\",\"reader_id\":\"%s\"}",
                 d->barcodes[i], d->reader);
        long st = post(c, h, "/api/v1/circulation/checkouts", body, &s);
        if (st != 201) error(d, "warm-up checkout", st, &s);
        snprintf(body, sizeof body, "{\"item_barcode\":\"%s\"}", d->barcodes[i]);
        st = post(c, h, "/api/v1/circulation/checkins", body, &s);
        if (st != 200) error(d, "warm-up checkin", st, &s);
    }
    d->errors = 0;
    pthread_barrier_wait(&ready);
    for (int i = 0; atomic_load(&phase) == 1; i = (i + 1) % d->nbarcodes) {
        snprintf(body, sizeof body, "{\"item_barcode\":\"%s\",\"reader_id\":\"%s\"}",
                 d->barcodes[i], d->reader);
        double t0 = now();
        long st = post(c, h, "/api/v1/circulation/checkouts", body, &s);
        double t1 = now();
        if (st != 201) {
            error(d, "checkout", st, &s);
            continue;
        }
        if (d->nout < d->cap) d->out_lat[d->nout++] = t1 - t0;
        snprintf(body, sizeof body, "{\"item_barcode\":\"%s\"}", d->barcodes[i]);
        t0 = now();
        st = post(c, h, "/api/v1/circulation/checkins", body, &s);
        t1 = now();
        if (st != 200)
            error(d, "checkin", st, &s);
        else if (d->nin < d->cap)
            d->in_lat[d->nin++] = t1 - t0;
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *name, double *v, long n)
{
    if (n == 0) {
        printf("%s: no samples\n", name);
        return;
    }
    qsort(v, (size_t)n, sizeof *v, cmp);
    printf("%-9s n=%ld p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms\n", name, n, v[n / 2] * 1e3,
           v[(long)(n * 0.90)] * 1e3, v[(long)(n * 0.99)] * 1e3, v[n - 1] * 1e3);
}

/* Reads non-empty lines of a file into a NULL-terminated array. */
static char **lines(const char *path, int *count)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(2);
    }
    char **out = NULL, line[256];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!*line) continue;
        out = realloc(out, sizeof *out * (size_t)(n + 2));
        out[n++] = strdup(line);
    }
    fclose(f);
    *count = n;
    return out;
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: %s URL KEY READERS_FILE BARCODES_FILE CLIENTS DURATION\n", argv[0]);
        return 2;
    }
    base = argv[1];
    key = argv[2];
    int nreaders, nbarcodes, clients = atoi(argv[5]), duration = atoi(argv[6]);
    char **readers = lines(argv[3], &nreaders), **barcodes = lines(argv[4], &nbarcodes);
    if (clients < 1 || nreaders < 1 || nbarcodes < clients) {
        fprintf(stderr, "need at least one reader and a barcode per client\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_ALL);
    desk *desks = calloc((size_t)clients, sizeof *desks);
    pthread_t *tid = calloc((size_t)clients, sizeof *tid);
    int per = nbarcodes / clients;
    long cap = (long)duration * 5000 + 1000;
    pthread_barrier_init(&ready, NULL, (unsigned)clients + 1);
    atomic_store(&phase, 1);
    for (int i = 0; i < clients; i++) {
        desks[i] = (desk){.index = i,
                          .reader = readers[i % nreaders],
                          .barcodes = barcodes + (size_t)i * per,
                          .nbarcodes = per,
                          .cap = cap};
        desks[i].out_lat = malloc(sizeof(double) * (size_t)cap);
        desks[i].in_lat = malloc(sizeof(double) * (size_t)cap);
        pthread_create(&tid[i], NULL, run, &desks[i]);
    }
    pthread_barrier_wait(&ready); /* every desk warmed up */
    double t0 = now();
    struct timespec ts = {duration, 0};
    nanosleep(&ts, NULL);
    atomic_store(&phase, 2);
    for (int i = 0; i < clients; i++)
        pthread_join(tid[i], NULL);
    double elapsed = now() - t0;

    long nout = 0, nin = 0, errors = 0;
    for (int i = 0; i < clients; i++)
        nout += desks[i].nout, nin += desks[i].nin, errors += desks[i].errors;
    double *out = malloc(sizeof(double) * (size_t)(nout + 1)),
           *in = malloc(sizeof(double) * (size_t)(nin + 1)),
           *all = malloc(sizeof(double) * (size_t)(nout + nin + 1));
    long o = 0, n = 0, a = 0;
    for (int i = 0; i < clients; i++) {
        memcpy(out + o, desks[i].out_lat, sizeof(double) * (size_t)desks[i].nout);
        memcpy(in + n, desks[i].in_lat, sizeof(double) * (size_t)desks[i].nin);
        memcpy(all + a, desks[i].out_lat, sizeof(double) * (size_t)desks[i].nout);
        memcpy(all + a + desks[i].nout, desks[i].in_lat, sizeof(double) * (size_t)desks[i].nin);
        o += desks[i].nout, n += desks[i].nin, a += desks[i].nout + desks[i].nin;
        if (desks[i].errors)
            fprintf(stderr, "desk %d: %ld errors, first: %s\n", i, desks[i].errors,
                    desks[i].first_error);
    }
    printf("clients=%d duration=%.1fs copies=%d checkouts=%ld checkins=%ld errors=%ld\n", clients,
           elapsed, per * clients, nout, nin, errors);
    printf("checkouts/s=%.0f requests/s=%.0f\n", nout / elapsed, (nout + nin) / elapsed);
    report("checkout", out, nout);
    report("checkin", in, nin);
    report("both", all, a);
    curl_global_cleanup();
    return errors ? 1 : 0;
}

/* The Z39.50 benchmark's client: CLIENTS threads, each with its own ZOOM
 * connection, each repeating for SECONDS: a search (one of the queries read
 * from a file, one PQF query a line, taken in turn) and the present of its
 * first 10 records as USMARC (piggybacked: count=10). Prints the latency of
 * search + present: p50, p95, p99 and the rate.
 *   zoom_bench HOST:PORT QUERIES_FILE CLIENTS SECONDS */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yaz/zoom.h>

static const char *target;
static char **queries;
static int nqueries, seconds;

typedef struct {
    int id;
    double *lat;
    size_t n, cap;
    long errors, records;
} worker;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *run(void *arg)
{
    worker *w = arg;
    ZOOM_options o = ZOOM_options_create();
    ZOOM_options_set(o, "databaseName", "ibc");
    ZOOM_options_set(o, "preferredRecordSyntax", "usmarc");
    ZOOM_options_set(o, "count", "10");
    ZOOM_options_set(o, "presentChunk", "10");
    ZOOM_connection c = ZOOM_connection_create(o);
    ZOOM_connection_connect(c, target, 0);
    double end = now() + seconds;
    for (int q = w->id; now() < end; q++) {
        double t0 = now();
        ZOOM_resultset r = ZOOM_connection_search_pqf(c, queries[q % nqueries]);
        size_t n = ZOOM_resultset_size(r) < 10 ? ZOOM_resultset_size(r) : 10;
        ZOOM_record recs[10];
        if (n) ZOOM_resultset_records(r, recs, 0, n);
        int err = ZOOM_connection_error(c, NULL, NULL);
        for (size_t i = 0; i < n && !err; i++) w->records += recs[i] != NULL;
        ZOOM_resultset_destroy(r);
        if (err) {
            w->errors++;
            continue;
        }
        if (w->n == w->cap) {
            w->cap = w->cap ? 2 * w->cap : 4096;
            w->lat = realloc(w->lat, w->cap * sizeof *w->lat);
        }
        w->lat[w->n++] = (now() - t0) * 1000;
    }
    ZOOM_connection_destroy(c);
    ZOOM_options_destroy(o);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: zoom_bench HOST:PORT QUERIES CLIENTS SECONDS\n");
        return 2;
    }
    target = argv[1];
    int clients = atoi(argv[3]);
    seconds = atoi(argv[4]);
    FILE *f = fopen(argv[2], "r");
    char line[1024];
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (!*line) continue;
        queries = realloc(queries, sizeof *queries * (size_t)(nqueries + 1));
        queries[nqueries++] = strdup(line);
    }
    if (f) fclose(f);
    if (!nqueries || clients < 1) return 2;
    worker *w = calloc((size_t)clients, sizeof *w);
    pthread_t *th = calloc((size_t)clients, sizeof *th);
    for (int i = 0; i < clients; i++) {
        w[i].id = i * 7919;
        pthread_create(&th[i], NULL, run, &w[i]);
    }
    size_t total = 0;
    long errors = 0, records = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join(th[i], NULL);
        total += w[i].n;
        errors += w[i].errors;
        records += w[i].records;
    }
    double *all = malloc((total ? total : 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < clients; i++) {
        memcpy(all + k, w[i].lat, w[i].n * sizeof *all);
        k += w[i].n;
    }
    qsort(all, total, sizeof *all, cmp);
#define P(p) (total ? all[(size_t)((double)(total - 1) * (p))] : 0)
    printf("RESULT searches=%zu rps=%.1f records=%ld errors=%ld p50_ms=%.2f p95_ms=%.2f "
           "p99_ms=%.2f max_ms=%.2f\n",
           total, (double)total / seconds, records, errors, P(0.50), P(0.95), P(0.99),
           total ? all[total - 1] : 0);
    return errors ? 1 : 0;
}

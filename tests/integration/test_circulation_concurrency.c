/* The guarantees of circulation under concurrent requests through the
 * gateway: an item is never on two open loans, a reader's limit holds when
 * several desks lend at once, and concurrent retries with one
 * Idempotency-Key lend once and answer alike. */
#include "test_circulation.h"

#include <pthread.h>
#include <unistd.h>

enum { ITEMS = 50, READERS = 100, ATTEMPTS = 500, THREADS = 50 };

typedef struct {
    const char *key;
    char **barcodes;
    size_t nbarcodes;
    char **readers;
    size_t nreaders;
    const char *idem; /* all threads send this key when set */
    int first, count; /* attempts first..first+count-1 */
    pthread_barrier_t *start;
    int created, conflicts, other;
    char loan_ids[16][40];
} worker;

/* Attempt i lends barcode i % n to reader (i / ITEMS + i) % readers, so that
 * every item is asked for by ten different readers. */
static void *run(void *arg)
{
    worker *w = arg;
    pthread_barrier_wait(w->start);
    for (int i = w->first; i < w->first + w->count; i++) {
        const char *barcode = w->barcodes[(size_t)i % w->nbarcodes];
        const char *reader = w->readers[(size_t)(i / ITEMS + i) % w->nreaders];
        h_resp *r = c_checkout(w->key, barcode, reader, w->idem);
        if (r->status == 201) {
            if (w->created < 16) snprintf(w->loan_ids[w->created], 40, "%s", h_str(r, "id"));
            w->created++;
        } else if (r->status == 409) {
            w->conflicts++;
        } else {
            fprintf(stderr, "checkout: %ld %s\n", r->status, r->body);
            w->other++;
        }
        h_free(r);
    }
    return NULL;
}

/* Runs `attempts` checkouts on `threads` threads started together; sums. */
static void fire(worker *proto, int attempts, int threads, int *created, int *conflicts, int *other,
                 worker *out)
{
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)threads);
    pthread_t tid[THREADS];
    for (int t = 0; t < threads; t++) {
        out[t] = *proto;
        out[t].start = &start;
        out[t].first = t * (attempts / threads);
        out[t].count = attempts / threads;
        pthread_create(&tid[t], NULL, run, &out[t]);
    }
    *created = *conflicts = *other = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        *created += out[t].created;
        *conflicts += out[t].conflicts;
        *other += out[t].other;
    }
    pthread_barrier_destroy(&start);
}

static void five_hundred_checkouts_at_fifty_items_make_fifty_loans(void **state)
{
    (void)state;
    char *school = c_school(), *lib = h_new_key(school, "librarian");
    c_policy(lib, "student", 20, 14, 1, 0);
    char *rec = c_record(lib, "book", "Горе от ума");
    char *barcodes[ITEMS], *readers[READERS];
    for (int i = 0; i < ITEMS; i++)
        barcodes[i] = c_item(lib, rec, NULL);
    for (int i = 0; i < READERS; i++)
        readers[i] = c_reader(lib, "6А", "student", NULL);

    worker proto = {.key = lib,
                    .barcodes = barcodes,
                    .nbarcodes = ITEMS,
                    .readers = readers,
                    .nreaders = READERS};
    static worker out[THREADS];
    int created, conflicts, other;
    fire(&proto, ATTEMPTS, THREADS, &created, &conflicts, &other, out);
    assert_int_equal(other, 0);
    assert_int_equal(created, ITEMS);
    assert_int_equal(conflicts, ATTEMPTS - ITEMS);

    /* the database agrees: 50 open loans, on 50 different items */
    h_resp *r = h_get(lib, "/api/v1/circulation/loans?limit=500");
    assert_int_equal(r->status, 200);
    json_t *loans = json_object_get(r->json, "loans");
    assert_int_equal(json_array_size(loans), ITEMS);
    for (size_t i = 0; i < json_array_size(loans); i++)
        for (size_t j = i + 1; j < json_array_size(loans); j++)
            assert_string_not_equal(c_str(json_array_get(loans, i), "item_id"),
                                    c_str(json_array_get(loans, j), "item_id"));
    h_free(r);
    for (int i = 0; i < ITEMS; i++)
        free(barcodes[i]);
    for (int i = 0; i < READERS; i++)
        free(readers[i]);
    free(rec), free(lib), free(school);
}

enum { LIMIT = 3, DESKS = 40 };

static void concurrent_checkouts_for_one_reader_stop_at_the_limit(void **state)
{
    (void)state;
    char *school = c_school(), *lib = h_new_key(school, "librarian");
    c_policy(lib, "staff", LIMIT, 30, 0, 0);
    char *rec = c_record(lib, "book", "Обломов");
    char *barcodes[DESKS];
    for (int i = 0; i < DESKS; i++)
        barcodes[i] = c_item(lib, rec, NULL);
    char *reader = c_reader(lib, NULL, "staff", NULL);

    /* 40 self-check desks, one reader, 40 different copies, all at once */
    worker proto = {
        .key = lib, .barcodes = barcodes, .nbarcodes = DESKS, .readers = &reader, .nreaders = 1};
    static worker out[DESKS];
    int created, conflicts, other;
    fire(&proto, DESKS, DESKS, &created, &conflicts, &other, out);
    assert_int_equal(other, 0);
    assert_int_equal(created, LIMIT);
    assert_int_equal(conflicts, DESKS - LIMIT);

    char q[96];
    snprintf(q, sizeof q, "reader_id=%s", reader);
    assert_int_equal(c_count_loans(lib, q), LIMIT);
    h_resp *r = h_get(lib, "/api/v1/circulation/readers/%s", reader);
    assert_int_equal(json_integer_value(json_object_get(r->json, "open_loans")), LIMIT);
    h_free(r);
    for (int i = 0; i < DESKS; i++)
        free(barcodes[i]);
    free(reader), free(rec), free(lib), free(school);
}

enum { RETRIES = 8 };

static void concurrent_retries_with_one_key_lend_once(void **state)
{
    (void)state;
    char *school = c_school(), *lib = h_new_key(school, "librarian");
    char *rec = c_record(lib, "book", "Отцы и дети");
    char *barcode = c_item(lib, rec, NULL);
    char *reader = c_reader(lib, "11А", "student", NULL);
    char *key = h_uniq("idem-");
    h_events *ev = h_events_open("ibc.evt.circulation.loan.created");

    worker proto = {.key = lib,
                    .barcodes = &barcode,
                    .nbarcodes = 1,
                    .readers = &reader,
                    .nreaders = 1,
                    .idem = key};
    static worker out[RETRIES];
    int created, conflicts, other;
    fire(&proto, RETRIES, RETRIES, &created, &conflicts, &other, out);
    assert_int_equal(other, 0);
    assert_int_equal(conflicts, 0);
    assert_int_equal(created, RETRIES); /* every retry gets the first answer */
    for (int t = 1; t < RETRIES; t++)
        assert_string_equal(out[t].loan_ids[0], out[0].loan_ids[0]);
    char q[96];
    snprintf(q, sizeof q, "reader_id=%s&state=all", reader);
    assert_int_equal(c_count_loans(lib, q), 1);
    json_t *e = h_events_find(ev, "ibc.evt.circulation.loan.created", out[0].loan_ids[0], 10000);
    assert_non_null(e);
    json_decref(e);
    assert_int_equal(
        h_events_count(ev, "ibc.evt.circulation.loan.created", out[0].loan_ids[0], 500), 1);
    h_events_close(ev);
    free(key), free(reader), free(barcode), free(rec), free(lib), free(school);
}

/* Polls the catalog's availability of rec until `available` is want (10 s). */
static long catalog_available(const char *rec, long want)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/catalog/records/%s/availability", rec);
    return h_poll_int(h_admin(), path, "available", want, 10000);
}

enum { QUICK = 30, KEPT = 5 };

/* Copies lent and returned back to back from several desks: the catalog
 * hears loan.created and loan.returned of each within milliseconds, and must
 * end with exactly the copies still lent marked as on loan (it once applied
 * the two kinds of event in two consumers, and a return applied before its
 * loan left the copy "on loan" for good). */
static void the_catalog_follows_quick_lending(void **state)
{
    (void)state;
    char *school = c_school(), *lib = h_new_key(school, "librarian");
    c_policy(lib, "student", 100, 14, 1, 0);
    char *rec = c_record(lib, "book", "Мёртвые души");
    char *barcodes[QUICK];
    for (int i = 0; i < QUICK; i++)
        barcodes[i] = c_item(lib, rec, NULL);
    char *reader = c_reader(lib, "7Б", "student", NULL);
    assert_int_equal(catalog_available(rec, QUICK), QUICK);
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < QUICK; i++) {
            h_resp *r = c_checkout(lib, barcodes[i], reader, NULL);
            assert_int_equal(r->status, 201);
            h_free(r);
            if (round == 2 && i < KEPT) continue; /* these stay lent */
            r = c_checkin(lib, barcodes[i]);
            assert_int_equal(r->status, 200);
            h_free(r);
        }
    assert_int_equal(catalog_available(rec, QUICK - KEPT), QUICK - KEPT);
    sleep(1); /* and it stays so: no late event moves it */
    assert_int_equal(catalog_available(rec, QUICK - KEPT), QUICK - KEPT);
    for (int i = 0; i < QUICK; i++)
        free(barcodes[i]);
    free(reader), free(rec), free(lib), free(school);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(five_hundred_checkouts_at_fifty_items_make_fifty_loans),
        cmocka_unit_test(concurrent_checkouts_for_one_reader_stop_at_the_limit),
        cmocka_unit_test(concurrent_retries_with_one_key_lend_once),
        cmocka_unit_test(the_catalog_follows_quick_lending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

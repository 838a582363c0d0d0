/* The MARC import job thread. One per catalog replica, with its own
 * PostgreSQL connection: it LISTENs for new jobs (and polls), claims a queued
 * or interrupted job with a session advisory lock, splits the file into
 * segments at record boundaries and runs one writer thread per segment, each
 * with its own connection (IBC_IMPORT_WRITERS, by default the CPUs, at most
 * 4: PostgreSQL's work per record, the search indexes above all, is what
 * limits an import, and it runs in parallel). A writer reads its segment
 * record by record and commits batches: the batch's records, items and events
 * together with the segment's counters, report and resume point, in one
 * transaction. A service that dies mid-job therefore loses nothing and
 * repeats nothing: the next claim continues each segment after its last
 * committed batch. A batch the database refuses is retried record by record,
 * so one bad record fails alone; two writers that deadlock over the same ISBN
 * or item retry their batch. */
#include "marc.h"
#include "marc_map.h"
#include "marc_reader.h"
#include "marc_store.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ibc/random.h>
#include <time.h>
#include <unistd.h>

#define BATCH_RECORDS 500
#define BATCH_BYTES (4L << 20) /* MARCXML per batch */
#define REPORT_CAP 1000        /* errors and warnings kept in the job row, each */
#define MAX_ATTEMPTS 3         /* claims of one job before it is failed */
#define MAX_WRITERS 8
#define SEGMENT_MIN (1L << 20) /* a file smaller than this is one segment */

static int writers = 2; /* IBC_IMPORT_WRITERS, else the CPUs (at most 4) */

/* One record of a batch. */
typedef struct {
    long position, offset, line, end_offset;
    json_t *flat;     /* the mapped record with its marcxml; NULL when it failed */
    json_t *holdings; /* [{barcode, inventory_number?}] */
    json_t *warnings; /* strings */
    int format;       /* 0 unread, 1 RUSMARC/UNIMARC, 2 MARC21 (by its content) */
    char reason[300]; /* why it failed */
} entry;

/* What every writer of a job shares (read-only while they run). */
typedef struct {
    char id[37], org[80], school[80];
    bool has_school;
    marc_format format;
    const char *format_name;
    marc_syntax syntax;
    marc_charset charset;
    const char *data;
    size_t len;
    const char *dsn;
} job;

/* One writer: a byte range of the file, its connection and its progress. */
typedef struct {
    const job *j;
    int seg;
    long start, end, before, read, next_offset;
    long errors_stored, warnings_stored;
    bool done;
    bool cancelled; /* stopped before a batch: someone cancelled the job */
    ibc_job *job;   /* the writer's own connection and context, in its thread */
    ibc_rc rc;
    char err_detail[300];
    long count;
    double t_db, t_all;
    pthread_t thread;
} segment;

static void entry_clear(entry *e)
{
    json_decref(e->flat);
    json_decref(e->holdings);
    json_decref(e->warnings);
    memset(e, 0, sizeof *e);
}

/* A time-ordered (version 7, RFC 9562) UUID in out[37]: 48 bits of Unix
 * milliseconds, then a per-process counter and random bits. A batch's records
 * then land at the right edge of every B-tree keyed by record id (records,
 * search_postings, items, record_holdings) instead of at random pages: about
 * 15 % less work per record insert, and far fewer full-page images in the WAL
 * after a checkpoint. The counter keeps the ids of one process mostly
 * increasing within a millisecond; 62 random bits keep them unique. */
static void new_uuid(char out[37])
{
    static _Atomic unsigned counter;
    unsigned char b[16];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long long ms =
        (unsigned long long)ts.tv_sec * 1000ULL + (unsigned long long)ts.tv_nsec / 1000000ULL;
    if (!ibc_random_bytes(b, sizeof b))
        for (size_t i = 0; i < sizeof b; i++)
            b[i] = (unsigned char)rand();
    for (int i = 0; i < 6; i++)
        b[i] = (unsigned char)(ms >> (40 - 8 * i));
    unsigned c = counter++ & 0xfff; /* 12 bits of rand_a */
    b[6] = (unsigned char)(0x70 | (c >> 8));
    b[7] = (unsigned char)(c & 0xff);
    b[8] = (b[8] & 0x3f) | 0x80;
    ibc_uuid_text(b, out);
}

/* A report entry {position, offset|line, reason}; new reference. */
static json_t *report(const entry *e, const char *reason)
{
    json_t *o = json_pack("{s:I, s:s}", "position", (json_int_t)e->position, "reason", reason);
    if (e->offset >= 0) json_object_set_new(o, "offset", json_integer(e->offset));
    if (e->line > 0) json_object_set_new(o, "line", json_integer(e->line));
    return o;
}

static char *dump(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* What a batch does to the catalog, decided before anything is written. */
typedef struct {
    json_t *records, *updates, *items, *outcomes, *sources; /* arrays for the store */
    char **targets;                                         /* record id per entry */
    long created, merged, unchanged, updated, by_isbn, by_control, by_key, by_marc, by_file;
    long without_barcode, holdings_ignored;
} plan_t;

static void plan_free(plan_t *p, size_t n)
{
    for (size_t i = 0; p->targets && i < n; i++)
        free(p->targets[i]);
    free(p->targets);
    json_decref(p->records);
    json_decref(p->updates);
    json_decref(p->items);
    json_decref(p->outcomes);
    json_decref(p->sources);
}

/* The fields the matching reads, per mapped entry; new reference. */
static json_t *match_input(const entry *e, size_t n)
{
    json_t *in = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!e[i].flat) continue;
        json_t *o = json_pack("{s:I}", "i", (json_int_t)i);
        static const char *const cols[] = {"isbn", "control_keys", "title",  "authors",
                                           "year", "publisher",    "marcxml"};
        for (size_t c = 0; c < sizeof cols / sizeof *cols; c++) {
            json_t *v = json_object_get(e[i].flat, cols[c]);
            if (v) json_object_set(o, cols[c], v);
        }
        json_array_append_new(in, o);
    }
    return in;
}

static void count_rule(plan_t *p, const char *rule)
{
    if (strcmp(rule, "isbn") == 0)
        p->by_isbn++;
    else if (strcmp(rule, "control_number") == 0)
        p->by_control++;
    else if (strcmp(rule, "key") == 0)
        p->by_key++;
    else if (strcmp(rule, "marc") == 0)
        p->by_marc++;
    else
        p->by_file++;
}

/* A record of this file seen earlier in the batch with the same ISBN, source
 * key or match key (fresh: {"isbn:..."|"src:..."|"key:...": id}), or NULL. */
static const char *fresh_owner(const json_t *fresh, const json_t *flat, const char *mk)
{
    char k[700];
    const char *isbn = json_string_value(json_object_get(flat, "isbn"));
    snprintf(k, sizeof k, "isbn:%s", isbn ? isbn : "");
    const char *id = isbn ? json_string_value(json_object_get(fresh, k)) : NULL;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(flat, "control_keys"), i, v)
    {
        if (id) break;
        snprintf(k, sizeof k, "src:%s", json_string_value(v));
        id = json_string_value(json_object_get(fresh, k));
    }
    if (!id && mk && !isbn) {
        snprintf(k, sizeof k, "key:%s", mk);
        id = json_string_value(json_object_get(fresh, k));
    }
    return id;
}

static void fresh_add(json_t *fresh, const json_t *flat, const char *mk, const char *id)
{
    char k[700];
    const char *isbn = json_string_value(json_object_get(flat, "isbn"));
    if (isbn) {
        snprintf(k, sizeof k, "isbn:%s", isbn);
        json_object_set_new(fresh, k, json_string(id));
    }
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(flat, "control_keys"), i, v)
    {
        snprintf(k, sizeof k, "src:%s", json_string_value(v));
        json_object_set_new(fresh, k, json_string(id));
    }
    if (mk) {
        snprintf(k, sizeof k, "key:%s", mk);
        json_object_set_new(fresh, k, json_string(id));
    }
}

/* The record's identities (control keys, and its MARC's md5) for record id;
 * `owns`: the record is this source's own version. */
static void plan_sources(plan_t *p, const entry *e, const char *id, bool owns, const char *md5)
{
    size_t k;
    json_t *v;
    json_array_foreach(json_object_get(e->flat, "control_keys"), k, v) json_array_append_new(
        p->sources, json_pack("{s:O, s:s, s:b}", "key", v, "record_id", id, "owner", owns));
    char mkey[40];
    snprintf(mkey, sizeof mkey, "marc:%s", md5 ? md5 : "");
    if (md5)
        json_array_append_new(
            p->sources, json_pack("{s:s, s:s, s:b}", "key", mkey, "record_id", id, "owner", owns));
}

/* The entry's holdings as items of record id when the job has a school. */
static void plan_items(plan_t *p, const job *j, const entry *e, const char *id)
{
    size_t nh = json_array_size(e->holdings);
    if (nh && !j->has_school) p->holdings_ignored++;
    if (!nh && j->has_school) p->without_barcode++;
    for (size_t h = 0; j->has_school && h < nh; h++) {
        json_t *it = json_copy(json_array_get(e->holdings, h));
        json_object_set_new(it, "record_id", json_string(id));
        json_object_set_new(it, "n", json_integer((json_int_t)json_array_size(p->items)));
        char item_id[37];
        new_uuid(item_id); /* time-ordered too: items_pkey and (school, id) append */
        json_object_set_new(it, "id", json_string(item_id));
        json_array_append_new(p->items, it);
    }
}

/* Decides entry i against the catalog's answer: created, unchanged, updated
 * (a newer version of the record's own source) or merged (holdings only). */
static void decide(plan_t *p, const job *j, const entry *e, size_t i, const json_t *match,
                   json_t *fresh)
{
    char key[24], id[37];
    snprintf(key, sizeof key, "%zu", i);
    const json_t *hit = json_object_get(json_object_get(match, "hits"), key);
    const char *mk = json_string_value(json_object_get(json_object_get(match, "keys"), key));
    const char *owner = json_string_value(json_object_get(hit, "id"));
    const char *rule = json_string_value(json_object_get(hit, "rule"));
    const char *outcome = "merged";
    if (!owner && (owner = fresh_owner(fresh, e[i].flat, mk))) rule = "file";
    if (owner) {
        snprintf(id, sizeof id, "%s", owner);
        count_rule(p, rule);
        if (json_is_true(json_object_get(hit, "same"))) {
            outcome = "unchanged", p->unchanged++;
        } else if (json_is_true(json_object_get(hit, "own"))) {
            outcome = "updated", p->updated++;
            json_t *rec = json_copy(e[i].flat);
            json_object_set_new(rec, "id", json_string(id));
            json_array_append_new(p->updates, rec);
        } else {
            p->merged++;
        }
    } else {
        new_uuid(id);
        json_t *rec = json_copy(e[i].flat);
        json_object_set_new(rec, "id", json_string(id));
        json_array_append_new(p->records, rec);
        fresh_add(fresh, e[i].flat, mk, id);
        outcome = "created", rule = NULL;
        p->created++;
    }
    p->targets[i] = strdup(id);
    json_t *o = json_pack("{s:I, s:s, s:s}", "position", (json_int_t)e[i].position, "record_id", id,
                          "outcome", outcome);
    if (rule) json_object_set_new(o, "rule", json_string(rule));
    json_array_append_new(p->outcomes, o);
    bool owns = strcmp(outcome, "created") == 0 || strcmp(outcome, "updated") == 0;
    plan_sources(p, &e[i], id, owns,
                 json_string_value(json_object_get(json_object_get(match, "md5"), key)));
    plan_items(p, j, &e[i], id);
}

/* Runs store function f over the JSON of arr when arr is not empty. */
static ibc_rc store_array(ibc_ctx *ctx, const json_t *arr,
                          ibc_rc (*f)(ibc_ctx *, const char *, void *), void *arg)
{
    if (json_array_size(arr) == 0) return IBC_OK;
    char *text = dump(arr);
    ibc_rc rc = text ? f(ctx, text, arg) : ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    free(text);
    return rc;
}

static ibc_rc put_records(ibc_ctx *ctx, const char *text, void *job_id)
{
    return store_import_records(ctx, text, job_id);
}
static ibc_rc put_updates(ibc_ctx *ctx, const char *text, void *unused)
{
    (void)unused;
    return store_import_updates(ctx, text);
}
static ibc_rc put_sources(ibc_ctx *ctx, const char *text, void *unused)
{
    (void)unused;
    return store_import_sources(ctx, text);
}
typedef struct {
    const char *school;
    json_t **created;
} items_arg;
static ibc_rc put_items(ibc_ctx *ctx, const char *text, void *arg)
{
    const items_arg *a = arg;
    return store_import_items(ctx, text, a->school, a->created);
}
static ibc_rc put_outcomes(ibc_ctx *ctx, const char *text, void *job_id)
{
    return store_import_outcomes(ctx, job_id, text);
}

/* Matches the batch and writes what it decided: records, updates, sources,
 * items and outcomes. */
static ibc_rc write_batch(segment *sg, entry *e, size_t n, plan_t *p, json_t **created_barcodes)
{
    const job *j = sg->j;
    ibc_ctx *ctx = ibc_job_ctx(sg->job);
    json_t *in = match_input(e, n), *match = NULL, *fresh = json_object();
    ibc_rc rc = IBC_OK;
    if (json_array_size(in) > 0) {
        char *text = dump(in);
        rc = text ? store_import_match(ctx, text, &match)
                  : ibc_fail(ctx, IBC_ENOMEM, "out of memory");
        free(text);
    }
    for (size_t i = 0; rc == IBC_OK && i < n; i++)
        if (e[i].flat) decide(p, j, e, i, match, fresh);
    json_decref(in);
    json_decref(match);
    json_decref(fresh);
    items_arg ia = {j->school, created_barcodes};
    if (rc == IBC_OK) rc = store_array(ctx, p->records, put_records, (void *)j->id);
    if (rc == IBC_OK) rc = store_array(ctx, p->updates, put_updates, NULL);
    if (rc == IBC_OK) rc = store_array(ctx, p->sources, put_sources, NULL);
    if (rc == IBC_OK) rc = store_array(ctx, p->items, put_items, &ia);
    if (rc == IBC_OK) rc = store_array(ctx, p->outcomes, put_outcomes, (void *)j->id);
    return rc;
}

/* The report of a batch: failed records, and what was not done for the
 * others (items not created); counts failures and warnings. */
static void batch_report(segment *sg, entry *e, size_t n, json_t *created_barcodes, json_t *errors,
                         json_t *warnings, long *failed, long *nwarnings)
{
    const job *j = sg->j;
    for (size_t i = 0; i < n; i++) {
        if (!e[i].flat) {
            (*failed)++;
            if (sg->errors_stored + (long)json_array_size(errors) < REPORT_CAP)
                json_array_append_new(errors, report(&e[i], e[i].reason));
            continue;
        }
        json_t *w = json_copy(e[i].warnings);
        for (size_t k = 0; j->has_school && k < json_array_size(e[i].holdings); k++) {
            const json_t *h = json_array_get(e[i].holdings, k);
            const char *bc = json_string_value(json_object_get(h, "barcode"));
            const char *inv = json_string_value(json_object_get(h, "inventory_number"));
            json_t *made = json_object_get(created_barcodes, bc);
            char msg[300] = "";
            if (!made)
                snprintf(msg, sizeof msg,
                         "no item was created for barcode '%.64s': another item in the network "
                         "has it",
                         bc);
            else if (inv && !json_is_string(made))
                snprintf(msg, sizeof msg,
                         "the item with barcode '%.64s' was created without inventory number "
                         "'%.64s': another item of school %s has it",
                         bc, inv, j->school);
            if (made) json_object_del(created_barcodes, bc); /* one copy per barcode */
            if (msg[0]) json_array_append_new(w, json_string(msg));
        }
        for (size_t k = 0; k < json_array_size(w); k++) {
            (*nwarnings)++;
            if (sg->warnings_stored + (long)json_array_size(warnings) < REPORT_CAP)
                json_array_append_new(warnings,
                                      report(&e[i], json_string_value(json_array_get(w, k))));
        }
        json_decref(w);
    }
}

/* The counters a batch adds to its job's row; new reference. */
static json_t *batch_deltas(const plan_t *p, const entry *e, size_t n, long failed,
                            long items_created, long nwarnings, long next_offset)
{
    long rusmarc = 0, marc21 = 0;
    for (size_t i = 0; i < n; i++) {
        if (e[i].format == 1) rusmarc++;
        if (e[i].format == 2) marc21++;
    }
    return json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
        "s:I}",
        "read", (json_int_t)n, "created", (json_int_t)p->created, "merged", (json_int_t)p->merged,
        "failed", (json_int_t)failed, "items_created", (json_int_t)items_created, "without_barcode",
        (json_int_t)p->without_barcode, "holdings_ignored", (json_int_t)p->holdings_ignored,
        "warnings", (json_int_t)nwarnings, "next_offset", (json_int_t)next_offset, "unchanged",
        (json_int_t)p->unchanged, "updated", (json_int_t)p->updated, "rusmarc", (json_int_t)rusmarc,
        "marc21", (json_int_t)marc21, "isbn", (json_int_t)p->by_isbn, "control_number",
        (json_int_t)p->by_control, "key", (json_int_t)p->by_key, "marc", (json_int_t)p->by_marc,
        "file", (json_int_t)p->by_file);
}

/* Inside the batch's transaction: writes what plan p decides for e[0..n),
 * then the segment's counters, report (errors, warnings: filled here) and
 * resume point next_offset. */
static ibc_rc write_with_progress(segment *sg, entry *e, size_t n, long next_offset, plan_t *p,
                                  json_t *errors, json_t *warnings)
{
    ibc_ctx *ctx = ibc_job_ctx(sg->job);
    json_t *created_barcodes = NULL;
    long failed = 0, nwarnings = 0;
    ibc_rc rc = write_batch(sg, e, n, p, &created_barcodes);
    if (rc != IBC_OK) {
        json_decref(created_barcodes);
        return rc;
    }
    long items_created = (long)json_object_size(created_barcodes); /* the report takes them */
    batch_report(sg, e, n, created_barcodes, errors, warnings, &failed, &nwarnings);
    json_t *deltas = batch_deltas(p, e, n, failed, items_created, nwarnings, next_offset);
    char *d = dump(deltas), *er = dump(errors), *wa = dump(warnings);
    rc = d && er && wa ? store_import_progress(ctx, sg->j->id, sg->seg, sg->read, d, er, wa)
                       : ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    free(d);
    free(er);
    free(wa);
    json_decref(deltas);
    json_decref(created_barcodes);
    return rc;
}

/* Commits entries e[0..n) and the job's progress up to next_offset in one
 * transaction. Nothing of it stays when it fails. */
static ibc_rc commit_batch(segment *sg, entry *e, size_t n, long next_offset)
{
    ibc_ctx *ctx = ibc_job_ctx(sg->job);
    ibc_rc rc;
    plan_t p = {.records = json_array(),
                .updates = json_array(),
                .items = json_array(),
                .outcomes = json_array(),
                .sources = json_array(),
                .targets = calloc(n, sizeof(char *))};
    json_t *errors = json_array(), *warnings = json_array();
    if (!p.targets) {
        rc = ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    } else if ((rc = ibc_tx_begin(ctx, NULL)) == IBC_OK) {
        rc = write_with_progress(sg, e, n, next_offset, &p, errors, warnings);
        if (rc == IBC_OK)
            rc = ibc_tx_commit(ctx);
        else
            ibc_tx_rollback(ctx);
    }
    if (rc == IBC_OK) {
        sg->read += (long)n;
        sg->errors_stored += (long)json_array_size(errors);
        sg->warnings_stored += (long)json_array_size(warnings);
    }
    plan_free(&p, n);
    json_decref(errors);
    json_decref(warnings);
    return rc;
}

/* Commits a batch; a deadlock with another writer retries it; when the
 * database refuses it, each record on its own, and a record it still refuses
 * as failed with the database's reason. Returns an error only when the
 * database is gone (the job then resumes later). */
static ibc_rc commit(segment *sg, entry *e, size_t n, long next_offset)
{
    ibc_ctx *ctx = ibc_job_ctx(sg->job);
    ibc_rc rc = commit_batch(sg, e, n, next_offset);
    for (int retry = 0; rc == IBC_ERETRY && retry < 5; retry++) {
        struct timespec ts = {0, (retry + 1) * 20000000L};
        nanosleep(&ts, NULL);
        rc = commit_batch(sg, e, n, next_offset);
    }
    /* gone, or another writer has the segment (its job was claimed again) */
    if (rc == IBC_OK || rc == IBC_EPRECOND || PQstatus(ctx->db) != CONNECTION_OK) return rc;
    ibc_log(IBC_LOG_WARN, sg->j->id, "import batch refused (%s); retrying record by record",
            ctx->err_detail);
    for (size_t i = 0; i < n; i++) {
        rc = n > 1 ? commit_batch(sg, &e[i], 1, e[i].end_offset) : rc;
        if (rc == IBC_ERETRY) rc = commit_batch(sg, &e[i], 1, e[i].end_offset);
        if (rc == IBC_OK) continue;
        if (rc == IBC_EPRECOND || PQstatus(ctx->db) != CONNECTION_OK) return rc;
        char why[300];
        snprintf(why, sizeof why, "the database refused the record: %.250s", ctx->err_detail);
        json_decref(e[i].flat);
        e[i].flat = NULL;
        snprintf(e[i].reason, sizeof e[i].reason, "%s", why);
        rc = commit_batch(sg, &e[i], 1, e[i].end_offset);
        if (rc != IBC_OK) return rc;
    }
    return IBC_OK;
}

ibc_rc marc_import_completed(ibc_ctx *ctx, const json_t *row)
{
    const char *id = json_string_value(json_object_get(row, "id"));
    json_t *data = json_pack(
        "{s:s, s:O?, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "id", id, "school",
        json_object_get(row, "school"), "format", json_object_get(row, "format"), "status",
        json_object_get(row, "status"), "read", json_object_get(row, "read"), "created",
        json_object_get(row, "created"), "merged", json_object_get(row, "merged"), "failed",
        json_object_get(row, "failed"), "items_created", json_object_get(row, "items_created"));
    if (!id || !data) {
        json_decref(data);
        return ibc_fail(ctx, IBC_EINTERNAL, "the import's row lacks its counters");
    }
    return ibc_emit(ctx, "import", "completed", id, data);
}

/* Finishes the job (error NULL: done, or cancelled) and emits
 * import.completed. */
static ibc_rc finish(ibc_ctx *ctx, const job *j, const char *error, bool cancelled)
{
    json_t *row = NULL;
    ibc_rc rc = ibc_tx_begin(ctx, NULL);
    if (rc == IBC_OK) rc = store_import_finish(ctx, j->id, error, cancelled, &row);
    if (rc == IBC_OK) rc = marc_import_completed(ctx, row);
    if (rc == IBC_OK) rc = ibc_tx_commit(ctx);
    if (rc != IBC_OK) ibc_tx_rollback(ctx);
    if (rc == IBC_OK)
        ibc_log(IBC_LOG_INFO, j->id,
                "import %s %s: read %lld, created %lld, merged %lld, failed %lld", j->id,
                cancelled ? "cancelled"
                : error   ? "failed"
                          : "done",
                (long long)json_integer_value(json_object_get(row, "read")),
                (long long)json_integer_value(json_object_get(row, "created")),
                (long long)json_integer_value(json_object_get(row, "merged")),
                (long long)json_integer_value(json_object_get(row, "failed")));
    json_decref(row);
    return rc;
}

/* A writer: reads the rest of its segment and commits it batch by batch. */
/* Reads, detects and maps up to one batch (BATCH_RECORDS records or
 * BATCH_BYTES of MARCXML) into batch; *more turns false at the end of the
 * segment. Returns the number of entries filled. */
static size_t read_batch(const job *j, marc_reader *rd, marc_rec *rec, entry *batch, bool *more)
{
    size_t n = 0;
    long bytes = 0;
    while (n < BATCH_RECORDS && bytes < BATCH_BYTES && (*more = marc_reader_next(rd, rec))) {
        entry *e = &batch[n++];
        e->position = rec->position;
        e->offset = rec->offset;
        e->line = rec->line;
        e->end_offset = marc_reader_offset(rd);
        e->warnings = json_array();
        if (rec->reason[0]) {
            snprintf(e->reason, sizeof e->reason, "%s", rec->reason);
            continue;
        }
        marc_format f = marc_detect(rec->marc, j->format);
        e->format = f == MARC_RUSMARC ? 1 : 2;
        if (marc_map(rec->marc, f, &e->flat, &e->holdings, e->warnings, e->reason,
                     sizeof e->reason)) {
            /* valid UTF-8 by construction (the reader checked or converted it) */
            json_object_set_new(e->flat, "marcxml", json_string_nocheck(rec->marcxml));
            bytes += (long)strlen(rec->marcxml);
        }
    }
    return n;
}

static void *run_segment(void *arg)
{
    segment *sg = arg;
    const job *j = sg->j;
    double t0 = ibc_monotonic_s();
    sg->job = ibc_job_open("catalog", "imports.run", j->dsn, "catalog");
    marc_reader *rd = marc_reader_open(j->data, (size_t)sg->end, j->syntax, j->charset);
    entry *batch = calloc(BATCH_RECORDS, sizeof *batch);
    if (!sg->job || !rd || !batch) {
        sg->rc = sg->job ? IBC_ENOMEM : IBC_EDB;
        snprintf(sg->err_detail, sizeof sg->err_detail, "no connection or memory");
        goto done;
    }
    ibc_ctx *ctx = ibc_job_ctx(sg->job);
    ctx->request_id = j->id;
    ctx->org = j->org;
    marc_reader_seek(rd, sg->before + sg->read, sg->next_offset);
    marc_rec rec = {0};
    ibc_rc rc = IBC_OK;
    bool more = true;
    while (more && rc == IBC_OK) {
        /* a batch is committed whole or not at all: cancelling stops here */
        if ((rc = store_import_cancel_asked(ctx, j->id, &sg->cancelled)) != IBC_OK || sg->cancelled)
            break;
        size_t n = read_batch(j, rd, &rec, batch, &more);
        double t1 = ibc_monotonic_s();
        if (n > 0) rc = commit(sg, batch, n, marc_reader_offset(rd));
        sg->t_db += ibc_monotonic_s() - t1;
        sg->count += (long)n;
        for (size_t i = 0; i < n; i++)
            entry_clear(&batch[i]);
    }
    marc_rec_clear(&rec);
    if (rc == IBC_OK && !sg->cancelled) rc = store_segment_done(ctx, j->id, sg->seg);
    sg->rc = rc;
    snprintf(sg->err_detail, sizeof sg->err_detail, "%s", ctx->err_detail);
done:
    marc_reader_close(rd);
    free(batch);
    ibc_job_close(sg->job);
    sg->job = NULL;
    sg->t_all = ibc_monotonic_s() - t0;
    return NULL;
}

/* Splits the file into segments, once per job: ISO 2709 at record boundaries
 * (a small file is one segment), MARCXML as one. */
static ibc_rc plan(ibc_ctx *ctx, const job *j)
{
    long starts[MAX_WRITERS], before[MAX_WRITERS], records = -1;
    int n = 1;
    starts[0] = before[0] = 0;
    if (j->syntax == MARC_ISO2709)
        n = marc_iso2709_plan(j->data, j->len, j->len < (size_t)SEGMENT_MIN ? 1 : writers, starts,
                              before, &records);
    json_t *segs = json_array();
    for (int s = 0; s < n; s++)
        json_array_append_new(
            segs, json_pack("{s:i, s:I, s:I, s:I}", "seg", s, "start", (json_int_t)starts[s], "end",
                            (json_int_t)(s + 1 < n ? starts[s + 1] : (long)j->len), "before",
                            (json_int_t)before[s]));
    char *text = json_dumps(segs, JSON_COMPACT);
    json_decref(segs);
    ibc_rc rc = text ? store_import_plan(ctx, j->id, text, records)
                     : ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    free(text);
    return rc;
}

/* Runs the job's unfinished segments in parallel; IBC_OK when all are done
 * or, with *cancelled, when a writer stopped because the job was cancelled. */
static ibc_rc run_segments(ibc_ctx *ctx, const job *j, const json_t *segs, bool *cancelled)
{
    size_t n = json_array_size(segs);
    segment *sg = calloc(n, sizeof *sg);
    if (!sg) return ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    double t0 = ibc_monotonic_s();
    for (size_t i = 0; i < n; i++) {
        const json_t *s = json_array_get(segs, i);
        segment *g = &sg[i];
        g->j = j;
        g->seg = (int)json_integer_value(json_object_get(s, "seg"));
        g->start = (long)json_integer_value(json_object_get(s, "start"));
        g->end = (long)json_integer_value(json_object_get(s, "end"));
        g->before = (long)json_integer_value(json_object_get(s, "before"));
        g->read = (long)json_integer_value(json_object_get(s, "read"));
        g->next_offset = (long)json_integer_value(json_object_get(s, "next_offset"));
        g->errors_stored = (long)json_integer_value(json_object_get(s, "errors"));
        g->warnings_stored = (long)json_integer_value(json_object_get(s, "warnings"));
        g->done = json_is_true(json_object_get(s, "done"));
        if (!g->done && pthread_create(&g->thread, NULL, run_segment, g) != 0) {
            g->rc = IBC_EINTERNAL;
            snprintf(g->err_detail, sizeof g->err_detail, "no thread for the segment");
            g->done = true;
        }
    }
    ibc_rc rc = IBC_OK;
    long count = 0;
    double t_db = 0;
    for (size_t i = 0; i < n; i++) {
        if (!sg[i].done) pthread_join(sg[i].thread, NULL);
        count += sg[i].count;
        t_db += sg[i].t_db;
        *cancelled = *cancelled || sg[i].cancelled;
        if (sg[i].rc != IBC_OK && rc == IBC_OK) {
            rc = ibc_fail(ctx, sg[i].rc, "segment %d: %s", sg[i].seg, sg[i].err_detail);
        }
    }
    double dt = ibc_monotonic_s() - t0;
    ibc_log(IBC_LOG_INFO, j->id,
            "import %s: %zu writers read %ld records in %.2f s (%.0f a second; %.2f s of "
            "writer time in the database)",
            j->id, n, count, dt, dt > 0 ? count / dt : 0.0, t_db);
    free(sg);
    return rc;
}

static marc_charset charset_of(const char *s)
{
    return strcmp(s, "cp1251") == 0   ? MARC_CP1251
           : strcmp(s, "marc-8") == 0 ? MARC_MARC8
                                      : MARC_UTF8;
}

/* Runs one claimed job to its end (or until the database goes away). */
/* The job's organisation, school, format, syntax and charset from its row. */
static void job_from_row(job *j, const json_t *row)
{
    snprintf(j->org, sizeof j->org, "%s", json_string_value(json_object_get(row, "org")));
    const char *school = json_string_value(json_object_get(row, "school"));
    j->has_school = school != NULL;
    snprintf(j->school, sizeof j->school, "%s", school ? school : "");
    j->format_name = strcmp(json_string_value(json_object_get(row, "format")), "rusmarc") == 0
                         ? "rusmarc"
                         : "marc21";
    j->format = strcmp(j->format_name, "rusmarc") == 0 ? MARC_RUSMARC : MARC_MARC21;
    j->syntax = strcmp(json_string_value(json_object_get(row, "syntax")), "marcxml") == 0
                    ? MARC_XML
                    : MARC_ISO2709;
    j->charset = charset_of(json_string_value(json_object_get(row, "charset")));
}

static void run_job(ibc_ctx *ctx, const char *dsn, const char *id, bool count_attempt)
{
    job j = {.dsn = dsn};
    snprintf(j.id, sizeof j.id, "%s", id);
    ctx->request_id = j.id;
    json_t *row = NULL, *segs = NULL;
    PGresult *file = NULL;
    if (store_import_begin(ctx, id, &row) != IBC_OK) return; /* finished meanwhile */
    job_from_row(&j, row);
    ctx->org = j.org;
    long attempts = (long)json_integer_value(json_object_get(row, "attempts"));
    if (!count_attempt) attempts--;
    ibc_rc rc = store_import_segments(ctx, id, &segs);
    if (rc != IBC_OK) goto done;
    long read = 0;
    for (size_t i = 0; i < json_array_size(segs); i++)
        read += (long)json_integer_value(json_object_get(json_array_get(segs, i), "read"));
    if (attempts > MAX_ATTEMPTS) {
        char why[300];
        snprintf(why, sizeof why,
                 "the import was interrupted %d times, the last time after %ld records; it was "
                 "stopped there (the records read before are in the catalog)",
                 MAX_ATTEMPTS, read);
        finish(ctx, &j, why, false);
        goto done;
    }
    if (read > 0)
        ibc_log(IBC_LOG_INFO, j.id, "resuming import %s after %ld records (attempt %ld)", j.id,
                read, attempts);
    rc = store_import_file(ctx, id, &file, &j.data, &j.len);
    if (rc == IBC_ENOTFOUND) {
        finish(ctx, &j, "the uploaded file is gone; send it again", false);
        goto done;
    }
    if (rc == IBC_OK && json_array_size(segs) == 0) {
        rc = plan(ctx, &j);
        json_decref(segs);
        segs = NULL;
        if (rc == IBC_OK) rc = store_import_segments(ctx, id, &segs);
    }
    bool cancelled = false;
    if (rc == IBC_OK) rc = run_segments(ctx, &j, segs, &cancelled);
    if (rc == IBC_OK) rc = finish(ctx, &j, NULL, cancelled);
done:
    if (rc != IBC_OK)
        ibc_log(IBC_LOG_WARN, j.id, "import %s paused: %s; it resumes when the database is back",
                j.id, ctx->err_detail);
    PQclear(file);
    json_decref(segs);
    json_decref(row);
}

/* Runs every job that no other thread holds. */
static void run_pending(ibc_job *poller, const char *dsn)
{
    static char last_paused[37];
    ibc_ctx *ctx = ibc_job_ctx(poller);
    json_t *ids = NULL;
    if (store_import_pending(ctx, &ids) != IBC_OK) return;
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *id = json_string_value(v);
        bool got = false;
        if (!id || store_import_lock(ctx, id, &got) != IBC_OK || !got) continue;
        /* resuming after our own database outage is not a new attempt */
        bool count = strcmp(last_paused, id) != 0;
        run_job(ctx, dsn, id, count);
        ctx->request_id = NULL; /* they were the job's */
        ctx->org = "";
        if (PQstatus(ctx->db) == CONNECTION_OK) {
            store_import_unlock(ctx, id);
            last_paused[0] = 0;
        } else {
            snprintf(last_paused, sizeof last_paused, "%s", id);
            break;
        }
    }
    json_decref(ids);
}

/* Waits for a NOTIFY on the connection or for timeout_ms. */
static void wait_notify(PGconn *db, int timeout_ms)
{
    struct pollfd pfd = {.fd = PQsocket(db), .events = POLLIN};
    if (pfd.fd >= 0 && poll(&pfd, 1, timeout_ms) > 0) PQconsumeInput(db);
    PGnotify *n;
    while ((n = PQnotifies(db)))
        PQfreemem(n);
}

void marc_import_start(void *nc, const ibc_config *cfg)
{
    (void)nc;
    char *dsn = strdup(cfg->pg_dsn);
    const char *w = getenv("IBC_IMPORT_WRITERS");
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    writers = cpus < 1 ? 1 : cpus > 4 ? 4 : (int)cpus;
    if (w && atoi(w) >= 1) writers = atoi(w) > MAX_WRITERS ? MAX_WRITERS : atoi(w);
    marc_xml_init();
    ibc_job *poller = NULL;
    int backoff = 200;
    for (;;) {
        if (!poller || PQstatus(ibc_job_ctx(poller)->db) != CONNECTION_OK) {
            ibc_job_close(poller);
            poller = ibc_job_open("catalog", "imports.run", dsn, "catalog");
            if (!poller || !ibc_db_simple(ibc_job_ctx(poller)->db, "LISTEN catalog_imports")) {
                ibc_job_close(poller);
                poller = NULL;
                struct timespec ts = {backoff / 1000, (backoff % 1000) * 1000000L};
                nanosleep(&ts, NULL);
                backoff = backoff < 5000 ? backoff * 2 : 5000;
                continue;
            }
            backoff = 200;
        }
        run_pending(poller, dsn);
        wait_notify(ibc_job_ctx(poller)->db, 2000);
    }
}

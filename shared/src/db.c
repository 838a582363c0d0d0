/* PostgreSQL access: connections with a schema search path, statements
 * prepared once per connection, SQLSTATE to error mapping, and a small pool
 * for multi-threaded callers. A connection belongs to one thread at a time. */
#include "ibc/db.h"
#include "ibc/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void quiet_notice(void *arg, const char *message)
{
    (void)arg, (void)message; /* NOTICEs (e.g. "already exists, skipping") are not errors */
}

/* Logs why a connection failed without the DSN's password: libpq quotes
 * pieces of a DSN it cannot parse, so such a DSN is not quoted at all. */
static void log_connect_failure(const char *dsn, const char *why)
{
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(dsn, &perr);
    if (!opts) {
        PQfreemem(perr);
        ibc_log(IBC_LOG_ERROR, NULL, "database connect failed: IBC_PG_DSN cannot be parsed");
        return;
    }
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", why);
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (strcmp(o->keyword, "password") == 0) ibc_log_scrub(msg, o->val);
    PQconninfoFree(opts);
    msg[strcspn(msg, "\n")] = 0;
    ibc_log(IBC_LOG_WARN, NULL, "database connect failed: %s", msg);
}

/* Returns a new connection with search_path (and statement_timeout unless 0)
 * set, or NULL (logged). Both are connection options, so that PQreset() after
 * a server restart keeps them. */
PGconn *ibc_db_connect_timeout(const char *dsn, const char *schema, int statement_timeout_ms)
{
    char options[192];
    int n =
        snprintf(options, sizeof options, "-c search_path=%s,public", schema ? schema : "public");
    if (statement_timeout_ms > 0)
        snprintf(options + n, sizeof options - n, " -c statement_timeout=%d", statement_timeout_ms);
    const char *keys[] = {"dbname", "options", NULL};
    const char *vals[] = {dsn, options, NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(c) != CONNECTION_OK) {
        log_connect_failure(dsn, PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeProcessor(c, quiet_notice, NULL);
    return c;
}

PGconn *ibc_db_connect(const char *dsn, const char *schema)
{
    return ibc_db_connect_timeout(dsn, schema, 0);
}

/* The statement cache of this thread: which sql is prepared on which conn. */
typedef struct {
    const PGconn *conn;
    const char *sql;
    char name[16];
} stmt;
static _Thread_local stmt *stmts;
static _Thread_local size_t nstmts, capstmts;
static _Thread_local unsigned stmt_seq;

/* The cache goes with its thread: a connection is often closed by another
 * thread than the one that used it (a service's main thread closes what the
 * NATS callback threads prepared on), and the cache of a thread that ends
 * would otherwise be lost (found by scripts/ci-sanitize). */
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_key_make(void)
{
    pthread_key_create(&cache_key, free);
}

/* Sets this thread's cache array to m, also as the value freed at its exit. */
static void cache_set(stmt *m, size_t cap)
{
    pthread_once(&cache_once, cache_key_make);
    stmts = m;
    capstmts = cap;
    pthread_setspecific(cache_key, m);
}

static stmt *stmt_find(const PGconn *c, const char *sql)
{
    for (size_t i = 0; i < nstmts; i++)
        if (stmts[i].conn == c && stmts[i].sql == sql) return &stmts[i];
    return NULL;
}

/* Remembers that sql is prepared on c as name; NULL when out of memory (the
 * statement is then prepared again next time). */
static stmt *stmt_add(const PGconn *c, const char *sql, const char *name)
{
    if (nstmts == capstmts) {
        size_t cap = capstmts ? capstmts * 2 : 64;
        stmt *m = realloc(stmts, cap * sizeof *m);
        if (!m) return NULL;
        cache_set(m, cap);
    }
    stmt *s = &stmts[nstmts++];
    s->conn = c;
    s->sql = sql;
    snprintf(s->name, sizeof s->name, "%s", name);
    return s;
}

/* Forgets the statements prepared on c (after a reset they are gone). */
static void stmt_forget(const PGconn *c)
{
    size_t j = 0;
    for (size_t i = 0; i < nstmts; i++)
        if (stmts[i].conn != c) stmts[j++] = stmts[i];
    nstmts = j;
}

void ibc_db_close(PGconn *c)
{
    stmt_forget(c);
    if (nstmts == 0 && stmts) {
        free(stmts); /* the thread's cache is empty: give it back */
        cache_set(NULL, 0);
    }
    PQfinish(c);
}

/* Maps a failed result to an rc. */
ibc_rc ibc_db_rc(const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (!state) return IBC_EDB;
    if (strcmp(state, "23505") == 0 || strcmp(state, "23P01") == 0) return IBC_ECONFLICT;
    if (strcmp(state, "23503") == 0) return IBC_ECONFLICT;
    if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0) return IBC_EINVAL;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) return IBC_ERETRY;
    if (strcmp(state, "55P03") == 0) return IBC_ECONFLICT;
    if (strcmp(state, "57014") == 0) return IBC_ETIMEOUT;
    if (strcmp(state, "P0001") == 0) return IBC_EINVAL;
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57", 2) == 0 ||
        strncmp(state, "53", 2) == 0)
        return IBC_EDB;
    return IBC_EINTERNAL;
}

static void fail_from_result(ibc_ctx *ctx, PGresult *res)
{
    ibc_rc rc = res ? ibc_db_rc(res) : IBC_EDB;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg) msg = PQerrorMessage(ctx->db);
    if (rc == IBC_EINVAL || rc == IBC_ECONFLICT) {
        ibc_fail(ctx, rc, "%s", msg);
    } else {
        ibc_log(IBC_LOG_ERROR, ctx->request_id, "%s: database error: %s", ctx->action, msg);
        ibc_fail(ctx, rc, "the database could not complete the request");
    }
}

/* The connection (of this thread) whose transaction's BEGIN has not been
 * sent: it travels with the first statement, and a transaction that never
 * ran one costs nothing. */
static _Thread_local const PGconn *begin_pending;

void ibc_db_begin_deferred(PGconn *c)
{
    begin_pending = c;
}

bool ibc_db_begin_is_pending(const PGconn *c)
{
    return begin_pending == c;
}

ibc_rc ibc_db_begin(ibc_ctx *ctx)
{
    if (begin_pending != ctx->db) return IBC_OK;
    begin_pending = NULL;
    PGresult *r = PQexec(ctx->db, "BEGIN");
    ibc_rc rc = PQresultStatus(r) == PGRES_COMMAND_OK
                    ? IBC_OK
                    : ibc_fail(ctx, IBC_EDB, "the database is not available");
    PQclear(r);
    return rc;
}

#define PIPE_MAX 8

/* The commands a pipeline sent, in order: kind 'B'egin, 'P'repare or
 * 'E'xecute step, 'C'ommit; names[i] is step i's statement name. */
typedef struct {
    struct {
        char kind;
        int step;
    } cmd[2 + 2 * PIPE_MAX];
    char names[PIPE_MAX][16];
    int ncmd;
} pipe_plan;

/* Sends [BEGIN] steps[0..n) [COMMIT] and the sync, preparing unprepared
 * statements first; false when the connection would not take them. */
static bool pipe_send(PGconn *c, bool begin, int n, const ibc_db_step *steps, bool commit,
                      pipe_plan *p)
{
    bool sent = true;
    if (begin) {
        sent = PQsendQueryParams(c, "BEGIN", 0, NULL, NULL, NULL, NULL, 0);
        p->cmd[p->ncmd++].kind = 'B';
    }
    for (int i = 0; sent && i < n; i++) {
        const stmt *s = stmt_find(c, steps[i].sql);
        if (s) {
            snprintf(p->names[i], sizeof p->names[i], "%s", s->name);
        } else {
            snprintf(p->names[i], sizeof p->names[i], "ibc%u", ++stmt_seq);
            sent = PQsendPrepare(c, p->names[i], steps[i].sql, steps[i].nparams, NULL);
            p->cmd[p->ncmd].kind = 'P';
            p->cmd[p->ncmd++].step = i;
        }
        if (sent)
            sent = PQsendQueryPrepared(c, p->names[i], steps[i].nparams, steps[i].params, NULL,
                                       NULL, 0);
        p->cmd[p->ncmd].kind = 'E';
        p->cmd[p->ncmd++].step = i;
    }
    if (sent && commit) {
        sent = PQsendQueryParams(c, "COMMIT", 0, NULL, NULL, NULL, NULL, 0);
        p->cmd[p->ncmd++].kind = 'C';
    }
    if (sent) sent = PQpipelineSync(c);
    return sent;
}

/* Reads the results of p's commands and the sync; rc is the outcome so far
 * and the first failure is kept. */
static ibc_rc pipe_read(ibc_ctx *ctx, PGconn *c, const pipe_plan *p, const ibc_db_step *steps,
                        PGresult **res, ibc_rc rc)
{
    for (int k = 0; k < p->ncmd; k++) {
        PGresult *r = PQgetResult(c);
        if (!r) {
            if (rc == IBC_OK) rc = ibc_fail(ctx, IBC_EDB, "the database is not available");
            break;
        }
        ExecStatusType st = PQresultStatus(r);
        bool good = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
        char kind = p->cmd[k].kind;
        if (good && kind == 'C' && strcmp(PQcmdStatus(r), "COMMIT") != 0 && rc == IBC_OK) {
            /* COMMIT of a transaction an earlier statement had failed: PostgreSQL
             * rolls back and says so only in the command tag */
            rc = ibc_fail(ctx, IBC_EDB, "the change could not be committed");
            ibc_log(IBC_LOG_ERROR, ctx->request_id, "%s: COMMIT rolled back a failed transaction",
                    ctx->action);
        }
        if (good && kind == 'P') stmt_add(c, steps[p->cmd[k].step].sql, p->names[p->cmd[k].step]);
        if (good && kind == 'E') {
            res[p->cmd[k].step] = r;
            r = NULL;
        } else if (!good && st != PGRES_PIPELINE_ABORTED && rc == IBC_OK) {
            fail_from_result(ctx, r);
            rc = ctx->err;
        }
        PQclear(r);
        while ((r = PQgetResult(c))) /* the end of this command's results */
            PQclear(r);
    }
    if (p->ncmd > 0) {
        PGresult *r = PQgetResult(c); /* PGRES_PIPELINE_SYNC */
        PQclear(r);
    }
    return rc;
}

/* Runs [the pending BEGIN] steps[0..n) [COMMIT] in one round trip (libpq's
 * pipeline mode), preparing a step's statement first when this connection
 * has not. res[i] gets step i's result when it succeeded (the caller clears
 * it), else NULL. Returns IBC_OK, or the first failure with ctx failed; after
 * a failure inside a transaction the caller rolls back. */
static ibc_rc pipeline(ibc_ctx *ctx, int n, const ibc_db_step *steps, PGresult **res, bool commit)
{
    PGconn *c = ctx->db;
    bool begin = begin_pending == c;
    begin_pending = NULL;
    if (n > PIPE_MAX) return ibc_fail(ctx, IBC_EINTERNAL, "too many statements in one pipeline");
    for (int i = 0; i < n; i++)
        res[i] = NULL;
    pipe_plan plan;
    plan.ncmd = 0;
    if (!PQenterPipelineMode(c)) return ibc_fail(ctx, IBC_EDB, "the database is not available");
    ibc_rc rc = IBC_OK;
    if (!pipe_send(c, begin, n, steps, commit, &plan)) {
        rc = ibc_fail(ctx, IBC_EDB, "the database is not available");
        plan.ncmd = 0; /* a broken connection: nothing to read; the runtime resets it */
    }
    rc = pipe_read(ctx, c, &plan, steps, res, rc);
    PQexitPipelineMode(c);
    if (rc != IBC_OK)
        for (int i = 0; i < n; i++) {
            PQclear(res[i]);
            res[i] = NULL;
        }
    return rc;
}

ibc_rc ibc_db_commit(ibc_ctx *ctx, int n, const ibc_db_step *steps)
{
    if (n == 0 && begin_pending == ctx->db) {
        begin_pending = NULL; /* no statement ran: there is nothing to commit */
        return IBC_OK;
    }
    PGresult *res[PIPE_MAX];
    ibc_rc rc = pipeline(ctx, n, steps, res, true);
    for (int i = 0; i < n && rc == IBC_OK; i++)
        PQclear(res[i]);
    return rc;
}

/* Runs sql prepared on this connection; NULL with ctx failed on error. */
PGresult *ibc_db_exec(ibc_ctx *ctx, const char *sql, int nparams, const char *const *params)
{
    if (begin_pending == ctx->db) {
        ibc_db_step step = {sql, nparams, params};
        PGresult *r = NULL;
        return pipeline(ctx, 1, &step, &r, false) == IBC_OK ? r : NULL;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        const stmt *s = stmt_find(ctx->db, sql);
        char name[16];
        if (s) {
            snprintf(name, sizeof name, "%s", s->name);
        } else {
            snprintf(name, sizeof name, "ibc%u", ++stmt_seq);
            PGresult *p = PQprepare(ctx->db, name, sql, nparams, NULL);
            if (PQresultStatus(p) != PGRES_COMMAND_OK) {
                fail_from_result(ctx, p);
                PQclear(p);
                return NULL;
            }
            PQclear(p);
            stmt_add(ctx->db, sql, name);
        }
        PGresult *r = PQexecPrepared(ctx->db, name, nparams, params, NULL, NULL, 0);
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        if (attempt == 0 && state && strcmp(state, "26000") == 0) {
            /* the server lost the statement (reconnected): prepare again */
            PQclear(r);
            stmt_forget(ctx->db);
            continue;
        }
        fail_from_result(ctx, r);
        PQclear(r);
        return NULL;
    }
    return NULL;
}

/* Takes r (may be NULL: the statement failed) and parses the JSON in row 0,
 * column 0 into *out (a new reference). Clears r. */
static ibc_rc json_of(ibc_ctx *ctx, PGresult *r, json_t **out)
{
    *out = NULL;
    if (!r) return ctx->err;
    ibc_rc rc = IBC_OK;
    if (PQntuples(r) == 0 || PQgetisnull(r, 0, 0)) {
        rc = IBC_ENOTFOUND;
    } else {
        json_error_t jerr;
        *out = json_loadb(PQgetvalue(r, 0, 0), PQgetlength(r, 0, 0), JSON_DECODE_ANY, &jerr);
        if (!*out) rc = ibc_fail(ctx, IBC_EINTERNAL, "database returned bad JSON: %s", jerr.text);
    }
    PQclear(r);
    return rc;
}

ibc_rc ibc_db_json(ibc_ctx *ctx, json_t **out, const char *sql, int nparams,
                   const char *const *params)
{
    return json_of(ctx, ibc_db_exec(ctx, sql, nparams, params), out);
}

ibc_rc ibc_db_json_with(ibc_ctx *ctx, json_t **out, const char *sql, const json_t *body, int nrest,
                        const char *const *rest)
{
    *out = NULL;
    if (nrest < 0 || nrest > 7) return ibc_fail(ctx, IBC_EINTERNAL, "too many parameters");
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    if (!text) return ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    const char *p[8] = {text};
    for (int i = 0; i < nrest; i++)
        p[i + 1] = rest[i];
    ibc_rc rc = ibc_db_json(ctx, out, sql, nrest + 1, p);
    free(text);
    return rc;
}

ibc_rc ibc_db_run(ibc_ctx *ctx, const char *sql, int nparams, const char *const *params)
{
    PGresult *r = ibc_db_exec(ctx, sql, nparams, params);
    if (!r) return ctx->err;
    PQclear(r);
    return IBC_OK;
}

PGresult *ibc_db_exec_planned(ibc_ctx *ctx, const char *sql, int nparams, const char *const *params)
{
    if (ibc_db_begin(ctx) != IBC_OK) return NULL;
    PGresult *r = PQexecParams(ctx->db, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) return r;
    fail_from_result(ctx, r);
    PQclear(r);
    return NULL;
}

ibc_rc ibc_db_json_planned(ibc_ctx *ctx, json_t **out, const char *sql, int nparams,
                           const char *const *params)
{
    return json_of(ctx, ibc_db_exec_planned(ctx, sql, nparams, params), out);
}

/* Resets a broken connection; forgets its statements. Returns true when live. */
bool ibc_db_ensure(PGconn *c)
{
    /* a connection the server closed looks fine until libpq reads the EOF:
     * read what is there (never blocks) so that a dead one is seen now */
    PQconsumeInput(c);
    if (PQstatus(c) == CONNECTION_OK) return true;
    stmt_forget(c);
    PQreset(c);
    return PQstatus(c) == CONNECTION_OK;
}

struct ibc_db_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    char *dsn, *schema;
    int size;
    PGconn **conns;
    bool *busy;
};

/* Creates a pool; connections are opened lazily. NULL on allocation failure. */
ibc_db_pool *ibc_db_pool_create(const char *dsn, const char *schema, int size)
{
    ibc_db_pool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    p->dsn = strdup(dsn);
    p->schema = schema ? strdup(schema) : NULL;
    p->size = size;
    p->conns = calloc(size, sizeof *p->conns);
    p->busy = calloc(size, sizeof *p->busy);
    return p;
}

/* Borrows a connection; NULL when the database is unreachable. */
PGconn *ibc_db_pool_get(ibc_db_pool *p)
{
    pthread_mutex_lock(&p->lock);
    int slot = -1;
    for (;;) {
        for (int i = 0; i < p->size; i++)
            if (!p->busy[i]) {
                slot = i;
                break;
            }
        if (slot >= 0) break;
        pthread_cond_wait(&p->freed, &p->lock);
    }
    p->busy[slot] = true;
    PGconn *c = p->conns[slot];
    pthread_mutex_unlock(&p->lock);

    if (c) PQconsumeInput(c); /* notices a connection the server has closed */
    if (c && PQstatus(c) != CONNECTION_OK) {
        /* statements are per thread; the pool's callers use plain PQexecParams */
        PQfinish(c);
        c = NULL;
    }
    if (!c) c = ibc_db_connect(p->dsn, p->schema);

    pthread_mutex_lock(&p->lock);
    p->conns[slot] = c;
    if (!c) {
        p->busy[slot] = false;
        pthread_cond_signal(&p->freed);
    }
    pthread_mutex_unlock(&p->lock);
    return c;
}

/* Returns conn to the pool. */
void ibc_db_pool_put(ibc_db_pool *p, PGconn *c)
{
    pthread_mutex_lock(&p->lock);
    for (int i = 0; i < p->size; i++)
        if (p->conns[i] == c && p->busy[i]) {
            p->busy[i] = false;
            break;
        }
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

void ibc_db_pool_destroy(ibc_db_pool *p)
{
    if (!p) return;
    for (int i = 0; i < p->size; i++)
        if (p->conns[i]) PQfinish(p->conns[i]);
    free(p->conns);
    free(p->busy);
    free(p->dsn);
    free(p->schema);
    free(p);
}

bool ibc_db_simple(PGconn *conn, const char *sql)
{
    PGresult *r = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(r);
    PQclear(r);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

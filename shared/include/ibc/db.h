/* PostgreSQL: parameterised statements prepared once per connection, the
 * deferred BEGIN and one-round-trip COMMIT of a write action, connections,
 * a pool for the gateway, and migrations. Failures are recorded in the ctx. */
#ifndef IBC_DB_H
#define IBC_DB_H

#include "context.h"

/* Runs a parameterised statement on ctx->db, prepared once per connection and
 * keyed by the address of `sql` (pass string literals). On failure maps the
 * SQLSTATE to an rc with a sentence in ctx and returns NULL. Caller PQclear()s. */
PGresult *ibc_db_exec(ibc_ctx *ctx, const char *sql, int nparams, const char *const *params);
/* Runs a statement whose first column of the first row is JSON; *out gets a new
 * reference. IBC_ENOTFOUND when it returns no row or SQL NULL. */
ibc_rc ibc_db_json(ibc_ctx *ctx, json_t **out, const char *sql, int nparams,
                   const char *const *params);
/* ibc_db_json with the JSON text of `body` as parameter $1 and rest[0..nrest)
 * (at most 7) as $2...: the common "jsonb_populate_record($1::jsonb)" write. */
ibc_rc ibc_db_json_with(ibc_ctx *ctx, json_t **out, const char *sql, const json_t *body, int nrest,
                        const char *const *rest);
/* Runs a statement for its effect only; IBC_OK or the mapped error. */
ibc_rc ibc_db_run(ibc_ctx *ctx, const char *sql, int nparams, const char *const *params);
/* The same two, run unprepared (PQexecParams), so that PostgreSQL plans the
 * statement for the actual values each time: for statements with optional
 * filters written "$n IS NULL OR ...", which a generic prepared plan cannot
 * prune. */
PGresult *ibc_db_exec_planned(ibc_ctx *ctx, const char *sql, int nparams,
                              const char *const *params);
ibc_rc ibc_db_json_planned(ibc_ctx *ctx, json_t **out, const char *sql, int nparams,
                           const char *const *params);
/* A write action's transaction: the runtime defers its BEGIN, which then
 * travels with the first statement run through ibc_db_* (one round trip less),
 * and sends its events, its Idempotency-Key reply and COMMIT in one round trip
 * (libpq's pipeline mode). Code that uses ctx->db with libpq directly in a
 * write action calls ibc_db_begin() first. */
typedef struct {
    const char *sql; /* prepared once per connection, keyed by this address */
    int nparams;
    const char *const *params;
} ibc_db_step;
void ibc_db_begin_deferred(PGconn *conn); /* NULL: none pending */
bool ibc_db_begin_is_pending(const PGconn *conn);
/* Sends the pending BEGIN of ctx->db now (no-op when none is pending). */
ibc_rc ibc_db_begin(ibc_ctx *ctx);
/* Runs steps[0..n) (at most 8) and COMMIT in one round trip, with the pending
 * BEGIN when no statement ran yet (and nothing at all when n is 0 too). On
 * failure the transaction is left for the caller to roll back. */
ibc_rc ibc_db_commit(ibc_ctx *ctx, int n, const ibc_db_step *steps);
/* Runs one statement without parameters (BEGIN, SET, LISTEN, ...) on conn: true
 * when it succeeded. For statements from the code, never from input. */
bool ibc_db_simple(PGconn *conn, const char *sql);
/* Maps a failed result's SQLSTATE to an rc (23505 → conflict, 22xxx → invalid, ...). */
ibc_rc ibc_db_rc(const PGresult *res);
/* Connects with the DSN, sets search_path to `schema`,public (schema may be NULL).
 * Returns NULL when the server cannot be reached. */
PGconn *ibc_db_connect(const char *dsn, const char *schema);
/* The same with the session's statement_timeout set (ms; 0 keeps the
 * server's default): for connections that serve requests. */
PGconn *ibc_db_connect_timeout(const char *dsn, const char *schema, int statement_timeout_ms);

/* A small pool of connections for a multi-threaded caller (the gateway). */
typedef struct ibc_db_pool ibc_db_pool;
ibc_db_pool *ibc_db_pool_create(const char *dsn, const char *schema, int size);
/* Borrows a live connection, waiting for one; NULL when the database is down. */
PGconn *ibc_db_pool_get(ibc_db_pool *pool);
/* Returns a borrowed connection to the pool. */
void ibc_db_pool_put(ibc_db_pool *pool, PGconn *conn);
void ibc_db_pool_destroy(ibc_db_pool *pool);
/* Closes a connection of this thread and forgets its prepared statements
 * (call it in the thread that used it, e.g. before a worker thread ends). */
void ibc_db_close(PGconn *conn);
/* Resets a broken connection; true when it is live again. */
bool ibc_db_ensure(PGconn *conn);

#endif

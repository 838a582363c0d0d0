/* What every ibcnet process (the services, the gateway, ibc-migrate) does
 * when it starts: take the stop signals for sigwait, wait for PostgreSQL. */
#ifndef IBC_PROCESS_H
#define IBC_PROCESS_H

#include <libpq-fe.h>
#include <signal.h>

/* Blocks SIGINT and SIGTERM in this thread and the threads it starts, so
 * that only sigwait(stop) takes them, and ignores SIGPIPE. Call it before
 * starting any thread. Cannot fail. */
void ibc_process_signals(sigset_t *stop);

/* A connection to dsn (no schema set), retried every half second for a
 * minute while the database may still be starting; NULL when it still does
 * not answer. Caller PQfinish()es it. */
PGconn *ibc_process_db_wait(const char *dsn);

#endif

/* What every ibcnet process (the services, the gateway, ibc-migrate) does
 * when it starts: take the stop signals for sigwait, wait for PostgreSQL. */
#ifndef IBC_PROCESS_H
#define IBC_PROCESS_H

#include "config.h"

#include <libpq-fe.h>
#include <signal.h>

/* Blocks SIGINT and SIGTERM in this thread and the threads it starts, so
 * that only sigwait(stop) takes them, and ignores SIGPIPE. Call it before
 * starting any thread. Cannot fail. */
void ibc_process_signals(sigset_t *stop);

/* Sets glibc malloc's arena cap (cfg->malloc_arenas). Call it before
 * starting any thread. */
void ibc_process_memory(const ibc_config *cfg);

/* Waits for one of the stop signals and returns it; meanwhile, every
 * cfg->malloc_trim_s seconds, gives the heap that threads freed back to the
 * kernel (malloc_trim), so that a burst of load does not stay resident. */
int ibc_process_wait(const sigset_t *stop, const ibc_config *cfg);

/* A connection to dsn (no schema set), retried every half second for a
 * minute while the database may still be starting; NULL when it still does
 * not answer. Caller PQfinish()es it. */
PGconn *ibc_process_db_wait(const char *dsn);

#endif

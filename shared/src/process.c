/* The start of every ibcnet process: stop signals, waiting for PostgreSQL. */
#include "ibc/process.h"
#include "ibc/db.h"
#include "ibc/log.h"

#include <pthread.h>

#include <time.h>

void ibc_process_signals(sigset_t *stop)
{
    sigemptyset(stop);
    sigaddset(stop, SIGINT);
    sigaddset(stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, stop, NULL);
    signal(SIGPIPE, SIG_IGN);
}

PGconn *ibc_process_db_wait(const char *dsn)
{
    PGconn *db = NULL;
    for (int i = 0; !(db = ibc_db_connect(dsn, NULL)); i++) {
        if (i == 120) return NULL;
        struct timespec ts = {0, 500000000L};
        nanosleep(&ts, NULL);
    }
    return db;
}

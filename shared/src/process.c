/* The start of every ibcnet process: stop signals, waiting for PostgreSQL. */
#include "ibc/process.h"
#include "ibc/db.h"
#include "ibc/log.h"

#include <errno.h>
#include <malloc.h>
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

void ibc_process_memory(const ibc_config *cfg)
{
    /* glibc gives each thread that meets a locked arena a new one, up to 8 a
     * core: a service's 8 workers, its consumers and nats.c's threads, or
     * the gateway's thread per connection, each kept freed chunks of its
     * own (2 arenas: 4.5 MB less RSS for the six processes after a load,
     * the same throughput) */
    if (cfg->malloc_arenas > 0) mallopt(M_ARENA_MAX, cfg->malloc_arenas);
}

int ibc_process_wait(const sigset_t *stop, const ibc_config *cfg)
{
    for (;;) {
        if (cfg->malloc_trim_s <= 0) {
            int sig = 0;
            sigwait(stop, &sig);
            return sig;
        }
        struct timespec ts = {cfg->malloc_trim_s, 0};
        int sig = sigtimedwait(stop, NULL, &ts);
        if (sig > 0) return sig;
        if (errno == EAGAIN) malloc_trim(0);
    }
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

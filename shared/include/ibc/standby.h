/* Reads from a hot standby: a worker's own connection to the standby, and the
 * check that says whether it may answer a read now, which is when it is
 * reachable and has replayed everything the primary had written at most
 * IBC_READ_MAX_STALENESS_MS ago. docs/scaling.md, "PostgreSQL standby". */
#ifndef IBC_STANDBY_H
#define IBC_STANDBY_H

#include "db.h"

typedef struct ibc_standby ibc_standby;

/* A worker's standby, connected lazily to dsn (search_path the service's
 * schema, the workers' statement_timeout); service also labels the metrics. NULL when out of
 * memory. Belongs to one thread, as its connection does. */
ibc_standby *ibc_standby_create(const char *dsn, const char *service, int statement_timeout_ms,
                                int max_staleness_ms);
/* The connection to run a read on now, or NULL: then the primary answers
 * (counted with the reason). primary is the worker's own connection, idle,
 * asked for its WAL position at most every 500 ms, as the standby is for its
 * replay position; what these checks learn is shared by every ibc_standby of
 * the process (all of them must name the same standby). *staleness_ms gets
 * how old the standby's data may be at most. Borrowed: owned by sb. */
PGconn *ibc_standby_pick(ibc_standby *sb, PGconn *primary, long long *staleness_ms);
/* The picked connection answered the read: counted. */
void ibc_standby_served(ibc_standby *sb);
/* A read on the picked connection failed for the database's sake (connection
 * lost, a conflict with replay): not used again until the next check. */
void ibc_standby_failed(ibc_standby *sb);
/* Closes the connection (in the thread that used it) and frees sb. */
void ibc_standby_destroy(ibc_standby *sb);

/* The replay check's arithmetic, pure for the unit tests: given the primary's
 * WAL positions lsn[i] sampled at times t[i] (oldest first, n of them) and the
 * standby's replay position, the time of the newest sample it has replayed,
 * or -1 when it has replayed none. */
double ibc_standby_fresh_at(const unsigned long long *lsn, const double *t, int n,
                            unsigned long long replayed);
/* Parses "16/B374D848" into a number; false when malformed. */
bool ibc_standby_parse_lsn(const char *text, unsigned long long *out);

#endif

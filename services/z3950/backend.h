/* The frontend server's handlers of ibc-z3950 (backend.c) and its SRU
 * explain record (main.c). */
#ifndef Z3950_BACKEND_H
#define Z3950_BACKEND_H

#include <ibc/ibc.h>
#include <yaz/backend.h>

bend_initresult *z3950_init(bend_initrequest *q);
void z3950_close(void *handle);
/* Hits counted exactly before a lone word's or prefix's count is estimated
 * (IBC_Z3950_EXACT_HITS); set once, before the server starts. */
void z3950_set_exact_hits(long n);
/* The ZeeRex explain record (static storage). */
const char *z3950_explain_record(void);

#endif

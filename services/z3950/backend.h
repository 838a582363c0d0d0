/* The frontend server's handlers of ibc-z3950 (backend.c) and its SRU
 * explain record (main.c). */
#ifndef Z3950_BACKEND_H
#define Z3950_BACKEND_H

#include <ibc/ibc.h>
#include <yaz/backend.h>

bend_initresult *z3950_init(bend_initrequest *q);
void z3950_close(void *handle);
/* The ZeeRex explain record (static storage). */
const char *z3950_explain_record(void);

#endif

/* The small HTTP listener of each service: /metrics, /healthz, /readyz. */
#ifndef IBC_ADMIN_HTTP_H
#define IBC_ADMIN_HTTP_H

#include <stdbool.h>

typedef bool (*ibc_ready_fn)(void *arg);

/* Starts the listener on bind:port (IPv4); ready() decides /readyz.
 * Returns 0, or -1 when the address cannot be bound. port 0 starts nothing. */
int ibc_admin_http_start(const char *bind, int port, ibc_ready_fn ready, void *arg);
void ibc_admin_http_stop(void);

#endif

/* The small HTTP listener of each service: /metrics, /healthz, /readyz. */
#ifndef IBC_ADMIN_HTTP_H
#define IBC_ADMIN_HTTP_H

#include <stdbool.h>

typedef bool (*ibc_ready_fn)(void *arg);

/* Starts the listener on 127.0.0.1-or-all:port; ready() decides /readyz. */
int ibc_admin_http_start(int port, ibc_ready_fn ready, void *arg);
void ibc_admin_http_stop(void);

#endif

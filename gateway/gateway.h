/* The gateway process state shared by its files. */
#ifndef GW_GATEWAY_H
#define GW_GATEWAY_H

#include "auth.h"
#include "routes.h"
#include <ibc/bus.h>

typedef struct {
    ibc_config cfg;
    natsConnection *nc;
    ibc_db_pool *pool;
    long max_body_any; /* largest body any route accepts */
} gw_state;

extern gw_state gw;

struct _u_request;
struct _u_response;
/* The ulfius callback for every /api/v1 request. */
int gw_api_callback(const struct _u_request *req, struct _u_response *resp, void *data);

#endif

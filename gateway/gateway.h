/* The gateway process state shared by its files, and the two steps of an
 * API request: admission (before any body is read) and the rest. */
#ifndef GW_GATEWAY_H
#define GW_GATEWAY_H

#include "auth.h"
#include "limits.h"
#include "routes.h"
#include <ibc/bus.h>
#include <ibc/ibc.h>
#include <ibc/migrate.h>
#include <ibc/signing.h>

typedef struct {
    ibc_config cfg;
    gw_limits limits;
    natsConnection *nc;
    ibc_db_pool *pool;
    ibc_context_keys keys; /* signs the context of every request to a service */
} gw_state;

extern gw_state gw;

struct _u_request;
struct _u_response;

/* What admission learnt about a request: its id, route, caller and limits. */
typedef struct {
    char rid[65];
    const gw_route *route;
    json_t *params; /* path parameters; owned */
    gw_principal who;
    long max_body; /* the route's body limit in bytes */
    double t0;
} gw_admission;

/* Step one, from the request line and headers only: request id, route,
 * key, role, rate limit and the Content-Length against the route's limit.
 * Returns true when the request may send its body; false when resp holds the
 * refusal (already counted in the metrics). Fills adm either way; release
 * it with gw_admission_clear. */
bool gw_request_admit(const struct _u_request *req, struct _u_response *resp, gw_admission *adm);
/* Step two, with the body read (at most adm->max_body bytes): parameters,
 * body checks, the call to the service, the reply into resp, the metrics. */
void gw_request_finish(const struct _u_request *req, struct _u_response *resp, gw_admission *adm);
/* Answers 413 for a body that grew past adm->max_body while read (chunked). */
void gw_request_too_big(const struct _u_request *req, struct _u_response *resp, gw_admission *adm);
void gw_admission_clear(gw_admission *adm);

#endif

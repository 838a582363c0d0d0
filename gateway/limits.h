/* What the gateway refuses under abuse, and when: connections per client
 * address, header and idle timeouts, body limits, a token bucket per API key
 * with a rate and burst per role, and a cap on requests in flight to the
 * services. Settings come from the environment (see README). */
#ifndef GW_LIMITS_H
#define GW_LIMITS_H

#include <ibc/ibc.h>
#include <stdbool.h>
#include <sys/socket.h>

#define GW_NROLES 6 /* admin, methodologist, librarian, portal, integrator, anonymous */

typedef struct {
    int per_address;      /* IBC_MAX_CONNECTIONS_PER_IP: open connections per client address */
    int header_timeout_s; /* IBC_HEADER_TIMEOUT_S: idle while waiting for a request's headers */
    int idle_timeout_s;   /* IBC_IDLE_TIMEOUT_S: idle while a body or reply is under way */
    long import_body;     /* IBC_MAX_IMPORT_BODY: body limit of GW_BODY_IMPORT routes */
    int in_flight;        /* IBC_MAX_IN_FLIGHT: requests waiting on the services at most */
    int rate[GW_NROLES];  /* IBC_RATE_<ROLE>: requests per second per key (per client
                           * address for ANONYMOUS); 0 is no limit */
    int burst[GW_NROLES]; /* IBC_BURST_<ROLE>: bucket size; default twice the rate */
} gw_limits;

/* Fills l from the environment (get NULL: getenv) with the documented
 * defaults. IBC_EINVAL and a sentence in err for a bad value. */
ibc_rc gw_limits_load(gw_limits *l, ibc_getenv_fn get, char *err, size_t errlen);

/* Connections per client address. gw_address_may_connect() answers whether
 * one more is allowed (the accept policy); gw_address_opened/closed count
 * the connections that were accepted. Thread-safe. */
bool gw_address_may_connect(const struct sockaddr *addr, int limit);
void gw_address_opened(const struct sockaddr *addr);
void gw_address_closed(const struct sockaddr *addr);

/* The client address of a connection as text ("unknown" when there is none). */
void gw_address_text(const struct sockaddr *addr, char *out, size_t n);

/* Takes a token from the bucket of key_id (rate and burst of its role) at
 * time now (seconds, monotonic). true when the request may go on; false with
 * *retry_after_s (>= 1) when the bucket is empty. rate 0 always allows. */
bool gw_rate_take(const char *key_id, double rate, int burst, double now, int *retry_after_s);

/* The cap on requests in flight to the services: enter returns false when
 * `cap` are already waiting; every true enter is followed by one leave. */
bool gw_in_flight_enter(int cap);
void gw_in_flight_leave(void);

/* Counts one refusal in ibc_gateway_refusals_total{reason=...}. */
void gw_refusal(const char *reason);

#endif

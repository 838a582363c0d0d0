/* The NATS service API (protocol io.nats.micro.v1) for operators: every
 * replica answers $SRV.PING, $SRV.INFO and $SRV.STATS (bare, by service name,
 * and by name and instance id), so standard NATS tooling lists the replicas,
 * their endpoints, version and counters. nats.c 3.4 has no micro API; this is
 * the protocol written on plain subscriptions. Depends on NATS and jansson only. */
#ifndef IBC_DISCOVERY_H
#define IBC_DISCOVERY_H

#include <nats/nats.h>
#include <stddef.h>

typedef struct ibc_discovery ibc_discovery;

/* Subscribes the nine $SRV subjects of service `name` (replica `instance`)
 * whose endpoints are `endpoints[0..n)`, each served on `subject_prefix` +
 * name in queue group `queue`. Borrows the strings and the array for the
 * life of the result. Returns NULL when a subscription fails (logged). */
ibc_discovery *ibc_discovery_start(natsConnection *nc, const char *name, const char *version,
                                   const char *instance, const char *const *endpoints, size_t n,
                                   const char *subject_prefix, const char *queue);

/* Counts one request of endpoint `i` (out of range: not counted) that took
 * `seconds` and answered `status`; 5xx counts as an error. Lock-free. */
void ibc_discovery_count(ibc_discovery *d, size_t i, int status, double seconds);

/* Unsubscribes and frees; NULL is fine. */
void ibc_discovery_stop(ibc_discovery *d);

/* The instance id as the protocol wants it ([A-Za-z0-9_-]), into out. */
void ibc_discovery_id(const char *instance, char *out, size_t outlen);

#endif

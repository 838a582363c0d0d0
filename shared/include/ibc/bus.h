/* The NATS side of the runtime: connect with retry, reconnect forever,
 * the JetStream stream of events, private inbox subjects. */
#ifndef IBC_BUS_H
#define IBC_BUS_H

#include "config.h"
#include <nats/nats.h>

#define IBC_EVENTS_STREAM "IBC_EVENTS"

/* Connects to a server of cfg->nats_url (one URL, or a cluster's nodes
 * separated by commas, each with its credentials), retrying the first connect and reconnecting
 * forever. `name` is the client name shown by the server and names the
 * private inbox prefix _INBOX_<name> (the NATS user's, see deploy/nats.conf). */
ibc_rc ibc_bus_connect(natsConnection **nc, const ibc_config *cfg, const char *name);
/* Creates the IBC_EVENTS stream (subjects ibc.evt.>) when it is missing,
 * and keeps its max_age/max_bytes at cfg's (IBC_EVENTS_MAX_AGE_DAYS/_BYTES). */
ibc_rc ibc_bus_ensure_stream(natsConnection *nc, const ibc_config *cfg);

#define IBC_INBOX_PREFIX_MAX 80
/* Writes "_INBOX_<name>", the private inbox prefix of process `name`. */
void ibc_bus_inbox_prefix(char *out, size_t len, const char *name);
/* Writes a new unique inbox subject under that prefix. */
void ibc_bus_new_inbox(char *out, size_t len, const char *name);
#endif

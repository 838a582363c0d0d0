/* The NATS side of the runtime: connect with retry, reconnect forever,
 * JetStream stream for events, and the outbox relay. */
#ifndef IBC_BUS_H
#define IBC_BUS_H

#include "ibc.h"
#include <nats/nats.h>

#define IBC_EVENTS_STREAM "IBC_EVENTS"

/* Connects to cfg->nats_url, retrying the first connect and reconnecting
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
/* Starts the relay thread that publishes `schema`.outbox rows to JetStream. */
ibc_rc ibc_outbox_relay_start(natsConnection *nc, const ibc_config *cfg, const char *schema);
/* Stops the relay thread and waits for it. */
void ibc_outbox_relay_stop(void);
/* The statement that writes ctx->deferred_events (in one INSERT): false when
 * there are none. *text (free it after the step ran) backs param[0]. */
bool ibc_outbox_deferred_step(ibc_ctx *ctx, char **text, const char **param, ibc_db_step *step);

/* Starts one durable pull consumer thread per subscription (consumer.c). */
ibc_rc ibc_consumers_start(natsConnection *nc, const ibc_config *cfg, const char *service,
                           const ibc_event_sub *subs, size_t n);
/* Stops the consumer threads and waits for them (up to one fetch timeout). */
void ibc_consumers_stop(void);

#endif

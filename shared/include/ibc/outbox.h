/* The transactional outbox: a handler's events are rows written in its
 * transaction; a relay thread publishes them to JetStream after COMMIT. */
#ifndef IBC_OUTBOX_H
#define IBC_OUTBOX_H

#include "config.h"
#include "db.h"

#include <nats/nats.h>

/* Writes an event to the outbox inside the handler's transaction. The relay
 * publishes it as a CloudEvent on ibc.evt.<service>.<entity>.<verb>.
 * Steals `data`. Fails with IBC_EDB. */
ibc_rc ibc_emit(ibc_ctx *ctx, const char *entity, const char *verb, const char *subject_id,
                json_t *data);
/* Call after a COMMIT: when this thread wrote events since its last call, wakes
 * this process's outbox relay, which then publishes them at once (without it,
 * the relay finds them within half a second). The runtime calls it for actions
 * and consumers; code that commits on its own (an import job) calls it too. */
void ibc_outbox_committed(void);

/* Starts the relay thread that publishes `schema`.outbox rows to JetStream. */
ibc_rc ibc_outbox_relay_start(natsConnection *nc, const ibc_config *cfg, const char *schema);
/* Stops the relay thread and waits for it. */
void ibc_outbox_relay_stop(void);
/* The statement that writes ctx->deferred_events (in one INSERT): false when
 * there are none. *text (free it after the step ran) backs param[0]. */
bool ibc_outbox_deferred_step(ibc_ctx *ctx, char **text, const char **param, ibc_db_step *step);

#endif

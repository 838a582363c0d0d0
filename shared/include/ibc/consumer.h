/* Events in: durable JetStream pull consumers that apply each event of the
 * stream once, in a transaction, recorded in the service's inbox. */
#ifndef IBC_CONSUMER_H
#define IBC_CONSUMER_H

#include "config.h"
#include "context.h"

#include <nats/nats.h>

/* Handles one event of the stream inside a transaction on ctx->db. The runtime
 * records the event id in the service's `inbox` table in that transaction and
 * skips an id it has seen, so a redelivered or duplicated event changes
 * nothing. ctx->org and ctx->role are "" (no caller). Return IBC_OK to commit
 * and acknowledge; an error rolls back and the event is delivered again later
 * (IBC_EINVAL: the event is malformed, logged, acknowledged and skipped). */
typedef ibc_rc (*ibc_event_handler)(ibc_ctx *ctx, const char *subject, const json_t *event);
/* Handles the new events of one delivered batch at once, in stream order, in
 * the batch's transaction: one statement for many events instead of one per
 * event. On any error the runtime redoes the batch one event per transaction
 * (calling this with n == 1), so that only the bad event is skipped
 * (IBC_EINVAL) or retried. */
typedef ibc_rc (*ibc_event_batch_handler)(ibc_ctx *ctx, size_t n, const char *const *subjects,
                                          const json_t *const *events);

typedef struct {
    const char *subject;           /* filter, wildcards allowed: "ibc.evt.catalog.item.*" */
    ibc_event_handler fn;          /* one event at a time, or */
    ibc_event_batch_handler batch; /* a batch at a time (fn NULL) */
} ibc_event_sub;

/* Makes every consumer of this service start again from the beginning of the
 * stream (after the caller cleared its projections and its inbox in a
 * committed transaction). Returns at once; the consumers rewind within a second. */
void ibc_events_rewind(void);
/* Events of the stream not yet delivered to this service's consumers (sum). */
long long ibc_events_lag(void);

/* Starts one durable pull consumer thread per subscription (consumer.c). */
ibc_rc ibc_consumers_start(natsConnection *nc, const ibc_config *cfg, const char *service,
                           const ibc_event_sub *subs, size_t n);
/* Stops the consumer threads and waits for them (up to one fetch timeout). */
void ibc_consumers_stop(void);

#endif

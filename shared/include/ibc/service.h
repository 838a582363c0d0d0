/* The service runtime: a service is a name, a table of actions, its event
 * consumers and its jobs; the runtime connects it, runs each request in a
 * transaction and answers. Also what a handler does beyond its reply: call
 * another service, stream a large reply. */
#ifndef IBC_SERVICE_H
#define IBC_SERVICE_H

#include "config.h"
#include "consumer.h"
#include "context.h"
#include "job.h"

typedef ibc_rc (*ibc_handler)(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* IBC_ACTION_STANDBY: read-only, and its answer may be up to
 * IBC_READ_MAX_STALENESS_MS old, so that the standby (IBC_PG_READ_DSN) may
 * give it. Not for a read that must see what its caller has just written. */
enum { IBC_ACTION_TX = 0, IBC_ACTION_READONLY = 1, IBC_ACTION_STALE_OK = 2 };
#define IBC_ACTION_STANDBY (IBC_ACTION_READONLY | IBC_ACTION_STALE_OK)

typedef struct {
    const char *name; /* "records.get": the subject is ibc.rpc.<service>.<name> */
    ibc_handler fn;
    int flags; /* IBC_ACTION_READONLY runs without a transaction; IBC_ACTION_STANDBY */
} ibc_action;

/* A job that runs as long as the process and finds its own work (the MARC
 * import, the extremist-list matching: each LISTENs on an ibc_job_open
 * connection and polls): the runtime starts it in a thread of its own once
 * connected, with the bus connection (natsConnection *) and a copy of the
 * configuration that lasts as long as the job, and does not wait for it at stop:
 * its work is in transactions, and what it had not committed is found
 * again by the next start (or another replica). */
typedef struct {
    const char *name;
    void (*run)(void *nc, const ibc_config *cfg);
} ibc_resident_job;

typedef struct {
    const char *name;
    const ibc_action *actions;
    size_t nactions;
    const ibc_event_sub *events; /* durable JetStream consumers, may be NULL */
    size_t nevents;
    const ibc_job_def *jobs; /* periodic jobs, each in a thread of its own; may be NULL */
    size_t njobs;
    const ibc_resident_job *resident; /* may be NULL */
    size_t nresident;
} ibc_service_def;

/* Runs a service until SIGTERM/SIGINT; returns the process exit code. */
int ibc_service_main(const char *name, const ibc_action *actions, size_t nactions);
int ibc_service_run(const ibc_service_def *def);

/* Calls another service over NATS: subject is "<service>.<action>", e.g.
 * "catalog.items.lookup"; params and body are borrowed (may be NULL). The
 * caller's request id, org, role and principal travel along, with this
 * service as Ibc-Via and the earlier of the caller's deadline and now +
 * timeout_ms, signed anew (the callee checks the signature as it does the
 * gateway's). IBC_ETIMEOUT at once when the caller's deadline has passed. On a 2xx reply
 * *reply gets a new reference to its body (may be NULL); on an error reply the
 * rc of its status with its detail in ctx; IBC_EBUS/IBC_ETIMEOUT when nobody
 * answers. */
ibc_rc ibc_call(ibc_ctx *ctx, const char *subject, const json_t *params, const json_t *body,
                json_t **reply, int timeout_ms);

/* Streamed replies, for bodies too large for one message (exports). The
 * handler calls begin, then write as often as it likes, then end, and returns
 * IBC_OK with *reply NULL. Only for routes marked as streamed in the gateway.
 * An error after begin aborts the HTTP response. Each returns IBC_EBUS when
 * the bus refused the chunk. */
ibc_rc ibc_stream_begin(ibc_ctx *ctx, int status, const char *content_type);
ibc_rc ibc_stream_write(ibc_ctx *ctx, const void *data, size_t len);
ibc_rc ibc_stream_end(ibc_ctx *ctx);

#endif

/* Configuration: every knob of a process, read from the environment with
 * defaults that work for `make up`. */
#ifndef IBC_CONFIG_H
#define IBC_CONFIG_H

#include "errors.h"

#include <stdbool.h>

typedef struct {
    char nats_url[1024]; /* one URL, or several separated by commas (a cluster) */
    char pg_dsn[1024];
    char pg_read_dsn[1024]; /* services: a hot standby for reads fit for it; "" none */
    char migrations_dir[512];
    char log_level[16];
    char instance_id[64];
    char bind_address[64];       /* where HTTP listeners bind; 127.0.0.1 unless told */
    char admin_bind_address[64]; /* where /metrics, /healthz, /readyz bind; 127.0.0.1 */
    int http_port;               /* gateway only */
    int metrics_port;            /* 0 disables the metrics listener */
    int workers;                 /* queue subscriptions, each with its own connection */
    int request_timeout_ms;      /* gateway: wait for a service reply */
    int attempt_timeout_ms;      /* gateway: an idempotent request is sent again after; 0 never */
    long max_body;               /* gateway: default body limit in bytes */
    int max_connections;         /* gateway: open HTTP connections at most */
    int events_gather_ms;        /* consumers: after a short batch, let events gather this long */
    int idempotency_hours;       /* how long a stored Idempotency-Key reply is kept */
    int statement_timeout_ms;    /* services: PostgreSQL statement_timeout of the workers; 0 none */
    int read_max_staleness_ms;   /* services: the standby answers when its data is this fresh */
    char context_key[257];       /* signs and verifies the request context (secret) */
    char context_key_previous[257]; /* verifies only, during a key rotation (secret) */
    int inbox_days;                 /* how long an applied event's id is kept in the inbox */
    bool migrate;                   /* apply migrations at start */

    /* the IBC_EVENTS stream keeps an event this long and this many bytes of
     * events at most (the oldest go first) */
    int events_max_age_days;
    long events_max_bytes;
    /* copies of the stream (and so of the durable consumers) a NATS cluster
     * keeps: 1 on one server, 3 on a three-node cluster */
    int stream_replicas;
    /* glibc malloc: arenas at most (0: glibc's own default, 8 a core), and
     * every how many seconds freed heap goes back to the kernel (0: never) */
    int malloc_arenas;
    int malloc_trim_s;
} ibc_config;

typedef const char *(*ibc_getenv_fn)(const char *name);
/* Fills cfg from the environment (read through get, NULL means getenv) with
 * defaults that work for `make up`. `service` picks the default metrics port.
 * Returns IBC_EINVAL and writes a sentence to err for a malformed value. */
ibc_rc ibc_config_load(ibc_config *cfg, const char *service, ibc_getenv_fn get, char *err,
                       size_t errlen);
#define IBC_NATS_SERVERS_MAX 16
/* Splits cfg->nats_url (copied into buf) into out[], pointers into buf,
 * blanks around each URL trimmed; returns how many, 0 for none or more than max. */
int ibc_config_nats_servers(const ibc_config *cfg, char *buf, size_t buflen, const char **out,
                            int max);
/* Parses a decimal integer in [min, max] (no blanks, no '+'); false on
 * anything else. For settings that live outside ibc_config. */
bool ibc_config_int(const char *s, long min, long max, long *out);

#endif

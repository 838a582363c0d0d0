/* The signed request context: the gateway signs who is calling (principal,
 * org, role, request id), until when (an absolute deadline) and what (the
 * subject, the forwarded headers and the payload) with HMAC-SHA-256 under a
 * key that only the gateway and the services hold; a service verifies it
 * before any handler runs. Sits beside the envelope: below the service runtime. */
#ifndef IBC_SIGNING_H
#define IBC_SIGNING_H

#include "errors.h"

#include <stdbool.h>
#include <stddef.h>
#include <nats/nats.h>

#define IBC_CONTEXT_KEY_MIN 32  /* characters of IBC_CONTEXT_KEY at least */
#define IBC_CONTEXT_KEY_MAX 256 /* and at most */
/* A deadline further ahead than this is refused as malformed (no request
 * waits longer: IBC_REQUEST_TIMEOUT_MS is at most 10 minutes). */
#define IBC_CONTEXT_MAX_AHEAD_MS (15LL * 60 * 1000)

/* One signing key and its id (8 hex digits of the SHA-256 of the key: says
 * which key signed, reveals nothing of it). */
typedef struct {
    unsigned char key[IBC_CONTEXT_KEY_MAX];
    size_t len;
    char kid[9];
} ibc_context_key;

/* The current key signs and verifies; the previous one (during a rotation)
 * only verifies. */
typedef struct {
    ibc_context_key current, previous;
    bool has_previous;
} ibc_context_keys;

typedef enum {
    IBC_CONTEXT_VALID = 0,
    IBC_CONTEXT_UNSIGNED,      /* no Ibc-Signature */
    IBC_CONTEXT_MALFORMED,     /* signature or deadline not in their format */
    IBC_CONTEXT_BAD_SIGNATURE, /* unknown key id or a MAC that does not match */
    IBC_CONTEXT_EXPIRED,       /* signed, but its deadline has passed */
} ibc_context_verdict;

/* Sets keys from the key texts (previous may be NULL or ""). IBC_EINVAL with
 * a sentence in err (naming the variable, never the value) when current is
 * missing or a key is shorter than IBC_CONTEXT_KEY_MIN characters. */
ibc_rc ibc_context_keys_init(ibc_context_keys *keys, const char *current, const char *previous,
                             char *err, size_t errlen);

/* Milliseconds since the epoch (the wall clock: deadlines cross processes). */
long long ibc_realtime_ms(void);

/* Signs msg as it is: its subject, payload and the context headers already
 * set (Ibc-Request-Id, Ibc-Principal, Ibc-Org, Ibc-Role, Ibc-Via,
 * Ibc-Deadline, Idempotency-Key, If-Match, If-None-Match, Accept), and sets
 * Ibc-Signature: "v1.<kid>.<base64url MAC>". Headers set afterwards are not
 * covered. IBC_EBUS when a header cannot be set. */
ibc_rc ibc_context_sign(const ibc_context_keys *keys, natsMsg *msg);

/* Verifies msg's Ibc-Signature with the key its id names (current or
 * previous) in constant time, then its Ibc-Deadline against now_ms. On
 * IBC_CONTEXT_VALID or _EXPIRED, *deadline_ms gets the deadline. */
ibc_context_verdict ibc_context_verify(const ibc_context_keys *keys, natsMsg *msg, long long now_ms,
                                       long long *deadline_ms);

/* "valid", "unsigned", "malformed", "bad_signature", "expired": the metric's
 * reason label. */
const char *ibc_context_verdict_name(ibc_context_verdict v);

#endif

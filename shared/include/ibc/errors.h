/* The bottom of libibc: the one error enum of the project and its mapping to
 * an HTTP status, a problem type and a title. Depends on nothing. */
#ifndef IBC_ERRORS_H
#define IBC_ERRORS_H

#include <stddef.h>

#define IBC_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define IBC_VERSION "0.1.0"

/* One error enum for the whole project; ibc_rc_status() maps it to HTTP. */
typedef enum {
    IBC_OK = 0,
    IBC_EINVAL,         /* 400: the caller's input is wrong */
    IBC_EUNAUTH,        /* 401 */
    IBC_EFORBIDDEN,     /* 403 */
    IBC_ENOTFOUND,      /* 404 */
    IBC_ENOTALLOWED,    /* 405 */
    IBC_ECONFLICT,      /* 409: the state of the data forbids it */
    IBC_EPRECOND,       /* 412: If-Match does not match */
    IBC_ETOOBIG,        /* 413 */
    IBC_EUNSUPPORTED,   /* 415: media type */
    IBC_EUNPROCESSABLE, /* 422: well-formed but semantically wrong */
    IBC_EPRECOND_REQ,   /* 428: If-Match missing */
    IBC_ETOOMANY,       /* 429: the caller's rate limit is spent */
    IBC_ERETRY,         /* serialization failure: the runtime retries the call */
    IBC_EDB,            /* 503: database unavailable or failed */
    IBC_EBUS,           /* 503: NATS unavailable */
    IBC_EBUSY,          /* 503: the gateway has too many requests in flight */
    IBC_ETIMEOUT,       /* 504 */
    IBC_ENOMEM,         /* 500 */
    IBC_EINTERNAL,      /* 500 */
    IBC_RC_COUNT
} ibc_rc;

/* HTTP status for rc; never fails. */
int ibc_rc_status(ibc_rc rc);
/* Short machine-readable problem type slug for rc (e.g. "invalid-input"). */
const char *ibc_rc_type(ibc_rc rc);
/* Human title for rc (e.g. "Invalid input"). */
const char *ibc_rc_title(ibc_rc rc);

#endif

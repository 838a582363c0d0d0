/* The one table that maps the project's error enum to HTTP statuses and to the
 * problem type and title a client sees. */
#include "ibc/errors.h"

static const struct {
    int status;
    const char *type;
    const char *title;
} rc_table[IBC_RC_COUNT] = {
    [IBC_OK] = {200, "ok", "OK"},
    [IBC_EINVAL] = {400, "invalid-input", "Invalid input"},
    [IBC_EUNAUTH] = {401, "unauthorized", "Unauthorized"},
    [IBC_EFORBIDDEN] = {403, "forbidden", "Forbidden"},
    [IBC_ENOTFOUND] = {404, "not-found", "Not found"},
    [IBC_ENOTALLOWED] = {405, "method-not-allowed", "Method not allowed"},
    [IBC_ECONFLICT] = {409, "conflict", "Conflict"},
    [IBC_EPRECOND] = {412, "precondition-failed", "Precondition failed"},
    [IBC_ETOOBIG] = {413, "payload-too-large", "Payload too large"},
    [IBC_EUNSUPPORTED] = {415, "unsupported-media-type", "Unsupported media type"},
    [IBC_EUNPROCESSABLE] = {422, "unprocessable", "Unprocessable content"},
    [IBC_EPRECOND_REQ] = {428, "precondition-required", "Precondition required"},
    [IBC_ETOOMANY] = {429, "too-many-requests", "Too many requests"},
    [IBC_ERETRY] = {503, "retry", "Concurrent update, retry"},
    [IBC_EDB] = {503, "database-unavailable", "Database unavailable"},
    [IBC_EBUS] = {503, "service-unavailable", "Service unavailable"},
    [IBC_EBUSY] = {503, "overloaded", "Too many requests in flight"},
    [IBC_ETIMEOUT] = {504, "timeout", "Service did not answer in time"},
    [IBC_ENOMEM] = {500, "internal", "Internal error"},
    [IBC_EINTERNAL] = {500, "internal", "Internal error"},
};

/* Returns the HTTP status of rc; an out-of-range rc is a 500. */
int ibc_rc_status(ibc_rc rc)
{
    return (rc >= 0 && rc < IBC_RC_COUNT) ? rc_table[rc].status : 500;
}

/* Returns a static slug naming the kind of problem. */
const char *ibc_rc_type(ibc_rc rc)
{
    return (rc >= 0 && rc < IBC_RC_COUNT) ? rc_table[rc].type : "internal";
}

/* Returns a static human title for rc. */
const char *ibc_rc_title(ibc_rc rc)
{
    return (rc >= 0 && rc < IBC_RC_COUNT) ? rc_table[rc].title : "Internal error";
}

/* The gateway's routes: one table of {method, path, subject, roles}, and the
 * matcher that turns a request path into a route and its path parameters. */
#ifndef GW_ROUTES_H
#define GW_ROUTES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum {
    ROLE_ADMIN = 1 << 0,
    ROLE_METHODOLOGIST = 1 << 1,
    ROLE_LIBRARIAN = 1 << 2,
    ROLE_PORTAL = 1 << 3,
    ROLE_INTEGRATOR = 1 << 4,
    /* a caller without a key: only on public routes (OAI-PMH), limited per client address */
    ROLE_ANONYMOUS = 1 << 5,
};
#define ROLES_ALL (ROLE_ADMIN | ROLE_METHODOLOGIST | ROLE_LIBRARIAN | ROLE_PORTAL | ROLE_INTEGRATOR)
#define ROLES_STAFF (ROLE_ADMIN | ROLE_METHODOLOGIST | ROLE_LIBRARIAN)
#define ROLES_READ_ALL (ROLES_ALL)
/* no credentials needed (signing in) */
#define ROLES_PUBLIC (1u << 31)
#define ROLES_NETWORK (ROLE_ADMIN | ROLE_METHODOLOGIST)

/* max_body of the routes whose limit is IBC_MAX_IMPORT_BODY (MARC files). */
#define GW_BODY_IMPORT (-1L)

/* Body kinds a route accepts. */
enum { BODY_JSON = 0, BODY_RAW = 1 };

typedef struct {
    const char *method;
    const char *path;    /* segments; "{name}" captures one segment */
    const char *subject; /* NATS subject after "ibc.rpc.", or "local:<name>" */
    unsigned roles;
    long max_body;       /* 0: IBC_MAX_BODY; GW_BODY_IMPORT: IBC_MAX_IMPORT_BODY */
    int body;            /* BODY_JSON or BODY_RAW */
    int timeout_ms;      /* 0: the gateway's default */
    int stream;          /* 1: the service streams its reply in chunks (exports) */
} gw_route;

/* Role name to bit; 0 when unknown. */
unsigned gw_role_bit(const char *role);

/* Finds the route for method and path. On a match returns it and adds the
 * captured parameters to params (strings). When the path exists only for
 * other methods returns NULL and sets *path_known (allow gets e.g. "GET, PUT"). */
const gw_route *gw_route_match(const gw_route *routes, size_t n, const char *method,
                               const char *path, json_t *params, bool *path_known, char *allow,
                               size_t allowlen);

extern const gw_route gw_routes[];
extern const size_t gw_nroutes;

#endif

/* Every route of the public API: method, path, NATS subject, roles allowed.
 * The gateway holds no business logic; a capability is a row in the file of
 * its service under routes/. Keep docs/openapi.yaml in step with this table. */
#include "routes.h"

#define MB (1L << 20)

const gw_route gw_routes[] = {
#include "routes/gateway.inc"
#include "routes/catalog.inc"
#include "routes/circulation.inc"
#include "routes/training.inc"
#include "routes/grants.inc"
#include "routes/monitoring.inc"
};
const size_t gw_nroutes = sizeof gw_routes / sizeof gw_routes[0];

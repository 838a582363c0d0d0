/* libibc: the runtime that every ibcnet service and the gateway link.
 * This umbrella is what a service's handlers and store include; libibc's own
 * files include only the headers below them, in this order (docs/architecture.md):
 * errors → random → log → config → metrics → context → json → envelope → signing → db →
 * standby → migrate → process → bus → outbox → consumer → request → job → admin_http → discovery →
 * service. */
#ifndef IBC_IBC_H
#define IBC_IBC_H

#include "errors.h"
#include "log.h"
#include "config.h"
#include "context.h"
#include "json.h"
#include "db.h"
#include "outbox.h"
#include "consumer.h"
#include "request.h"
#include "job.h"
#include "service.h"

#endif

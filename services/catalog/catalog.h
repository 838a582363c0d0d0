/* The catalog service's actions. */
#ifndef CATALOG_H
#define CATALOG_H

#include <ibc/ibc.h>

ibc_rc records_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc records_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc records_update(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc records_delete(ibc_ctx *ctx, const json_t *req, json_t **reply);

#endif

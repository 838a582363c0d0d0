/* MARC exchange of the catalog: import jobs and export (issue 3). */
#ifndef CATALOG_MARC_H
#define CATALOG_MARC_H

#include <ibc/ibc.h>

/* imports.create, .get, .list, .records (marc_handlers.c) */
ibc_rc imports_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc imports_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc imports_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc imports_records(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* export, streamed (marc_export.c) */
ibc_rc records_export(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* The import job thread (marc_import.c): the service's on_start hook. Runs
 * queued jobs and resumes interrupted ones until the process ends. */
void marc_import_start(void *nc, const ibc_config *cfg);

#endif

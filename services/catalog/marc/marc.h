/* MARC exchange of the catalog: import jobs and export (issue 3); the one
 * header the rest of catalog includes from this folder.
 *
 * An import runs in stages: read (marc_reader.c: libyaz splits ISO 2709 or
 * MARCXML into records, a broken record becoming an error line) → detect
 * (marc_map.c, marc_detect: RUSMARC or MARC21 from the record's content) →
 * map (marc_map.c: the record's fields onto catalog.records' columns) → match
 * (marc_store.c, store_import_match: ISBN, match key or MARCXML digest against
 * the catalog, deciding create, update or skip) → store (marc_import.c's
 * writers commit each batch of records, items and events with the segment's
 * resume point) → report (marc_store.c: counts and per-record outcomes on the
 * job, read back through imports.get/imports.records). Export runs the
 * mapping backwards (marc_export.c, marc_writer.c). */
#ifndef CATALOG_MARC_H
#define CATALOG_MARC_H

#include <ibc/ibc.h>

/* imports.create, .get, .list, .records (marc_handlers.c) */
ibc_rc imports_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc imports_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc imports_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc imports_records(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc imports_cancel(ibc_ctx *ctx, const json_t *req, json_t **reply);
/* Emits catalog.import.completed for the job's row (import_json): its id,
 * school, format, status and counters. */
ibc_rc marc_import_completed(ibc_ctx *ctx, const json_t *row);

/* export, streamed (marc_export.c) */
ibc_rc records_export(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* The import job (marc_import.c), a resident job of the service: runs
 * queued imports and resumes interrupted ones until the process ends. */
void marc_import_start(void *nc, const ibc_config *cfg);

#endif

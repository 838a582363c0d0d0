/* The federal list of extremist materials (федеральный список
 * экстремистских материалов): versions of the list, matches against the
 * catalog, their review, the blocks and the inspector's report. See
 * README.md beside. */
#ifndef CATALOG_EXTREMIST_H
#define CATALOG_EXTREMIST_H

#include <ibc/ibc.h>

ibc_rc extremist_lists_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc extremist_lists_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc extremist_lists_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc extremist_lists_changes(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc extremist_matches_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc extremist_matches_confirm(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc extremist_matches_reject(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc extremist_report_get(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* IBC_ENOTFOUND ("no record has id") when the record is blocked (why, as
 * records.get reads it with the record; NULL when it is not) and the caller
 * is not of the network's roles. */
ibc_rc extremist_may_see(ibc_ctx *ctx, const char *id, const json_t *why);
/* The same for a record not read yet (records.availability): reads the
 * block; for the network's roles marks *record with "extremist" (why). */
ibc_rc extremist_record_visible(ibc_ctx *ctx, const char *id, json_t *record);
/* For search: makes this connection's searches leave blocked records out
 * unless the caller is of the network's roles. */
ibc_rc extremist_search_scope(ibc_ctx *ctx);

/* Emits catalog.record.blocked / unblocked for the records of blocks
 * ({blocked: [ids], unblocked: [ids]}). */
ibc_rc extremist_emit_blocks(ibc_ctx *ctx, const json_t *blocks);
/* Emits catalog.extremist_list.uploaded for the version v the job matched
 * (with "changes" and "blocks") and the blocks it changed. */
ibc_rc extremist_emit_matched(ibc_ctx *ctx, const json_t *v);

/* The matching job (extremist_job.c), a resident job of the service:
 * matches each version queued by an upload, one at a time, on its own
 * connection, until the process stops. */
void extremist_job_run(void *nc, const ibc_config *cfg);

#endif

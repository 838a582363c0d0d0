/* The SQL of MARC import jobs and export. Every function runs on ctx->db; the
 * job functions are called by the job thread on its own connection. */
#ifndef CATALOG_MARC_STORE_H
#define CATALOG_MARC_STORE_H

#include <ibc/ibc.h>

#include "../params.h"

/* ------------------------------------------------------------ the API */

/* Inserts a queued job and its file (data[0..len), sent as binary). *out is
 * the job's public JSON. school may be NULL; expected < 0 means unknown. */
ibc_rc store_import_create(ibc_ctx *ctx, const char *format, const char *syntax,
                           const char *charset, const char *school, const void *data, size_t len,
                           long expected, json_t **out);
/* The job with its report; IBC_ENOTFOUND when unknown or, with org given,
 * submitted by another organisation. */
ibc_rc store_import_get(ibc_ctx *ctx, const char *id, const char *org, json_t **out);
/* A page of jobs, newest first, after the job `after` (may be NULL); org and
 * status filter when not NULL. *out = {"items": [...], "next_cursor": id|null}. */
ibc_rc store_import_list(ibc_ctx *ctx, const char *org, const char *status, const char *after,
                         int limit, json_t **out);

/* Which record each imported record became, by position after `after` (a
 * position, may be NULL); outcome filters when not NULL. *out = {"items":
 * [{position, record_id, outcome}], "next_cursor"}; IBC_ENOTFOUND when the
 * job is unknown (or of another org when org is given). */
ibc_rc store_import_records_list(ibc_ctx *ctx, const char *id, const char *org, const char *outcome,
                                 const char *after, int limit, json_t **out);

/* ------------------------------------------------------------ the job */

/* Ids of jobs waiting or interrupted, oldest first (new reference, array). */
ibc_rc store_import_pending(ibc_ctx *ctx, json_t **ids);
/* Takes the job's session advisory lock; *got false when another thread has it. */
ibc_rc store_import_lock(ibc_ctx *ctx, const char *id, bool *got);
ibc_rc store_import_unlock(ibc_ctx *ctx, const char *id);
/* Marks a queued or interrupted job running and counts the attempt. *job is
 * its row (all columns as JSON); IBC_ENOTFOUND when it is no longer pending. */
ibc_rc store_import_begin(ibc_ctx *ctx, const char *id, json_t **job);
/* The uploaded file (binary); caller PQclear()s *res. IBC_ENOTFOUND when gone. */
ibc_rc store_import_file(ibc_ctx *ctx, const char *id, PGresult **res, const char **data,
                         size_t *len);

/* Matches a batch (JSON array of {i, isbn, control_keys, title, authors, year,
 * publisher, marcxml}) against the catalog, after locking its ISBNs, source
 * keys and match keys for the transaction (as records.create locks ISBNs).
 * *out = {"hits": {i: {id, rule: isbn|control_number|key|marc, same, own}},
 * "keys": {i: match key}, "md5": {i: md5 of its MARCXML}}; new reference. */
ibc_rc store_import_match(ibc_ctx *ctx, const char *batch_json, json_t **out);
/* Inserts records (JSON array of flat records with id, marcxml and
 * marc_format) and their record.created events. */
ibc_rc store_import_records(ibc_ctx *ctx, const char *records_json, const char *import_id);
/* Replaces the MARC-derived columns of records (JSON array of flat records
 * with id) with a newer version of their source record; record.updated events. */
ibc_rc store_import_updates(ibc_ctx *ctx, const char *records_json);
/* Remembers which record each source key became (JSON array of {key,
 * record_id, owner}); a key already known keeps its record unless the new
 * row is the owner (the record was created or updated from it). */
ibc_rc store_import_sources(ibc_ctx *ctx, const char *sources_json);
/* Inserts items (JSON array of {n, id?, record_id, barcode, inventory_number};
 * without id one is drawn) for school with item.created events; a taken
 * barcode skips the item, a taken inventory number is left out. *created = {barcode: inventory
 * number or null} of the items created. */
ibc_rc store_import_items(ibc_ctx *ctx, const char *items_json, const char *school,
                          json_t **created);
/* Records which record each position became (JSON array of {position,
 * record_id, outcome}). */
ibc_rc store_import_outcomes(ibc_ctx *ctx, const char *id, const char *outcomes_json);
/* The job's segments, in order (new reference): [{seg, start, end, before,
 * read, next_offset, errors, warnings (kept so far), done}]. */
ibc_rc store_import_segments(ibc_ctx *ctx, const char *id, json_t **segments);
/* Records the job's segments (JSON array of {seg, start, end, before}) and
 * the number of records in the file (-1: unknown). */
ibc_rc store_import_plan(ibc_ctx *ctx, const char *id, const char *segments_json, long records);
/* Adds a batch's counts (JSON object of deltas), resume point and report
 * entries (JSON arrays) to segment seg of the job, when the segment has read
 * `read` records so far; IBC_EPRECOND when another writer moved it on. */
ibc_rc store_import_progress(ibc_ctx *ctx, const char *id, int seg, long read,
                             const char *deltas_json, const char *errors_json,
                             const char *warnings_json);
/* Cancels a queued or running job of org (NULL: any): *out = the job's JSON
 * (status cancelled when it was queued, else running with
 * cancel_requested_at). IBC_ENOTFOUND when unknown, IBC_ECONFLICT when it
 * has ended. */
ibc_rc store_import_cancel(ibc_ctx *ctx, const char *id, const char *org, json_t **out);
/* Marks segment seg read to its end. */
ibc_rc store_segment_done(ibc_ctx *ctx, const char *id, int seg);
/* Ends the job: status done (or failed with error, or cancelled), file
 * deleted. *job = its public JSON. */
ibc_rc store_import_finish(ibc_ctx *ctx, const char *id, const char *error, bool cancelled,
                           json_t **job);
/* *asked = someone asked to cancel the job (store_import_cancel). */
ibc_rc store_import_cancel_asked(ibc_ctx *ctx, const char *id, bool *asked);

/* ------------------------------------------------------------ export */

/* An export's filters; NULL strings and negative numbers mean none. */
typedef record_filter export_filter; /* the search's filters (params.h) */

/* Up to limit records with id > after (NULL: from the start), in id order:
 * columns id, marcxml (NULL when stale, absent or not of syntax), record_json
 * (NULL when marcxml is given), marc_format. syntax NULL: any. */
PGresult *store_export_page(ibc_ctx *ctx, const export_filter *f, const char *syntax,
                            const char *after, int limit);

#endif

/* The SQL of the federal list of extremist materials (migrations 0060, 0062):
 * each function runs on ctx->db in the caller's transaction; uploading,
 * matching and reviewing are PL/pgSQL functions there, one round trip each. */
#ifndef CATALOG_STORE_EXTREMIST_H
#define CATALOG_STORE_EXTREMIST_H

#include <ibc/ibc.h>

/* Stores a new version (meta: format, encoding, sha256, bytes, threshold;
 * entries from list_parse), matching "queued" for the job. *out: the version
 * with "changes". IBC_ECONFLICT while another version is being matched. */
ibc_rc store_extremist_upload(ibc_ctx *ctx, const json_t *meta, const json_t *entries,
                              json_t **out);
/* The job: the ids of the versions queued or running, oldest first. */
ibc_rc store_extremist_pending(ibc_ctx *ctx, json_t **ids);
/* A session advisory lock on version id: *got false when another holds it. */
ibc_rc store_extremist_lock(ibc_ctx *ctx, const char *id, bool *got);
ibc_rc store_extremist_unlock(ibc_ctx *ctx, const char *id);
/* Marks version id running (committed before the run's transaction). */
ibc_rc store_extremist_running(ibc_ctx *ctx, const char *id);
/* Inside the run's transaction: matches version id, carries decisions
 * over, refreshes the blocks, marks it done; statement timeout `timeout`
 * ("30min"). *out: the version with "changes" and "blocks"; IBC_ENOTFOUND
 * when it is no longer queued or running. */
ibc_rc store_extremist_match_run(ibc_ctx *ctx, const char *id, const char *timeout, json_t **out);
/* Marks version id failed with the reason (after the run rolled back). */
ibc_rc store_extremist_failed(ibc_ctx *ctx, const char *id, const char *why);
/* {"items": [version...], "total"} newest first. */
ibc_rc store_extremist_lists(ibc_ctx *ctx, const ibc_page *page, json_t **out);
/* The version with id; IBC_ENOTFOUND. */
ibc_rc store_extremist_list_get(ibc_ctx *ctx, const char *id, json_t **out);
/* The entries added and removed from version `against` (NULL: the one
 * before) to version id, the first `limit` of each. IBC_ENOTFOUND. */
ibc_rc store_extremist_changes(ibc_ctx *ctx, const char *id, const char *against, long limit,
                               json_t **out);
/* Matches of version list_id (NULL: the newest) in state (NULL: all) with
 * a score of at least min_score, best first: {"items", "total"}. */
ibc_rc store_extremist_matches(ibc_ctx *ctx, const char *list_id, const char *state,
                               const char *min_score, const ibc_page *page, json_t **out);
/* Sets the match's state ("confirmed"/"rejected"), logged with the caller;
 * *out: the match with "blocks" {blocked, unblocked}. IBC_ENOTFOUND. */
ibc_rc store_extremist_review(ibc_ctx *ctx, const char *id, const char *state, const char *note,
                              json_t **out);
/* The inspector's report: the confirmed matches of the newest version with
 * the record and the schools holding copies: {"list", "items"}. */
ibc_rc store_extremist_report(ibc_ctx *ctx, json_t **out);
/* Why record id is blocked ({match_id, list_version, entry_number, court})
 * or *out NULL when it is not. */
ibc_rc store_record_block(ibc_ctx *ctx, const char *id, json_t **out);
/* Whether this connection's searches show blocked records (the network's
 * roles) or leave them out (everyone else). */
ibc_rc store_search_show_blocked(ibc_ctx *ctx, bool show);

#endif

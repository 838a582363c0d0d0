/* The SQL of the federal list of extremist materials (see store_extremist.h). */
#include "store_extremist.h"

#include <ibc/request.h>
#include <stdlib.h>
#include <string.h>

static const char sql_upload[] = "SELECT extremist_list_upload($1::jsonb, $2::jsonb, $3)";
/* Storing a list of 100,000 entries (no matching: the job does that) takes
 * seconds, more than a request's statement may (IBC_STATEMENT_TIMEOUT_MS). */
static const char sql_upload_timeout[] = "SELECT set_config('statement_timeout', '110s', true)";

ibc_rc store_extremist_upload(ibc_ctx *ctx, const json_t *meta, const json_t *entries, json_t **out)
{
    char *text = json_dumps(entries, JSON_COMPACT);
    if (!text) return ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    const char *rest[] = {text, ctx->principal ? ctx->principal : ""};
    ibc_rc rc = ibc_db_run(ctx, sql_upload_timeout, 0, NULL);
    if (rc == IBC_OK) rc = ibc_db_json_with(ctx, out, sql_upload, meta, 2, rest);
    free(text);
    return rc;
}

/* ------------------------------------------------------------ the job */

static const char sql_pending[] =
    "SELECT coalesce(json_agg(id ORDER BY version), '[]') FROM extremist_lists "
    "WHERE matching IN ('queued', 'running')";

ibc_rc store_extremist_pending(ibc_ctx *ctx, json_t **ids)
{
    return ibc_db_json(ctx, ids, sql_pending, 0, NULL);
}

/* the two-key form, a key space of its own (see marc_store.c) */
static const char sql_lock[] =
    "SELECT pg_try_advisory_lock(hashtext('catalog.extremist'), hashtext($1))";
static const char sql_unlock[] =
    "SELECT pg_advisory_unlock(hashtext('catalog.extremist'), hashtext($1))";

ibc_rc store_extremist_lock(ibc_ctx *ctx, const char *id, bool *got)
{
    const char *p[] = {id};
    PGresult *r = ibc_db_exec(ctx, sql_lock, 1, p);
    if (!r) return ctx->err;
    *got = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    return IBC_OK;
}

ibc_rc store_extremist_unlock(ibc_ctx *ctx, const char *id)
{
    const char *p[] = {id};
    return ibc_db_run(ctx, sql_unlock, 1, p);
}

static const char sql_running[] =
    "UPDATE extremist_lists SET matching = 'running', matching_started = now() "
    "WHERE id = $1::uuid AND matching IN ('queued', 'running')";

ibc_rc store_extremist_running(ibc_ctx *ctx, const char *id)
{
    const char *p[] = {id};
    return ibc_db_run(ctx, sql_running, 1, p);
}

/* The run's own limits: minutes for a large catalog; a backend whose job
 * went away (the service stopped) ends its statement within a second. */
static const char sql_run_limits[] = "SELECT set_config('statement_timeout', $1, true), "
                                     "set_config('client_connection_check_interval', '1s', true)";
static const char sql_run[] = "SELECT extremist_match_run($1::uuid)";

ibc_rc store_extremist_match_run(ibc_ctx *ctx, const char *id, const char *timeout, json_t **out)
{
    const char *lim[] = {timeout};
    const char *p[] = {id};
    ibc_rc rc = ibc_db_run(ctx, sql_run_limits, 1, lim);
    if (rc == IBC_OK) rc = ibc_db_json(ctx, out, sql_run, 1, p);
    return rc;
}

static const char sql_failed[] =
    "UPDATE extremist_lists SET matching = 'failed', matching_finished = now(), "
    "matching_error = $2 WHERE id = $1::uuid AND matching IN ('queued', 'running')";

ibc_rc store_extremist_failed(ibc_ctx *ctx, const char *id, const char *why)
{
    const char *p[] = {id, why};
    return ibc_db_run(ctx, sql_failed, 2, p);
}

static const char sql_lists[] =
    "SELECT jsonb_build_object('items', coalesce((SELECT jsonb_agg(extremist_list_json(l) ORDER "
    "BY l.version DESC) FROM (SELECT * FROM extremist_lists ORDER BY version DESC LIMIT $1::int "
    "OFFSET $2::int) l), '[]'), 'total', (SELECT count(*) FROM extremist_lists), "
    "'limit', $1::int, 'offset', $2::int)";

ibc_rc store_extremist_lists(ibc_ctx *ctx, const ibc_page *page, json_t **out)
{
    const char *p[] = {page->limit_text, page->offset_text};
    return ibc_db_json(ctx, out, sql_lists, 2, p);
}

static const char sql_list_get[] =
    "SELECT extremist_list_json(l) FROM extremist_lists l WHERE l.id = $1::uuid";

ibc_rc store_extremist_list_get(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    ibc_rc rc = ibc_db_json(ctx, out, sql_list_get, 1, p);
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no version of the list has id %s", id);
    return rc;
}

static const char sql_changes[] =
    "WITH b AS (SELECT * FROM extremist_lists WHERE id = $1::uuid), "
    "a AS (SELECT * FROM extremist_lists WHERE CASE WHEN $2::uuid IS NULL THEN "
    "version < (SELECT version FROM b) ELSE id = $2::uuid END ORDER BY version DESC LIMIT 1) "
    "SELECT jsonb_build_object('id', b.id, 'version', b.version, "
    "'against', (SELECT jsonb_build_object('id', a.id, 'version', a.version) FROM a)) "
    "|| extremist_changes((SELECT id FROM a), b.id, $3::int) FROM b "
    "WHERE $2::uuid IS NULL OR EXISTS (SELECT 1 FROM a)";

ibc_rc store_extremist_changes(ibc_ctx *ctx, const char *id, const char *against, long limit,
                               json_t **out)
{
    char lim[24];
    snprintf(lim, sizeof lim, "%ld", limit);
    const char *p[] = {id, against, lim};
    ibc_rc rc = ibc_db_json(ctx, out, sql_changes, 3, p);
    if (rc == IBC_ENOTFOUND)
        ibc_fail(ctx, rc, "no version of the list has id %s%s%s", id, against ? " or " : "",
                 against ? against : "");
    return rc;
}

static const char sql_matches[] =
    "WITH l AS (SELECT id FROM extremist_lists WHERE CASE WHEN $1::uuid IS NULL THEN "
    "id = extremist_current() ELSE id = $1::uuid END), "
    "m AS (SELECT m.* FROM extremist_matches m, l WHERE m.list_id = l.id "
    "AND ($2::text IS NULL OR m.state = $2) AND m.score >= coalesce($3::real, 0)) "
    "SELECT jsonb_build_object('list_id', (SELECT id FROM l), "
    "'items', coalesce((SELECT jsonb_agg(extremist_match_json(p) ORDER BY p.score DESC, "
    "p.number, p.record_id) FROM (SELECT * FROM m ORDER BY score DESC, number, record_id "
    "LIMIT $4::int OFFSET $5::int) p), '[]'), 'total', (SELECT count(*) FROM m), "
    "'limit', $4::int, 'offset', $5::int)";

ibc_rc store_extremist_matches(ibc_ctx *ctx, const char *list_id, const char *state,
                               const char *min_score, const ibc_page *page, json_t **out)
{
    const char *p[] = {list_id, state, min_score, page->limit_text, page->offset_text};
    ibc_rc rc = ibc_db_json_planned(ctx, out, sql_matches, 5, p);
    if (rc == IBC_OK && json_is_null(json_object_get(*out, "list_id")) && list_id)
        rc = ibc_fail(ctx, IBC_ENOTFOUND, "no version of the list has id %s", list_id);
    return rc;
}

static const char sql_review[] = "SELECT extremist_review($1::uuid, $2, $3, $4)";

ibc_rc store_extremist_review(ibc_ctx *ctx, const char *id, const char *state, const char *note,
                              json_t **out)
{
    const char *p[] = {id, state, note, ctx->principal ? ctx->principal : ""};
    ibc_rc rc = ibc_db_json(ctx, out, sql_review, 4, p);
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no match of the list has id %s", id);
    return rc;
}

static const char sql_report[] =
    "WITH l AS (SELECT * FROM extremist_lists WHERE id = extremist_current()) "
    "SELECT jsonb_build_object('list', (SELECT jsonb_build_object('id', id, 'version', version, "
    "'uploaded_at', uploaded_at, 'entries', entries) FROM l), "
    "'items', coalesce(jsonb_agg(jsonb_build_object("
    "'match_id', m.id, 'list_version', l.version, 'entry_number', m.number, "
    "'entry_text', e.text, 'court', e.court, 'record_id', r.id, 'title', r.title, "
    "'authors', to_jsonb(r.authors), 'year', r.year, 'score', round(m.score::numeric, 3), "
    "'confirmed_by', m.reviewed_by, 'confirmed_at', m.reviewed_at, "
    "'schools', coalesce(h.schools, '[]'), 'copies', coalesce(h.copies, 0)) "
    "ORDER BY m.number, r.title, r.id) FILTER (WHERE m.id IS NOT NULL), '[]')) "
    "FROM l LEFT JOIN extremist_matches m ON m.list_id = l.id AND m.state = 'confirmed' "
    "LEFT JOIN extremist_entries e ON e.list_id = m.list_id AND e.number = m.number "
    "LEFT JOIN records r ON r.id = m.record_id "
    "LEFT JOIN LATERAL (SELECT jsonb_agg(DISTINCT i.school) AS schools, count(*) AS copies "
    "FROM items i WHERE i.record_id = r.id AND i.status <> 'written_off') h ON true";

ibc_rc store_extremist_report(ibc_ctx *ctx, json_t **out)
{
    ibc_rc rc = ibc_db_json(ctx, out, sql_report, 0, NULL);
    if (rc == IBC_ENOTFOUND) {
        ctx->err = IBC_OK;
        *out = json_pack("{s:n, s:[]}", "list", "items");
        rc = IBC_OK;
    }
    return rc;
}

static const char sql_block[] = "SELECT why FROM record_blocks WHERE record_id = $1::uuid";

ibc_rc store_record_block(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    ibc_rc rc = ibc_db_json(ctx, out, sql_block, 1, p);
    if (rc == IBC_ENOTFOUND) {
        *out = NULL;
        rc = IBC_OK;
    }
    return rc;
}

static const char sql_show[] = "SELECT set_config('ibc.show_blocked', $1, false)";

ibc_rc store_search_show_blocked(ibc_ctx *ctx, bool show)
{
    const char *p[] = {show ? "on" : "off"};
    return ibc_db_run(ctx, sql_show, 1, p);
}

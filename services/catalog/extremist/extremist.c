/* The federal list of extremist materials: an admin uploads each version as
 * published; the catalog matches it against every record and lists the
 * candidates; the admin confirms or rejects each; a confirmed match blocks
 * the record (circulation learns it from catalog.record.blocked). */
#include "extremist.h"
#include "list_parse.h"
#include "store_extremist.h"

#include <ibc/envelope.h>
#include <ibc/json.h>
#include <ibc/report.h>
#include <ibc/request.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The trigram similarity of titles above which a record is a candidate. */
#define THRESHOLD_DEFAULT 50 /* hundredths */

static ibc_rc admin_only(ibc_ctx *ctx, const char *what)
{
    if (ibc_role_is(ctx, "admin")) return IBC_OK;
    return ibc_fail(ctx, IBC_EFORBIDDEN, "only the network's admin may %s", what);
}

ibc_rc extremist_emit_blocks(ibc_ctx *ctx, const json_t *blocks)
{
    ibc_rc rc = IBC_OK;
    size_t i;
    json_t *id;
    json_array_foreach(json_object_get(blocks, "blocked"), i, id)
    {
        json_t *why = NULL;
        if (rc == IBC_OK) rc = store_record_block(ctx, json_string_value(id), &why);
        if (rc != IBC_OK || !why) {
            json_decref(why);
            continue;
        }
        json_t *data = json_pack("{s:O, s:s, s:O, s:O, s:O}", "id", id, "reason",
                                 "extremist_material", "match_id", json_object_get(why, "match_id"),
                                 "list_version", json_object_get(why, "list_version"),
                                 "entry_number", json_object_get(why, "entry_number"));
        json_decref(why);
        rc = ibc_emit(ctx, "record", "blocked", json_string_value(id), data);
    }
    json_array_foreach(json_object_get(blocks, "unblocked"), i, id)
    {
        if (rc == IBC_OK)
            rc = ibc_emit(ctx, "record", "unblocked", json_string_value(id),
                          json_pack("{s:O, s:s}", "id", id, "reason", "extremist_material"));
    }
    return rc;
}

static void sha256_hex(const unsigned char *data, size_t len, char hex[65])
{
    struct sha256_ctx c;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&c);
    sha256_update(&c, len, data);
    sha256_digest(&c, sizeof d, d);
    for (size_t i = 0; i < sizeof d; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* Decodes and parses the raw body into *parsed; meta gets format, encoding,
 * sha256 and bytes. */
static ibc_rc read_list(ibc_ctx *ctx, const json_t *body, list_parsed *parsed, json_t *meta)
{
    const char *b64 = json_string_value(json_object_get(body, "base64"));
    const char *type = json_string_value(json_object_get(body, "content_type"));
    list_format fmt;
    if (!b64 || !*b64)
        return ibc_fail(ctx, IBC_EINVAL, "the body is empty: send the list as published");
    if (!list_format_of(type, &fmt))
        return ibc_fail(ctx, IBC_EUNSUPPORTED,
                        "send the list as text/plain, text/html or text/csv, not %.60s",
                        type ? type : "without a Content-Type");
    size_t len = 0;
    unsigned char *data = ibc_base64_decode(b64, strlen(b64), &len);
    if (!data) return ibc_fail(ctx, IBC_EINVAL, "the body could not be decoded");
    ibc_rc rc = IBC_OK;
    if (!list_parse(data, len, fmt, type, parsed))
        rc = ibc_fail(ctx, parsed->too_big ? IBC_ETOOBIG : IBC_EUNPROCESSABLE, "%s", parsed->error);
    char hex[65];
    sha256_hex(data, len, hex);
    free(data);
    json_object_set_new(meta, "format", json_string(parsed->format));
    json_object_set_new(meta, "encoding",
                        json_string(parsed->encoding ? parsed->encoding : "utf-8"));
    json_object_set_new(meta, "sha256", json_string(hex));
    json_object_set_new(meta, "bytes", json_integer((json_int_t)len));
    return rc;
}

/* extremist_lists.create: the raw body is the list (text/plain, text/html,
 * text/csv; UTF-8 or windows-1251), ?threshold= (30-100 hundredths, 50).
 * 202 with the new version (matching "queued"; the job matches it, see
 * extremist_job.c) and its changes against the newest matched one;
 * 400/413/415/422 for a file that is no list (nothing is stored); 409 while
 * another version is being matched. Admin only. */
ibc_rc extremist_lists_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"threshold", NULL};
    long threshold;
    list_parsed parsed = {0};
    json_t *meta = json_object();
    ibc_rc rc = admin_only(ctx, "upload the federal list");
    if (rc == IBC_OK) rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK)
        rc = ibc_req_int(ctx, req, "threshold", 30, 100, THRESHOLD_DEFAULT, &threshold);
    if (rc == IBC_OK) rc = read_list(ctx, ibc_body(req), &parsed, meta);
    if (rc == IBC_OK) {
        json_object_set_new(meta, "threshold", json_real((double)threshold / 100.0));
        rc = store_extremist_upload(ctx, meta, parsed.entries, reply);
    }
    if (rc == IBC_OK)
        ibc_accepted(ctx, "/api/v1/catalog/extremist-lists/%s",
                     json_string_value(json_object_get(*reply, "id")));
    json_decref(parsed.entries);
    json_decref(meta);
    return rc;
}

ibc_rc extremist_emit_matched(ibc_ctx *ctx, const json_t *v)
{
    const char *id = json_string_value(json_object_get(v, "id"));
    const json_t *ch = json_object_get(v, "changes");
    ibc_rc rc = ibc_emit(
        ctx, "extremist_list", "uploaded", id,
        json_pack("{s:s, s:O, s:O, s:O, s:O, s:O}", "id", id, "version",
                  json_object_get(v, "version"), "entries", json_object_get(v, "entries"), "added",
                  json_object_get(ch, "added_count"), "removed",
                  json_object_get(ch, "removed_count"), "matches", json_object_get(v, "matches")));
    if (rc == IBC_OK) rc = extremist_emit_blocks(ctx, json_object_get(v, "blocks"));
    return rc;
}

/* extremist_lists.list: ?limit (1-100, 20), offset. 200 {items, total}. */
ibc_rc extremist_lists_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"limit", "offset", NULL};
    ibc_page page;
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = ibc_req_page(ctx, req, 20, 100, &page);
    if (rc == IBC_OK) rc = store_extremist_lists(ctx, &page, reply);
    return rc;
}

/* extremist_lists.get: 200 with the version and its match counts. */
ibc_rc extremist_lists_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "list version", &id);
    if (rc == IBC_OK) rc = store_extremist_list_get(ctx, id, reply);
    return rc;
}

/* extremist_lists.changes: ?against= (a version id; default the one
 * before), limit (0-1000, 100 entries of each side). 200 {id, version,
 * against, added_count, removed_count, added, removed}. */
ibc_rc extremist_lists_changes(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"id", "against", "limit", NULL};
    const char *id, *against = NULL;
    long limit;
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = ibc_req_id(ctx, req, "id", "list version", &id);
    if (rc == IBC_OK) rc = ibc_req_uuid(ctx, req, "against", &against);
    if (rc == IBC_OK) rc = ibc_req_int(ctx, req, "limit", 0, 1000, 100, &limit);
    if (rc == IBC_OK) rc = store_extremist_changes(ctx, id, against, limit, reply);
    return rc;
}

/* extremist_matches.list: ?list= (a version id; default the newest),
 * state (candidate|confirmed|rejected), min_score (0-100 hundredths), limit
 * (1-500, 50), offset. 200 {list_id, items, total}, best score first. */
ibc_rc extremist_matches_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"list", "state", "min_score", "limit", "offset", NULL};
    static const char *const states[] = {"candidate", "confirmed", "rejected", NULL};
    const char *list = NULL, *state = NULL;
    long min_score = 0;
    ibc_page page;
    char score[16];
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = ibc_req_uuid(ctx, req, "list", &list);
    if (rc == IBC_OK) rc = ibc_req_enum(ctx, req, "state", states, &state);
    if (rc == IBC_OK) rc = ibc_req_int(ctx, req, "min_score", 0, 100, 0, &min_score);
    if (rc == IBC_OK) rc = ibc_req_page(ctx, req, 50, 500, &page);
    snprintf(score, sizeof score, "%.2f", (double)min_score / 100.0);
    if (rc == IBC_OK) rc = store_extremist_matches(ctx, list, state, score, &page, reply);
    return rc;
}

/* Confirms or rejects the match of the path: body {note?}. 200 with the
 * match. Emits catalog.extremist_match.<state> and record.blocked /
 * unblocked when the record's block changes. Admin only. */
static ibc_rc review(ibc_ctx *ctx, const json_t *req, const char *state, json_t **reply)
{
    static const ibc_field fields[] = {{"note", IBC_F_STR, false, 1, 2000}};
    const char *id;
    json_t *p = json_object();
    const json_t *body = ibc_body(req) ? ibc_body(req) : json_object();
    ibc_rc rc = admin_only(ctx, "review the matches of the federal list");
    if (rc == IBC_OK) rc = ibc_req_id(ctx, req, "id", "match", &id);
    if (rc == IBC_OK) rc = ibc_validate(ctx, body, fields, IBC_LEN(fields), "", NULL, p);
    if (!ibc_body(req)) json_decref((json_t *)body);
    if (rc == IBC_OK)
        rc = store_extremist_review(ctx, id, state, json_string_value(json_object_get(p, "note")),
                                    reply);
    json_t *blocks = NULL;
    if (rc == IBC_OK) {
        blocks = json_incref(json_object_get(*reply, "blocks"));
        json_object_del(*reply, "blocks");
        rc = ibc_emit(ctx, "extremist_match",
                      strcmp(state, "confirmed") == 0 ? "confirmed" : "rejected", id,
                      json_pack("{s:s, s:O, s:O, s:O, s:O, s:O}", "id", id, "list_id",
                                json_object_get(*reply, "list_id"), "list_version",
                                json_object_get(*reply, "list_version"), "entry_number",
                                json_object_get(*reply, "entry_number"), "record_id",
                                json_object_get(*reply, "record_id"), "score",
                                json_object_get(*reply, "score")));
    }
    if (rc == IBC_OK) rc = extremist_emit_blocks(ctx, blocks);
    json_decref(blocks);
    json_decref(p);
    return rc;
}

ibc_rc extremist_matches_confirm(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    return review(ctx, req, "confirmed", reply);
}

ibc_rc extremist_matches_reject(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    return review(ctx, req, "rejected", reply);
}

static const ibc_col report_cols[] = {
    {"Версия списка", IBC_COL_INT},
    {"№ в списке", IBC_COL_INT},
    {"Материал (текст списка)", IBC_COL_TEXT},
    {"Решение суда", IBC_COL_TEXT},
    {"Запись каталога", IBC_COL_TEXT},
    {"Заглавие", IBC_COL_TEXT},
    {"Авторы", IBC_COL_TEXT},
    {"Школы с экземплярами", IBC_COL_TEXT},
    {"Экземпляров", IBC_COL_INT},
    {"Подтвердил", IBC_COL_TEXT},
    {"Подтверждено", IBC_COL_DATE},
};

/* The authors or schools array joined with ", " (new reference). */
static json_t *joined(const json_t *arr)
{
    size_t i, n = 0;
    json_t *v;
    json_array_foreach(arr, i, v) n += json_string_length(v) + 2;
    char *s = calloc(1, n + 1);
    json_array_foreach(arr, i, v)
    {
        if (i) strcat(s, ", ");
        strcat(s, json_string_value(v) ? json_string_value(v) : "");
    }
    json_t *out = json_string(s ? s : "");
    free(s);
    return out;
}

static json_t *report_rows(const json_t *items)
{
    json_t *rows = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *at = json_string_value(json_object_get(it, "confirmed_at"));
        char day[11] = "";
        if (at) snprintf(day, sizeof day, "%.10s", at);
        json_array_append_new(
            rows,
            json_pack("[O, O, O, O, O, O, o, o, O, O, s?]", json_object_get(it, "list_version"),
                      json_object_get(it, "entry_number"), json_object_get(it, "entry_text"),
                      json_object_get(it, "court") ? json_object_get(it, "court") : json_null(),
                      json_object_get(it, "record_id"), json_object_get(it, "title"),
                      joined(json_object_get(it, "authors")),
                      joined(json_object_get(it, "schools")), json_object_get(it, "copies"),
                      json_object_get(it, "confirmed_by"), at ? day : NULL));
    }
    return rows;
}

/* reports.extremist: ?format=json|csv|xlsx. The confirmed matches of the
 * newest version of the list: entry number, version, the court's decision,
 * the record and the schools holding copies. */
ibc_rc extremist_report_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"format", NULL};
    static const char *const formats[] = {"json", "csv", "xlsx", NULL};
    const char *format = NULL;
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = ibc_req_enum(ctx, req, "format", formats, &format);
    if (rc == IBC_OK) rc = store_extremist_report(ctx, reply);
    if (rc == IBC_OK && format && strcmp(format, "json") != 0) {
        json_t *rows = report_rows(json_object_get(*reply, "items"));
        ibc_sheet sheet = {"Экстремистские материалы", report_cols, IBC_LEN(report_cols), rows};
        rc = ibc_report_reply(ctx, format, &sheet, 1, "extremist-materials");
        json_decref(rows);
        json_decref(*reply);
        *reply = NULL;
    }
    return rc;
}

ibc_rc extremist_may_see(ibc_ctx *ctx, const char *id, const json_t *why)
{
    if (!why || ibc_role_network_wide(ctx)) return IBC_OK;
    return ibc_fail(ctx, IBC_ENOTFOUND, "no record has id '%s'", id);
}

ibc_rc extremist_record_visible(ibc_ctx *ctx, const char *id, json_t *record)
{
    json_t *why = NULL;
    ibc_rc rc = store_record_block(ctx, id, &why);
    if (rc == IBC_OK) rc = extremist_may_see(ctx, id, why);
    if (rc == IBC_OK && why)
        json_object_set_new(record, "extremist", why);
    else
        json_decref(why);
    return rc;
}

ibc_rc extremist_search_scope(ibc_ctx *ctx)
{
    return store_search_show_blocked(ctx, ibc_role_network_wide(ctx));
}

/* Copy cataloguing (issue 15): search a configured remote Z39.50 target and
 * show what it found as ibcnet records, without saving them to the catalog
 * (copy_searches.create); import the chosen ones through the normal MARC
 * import, where duplicates are found as for any file (copy_searches.import). */
#include "catalog.h"
#include "copy_client.h"
#include "marc/marc_map.h"
#include "marc/marc_reader.h"
#include "marc/marc_store.h"
#include "store_copy.h"

#include <ibc/signing.h>
#include <ibc/request.h>
#include <ibc/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COPY_LIMIT_MAX 50

/* Seconds the target may take: IBC_COPY_TIMEOUT_S (10) and what is left of
 * the caller's deadline, less a second for the rest of the request. */
static int timeout_s(const ibc_ctx *ctx)
{
    long conf = 10;
    const char *v = getenv("IBC_COPY_TIMEOUT_S");
    if (v && !ibc_config_int(v, 1, 600, &conf)) conf = 10;
    if (ctx->deadline_ms > 0) {
        long left = (long)((ctx->deadline_ms - ibc_realtime_ms()) / 1000) - 1;
        if (left < conf) conf = left < 1 ? 1 : left;
    }
    return (int)conf;
}

/* One fetched record as {position, marcxml, record} or {position, error}. */
static json_t *decode(const copy_target *t, const copy_raw *raw, int position)
{
    static const marc_charset charsets[] = {MARC_UTF8, MARC_CP1251, MARC_MARC8};
    marc_charset cs = !strcmp(t->charset, "cp1251")   ? charsets[1]
                      : !strcmp(t->charset, "marc-8") ? charsets[2]
                                                      : charsets[0];
    json_t *out = json_pack("{s:i}", "position", position);
    marc_rec rec = {0};
    marc_reader *r = raw->data ? marc_reader_open(raw->data, raw->len, MARC_ISO2709, cs) : NULL;
    char reason[300] = "the target sent no record for this position";
    json_t *flat = NULL, *holdings = NULL, *warnings = json_array();
    if (r && marc_reader_next(r, &rec) && rec.marc) {
        marc_format declared = strcmp(t->syntax, "rusmarc") ? MARC_MARC21 : MARC_RUSMARC;
        if (marc_map(rec.marc, marc_detect(rec.marc, declared), &flat, &holdings, warnings, reason,
                     sizeof reason)) {
            json_object_del(flat, "control_keys");
            json_object_set_new(flat, "source",
                                json_pack("{s:s, s:i}", "target", t->name, "position", position));
            json_object_set_new(out, "record", flat);
            json_object_set_new(out, "marcxml", json_string(rec.marcxml));
        }
    } else if (r) {
        snprintf(reason, sizeof reason, "%s", rec.reason[0] ? rec.reason : "unreadable MARC");
    }
    if (!json_object_get(out, "record")) json_object_set_new(out, "error", json_string(reason));
    json_decref(holdings);
    json_decref(warnings);
    marc_rec_clear(&rec);
    marc_reader_close(r);
    return out;
}

static ibc_rc copy_failure(ibc_ctx *ctx, copy_status st, const char *err)
{
    ibc_rc rc = st == COPY_BAD_QUERY ? IBC_EINVAL
                : st == COPY_REFUSED ? IBC_EUNPROCESSABLE
                : st == COPY_TIMEOUT ? IBC_ETIMEOUT
                                     : IBC_EBUS;
    const char *what = st == COPY_BAD_QUERY ? "the query is not valid PQF"
                       : st == COPY_REFUSED ? "the target refused the search"
                       : st == COPY_TIMEOUT ? "the target did not answer in time"
                                            : "the target could not be reached";
    return ibc_fail(ctx, rc, "%s: %s", what, err);
}

/* copy_searches.create: body {target, query, limit?}. 201 {id, target,
 * query, total, format, records: [{position, record | error}]}; 400 for a bad
 * body or an unknown target; 422 when the target refused the query; 503 when
 * it cannot be reached, 504 when it does not answer in time. */
ibc_rc copy_searches_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const ibc_field fields[] = {
        {"target", IBC_F_STR, true, 1, 64},
        {"query", IBC_F_STR, true, 1, 1000},
        {"limit", IBC_F_INT, false, 1, COPY_LIMIT_MAX},
    };
    json_t *in = json_object();
    ibc_rc rc = ibc_validate(ctx, ibc_body(req), fields, IBC_LEN(fields), "", NULL, in);
    const char *name = json_string_value(json_object_get(in, "target"));
    const char *query = json_string_value(json_object_get(in, "query"));
    int limit =
        json_object_get(in, "limit") ? (int)json_integer_value(json_object_get(in, "limit")) : 10;
    const copy_target *t = rc == IBC_OK ? copy_target_find(name) : NULL;
    if (rc == IBC_OK && !t) {
        char names[512];
        copy_target_names(names, sizeof names);
        rc = ibc_fail(ctx, IBC_EINVAL, "target '%.64s' is not configured; configured: %s", name,
                      names[0] ? names : "none (IBC_COPY_TARGETS)");
    }
    copy_raw raws[COPY_LIMIT_MAX];
    int n = 0;
    long total = 0;
    char err[512];
    if (rc == IBC_OK) {
        copy_status st =
            copy_fetch(t, query, limit, timeout_s(ctx), &total, raws, &n, err, sizeof err);
        if (st != COPY_OK) rc = copy_failure(ctx, st, err);
    }
    json_t *recs = json_array();
    for (int i = 0; i < n; i++) {
        json_array_append_new(recs, decode(t, &raws[i], i + 1));
        free(raws[i].data);
    }
    char *text = rc == IBC_OK ? json_dumps(recs, JSON_COMPACT) : NULL;
    if (rc == IBC_OK)
        rc = store_copy_create(ctx, ctx->org, t->name, query, total, t->syntax, text, reply);
    free(text);
    json_decref(recs);
    json_decref(in);
    if (rc == IBC_OK)
        ibc_created(ctx, "/api/v1/catalog/copy-searches/%s",
                    json_string_value(json_object_get(*reply, "id")));
    return rc;
}

/* positions: 1..COPY_LIMIT_MAX whole numbers of 1..COPY_LIMIT_MAX, as "{1,3}". */
static ibc_rc positions_of(ibc_ctx *ctx, const json_t *body, char *out, size_t len)
{
    json_t *ps = json_object_get(body, "positions");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)body, k, v) if (strcmp(k, "positions") != 0) return ibc_fail(
        ctx, IBC_EINVAL, "field '%.40s' is not known; send {\"positions\": [1, 2]}", k);
    if (!json_is_array(ps) || json_array_size(ps) < 1 || json_array_size(ps) > COPY_LIMIT_MAX)
        return ibc_fail(ctx, IBC_EINVAL, "'positions' must be an array of 1 to %d positions",
                        COPY_LIMIT_MAX);
    size_t i, n = (size_t)snprintf(out, len, "{");
    json_array_foreach(ps, i, v)
    {
        json_int_t p = json_integer_value(v);
        if (!json_is_integer(v) || p < 1 || p > COPY_LIMIT_MAX)
            return ibc_fail(ctx, IBC_EINVAL, "'positions[%zu]' must be a position 1 to %d", i,
                            COPY_LIMIT_MAX);
        n += (size_t)snprintf(out + n, len - n, "%s%lld", i ? "," : "", (long long)p);
    }
    snprintf(out + n, len - n, "}");
    return IBC_OK;
}

/* The chosen records as one MARCXML collection (malloc'd), or NULL with a
 * failure for a position that is not a readable record of the search. */
static char *collection(ibc_ctx *ctx, const json_t *recs)
{
    size_t i, cap = 256;
    json_t *r;
    json_array_foreach(recs, i, r) cap += json_string_length(json_object_get(r, "marcxml")) + 1;
    char *xml = malloc(cap);
    if (!xml) return ibc_fail(ctx, IBC_ENOMEM, "out of memory"), NULL;
    size_t n = (size_t)snprintf(xml, cap,
                                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                "<collection xmlns=\"http://www.loc.gov/MARC21/slim\">\n");
    json_array_foreach(recs, i, r)
    {
        const char *m = json_string_value(json_object_get(r, "marcxml"));
        long pos = (long)json_integer_value(json_object_get(r, "position"));
        if (!m) {
            free(xml);
            return ibc_fail(ctx, IBC_EINVAL, "position %ld is %s", pos,
                            json_is_true(json_object_get(r, "found"))
                                ? "a record the target sent unreadable"
                                : "not a record of this search"),
                   NULL;
        }
        if (strncmp(m, "<?xml", 5) == 0 && strstr(m, "?>")) m = strstr(m, "?>") + 2;
        n += (size_t)snprintf(xml + n, cap - n, "%s\n", m);
    }
    snprintf(xml + n, cap - n, "</collection>\n");
    return xml;
}

/* copy_searches.import: body {positions: [..]}. 202 with the import job (and
 * Location), which creates or merges the records as any MARC import does;
 * 400 for bad positions, 404 for an unknown (or another school's, or a day
 * old) search. */
ibc_rc copy_searches_import(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"id", NULL};
    const char *id = NULL;
    char positions[COPY_LIMIT_MAX * 4 + 8];
    json_t *found = NULL;
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = ibc_req_id(ctx, req, "id", "copy search", &id);
    if (rc == IBC_OK && !json_is_object(ibc_body(req)))
        rc = ibc_fail(ctx, IBC_EINVAL, "the body must be {\"positions\": [1, 2]}");
    if (rc == IBC_OK) rc = positions_of(ctx, ibc_body(req), positions, sizeof positions);
    if (rc == IBC_OK)
        rc = store_copy_marcxml(ctx, id, ibc_role_network_wide(ctx) ? NULL : ctx->org, positions,
                                &found);
    char *xml = rc == IBC_OK ? collection(ctx, json_object_get(found, "records")) : NULL;
    if (rc == IBC_OK && !xml) rc = ctx->err;
    long count = 0;
    char err[300];
    if (rc == IBC_OK && !marc_sniff(xml, strlen(xml), MARC_XML, &count, err, sizeof err))
        rc = ibc_fail(ctx, IBC_EINTERNAL, "the kept records do not make MARCXML: %s", err);
    if (rc == IBC_OK)
        rc = store_import_create(ctx, json_string_value(json_object_get(found, "format")),
                                 "marcxml", "utf-8", NULL, xml, strlen(xml), count, reply);
    free(xml);
    json_decref(found);
    if (rc == IBC_OK)
        ibc_accepted(ctx, "/api/v1/catalog/imports/%s",
                     json_string_value(json_object_get(*reply, "id")));
    return rc;
}

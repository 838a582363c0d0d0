/* records.find: the fielded search of the Z39.50/SRU server (services/z3950),
 * not a REST route. Body {"query": tree (store_find.h), "offset", "limit",
 * "syntax"}. Replies {"total", "records": [{"id", "marcxml"?, "holdings", "dc"}]},
 * MARCXML in UTF-8 in the syntax asked for (the MARCXML kept at import when it
 * is still the record's, else built from the record as export builds it). */
#include "catalog.h"
#include "marc/marc_map.h"
#include "marc/marc_writer.h"
#include "store_find.h"

#include <string.h>

/* Turns one row's kept MARCXML or JSON into "marcxml" (or drops the record
 * from the answer with a warning when it cannot be written). */
static bool add_marcxml(ibc_ctx *ctx, marc_writer *w, const char *syntax, json_t *rec)
{
    const char *kept = json_string_value(json_object_get(rec, "kept"));
    json_t *js = json_object_get(rec, "json");
    const char *data = NULL;
    size_t len = 0;
    char err[200] = "no MARC";
    bool ok = false;
    if (kept) {
        ok = marc_writer_xml(w, kept, &data, &len, err, sizeof err);
    } else if (json_is_object(js)) {
        json_t *marc = strcmp(syntax, "rusmarc") == 0 ? marc_rusmarc_from_record(js, false)
                                                      : marc_from_record(js);
        ok = marc && marc_writer_json(w, marc, &data, &len, err, sizeof err);
        json_decref(marc);
    }
    if (ok)
        json_object_set_new(rec, "marcxml", json_stringn(data, len));
    else
        ibc_log(IBC_LOG_WARN, ctx->request_id, "find: record %s has no MARC: %s",
                json_string_value(json_object_get(rec, "id")), err);
    json_object_del(rec, "kept");
    json_object_del(rec, "json");
    json_object_del(rec, "own");
    return ok;
}

ibc_rc records_find(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    json_t *query = NULL;
    json_int_t offset = 0, limit = 0;
    const char *syntax = NULL;
    json_error_t e;
    if (json_unpack_ex((json_t *)ibc_body(req), &e, JSON_STRICT, "{s:o, s?:I, s?:I, s?:s}", "query",
                       &query, "offset", &offset, "limit", &limit, "syntax", &syntax) != 0)
        return ibc_fail(ctx, IBC_EINVAL, "the find request is wrong: %s", e.text);
    if (offset < 0 || offset > 100000000 || limit < 0 || limit > 100)
        return ibc_fail(ctx, IBC_EINVAL, "offset is 0 or more and limit 0 to 100");
    if (syntax && strcmp(syntax, "marc21") != 0 && strcmp(syntax, "rusmarc") != 0)
        return ibc_fail(ctx, IBC_EINVAL, "syntax is marc21 or rusmarc, not '%.20s'", syntax);
    json_t *res = NULL;
    ibc_rc rc = store_find(ctx, query, (long)offset, (long)limit, syntax, &res);
    if (rc != IBC_OK) return rc;
    json_t *recs = json_object_get(res, "records");
    marc_writer *w = syntax ? marc_writer_open(MARC_OUT_MARCXML, false) : NULL;
    if (syntax && !w) {
        json_decref(res);
        return ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    }
    size_t i;
    json_t *rec;
    json_array_foreach(recs, i, rec)
    {
        if (w)
            add_marcxml(ctx, w, syntax, rec);
        else {
            json_object_del(rec, "kept");
            json_object_del(rec, "json");
            json_object_del(rec, "own");
        }
    }
    marc_writer_close(w);
    *reply = res;
    return IBC_OK;
}

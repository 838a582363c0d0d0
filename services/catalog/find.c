/* records.find: the fielded search of the Z39.50/SRU server (services/z3950),
 * not a REST route. Body {"query": tree (store_find.h), "offset", "limit",
 * "syntax"}. Replies {"total", "records": [{"id", "marcxml"?, "holdings", "dc"}]};
 * with "ids_only": true {"total", "ids": [...]} (limit up to 1000), and with
 * "ids": [...] instead of a query {"records": [...]} for those records in
 * that order, null for one deleted or blocked since (a result set's present),
 * MARCXML in UTF-8 in the syntax asked for (the MARCXML kept at import when it
 * is still the record's, else built from the record as export builds it). */
#include "catalog.h"
#include "marc/marc_map.h"
#include "marc/marc_writer.h"
#include "store_find.h"

#include <stdio.h>
#include <stdlib.h>
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

/* "{id,id,...}" for the uuid[] parameter of ids (an array of UUIDs); NULL
 * with the failure set. Caller frees. */
static char *id_array(ibc_ctx *ctx, const json_t *ids)
{
    size_t n = json_array_size(ids);
    if (!json_is_array(ids) || n == 0 || n > 100) {
        ibc_fail(ctx, IBC_EINVAL, "ids is an array of 1 to 100 record ids");
        return NULL;
    }
    char *out = malloc(n * 37 + 2), *o = out;
    if (!out) {
        ibc_fail(ctx, IBC_ENOMEM, "out of memory");
        return NULL;
    }
    *o++ = '{';
    for (size_t i = 0; i < n; i++) {
        const char *id = json_string_value(json_array_get(ids, i));
        if (!id || !ibc_uuid_valid(id)) {
            free(out);
            ibc_fail(ctx, IBC_EINVAL, "ids[%zu] is not a record id", i);
            return NULL;
        }
        o += sprintf(o, "%s%s", i ? "," : "", id);
    }
    strcpy(o, "}");
    return out;
}

/* Turns the rows' kept MARCXML or JSON into "marcxml" in syntax (NULL: no
 * MARC wanted), dropping the working members. */
static ibc_rc write_marc(ibc_ctx *ctx, json_t *recs, const char *syntax)
{
    marc_writer *w = syntax ? marc_writer_open(MARC_OUT_MARCXML, false) : NULL;
    if (syntax && !w) return ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    size_t i;
    json_t *rec;
    json_array_foreach(recs, i, rec)
    {
        if (!json_is_object(rec)) continue; /* deleted since the search */
        if (w)
            add_marcxml(ctx, w, syntax, rec);
        else {
            json_object_del(rec, "kept");
            json_object_del(rec, "json");
            json_object_del(rec, "own");
        }
    }
    marc_writer_close(w);
    return IBC_OK;
}

ibc_rc records_find(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    json_t *query = NULL, *ids = NULL;
    json_int_t offset = 0, limit = 0;
    const char *syntax = NULL;
    int ids_only = 0;
    json_error_t e;
    if (json_unpack_ex((json_t *)ibc_body(req), &e, JSON_STRICT,
                       "{s?:o, s?:I, s?:I, s?:s, s?:b, s?:o}", "query", &query, "offset", &offset,
                       "limit", &limit, "syntax", &syntax, "ids_only", &ids_only, "ids", &ids) != 0)
        return ibc_fail(ctx, IBC_EINVAL, "the find request is wrong: %s", e.text);
    if (!query == !ids)
        return ibc_fail(ctx, IBC_EINVAL, "a find request has either a query or ids");
    if (offset < 0 || offset > 100000000 || limit < 0 || limit > (ids_only ? 1000 : 100))
        return ibc_fail(ctx, IBC_EINVAL, "offset is 0 or more and limit 0 to %d",
                        ids_only ? 1000 : 100);
    if (syntax && strcmp(syntax, "marc21") != 0 && strcmp(syntax, "rusmarc") != 0)
        return ibc_fail(ctx, IBC_EINVAL, "syntax is marc21 or rusmarc, not '%.20s'", syntax);
    if (ids_only && (syntax || ids))
        return ibc_fail(ctx, IBC_EINVAL, "ids_only goes with a query and no syntax");
    json_t *res = NULL;
    ibc_rc rc;
    if (ids) {
        char *list = id_array(ctx, ids);
        if (!list) return ctx->err;
        rc = store_find_ids(ctx, list, syntax, &res);
        free(list);
    } else {
        rc = store_find(ctx, query, (long)offset, (long)limit, syntax, ids_only, &res);
    }
    if (rc == IBC_OK && !ids_only) rc = write_marc(ctx, json_object_get(res, "records"), syntax);
    if (rc != IBC_OK) {
        json_decref(res);
        return rc;
    }
    *reply = res;
    return IBC_OK;
}

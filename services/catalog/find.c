/* records.find: the fielded search of the Z39.50/SRU server (services/z3950),
 * not a REST route. Body {"query": tree (store_find.h), "offset", "limit",
 * "syntax", "form"}. Replies {"total", "records": [{"id", "marcxml"?,
 * "holdings", "dc"}]}; with "ids_only": true {"total", "ids": [...]} (limit
 * up to 1000; with "exact_up_to": N a lone word's or prefix's total is exact
 * up to N and estimated beyond, "estimated": true, as store_find says), and
 * with "ids": [...] instead of a query {"records": [...]} for those records in
 * that order, null for one deleted or blocked since (a result set's present).
 * The MARC is in UTF-8 in the syntax asked for (the MARCXML kept at import
 * when it is still the record's, else built from the record as export
 * builds it). "form" says what a record carries, so that nobody builds what
 * the client will not see: all (no form: MARCXML, holdings and Dublin Core),
 * marcxml, iso2709 (the record as ISO 2709 in "iso2709", what a Z39.50
 * USMARC or RUSMARC present hands out), opac (iso2709 and holdings), dc. */
#include "catalog.h"
#include "marc/marc_map.h"
#include "marc/marc_writer.h"
#include "store_find.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The forms a record comes in: the MARC member written (NULL: none), in
 * what, and the parts of find_holdings and Dublin Core wanted (store_find) */
typedef struct {
    const char *name, *member;
    marc_out out;
    const char *parts;
} find_form;
static const find_form forms[] = {
    {"all", "marcxml", MARC_OUT_MARCXML, "hd"}, /* no "form": what every reader needs */
    {"marcxml", "marcxml", MARC_OUT_MARCXML, ""}, {"iso2709", "iso2709", MARC_OUT_ISO2709, ""},
    {"opac", "iso2709", MARC_OUT_ISO2709, "h"},   {"dc", NULL, MARC_OUT_MARCXML, "d"},
};

/* Turns one row's kept MARCXML or JSON into the form's MARC member (or
 * drops the record's MARC with a warning when it cannot be written). */
static bool add_marc(ibc_ctx *ctx, marc_writer *w, const char *syntax, const find_form *f,
                     json_t *rec)
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
    /* ISO 2709 goes into a JSON string as it is: UTF-8, its separators escaped */
    json_t *v = ok ? json_stringn(data, len) : NULL;
    if (v)
        json_object_set_new(rec, f->member, v);
    else
        ibc_log(IBC_LOG_WARN, ctx->request_id, "find: record %s has no MARC: %s",
                json_string_value(json_object_get(rec, "id")), ok ? "not UTF-8" : err);
    json_object_del(rec, "kept");
    json_object_del(rec, "json");
    json_object_del(rec, "own");
    return v != NULL;
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

/* Turns the rows' kept MARCXML or JSON into the form's MARC in syntax
 * (NULL: no MARC wanted), dropping the working members. */
static ibc_rc write_marc(ibc_ctx *ctx, json_t *recs, const char *syntax, const find_form *f)
{
    marc_writer *w = syntax && f->member ? marc_writer_open(f->out, false) : NULL;
    if (syntax && f->member && !w) return ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    size_t i;
    json_t *rec;
    json_array_foreach(recs, i, rec)
    {
        if (!json_is_object(rec)) continue; /* deleted since the search */
        if (w)
            add_marc(ctx, w, syntax, f, rec);
        else {
            json_object_del(rec, "kept");
            json_object_del(rec, "json");
            json_object_del(rec, "own");
        }
    }
    marc_writer_close(w);
    return IBC_OK;
}

/* What a records.find request asks for (find_request). */
typedef struct {
    json_t *query, *ids;
    json_int_t offset, limit, exact;
    const char *syntax;
    const find_form *form;
    int ids_only;
} find_req;

/* Reads and checks a records.find body into r. */
static ibc_rc find_request(ibc_ctx *ctx, const json_t *req, find_req *r)
{
    const char *form = "all";
    json_error_t e;
    *r = (find_req){.exact = 2147483647};
    if (json_unpack_ex((json_t *)ibc_body(req), &e, JSON_STRICT,
                       "{s?:o, s?:I, s?:I, s?:s, s?:b, s?:o, s?:I, s?:s}", "query", &r->query,
                       "offset", &r->offset, "limit", &r->limit, "syntax", &r->syntax, "ids_only",
                       &r->ids_only, "ids", &r->ids, "exact_up_to", &r->exact, "form", &form) != 0)
        return ibc_fail(ctx, IBC_EINVAL, "the find request is wrong: %s", e.text);
    if (!r->query == !r->ids)
        return ibc_fail(ctx, IBC_EINVAL, "a find request has either a query or ids");
    int most = r->ids_only ? 1000 : 100;
    if (r->offset < 0 || r->offset > 100000000 || r->limit < 0 || r->limit > most)
        return ibc_fail(ctx, IBC_EINVAL, "offset is 0 or more and limit 0 to %d", most);
    if (r->exact < 1 || r->exact > 2147483647)
        return ibc_fail(ctx, IBC_EINVAL, "exact_up_to is 1 to 2147483647");
    if (r->syntax && strcmp(r->syntax, "marc21") != 0 && strcmp(r->syntax, "rusmarc") != 0)
        return ibc_fail(ctx, IBC_EINVAL, "syntax is marc21 or rusmarc, not '%.20s'", r->syntax);
    if (r->ids_only && (r->syntax || r->ids))
        return ibc_fail(ctx, IBC_EINVAL, "ids_only goes with a query and no syntax");
    for (size_t i = 0; i < IBC_LEN(forms) && !r->form; i++)
        if (strcmp(form, forms[i].name) == 0) r->form = &forms[i];
    if (!r->form)
        return ibc_fail(ctx, IBC_EINVAL, "form is all, marcxml, iso2709, opac or dc, not '%.20s'",
                        form);
    if (!r->form->member) r->syntax = NULL; /* no MARC: no record JSON either */
    return IBC_OK;
}

ibc_rc records_find(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    find_req r;
    if (find_request(ctx, req, &r) != IBC_OK) return ctx->err;
    json_t *res = NULL;
    ibc_rc rc;
    if (r.ids) {
        char *list = id_array(ctx, r.ids);
        if (!list) return ctx->err;
        rc = store_find_ids(ctx, list, r.syntax, r.form->parts, &res);
        free(list);
    } else {
        rc = store_find(ctx, r.query, (long)r.offset, (long)r.limit, r.syntax, r.form->parts,
                        r.ids_only, (long)r.exact, &res);
    }
    if (rc == IBC_OK && !r.ids_only)
        rc = write_marc(ctx, json_object_get(res, "records"), r.syntax, r.form);
    if (rc != IBC_OK) {
        json_decref(res);
        return rc;
    }
    *reply = res;
    return IBC_OK;
}

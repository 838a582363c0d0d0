/* export: the catalog (or what the search filters select) as MARC, streamed.
 * syntax chooses RUSMARC or MARC21 for every record; without it each record
 * leaves in its own MARC. An imported record whose MARC is the one asked for
 * leaves as the MARCXML kept at import unless it was edited since; any other
 * is built from its fields. charset: UTF-8 or CP1251. One REPEATABLE READ
 * snapshot for the whole export, pages of PAGE records in id order. */
#include "marc.h"
#include "marc_map.h"
#include "marc_store.h"
#include "marc_writer.h"
#include "../params.h"
#include "../extremist/extremist.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 500

/* Reads the output format and the search's filters. IBC_EINVAL naming the
 * first bad parameter. */
/* What an export writes. */
typedef struct {
    marc_out out;
    const char *syntax; /* "rusmarc", "marc21" or NULL: each record's own */
    bool cp1251;
} export_spec;

static ibc_rc parse(ibc_ctx *ctx, const json_t *req, export_spec *spec, export_filter *f)
{
    static const char *const allowed[] = {"format", "syntax",    "charset",   "q",       "type",
                                          "school", "available", "year_from", "year_to", "age_max",
                                          "grade",  "subject",   "language",  NULL};
    static const char *const syntaxes[] = {"rusmarc", "marc21", NULL};
    static const char *const charsets[] = {"utf-8", "cp1251", NULL};
    const char *format = ibc_param(req, "format"), *charset = NULL;
    marc_out *out = &spec->out;
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    spec->syntax = NULL;
    if (rc == IBC_OK && ibc_param(req, "syntax"))
        rc = param_choice(ctx, req, "syntax", syntaxes, NULL, &spec->syntax);
    if (rc == IBC_OK) rc = param_choice(ctx, req, "charset", charsets, "utf-8", &charset);
    if (rc != IBC_OK) return rc;
    spec->cp1251 = strcmp(charset, "cp1251") == 0;
    if (!format)
        return ibc_fail(ctx, IBC_EINVAL,
                        "parameter 'format' is required: one of iso2709, marcxml, json");
    if (strcmp(format, "iso2709") == 0)
        *out = MARC_OUT_ISO2709;
    else if (strcmp(format, "marcxml") == 0)
        *out = MARC_OUT_MARCXML;
    else if (strcmp(format, "json") == 0)
        *out = MARC_OUT_JSON;
    else
        return ibc_fail(ctx, IBC_EINVAL,
                        "parameter 'format' must be one of iso2709, marcxml, json, not '%.40s'",
                        format);
    return params_record_filter(ctx, req, f);
}

/* Writes one page's records; *last gets the last id. Records that cannot be
 * written are skipped and counted in *skipped (and logged). */
static ibc_rc write_page(ibc_ctx *ctx, marc_writer *w, const export_spec *spec, PGresult *page,
                         char last[37], long *skipped)
{
    for (int i = 0; i < PQntuples(page); i++) {
        snprintf(last, 37, "%s", PQgetvalue(page, i, 0));
        const char *data = NULL;
        size_t len = 0;
        char err[200];
        bool ok;
        if (!PQgetisnull(page, i, 1)) {
            ok = marc_writer_xml(w, PQgetvalue(page, i, 1), &data, &len, err, sizeof err);
        } else {
            json_t *rec = json_loadb(PQgetvalue(page, i, 2), PQgetlength(page, i, 2), 0, NULL);
            /* the syntax asked for, else the record's own (MARC21 when it has none) */
            const char *own = PQgetisnull(page, i, 3) ? "marc21" : PQgetvalue(page, i, 3);
            bool rus = strcmp(spec->syntax ? spec->syntax : own, "rusmarc") == 0;
            json_t *marc = !rec  ? NULL
                           : rus ? marc_rusmarc_from_record(rec, spec->cp1251)
                                 : marc_from_record(rec);
            ok = marc && marc_writer_json(w, marc, &data, &len, err, sizeof err);
            if (!marc) snprintf(err, sizeof err, "its JSON could not be read");
            json_decref(marc);
            json_decref(rec);
        }
        if (!ok) {
            (*skipped)++;
            ibc_log(IBC_LOG_WARN, ctx->request_id, "export skipped record %s: %s", last, err);
            continue;
        }
        ibc_rc rc = ibc_stream_write(ctx, data, len);
        if (rc != IBC_OK) return rc;
    }
    return IBC_OK;
}

/* export: streams the records as format (iso2709, marcxml, json) with the
 * search's filters. 400 naming a bad parameter before anything is sent. */
ibc_rc records_export(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    *reply = NULL;
    export_spec spec = {MARC_OUT_MARCXML, NULL, false};
    export_filter f;
    ibc_rc rc = parse(ctx, req, &spec, &f);
    marc_out out = spec.out;
    if (rc != IBC_OK) return rc;
    /* blocked records (the federal list) leave the export of a school's roles */
    rc = extremist_search_scope(ctx);
    if (rc != IBC_OK) return rc;
    rc = ibc_tx_begin(ctx, "ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (rc != IBC_OK) return rc;
    marc_writer *w = marc_writer_open(out, spec.cp1251);
    PGresult *page = w ? store_export_page(ctx, &f, spec.syntax, NULL, PAGE)
                       : (ibc_fail(ctx, IBC_ENOMEM, "out of memory"), NULL);
    if (!page) {
        marc_writer_close(w);
        ibc_tx_rollback(ctx);
        return ctx->err;
    }
    static const char *const names[] = {"catalog.mrc", "catalog.xml", "catalog.json"};
    char disp[80];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", names[out]);
    ibc_set_header(ctx, "Content-Disposition", disp);
    rc = ibc_stream_begin(ctx, 200, marc_out_content_type(out));
    const char *head = marc_writer_head(out, spec.cp1251);
    if (rc == IBC_OK && *head) rc = ibc_stream_write(ctx, head, strlen(head));
    char last[37] = "";
    long skipped = 0, total = 0;
    while (rc == IBC_OK && page) {
        int n = PQntuples(page);
        total += n;
        rc = write_page(ctx, w, &spec, page, last, &skipped);
        PQclear(page);
        page = NULL;
        if (rc == IBC_OK && n == PAGE) {
            page = store_export_page(ctx, &f, spec.syntax, last, PAGE);
            if (!page) rc = ctx->err;
        }
    }
    PQclear(page);
    const char *tail = marc_writer_tail(out);
    if (rc == IBC_OK && *tail) rc = ibc_stream_write(ctx, tail, strlen(tail));
    if (rc == IBC_OK) rc = ibc_stream_end(ctx);
    if (rc == IBC_OK)
        rc = ibc_tx_commit(ctx);
    else
        ibc_tx_rollback(ctx);
    marc_writer_close(w);
    if (skipped)
        ibc_log(IBC_LOG_WARN, ctx->request_id, "export wrote %ld records, skipped %ld",
                total - skipped, skipped);
    return rc;
}

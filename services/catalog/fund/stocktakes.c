/* Stocktaking (проверка фонда): open a check of a school's fund (whole, or
 * one kind or BBK section), send the barcodes read on the shelves (one, or
 * a scanner's file of tens of thousands in one request), close it for the
 * report of what is missing, on loan, and found but not expected. */
#include "fund.h"
#include "store_fund.h"

#include <ibc/envelope.h>
#include <ibc/request.h>
#include <ibc/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lines one scans request may carry. */
#define SCAN_MAX_LINES 50000

static const char *const kinds[] = {"books", "textbooks", "e_resources", "periodicals", NULL};

/* stocktakes.create: body {school?, kind?, section?, note?}. 201 with the
 * open check; 409 while the same part of the school's fund has one open.
 * Emits catalog.stocktake.opened. */
ibc_rc stocktakes_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const ibc_field fields[] = {
        {"school", IBC_F_STR, false, 1, 64},
        {"kind", IBC_F_ENUM, false, 0, 0, kinds},
        {"section", IBC_F_STR, false, 1, 8},
        {"note", IBC_F_STR, false, 1, 2000},
    };
    json_t *p = json_object();
    const char *school = NULL;
    const json_t *body = ibc_body(req) ? ibc_body(req) : json_object();
    ibc_rc rc = ibc_validate(ctx, body, fields, IBC_LEN(fields), "", NULL, p);
    if (!ibc_body(req)) json_decref((json_t *)body);
    if (rc == IBC_OK)
        rc = fund_school(ctx, json_string_value(json_object_get(p, "school")), &school);
    if (rc == IBC_OK) rc = store_stocktake_open(ctx, school, p, reply);
    if (rc == IBC_OK)
        rc = ibc_emit(
            ctx, "stocktake", "opened", json_string_value(json_object_get(*reply, "id")),
            json_pack("{s:O, s:s, s:O, s:O}", "id", json_object_get(*reply, "id"), "school", school,
                      "kind", json_object_get(p, "kind") ? json_object_get(p, "kind") : json_null(),
                      "section",
                      json_object_get(p, "section") ? json_object_get(p, "section") : json_null()));
    if (rc == IBC_OK)
        ibc_created(ctx, "/api/v1/catalog/stocktakes/%s",
                    json_string_value(json_object_get(*reply, "id")));
    json_decref(p);
    return rc;
}

/* The stocktake of the path, which the caller may see (404 otherwise) and,
 * when `manage`, act on; locked when manage. *st new reference. */
static ibc_rc stocktake_of(ibc_ctx *ctx, const json_t *req, bool manage, json_t **st)
{
    const char *id;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "stocktake", &id);
    if (rc == IBC_OK) rc = store_stocktake_get(ctx, id, manage, st);
    if (rc == IBC_OK) rc = fund_may_read(ctx, *st, "stocktake", id);
    if (rc == IBC_OK && manage) {
        const char *school;
        rc = fund_school(ctx, json_string_value(json_object_get(*st, "school")), &school);
    }
    if (rc == IBC_OK && manage &&
        strcmp(json_string_value(json_object_get(*st, "state")), "open") != 0)
        rc = ibc_fail(ctx, IBC_ECONFLICT, "stocktake %s is closed", id);
    return rc;
}

/* stocktakes.get: 200 with the check (and its report once closed). */
ibc_rc stocktakes_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    return stocktake_of(ctx, req, false, reply);
}

/* True when s is 1-64 printable ASCII characters without blanks. */
static bool barcode_ok(const char *s, size_t n)
{
    if (n == 0 || n > 64) return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f) return false;
    return true;
}

typedef struct {
    json_t *barcodes, *lines, *rejected; /* new references */
    long nlines;
} scan_input;

/* Takes one line (its first field, before ';', ',' or a tab, blanks trimmed). */
static void scan_line(scan_input *in, const char *s, size_t n)
{
    in->nlines++;
    size_t end = strcspn(s, ";,\t");
    if (end < n) n = end;
    while (n > 0 && (s[0] == ' ' || s[0] == '"'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '"'))
        n--;
    if (n == 0) return; /* an empty line is no scan */
    if (!barcode_ok(s, n)) {
        json_array_append_new(
            in->rejected,
            json_pack("{s:I, s:s}", "line", (json_int_t)in->nlines, "reason",
                      n > 64 ? "longer than 64 characters" : "not printable ASCII without blanks"));
        return;
    }
    json_array_append_new(in->barcodes, json_stringn(s, n));
    json_array_append_new(in->lines, json_integer(in->nlines));
}

/* A scanner's file: one barcode a line (text, UTF-8 or ASCII). */
static ibc_rc scan_text(ibc_ctx *ctx, const char *data, size_t len, scan_input *in)
{
    if (memchr(data, 0, len) || !ibc_utf8_valid(data, len))
        return ibc_fail(ctx, IBC_EINVAL, "the file is not text: send one barcode a line");
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) data += 3, len -= 3;
    for (size_t at = 0; at < len && in->nlines < SCAN_MAX_LINES + 1;) {
        const char *nl = memchr(data + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (data + at)) : len - at;
        scan_line(in, data + at, n);
        at += n + 1;
    }
    return IBC_OK;
}

/* JSON {"barcodes": [...]}: each item one line. */
static ibc_rc scan_json(ibc_ctx *ctx, const char *data, size_t len, scan_input *in)
{
    json_error_t err;
    json_t *body = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
    const json_t *list = json_object_get(body, "barcodes");
    ibc_rc rc = IBC_OK;
    if (!json_is_object(body) || json_object_size(body) != 1 || !json_is_array(list))
        rc = ibc_fail(ctx, IBC_EINVAL, "the JSON body must be {\"barcodes\": [\"...\", ...]}");
    size_t i;
    json_t *b;
    json_array_foreach(list, i, b)
    {
        if (rc != IBC_OK || in->nlines > SCAN_MAX_LINES) break;
        if (!json_is_string(b))
            rc = ibc_fail(ctx, IBC_EINVAL, "'barcodes[%zu]' must be a string", i);
        else
            scan_line(in, json_string_value(b), json_string_length(b));
    }
    json_decref(body);
    return rc;
}

/* Reads the raw body of a scans request into in. */
static ibc_rc scan_body(ibc_ctx *ctx, const json_t *body, scan_input *in)
{
    const char *b64 = json_string_value(json_object_get(body, "base64"));
    const char *type = json_string_value(json_object_get(body, "content_type"));
    if (!b64 || !*b64)
        return ibc_fail(ctx, IBC_EINVAL,
                        "the body is empty: send the barcodes one a line (text/plain) or as "
                        "{\"barcodes\": [...]}");
    size_t len = 0;
    unsigned char *data = ibc_base64_decode(b64, strlen(b64), &len);
    if (!data) return ibc_fail(ctx, IBC_EINVAL, "the body could not be decoded");
    bool json = type && (strncmp(type, "application/json", 16) == 0);
    bool text = type && (strncmp(type, "text/", 5) == 0 ||
                         strncmp(type, "application/octet-stream", 24) == 0);
    ibc_rc rc = json   ? scan_json(ctx, (const char *)data, len, in)
                : text ? scan_text(ctx, (const char *)data, len, in)
                       : ibc_fail(ctx, IBC_EUNSUPPORTED,
                                  "send the barcodes as text/plain (one a line) or as "
                                  "application/json, not %.60s",
                                  type ? type : "without a Content-Type");
    free(data);
    if (rc == IBC_OK && in->nlines > SCAN_MAX_LINES)
        rc = ibc_fail(ctx, IBC_ETOOBIG,
                      "one request carries at most %d lines; send the rest in "
                      "another",
                      SCAN_MAX_LINES);
    if (rc == IBC_OK && json_array_size(in->barcodes) == 0)
        rc = ibc_fail(ctx, IBC_EINVAL, "no line of the body holds a barcode");
    return rc;
}

/* stocktakes.scan: the body is the barcodes read (text, one a line, or
 * JSON). 200 {lines, recorded, repeated, rejected, notes, not_expected}:
 * lines that hold no barcode are rejected (each named), barcodes the check
 * does not expect are recorded and noted (unknown, other_school,
 * written_off, out_of_scope); 409 once the check is closed. */
ibc_rc stocktakes_scan(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    json_t *st = NULL;
    scan_input in = {json_array(), json_array(), json_array(), 0};
    ibc_rc rc = stocktake_of(ctx, req, true, &st);
    if (rc == IBC_OK) rc = scan_body(ctx, ibc_body(req), &in);
    if (rc == IBC_OK)
        rc = store_stocktake_scan(ctx, json_string_value(json_object_get(st, "id")), in.barcodes,
                                  in.lines, reply);
    if (rc == IBC_OK) {
        json_object_set_new(*reply, "lines", json_integer(in.nlines));
        json_object_set(*reply, "rejected", in.rejected);
    }
    json_decref(st);
    json_decref(in.barcodes);
    json_decref(in.lines);
    json_decref(in.rejected);
    return rc;
}

/* stocktakes.close: 200 with the closed check and its report; 409 when it
 * was closed. Emits catalog.stocktake.closed with the counts. */
ibc_rc stocktakes_close(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    json_t *st = NULL;
    ibc_rc rc = stocktake_of(ctx, req, true, &st);
    const char *id = json_string_value(json_object_get(st, "id"));
    if (rc == IBC_OK) rc = store_stocktake_close(ctx, id, reply);
    if (rc == IBC_OK) {
        const json_t *rep = json_object_get(*reply, "report");
        rc = ibc_emit(
            ctx, "stocktake", "closed", id,
            json_pack("{s:s, s:O, s:O, s:O, s:O, s:O, s:O}", "id", id, "school",
                      json_object_get(*reply, "school"), "expected",
                      json_object_get(rep, "expected"), "found", json_object_get(rep, "found"),
                      "missing", json_object_get(json_object_get(rep, "missing"), "copies"),
                      "on_loan", json_object_get(json_object_get(rep, "on_loan"), "copies"),
                      "not_expected",
                      json_object_get(json_object_get(rep, "not_expected"), "copies")));
    }
    json_decref(st);
    return rc;
}

/* 152-ФЗ: the audit log of readers' personal data (audit.h): the rows that
 * reads and changes write, and the log as an admin or a school reads it, as
 * JSON or CSV. */
#include "audit.h"
#include "circulation.h"

#include <ibc/json.h>
#include <ibc/report.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* what of a reader is personal data, in the order the log names them */
static const char *const personal[] = {"name",     "card_barcode", "birth_date", "class",
                                       "consents", "loans",        NULL};
static const char *const actions[] = {"read",   "list",    "export",    "create", "update",
                                      "delete", "consent", "anonymise", NULL};

json_t *audit_fields_of(const json_t *reader)
{
    json_t *out = json_array();
    for (const char *const *f = personal; *f; f++)
        if (json_object_get(reader, *f)) json_array_append_new(out, json_string(*f));
    return out;
}

json_t *audit_fields_of_list(const json_t *readers)
{
    json_t *out = json_array();
    for (const char *const *f = personal; *f; f++) {
        size_t i;
        json_t *r;
        bool shown = false;
        json_array_foreach(readers, i, r) shown = shown || json_object_get(r, *f);
        if (shown) json_array_append_new(out, json_string(*f));
    }
    return out;
}

json_t *audit_named(const json_t *readers)
{
    json_t *out = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(readers, i, r) if (json_object_get(r, "name")) json_array_append(out, r);
    return out;
}

ibc_rc audit_readers(ibc_ctx *ctx, const char *action, const json_t *readers, const json_t *fields)
{
    if (json_array_size(readers) == 0) return IBC_OK;
    json_t *who = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(readers, i, r)
        json_array_append_new(who, json_pack("{s:O, s:O}", "id", json_object_get(r, "id"), "school",
                                             json_object_get(r, "school")));
    char *w = json_dumps(who, JSON_COMPACT), *f = json_dumps(fields, JSON_COMPACT);
    json_decref(who);
    /* a job has no caller: it logs as itself */
    char job[96];
    snprintf(job, sizeof job, "job:%s", ctx->action ? ctx->action : "?");
    const char *principal = ctx->principal && *ctx->principal ? ctx->principal : job;
    const char *role = ctx->role && *ctx->role ? ctx->role : "system";
    ibc_rc rc = w && f ? store_audit_append(ctx, principal, role, action, w, f)
                       : ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    free(w);
    free(f);
    return rc;
}

ibc_rc audit_names_shown(ibc_ctx *ctx, const json_t *rows, const char *school)
{
    json_t *who = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        const json_t *id = json_object_get(r, "reader_id");
        if (json_object_get(r, "name") && id)
            json_array_append_new(who, json_pack("{s:O, s:s}", "id", id, "school", school));
    }
    json_t *fields = json_pack("[s]", "name");
    ibc_rc rc = audit_readers(ctx, "list", who, fields);
    json_decref(fields);
    json_decref(who);
    return rc;
}

ibc_rc audit_reader(ibc_ctx *ctx, const char *action, const char *id, const char *school,
                    const json_t *fields)
{
    json_t *one = json_pack("[{s:s, s:s}]", "id", id, "school", school);
    ibc_rc rc = audit_readers(ctx, action, one, fields);
    json_decref(one);
    return rc;
}

/* Reads the filters of audit.list into *f; 400 naming a bad one, 403 for a
 * school not the caller's, 404 for a reader the school never had. */
static ibc_rc audit_params(ibc_ctx *ctx, const json_t *req, audit_filter *f, ibc_page *page)
{
    static const char *const allowed[] = {"school", "reader", "principal", "action", "from",
                                          "to",     "limit",  "offset",    "format", NULL};
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK && !ibc_role_is(ctx, "admin") && !ibc_role_is(ctx, "librarian"))
        rc = ibc_fail(ctx, IBC_EFORBIDDEN,
                      "the personal-data audit log is the admin's and each school's own");
    if (rc == IBC_OK) rc = caller_school(ctx, ibc_param(req, "school"), false, &f->school);
    if (rc == IBC_OK) rc = ibc_req_uuid(ctx, req, "reader", &f->reader);
    if (rc == IBC_OK) rc = ibc_req_text(ctx, req, "principal", 200, &f->principal);
    if (rc == IBC_OK) rc = ibc_req_enum(ctx, req, "action", actions, &f->action);
    if (rc == IBC_OK) rc = ibc_req_date(ctx, req, "from", &f->from);
    if (rc == IBC_OK) rc = ibc_req_date(ctx, req, "to", &f->to);
    if (rc == IBC_OK) rc = ibc_req_range(ctx, f->from, f->to);
    if (rc == IBC_OK) rc = ibc_req_page(ctx, req, CIRC_PAGE_DEFAULT, CIRC_PAGE_MAX, page);
    if (rc != IBC_OK || !f->reader || !f->school || ibc_role_is(ctx, "admin")) return rc;
    bool known = false;
    rc = store_audit_reader_known(ctx, f->reader, f->school, &known);
    if (rc == IBC_OK && !known)
        rc = ibc_fail(ctx, IBC_ENOTFOUND, "no reader of %s has id %s", f->school, f->reader);
    return rc;
}

static const ibc_col audit_cols[] = {
    {"№", IBC_COL_INT},         {"Время", IBC_COL_TEXT},       {"Кто", IBC_COL_TEXT},
    {"Роль", IBC_COL_TEXT},     {"Организация", IBC_COL_TEXT}, {"Запрос", IBC_COL_TEXT},
    {"Действие", IBC_COL_TEXT}, {"Школа", IBC_COL_TEXT},       {"Читатели", IBC_COL_TEXT},
    {"Поля", IBC_COL_TEXT},
};

/* A JSON array of strings as one text, joined by spaces (a new reference;
 * null when out of memory). */
static json_t *joined(const json_t *arr)
{
    size_t i, len = 0;
    json_t *v;
    json_array_foreach(arr, i, v) len += json_string_length(v) + 1;
    char *s = calloc(1, len + 1);
    if (!s) return json_null();
    json_array_foreach(arr, i, v)
    {
        if (i) strcat(s, " ");
        strcat(s, json_string_value(v));
    }
    json_t *out = json_string(s);
    free(s);
    return out;
}

/* The page of the log as CSV, one row a log row. */
static ibc_rc audit_csv(ibc_ctx *ctx, const json_t *page)
{
    json_t *rows = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(page, "items"), i, a)
    {
        static const char *const cols[] = {"seq", "at",         "principal", "role",
                                           "org", "request_id", "action",    "school"};
        json_t *row = json_array();
        for (size_t c = 0; c < IBC_LEN(cols); c++) {
            json_t *v = json_object_get(a, cols[c]);
            json_array_append(row, v ? v : json_null());
        }
        json_array_append_new(row, joined(json_object_get(a, "reader_ids")));
        json_array_append_new(row, joined(json_object_get(a, "fields")));
        json_array_append_new(rows, row);
    }
    ibc_sheet sheet = {"Журнал ПДн", audit_cols, IBC_LEN(audit_cols), rows};
    ibc_rc rc = ibc_report_reply(ctx, "csv", &sheet, 1, "pd-audit-log");
    json_decref(rows);
    return rc;
}

/* audit.list: ?school= (admin; a librarian's own), reader=, principal=,
 * action=, from=, to= (dates, inclusive), limit=, offset=, format=json|csv.
 * 200 with {items, total, limit, offset}, newest first, or the page as CSV.
 * A librarian sees their school's rows only. */
ibc_rc audit_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const formats[] = {"json", "csv", NULL};
    audit_filter f = {0};
    ibc_page page;
    const char *format = NULL;
    ibc_rc rc = audit_params(ctx, req, &f, &page);
    if (rc == IBC_OK) rc = ibc_req_enum(ctx, req, "format", formats, &format);
    if (rc != IBC_OK) return rc;
    f.limit = page.limit_text;
    f.offset = page.offset_text;
    rc = store_audit_list(ctx, &f, reply);
    if (rc == IBC_OK && format && strcmp(format, "csv") == 0) {
        rc = audit_csv(ctx, *reply);
        json_decref(*reply);
        *reply = NULL;
    }
    return rc;
}

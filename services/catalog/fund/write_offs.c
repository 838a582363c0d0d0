/* Write-off acts (акт списания): the copies listed leave the fund together,
 * or none does. A written-off copy keeps its row and history. Circulation
 * withdraws the copies inside the act's transaction (items.withdraw), so a
 * copy lent there a moment before the act refuses it and no checkout can
 * follow it; catalog.item.written_off then confirms the act there. */
#include "fund.h"
#include "store_fund.h"

#include <ibc/request.h>
#include <ibc/json.h>
#include <stdio.h>
#include <string.h>

#define WRITE_OFF_MAX_COPIES 20000

static const char *const reasons[] = {"worn",    "lost",           "outdated",
                                      "damaged", "lost_by_reader", NULL};

/* Validates the body into *p (new object): barcodes or a stocktake, not both. */
static ibc_rc write_off_valid(ibc_ctx *ctx, const json_t *body, json_t **p)
{
    static const ibc_field fields[] = {
        {"school", IBC_F_STR, false, 1, 64},
        {"number", IBC_F_STR, true, 1, 64},
        {"date", IBC_F_DATE, true},
        {"reason", IBC_F_ENUM, true, 0, 0, reasons},
        {"note", IBC_F_STR, false, 1, 2000},
        {"barcodes", IBC_F_STRARR, false, 1, WRITE_OFF_MAX_COPIES, NULL, 64},
        {"stocktake_id", IBC_F_UUID, false},
    };
    *p = json_object();
    ibc_rc rc = ibc_validate(ctx, body, fields, IBC_LEN(fields), "", NULL, *p);
    bool by_list = json_object_get(*p, "barcodes") != NULL;
    bool by_check = json_object_get(*p, "stocktake_id") != NULL;
    if (rc == IBC_OK)
        rc = fund_date_check(ctx, "date", json_string_value(json_object_get(*p, "date")));
    if (rc == IBC_OK && by_list == by_check)
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "name the copies either by 'barcodes' or as the missing copies of a closed "
                      "'stocktake_id', one of the two");
    return rc;
}

/* *barcodes = the missing copies of a closed stocktake of school, not yet
 * written off (new reference). */
static ibc_rc stocktake_missing(ibc_ctx *ctx, const char *id, const char *school, json_t **barcodes)
{
    json_t *st = NULL;
    ibc_rc rc = store_stocktake_get(ctx, id, true, &st);
    if (rc == IBC_OK && strcmp(json_string_value(json_object_get(st, "school")), school) != 0)
        rc = ibc_fail(ctx, IBC_EUNPROCESSABLE, "stocktake %s is a check of another school", id);
    if (rc == IBC_OK && strcmp(json_string_value(json_object_get(st, "state")), "closed") != 0)
        rc = ibc_fail(ctx, IBC_ECONFLICT, "stocktake %s is still open; close it first", id);
    if (rc == IBC_OK && json_object_get(st, "write_off_id"))
        rc = ibc_fail(ctx, IBC_ECONFLICT,
                      "the missing copies of stocktake %s were written off by act %s", id,
                      json_string_value(json_object_get(st, "write_off_id")));
    const json_t *items =
        json_object_get(json_object_get(json_object_get(st, "report"), "missing"), "items");
    if (rc == IBC_OK && json_array_size(items) == 0)
        rc = ibc_fail(ctx, IBC_ECONFLICT, "stocktake %s found no copy missing", id);
    if (rc == IBC_OK) {
        *barcodes = json_array();
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
            json_array_append(*barcodes, json_object_get(it, "barcode"));
    } else if (rc == IBC_ENOTFOUND)
        rc = ibc_fail(ctx, IBC_EUNPROCESSABLE, "'stocktake_id' names no stocktake: %s", id);
    json_decref(st);
    return rc;
}

/* The refusal of a list with problems: 409 when a copy's state forbids it
 * (on loan, written off), 422 when a barcode is wrong; every bad line is in
 * the problem's `problems` (the first 1000). */
static ibc_rc refuse(ibc_ctx *ctx, json_t *problems)
{
    size_t n = json_array_size(problems);
    bool state = false;
    size_t i;
    json_t *pr;
    json_array_foreach(problems, i, pr)
    {
        const char *what = json_string_value(json_object_get(pr, "problem"));
        state |= what && (strcmp(what, "on_loan") == 0 || strcmp(what, "written_off") == 0 ||
                          strcmp(what, "in_transfer") == 0);
    }
    json_t *first = json_array_get(problems, 0), *shown = json_array();
    for (size_t k = 0; k < n && k < 1000; k++)
        json_array_append(shown, json_array_get(problems, k));
    ctx->err_ext = json_pack("{s:o}", "problems", shown);
    return ibc_fail(ctx, state ? IBC_ECONFLICT : IBC_EUNPROCESSABLE,
                    "nothing was written off: %zu of the copies cannot be (the first: barcode %s, "
                    "%s); see 'problems'",
                    n, json_string_value(json_object_get(first, "barcode")),
                    json_string_value(json_object_get(first, "problem")));
}

/* Emits catalog.item.written_off per copy (with the act's date, the day the
 * statistics take the copy out of the fund) and catalog.write_off.created. */
static ibc_rc write_off_events(ibc_ctx *ctx, const json_t *act)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(act, "items"), i, it)
    {
        json_t *d = json_pack(
            "{s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(it, "id"), "record_id",
            json_object_get(it, "record_id"), "school", json_object_get(act, "school"), "barcode",
            json_object_get(it, "barcode"), "act", json_object_get(act, "number"), "reason",
            json_object_get(act, "reason"), "write_off_id", json_object_get(act, "id"));
        json_object_set(d, "written_off_on", json_object_get(act, "date"));
        ibc_rc rc =
            ibc_emit(ctx, "item", "written_off", json_string_value(json_object_get(it, "id")), d);
        if (rc != IBC_OK) return rc;
    }
    json_t *d = json_pack(
        "{s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(act, "id"), "school",
        json_object_get(act, "school"), "number", json_object_get(act, "number"), "date",
        json_object_get(act, "date"), "reason", json_object_get(act, "reason"), "copies",
        json_object_get(act, "copies"), "sum_kopecks", json_object_get(act, "sum_kopecks"));
    return ibc_emit(ctx, "write_off", "created", json_string_value(json_object_get(act, "id")), d);
}

/* Asks circulation to withdraw the act's copies (its items.withdraw, in this
 * transaction, under the locks a checkout takes there): a copy lent there a
 * moment ago, whose loan event the catalog has not heard yet, refuses the
 * act as on_loan (or in_transfer) with the act's other problems' shape. */
static ibc_rc withdraw_in_circulation(ibc_ctx *ctx, const json_t *act)
{
    json_t *items = json_array(), *res = NULL;
    size_t i;
    const json_t *it;
    json_array_foreach(json_object_get(act, "items"), i, it) json_array_append_new(
        items, json_pack("{s:O, s:O, s:O, s:O}", "id", json_object_get(it, "id"), "record_id",
                         json_object_get(it, "record_id"), "school", json_object_get(act, "school"),
                         "barcode", json_object_get(it, "barcode")));
    json_t *body =
        json_pack("{s:O, s:o}", "write_off_id", json_object_get(act, "id"), "items", items);
    ibc_rc rc = body ? ibc_call(ctx, "circulation.items.withdraw", NULL, body, &res, 15000)
                     : ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    if (rc != IBC_OK && rc != IBC_ENOMEM) {
        char why[256];
        snprintf(why, sizeof why, "%s", ctx->err_detail);
        rc = ibc_fail(ctx, rc == IBC_ETIMEOUT ? IBC_ETIMEOUT : IBC_EBUS,
                      "nothing was written off: circulation could not be asked whether the "
                      "copies are lent (%s)",
                      why);
    } else if (rc == IBC_OK && json_object_get(res, "problems")) {
        rc = refuse(ctx, json_object_get(res, "problems"));
    }
    json_decref(body);
    json_decref(res);
    return rc;
}

/* Undoes withdraw_in_circulation when the act is not kept after all; the
 * reconciling job there settles it when this call is lost too. */
static void restore_in_circulation(ibc_ctx *ctx, const json_t *act)
{
    ibc_rc err = ctx->err;
    json_t *ext = ctx->err_ext;
    char detail[sizeof ctx->err_detail];
    snprintf(detail, sizeof detail, "%s", ctx->err_detail);
    ctx->err_ext = NULL;
    json_t *body = json_pack("{s:O}", "write_off_id", json_object_get(act, "id")), *res = NULL;
    if (body && ibc_call(ctx, "circulation.items.restore", NULL, body, &res, 2000) != IBC_OK)
        ibc_log(IBC_LOG_WARN, ctx->request_id, "write-off %s not undone in circulation: %s",
                json_string_value(json_object_get(act, "id")), ctx->err_detail);
    json_decref(body);
    json_decref(res);
    json_decref(ctx->err_ext);
    ctx->err_ext = ext;
    ctx->err = err;
    snprintf(ctx->err_detail, sizeof ctx->err_detail, "%s", detail);
}

/* write_offs.create: body {number, date, reason, barcodes | stocktake_id}.
 * 201 with the act and its copies; 409 when a copy is on loan or already
 * written off, or the number is taken this year; 422 for an unknown barcode,
 * another school's copy or a barcode given twice (the problem lists every
 * bad line); nothing is written unless every copy can go. */
ibc_rc write_offs_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    json_t *p = NULL, *barcodes = NULL, *res = NULL;
    const char *school = NULL, *stocktake = NULL;
    ibc_rc rc = write_off_valid(ctx, ibc_body(req), &p);
    if (rc == IBC_OK)
        rc = fund_school(ctx, json_string_value(json_object_get(p, "school")), &school);
    if (rc == IBC_OK)
        rc = store_write_off_number_free(ctx, school,
                                         json_string_value(json_object_get(p, "number")),
                                         json_string_value(json_object_get(p, "date")));
    if (rc == IBC_OK && (stocktake = json_string_value(json_object_get(p, "stocktake_id"))))
        rc = stocktake_missing(ctx, stocktake, school, &barcodes);
    else if (rc == IBC_OK)
        barcodes = json_incref(json_object_get(p, "barcodes"));
    if (rc == IBC_OK) rc = store_write_off_accept(ctx, school, p, barcodes, &res);
    if (rc == IBC_OK && json_object_get(res, "problems"))
        rc = refuse(ctx, json_object_get(res, "problems"));
    const char *id = json_string_value(json_object_get(res, "id"));
    if (rc == IBC_OK && stocktake) rc = store_stocktake_written_off(ctx, stocktake, id);
    if (rc == IBC_OK) rc = store_write_off_get(ctx, id, reply);
    bool withdrawn = rc == IBC_OK && (rc = withdraw_in_circulation(ctx, *reply)) == IBC_OK;
    if (rc == IBC_OK) rc = write_off_events(ctx, *reply);
    if (rc != IBC_OK && withdrawn) restore_in_circulation(ctx, *reply);
    if (rc == IBC_OK)
        ibc_created(ctx, "/api/v1/catalog/write-offs/%s",
                    json_string_value(json_object_get(*reply, "id")));
    json_decref(p);
    json_decref(barcodes);
    json_decref(res);
    return rc;
}

/* write_offs.get: 200 with the act and its copies; 404 when unknown or
 * another school's (to a librarian). */
ibc_rc write_offs_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "write-off act", &id);
    if (rc == IBC_OK) rc = store_write_off_get(ctx, id, reply);
    if (rc == IBC_OK) rc = fund_may_read(ctx, *reply, "write-off act", id);
    return rc;
}

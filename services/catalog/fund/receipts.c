/* Receipts (акт / накладная поступления): accepting one creates its copies,
 * numbered in the school's inventory and given barcodes, in one transaction. */
#include "fund.h"
#include "store_fund.h"

#include <ibc/request.h>
#include <ibc/json.h>
#include <stdio.h>
#include <string.h>

/* The most copies one receipt may bring (a request must answer in time). */
#define RECEIPT_MAX_COPIES 20000

static const char *const sources[] = {"budget", "gift", "grant", "replacement", "exchange", NULL};

/* Checks lines[] of a receipt: 1..1000 objects {record_id, copies, price_kopecks}. */
static ibc_rc lines_valid(ibc_ctx *ctx, const json_t *lines)
{
    static const ibc_field line_fields[] = {
        {"record_id", IBC_F_UUID, true},
        {"copies", IBC_F_INT, true, 1, 10000},
        {"price_kopecks", IBC_F_INT, true, 0, 1000000000},
    };
    if (!json_is_array(lines) || json_array_size(lines) == 0 || json_array_size(lines) > 1000)
        return ibc_fail(ctx, IBC_EINVAL, "'lines' must be an array of 1 to 1000 lines");
    long copies = 0;
    size_t i;
    json_t *line;
    json_array_foreach(lines, i, line)
    {
        char where[32];
        snprintf(where, sizeof where, "lines[%zu].", i);
        json_t *tmp = json_object();
        ibc_rc rc = ibc_validate(ctx, line, line_fields, IBC_LEN(line_fields), where, NULL, tmp);
        json_decref(tmp);
        if (rc != IBC_OK) return rc;
        copies += (long)json_integer_value(json_object_get(line, "copies"));
    }
    if (copies > RECEIPT_MAX_COPIES)
        return ibc_fail(ctx, IBC_EINVAL,
                        "a receipt brings at most %d copies, not %ld; split it into several acts",
                        RECEIPT_MAX_COPIES, copies);
    return IBC_OK;
}

/* Validates the receipt body into *p (new object). */
static ibc_rc receipt_valid(ibc_ctx *ctx, const json_t *body, json_t **p)
{
    static const ibc_field fields[] = {
        {"school", IBC_F_STR, false, 1, 64},
        {"number", IBC_F_STR, true, 1, 64},
        {"date", IBC_F_DATE, true},
        {"source", IBC_F_ENUM, true, 0, 0, sources},
        {"grant_project_id", IBC_F_UUID, false},
        {"supplier", IBC_F_STR, false, 1, 500},
        {"note", IBC_F_STR, false, 1, 2000},
        {"lines", IBC_F_ANY, true},
    };
    *p = json_object();
    ibc_rc rc = ibc_validate(ctx, body, fields, IBC_LEN(fields), "", NULL, *p);
    const char *source = json_string_value(json_object_get(*p, "source"));
    bool project = json_object_get(*p, "grant_project_id") != NULL;
    if (rc == IBC_OK)
        rc = fund_date_check(ctx, "date", json_string_value(json_object_get(*p, "date")));
    if (rc == IBC_OK && strcmp(source, "grant") == 0 && !project)
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "'grant_project_id' is required when the source is a grant: name the "
                      "project that paid");
    if (rc == IBC_OK && strcmp(source, "grant") != 0 && project)
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "'grant_project_id' belongs only to a receipt whose source is grant");
    if (rc == IBC_OK) rc = lines_valid(ctx, json_object_get(*p, "lines"));
    return rc;
}

/* Emits catalog.item.created for each new copy (with the receipt, its source
 * and date, which the statistics count the fund by) and catalog.receipt.accepted. */
static ibc_rc receipt_events(ibc_ctx *ctx, const json_t *receipt)
{
    const char *school = json_string_value(json_object_get(receipt, "school"));
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(receipt, "items"), i, it)
    {
        json_t *d = json_deep_copy(it);
        json_object_set_new(d, "school", json_string(school));
        json_object_set_new(d, "status", json_string("available"));
        json_object_set(d, "receipt_id", json_object_get(receipt, "id"));
        json_object_set(d, "receipt_source", json_object_get(receipt, "source"));
        json_object_set(d, "received_on", json_object_get(receipt, "date"));
        ibc_rc rc =
            ibc_emit(ctx, "item", "created", json_string_value(json_object_get(it, "id")), d);
        if (rc != IBC_OK) return rc;
    }
    json_t *d = json_pack(
        "{s:O, s:s, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(receipt, "id"), "school",
        school, "number", json_object_get(receipt, "number"), "date",
        json_object_get(receipt, "date"), "source", json_object_get(receipt, "source"), "copies",
        json_object_get(receipt, "copies"), "sum_kopecks", json_object_get(receipt, "sum_kopecks"));
    json_t *project = json_object_get(receipt, "grant_project_id");
    if (project) json_object_set(d, "grant_project_id", project);
    return ibc_emit(ctx, "receipt", "accepted", json_string_value(json_object_get(receipt, "id")),
                    d);
}

/* receipts.create: body = receipt. 201 with the receipt, its lines and the
 * new copies (inventory numbers and barcodes); 403 for another school's
 * receipt (librarian); 409 for a number the school used this year; 422 for
 * a line naming no record. Emits catalog.item.created per copy and
 * catalog.receipt.accepted. */
ibc_rc receipts_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    json_t *p = NULL;
    const char *school = NULL;
    long missing = 0;
    ibc_rc rc = receipt_valid(ctx, ibc_body(req), &p);
    if (rc == IBC_OK)
        rc = fund_school(ctx, json_string_value(json_object_get(p, "school")), &school);
    if (rc == IBC_OK) rc = store_receipt_missing_record(ctx, json_object_get(p, "lines"), &missing);
    if (rc == IBC_OK && missing > 0)
        rc = ibc_fail(ctx, IBC_EUNPROCESSABLE,
                      "'lines[%ld].record_id' names no record of the catalog", missing - 1);
    if (rc == IBC_OK)
        rc = store_receipt_number_free(ctx, school, json_string_value(json_object_get(p, "number")),
                                       json_string_value(json_object_get(p, "date")));
    if (rc == IBC_OK) rc = store_receipt_accept(ctx, school, p, reply);
    if (rc == IBC_OK) rc = receipt_events(ctx, *reply);
    if (rc == IBC_OK)
        ibc_created(ctx, "/api/v1/catalog/receipts/%s",
                    json_string_value(json_object_get(*reply, "id")));
    json_decref(p);
    return rc;
}

/* receipts.get: 200 with the receipt and its lines; 404 when unknown or
 * another school's (to a librarian). */
ibc_rc receipts_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "receipt", &id);
    if (rc == IBC_OK) rc = store_receipt_get(ctx, id, reply);
    if (rc == IBC_OK) rc = fund_may_read(ctx, *reply, "receipt", id);
    return rc;
}

/* The MARC import actions: submit a file as a job, read a job's progress and
 * report, list jobs. The work itself runs in marc_import.c. */
#include "marc.h"
#include "marc_reader.h"
#include "marc_store.h"
#include "../params.h"

#include <ibc/envelope.h>
#include <ibc/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const formats[] = {"rusmarc", "marc21", NULL};
static const char *const charsets[] = {"utf-8", "cp1251", "marc-8", NULL};

/* ISO 2709 or MARCXML from the body's media type; IBC_EUNSUPPORTED otherwise. */
static ibc_rc syntax_of(ibc_ctx *ctx, const char *content_type, marc_syntax *syntax)
{
    char ct[128];
    snprintf(ct, sizeof ct, "%s", content_type ? content_type : "");
    ct[strcspn(ct, "; ")] = 0;
    if (strcasecmp(ct, "application/marc") == 0) {
        *syntax = MARC_ISO2709;
        return IBC_OK;
    }
    if (strcasecmp(ct, "application/marcxml+xml") == 0 || strcasecmp(ct, "application/xml") == 0 ||
        strcasecmp(ct, "text/xml") == 0) {
        *syntax = MARC_XML;
        return IBC_OK;
    }
    return ibc_fail(ctx, IBC_EUNSUPPORTED,
                    "send the file as application/marc (ISO 2709) or application/marcxml+xml "
                    "(MARCXML), not '%.64s'",
                    content_type ? content_type : "(none)");
}

/* A librarian imports the holdings of their own school only. */
static ibc_rc may_hold(ibc_ctx *ctx, const char *school)
{
    if (!school || ibc_role_network_wide(ctx) || strcmp(school, ctx->org) == 0) return IBC_OK;
    return ibc_fail(ctx, IBC_EFORBIDDEN,
                    "a librarian imports holdings of their own school (%s) only, not of %s",
                    ctx->org, school);
}

/* Notes for the caller on what a finished job did not do. Adds "notes". */
static void add_notes(json_t *job)
{
    json_t *notes = json_array();
    char buf[300];
    json_int_t without = json_integer_value(json_object_get(job, "without_barcode"));
    json_int_t ignored = json_integer_value(json_object_get(job, "holdings_ignored"));
    if (without > 0) {
        snprintf(buf, sizeof buf,
                 "%lld records carried no barcode (852/949 $p or $x in MARC21, 899 $p or $x in "
                 "RUSMARC), so no item was created for them",
                 (long long)without);
        json_array_append_new(notes, json_string(buf));
    }
    if (ignored > 0) {
        snprintf(buf, sizeof buf,
                 "%lld records carried holdings but no school was given, so no item was created; "
                 "send school= to import them",
                 (long long)ignored);
        json_array_append_new(notes, json_string(buf));
    }
    if (json_array_size(notes))
        json_object_set_new(job, "notes", notes);
    else
        json_decref(notes);
}

/* imports.create: the body is the file (ISO 2709 or MARCXML), query format,
 * charset, school. 202 {id, status, ...} with Location; 400 for a bad
 * parameter or a body that is empty, truncated or not MARC; 403 for another
 * school's holdings; 415 for another media type. */
ibc_rc imports_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"format", "charset", "school", NULL};
    const char *format, *charset, *school = NULL;
    marc_syntax syntax = MARC_ISO2709;
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = param_choice(ctx, req, "format", formats, NULL, &format);
    if (rc == IBC_OK) rc = param_choice(ctx, req, "charset", charsets, "utf-8", &charset);
    if (rc == IBC_OK) rc = ibc_req_org(ctx, req, "school", &school);
    if (rc == IBC_OK) rc = may_hold(ctx, school);
    if (rc != IBC_OK) return rc;

    const json_t *body = ibc_body(req);
    const char *b64 = json_string_value(json_object_get(body, "base64"));
    if (!body || (json_is_object(body) && !b64))
        return ibc_fail(ctx, IBC_EINVAL, "the body is empty: send the MARC file as the body");
    if (!b64)
        return ibc_fail(ctx, IBC_EUNSUPPORTED,
                        "send the file as application/marc (ISO 2709) or "
                        "application/marcxml+xml (MARCXML), not as JSON");
    rc = syntax_of(ctx, json_string_value(json_object_get(body, "content_type")), &syntax);
    if (rc != IBC_OK) return rc;
    if (syntax == MARC_XML) charset = "utf-8"; /* XML declares its own encoding */

    size_t len = 0;
    unsigned char *data = ibc_base64_decode(b64, strlen(b64), &len);
    if (!data) return ibc_fail(ctx, IBC_EINVAL, "the body could not be decoded");
    long count = -1;
    char err[300];
    if (!marc_sniff((const char *)data, len, syntax, &count, err, sizeof err)) {
        free(data);
        return ibc_fail(ctx, IBC_EINVAL, "%s", err);
    }
    rc = store_import_create(ctx, format, syntax == MARC_XML ? "marcxml" : "iso2709", charset,
                             school, data, len, syntax == MARC_XML ? count : -1, reply);
    free(data);
    if (rc != IBC_OK) return rc;
    ibc_accepted(ctx, "/api/v1/catalog/imports/%s",
                 json_string_value(json_object_get(*reply, "id")));
    return IBC_OK;
}

/* The request's import id (the path's {id}), with only the parameters in
 * allowed. */
static ibc_rc import_id(ibc_ctx *ctx, const json_t *req, const char *const *allowed,
                        const char **id)
{
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK) rc = ibc_req_uuid(ctx, req, "id", id);
    if (rc == IBC_OK && !*id) rc = ibc_fail(ctx, IBC_EINVAL, "the import id is missing");
    return rc;
}

/* imports.get: 200 with the job, its counters and report; 404 when unknown
 * (or, for a librarian, submitted by another organisation). */
ibc_rc imports_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"id", NULL};
    const char *id;
    ibc_rc rc = import_id(ctx, req, allowed, &id);
    if (rc == IBC_OK)
        rc = store_import_get(ctx, id, ibc_role_network_wide(ctx) ? NULL : ctx->org, reply);
    if (rc == IBC_OK) add_notes(*reply);
    return rc;
}

/* imports.cancel: 200 with the job: cancelled at once when it was queued
 * (import.completed then says so), else still running with
 * cancel_requested_at until its writers stop before their next batch. 404
 * as imports.get; 409 when it has ended. */
ibc_rc imports_cancel(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"id", NULL};
    const char *id;
    ibc_rc rc = import_id(ctx, req, allowed, &id);
    if (rc == IBC_OK)
        rc = store_import_cancel(ctx, id, ibc_role_network_wide(ctx) ? NULL : ctx->org, reply);
    const char *status = rc == IBC_OK ? json_string_value(json_object_get(*reply, "status")) : "";
    if (rc == IBC_OK && status && strcmp(status, "cancelled") == 0)
        rc = marc_import_completed(ctx, *reply);
    return rc;
}

/* imports.list: newest first; status filter, limit (1..100, default 20),
 * cursor. 200 {"items": [...], "next_cursor": ...}. A librarian sees the
 * jobs of their organisation. */
ibc_rc imports_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"status", "limit", "cursor", NULL};
    static const char *const statuses[] = {"queued", "running",   "done",
                                           "failed", "cancelled", NULL};
    const char *status = NULL, *cursor = NULL;
    long limit = 20;
    bool present;
    ibc_rc rc = ibc_req_only(ctx, req, allowed);
    if (rc == IBC_OK && ibc_param(req, "status"))
        rc = param_choice(ctx, req, "status", statuses, NULL, &status);
    if (rc == IBC_OK) rc = param_int(ctx, req, "limit", 1, 100, &limit, &present);
    if (rc == IBC_OK) rc = param_str(ctx, req, "cursor", 64, &cursor);
    if (rc == IBC_OK && cursor && !ibc_uuid_valid(cursor))
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "parameter 'cursor' is not a cursor of this list; pass next_cursor "
                      "unchanged");
    if (rc == IBC_OK)
        rc = store_import_list(ctx, ibc_role_network_wide(ctx) ? NULL : ctx->org, status, cursor,
                               (int)limit, reply);
    return rc;
}

/* imports.records: which record each imported record became, by position.
 * outcome (created, merged), limit (1..1000, default 100), cursor. 200
 * {"items": [{position, record_id, outcome}], "next_cursor"}; 404 as
 * imports.get. */
ibc_rc imports_records(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const allowed[] = {"id", "outcome", "limit", "cursor", NULL};
    static const char *const outcomes[] = {"created", "merged", NULL};
    const char *id, *outcome = NULL, *cursor = NULL;
    long limit = 100, after = 0;
    bool present;
    ibc_rc rc = import_id(ctx, req, allowed, &id);
    if (rc == IBC_OK && ibc_param(req, "outcome"))
        rc = param_choice(ctx, req, "outcome", outcomes, NULL, &outcome);
    if (rc == IBC_OK) rc = param_int(ctx, req, "limit", 1, 1000, &limit, &present);
    if (rc == IBC_OK) rc = param_int(ctx, req, "cursor", 0, 2147483647L, &after, &present);
    if (rc == IBC_OK && present) cursor = ibc_param(req, "cursor");
    if (rc == IBC_OK)
        rc = store_import_records_list(ctx, id, ibc_role_network_wide(ctx) ? NULL : ctx->org,
                                       outcome, cursor, (int)limit, reply);
    return rc;
}

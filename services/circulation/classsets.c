/* Class sets (выдача комплекта учебников классу): one call issues a copy of
 * each textbook to every reader of a class, due at the end of the school
 * year, and answers per reader and textbook what was issued and what was
 * short; another takes them back. Class-set loans do not count against the
 * readers' limits for library books. */
#include "audit.h"
#include "circulation.h"
#include "classname.h"
#include "store.h"

#include <ibc/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_TEXTBOOKS 50

/* record_ids as a PostgreSQL array literal in *out (caller frees); 400 when
 * an id is not a UUID or repeats. */
static ibc_rc uuid_array(ibc_ctx *ctx, const json_t *ids, char **out)
{
    size_t n = json_array_size(ids);
    char *s = malloc(n * 37 + 3);
    if (!s) return ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    size_t o = 0;
    s[o++] = '{';
    for (size_t i = 0; i < n; i++) {
        const char *id = json_string_value(json_array_get(ids, i));
        if (!ibc_uuid_valid(id)) {
            free(s);
            return ibc_fail(ctx, IBC_EINVAL, "'record_ids[%zu]' must be a UUID, not '%.60s'", i,
                            id);
        }
        for (size_t j = 0; j < i; j++)
            if (strcasecmp(id, json_string_value(json_array_get(ids, j))) == 0) {
                free(s);
                return ibc_fail(ctx, IBC_EINVAL, "'record_ids[%zu]' repeats record %s", i, id);
            }
        o += (size_t)sprintf(s + o, "%s%s", i ? "," : "", id);
    }
    s[o++] = '}';
    s[o] = 0;
    *out = s;
    return IBC_OK;
}

static const ibc_field issue_fields[] = {
    {"class", IBC_F_STR, true, 1, 2 * CLASS_NAME_MAX, NULL, 0},
    {"record_ids", IBC_F_STRARR, true, 1, MAX_TEXTBOOKS, NULL, 36},
    {"school", IBC_F_STR, false, 1, 64, NULL, 0},
};
static const ibc_field return_fields[] = {
    {"class", IBC_F_STR, true, 1, 2 * CLASS_NAME_MAX, NULL, 0},
    {"record_ids", IBC_F_STRARR, false, 1, MAX_TEXTBOOKS, NULL, 36},
    {"school", IBC_F_STR, false, 1, 64, NULL, 0},
};

/* Validates a class-set body: school, normalised class, record ids. */
static ibc_rc classset_body(ibc_ctx *ctx, const json_t *req, const ibc_field *fields, size_t n,
                            const char **school, char cls[64], char **ids)
{
    json_t *flat = json_object();
    *ids = NULL;
    ibc_rc rc = ibc_validate(ctx, ibc_body(req), fields, n, "", NULL, flat);
    if (rc == IBC_OK)
        rc = caller_school(ctx, json_string_value(json_object_get(flat, "school")), true, school);
    if (rc == IBC_OK)
        rc = class_param(ctx, json_string_value(json_object_get(flat, "class")), "class", cls);
    json_t *arr = json_object_get(flat, "record_ids");
    if (rc == IBC_OK && arr) rc = uuid_array(ctx, arr, ids);
    json_decref(flat);
    return rc;
}

/* A textbook on the federal list of extremist materials is issued to no
 * class: 409 `extremist_material` naming it. */
static ibc_rc none_blocked(ibc_ctx *ctx, const char *ids)
{
    char id[37] = "";
    long entry = 0, version = 0;
    ibc_rc rc = store_blocked_record(ctx, ids, id, &entry, &version);
    if (rc != IBC_OK || !id[0]) return rc;
    ctx->err_ext = json_pack("{s:s, s:I, s:I}", "record_id", id, "list_entry", (json_int_t)entry,
                             "list_version", (json_int_t)version);
    return ibc_fail_reason(ctx, IBC_ECONFLICT, "extremist_material",
                           "record %s is on the federal list of extremist materials (entry %ld, "
                           "version %ld): it is issued to no class",
                           id, entry, version);
}

/* classsets.issue: {class, record_ids[1..50], school?} → 201 {class_set,
 * readers: [{reader_id, name?, textbooks: [{record_id, status: issued|short|
 * already_on_loan, loan_id?, barcode?}]}], textbooks: [{record_id, issued,
 * short, already_on_loan}]}. 404 when the class has no active readers, 409
 * when not one copy could be issued. Emits circulation.loan.created for each
 * loan and circulation.classset.issued. */
ibc_rc classsets_issue(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *school;
    char cls[64], *ids = NULL;
    json_t *short_of = NULL;
    ibc_rc rc = classset_body(ctx, req, issue_fields, IBC_LEN(issue_fields), &school, cls, &ids);
    if (rc == IBC_OK) rc = none_blocked(ctx, ids);
    /* copies catalogued a moment ago may still be on their way as events */
    if (rc == IBC_OK) rc = store_short_records(ctx, school, cls, ids, &short_of);
    size_t k;
    json_t *rec;
    json_array_foreach(short_of, k, rec)
    {
        if (rc != IBC_OK) break;
        rc = items_sync(ctx, json_string_value(rec), school);
    }
    json_decref(short_of);
    if (rc == IBC_OK)
        rc = store_classset_issue(ctx, school, cls, ids, sees_names(ctx, school), reply);
    if (rc == IBC_OK) rc = audit_names_shown(ctx, json_object_get(*reply, "readers"), school);
    free(ids);
    if (rc != IBC_OK) return rc;

    json_t *set = json_object_get(*reply, "class_set");
    const char *set_id = json_string_value(json_object_get(set, "id"));
    if (json_integer_value(json_object_get(set, "issued")) == 0) {
        ctx->err_ext = json_pack("{s:O}", "textbooks", json_object_get(*reply, "textbooks"));
        json_decref(*reply);
        *reply = NULL;
        return ibc_fail(ctx, IBC_ECONFLICT,
                        "nothing was issued to class %s: no free copy of the textbooks at %s, or "
                        "the readers have them already",
                        cls, school);
    }
    size_t i;
    json_t *loan;
    json_array_foreach(json_object_get(*reply, "loans"), i, loan)
    {
        rc = ibc_emit(ctx, "loan", "created", json_string_value(json_object_get(loan, "id")),
                      json_deep_copy(loan));
        if (rc != IBC_OK) return rc;
    }
    json_object_del(*reply, "loans");
    static const char *const keys[] = {"id",       "school", "class", "record_ids",
                                       "due_date", "issued", "short", NULL};
    rc = ibc_emit(ctx, "classset", "issued", set_id, pick(set, keys));
    ibc_created(ctx, NULL); /* the loans it made are each at /loans/{id} */
    return rc;
}

/* classsets.return: {class, record_ids?, school?} → 200 {returned, readers:
 * [{reader_id, name?, returned: [...]}], class_sets: [...]}: closes the open
 * class-set loans of the class (of those textbooks only when given). 409 when
 * none is open. Emits circulation.loan.returned for each loan and
 * circulation.classset.returned for each class set; returned copies go to
 * readers waiting for them. */
ibc_rc classsets_return(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *school;
    char cls[64], *ids = NULL;
    json_t *held = NULL;
    ibc_rc rc = classset_body(ctx, req, return_fields, IBC_LEN(return_fields), &school, cls, &ids);
    if (rc == IBC_OK)
        rc = store_classset_return(ctx, school, cls, ids, sees_names(ctx, school), reply);
    if (rc == IBC_OK) rc = audit_names_shown(ctx, json_object_get(*reply, "readers"), school);
    free(ids);
    if (rc != IBC_OK) return rc;
    if (json_integer_value(json_object_get(*reply, "returned")) == 0) {
        json_decref(*reply);
        *reply = NULL;
        return ibc_fail(ctx, IBC_ECONFLICT, "class %s of %s has no class-set textbooks on loan",
                        cls, school);
    }
    json_t *loans = json_object_get(*reply, "loans");
    rc = store_held_records(ctx, school, NULL, &held);
    size_t i;
    json_t *loan;
    json_array_foreach(loans, i, loan)
    {
        if (rc != IBC_OK) break;
        rc = ibc_emit(ctx, "loan", "returned", json_string_value(json_object_get(loan, "id")),
                      json_deep_copy(loan));
        const char *rec = json_string_value(json_object_get(loan, "record_id"));
        bool waited = false;
        size_t j;
        json_t *h;
        json_array_foreach(held, j, h) waited = waited || strcmp(json_string_value(h), rec) == 0;
        if (rc == IBC_OK && waited) {
            json_t *next = NULL;
            rc = holds_offer(ctx, json_string_value(json_object_get(loan, "item_id")), school,
                             &next);
            json_decref(next);
        }
    }
    json_decref(held);
    json_t *set;
    json_array_foreach(json_object_get(*reply, "class_sets"), i, set)
    {
        if (rc != IBC_OK) break;
        json_t *data = json_deep_copy(set);
        json_object_set_new(data, "school", json_string(school));
        json_object_set_new(data, "class", json_string(cls));
        rc = ibc_emit(ctx, "classset", "returned", json_string_value(json_object_get(set, "id")),
                      data);
    }
    json_object_del(*reply, "loans");
    return rc;
}

/* classsets.list: ?school= (network roles), class=, limit=, offset=. 200 with
 * {class_sets: [{id, class, record_ids, due_date, issued, short, out}]}. */
ibc_rc classsets_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *school;
    char cls[64];
    ibc_page page;
    ibc_rc rc = caller_school(ctx, ibc_param(req, "school"), false, &school);
    if (rc == IBC_OK) rc = ibc_req_page(ctx, req, CIRC_PAGE_DEFAULT, CIRC_PAGE_MAX, &page);
    if (rc != IBC_OK) return rc;
    const char *c = ibc_param(req, "class");
    if (c && (rc = class_param(ctx, c, "class", cls)) != IBC_OK) return rc;
    return store_classsets_list(ctx, school, c ? cls : NULL, page.limit_text, page.offset_text,
                                reply);
}

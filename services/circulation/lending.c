/* Lending: checkout, checkin, renewal, the loans list and the overdue list.
 * The database has the last word on the two guarantees: one open loan per
 * item (a unique partial index) and the reader's limit (the reader's row is
 * locked while the count is checked, and a trigger re-checks it). */
#include "audit.h"
#include "circulation.h"
#include "store.h"

#include <ibc/json.h>
#include <ibc/report.h>
#include <ibc/request.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The event data of a loan: ids and dates only. */
static json_t *loan_event(const json_t *loan)
{
    static const char *const keys[] = {"id",        "item_id",      "record_id",   "school",
                                       "reader_id", "due_date",     "returned_at", "kind",
                                       "renewals",  "class_set_id", "transfer_id", NULL};
    return pick(loan, keys);
}

/* Emits hold.fulfilled for holds a loan fulfilled and offers a copy that
 * was ready for that reader but not taken to the next in line. */
static ibc_rc after_fulfil(ibc_ctx *ctx, const json_t *fulfilled, const char *item_id,
                           const char *school)
{
    size_t i;
    json_t *h;
    json_array_foreach(fulfilled, i, h)
    {
        const char *hid = json_string_value(json_object_get(h, "id"));
        ibc_rc rc = ibc_emit(ctx, "hold", "fulfilled", hid, json_deep_copy(h));
        if (rc != IBC_OK) return rc;
        const char *other = json_string_value(json_object_get(h, "item_id"));
        if (other && strcmp(other, item_id) != 0) {
            json_t *next = NULL;
            rc = holds_offer(ctx, other, school, &next);
            json_decref(next);
            if (rc != IBC_OK) return rc;
        }
    }
    return IBC_OK;
}

/* Why this item cannot be lent by `school`, as a 409; IBC_OK when it can. */
static ibc_rc item_lendable(ibc_ctx *ctx, const char *barcode, const store_item_state *it,
                            const char *school, const char *reader_id)
{
    if (strcmp(it->status, "available") != 0) {
        ctx->err_ext = json_pack("{s:s}", "item_status", it->status);
        return ibc_fail_reason(ctx, IBC_ECONFLICT, "item_unavailable",
                               "item %s is %s and cannot be lent", barcode,
                               strcmp(it->status, "written_off") == 0 ? "written off"
                               : strcmp(it->status, "in_repair") == 0 ? "in repair"
                                                                      : it->status);
    }
    bool at_borrower = strcmp(it->transfer_state, "received") == 0;
    if (it->transfer_id[0] && !at_borrower)
        return ibc_fail_reason(ctx, IBC_ECONFLICT, "item_reserved_for_transfer",
                               "item %s is reserved for a loan to %s (transfer %s, %s)", barcode,
                               it->transfer_to, it->transfer_id, it->transfer_state);
    if (at_borrower && strcmp(school, it->transfer_to) != 0)
        return ibc_fail_reason(ctx, IBC_ECONFLICT, "item_lent_to_another_school",
                               "item %s is lent to %s (transfer %s) until it is returned", barcode,
                               it->transfer_to, it->transfer_id);
    if (!at_borrower && strcmp(school, it->school) != 0) {
        ctx->err_ext = json_pack("{s:s}", "owner", it->school);
        return ibc_fail_reason(ctx, IBC_ECONFLICT, "item_of_another_school",
                               "item %s belongs to %s, not to %s; ask for it with a transfer",
                               barcode, it->school, school);
    }
    if (it->loan_due[0]) {
        ctx->err_ext = json_pack("{s:s}", "due_date", it->loan_due);
        return ibc_fail_reason(ctx, IBC_ECONFLICT, "item_on_loan",
                               "item %s is already on loan, due %s", barcode, it->loan_due);
    }
    if (it->held_for[0] && strcmp(it->held_for, reader_id) != 0)
        return ibc_fail_reason(
            ctx, IBC_ECONFLICT, "item_held_for_another_reader",
            "item %s is waiting on the hold shelf for another reader; lend another "
            "copy",
            barcode);
    return IBC_OK;
}

/* Whether reader rd (reader_id) may borrow item barcode from school: 404
 * when the caller does not see the reader, 409 when of another school,
 * not active or at the limit. */
static ibc_rc reader_may_borrow(ibc_ctx *ctx, const store_reader_loan *rd, const char *reader_id,
                                const char *school, const char *barcode)
{
    /* another school's reader does not exist for a librarian: the same 404 */
    if (!rd->school[0] || (!ibc_role_is(ctx, "admin") && strcmp(rd->school, school) != 0))
        return ibc_fail(ctx, IBC_ENOTFOUND, "no reader has id %s", reader_id);
    if (strcmp(rd->school, school) != 0)
        return ibc_fail_reason(ctx, IBC_ECONFLICT, "reader_of_another_school",
                               "reader %s is a reader of %s; item %s is lent by %s", reader_id,
                               rd->school, barcode, school);
    if (strcmp(rd->status, "active") != 0) {
        ctx->err_ext = json_pack("{s:s}", "reader_status", rd->status);
        return ibc_fail_reason(ctx, IBC_ECONFLICT, "reader_not_active",
                               "reader %s is %s and cannot borrow", reader_id, rd->status);
    }
    if (rd->open_loans >= rd->max_items) {
        ctx->err_ext = json_pack("{s:I, s:I}", "on_loan", (json_int_t)rd->open_loans, "limit",
                                 (json_int_t)rd->max_items);
        return ibc_fail_reason(ctx, IBC_ECONFLICT, "reader_at_limit",
                               "reader %s has %ld items on loan; the limit for a %s at %s is %ld",
                               reader_id, rd->open_loans, rd->category, school, rd->max_items);
    }
    return IBC_OK;
}

/* The federal list of extremist materials: a copy of a record the catalog
 * blocked is lent nowhere: 409 whose problem names `extremist_material`. */
static ibc_rc not_extremist(ibc_ctx *ctx, const char *barcode, const store_item_state *it)
{
    if (it->extremist_entry <= 0) return IBC_OK;
    ctx->err_ext = json_pack("{s:s, s:I, s:I}", "reason", "extremist_material", "list_entry",
                             (json_int_t)it->extremist_entry, "list_version",
                             (json_int_t)it->extremist_version);
    return ibc_fail(ctx, IBC_ECONFLICT,
                    "item %s is a copy of a material on the federal list of extremist materials "
                    "(entry %ld, version %ld of the list): it cannot be lent (extremist_material)",
                    barcode, it->extremist_entry, it->extremist_version);
}

static const ibc_field checkout_fields[] = {
    {"item_barcode", IBC_F_STR, true, 1, 64, NULL, 0},
    {"reader_id", IBC_F_UUID, true, 0, 0, NULL, 0},
    {"due_date", IBC_F_DATE, false, 0, 0, NULL, 0},
    {"age_override_teacher_id", IBC_F_UUID, false, 0, 0, NULL, 0},
};

/* 436-ФЗ: IBC_OK when the reader is old enough for the copy's age mark (or
 * either is unknown), or when `teacher` (may be NULL), an active teacher of
 * a school that allows it, takes the responsibility (*overridden then).
 * Else 409 whose problem names the reason `age_restricted`. */
static ibc_rc age_allowed(ibc_ctx *ctx, const char *barcode, const store_item_state *it,
                          const store_reader_loan *rd, const char *teacher, const char *school,
                          bool *overridden)
{
    *overridden = false;
    int mark = it->age_rating[0] ? atoi(it->age_rating) : 0;
    if (rd->age < 0 || mark <= rd->age) return IBC_OK;
    if (!teacher) {
        ctx->err_ext = json_pack("{s:s, s:s, s:i}", "reason", "age_restricted", "age_rating",
                                 it->age_rating, "reader_age", rd->age);
        return ibc_fail(ctx, IBC_ECONFLICT,
                        "item %s is marked %s and the reader is %d: it cannot be lent to them "
                        "(age_restricted, 436-FZ)",
                        barcode, it->age_rating, rd->age);
    }
    bool allows = false, is_teacher = false;
    ibc_rc rc = store_age_override_allowed(ctx, teacher, school, &allows, &is_teacher);
    if (rc == IBC_OK && !allows) {
        ctx->err_ext = json_pack("{s:s}", "reason", "age_restricted");
        return ibc_fail(ctx, IBC_ECONFLICT,
                        "school %s does not let teachers allow a loan above the reader's age "
                        "(settings: teacher_age_override)",
                        school);
    }
    if (rc == IBC_OK && !is_teacher)
        return ibc_fail(ctx, IBC_EUNPROCESSABLE,
                        "'age_override_teacher_id' %s is no active teacher of %s", teacher, school);
    *overridden = rc == IBC_OK;
    return rc;
}

/* checkouts.create: {item_barcode, reader_id, due_date?} → 201 with the loan
 * and its due date (by the rules, unless due_date overrides them: a loan
 * written down on paper and entered later, within a year of today). 404 for an unknown barcode or
 * reader (a reader of another school is unknown to a librarian); 409 when the item is on loan,
 * written off, of another school or on the hold shelf for someone else, or the reader is blocked or
 * at the limit. Emits circulation.loan.created (and hold.fulfilled). */
ibc_rc checkouts_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    json_t *flat = json_object(), *fulfilled = NULL;
    ibc_rc rc =
        ibc_validate(ctx, ibc_body(req), checkout_fields, IBC_LEN(checkout_fields), "", NULL, flat);
    const char *barcode = json_string_value(json_object_get(flat, "item_barcode"));
    const char *reader_id = json_string_value(json_object_get(flat, "reader_id"));
    const char *due = json_string_value(json_object_get(flat, "due_date"));
    char item_id[37];
    store_item_state it;
    store_reader_loan rd;
    if (rc == IBC_OK) rc = store_checkout_facts(ctx, barcode, reader_id, due, &it, &rd);
    if (rc == IBC_OK && !it.id[0]) {
        /* not projected yet: the catalog knows, or nobody does */
        rc = item_resolve(ctx, barcode, item_id);
        if (rc == IBC_OK) rc = store_checkout_facts(ctx, barcode, reader_id, due, &it, &rd);
        if (rc == IBC_OK && !it.id[0])
            rc = ibc_fail_reason(ctx, IBC_ENOTFOUND, "item_not_found", "no item has barcode %s",
                                 barcode);
    }
    if (rc != IBC_OK) goto done;
    snprintf(item_id, sizeof item_id, "%s", it.id);

    /* the school that lends: the librarian's; for the admin, where the item is */
    const char *school = ctx->org;
    if (ibc_role_is(ctx, "admin"))
        school = strcmp(it.transfer_state, "received") == 0 ? it.transfer_to : it.school;
    if ((rc = item_lendable(ctx, barcode, &it, school, reader_id)) != IBC_OK) goto done;
    if ((rc = not_extremist(ctx, barcode, &it)) != IBC_OK) goto done;

    if ((rc = reader_may_borrow(ctx, &rd, reader_id, school, barcode)) != IBC_OK) goto done;
    bool overridden;
    const char *teacher = json_string_value(json_object_get(flat, "age_override_teacher_id"));
    if ((rc = age_allowed(ctx, barcode, &it, &rd, teacher, school, &overridden)) != IBC_OK)
        goto done;
    rc = store_loan_insert(ctx, &it, school, reader_id, rd.due_date, reply, &fulfilled);
    if (rc != IBC_OK) goto done;
    const char *id = json_string_value(json_object_get(*reply, "id"));
    if (overridden) {
        rc = store_age_override_log(ctx, id, school, reader_id, teacher, &it, rd.age);
        if (rc != IBC_OK) goto done;
        ibc_log(IBC_LOG_INFO, ctx->request_id,
                "loan %s: a teacher allowed item %s (%s) to a reader of %d (436-FZ override)", id,
                barcode, it.age_rating, rd.age);
        json_object_set_new(
            *reply, "age_override",
            json_pack("{s:s, s:s}", "teacher_id", teacher, "age_rating", it.age_rating));
    }
    rc = ibc_emit(ctx, "loan", "created", id, loan_event(*reply));
    if (rc == IBC_OK) rc = after_fulfil(ctx, fulfilled, item_id, school);
    if (rc == IBC_OK) {
        ibc_created(ctx, "/api/v1/circulation/loans/%s", id);
    }
done:
    json_decref(fulfilled);
    json_decref(flat);
    return rc;
}

static const ibc_field checkin_fields[] = {
    {"item_barcode", IBC_F_STR, true, 1, 64, NULL, 0},
};

/* checkins.create: {item_barcode} → 200 {loan, hold?, return_to?}: closes the
 * open loan; when a reader waits for the record at that school the copy goes
 * to the first in line and `hold` says so (ready for pickup). A copy lent by
 * another school names that school in `return_to`. 409 when the caller's
 * own copy is not on loan; else 404 when the caller's school has no open
 * loan of that barcode (a loan of another school is none of its business). Emits
 * circulation.loan.returned (and hold.ready). */
ibc_rc checkins_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    json_t *flat = json_object(), *closed = NULL, *hold = NULL;
    ibc_rc rc =
        ibc_validate(ctx, ibc_body(req), checkin_fields, IBC_LEN(checkin_fields), "", NULL, flat);
    const char *barcode = json_string_value(json_object_get(flat, "item_barcode"));
    if (rc == IBC_OK)
        rc = store_loan_close(ctx, barcode, ibc_role_is(ctx, "admin") ? "" : ctx->org, &closed);
    if (rc != IBC_OK) goto done;
    json_t *loan = json_object_get(closed, "loan");
    const char *id = json_string_value(json_object_get(loan, "id"));
    const char *school = json_string_value(json_object_get(loan, "school"));
    const char *item_school = json_string_value(json_object_get(closed, "item_school"));
    rc = ibc_emit(ctx, "loan", "returned", id, loan_event(loan));
    if (rc == IBC_OK && strcmp(school, item_school) == 0 &&
        json_is_true(json_object_get(closed, "waiting")))
        rc = holds_offer(ctx, json_string_value(json_object_get(loan, "item_id")), school, &hold);
    if (rc != IBC_OK) goto done;
    *reply = json_pack("{s:O}", "loan", loan);
    if (hold) json_object_set(*reply, "hold", hold);
    if (strcmp(school, item_school) != 0) {
        json_object_set_new(*reply, "return_to", json_string(item_school));
        json_object_set(*reply, "transfer_id", json_object_get(loan, "transfer_id"));
    }
done:
    json_decref(hold);
    json_decref(closed);
    json_decref(flat);
    return rc;
}

/* loans.renew: 200 with the loan and its new due date; 409 when the rules
 * allow no more renewals, someone waits for the record, the reader is
 * blocked, or it is a class-set textbook. Emits circulation.loan.renewed. */
ibc_rc loans_renew(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "loan", &id);
    if (rc == IBC_OK) rc = store_loan_renew(ctx, id, reply);
    if (rc == IBC_OK) rc = ibc_emit(ctx, "loan", "renewed", id, loan_event(*reply));
    return rc;
}

/* loans.get: 200 with the loan; 404 when unknown or of another school. */
ibc_rc loans_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "loan", &id);
    if (rc == IBC_OK) rc = store_loan_get(ctx, id, reply);
    return rc;
}

/* loans.list: ?school= (network roles), reader_id=, class=, item_barcode=,
 * record_id=, class_set_id=, overdue=true, state=open|returned|all (open by
 * default), limit=, offset=. 200 with {loans, limit, offset}. */
ibc_rc loans_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *school;
    char cls[64];
    ibc_page page;
    bool overdue;
    ibc_rc rc = caller_school(ctx, ibc_param(req, "school"), false, &school);
    if (rc == IBC_OK) rc = ibc_req_page(ctx, req, CIRC_PAGE_DEFAULT, CIRC_PAGE_MAX, &page);
    if (rc == IBC_OK) rc = ibc_req_bool(ctx, req, "overdue", false, &overdue);
    if (rc != IBC_OK) return rc;
    store_loan_filter f = {
        .school = school, .limit = page.limit_text, .offset = page.offset_text, .overdue = overdue};
    static const char *const uuids[] = {"reader_id", "record_id", "class_set_id"};
    const char **slots[] = {&f.reader_id, &f.record_id, &f.class_set_id};
    for (size_t i = 0; i < IBC_LEN(uuids); i++) {
        const char *v = ibc_param(req, uuids[i]);
        if (v && !ibc_uuid_valid(v))
            return ibc_fail(ctx, IBC_EINVAL, "'%s' must be a UUID, not '%.60s'", uuids[i], v);
        *slots[i] = v;
    }
    const char *c = ibc_param(req, "class");
    if (c && (rc = class_param(ctx, c, "class", cls)) != IBC_OK) return rc;
    f.cls = c ? cls : NULL;
    f.barcode = ibc_param(req, "item_barcode");
    const char *state = ibc_param(req, "state");
    if (!state || strcmp(state, "open") == 0)
        f.open = "true";
    else if (strcmp(state, "returned") == 0)
        f.open = "false";
    else if (strcmp(state, "all") == 0)
        f.open = NULL;
    else
        return ibc_fail(ctx, IBC_EINVAL, "'state' must be open, returned or all, not '%.20s'",
                        state);
    return store_loans_list(ctx, &f, reply);
}

ibc_rc overdue_mark_run(ibc_ctx *ctx, long *count)
{
    json_t *marked = NULL;
    ibc_rc rc = store_overdue_mark(ctx, &marked);
    size_t i;
    json_t *loan;
    json_array_foreach(marked, i, loan)
    {
        if (rc != IBC_OK) break;
        rc = ibc_emit(ctx, "loan", "overdue", json_string_value(json_object_get(loan, "id")),
                      json_incref(loan));
    }
    *count = rc == IBC_OK ? (long)json_array_size(marked) : 0;
    json_decref(marked);
    return rc;
}

/* The class teacher's list: one row per overdue loan. */
static const ibc_col overdue_cols[] = {
    {"Класс", IBC_COL_TEXT},
    {"Читатель", IBC_COL_TEXT},
    {"Штрихкод экземпляра", IBC_COL_TEXT},
    {"Срок возврата", IBC_COL_DATE},
    {"Дней просрочки", IBC_COL_INT},
};

static ibc_rc overdue_file(ibc_ctx *ctx, const json_t *list, const char *school)
{
    json_t *rows = json_array();
    size_t c, r, l;
    json_t *cls, *rd, *loan;
    json_array_foreach(json_object_get(list, "classes"), c, cls)
        json_array_foreach(json_object_get(cls, "readers"), r, rd)
            json_array_foreach(json_object_get(rd, "loans"), l, loan)
    {
        json_t *who = json_object_get(rd, "name") ? json_object_get(rd, "name")
                                                  : json_object_get(rd, "reader_id");
        json_array_append_new(rows, json_pack("[O?, O, O?, O, O]", json_object_get(cls, "class"),
                                              who, json_object_get(loan, "barcode"),
                                              json_object_get(loan, "due_date"),
                                              json_object_get(loan, "days_overdue")));
    }
    ibc_sheet sheet = {"Задолженности", overdue_cols, IBC_LEN(overdue_cols), rows};
    char name[128];
    snprintf(name, sizeof name, "overdue-%s", school);
    ibc_rc rc = ibc_report_reply(ctx, "csv", &sheet, 1, name);
    json_decref(rows);
    return rc;
}

/* Logs the names an overdue list shows, all its classes' readers. */
static ibc_rc audit_overdue(ibc_ctx *ctx, const json_t *list, const char *school)
{
    json_t *rows = json_array();
    size_t c;
    json_t *cls;
    json_array_foreach(json_object_get(list, "classes"), c, cls)
        json_array_extend(rows, json_object_get(cls, "readers"));
    ibc_rc rc = audit_names_shown(ctx, rows, school);
    json_decref(rows);
    return rc;
}

/* overdue.list: ?school= (network roles), class=, limit= and offset= (of
 * readers), format=json|csv. 200 with the school's overdue loans grouped by
 * class and reader, names for the own school, and "total", "limit",
 * "offset"; as CSV the same page, one row per loan (the class teacher's
 * list). */
ibc_rc overdue_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const formats[] = {"json", "csv", NULL};
    const char *school, *format = NULL;
    char cls[64];
    ibc_page page;
    ibc_rc rc = caller_school(ctx, ibc_param(req, "school"), true, &school);
    if (rc == IBC_OK) rc = ibc_req_page(ctx, req, CIRC_PAGE_DEFAULT, CIRC_PAGE_MAX, &page);
    if (rc == IBC_OK) rc = ibc_req_enum(ctx, req, "format", formats, &format);
    if (rc != IBC_OK) return rc;
    const char *c = ibc_param(req, "class");
    if (c && (rc = class_param(ctx, c, "class", cls)) != IBC_OK) return rc;
    rc = store_overdue(ctx, school, c ? cls : NULL, sees_names(ctx, school), page.limit_text,
                       page.offset_text, reply);
    if (rc == IBC_OK) rc = audit_overdue(ctx, *reply, school);
    if (rc == IBC_OK && format && strcmp(format, "csv") == 0) {
        rc = overdue_file(ctx, *reply, school);
        json_decref(*reply);
        *reply = NULL;
    }
    return rc;
}

/* Loans between schools: school A (the borrower) asks school B (the lender)
 * for a copy of a record; B approves (choosing the copy) or declines, ships
 * it; A receives it and may lend it to its readers; B takes it back
 * (returned). Every step is checked against the state machine in the
 * database and emits circulation.transfer.<state>. */
#include "circulation.h"
#include "store.h"

#include <ibc/json.h>
#include <stdio.h>
#include <string.h>

static json_t *transfer_event(const json_t *t, const char *from)
{
    static const char *const keys[] = {"id",      "record_id", "from_school", "to_school",
                                       "item_id", "reader_id", "state",       NULL};
    json_t *d = pick(t, keys);
    if (from) json_object_set_new(d, "from", json_string(from));
    return d;
}

static const ibc_field create_fields[] = {
    {"record_id", IBC_F_UUID, true, 0, 0, NULL, 0},
    {"from_school", IBC_F_STR, true, 1, 64, NULL, 0},
    {"to_school", IBC_F_STR, false, 1, 64, NULL, 0},
    {"reader_id", IBC_F_UUID, false, 0, 0, NULL, 0},
    {"note", IBC_F_STR, false, 1, 1000, NULL, 0},
};

/* transfers.create: {record_id, from_school, reader_id?, note?, to_school?
 * (network roles)} → 201 with the transfer in state requested. 409 when the
 * lender has no copy. Emits circulation.transfer.requested. */
ibc_rc transfers_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    json_t *flat = json_object();
    const char *to;
    ibc_rc rc =
        ibc_validate(ctx, ibc_body(req), create_fields, IBC_LEN(create_fields), "", NULL, flat);
    const char *record = json_string_value(json_object_get(flat, "record_id"));
    const char *from = json_string_value(json_object_get(flat, "from_school"));
    if (rc == IBC_OK)
        rc = caller_school(ctx, json_string_value(json_object_get(flat, "to_school")), true, &to);
    if (rc == IBC_OK && !ibc_org_valid(from))
        rc = ibc_fail(ctx, IBC_EINVAL, "'from_school' must be an organisation id, not '%.64s'",
                      from);
    if (rc == IBC_OK && strcmp(from, to) == 0)
        rc = ibc_fail(ctx, IBC_EINVAL, "'from_school' is %s itself; lend its own copies instead",
                      to);
    long copies = 0;
    if (rc == IBC_OK) rc = store_copies(ctx, record, from, &copies);
    if (rc == IBC_OK && copies == 0 && (rc = items_sync(ctx, record, from)) == IBC_OK)
        rc = store_copies(ctx, record, from, &copies);
    if (rc == IBC_OK && copies == 0)
        rc = ibc_fail(ctx, IBC_ECONFLICT, "%s has no copy of record %s to lend", from, record);
    if (rc == IBC_OK)
        rc = store_transfer_insert(ctx, record, from, to,
                                   json_string_value(json_object_get(flat, "reader_id")),
                                   json_string_value(json_object_get(flat, "note")), reply);
    if (rc == IBC_OK) {
        const char *id = json_string_value(json_object_get(*reply, "id"));
        rc = ibc_emit(ctx, "transfer", "requested", id, transfer_event(*reply, NULL));
        ibc_created(ctx, "/api/v1/circulation/transfers/%s", id);
    }
    json_decref(flat);
    return rc;
}

/* transfers.get: 200 with the transfer (with the states it may go to);
 * 404 unless the caller's school is one of its two. */
ibc_rc transfers_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "transfer", &id);
    if (rc == IBC_OK) rc = store_transfer_get(ctx, id, reply);
    return rc;
}

/* transfers.list: ?school= (network roles), direction=incoming (asked of the
 * school)|outgoing (asked by it)|both, state=, limit=, offset=. */
ibc_rc transfers_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *school;
    ibc_page page;
    ibc_rc rc = caller_school(ctx, ibc_param(req, "school"), false, &school);
    if (rc == IBC_OK) rc = ibc_req_page(ctx, req, CIRC_PAGE_DEFAULT, CIRC_PAGE_MAX, &page);
    if (rc != IBC_OK) return rc;
    const char *dir = ibc_param(req, "direction"), *state = ibc_param(req, "state");
    if (dir && strcmp(dir, "incoming") && strcmp(dir, "outgoing") && strcmp(dir, "both"))
        return ibc_fail(ctx, IBC_EINVAL,
                        "'direction' must be incoming, outgoing or both, not '%.20s'", dir);
    static const char *const states[] = {"requested", "approved", "declined",
                                         "shipped",   "received", "returned"};
    bool ok = !state;
    for (size_t i = 0; !ok && i < IBC_LEN(states); i++)
        ok = strcmp(states[i], state) == 0;
    if (!ok)
        return ibc_fail(ctx, IBC_EINVAL,
                        "'state' must be requested, approved, declined, shipped, received or "
                        "returned, not '%.20s'",
                        state);
    store_transfer_filter f = {school, dir ? dir : "both", state, page.limit_text,
                               page.offset_text};
    return store_transfers_list(ctx, &f, reply);
}

static const char *const to_states[] = {"approved", "declined", "shipped",
                                        "received", "returned", NULL};
static const ibc_field move_fields[] = {
    {"state", IBC_F_ENUM, true, 0, 0, to_states, 0},
    {"item_barcode", IBC_F_STR, false, 1, 64, NULL, 0},
    {"reason", IBC_F_STR, false, 1, 1000, NULL, 0},
};

/* 409 naming the states transfer t (id) can go to from its state. */
static ibc_rc not_a_next_state(ibc_ctx *ctx, const json_t *t, const char *id, const char *to)
{
    const char *from = json_string_value(json_object_get(t, "state"));
    json_t *allowed = json_object_get(t, "allowed");
    char list[128] = "";
    size_t i;
    json_t *s;
    json_array_foreach(allowed, i, s) snprintf(
        list + strlen(list), sizeof list - strlen(list), "%s%s",
        i ? (i + 1 == json_array_size(allowed) ? " or " : ", ") : "", json_string_value(s));
    ctx->err_ext = json_pack("{s:s, s:O}", "state", from, "allowed", allowed);
    return ibc_fail(ctx, IBC_ECONFLICT, "transfer %s is %s; it can become %s, not %s", id, from,
                    list[0] ? list : "nothing else", to);
}

/* The copy the lender names when approving: item[37] = its id when it is a
 * free copy of record at lender; else 400 or 409. */
static ibc_rc approved_copy(ibc_ctx *ctx, const char *barcode, const char *record,
                            const char *lender, char item[37])
{
    store_item_state it;
    ibc_rc rc = item_resolve(ctx, barcode, item);
    if (rc == IBC_OK) rc = store_item_state_get(ctx, item, &it);
    if (rc != IBC_OK) return rc;
    if (strcmp(it.school, lender) != 0 || strcmp(it.record_id, record) != 0)
        return ibc_fail(ctx, IBC_EINVAL, "item %s is not a copy of record %s at %s", barcode,
                        record, lender);
    if (strcmp(it.status, "available") || it.loan_due[0] || it.held_for[0] || it.transfer_id[0])
        return ibc_fail(ctx, IBC_ECONFLICT,
                        "item %s is not free to lend now (on loan, held, or %s)", barcode,
                        it.status);
    return IBC_OK;
}

/* Any free copy of record at lender into item[37] (the catalog's copies
 * synced once when none is known); 409 when there is none. */
static ibc_rc any_free_copy(ibc_ctx *ctx, const char *record, const char *lender, char item[37])
{
    ibc_rc rc;
    if ((rc = store_free_copy(ctx, record, lender, item)) == IBC_OK && !item[0] &&
        (rc = items_sync(ctx, record, lender)) == IBC_OK &&
        (rc = store_free_copy(ctx, record, lender, item)) == IBC_OK && !item[0])
        rc = ibc_fail(ctx, IBC_ECONFLICT,
                      "%s has no free copy of record %s now; decline, or approve later", lender,
                      record);
    return rc;
}

/* 409 while the copy of transfer t (id) is still on loan at the borrower. */
static ibc_rc copy_back_from_loan(ibc_ctx *ctx, const json_t *t, const char *id)
{
    bool on_loan = false;
    ibc_rc rc = store_item_on_loan(ctx, json_string_value(json_object_get(t, "item_id")), &on_loan);
    if (rc == IBC_OK && on_loan)
        rc = ibc_fail(ctx, IBC_ECONFLICT,
                      "the copy of transfer %s is still on loan at %s; it must be checked in "
                      "there first",
                      id, json_string_value(json_object_get(t, "to_school")));
    return rc;
}

/* transfers.transition: {state, item_barcode? (approved), reason?} → 200 with
 * the transfer. 409 naming the allowed states when the step is not one of
 * them (no jump from requested to returned); 403 when the caller's school
 * does not take that step (the lender approves, declines, ships and takes it
 * back; the borrower receives). Emits circulation.transfer.<state>. */
ibc_rc transfers_transition(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    json_t *flat = json_object(), *t = NULL;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "transfer", &id);
    if (rc == IBC_OK)
        rc = ibc_validate(ctx, ibc_body(req), move_fields, IBC_LEN(move_fields), "", NULL, flat);
    if (rc == IBC_OK) rc = store_transfer_lock(ctx, id, &t);
    if (rc != IBC_OK) goto done;
    const char *to = json_string_value(json_object_get(flat, "state"));
    const char *barcode = json_string_value(json_object_get(flat, "item_barcode"));
    const char *from = json_string_value(json_object_get(t, "state"));
    const char *lender = json_string_value(json_object_get(t, "from_school"));
    const char *borrower = json_string_value(json_object_get(t, "to_school"));
    const char *record = json_string_value(json_object_get(t, "record_id"));
    char actor[16], item[37] = "";

    if ((rc = store_transfer_actor(ctx, from, to, actor)) != IBC_OK) goto done;
    if (!actor[0]) {
        rc = not_a_next_state(ctx, t, id, to);
        goto done;
    }
    const char *who = strcmp(actor, "lender") == 0 ? lender : borrower;
    if (!acts_for(ctx, who)) {
        rc = ibc_fail(ctx, IBC_EFORBIDDEN, "only %s (the %s) can mark transfer %s %s", who, actor,
                      id, to);
        goto done;
    }
    if (barcode && strcmp(to, "approved") != 0) {
        rc = ibc_fail(ctx, IBC_EINVAL, "'item_barcode' is given only when approving");
        goto done;
    }
    if (strcmp(to, "approved") == 0 &&
        (rc = barcode ? approved_copy(ctx, barcode, record, lender, item)
                      : any_free_copy(ctx, record, lender, item)) != IBC_OK)
        goto done;
    if (strcmp(to, "returned") == 0 && (rc = copy_back_from_loan(ctx, t, id)) != IBC_OK) goto done;
    rc = store_transfer_move(ctx, id, to, item[0] ? item : NULL,
                             json_string_value(json_object_get(flat, "reason")), reply);
    if (rc == IBC_OK) rc = ibc_emit(ctx, "transfer", to, id, transfer_event(*reply, from));
    if (rc == IBC_OK && strcmp(to, "returned") == 0) {
        /* back on the lender's shelf: the lender's readers may be waiting */
        json_t *next = NULL;
        rc = holds_offer(ctx, json_string_value(json_object_get(*reply, "item_id")), lender, &next);
        json_decref(next);
    }
done:
    json_decref(t);
    json_decref(flat);
    return rc;
}

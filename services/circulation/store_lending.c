/* The SQL of loans (see store.h). loan_json() (a migration) builds the public
 * form; a trigger on loans re-checks the reader's limit under the reader's
 * row lock (migration 0003). */
#include "circulation.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy(char *dst, size_t len, const PGresult *r, int col)
{
    snprintf(dst, len, "%s", PQgetisnull(r, 0, col) ? "" : PQgetvalue(r, 0, col));
}

static const char sql_lock_reader[] =
    "SELECT r.school, r.status, r.category, "
    "(SELECT count(*) FROM loans l WHERE l.reader_id = r.id AND l.returned_at IS NULL "
    "AND l.kind = 'regular') AS open_loans, p.max_items, "
    "coalesce($3::date, CASE WHEN $2::boolean AND p.textbooks_to_year_end "
    "THEN school_year_end(r.school) ELSE current_date + p.loan_days END)::text, "
    "$3::date IS NULL OR $3::date BETWEEN current_date - 365 AND current_date + 365 "
    "FROM readers r CROSS JOIN LATERAL policy_for(r.school, r.category) p "
    "WHERE r.id = $1::uuid FOR NO KEY UPDATE OF r";

ibc_rc store_reader_lock(ibc_ctx *ctx, const char *reader_id, bool textbook, const char *due_date,
                         store_reader_loan *rd)
{
    const char *p[] = {reader_id, textbook ? "true" : "false", due_date};
    PGresult *r = ibc_db_exec(ctx, sql_lock_reader, 3, p);
    if (!r) return ctx->err;
    ibc_rc rc = IBC_OK;
    if (PQntuples(r) == 0) {
        rc = ibc_fail(ctx, IBC_ENOTFOUND, "no reader has id %s", reader_id);
    } else {
        copy(rd->school, sizeof rd->school, r, 0);
        copy(rd->status, sizeof rd->status, r, 1);
        copy(rd->category, sizeof rd->category, r, 2);
        rd->open_loans = atol(PQgetvalue(r, 0, 3));
        rd->max_items = atol(PQgetvalue(r, 0, 4));
        copy(rd->due_date, sizeof rd->due_date, r, 5);
        if (strcmp(PQgetvalue(r, 0, 6), "t") != 0)
            rc =
                ibc_fail(ctx, IBC_EINVAL, "'due_date' %s must be within a year of today", due_date);
    }
    PQclear(r);
    return rc;
}

static const char sql_facts[] =
    "SELECT i.id, i.record_id, i.school, i.status, "
    "coalesce(rc.type = 'textbook', false) OR coalesce(i.source = 'textbook_fund', false), "
    "(SELECT l.due_date::text FROM loans l WHERE l.item_id = i.id AND l.returned_at IS NULL), "
    "(SELECT h.reader_id::text FROM holds h WHERE h.item_id = i.id AND h.state = 'ready'), "
    "t.id, t.state, t.to_school, "
    "rd.school, rd.status, rd.category, rd.open_loans, rd.max_items, rd.due::text, rd.in_range, "
    "rc.age_rating, rd.age, rc.extremist_entry, rc.extremist_version "
    "FROM items i LEFT JOIN records rc ON rc.id = i.record_id "
    "LEFT JOIN transfers t ON t.item_id = i.id AND t.state IN ('approved', 'shipped', "
    "'received') "
    "LEFT JOIN LATERAL (SELECT r.school, r.status, r.category, "
    "(SELECT count(*) FROM loans l WHERE l.reader_id = r.id AND l.returned_at IS NULL "
    "AND l.kind = 'regular') AS open_loans, p.max_items, "
    "coalesce($3::date, CASE WHEN p.textbooks_to_year_end AND (coalesce(rc.type = 'textbook', "
    "false) OR coalesce(i.source = 'textbook_fund', false)) THEN school_year_end(r.school) "
    "ELSE current_date + p.loan_days END) AS due, "
    "$3::date IS NULL OR $3::date BETWEEN current_date - 365 AND current_date + 365 AS in_range, "
    "date_part('year', age(current_date, r.birth_date))::int AS age "
    "FROM readers r CROSS JOIN LATERAL policy_for(r.school, r.category) p "
    "WHERE r.id = $2::uuid FOR NO KEY UPDATE OF r) rd ON true "
    "WHERE i.barcode = $1 FOR NO KEY UPDATE OF i";

ibc_rc store_checkout_facts(ibc_ctx *ctx, const char *barcode, const char *reader_id,
                            const char *due_date, store_item_state *it, store_reader_loan *rd)
{
    memset(it, 0, sizeof *it);
    memset(rd, 0, sizeof *rd);
    const char *p[] = {barcode, reader_id, due_date};
    PGresult *r = ibc_db_exec(ctx, sql_facts, 3, p);
    if (!r) return ctx->err;
    ibc_rc rc = IBC_OK;
    if (PQntuples(r) > 0) {
        copy(it->id, sizeof it->id, r, 0);
        copy(it->record_id, sizeof it->record_id, r, 1);
        copy(it->school, sizeof it->school, r, 2);
        copy(it->status, sizeof it->status, r, 3);
        it->textbook = strcmp(PQgetvalue(r, 0, 4), "t") == 0;
        copy(it->loan_due, sizeof it->loan_due, r, 5);
        copy(it->held_for, sizeof it->held_for, r, 6);
        copy(it->transfer_id, sizeof it->transfer_id, r, 7);
        copy(it->transfer_state, sizeof it->transfer_state, r, 8);
        copy(it->transfer_to, sizeof it->transfer_to, r, 9);
        copy(rd->school, sizeof rd->school, r, 10);
        copy(rd->status, sizeof rd->status, r, 11);
        copy(rd->category, sizeof rd->category, r, 12);
        rd->open_loans = atol(PQgetvalue(r, 0, 13));
        rd->max_items = atol(PQgetvalue(r, 0, 14));
        copy(rd->due_date, sizeof rd->due_date, r, 15);
        copy(it->age_rating, sizeof it->age_rating, r, 17);
        rd->age = PQgetisnull(r, 0, 18) ? -1 : atoi(PQgetvalue(r, 0, 18));
        it->extremist_entry = atol(PQgetvalue(r, 0, 19));
        it->extremist_version = atol(PQgetvalue(r, 0, 20));
        if (rd->school[0] && strcmp(PQgetvalue(r, 0, 16), "t") != 0)
            rc =
                ibc_fail(ctx, IBC_EINVAL, "'due_date' %s must be within a year of today", due_date);
    }
    PQclear(r);
    return rc;
}

static const char sql_insert[] =
    "WITH h AS (UPDATE holds SET state = 'fulfilled', updated_at = now() "
    "WHERE reader_id = $4::uuid AND record_id = $2::uuid AND school = $3 "
    "AND state IN ('waiting', 'ready') "
    "RETURNING jsonb_strip_nulls(jsonb_build_object('id', id, 'record_id', record_id, "
    "'school', school, 'reader_id', reader_id, 'item_id', item_id)) AS j), "
    "l AS (INSERT INTO loans (item_id, record_id, school, reader_id, due_date, transfer_id, "
    "created_by) SELECT $1::uuid, $2::uuid, $3, $4::uuid, $5::date, $6::uuid, $7 "
    "WHERE EXISTS (SELECT 1 FROM items i WHERE i.id = $1::uuid AND i.status = 'available') "
    "AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.item_id = $1::uuid AND h.state = 'ready' "
    "AND h.reader_id <> $4::uuid) AND NOT EXISTS (SELECT 1 FROM transfers t "
    "WHERE t.item_id = $1::uuid AND t.state IN ('approved', 'shipped')) "
    "RETURNING loan_json(loans) AS j) "
    "SELECT l.j, (SELECT coalesce(jsonb_agg(h.j), '[]') FROM h) FROM l";

ibc_rc store_loan_insert(ibc_ctx *ctx, const store_item_state *it, const char *school,
                         const char *reader_id, const char *due_date, json_t **loan,
                         json_t **fulfilled)
{
    *loan = *fulfilled = NULL;
    bool transfer = strcmp(it->transfer_state, "received") == 0;
    const char *p[] = {it->id,        it->record_id, school,
                       reader_id,     due_date,      transfer ? it->transfer_id : NULL,
                       ctx->principal};
    PGresult *r = ibc_db_exec(ctx, sql_insert, 7, p);
    if (!r) {
        if (ctx->err == IBC_ECONFLICT)
            return ibc_fail_reason(ctx, IBC_ECONFLICT, "item_on_loan",
                                   "item %s was lent to another reader a moment ago", it->id);
        if (ctx->err == IBC_EINVAL && strstr(ctx->err_detail, "the limit is"))
            return ibc_fail_reason(ctx, IBC_ECONFLICT, "reader_at_limit",
                                   "reader %s is at the limit of items on loan", reader_id);
        return ctx->err;
    }
    if (PQntuples(r) == 0) {
        PQclear(r);
        return ibc_fail(ctx, IBC_ECONFLICT,
                        "item %s was held, reserved or withdrawn a moment ago; scan it again",
                        it->id);
    }
    *loan = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
    *fulfilled = json_loads(PQgetvalue(r, 0, 1), 0, NULL);
    PQclear(r);
    if (!*loan || !*fulfilled)
        return ibc_fail(ctx, IBC_EINTERNAL, "the database returned bad JSON");
    return IBC_OK;
}

/* The copy is looked up first (an InitPlan), so that the loan is found by the
 * copy's id in the unique index of open loans, whatever the statistics say
 * about how many loans are open (see migration 0004). */
static const char sql_close[] =
    "UPDATE loans l SET returned_at = clock_timestamp() FROM items i "
    "WHERE l.item_id = (SELECT x.id FROM items x WHERE x.barcode = $1) AND i.id = l.item_id "
    "AND l.returned_at IS NULL AND ($2 = '' OR l.school = $2) "
    "RETURNING jsonb_build_object('loan', loan_json(l), 'item_school', i.school, "
    "'item_status', i.status, 'waiting', EXISTS (SELECT 1 FROM holds h "
    "WHERE h.record_id = l.record_id AND h.school = l.school AND h.state = 'waiting'))";
static const char sql_why_not[] =
    "SELECT i.school, (SELECT l.school FROM loans l WHERE l.item_id = i.id "
    "AND l.returned_at IS NULL) FROM items i WHERE i.barcode = $1";

ibc_rc store_loan_close(ibc_ctx *ctx, const char *barcode, const char *school, json_t **out)
{
    const char *p[] = {barcode, school};
    ibc_rc rc = ibc_db_json(ctx, out, sql_close, 2, p);
    if (rc != IBC_ENOTFOUND) return rc;
    PGresult *r = ibc_db_exec(ctx, sql_why_not, 1, p);
    if (!r) return ctx->err;
    bool admin = ibc_role_is(ctx, "admin");
    bool own = PQntuples(r) > 0 && strcmp(PQgetvalue(r, 0, 0), ctx->org) == 0;
    /* a librarian learns nothing of another school's copies and loans: one
     * answer for them all, the same as for a barcode that was never lent */
    if (PQntuples(r) > 0 && (admin || own) && PQgetisnull(r, 0, 1))
        rc = ibc_fail_reason(ctx, IBC_ECONFLICT, "not_on_loan", "item %s is not on loan", barcode);
    else
        rc = ibc_fail(ctx, IBC_ENOTFOUND, "no item with barcode %s is on loan from %s", barcode,
                      admin ? "any school" : ctx->org);
    PQclear(r);
    return rc;
}

static const char sql_renew_facts[] =
    "SELECT l.school, l.kind, l.returned_at IS NOT NULL, l.renewals, r.status, r.category, "
    "p.renewals, (SELECT count(*) FROM holds h WHERE h.record_id = l.record_id "
    "AND h.school = l.school AND h.state = 'waiting' AND h.reader_id IS DISTINCT FROM "
    "l.reader_id), "
    "(CASE WHEN p.textbooks_to_year_end AND (coalesce(rc.type = 'textbook', false) "
    "OR coalesce(i.source = 'textbook_fund', false)) THEN school_year_end(l.school) "
    "ELSE greatest(l.due_date, current_date) + p.loan_days END)::text, l.due_date::text, "
    "($2 = '' OR l.school = $2), rc.extremist_entry, rc.extremist_version "
    "FROM loans l JOIN items i ON i.id = l.item_id LEFT JOIN records rc ON rc.id = i.record_id "
    "LEFT JOIN readers r ON r.id = l.reader_id "
    "LEFT JOIN LATERAL policy_for(r.school, r.category) p ON true "
    "WHERE l.id = $1::uuid FOR NO KEY UPDATE OF l";
static const char sql_renew[] =
    "UPDATE loans SET due_date = $2::date, renewals = renewals + 1, overdue_marked_on = NULL "
    "WHERE id = $1::uuid "
    "RETURNING loan_json(loans)";

ibc_rc store_loan_renew(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id, ibc_role_is(ctx, "admin") ? "" : ctx->org};
    PGresult *r = ibc_db_exec(ctx, sql_renew_facts, 2, p);
    if (!r) return ctx->err;
    ibc_rc rc = IBC_OK;
    char due[16] = "";
    if (PQntuples(r) == 0 || strcmp(PQgetvalue(r, 0, 10), "t") != 0) {
        /* another school's loan is as unknown as one that never was */
        rc = ibc_fail(ctx, IBC_ENOTFOUND, "no loan of %s has id %s", *p[1] ? p[1] : "the network",
                      id);
    } else if (strcmp(PQgetvalue(r, 0, 2), "t") == 0) {
        rc = ibc_fail_reason(ctx, IBC_ECONFLICT, "loan_returned",
                             "loan %s was returned; it cannot be renewed", id);
    } else if (!PQgetisnull(r, 0, 11)) {
        /* the federal list of extremist materials: the copy comes back, no renewal */
        ctx->err_ext = json_pack("{s:I, s:I}", "list_entry", (json_int_t)atol(PQgetvalue(r, 0, 11)),
                                 "list_version", (json_int_t)atol(PQgetvalue(r, 0, 12)));
        rc = ibc_fail_reason(ctx, IBC_ECONFLICT, "extremist_material",
                             "loan %s is of a material on the federal list of extremist materials "
                             "(entry %s): it is not renewed",
                             id, PQgetvalue(r, 0, 11));
    } else if (strcmp(PQgetvalue(r, 0, 1), "classset") == 0) {
        rc = ibc_fail_reason(
            ctx, IBC_ECONFLICT, "class_set_loan",
            "loan %s is a class-set textbook, due at the end of the school year; it is "
            "not renewed",
            id);
    } else if (PQgetisnull(r, 0, 4) || strcmp(PQgetvalue(r, 0, 4), "active") != 0) {
        rc = ibc_fail_reason(ctx, IBC_ECONFLICT, "reader_not_active",
                             "the reader of loan %s is %s and cannot renew", id,
                             PQgetisnull(r, 0, 4) ? "deleted" : PQgetvalue(r, 0, 4));
    } else if (atol(PQgetvalue(r, 0, 3)) >= atol(PQgetvalue(r, 0, 6))) {
        ctx->err_ext = json_pack("{s:I, s:I}", "renewals", (json_int_t)atol(PQgetvalue(r, 0, 3)),
                                 "limit", (json_int_t)atol(PQgetvalue(r, 0, 6)));
        rc = ibc_fail_reason(ctx, IBC_ECONFLICT, "renewal_limit",
                             "loan %s was renewed %s times; the rules of %s allow %s for a %s", id,
                             PQgetvalue(r, 0, 3), PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 6),
                             PQgetvalue(r, 0, 5));
    } else if (strcmp(PQgetvalue(r, 0, 7), "0") != 0) {
        ctx->err_ext = json_pack("{s:I}", "waiting", (json_int_t)atol(PQgetvalue(r, 0, 7)));
        rc = ibc_fail_reason(
            ctx, IBC_ECONFLICT, "record_awaited",
            "%s other reader(s) wait for this record at %s; loan %s cannot be renewed",
            PQgetvalue(r, 0, 7), PQgetvalue(r, 0, 0), id);
    } else if (strcmp(PQgetvalue(r, 0, 8), PQgetvalue(r, 0, 9)) <= 0) {
        ctx->err_ext = json_pack("{s:s}", "due_date", PQgetvalue(r, 0, 9));
        rc = ibc_fail_reason(ctx, IBC_ECONFLICT, "due_at_maximum",
                             "loan %s is already due %s, as late as the rules allow", id,
                             PQgetvalue(r, 0, 9));
    } else {
        snprintf(due, sizeof due, "%s", PQgetvalue(r, 0, 8));
    }
    PQclear(r);
    if (rc != IBC_OK) return rc;
    const char *q[] = {id, due};
    return ibc_db_json(ctx, out, sql_renew, 2, q);
}

static const char sql_get[] =
    "SELECT loan_json(l) FROM loans l WHERE l.id = $1::uuid AND ($2 = '' OR l.school = $2)";

ibc_rc store_loan_get(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id, ibc_role_network_wide(ctx) ? "" : ctx->org};
    ibc_rc rc = ibc_db_json(ctx, out, sql_get, 2, p);
    if (rc == IBC_ENOTFOUND)
        ibc_fail(ctx, rc, "no loan of %s has id %s", *p[1] ? p[1] : "the network", id);
    return rc;
}

static const char sql_list[] =
    "SELECT jsonb_build_object('loans', coalesce(jsonb_agg(loan_json(x.lr) ORDER BY x.due_date, "
    "x.id), '[]'), 'limit', $9::int, 'offset', $10::int) "
    "FROM (SELECT l AS lr, l.due_date, l.id FROM loans l "
    "LEFT JOIN readers r ON r.id = l.reader_id "
    "WHERE ($1::text IS NULL OR l.school = $1) AND ($2::uuid IS NULL OR l.reader_id = $2::uuid) "
    "AND (NOT $3::boolean OR (l.returned_at IS NULL AND l.due_date < current_date)) "
    "AND ($4::boolean IS NULL OR (l.returned_at IS NULL) = $4::boolean) "
    "AND ($5::text IS NULL OR r.class = $5) "
    "AND ($6::text IS NULL OR l.item_id = (SELECT i.id FROM items i WHERE i.barcode = $6)) "
    "AND ($7::uuid IS NULL OR l.record_id = $7::uuid) "
    "AND ($8::uuid IS NULL OR l.class_set_id = $8::uuid) "
    "ORDER BY l.due_date, l.id LIMIT $9::int OFFSET $10::int) x";

ibc_rc store_loans_list(ibc_ctx *ctx, const store_loan_filter *f, json_t **out)
{
    const char *p[] = {f->school,    f->reader_id,    f->overdue ? "true" : "false",
                       f->open,      f->cls,          f->barcode,
                       f->record_id, f->class_set_id, f->limit,
                       f->offset};
    return ibc_db_json(ctx, out, sql_list, 10, p);
}

/* A page of readers ($4 limit, $5 offset, in class, name order) with their
 * overdue loans; "total" counts every reader with an overdue loan. */
static const char sql_overdue[] =
    "WITH o AS (SELECT l.*, r.class AS rclass, r.name AS rname FROM loans l "
    "JOIN readers r ON r.id = l.reader_id WHERE l.school = $1 AND l.returned_at IS NULL "
    "AND l.due_date < current_date AND ($2::text IS NULL OR r.class = $2)), "
    "rd AS (SELECT o.rclass, o.reader_id, min(o.rname) AS rname, row_number() OVER (ORDER BY "
    "o.rclass NULLS LAST, min(o.rname), o.reader_id) AS n FROM o GROUP BY o.rclass, o.reader_id), "
    "per_reader AS (SELECT rd.*, (SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object("
    "'loan_id', o.id, 'item_id', o.item_id, "
    "'barcode', (SELECT i.barcode FROM items i WHERE i.id = o.item_id), 'record_id', "
    "o.record_id, 'kind', o.kind, 'due_date', o.due_date, 'days_overdue', "
    "current_date - o.due_date)) ORDER BY o.due_date, o.id) FROM o WHERE o.reader_id = "
    "rd.reader_id) AS loans FROM rd WHERE rd.n > $5::int AND rd.n <= $5::int + $4::int), "
    "per_class AS (SELECT rclass, jsonb_agg(jsonb_strip_nulls(jsonb_build_object('reader_id', "
    "reader_id, 'name', CASE WHEN $3::boolean THEN rname END, 'loans', loans)) "
    "ORDER BY n) AS readers FROM per_reader GROUP BY rclass) "
    "SELECT jsonb_build_object('school', $1::text, 'as_of', current_date, 'classes', "
    "coalesce((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('class', rclass, "
    "'readers', readers)) ORDER BY rclass NULLS LAST) FROM per_class), '[]'), "
    "'total', (SELECT count(*) FROM rd), 'limit', $4::int, 'offset', $5::int)";

ibc_rc store_overdue(ibc_ctx *ctx, const char *school, const char *cls, bool names,
                     const char *limit, const char *offset, json_t **out)
{
    const char *p[] = {school, cls, names ? "true" : "false", limit, offset};
    return ibc_db_json(ctx, out, sql_overdue, 5, p);
}

static const char sql_age_teacher[] =
    "SELECT coalesce((SELECT s.teacher_age_override FROM schools s WHERE s.school = $2), false), "
    "EXISTS (SELECT 1 FROM readers t WHERE t.id = $1::uuid AND t.school = $2 "
    "AND t.category = 'teacher' AND t.status = 'active')";

ibc_rc store_age_override_allowed(ibc_ctx *ctx, const char *teacher_id, const char *school,
                                  bool *school_allows, bool *is_teacher)
{
    const char *p[] = {teacher_id, school};
    PGresult *r = ibc_db_exec(ctx, sql_age_teacher, 2, p);
    if (!r) return ctx->err;
    *school_allows = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    *is_teacher = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
    PQclear(r);
    return IBC_OK;
}

static const char sql_age_log[] =
    "INSERT INTO age_overrides (loan_id, school, reader_id, teacher_id, record_id, age_rating, "
    "reader_age, principal) VALUES ($1::uuid, $2, $3::uuid, $4::uuid, $5::uuid, $6, $7::int, $8)";

ibc_rc store_age_override_log(ibc_ctx *ctx, const char *loan_id, const char *school,
                              const char *reader_id, const char *teacher_id,
                              const store_item_state *it, int reader_age)
{
    char age[16];
    snprintf(age, sizeof age, "%d", reader_age);
    const char *p[] = {
        loan_id,       school,         reader_id, teacher_id,
        it->record_id, it->age_rating, age,       ctx->principal ? ctx->principal : ""};
    return ibc_db_run(ctx, sql_age_log, 8, p);
}

/* At most this many a sweep; the next sweep takes the rest. */
static const char sql_overdue_mark[] =
    "UPDATE loans l SET overdue_marked_on = current_date FROM (SELECT id FROM loans "
    "WHERE returned_at IS NULL AND overdue_marked_on IS NULL AND due_date < current_date "
    "ORDER BY due_date, id LIMIT 5000 FOR UPDATE SKIP LOCKED) m WHERE l.id = m.id "
    "RETURNING jsonb_strip_nulls(jsonb_build_object('id', l.id, 'item_id', l.item_id, "
    "'record_id', l.record_id, 'school', l.school, 'reader_id', l.reader_id, 'kind', l.kind, "
    "'class_set_id', l.class_set_id, 'due_date', l.due_date))::text";

ibc_rc store_overdue_mark(ibc_ctx *ctx, json_t **marked)
{
    PGresult *r = ibc_db_exec(ctx, sql_overdue_mark, 0, NULL);
    if (!r) return ctx->err;
    *marked = json_array();
    for (int i = 0; i < PQntuples(r); i++) {
        json_t *j = json_loads(PQgetvalue(r, i, 0), 0, NULL);
        if (j) json_array_append_new(*marked, j);
    }
    PQclear(r);
    return IBC_OK;
}
